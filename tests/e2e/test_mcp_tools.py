"""The tools end to end through a real MCP client (in process), against the sandbox, on Cloud and Data Center."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from mcp import Client
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from adapter.cli import sandbox_overrides
from adapter.config import load_settings
from adapter.manifest import load_tools
from adapter.sandbox.app import create_app
from adapter.server import AtlassianServer
from tests.spec_guard import SpecGuard

BROKEN = "/rest/api/3/issue/PROJ-3"  # answered with `[1, 2]` (not an issue): the server must answer with a tool error


def malformed_for(path: str, app: ASGIApp) -> ASGIApp:
    """`app`, except that a GET of `path` answers 200 with a JSON list instead of the object the API promises."""

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == path:
            await JSONResponse([1, 2])(scope, receive, send)
            return
        await app(scope, receive, send)

    return wrapper


class Harness:
    def __init__(self, flavor: str, **extra: str) -> None:
        self.guard = SpecGuard(create_app(flavor), flavor)  # type: ignore[arg-type]
        self.sandbox = self.guard.state.sandbox
        settings = load_settings({**sandbox_overrides(flavor), **extra}, environ={}, read_dotenv=False)
        self.server = AtlassianServer(settings, load_tools(), httpx.ASGITransport(malformed_for(BROKEN, self.guard)))

    def paths(self) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.sandbox.requests]

    def sent(self) -> Any:
        """The JSON body of the last request the sandbox received."""
        return self.sandbox.requests[-1].body


@asynccontextmanager
async def connect(flavor: str, **extra: str) -> AsyncIterator[tuple[Harness, Client]]:
    """A server for this configuration on the sandbox and an MCP client talking to it in process."""
    harness = Harness(flavor, **extra)
    async with Client(harness.server.lowlevel()) as client:
        yield harness, client
    await harness.server.aclose()
    harness.guard.assert_clean()  # every request the server sent follows Atlassian's spec


ADF_LOOKS_GOOD = {"type": "doc", "version": 1, "content": [
    {"type": "paragraph", "content": [{"type": "text", "text": "Looks good"}]}]}  # fmt: skip


async def test_tools_list_is_sorted_and_complete() -> None:
    async with connect("cloud", TOOLSETS="all") as (_, client):  # every area's toolsets, not only the default ones
        tools = (await client.list_tools()).tools
        cloud_tools = sorted(t.name for t in load_tools() if "cloud" in t.bindings and t.toolset != "catalog")
        assert [t.name for t in tools] == cloud_tools
        for tool in tools:
            assert tool.title and tool.annotations and tool.output_schema and tool.input_schema["type"] == "object"


async def test_get_issue_is_one_call_with_compact_result() -> None:
    async with connect("cloud") as (harness, client):
        result = await client.call_tool("jira_get_issue", {
            "issue_key": "PROJ-2", "comment_limit": 1,
            "fields": "summary,status,assignee,comment,customfield_10016",
        })  # fmt: skip
        assert not result.is_error, result.content
        data = result.structured_content
        assert data["key"] == "PROJ-2" and data["status"] == "In Progress"
        assert data["assignee"]["account_id"] == "5d5f7a1b2c3d4e5f60718291"  # alice
        assert [c["id"] for c in data["comments"]] == ["10104"] and data["comments_omitted"] == 2  # the newest of 3
        assert data["comments"][0]["body"].startswith("Demo went well")
        assert data["custom_fields"] == {"customfield_10016": 5}  # story points
        assert harness.paths() == ["GET /rest/api/3/issue/PROJ-2"]
        text = result.content[0].text
        assert text.startswith("PROJ-2 · Add Apple Pay to checkout") and "avatar" not in text and "{\n" not in text


async def test_create_update_transition_comment_on_cloud() -> None:
    async with connect("cloud") as (harness, client):
        created = await client.call_tool("jira_create_issue", {
            "project_key": "PROJ", "summary": "New", "issue_type": "Bug", "description": "Line one\n\nLine two",
            "components": "Frontend, API", "additional_fields": json.dumps({"labels": ["from-mcp"]}),
        })  # fmt: skip
        assert not created.is_error, created.content
        key = created.structured_content["key"]
        assert key == "PROJ-14"
        assert created.structured_content["url"] == f"http://sandbox.localhost/browse/{key}"
        sent = harness.sent()["fields"]
        assert sent["description"]["type"] == "doc" and len(sent["description"]["content"]) == 2
        assert sent["components"] == [{"name": "Frontend"}, {"name": "API"}] and sent["labels"] == ["from-mcp"]

        updated = await client.call_tool("jira_update_issue", {"issue_key": key, "fields": {"summary": "Renamed"}})
        assert updated.structured_content == {"key": key, "url": f"http://sandbox.localhost/browse/{key}",
                                              "updated": ["summary"]}  # fmt: skip
        moved = await client.call_tool(
            "jira_transition_issue", {"issue_key": key, "transition_id": "31", "comment": "done"}
        )
        assert not moved.is_error, moved.content
        commented = await client.call_tool("jira_add_comment", {"issue_key": key, "body": "Looks good"})
        assert commented.structured_content["body"] == "Looks good"  # sent as ADF, read back as Markdown
        assert harness.sent()["body"] == ADF_LOOKS_GOOD
        issue = (await client.call_tool("jira_get_issue", {"issue_key": key})).structured_content
        assert issue["summary"] == "Renamed" and issue["status"] == "Done"
        assert issue["components"] == ["Frontend", "API"] and issue["labels"] == ["from-mcp"]
        assert issue["comment_total"] == 2  # the transition's comment and the added one
        assert harness.paths() == [
            "POST /rest/api/3/issue",
            f"PUT /rest/api/3/issue/{key}",
            f"POST /rest/api/3/issue/{key}/transitions",
            f"POST /rest/api/3/issue/{key}/comment",
            f"GET /rest/api/3/issue/{key}",
        ]


async def test_same_tools_on_data_center() -> None:
    async with connect("datacenter") as (harness, client):
        issue = await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
        assert issue.structured_content["key"] == "PROJ-1", issue.content
        assert issue.structured_content["summary"] == "Checkout revamp"
        fields = {"project_key": "PROJ", "summary": "S", "issue_type": "Task"}
        fields |= {"description": "plain", "assignee": "bob"}
        created = await client.call_tool("jira_create_issue", fields)
        assert created.structured_content["url"] == "http://sandbox.localhost/jira/browse/PROJ-14", created.content
        sent = harness.sent()["fields"]
        assert sent["description"] == "plain" and sent["assignee"] == {"name": "bob"}  # wiki markup, user by name
        found = await client.call_tool("jira_search", {"jql": "project = PROJ ORDER BY key ASC", "limit": 5})
        assert [i["key"] for i in found.structured_content["issues"]] == [f"PROJ-{n}" for n in range(1, 6)]
        page = await client.call_tool(
            "confluence_update_page", {"page_id": "65537", "title": "Development Home 2", "content": "<p>x</p>"}
        )
        assert page.structured_content["version"] == 4, page.content  # seeded at version 3
        assert harness.paths() == [
            "GET /jira/rest/api/2/issue/PROJ-1", "POST /jira/rest/api/2/issue", "GET /jira/rest/api/2/search",
            "GET /confluence/rest/api/content/65537", "PUT /confluence/rest/api/content/65537",
        ]  # fmt: skip
        # every request authenticated with the personal access token as a bearer token
        assert [r.credential for r in harness.sandbox.requests] == ["bearer sandbox"] * 5


async def test_confluence_on_cloud_uses_v2_and_v1_only_for_search() -> None:
    async with connect("cloud") as (harness, client):
        page = await client.call_tool("confluence_get_page", {"page_id": "65537"})
        assert page.structured_content["title"] == "Development Home"
        assert page.structured_content["body"].startswith("Welcome to the **Development** space.")
        raw = await client.call_tool("confluence_get_page", {"page_id": "65537", "convert_to_markdown": False})
        assert raw.structured_content["body"] == harness.sandbox.pages[65537].body  # the storage XHTML as is
        by_title = await client.call_tool("confluence_get_page", {"title": "Development Home", "space_key": "DEV"})
        assert by_title.structured_content["id"] == "65537", by_title.content
        created = await client.call_tool(
            "confluence_create_page", {"space_key": "DEV", "title": "New", "content": "<p>n</p>"}
        )
        assert created.structured_content["version"] == 1, created.content
        updated = await client.call_tool(
            "confluence_update_page", {"page_id": "65537", "title": "Development Home", "content": "<p>2</p>"}
        )
        assert updated.structured_content["version"] == 4, updated.content
        found = await client.call_tool("confluence_search", {"query": "deploy guide"})
        excerpt = found.structured_content["results"][0]["excerpt"]
        # the sandbox marks the searched words as Confluence does (@@@hl@@@Deploy@@@endhl@@@): the tool strips them
        assert excerpt.startswith("Deploy guide Status: Owner: Deploys are frozen") and "@@@" not in excerpt
        search = [r for r in harness.sandbox.requests if r.path == "/wiki/rest/api/search"]
        assert len(search) == 1 and httpx.QueryParams(search[0].query)["cql"] == 'siteSearch ~ "deploy guide"'
        assert harness.paths()[:4] == [
            "GET /wiki/api/v2/pages/65537",
            "GET /wiki/api/v2/pages/65537",
            "GET /wiki/api/v2/spaces",
            "GET /wiki/api/v2/pages",
        ]
        assert "POST /wiki/api/v2/pages" in harness.paths() and "PUT /wiki/api/v2/pages/65537" in harness.paths()


async def test_filters_are_hard_limits() -> None:
    async with connect("cloud", JIRA_PROJECTS_FILTER="PROJ", CONFLUENCE_SPACES_FILTER="DEV") as (harness, client):
        outside = await client.call_tool("jira_get_issue", {"issue_key": "OPS-1"})
        assert outside.is_error and "outside this server's projects (PROJ)" in outside.content[0].text
        narrowed = await client.call_tool(
            "jira_search", {"jql": "status = Done ORDER BY key", "projects_filter": "OPS"}
        )
        assert narrowed.is_error and "limited to PROJ" in narrowed.content[0].text
        found = await client.call_tool("jira_search", {"jql": "status = Done ORDER BY key"})
        assert harness.sent()["jql"] == 'project in ("PROJ") AND (status = Done) ORDER BY key'
        assert [i["key"] for i in found.structured_content["issues"]] == ["PROJ-5", "PROJ-6"]  # not SUP-2, OPS-3
        space = await client.call_tool("confluence_create_page", {"space_key": "OPS", "title": "t", "content": "c"})
        assert space.is_error and "outside this server's spaces" in space.content[0].text
        assert harness.paths() == ["POST /rest/api/3/search/jql"]


async def test_read_only_hides_and_refuses_writes() -> None:
    async with connect("cloud", READ_ONLY_MODE="true") as (harness, client):
        names = [t.name for t in (await client.list_tools()).tools]
        assert names == ["confluence_get_page", "confluence_search", "jira_get_issue", "jira_search"]
        refused = await client.call_tool("jira_create_issue", {"project_key": "P", "summary": "s", "issue_type": "T"})
        assert refused.is_error and "unknown tool 'jira_create_issue'" in refused.content[0].text
        assert harness.sandbox.requests == []


async def test_bad_arguments_are_named_before_any_request() -> None:
    async with connect("cloud") as (harness, client):
        wrong_type = await client.call_tool("jira_get_issue", {"issue_key": 12})
        assert wrong_type.is_error and wrong_type.content[0].text == "issue_key: 12 is not of type 'string'"
        unknown = await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1", "isue": 1})
        assert unknown.is_error and "valid arguments: comment_limit, expand, fields" in unknown.content[0].text
        missing = await client.call_tool("jira_search", {})
        assert missing.is_error and missing.content[0].text == "missing required argument: 'jql'"
        bad_json = await client.call_tool("jira_update_issue", {"issue_key": "PROJ-1", "fields": "{nope"})
        assert bad_json.is_error and bad_json.content[0].text.startswith("fields: not valid JSON")
        # found by the fuzzer (tests/reliability): these once crashed inside the server
        not_object = await client.call_tool(
            "jira_add_comment", {"issue_key": "PROJ-1", "body": "x", "visibility": "[1]"}
        )
        assert not_object.is_error and not_object.content[0].text == "visibility: expected a JSON object"
        page = await client.call_tool("confluence_get_page", {"page_id": "abc"})
        assert page.is_error and page.content[0].text == "page_id: expected a numeric page id, got 'abc'"
        assert harness.sandbox.requests == []


async def test_upstream_errors_speak_to_the_model() -> None:
    async with connect("cloud", JIRA_API_TOKEN="wrong") as (harness, client):
        denied = await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
        text = denied.content[0].text
        assert denied.is_error and text.startswith("Jira answered 401: You are not authenticated")
        assert "check the credentials" in text and "wrong" not in text
        assert [(r.credential, r.status) for r in harness.sandbox.requests] == [("basic sandbox@example.com (rejected)",
                                                                                 401)]  # fmt: skip
    async with connect("cloud") as (harness, client):
        missing = await client.call_tool("jira_get_issue", {"issue_key": "PROJ-999"})
        assert missing.is_error and missing.content[0].text.startswith("Jira answered 404: Issue does not exist")
        broken = await client.call_tool("jira_get_issue", {"issue_key": "PROJ-3"})  # answered `[1, 2]`
        assert broken.is_error and broken.content[0].text.startswith("jira_get_issue failed: ValueError")
        still_serving = await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
        assert not still_serving.is_error and still_serving.structured_content["key"] == "PROJ-1"
        assert harness.paths() == ["GET /rest/api/3/issue/PROJ-999", "GET /rest/api/3/issue/PROJ-1"]  # PROJ-3: wrapper


async def test_catalog_mode_finds_and_calls_any_operation() -> None:
    async with connect("cloud", TOOLSETS="catalog") as (harness, client):
        names = [t.name for t in (await client.list_tools()).tools]
        assert names == ["atlassian_call_operation", "atlassian_find_operations"]
        found = await client.call_tool(
            "atlassian_find_operations", {"query": "transition issue", "include_schema": True}
        )
        ops = {o["operation"]: o for o in found.structured_content["operations"]}
        assert "jira-platform/doTransition" in ops, list(ops)
        assert ops["jira-platform/doTransition"]["parameters"]["issueIdOrKey"] == {
            "in": "path", "schema": {"type": "string"}, "required": True}  # fmt: skip
        assert "$defs" in ops["jira-platform/doTransition"]["body_schema"]
        pages = await client.call_tool("atlassian_find_operations", {"query": "page by id", "product": "confluence"})
        assert any(o["operation"] == "confluence-v2/getPageById" for o in pages.structured_content["operations"])
        called = await client.call_tool(
            "atlassian_call_operation", {"operation": "jira-platform/getIssue", "arguments": {"issueIdOrKey": "PROJ-1"}}
        )
        assert called.structured_content["result"]["key"] == "PROJ-1", called.content
        assert "avatarUrls" not in json.dumps(called.structured_content)
        wrong = await client.call_tool("atlassian_call_operation", {"operation": "jira-platform/getIssue"})
        assert wrong.is_error and wrong.content[0].text == "arguments.issueIdOrKey: required by jira-platform/getIssue"
        dc_api = await client.call_tool("atlassian_call_operation", {"operation": "jira-dc/getIssue"})
        assert dc_api.is_error and "not an API of the configured sites" in dc_api.content[0].text
        bad_body = await client.call_tool(
            "atlassian_call_operation",
            {"operation": "jira-platform/doTransition", "arguments": {"issueIdOrKey": "PROJ-1"},
             "body": {"transition": "31"}},
        )  # fmt: skip
        assert bad_body.is_error and bad_body.content[0].text.startswith("body.transition:"), bad_body.content
        assert harness.paths() == ["GET /rest/api/3/issue/PROJ-1"]


async def test_catalog_mode_respects_read_only() -> None:
    async with connect("cloud", TOOLSETS="catalog", READ_ONLY_MODE="1") as (harness, client):
        found = await client.call_tool("atlassian_find_operations", {"query": "create issue", "limit": 25})
        assert all(o["read_only"] for o in found.structured_content["operations"])
        refused = await client.call_tool(
            "atlassian_call_operation", {"operation": "jira-platform/createIssue", "body": {"fields": {}}}
        )
        assert refused.is_error and "is a POST; this server is read-only" in refused.content[0].text
        assert harness.sandbox.requests == []


def test_catalog_mode_refuses_filters_it_cannot_enforce() -> None:
    from adapter.config import ConfigError

    with pytest.raises(ConfigError, match="toolset catalog cannot enforce"):
        Harness("cloud", TOOLSETS="catalog", JIRA_PROJECTS_FILTER="PROJ")


async def test_enabled_tools_limit_listing_and_calling() -> None:
    async with connect("cloud", ENABLED_TOOLS="jira_get_issue,confluence_search") as (harness, client):
        assert [t.name for t in (await client.list_tools()).tools] == ["confluence_search", "jira_get_issue"]
        hidden = await client.call_tool("jira_search", {"jql": "x"})
        assert hidden.is_error and hidden.content[0].text.startswith("unknown tool 'jira_search'")
        assert harness.sandbox.requests == []
