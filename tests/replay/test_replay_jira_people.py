"""The jira_people tools (users, watchers, worklogs, links) on Cloud and Data Center, against recorded HTTP.

Their toolsets are not in the default set, so the server here is configured with TOOLSETS=all.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pytest
from mcp.types import CallToolResult

from .test_replay_tools import FORBIDDEN_HINT, NOT_FOUND_HINT, connect, error, ok
from .test_replay_tools import call as call_in

if TYPE_CHECKING:
    from .conftest import Site

pytestmark = pytest.mark.vcr


def everything(site: Site, **env: str) -> Site:
    return dataclasses.replace(site, env={**site.env, "TOOLSETS": "all", **env})


async def run(site: Site, tool: str, **arguments: Any) -> CallToolResult:
    async with connect(everything(site)) as client:
        return await call_in(client, tool, **arguments)


def ident(site: Site, account_id: str, username: str) -> str:
    return account_id if site.flavor == "cloud" else username


BOB = ("5d5f7a1b2c3d4e5f60718292", "bob")
ALICE = ("5d5f7a1b2c3d4e5f60718291", "alice")


async def test_jira_get_user_profile(site: Site) -> None:
    bob = ok(await run(site, "jira_get_user_profile", user_identifier="bob@example.com"))
    assert (bob["display_name"], bob["email"], bob["matched_by"]) == ("Bob Brown", "bob@example.com", "email")
    assert bob["time_zone"] == "America/New_York"
    if site.flavor == "cloud":
        assert bob["account_id"] == BOB[0] and "name" not in bob
    else:
        assert (bob["name"], bob["key"]) == ("bob", "JIRAUSER10101") and "account_id" not in bob


async def test_jira_get_user_profile_by_id(site: Site) -> None:
    alice = ok(await run(site, "jira_get_user_profile", user_identifier=ident(site, *ALICE)))
    assert alice["display_name"] == "Alice Anders"
    assert alice["matched_by"] == ("account_id" if site.flavor == "cloud" else "username")


async def test_jira_get_user_profile_unknown(site: Site) -> None:
    assert error(await run(site, "jira_get_user_profile", user_identifier="Nobody Here")) == (
        "no user matches 'Nobody Here'"
    )


async def test_jira_search_assignable_users(site: Site) -> None:
    found = ok(await run(site, "jira_search_assignable_users", query="ali", project_key="PROJ"))
    assert [u["display_name"] for u in found["users"]] == ["Alice Anders"] and "more" not in found
    full = ok(await run(site, "jira_search_assignable_users", query="o", issue_key="PROJ-4", limit=1))
    assert len(full["users"]) == 1 and full["more"] == "the list may go on: raise limit or narrow query"


async def test_jira_search_assignable_users_without_project(site: Site) -> None:
    text = error(await run(site, "jira_search_assignable_users", query="ali"))
    assert text == "Jira answered 400: One of 'issueKey', 'issueId' or 'project' parameters must be provided."


async def test_jira_get_issue_watchers(site: Site) -> None:
    seen = ok(await run(site, "jira_get_issue_watchers", issue_key="PROJ-2"))
    assert (seen["key"], seen["url"]) == ("PROJ-2", f"{site.jira_url}/browse/PROJ-2")
    assert [w["display_name"] for w in seen["watchers"]] == ["Sandbox User", "Alice Anders", "Bob Brown"]
    assert seen["watch_count"] == 3 and seen["watching"] is True


async def test_jira_get_issue_watchers_not_found(site: Site) -> None:
    text = error(await run(site, "jira_get_issue_watchers", issue_key="PROJ-999999"))
    assert text == f"Jira answered 404: Issue does not exist or you do not have permission to see it. {NOT_FOUND_HINT}"


async def test_jira_add_watcher(site: Site) -> None:
    async with connect(everything(site)) as client:
        added = ok(await call_in(client, "jira_add_watcher", issue_key="OPS-1", user_identifier="Alice Anders"))
        watchers = ok(await call_in(client, "jira_get_issue_watchers", issue_key="OPS-1"))
    id_key = "account_id" if site.flavor == "cloud" else "username"
    assert added == {
        "key": "OPS-1",
        "url": f"{site.jira_url}/browse/OPS-1",
        "action": "watcher added",
        "user": "Alice Anders",
        "matched_by": "display_name",
        id_key: ident(site, *ALICE),
    }
    assert "Alice Anders" in [w["display_name"] for w in watchers["watchers"]]


async def test_jira_add_watcher_read_only_project(site: Site) -> None:
    text = error(await run(site, "jira_add_watcher", issue_key="READONLY-1", user_identifier=ident(site, *BOB)))
    assert text == (
        f"Jira answered 403: You do not have permission to manage watchers of issues in this project. {FORBIDDEN_HINT}"
    )


async def test_jira_remove_watcher(site: Site) -> None:
    given = {"account_id": BOB[0]} if site.flavor == "cloud" else {"username": "bob"}
    async with connect(everything(site)) as client:
        removed = ok(await call_in(client, "jira_remove_watcher", issue_key="PROJ-2", **given))
        watchers = ok(await call_in(client, "jira_get_issue_watchers", issue_key="PROJ-2"))
    assert removed["action"] == "watcher removed" and removed["key"] == "PROJ-2"
    assert [w["display_name"] for w in watchers["watchers"]] == ["Sandbox User", "Alice Anders"]


async def test_jira_remove_watcher_unknown_user(site: Site) -> None:
    given = {"account_id": "5d5f7a1b2c3d4e5f60718299"} if site.flavor == "cloud" else {"username": "nobody"}
    text = error(await run(site, "jira_remove_watcher", issue_key="PROJ-2", **given))
    assert text == f'Jira answered 404: The user "{next(iter(given.values()))}" does not exist. {NOT_FOUND_HINT}'


async def test_jira_get_worklog(site: Site) -> None:
    logs = ok(await run(site, "jira_get_worklog", issue_key="PROJ-2"))
    assert logs["total"] == 2 and "omitted" not in logs
    assert [(w["author"], w["time_spent"], w["comment"]) for w in logs["worklogs"]] == [
        ("Alice Anders", "3h", "Button and payment sheet"),
        ("Bob Brown", "1h 30m", "Merchant validation"),
    ]


async def test_jira_get_worklog_not_found(site: Site) -> None:
    text = error(await run(site, "jira_get_worklog", issue_key="PROJ-999999"))
    assert text.startswith("Jira answered 404: Issue does not exist")


async def test_jira_add_worklog(site: Site) -> None:
    async with connect(everything(site)) as client:
        logged = ok(
            await call_in(
                client,
                "jira_add_worklog",
                issue_key="OPS-1",
                time_spent="2h 15m",
                comment="Renewed the *wildcard* certificate",
                started="2026-11-19T14:00:00Z",
            )
        )
        logs = ok(await call_in(client, "jira_get_worklog", issue_key="OPS-1"))
    assert logged["action"] == "work logged" and logged["key"] == "OPS-1"
    assert (logged["time_spent"], logged["started"]) == ("2h 15m", "2026-11-19T14:00:00.000+0000")
    assert [(w["id"], w["comment"]) for w in logs["worklogs"]] == [(logged["id"], "Renewed the *wildcard* certificate")]


async def test_jira_add_worklog_original_estimate_not_on_screen(site: Site) -> None:
    """Setting the original estimate is an issue edit; a site without time tracking on the screen refuses it."""
    text = error(await run(site, "jira_add_worklog", issue_key="OPS-1", time_spent="1h", original_estimate="1d"))
    assert text == (
        "Jira answered 400: timetracking: Field 'timetracking' cannot be set. It is not on the appropriate screen, "
        "or unknown."
    )


async def test_jira_add_worklog_bad_duration(site: Site) -> None:
    text = error(await run(site, "jira_add_worklog", issue_key="OPS-1", time_spent="ninety minutes"))
    assert text == "time_spent: expected a Jira duration like '1h 30m', '2d' or '45m', got 'ninety minutes'"


async def test_jira_get_link_types(site: Site) -> None:
    found = ok(await run(site, "jira_get_link_types", name_filter="DUPLIC"))
    assert found == {
        "link_types": [{"id": "10002", "name": "Duplicate", "inward": "is duplicated by", "outward": "duplicates"}]
    }


async def test_jira_get_link_types_bad_token(site: Site) -> None:
    token = {"JIRA_API_TOKEN": "wrong-token"} if site.flavor == "cloud" else {"JIRA_PERSONAL_TOKEN": "wrong-token"}
    async with connect(everything(site, **token)) as client:
        text = error(await call_in(client, "jira_get_link_types"))
    assert text.startswith("Jira answered 401: You are not authenticated.")


async def test_jira_link_to_epic(site: Site) -> None:
    async with connect(everything(site)) as client:
        linked = ok(await call_in(client, "jira_link_to_epic", issue_key="PROJ-13", epic_key="PROJ-11"))
        found = ok(await call_in(client, "jira_search", jql="parent = PROJ-11 ORDER BY key"))
    assert linked == {
        "key": "PROJ-13",
        "url": f"{site.jira_url}/browse/PROJ-13",
        "action": "linked to epic",
        "epic": "PROJ-11",
    }
    assert [i["key"] for i in found["issues"]] == ["PROJ-12", "PROJ-13"]


async def test_jira_link_to_epic_unknown_epic(site: Site) -> None:
    text = error(await run(site, "jira_link_to_epic", issue_key="PROJ-13", epic_key="PROJ-999999"))
    if site.flavor == "cloud":
        assert text == "Jira answered 400: parent: Could not find valid parent issue."
    else:
        assert text.startswith("Jira answered 404: Issue does not exist")


async def test_jira_create_issue_link(site: Site) -> None:
    async with connect(everything(site)) as client:
        linked = ok(
            await call_in(
                client,
                "jira_create_issue_link",
                link_type="Blocks",
                inward_issue_key="OPS-2",
                outward_issue_key="OPS-1",
                comment="Memory first, **then** certificates.",
            )
        )
        issue = ok(await call_in(client, "jira_get_issue", issue_key="OPS-2", comment_limit=1))
    assert linked == {"action": "issues linked", "link_type": "Blocks", "inward_issue": "OPS-2",
                      "outward_issue": "OPS-1"}  # fmt: skip
    assert ("OPS-1", "outward") in [(link["key"], link["direction"]) for link in issue["links"]]
    assert [c["body"] for c in issue["comments"]] == ["Memory first, **then** certificates."]


async def test_jira_create_issue_link_unknown_type(site: Site) -> None:
    text = error(
        await run(site, "jira_create_issue_link", link_type="Nope", inward_issue_key="OPS-2", outward_issue_key="OPS-1")
    )
    assert text == f"Jira answered 404: No issue link type with name 'Nope' found. {NOT_FOUND_HINT}"


async def test_jira_create_remote_issue_link(site: Site) -> None:
    created = ok(
        await run(
            site,
            "jira_create_remote_issue_link",
            issue_key="PROJ-12",
            url="https://grafana.example.com/d/orders",
            title="Order worker dashboard",
            summary="Memory and restarts",
            relationship="monitored by",
            icon_url="https://grafana.example.com/favicon.ico",
        )
    )
    assert created == {
        "key": "PROJ-12",
        "url": f"{site.jira_url}/browse/PROJ-12",
        "action": "remote link added",
        "id": created["id"],
        "link_url": "https://grafana.example.com/d/orders",
        "title": "Order worker dashboard",
    }
    assert created["id"].isdigit()


async def test_jira_create_remote_issue_link_not_found(site: Site) -> None:
    text = error(
        await run(
            site, "jira_create_remote_issue_link", issue_key="PROJ-999999", url="https://x.example.com", title="x"
        )
    )
    assert text.startswith("Jira answered 404: Issue does not exist")


async def test_jira_remove_issue_link(site: Site) -> None:
    async with connect(everything(site)) as client:
        removed = ok(await call_in(client, "jira_remove_issue_link", link_id="10300"))
        issue = ok(await call_in(client, "jira_get_issue", issue_key="PROJ-4", fields="issuelinks"))
    assert removed == {"action": "issue link removed", "link_id": "10300"}
    assert [link["key"] for link in issue["links"]] == ["SUP-2"]


async def test_jira_remove_issue_link_outside_the_filter(site: Site) -> None:
    """With JIRA_PROJECTS_FILTER the link is read first: one of its issues (OPS-2) is outside PROJ."""
    async with connect(everything(site, JIRA_PROJECTS_FILTER="PROJ")) as client:
        text = error(await call_in(client, "jira_remove_issue_link", link_id="10301"))
    assert text == "project OPS is outside this server's projects (PROJ)"


async def test_jira_remove_issue_link_not_found(site: Site) -> None:
    text = error(await run(site, "jira_remove_issue_link", link_id="99999"))
    assert text == f"Jira answered 404: No issue link with id '99999' exists. {NOT_FOUND_HINT}"
