"""The Jira issue-area tools, on Cloud and Data Center, against recorded HTTP (see conftest.py for recording)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .test_replay_tools import FORBIDDEN_HINT, NOT_FOUND_HINT, call, connect, error, ok, run

if TYPE_CHECKING:
    from .conftest import Site

pytestmark = pytest.mark.vcr

BOB = {"cloud": "5d5f7a1b2c3d4e5f60718292", "datacenter": "bob"}


async def test_jira_search_fields(site: Site) -> None:
    async with connect(site) as client:
        found = ok(await call(client, "jira_search_fields", keyword="severity"))
        again = ok(await call(client, "jira_search_fields", keyword="story"))  # from the cache: no second GET /field
    assert found["fields"][0] == {"id": "customfield_10040", "name": "Severity", "type": "option",
                                  "custom_type": "select", "jql": "cf[10040]"}  # fmt: skip
    story = "Story point estimate" if site.flavor == "cloud" else "Story Points"
    assert [f["name"] for f in again["fields"]] == [story]


async def test_jira_search_fields_no_match(site: Site) -> None:
    found = ok(await run(site, "jira_search_fields", keyword="zzzqqq"))
    assert found == {"fields": [], "total": 0}


async def test_jira_get_field_options(site: Site) -> None:
    found = ok(
        await run(
            site, "jira_get_field_options", field_id="customfield_10040", project_key="PROJ", issue_type="Bug",
            contains="s", values_only=True, return_limit=3,
        )
    )  # fmt: skip
    assert found["values"] == ["S1 - Critical", "S2 - Major", "S3 - Minor"] and found["total"] == 4


async def test_jira_get_field_options_unknown_field(site: Site) -> None:
    text = error(await run(site, "jira_get_field_options", field_id="customfield_99999", project_key="PROJ",
                           issue_type="Bug"))  # fmt: skip
    if site.flavor == "cloud":
        assert text.startswith("Jira answered 404: The custom field was not found: customfield_99999")
    else:
        assert text == "field_id: customfield_99999 is not on the create screen of Bug in this project"


async def test_jira_get_project_issues(site: Site) -> None:
    found = ok(await run(site, "jira_get_project_issues", project_key="OPS", limit=2))
    assert [i["key"] for i in found["issues"]] == ["OPS-2", "OPS-1"] and found["is_last"] is False
    assert ("next_page_token" in found) == (site.flavor == "cloud")
    assert ("next_start_at" in found) == (site.flavor == "datacenter")


async def test_jira_get_project_issues_bad_limit(site: Site) -> None:
    text = error(await run(site, "jira_get_project_issues", project_key="OPS", limit=0))
    assert text == "limit: 0 is less than the minimum of 1"


async def test_jira_get_transitions(site: Site) -> None:
    found = ok(await run(site, "jira_get_transitions", issue_key="PROJ-4"))
    assert found == {"transitions": [{"id": "21", "name": "Start Progress", "to": "In Progress"},
                                     {"id": "31", "name": "Done", "to": "Done"}]}  # fmt: skip


async def test_jira_get_transitions_not_found(site: Site) -> None:
    text = error(await run(site, "jira_get_transitions", issue_key="PROJ-999999"))
    assert text == f"Jira answered 404: Issue does not exist or you do not have permission to see it. {NOT_FOUND_HINT}"


async def test_jira_batch_create_issues(site: Site) -> None:
    issues = [
        {"project_key": "OPS", "summary": "Batch one", "issue_type": "Task", "description": "**bold**"},
        {"project_key": "OPS", "summary": "Batch two", "issue_type": "Nope"},
    ]
    found = ok(await run(site, "jira_batch_create_issues", issues=issues))
    assert found["created"] == [{"key": "OPS-4", "id": "10024", "url": f"{site.jira_url}/browse/OPS-4"}]
    assert found["failed"] == [{"index": 1, "errors": ["issuetype: The issue type selected is invalid."]}]


async def test_jira_batch_create_issues_all_fail(site: Site) -> None:
    text = error(await run(site, "jira_batch_create_issues",
                           issues='[{"project_key": "READONLY", "summary": "x", "issue_type": "Task"}]'))  # fmt: skip
    assert text.startswith("Jira answered 400: ")


async def test_jira_batch_create_issues_bad_element(site: Site) -> None:
    text = error(await run(site, "jira_batch_create_issues", issues=[{"summary": "x"}]))
    assert text == "issues[0]: missing project_key, issue_type"


@pytest.mark.parametrize("flavor", ["cloud"])
async def test_jira_batch_get_changelogs(site: Site) -> None:
    found = ok(await run(site, "jira_batch_get_changelogs", issue_ids_or_keys="PROJ-4,PROJ-5", fields="status"))
    assert found["more"] is False
    assert [(i["issue_id"], [c["changes"] for c in i["changes"]]) for i in found["issues"]] == [
        ("10004", [[{"field": "status", "from": "Backlog", "to": "To Do"}]]),
        ("10005", [[{"field": "status", "from": "In Progress", "to": "Done"}]]),
    ]


@pytest.mark.parametrize("flavor", ["cloud"])
async def test_jira_batch_get_changelogs_limited(site: Site) -> None:
    found = ok(await run(site, "jira_batch_get_changelogs", issue_ids_or_keys="PROJ-4,PROJ-5", limit=1))
    assert found["more"] is True and sum(len(i["changes"]) for i in found["issues"]) == 1


async def test_jira_assign_issue(site: Site) -> None:
    async with connect(site) as client:
        done = ok(await call(client, "jira_assign_issue", issue_key="OPS-1", assignee=BOB[site.flavor]))
        issue = ok(await call(client, "jira_get_issue", issue_key="OPS-1", fields="assignee"))
        cleared = ok(await call(client, "jira_assign_issue", issue_key="OPS-1"))
    assert done == {"key": "OPS-1", "url": f"{site.jira_url}/browse/OPS-1", "assignee": BOB[site.flavor]}
    assert issue["assignee"]["display_name"] == "Bob Brown"
    assert cleared["assignee"] == "unassigned"


async def test_jira_assign_issue_unknown_user(site: Site) -> None:
    text = error(await run(site, "jira_assign_issue", issue_key="OPS-1", assignee="nobody-here"))
    assert text == "Jira answered 400: assignee: User 'nobody-here' does not exist."


async def test_jira_delete_issue(site: Site) -> None:
    async with connect(site) as client:
        done = ok(await call(client, "jira_delete_issue", issue_key="OPS-3"))
        gone = await call(client, "jira_get_issue", issue_key="OPS-3")
    assert done == {"key": "OPS-3", "deleted": True}
    assert error(gone).startswith("Jira answered 404")


async def test_jira_delete_issue_read_only(site: Site) -> None:
    text = error(await run(site, "jira_delete_issue", issue_key="READONLY-1"))
    assert text == f"Jira answered 403: You do not have permission to delete issues in this project. {FORBIDDEN_HINT}"


@pytest.mark.parametrize("flavor", ["cloud"])
async def test_jira_move_issue(site: Site) -> None:
    moved = ok(await run(site, "jira_move_issue", issue_key="PROJ-13", target_project_key="OPS"))
    assert moved["status"] == "COMPLETE" and moved["new_key"] == "OPS-4"
    assert moved["url"] == f"{site.jira_url}/browse/OPS-4"


@pytest.mark.parametrize("flavor", ["cloud"])
async def test_jira_move_issue_no_such_type(site: Site) -> None:
    text = error(await run(site, "jira_move_issue", issue_key="PROJ-4", target_project_key="OPS"))
    assert text == "OPS has no issue type 'Bug' to move PROJ-4 into; it has Task, Subtask"


async def test_jira_edit_comment(site: Site) -> None:
    edited = ok(await run(site, "jira_edit_comment", issue_key="PROJ-4", comment_id="10106", body="Fixed **now**"))
    assert (edited["id"], edited["body"]) == ("10106", "Fixed **now**")


async def test_jira_edit_comment_unknown(site: Site) -> None:
    text = error(await run(site, "jira_edit_comment", issue_key="PROJ-4", comment_id="1", body="x"))
    assert text == f"Jira answered 404: Can not find a comment for the id: 1. {NOT_FOUND_HINT}"


# --- the new parameters of the existing Jira tools ----------------------------------------------------------


async def test_jira_get_issue_include_and_display_names(site: Site) -> None:
    issue = ok(await run(site, "jira_get_issue", issue_key="PROJ-4", fields="summary,customfield_10016",
                         include="remote_links,watchers,transitions", use_display_names=True))  # fmt: skip
    story = "Story point estimate" if site.flavor == "cloud" else "Story Points"
    assert issue["custom_fields"] == {story: 2} and "custom_field_names" not in issue
    assert issue["remote_links"][0]["url"] == "https://status.example.com/incidents/42"
    assert issue["watchers"] == ["Sandbox User"]
    assert [t["id"] for t in issue["transitions"]] == ["21", "31"]


async def test_jira_get_issue_unknown_include(site: Site) -> None:
    text = error(await run(site, "jira_get_issue", issue_key="PROJ-4", include="votes"))
    assert text.startswith("include: unknown votes; known: remote_links")


async def test_jira_search_display_names(site: Site) -> None:
    found = ok(await run(site, "jira_search", jql="key = PROJ-4", fields="summary,customfield_10016",
                         use_display_names=True))  # fmt: skip
    story = "Story point estimate" if site.flavor == "cloud" else "Story Points"
    assert found["issues"][0]["custom_fields"] == {story: 2}


async def test_jira_update_issue_attachments(site: Site, tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(str(tmp_path))
    with open("notes.txt", "w") as handle:
        handle.write("replay attachment\n")
    changed = ok(await run(site, "jira_update_issue", issue_key="OPS-1", fields={}, attachments='["notes.txt"]',
                           return_fields="summary,attachment"))  # fmt: skip
    assert changed["attached"] == ["notes.txt"]
    assert [a["filename"] for a in changed["issue"]["attachments"]] == ["notes.txt"]


async def test_jira_update_issue_attachment_outside(site: Site) -> None:
    text = error(await run(site, "jira_update_issue", issue_key="OPS-1", fields={}, attachments="/etc/passwd"))
    where = Path.cwd().resolve()
    assert text == (f"attachments: /etc/passwd is outside the directories this server may read ({where}); "
                    "send content_base64 instead")  # fmt: skip


async def test_jira_add_comment_internal(site: Site) -> None:
    comment = ok(await run(site, "jira_add_comment", issue_key="SUP-2", body="Internal note", public=False))
    assert comment["body"] == "Internal note"
