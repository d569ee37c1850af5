"""Boards, sprints and the project-analysis tools through mcp.Client against the sandbox, on both flavours."""

from __future__ import annotations

import pytest

from tests.e2e.harness import ok, sandboxed

FLAVORS = ["cloud", "datacenter"]


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_sprint_flow_create_fill_start_and_backlog(flavor: str) -> None:
    async with sandboxed(flavor, TOOLSETS="jira_agile") as (sandbox, client):
        boards = ok(await client.call_tool("jira_get_agile_boards", {"project_key": "PROJ"}))
        assert [(b["id"], b["type"]) for b in boards["boards"]] == [("1", "scrum")] and boards["is_last"]
        sprints = ok(await client.call_tool("jira_get_sprints_from_board", {"board_id": "1", "state": "active"}))
        assert [s["name"] for s in sprints["sprints"]] == ["PROJ Sprint 2"]
        created = ok(await client.call_tool("jira_create_sprint", {
            "board_id": "1", "name": "PROJ Sprint 4", "start_date": "2026-12-01T09:00:00.000Z",
            "end_date": "2026-12-15T09:00:00.000Z", "goal": "Order history",
        }))  # fmt: skip
        sprint_id = created["id"]
        assert (created["state"], created["goal"], created["board_id"]) == ("future", "Order history", "1")
        moved = ok(
            await client.call_tool(
                "jira_add_issues_to_sprint", {"sprint_id": sprint_id, "issue_keys": "proj-7, PROJ-8"}
            )
        )
        assert moved["issues"] == ["PROJ-7", "PROJ-8"] and moved["moved_to"] == f"sprint {sprint_id}"
        assert sandbox.issues["PROJ-7"].sprints == [int(sprint_id)]  # left future sprint 3
        in_sprint = ok(await client.call_tool("jira_get_sprint_issues", {"sprint_id": sprint_id}))
        assert [i["key"] for i in in_sprint["issues"]] == ["PROJ-7", "PROJ-8"] and in_sprint["is_last"]
        renamed = ok(await client.call_tool("jira_update_sprint", {"sprint_id": sprint_id, "name": "Sprint 4b"}))
        assert renamed["name"] == "Sprint 4b" and renamed["state"] == "future"
        backlog = ok(await client.call_tool("jira_move_issues_to_backlog", {"issue_keys": "PROJ-8"}))
        assert backlog == {
            "moved_to": "backlog",
            "issues": ["PROJ-8"],
            "urls": [f"{sandbox_url(flavor)}/browse/PROJ-8"],
        }
        assert sandbox.issues["PROJ-8"].sprints == []
        board = ok(
            await client.call_tool(
                "jira_get_board_issues", {"board_id": "1", "jql": "sprint = 2 ORDER BY key", "limit": 2}
            )
        )
        assert [i["key"] for i in board["issues"]] == ["PROJ-2", "PROJ-3"] and board["next_start_at"] == 2
        closed = await client.call_tool("jira_update_sprint", {"sprint_id": "1", "goal": "x"})
        assert closed.is_error and "closed sprint cannot be updated" in closed.content[0].text


def sandbox_url(flavor: str) -> str:
    from adapter.cli import sandbox_overrides

    return str(sandbox_overrides(flavor)["JIRA_URL"])


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_project_analysis(flavor: str) -> None:
    async with sandboxed(flavor, TOOLSETS="jira_project_analysis") as (_sandbox, client):
        tree = ok(await client.call_tool("jira_get_project_epic_hierarchy", {"project_key": "PROJ"}))
        epics = {e["key"]: [c["key"] for c in e["children"]] for e in tree["epics"]}
        assert epics == {"PROJ-1": ["PROJ-2", "PROJ-3", "PROJ-4"], "PROJ-11": ["PROJ-12"]}
        assert "notes" not in tree
        one = ok(await client.call_tool("jira_get_project_epic_hierarchy", {"project_key": "PROJ", "max_epics": 1}))
        assert [e["key"] for e in one["epics"]] == ["PROJ-1"] and "more epics exist" in one["notes"][0]
        deps = ok(await client.call_tool("jira_get_cross_project_dependencies", {"project_key": "PROJ"}))
        assert [(d["from"], d["key"], d["project"]) for d in deps["dependencies"]] == [
            ("PROJ-4", "SUP-2", "SUP"),
            ("PROJ-12", "OPS-2", "OPS"),
        ]
        assert deps["by_project"] == {"SUP": 1, "OPS": 1} and deps["scanned"] == 13 and "notes" not in deps


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_development_info(flavor: str) -> None:
    async with sandboxed(flavor, TOOLSETS="jira_development") as (sandbox, client):
        dev = ok(await client.call_tool("jira_get_issue_development_info", {"issue_key": "PROJ-2"}))
        assert dev["counts"] == {"pull_requests": 1, "branches": 2, "repositories": 1}
        assert [(p["id"], p["status"], p["source"], p["tool"]) for p in dev["pull_requests"]] == [
            ("#42", "OPEN", "PROJ-2-apple-pay", "GitHub")
        ]
        assert [(b["name"], b["tool"]) for b in dev["branches"]] == [
            ("PROJ-2-apple-pay", "GitHub"),
            ("PROJ-2-merchant-id", "Bitbucket Cloud"),
        ]
        assert [c["id"] for c in dev["commits"]] == ["a1b2c3d", "e5f6a7b"]
        operations = [r.operation for r in sandbox.requests]
        assert operations.count("getDevStatusDetail") == 3  # GitHub: pullrequest, repository; Bitbucket: pullrequest
        many = ok(await client.call_tool("jira_get_issues_development_info", {
            "issue_keys": "PROJ-5 PROJ-999", "data_type": "pullrequest", "application_type": "github",
        }))  # fmt: skip
        merged, missing = many["issues"]
        assert [p["status"] for p in merged["pull_requests"]] == ["MERGED"] and "commits" not in merged
        assert missing["issue_key"] == "PROJ-999" and missing["error"].startswith("Jira answered 404")
