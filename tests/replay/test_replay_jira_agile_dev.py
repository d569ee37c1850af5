"""Boards, sprints and project analysis on Cloud and Data Center, against recorded HTTP (see conftest.py)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pytest

from .test_replay_tools import call, connect, error, ok, run

if TYPE_CHECKING:
    from .conftest import Site

pytestmark = pytest.mark.vcr

NOT_FOUND_HINT = "(check the key or id; it may also be invisible to this account)"


def every_toolset(site: Site) -> Site:
    """The site with all toolsets on: these tools are outside the default ones."""
    return dataclasses.replace(site, env={**site.env, "TOOLSETS": "all"})


async def tool(site: Site, tool_name: str, /, **arguments: Any) -> Any:
    return await run(every_toolset(site), tool_name, **arguments)


def limited_to_proj(site: Site) -> Site:
    return dataclasses.replace(site, env={**site.env, "TOOLSETS": "all", "JIRA_PROJECTS_FILTER": "PROJ"})


# --- boards and sprints ---------------------------------------------------------------------------------------


async def test_jira_get_agile_boards(site: Site) -> None:
    page = ok(await tool(site, "jira_get_agile_boards", limit=1))
    assert page["boards"] == [{"id": "1", "name": "PROJ board", "type": "scrum", "project": "PROJ"}]
    assert (page["total"], page["next_start_at"], page["is_last"]) == (2, 1, False)  # SECRET's board is invisible
    kanban = ok(await tool(site, "jira_get_agile_boards", board_type="kanban", board_name="ops"))
    assert [b["name"] for b in kanban["boards"]] == ["OPS board"] and kanban["is_last"]


async def test_jira_get_agile_boards_invalid_limit(site: Site) -> None:
    assert error(await tool(site, "jira_get_agile_boards", limit="ten")) == "limit: 'ten' is not of type 'integer'"


async def test_jira_get_board_issues(site: Site) -> None:
    page = ok(await tool(site, "jira_get_board_issues", board_id="1", jql="sprint = 2 ORDER BY key", limit=2))
    assert [(i["key"], i["status"], i["issue_type"]) for i in page["issues"]] == [
        ("PROJ-2", "In Progress", "Story"),
        ("PROJ-3", "To Do", "Story"),
    ]
    assert (page["total"], page["next_start_at"], page["is_last"]) == (4, 2, False)


async def test_jira_get_board_issues_unknown_board(site: Site) -> None:
    text = error(await tool(site, "jira_get_board_issues", board_id="99", jql="status = Done"))
    assert text == f"Jira answered 404: Board does not exist or you do not have permission to see it. {NOT_FOUND_HINT}"


async def test_jira_get_board_issues_not_a_number(site: Site) -> None:
    text = error(await tool(site, "jira_get_board_issues", board_id="PROJ board", jql="status = Done"))
    assert text == "board_id: expected a numeric id, got 'PROJ board'"


async def test_jira_get_sprints_from_board(site: Site) -> None:
    page = ok(await tool(site, "jira_get_sprints_from_board", board_id="1", state="active,closed"))
    assert [(s["id"], s["name"], s["state"]) for s in page["sprints"]] == [
        ("1", "PROJ Sprint 1", "closed"),
        ("2", "PROJ Sprint 2", "active"),
    ]
    closed, active = page["sprints"]
    assert closed["completed"] and active["goal"] == "Ship Apple Pay on staging" and "completed" not in active
    assert page["is_last"] and "total" not in page  # the sprint list has no total


async def test_jira_get_sprints_from_board_kanban(site: Site) -> None:
    text = error(await tool(site, "jira_get_sprints_from_board", board_id="2"))
    assert text == "Jira answered 400: The board does not support sprints"


async def test_jira_get_sprint_issues(site: Site) -> None:
    page = ok(await tool(site, "jira_get_sprint_issues", sprint_id="1", fields="summary,status"))
    assert page["issues"] == [
        {"key": "PROJ-5", "summary": "Upgrade payment SDK to v5", "status": "Done"},
        {"key": "PROJ-6", "summary": "Tax rounding off by one cent", "status": "Done"},
    ]  # only the fields asked for (their #1229)
    assert (page["total"], page["is_last"]) == (2, True)


async def test_jira_get_sprint_issues_unknown_sprint(site: Site) -> None:
    text = error(await tool(site, "jira_get_sprint_issues", sprint_id="404"))
    assert text == f"Jira answered 404: Sprint does not exist or you do not have permission to see it. {NOT_FOUND_HINT}"


async def test_jira_create_sprint(site: Site) -> None:
    sprint = ok(
        await tool(
            site,
            "jira_create_sprint",
            board_id="1",
            name="PROJ Sprint 4",
            start_date="2026-12-01T09:00:00.000Z",
            end_date="2026-12-15T09:00:00.000Z",
            goal="Order history",
        )
    )
    assert sprint == {
        "id": "30001",
        "name": "PROJ Sprint 4",
        "state": "future",
        "goal": "Order history",
        "start": "2026-12-01T09:00:00.000Z",
        "end": "2026-12-15T09:00:00.000Z",
        "board_id": "1",
    }


async def test_jira_create_sprint_kanban_board(site: Site) -> None:
    text = error(
        await tool(site, "jira_create_sprint", board_id="2", name="x", start_date="2026-12-01", end_date="2026-12-02")
    )
    assert text == "Jira answered 400: The board does not support sprints"


async def test_jira_update_sprint(site: Site) -> None:
    sprint = ok(await tool(site, "jira_update_sprint", sprint_id="3", name="PROJ Sprint 3: history", goal="Orders"))
    assert (sprint["id"], sprint["name"], sprint["goal"], sprint["state"]) == (
        "3",
        "PROJ Sprint 3: history",
        "Orders",
        "future",
    )


async def test_jira_update_sprint_closed(site: Site) -> None:
    text = error(await tool(site, "jira_update_sprint", sprint_id="1", goal="Rewrite history"))
    assert text == "Jira answered 400: A closed sprint cannot be updated."


async def test_jira_update_sprint_nothing_to_change(site: Site) -> None:
    text = error(await tool(site, "jira_update_sprint", sprint_id="3"))
    assert text == "nothing to update: give name, state, start_date, end_date or goal"


async def test_jira_add_issues_to_sprint(site: Site) -> None:
    async with connect(every_toolset(site)) as client:
        moved = ok(await call(client, "jira_add_issues_to_sprint", sprint_id="3", issue_keys="PROJ-8,proj-13"))
        after = ok(await call(client, "jira_get_sprint_issues", sprint_id="3", fields="summary"))
    assert moved == {
        "moved_to": "sprint 3",
        "issues": ["PROJ-8", "PROJ-13"],
        "urls": [f"{site.jira_url}/browse/PROJ-8", f"{site.jira_url}/browse/PROJ-13"],
    }
    assert [i["key"] for i in after["issues"]] == ["PROJ-7", "PROJ-8", "PROJ-13"]


async def test_jira_add_issues_to_sprint_closed_sprint(site: Site) -> None:
    text = error(await tool(site, "jira_add_issues_to_sprint", sprint_id="1", issue_keys="PROJ-8"))
    assert text == "Jira answered 400: Issues can only be moved to a future or an active sprint."


async def test_jira_move_issues_to_backlog(site: Site) -> None:
    async with connect(every_toolset(site)) as client:
        moved = ok(await call(client, "jira_move_issues_to_backlog", issue_keys="PROJ-7"))
        after = ok(await call(client, "jira_get_sprint_issues", sprint_id="3"))
    assert moved == {"moved_to": "backlog", "issues": ["PROJ-7"], "urls": [f"{site.jira_url}/browse/PROJ-7"]}
    assert after["issues"] == [] and after["is_last"]


async def test_jira_move_issues_to_backlog_unknown_issue(site: Site) -> None:
    text = error(await tool(site, "jira_move_issues_to_backlog", issue_keys="PROJ-7,NOPE-1"))
    assert text == "Jira answered 400: Issue 'NOPE-1' does not exist or you do not have permission to see it."


# --- project analysis -----------------------------------------------------------------------------------------


async def test_jira_get_project_epic_hierarchy(site: Site) -> None:
    tree = ok(await tool(site, "jira_get_project_epic_hierarchy", project_key="proj"))
    assert tree["project"] == "PROJ" and "notes" not in tree
    assert [(e["key"], e["summary"], e["status"]) for e in tree["epics"]] == [
        ("PROJ-1", "Checkout revamp", "In Progress"),
        ("PROJ-11", "Observability", "To Do"),
    ]
    checkout, observability = tree["epics"]
    assert [(c["key"], c["status"], c["issue_type"]) for c in checkout["children"]] == [
        ("PROJ-2", "In Progress", "Story"),
        ("PROJ-3", "To Do", "Story"),
        ("PROJ-4", "To Do", "Bug"),
    ]
    assert observability["children"] == [
        {"key": "PROJ-12", "summary": "Memory leak in order worker", "status": "In Progress", "issue_type": "Bug"}
    ]


async def test_jira_get_project_epic_hierarchy_outside_filter(site: Site) -> None:
    text = error(await run(limited_to_proj(site), "jira_get_project_epic_hierarchy", project_key="OPS"))
    assert text == "project OPS is outside this server's projects (PROJ)"


async def test_jira_get_cross_project_dependencies(site: Site) -> None:
    deps = ok(await tool(site, "jira_get_cross_project_dependencies", project_key="PROJ", max_issues=5))
    assert deps["dependencies"] == [
        {"from": "PROJ-4", "project": "SUP", "relation": "relates to", "key": "SUP-2",
         "summary": "Customers report 502 on checkout", "status": "Done", "type": "Relates", "direction": "inward"},
    ]  # fmt: skip
    assert deps["by_project"] == {"SUP": 1} and deps["scanned"] == 5
    assert deps["notes"] == ["only the first 5 issues of PROJ (by key) were scanned; raise max_issues"]


async def test_jira_get_cross_project_dependencies_outside_filter(site: Site) -> None:
    text = error(await run(limited_to_proj(site), "jira_get_cross_project_dependencies", project_key="OPS"))
    assert text == "project OPS is outside this server's projects (PROJ)"


async def test_jira_get_board_issues_filtered_to_projects(site: Site) -> None:
    """JIRA_PROJECTS_FILTER narrows a board's issues like a search's: OPS issues never show."""
    page = ok(await run(limited_to_proj(site), "jira_get_board_issues", board_id="2", jql="status = Done"))
    assert page["issues"] == [] and page["total"] == 0


# --- development information ----------------------------------------------------------------------------------


async def test_jira_get_issue_development_info(site: Site) -> None:
    dev = ok(await tool(site, "jira_get_issue_development_info", issue_key="PROJ-2"))
    assert dev["url"] == f"{site.jira_url}/browse/PROJ-2"
    assert dev["counts"] == {"pull_requests": 1, "branches": 2, "repositories": 1}
    assert dev["pull_requests"] == [
        {"id": "#42", "title": "PROJ-2 Apple Pay button", "status": "OPEN", "url": "https://github.com/acme/shop/pull/42",
         "source": "PROJ-2-apple-pay", "destination": "main", "author": "Alice Anders", "repository": "acme/shop",
         "updated": "2026-10-30T10:00:00.000+0000", "reviewers": ["Bob Brown"], "tool": "GitHub"},
    ]  # fmt: skip
    assert [c["message"] for c in dev["commits"]] == [
        "PROJ-2 add the payment sheet",
        "PROJ-2 show the button on iOS only",
    ]


async def test_jira_get_issue_development_info_unknown_issue(site: Site) -> None:
    text = error(await tool(site, "jira_get_issue_development_info", issue_key="PROJ-999"))
    assert text == f"Jira answered 404: Issue does not exist or you do not have permission to see it. {NOT_FOUND_HINT}"


async def test_jira_get_issue_development_info_bad_data_type(site: Site) -> None:
    text = error(await tool(site, "jira_get_issue_development_info", issue_key="PROJ-2", data_type="commits"))
    assert text == "data_type: one of pullrequest, branch, repository, not 'commits'"


async def test_jira_get_issues_development_info(site: Site) -> None:
    found = ok(await tool(site, "jira_get_issues_development_info", issue_keys="PROJ-2,PROJ-5,PROJ-7",
                          data_type="branch"))  # fmt: skip
    assert [(i["issue_key"], [b["name"] for b in i.get("branches", [])]) for i in found["issues"]] == [
        ("PROJ-2", ["PROJ-2-apple-pay", "PROJ-2-merchant-id"]),
        ("PROJ-5", ["PROJ-5-sdk"]),
        ("PROJ-7", []),
    ]
    assert "commits" not in found["issues"][0] and "counts" not in found["issues"][2]


async def test_jira_get_issues_development_info_one_missing(site: Site) -> None:
    found = ok(await tool(site, "jira_get_issues_development_info", issue_keys="PROJ-999, PROJ-5"))
    missing, merged = found["issues"]
    assert missing == {
        "issue_key": "PROJ-999",
        "url": f"{site.jira_url}/browse/PROJ-999",
        "error": "Jira answered 404: Issue does not exist or you do not have permission to see it.",
    }
    assert [p["status"] for p in merged["pull_requests"]] == ["MERGED"]


async def test_jira_get_issues_development_info_too_many(site: Site) -> None:
    keys = ",".join(f"PROJ-{n}" for n in range(1, 22))
    text = error(await tool(site, "jira_get_issues_development_info", issue_keys=keys))
    assert text == "issue_keys: at most 20 issues per call, got 21"
