"""The jira_people handlers' user resolution and time handling, and their views on real Jira bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapter.config import load_settings
from adapter.handlers import ToolError
from adapter.handlers.jira_people import jira_started, looks_like_account_id, looks_like_username, pick_user
from adapter.manifest import load_tools
from adapter.server import AtlassianServer
from adapter.views import ViewContext, get_view

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
SITE = "https://jira.example.com"


def real(rel: str) -> Any:
    path = REALDATA / rel
    if not path.exists():
        pytest.fail(f"{path} is missing: these tests read ../shared/realdata beside the checkout")
    return json.loads(path.read_text())


def project(view: str, data: Any, **arguments: Any) -> dict[str, Any]:
    return get_view(view).project(data, ViewContext(SITE, "datacenter", arguments))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5b10a2844c20165700ede21g", True),
        ("557058:f58131cb-b67d-43c7-b30d-6b58d40bd077", True),
        ("alice", False),
        ("alice@example.com", False),
        ("abcdefghijklmnopqrstuvwx", False),  # 24 letters and no digit: a long username, not an id
    ],
)
def test_account_ids_are_recognised(value: str, expected: bool) -> None:
    assert looks_like_account_id(value) is expected


def test_usernames_exclude_emails_and_display_names() -> None:
    assert looks_like_username("jdoe") and not looks_like_username("jdoe@example.com")
    assert not looks_like_username("Jane Doe") and not looks_like_username("")


USERS = real("jira-cloud-jira-cli/users.json")  # Jane Doe (janedoe) and Jon Doe


def test_pick_user_says_which_attribute_matched() -> None:
    assert pick_user("JANE@domain.tld", USERS)[1] == "email"
    assert pick_user("janedoe", USERS)[1] == "username"
    assert pick_user("Jon Doe", USERS) == (USERS[1], "display_name")
    assert pick_user("5fb82376aca10c006949f35c", USERS)[1] == "account_id"
    assert pick_user("jane", USERS[:1]) == (USERS[0], "search")  # the only hit of a prefix search


def test_pick_user_refuses_to_guess() -> None:
    with pytest.raises(ToolError, match=r"^2 users match 'doe': Jane Doe \(5fb82376aca10c006949f35b\), Jon Doe"):
        pick_user("doe", USERS)
    with pytest.raises(ToolError, match="no user matches 'x'"):
        pick_user("x", [])


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("2026-01-17T09:30:00+01:00", "2026-01-17T09:30:00.000+0100"),
        ("2026-01-17T09:30:00.123456Z", "2026-01-17T09:30:00.123+0000"),
        ("2026-01-17T09:30", "2026-01-17T09:30:00.000+0000"),  # naive: UTC
        ("2026-01-17", "2026-01-17T00:00:00.000+0000"),
    ],
)
def test_started_is_sent_in_jiras_format(given: str, sent: str) -> None:
    assert jira_started(given) == sent


def test_started_that_is_no_date_is_refused() -> None:
    with pytest.raises(ToolError, match="^started: not an ISO date-time: 'yesterday'"):
        jira_started("yesterday")


def test_worklogs_view_on_a_real_page() -> None:
    page = real("jira-server-jira-ruby/issue/10002/worklog.json")
    view = project("jira_worklogs", page, issue_key="SAMPLE-1")
    assert (view["key"], view["url"], view["total"]) == ("SAMPLE-1", f"{SITE}/browse/SAMPLE-1", 3)
    assert len(view["worklogs"]) == 3 and "omitted" not in view
    assert set(view["worklogs"][0]) <= {"id", "author", "started", "time_spent", "comment"}
    assert "self" not in json.dumps(view) and "avatar" not in json.dumps(view)
    partial = project("jira_worklogs", {**page, "total": 5}, issue_key="SAMPLE-1")
    assert partial["omitted"] == 2
    assert get_view("jira_worklogs").render(partial).startswith("SAMPLE-1: 3 of 5 worklog(s)")


def test_watchers_view_on_a_real_answer() -> None:
    view = project("jira_watchers", real("jira-server-jira-ruby/issue/10002/watchers.json"), issue_key="S-1")
    assert view == {
        "key": "S-1",
        "url": f"{SITE}/browse/S-1",
        "watch_count": 1,
        "watching": False,
        "watchers": [{"display_name": "admin", "name": "admin", "active": False}],
    }


def test_link_types_view_takes_the_wrapped_and_the_bare_list() -> None:
    wrapped = project("jira_link_types", real("jira-server-jira-ruby/issueLinkType.json"))
    assert wrapped["link_types"][0] == {"id": "10000", "name": "Blocks", "inward": "is blocked by", "outward": "blocks"}
    bare = project("jira_link_types", real("jira-go-jira/all_issuelinktypes.json"))
    assert {"id": "10032", "name": "Blocker", "inward": "is blocked by", "outward": "blocks"} in bare["link_types"]


def test_profile_view_keeps_email_and_time_zone() -> None:
    user = real("jira-server-jira-ruby/user_accountId=1234567890abcdef01234567.json")
    view = project("jira_user_profile", {**user, "matchedBy": "username"})
    assert view == {
        "display_name": "admin",
        "name": "admin",
        "email": "admin@example.com",
        "time_zone": "Pacific/Auckland",
        "matched_by": "username",
    }


def test_user_list_says_when_the_limit_was_reached() -> None:
    assert "more" not in project("jira_user_list", USERS, limit=10)
    assert project("jira_user_list", USERS, limit=2)["more"].startswith("the list may go on")


async def test_remove_issue_link_reads_the_link_only_under_a_projects_filter() -> None:
    """Without a filter: one DELETE. With one: GET the link, and refuse when an end is outside the filter."""
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.method == "GET":
            link = {"id": "10301", "inwardIssue": {"key": "PROJ-12"}, "outwardIssue": {"key": "OPS-2"}}
            return httpx.Response(200, json=link)
        return httpx.Response(204)

    async def remove(extra: dict[str, str]) -> Any:
        env = {"JIRA_URL": SITE, "JIRA_PERSONAL_TOKEN": "t", "TOOLSETS": "jira_links", **extra}
        server = AtlassianServer(
            load_settings({}, environ=env, read_dotenv=False), load_tools(), httpx.MockTransport(answer)
        )
        try:
            return await server.call_tool("jira_remove_issue_link", {"link_id": "10301"})
        finally:
            await server.aclose()

    plain = await remove({})
    assert not plain.is_error and seen == ["DELETE /rest/api/2/issueLink/10301"]
    seen.clear()
    refused = await remove({"JIRA_PROJECTS_FILTER": "PROJ"})
    assert refused.is_error and refused.content[0].text == "project OPS is outside this server's projects (PROJ)"
    assert seen == ["GET /rest/api/2/issueLink/10301"]
