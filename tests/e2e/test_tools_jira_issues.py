"""Every Jira issue-area tool through mcp.Client against the in-process sandbox (behind the spec guard)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.harness import ok, sandboxed

FLAVORS = ["cloud", "datacenter"]


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_batch_create_then_assign_comment_edit_and_delete(flavor: str) -> None:
    async with sandboxed(flavor) as (sandbox, client):
        batch = ok(await client.call_tool("jira_batch_create_issues", {"issues": [
            {"project_key": "OPS", "summary": "First", "issue_type": "Task", "description": "Line **one**"},
            {"project_key": "OPS", "summary": "Second", "issue_type": "Task", "additional_fields": {"labels": ["b"]}},
        ]}))  # fmt: skip
        keys = [c["key"] for c in batch["created"]]
        assert len(keys) == 2 and "failed" not in batch
        bob = "5d5f7a1b2c3d4e5f60718292" if flavor == "cloud" else "bob"
        assigned = ok(await client.call_tool("jira_assign_issue", {"issue_key": keys[0], "assignee": bob}))
        assert assigned["assignee"] == bob
        comment = ok(await client.call_tool("jira_add_comment", {"issue_key": keys[0], "body": "draft"}))
        edited = ok(await client.call_tool("jira_edit_comment", {"issue_key": keys[0], "comment_id": comment["id"],
                                                                 "body": "final *text*"}))  # fmt: skip
        assert edited["body"] == "final *text*"
        issue = ok(await client.call_tool("jira_get_issue", {"issue_key": keys[0], "include": "comments"}))
        assert issue["assignee"]["display_name"] == "Bob Brown" and issue["description"] == "Line **one**"
        assert [c["body"] for c in issue["comments"]] == ["final *text*"]
        transitions = ok(await client.call_tool("jira_get_transitions", {"issue_key": keys[0]}))
        assert [t["name"] for t in transitions["transitions"]] == ["Start Progress", "Done"]
        listed = ok(await client.call_tool("jira_get_project_issues", {"project_key": "OPS", "limit": 2}))
        assert [i["key"] for i in listed["issues"]] == keys[::-1]
        assert ok(await client.call_tool("jira_delete_issue", {"issue_key": keys[1]})) == {
            "key": keys[1],
            "deleted": True,
        }
        assert keys[1] not in sandbox.issues


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_fields_options_and_the_field_cache(flavor: str) -> None:
    async with sandboxed(flavor) as (sandbox, client):
        found = ok(await client.call_tool("jira_search_fields", {"keyword": "Severity"}))
        assert found["fields"][0]["id"] == "customfield_10040"
        ok(await client.call_tool("jira_search_fields", {"keyword": "sprint"}))
        assert sum(r.operation == "getFields" for r in sandbox.requests) == 1  # the second call used the cache
        ok(await client.call_tool("jira_search_fields", {"keyword": "sprint", "refresh": True}))
        assert sum(r.operation == "getFields" for r in sandbox.requests) == 2
        options = ok(await client.call_tool("jira_get_field_options", {
            "field_id": "customfield_10040", "project_key": "PROJ", "issue_type": "Bug", "contains": "major",
        }))  # fmt: skip
        assert options["options"] == [{"id": "10201", "value": "S2 - Major"}]


async def test_cloud_changelogs_and_move() -> None:
    async with sandboxed("cloud") as (sandbox, client):
        logs = ok(await client.call_tool("jira_batch_get_changelogs", {"issue_ids_or_keys": "PROJ-4"}))
        assert [len(i["changes"]) for i in logs["issues"]] == [2]
        moved = ok(await client.call_tool("jira_move_issue", {"issue_key": "PROJ-13", "target_project_key": "OPS"}))
        assert moved["status"] == "COMPLETE" and moved["new_key"] in sandbox.issues
        assert sandbox.issues[moved["new_key"]].project == "OPS"


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_update_with_attachment_and_internal_comment(
    flavor: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "log.txt").write_text("boom\n")
    async with sandboxed(flavor) as (sandbox, client):
        changed = ok(await client.call_tool("jira_update_issue", {"issue_key": "OPS-1", "fields": {"summary": "S"},
                                                                  "attachments": "log.txt"}))  # fmt: skip
        assert changed["attached"] == ["log.txt"] and "issue" not in changed  # compact unless return_fields
        assert [a.filename for a in sandbox.issues["OPS-1"].attachments] == ["log.txt"]
        ok(await client.call_tool("jira_add_comment", {"issue_key": "OPS-1", "body": "note", "public": False}))
        sent = [r.body for r in sandbox.requests if r.operation == "addComment"][-1]
        assert sent["properties"] == [{"key": "sd.public.comment", "value": {"internal": True}}]
