"""The jira_people tools through mcp.Client on the spec-guarded sandbox, both flavours: write, then read back."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import ok, sandboxed

FLAVORS = ["cloud", "datacenter"]
TOOLSETS = "jira_users,jira_watchers,jira_worklog,jira_links,jira_issues"


async def call(client: Any, tool: str, **arguments: Any) -> dict[str, Any]:
    return ok(await client.call_tool(tool, arguments))


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_users_and_watchers(flavor: str) -> None:
    async with sandboxed(flavor, TOOLSETS=TOOLSETS) as (sandbox, client):
        bob = await call(client, "jira_get_user_profile", user_identifier="bob@example.com")
        assert (bob["display_name"], bob["matched_by"], bob["email"]) == ("Bob Brown", "email", "bob@example.com")
        by_name = await call(client, "jira_get_user_profile", user_identifier="Alice Anders")
        assert by_name["display_name"] == "Alice Anders" and by_name["matched_by"] == "display_name"
        ident = bob["account_id"] if flavor == "cloud" else bob["name"]
        by_id = await call(client, "jira_get_user_profile", user_identifier=ident)
        assert by_id["display_name"] == "Bob Brown"
        assert by_id["matched_by"] == ("account_id" if flavor == "cloud" else "username")

        found = await call(client, "jira_search_assignable_users", query="bro", project_key="PROJ")
        assert [u["display_name"] for u in found["users"]] == ["Bob Brown"] and "more" not in found
        capped = await call(client, "jira_search_assignable_users", query="a", issue_key="PROJ-4", limit=2)
        assert len(capped["users"]) == 2 and "more" in capped

        before = await call(client, "jira_get_issue_watchers", issue_key="PROJ-4")
        assert [w["display_name"] for w in before["watchers"]] == ["Sandbox User"] and before["watching"] is True
        added = await call(client, "jira_add_watcher", issue_key="PROJ-4", user_identifier="Bob Brown")
        assert added["action"] == "watcher added" and added["matched_by"] == "display_name"
        assert added["url"].endswith("/browse/PROJ-4")
        after = await call(client, "jira_get_issue_watchers", issue_key="PROJ-4")
        assert [w["display_name"] for w in after["watchers"]] == ["Sandbox User", "Bob Brown"]
        assert after["watch_count"] == 2
        removed = await call(client, "jira_remove_watcher", issue_key="PROJ-4", username="bob@example.com")
        assert removed["action"] == "watcher removed" and removed["matched_by"] == "email"
        assert sandbox.issues["PROJ-4"].watchers == ["sandbox"]
        missing = await client.call_tool("jira_add_watcher", {"issue_key": "PROJ-4", "user_identifier": "Nobody X"})
        assert missing.is_error and "no user matches 'Nobody X'" in missing.content[0].text


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_worklog_add_then_read(flavor: str) -> None:
    async with sandboxed(flavor, TOOLSETS=TOOLSETS) as (sandbox, client):
        logged = await call(
            client,
            "jira_add_worklog",
            issue_key="OPS-1",
            time_spent="1h 30m",
            comment="Rotated the **staging** certs",
            started="2026-11-20T09:30:00+01:00",
            remaining_estimate="2h",
        )
        assert logged["action"] == "work logged" and logged["time_spent"] == "1h 30m"
        assert logged["started"] == "2026-11-20T09:30:00.000+0100" and logged["remaining_estimate"] == "2h"
        read = await call(client, "jira_get_worklog", issue_key="OPS-1")
        assert read["total"] == 1 and read["worklogs"][0]["id"] == logged["id"]
        assert read["worklogs"][0]["comment"] == "Rotated the **staging** certs"
        assert read["worklogs"][0]["author"] == "Sandbox User"
        sent = [r for r in sandbox.requests if r.method == "POST" and r.path.endswith("/worklog")]
        assert "adjustEstimate=new" in sent[0].query and "newEstimate=2h" in sent[0].query


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_links_epics_and_remote_links(flavor: str) -> None:
    async with sandboxed(flavor, TOOLSETS=TOOLSETS) as (sandbox, client):
        types = await call(client, "jira_get_link_types", name_filter="block")
        blocks = {"id": "10000", "name": "Blocks", "inward": "is blocked by", "outward": "blocks"}
        assert types["link_types"] == [blocks]
        linked = await call(
            client, "jira_create_issue_link", link_type="Blocks", inward_issue_key="OPS-2", outward_issue_key="OPS-1"
        )
        assert linked == {"action": "issues linked", "link_type": "Blocks", "inward_issue": "OPS-2",
                          "outward_issue": "OPS-1"}  # fmt: skip
        issue = await call(client, "jira_get_issue", issue_key="OPS-1", fields="issuelinks")
        assert [(link["key"], link["direction"]) for link in issue["links"]] == [("OPS-2", "inward")]
        link_id = str(next(k.id for k in sandbox.links if (k.source, k.target) == ("OPS-2", "OPS-1")))
        gone = await call(client, "jira_remove_issue_link", link_id=link_id)
        assert gone == {"action": "issue link removed", "link_id": link_id}
        assert not [k for k in sandbox.links if k.source == "OPS-2"]

        epic = await call(client, "jira_link_to_epic", issue_key="PROJ-13", epic_key="PROJ-11")
        assert epic["epic"] == "PROJ-11" and epic["key"] == "PROJ-13"
        assert sandbox.issues["PROJ-13"].parent == "PROJ-11"

        remote = await call(
            client,
            "jira_create_remote_issue_link",
            issue_key="PROJ-13",
            url="https://ci.example.com/runs/42",
            title="CI run 42",
            relationship="mentioned in",
        )
        assert remote["action"] == "remote link added" and remote["id"]
        stored = sandbox.extra["jira_people"]["remote_links"]
        assert [(r.issue, r.url, r.title, r.relationship) for r in stored] == [
            ("PROJ-13", "https://ci.example.com/runs/42", "CI run 42", "mentioned in")
        ]
