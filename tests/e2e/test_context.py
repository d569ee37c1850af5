"""Resources, completions and prompts (adapter/context.yaml) through mcp.Client, on both sandbox flavours."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mcp import types

from tests.e2e.harness import sandboxed

FLAVORS = ["cloud", "datacenter"]
ALL = {"TOOLSETS": "all"}
ISSUE = types.ResourceTemplateReference(type="ref/resource", uri="jira://issue/{issue_key}")


def prompt_ref(name: str) -> types.PromptReference:
    return types.PromptReference(type="ref/prompt", name=name)


async def read(client: Any, uri: str) -> tuple[str, Any]:
    result = await client.read_resource(uri)
    markdown, data = result.contents
    assert (markdown.mime_type, data.mime_type) == ("text/markdown", "application/json")
    assert markdown.uri == data.uri == uri
    return markdown.text, json.loads(data.text)


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_templates_list_and_read(flavor: str) -> None:
    async with sandboxed(flavor, **ALL) as (sandbox, client):
        assert client.server_capabilities.resources is not None and client.server_capabilities.completions is not None
        assert (await client.list_resources()).resources == []  # templates, not every issue and page
        templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
        assert templates == {"jira://issue/{issue_key}", "jira://project/{project_key}", "jira://board/{board_id}",
                             "jira://sprint/{sprint_id}", "confluence://page/{page_id}",
                             "confluence://space/{space_key}"}  # fmt: skip
        text, issue = await read(client, "jira://issue/PROJ-1")
        assert issue["key"] == "PROJ-1" and "Checkout revamp" in text
        _, project = await read(client, "jira://project/PROJ")
        assert project["issues"] and all(i["key"].startswith("PROJ-") for i in project["issues"])
        _, board = await read(client, "jira://board/1")
        assert board["issues"]
        _, sprint = await read(client, "jira://sprint/1")
        assert {i["key"] for i in sprint["issues"]} >= {"PROJ-5"}
        text, page = await read(client, "confluence://page/65539")
        assert page["title"] == "Deploy guide" and "Deploy guide" in text
        _, space = await read(client, "confluence://space/DEV")
        assert space
        with pytest.raises(Exception, match="resource not found"):
            await client.read_resource("jira://nothing/1")
        with pytest.raises(Exception, match="PROJ-99999"):
            await client.read_resource("jira://issue/PROJ-99999")


async def test_default_toolsets_offer_only_their_templates() -> None:
    async with sandboxed("cloud") as (_, client):
        templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
        assert "jira://issue/{issue_key}" in templates and "jira://board/{board_id}" not in templates  # agile is off


async def test_resources_honour_the_project_filter() -> None:
    async with sandboxed("datacenter", **ALL, JIRA_PROJECTS_FILTER="OPS") as (_, client):
        with pytest.raises(Exception, match="outside this server's projects"):
            await client.read_resource("jira://issue/PROJ-1")


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_completions(flavor: str) -> None:
    async with sandboxed(flavor, **ALL) as (sandbox, client):
        projects = await client.complete(types.ResourceTemplateReference(type="ref/resource",
                                                                         uri="jira://project/{project_key}"),
                                         {"name": "project_key", "value": "P"})  # fmt: skip
        assert projects.completion.values[:1] == ["PROJ"] and set(projects.completion.values) == {"PROJ", "SUP", "OPS"}
        issues = await client.complete(ISSUE, {"name": "issue_key", "value": "PROJ-1"})
        assert issues.completion.values and all(v.startswith("PROJ-1") for v in issues.completion.values)
        spaces = await client.complete(types.ResourceTemplateReference(type="ref/resource",
                                                                       uri="confluence://space/{space_key}"),
                                       {"name": "space_key", "value": ""})  # fmt: skip
        assert "DEV" in spaces.completion.values
        sprints = await client.complete(prompt_ref("sprint_report"), {"name": "sprint_id", "value": ""},
                                        context_arguments={"board_id": "1"})  # fmt: skip
        assert "1" in sprints.completion.values and "2" in sprints.completion.values
        fanned = await client.complete(types.ResourceTemplateReference(type="ref/resource",
                                                                       uri="jira://sprint/{sprint_id}"),
                                       {"name": "sprint_id", "value": ""})  # fmt: skip
        assert set(sprints.completion.values) <= set(fanned.completion.values)  # no board given: the user's boards
        types_ = await client.complete(prompt_ref("spec_to_issues"), {"name": "issue_type", "value": "st"},
                                       context_arguments={"project_key": "PROJ"})  # fmt: skip
        assert types_.completion.values == ["Story"]
        transitions = await client.complete(prompt_ref("triage_issue"), {"name": "transition", "value": ""},
                                            context_arguments={"issue_key": "PROJ-1"})  # fmt: skip
        assert transitions.completion.values
        users = await client.complete(prompt_ref("triage_issue"), {"name": "assignee", "value": "Ali"},
                                      context_arguments={"issue_key": "PROJ-1"})  # fmt: skip
        assert users.completion.values == ["Alice Anders"]
        boards = await client.complete(prompt_ref("sprint_report"), {"name": "board_id", "value": ""})
        assert boards.completion.values == ["1", "2"]
        unknown = await client.complete(ISSUE, {"name": "no_such_argument", "value": ""})
        assert unknown.completion.values == []

        calls = len(sandbox.requests)
        await client.complete(ISSUE, {"name": "issue_key", "value": "PROJ-2"})  # the same lookup: cached
        assert len(sandbox.requests) == calls


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_prompts(flavor: str) -> None:
    async with sandboxed(flavor, **ALL) as (_, client):
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
        assert set(prompts) == {"triage_issue", "sprint_report", "project_report", "spec_to_issues", "page_history"}
        assert "Uses: jira_get_issue" in (prompts["triage_issue"].description or "")
        got = await client.get_prompt("triage_issue", {"issue_key": "PROJ-1"})
        text = got.messages[0].content.text  # type: ignore[union-attr]
        assert "PROJ-1" in text and "{" not in text
        for name, prompt in prompts.items():  # every prompt renders with its required arguments
            args = {a.name: "X" for a in prompt.arguments or [] if a.required}
            assert (await client.get_prompt(name, args)).messages
        with pytest.raises(Exception, match="missing argument"):
            await client.get_prompt("triage_issue", {})


async def test_prompts_need_their_tools() -> None:
    async with sandboxed("cloud", **ALL, READ_ONLY_MODE="true") as (_, client):
        names = {p.name for p in (await client.list_prompts()).prompts}
        assert "spec_to_issues" not in names  # it creates issues: not offered on a read-only server
        assert "triage_issue" in names


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_progress_of_long_work(flavor: str) -> None:
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        seen.append((done, total, message))

    async with sandboxed(flavor, **ALL) as (_, client):
        files = await client.call_tool("jira_download_attachments", {"issue_key": "PROJ-2"},
                                       progress_callback=on_progress)  # fmt: skip
        names = [f["filename"] for f in files.structured_content["files"]]
        assert seen == [(i + 1, 2, name) for i, name in enumerate(names)] and len(names) == 2
        seen.clear()
        versions = [{"name": f"9.{n}"} for n in range(3)]
        await client.call_tool("jira_batch_create_versions", {"project_key": "PROJ", "versions": versions},
                               progress_callback=on_progress)  # fmt: skip
        assert seen == [(1, 3, "9.0"), (2, 3, "9.1"), (3, 3, "9.2")]
        seen.clear()
        await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"}, progress_callback=on_progress)
        assert seen == []  # one request: nothing to report


async def test_a_cancelled_call_stops() -> None:
    import anyio

    async with sandboxed("datacenter", **ALL) as (sandbox, client):
        sandbox.inject(r"/version$", kind="delay", delay=3.0, times=1)
        versions = [{"name": f"8.{n}"} for n in range(3)]
        with anyio.move_on_after(1.0) as scope:
            await client.call_tool("jira_batch_create_versions", {"project_key": "PROJ", "versions": versions})
        assert scope.cancelled_caught
        await anyio.sleep(4.0)  # past the slow first answer: a call still running would now create 8.1 and 8.2
        created = [r for r in sandbox.requests if r.method == "POST" and r.path.endswith("/version")]
        assert len(created) <= 1, created


def test_the_shipped_declarations_check_out_and_mistakes_are_named() -> None:
    from adapter.cli import sandbox_overrides
    from adapter.config import load_settings
    from adapter.context import Context, ContextError, load
    from adapter.manifest import load_tools
    from adapter.server import AtlassianServer

    server = AtlassianServer(load_settings(sandbox_overrides("cloud"), environ={}, read_dotenv=False), load_tools())
    assert len(Context(server).templates) == 6
    broken = load()
    broken["completions"]["project_key"]["tool"] = "jira_delete_issue"
    with pytest.raises(ContextError, match="completion project_key: jira_delete_issue writes"):
        assert Context(server, broken).templates
    broken["prompts"][0]["tools"] = ["no_such_tool"]
    with pytest.raises(ContextError, match="unknown tool 'no_such_tool'"):
        assert Context(server, broken).prompts
