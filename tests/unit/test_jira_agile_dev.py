"""Agile and project-analysis views and handlers: grouping, link filtering, paging, Data Center epic links."""

from __future__ import annotations

from typing import Any

import pytest

from adapter.handlers import HANDLERS, HandlerContext, ToolError
from adapter.views import ViewContext, get_view

CTX = ViewContext(site_url="https://acme.atlassian.net", deployment="cloud")


def issue(key: str, summary: str, status: str = "To Do", **fields: Any) -> dict[str, Any]:
    return {"key": key, "fields": {"summary": summary, "status": {"name": status}, **fields}}


def test_epic_hierarchy_groups_epics_under_their_parents_and_says_what_was_cut() -> None:
    view = get_view("jira_epic_hierarchy")
    initiative = {"key": "PLAN-1", "fields": {"summary": "2027 plan", "issuetype": {"name": "Initiative"}}}
    data = {
        "project": "PROJ",
        "epics": [issue("PROJ-1", "Checkout", parent=initiative), issue("PROJ-9", "Loose")],
        "epics_more": True,
        "children": [
            issue("PROJ-2", "Apple Pay", issuetype={"name": "Story"}, parent={"key": "PROJ-1"}),
            issue("OPS-3", "Elsewhere", parent={"key": "PROJ-9"}),
            issue("PROJ-5", "Orphan", parent={"key": "PROJ-77"}),  # its epic was not listed: not attached
        ],
        "children_more": True,
    }
    out = view.project(data, CTX)
    assert out["epics"][0] == {
        "key": "PROJ-1",
        "summary": "Checkout",
        "status": "To Do",
        "parent": {"key": "PLAN-1", "summary": "2027 plan", "issue_type": "Initiative"},
        "children": [{"key": "PROJ-2", "summary": "Apple Pay", "status": "To Do", "issue_type": "Story"}],
    }
    assert [c["key"] for c in out["epics"][1]["children"]] == ["OPS-3"]
    assert out["notes"][0].startswith("more epics exist") and "first 2 children" in out["notes"][1]
    text = view.render(out)
    assert "parent PLAN-1 · 2027 plan (Initiative)\n  PROJ-1 · Checkout [To Do] · 1 child\n  - PROJ-2" in text
    assert "\nPROJ-9 · Loose [To Do] · 1 child\n- OPS-3" in text and text.endswith(
        "search 'parent = <epic>' for the rest"
    )


def test_dependencies_keep_only_links_to_other_projects() -> None:
    view = get_view("jira_cross_project_dependencies")
    link_type = {"name": "Blocks", "inward": "is blocked by", "outward": "blocks"}
    links = [
        {"type": link_type, "outwardIssue": {"key": "PROJ-3", "fields": {"summary": "same project"}}},
        {"type": link_type, "inwardIssue": {"key": "OPS-2", "fields": {"summary": "db", "status": {"name": "Done"}}}},
        {"type": link_type},  # no other end: nothing to act on
    ]
    out = view.project(
        {"project": "PROJ", "issues": [issue("PROJ-4", "x", issuelinks=links)], "scanned": 1, "more": True}, CTX
    )
    assert out["dependencies"] == [
        {"from": "PROJ-4", "project": "OPS", "relation": "is blocked by", "key": "OPS-2", "summary": "db",
         "status": "Done", "type": "Blocks", "direction": "inward"}
    ]  # fmt: skip
    assert out["by_project"] == {"OPS": 1} and "raise max_issues" in out["notes"][0]
    assert view.render(out).splitlines()[1] == "PROJ-4 is blocked by OPS-2 · db [Done]"


@pytest.mark.parametrize(
    ("page", "paging"),
    [
        ({"startAt": 0, "maxResults": 2, "isLast": False}, {"start_at": 0, "next_start_at": 2, "is_last": False}),
        ({"startAt": 4, "total": 6}, {"start_at": 4, "total": 6, "is_last": True}),
        ({"startAt": 0, "total": 9}, {"start_at": 0, "total": 9, "next_start_at": 2, "is_last": False}),
    ],
)
def test_sprint_pages_say_where_the_next_page_starts(page: dict[str, Any], paging: dict[str, Any]) -> None:
    sprints = [{"id": 1, "name": "S1", "state": "closed", "originBoardId": 3, "self": "x"}, {"id": 2, "name": "S2"}]
    out = get_view("jira_sprint_list").project({**page, "values": sprints}, CTX)
    assert out.pop("sprints")[0] == {"id": "1", "name": "S1", "state": "closed", "board_id": "3"}
    assert out == paging


