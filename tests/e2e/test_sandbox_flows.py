"""Whole write flows through `mcp.Client` against the in-process sandbox, on both flavours.

Jira: create -> read -> transition -> comment -> search. Confluence: create a page -> read it -> update
with the right version -> a stale version is rejected. This is `atlassian-mcp serve --sandbox` in process.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import ok, sandboxed

FLAVORS = ["cloud", "datacenter"]


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_jira_create_read_transition_comment_search(flavor: str) -> None:
    async with sandboxed(flavor) as (sandbox, client):
        created = ok(await client.call_tool("jira_create_issue", {
            "project_key": "PROJ", "summary": "Checkout button is grey", "issue_type": "Bug",
            "description": "Steps:\n\n1. Open the cart\n2. Look at **Pay**", "components": "Frontend",
        }))  # fmt: skip
        key = created["key"]
        assert key.startswith("PROJ-") and created["url"].endswith(f"/browse/{key}")
        issue = ok(await client.call_tool("jira_get_issue", {"issue_key": key}))
        assert issue["summary"] == "Checkout button is grey" and issue["status"] == "To Do"
        assert issue["components"] == ["Frontend"]
        ok(await client.call_tool("jira_transition_issue", {"issue_key": key, "transition_id": "21"}))
        ok(await client.call_tool("jira_add_comment", {"issue_key": key, "body": "On it"}))
        issue = ok(await client.call_tool("jira_get_issue", {"issue_key": key}))
        assert issue["status"] == "In Progress" and issue["comment_total"] == 1
        found = ok(
            await client.call_tool("jira_search", {"jql": f'project = PROJ AND status = "In Progress" AND key = {key}'})
        )
        assert [i["key"] for i in found["issues"]] == [key]
        bad = await client.call_tool("jira_search", {"jql": "project = PROJ AND"})
        assert bad.is_error and bad.content[0].text.startswith("Jira answered 400")
        secret = await client.call_tool("jira_get_issue", {"issue_key": "SECRET-1"})
        assert secret.is_error and "404" in secret.content[0].text
        assert all(r.credential != "none" for r in sandbox.requests)


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_confluence_create_read_update_and_stale_version(flavor: str) -> None:
    async with sandboxed(flavor, TOOLSETS="default,catalog") as (_sandbox, client):
        created = ok(await client.call_tool("confluence_create_page", {
            "space_key": "DEV", "title": "Flow test", "content": "First **draft**\n\n```python\nprint(1)\n```",
        }))  # fmt: skip
        page_id = created["id"]
        assert created["version"] == 1
        page = ok(await client.call_tool("confluence_get_page", {"page_id": page_id}))
        assert page["title"] == "Flow test"  # read back as Markdown: the code block kept its language
        assert page["body"] == "First **draft**\n\n```python\nprint(1)\n```"
        by_title = ok(await client.call_tool("confluence_get_page", {"title": "Flow test", "space_key": "DEV"}))
        assert by_title["id"] == page_id
        updated = ok(await client.call_tool("confluence_update_page", {
            "page_id": page_id, "title": "Flow test", "content": "<p>Second</p>", "content_format": "storage",
        }))  # fmt: skip
        assert updated["version"] == 2
        found = ok(await client.call_tool("confluence_search", {"query": 'title = "Flow test"'}))
        assert [r["id"] for r in found["results"]] == [page_id]
        # A stale version (1, when the page is at 2) is refused by the site, and the model is told why.
        stale_body: dict[str, Any]
        if flavor == "cloud":
            stale_body = {"id": page_id, "status": "current", "title": "Flow test", "version": {"number": 2},
                          "body": {"representation": "storage", "value": "<p>old</p>"}}  # fmt: skip
            call = {"operation": "confluence-v2/updatePage", "arguments": {"id": int(page_id)}, "body": stale_body}
        else:
            stale_body = {"id": page_id, "type": "page", "title": "Flow test", "space": {"key": "DEV"},
                          "version": {"number": 2}, "body": {"storage": {"value": "<p>old</p>",
                                                                         "representation": "storage"}}}  # fmt: skip
            call = {"operation": "confluence-dc/update_2", "arguments": {"contentId": page_id}, "body": stale_body}
        stale = await client.call_tool("atlassian_call_operation", call)
        assert stale.is_error and stale.content[0].text.startswith("Confluence answered 409"), stale.content[0].text
        secret = await client.call_tool("confluence_create_page", {"space_key": "SECRET", "title": "x", "content": "y"})
        assert secret.is_error
