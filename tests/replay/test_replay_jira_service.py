"""Jira Service Management tools and issue dates, on Cloud and Data Center, against recorded HTTP.

The sandbox's SUP project is service desk 1 (queues 1-3, request types 10 and 11); see
adapter/sandbox/extra/jira_service.py. The area's toolsets are not default ones, so each test enables them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest
from mcp.types import CallToolResult

from .test_replay_tools import NOT_FOUND_HINT, error, ok
from .test_replay_tools import run as run_default

if TYPE_CHECKING:
    from .conftest import Site

pytestmark = pytest.mark.vcr

TOOLSETS = "jira_service_desk,jira_metrics"
DESK_404 = "The service desk you are trying to access does not exist or you do not have access to it."


async def run(site: Site, tool: str, **arguments: Any) -> CallToolResult:
    return await run_default(replace(site, env={**site.env, "TOOLSETS": TOOLSETS}), tool, **arguments)


async def test_jira_get_service_desk_for_project(site: Site) -> None:
    desk = ok(await run(site, "jira_get_service_desk_for_project", project_key="SUP"))
    assert desk == {"id": "1", "project_key": "SUP", "project_name": "Support Desk", "project_id": "10001"}


async def test_jira_get_service_desk_for_project_none(site: Site) -> None:
    text = error(await run(site, "jira_get_service_desk_for_project", project_key="OPS"))
    assert text == "project OPS has no service desk (or it is not visible to this account)"


async def test_jira_get_service_desk_queues(site: Site) -> None:
    found = ok(await run(site, "jira_get_service_desk_queues", service_desk_id="1", limit=2))
    assert found["queues"] == [
        {"id": "1", "name": "All open", "jql": "project = SUP AND resolution = EMPTY ORDER BY created DESC",
         "issue_count": 2},
        {"id": "2", "name": "Assigned to me",
         "jql": "project = SUP AND assignee = currentUser() AND resolution = EMPTY", "issue_count": 1},
    ]  # fmt: skip
    assert (found["start"], found["next_start"], found["is_last"]) == (0, 2, False)


async def test_jira_get_service_desk_queues_unknown_desk(site: Site) -> None:
    text = error(await run(site, "jira_get_service_desk_queues", service_desk_id="99"))
    assert text == f"Jira answered 404: {DESK_404} {NOT_FOUND_HINT}"


async def test_jira_get_queue_issues(site: Site) -> None:
    found = ok(await run(site, "jira_get_queue_issues", service_desk_id="1", queue_id="1"))
    assert [(i["key"], i["summary"], i["status"]) for i in found["issues"]] == [
        ("SUP-3", "Add Alice to the finance group", "In Progress"),
        ("SUP-1", "Reset VPN access for new hire", "To Do"),
    ]
    assert found["issues"][1]["assignee"] == "Bob Brown" and found["is_last"] is True


async def test_jira_get_queue_issues_bad_queue_id(site: Site) -> None:
    text = error(await run(site, "jira_get_queue_issues", service_desk_id="1", queue_id="open"))
    assert text == "queue_id: expected a numeric id, got 'open'"


async def test_jira_get_queue_issues_unknown_queue(site: Site) -> None:
    text = error(await run(site, "jira_get_queue_issues", service_desk_id="1", queue_id="42"))
    assert text.startswith("Jira answered 404: The queue you are trying to access does not exist")


async def test_jira_get_request_types(site: Site) -> None:
    found = ok(await run(site, "jira_get_request_types", service_desk_id="1"))
    assert [(t["id"], t["name"], t["group_ids"]) for t in found["request_types"]] == [
        ("10", "Get IT help", ["1"]),
        ("11", "Report an incident", ["2"]),
    ]
    assert found["is_last"] is True and "next_start" not in found


async def test_jira_get_request_types_unknown_desk(site: Site) -> None:
    text = error(await run(site, "jira_get_request_types", service_desk_id="99"))
    assert text == f"Jira answered 404: {DESK_404} {NOT_FOUND_HINT}"


async def test_jira_get_request_type_fields(site: Site) -> None:
    found = ok(await run(site, "jira_get_request_type_fields", service_desk_id="1", request_type_id="11"))
    assert [(f["field_id"], f["required"], f.get("type")) for f in found["fields"]] == [
        ("summary", True, "string"),
        ("description", True, "string"),
        ("priority", True, "priority"),
    ]
    assert found["fields"][2]["valid_values"] == ["1 (Highest)", "2 (High)", "3 (Medium)", "4 (Low)", "5 (Lowest)"]
    assert found["can_raise_on_behalf_of"] is True


async def test_jira_get_request_type_fields_unknown_type(site: Site) -> None:
    text = error(await run(site, "jira_get_request_type_fields", service_desk_id="1", request_type_id="77"))
    assert text.startswith("Jira answered 404: The request type you are trying to access does not exist")


async def test_jira_create_customer_request(site: Site) -> None:
    created = ok(
        await run(
            site,
            "jira_create_customer_request",
            service_desk_id="1",
            request_type_id="10",
            request_field_values={"summary": "New laptop", "description": "Mine is slow"},
        )
    )
    assert created["key"] == "SUP-4" and created["url"] == f"{site.jira_url}/browse/SUP-4"
    assert created["portal_url"] == f"{site.jira_url}/servicedesk/customer/portal/1/SUP-4"
    assert (created["status"], created["reporter"], created["request_type_id"]) == ("To Do", "Sandbox User", "10")


async def test_jira_create_customer_request_missing_field(site: Site) -> None:
    text = error(
        await run(
            site,
            "jira_create_customer_request",
            service_desk_id="1",
            request_type_id="11",
            request_field_values='{"summary": "Down"}',
        )
    )
    assert text.startswith("Jira answered 400: Your request could not be created.")
    assert text.endswith("Description, Priority is required.")


async def test_jira_create_customer_request_bad_json(site: Site) -> None:
    text = error(
        await run(
            site, "jira_create_customer_request", service_desk_id="1", request_type_id="10", request_field_values="{"
        )
    )
    assert text.startswith("request_field_values: not valid JSON")


async def test_jira_get_issue_dates(site: Site) -> None:
    dates = ok(await run(site, "jira_get_issue_dates", issue_key="SUP-2"))
    assert dates["key"] == "SUP-2" and dates["status"] == "Done"
    assert dates["created"].startswith("2026-10-22T09:00:00") and dates["resolved"].startswith("2026-10-24T09:00:00")
    assert "due_date" not in dates and "status_changes" not in dates  # the sandbox keeps no changelog
    assert [(t["status"], t["ongoing"]) for t in dates["time_in_status"]] == [("Done", True)]


async def test_jira_get_issue_dates_not_found(site: Site) -> None:
    text = error(await run(site, "jira_get_issue_dates", issue_key="SUP-999"))
    assert text.startswith("Jira answered 404: Issue does not exist")


async def test_jira_get_issue_sla(site: Site) -> None:
    found = ok(await run(site, "jira_get_issue_sla", issue_key="SUP-2"))
    assert found["slas"] == [
        {"id": "1", "name": "Time to first response", "state": "completed", "goal": "4h 0m", "elapsed": "24h 0m",
         "remaining": "-20h 0m", "breached": True},
        {"id": "2", "name": "Time to resolution", "state": "completed", "goal": "24h 0m", "elapsed": "48h 0m",
         "remaining": "-24h 0m", "breached": True},
    ]  # fmt: skip


async def test_jira_get_issue_sla_unknown_metric(site: Site) -> None:
    found = ok(await run(site, "jira_get_issue_sla", issue_key="SUP-1", metrics="Time to resolution,Time to joy"))
    assert [s["name"] for s in found["slas"]] == ["Time to resolution"]
    assert found["not_found"] == ["time to joy"]


async def test_jira_get_issue_sla_not_a_request(site: Site) -> None:
    text = error(await run(site, "jira_get_issue_sla", issue_key="PROJ-1"))
    assert text.startswith("Jira answered 404: The request you are trying to access does not exist")