def context(deployment: str, answers: list[Any], scope: tuple[str, ...] = ()) -> tuple[HandlerContext, list[Any]]:
    calls: list[Any] = []

    async def call(ref: str, body: Any = None, **kwargs: Any) -> Any:
        calls.append((ref, body, kwargs))
        return answers.pop(0)

    return HandlerContext(deployment, "https://jira.example.com", scope, call), calls


async def test_data_center_epic_children_come_by_epic_link_named_in_names() -> None:
    epics = {"issues": [issue("PROJ-1", "Checkout")], "total": 1}
    children = {
        "names": {"customfield_10100": "Epic Link", "summary": "Summary"},
        "issues": [issue("PROJ-2", "Apple Pay", customfield_10100="PROJ-1")],
        "total": 1,
    }
    ctx, calls = context("datacenter", [epics, children], scope=("PROJ",))
    found = await HANDLERS["jira_get_project_epic_hierarchy"](ctx, {"project_key": "proj"})
    assert calls[1][0] == "jira-dc/search_1" and calls[1][2]["expand"] == "names"
    assert calls[1][2]["jql"] == 'project in ("PROJ") AND ("Epic Link" in ("PROJ-1")) ORDER BY key ASC'
    out = get_view("jira_epic_hierarchy").project(found, CTX)
    assert [c["key"] for c in out["epics"][0]["children"]] == ["PROJ-2"] and "notes" not in out


async def test_moves_check_ids_and_the_project_filter_before_any_request() -> None:
    ctx, calls = context("cloud", [], scope=("PROJ",))
    with pytest.raises(ToolError, match="sprint_id: expected a numeric id, got 'next'"):
        await HANDLERS["jira_add_issues_to_sprint"](ctx, {"sprint_id": "next", "issue_keys": "PROJ-1"})
    with pytest.raises(ToolError, match=r"project OPS is outside this server's projects \(PROJ\)"):
        await HANDLERS["jira_move_issues_to_backlog"](ctx, {"issue_keys": "PROJ-1, ops-2"})
    with pytest.raises(ToolError, match="issue_keys: give at least one issue key"):
        await HANDLERS["jira_move_issues_to_backlog"](ctx, {"issue_keys": " , "})
    assert calls == []


def test_development_info_merges_tools_and_drops_the_branches_listed_twice() -> None:
    branch = {"name": "PROJ-2-x", "url": "https://git/x", "repository": {"name": "shop"}}
    found = {
        "issue_key": "PROJ-2",
        "summary": {"pullrequest": {"overall": {"count": 1}}, "build": {"overall": {"count": 0}}},
        "detail": [
            {"pullRequests": [{"id": "#1", "status": "DECLINED", "reviewers": [{"name": "Bob", "approved": True}]}],
             "branches": [branch], "_instance": {"name": "GitHub"}},
            {"branches": [branch], "_instance": {"name": "GitHub"}},  # the branch detail of the same tool
            {"repositories": [{"name": "shop", "commits": [{"id": "abcdef123456", "message": "fix"}]}]},
        ],
    }  # fmt: skip
    view = get_view("jira_development_info")
    out = view.project(found, CTX)
    assert out["counts"] == {"pull_requests": 1}  # zero counts are left out
    assert out["pull_requests"] == [
        {"id": "#1", "status": "DECLINED", "reviewers": ["Bob (approved)"], "tool": "GitHub"}
    ]
    assert out["branches"] == [{"name": "PROJ-2-x", "url": "https://git/x", "repository": "shop", "tool": "GitHub"}]
    assert out["commits"] == [{"id": "abcdef123456", "message": "fix", "repository": "shop"}]
    assert view.render(out).splitlines()[0] == "PROJ-2: 1 pull requests"


async def test_development_detail_calls_only_for_tools_the_summary_names() -> None:
    summary = {
        "summary": {
            "pullrequest": {"byInstanceType": {"GitHub": {"count": 2}}},
            "branch": {"byInstanceType": {"GitHub": {"count": 1}, "bitbucket": {"count": 1}, "stash": {"count": 0}}},
            "repository": {"byInstanceType": {"bitbucket": {"count": 1}}},
        }
    }
    ctx, calls = context("cloud", [{"id": "10002"}, summary, {"detail": []}, {"detail": []}, {"detail": []}])
    await HANDLERS["jira_get_issue_development_info"](ctx, {"issue_key": "PROJ-2"})
    details = [(kw["application_type"], kw["data_type"]) for ref, _, kw in calls if ref.endswith("Detail")]
    assert details == [("GitHub", "pullrequest"), ("bitbucket", "pullrequest"), ("bitbucket", "repository")]
    assert calls[1] == ("jira-platform/getDevStatusSummary", None, {"issue_id": "10002"})
