"""Jira Service Management and issue-date tools through mcp.Client against the sandbox, on both flavours.

Flow: find SUP's service desk -> its queues -> a queue's issues -> request types -> their fields -> raise a
request (for yourself, then on behalf of a customer) -> read the new request's SLAs and dates.
"""

from __future__ import annotations

import pytest

from tests.e2e.harness import ok, sandboxed

FLAVORS = ["cloud", "datacenter"]
TOOLSETS = {"TOOLSETS": "jira_service_desk,jira_metrics"}
ALICE = {"cloud": "5d5f7a1b2c3d4e5f60718291", "datacenter": "alice"}


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_service_desk_flow(flavor: str) -> None:
    async with sandboxed(flavor, **TOOLSETS) as (sandbox, client):
        desk = ok(await client.call_tool("jira_get_service_desk_for_project", {"project_key": "sup"}))
        assert desk == {"id": "1", "project_key": "SUP", "project_name": "Support Desk", "project_id": "10001"}

        queues = ok(await client.call_tool("jira_get_service_desk_queues", {"service_desk_id": "1", "limit": 2}))
        assert [q["name"] for q in queues["queues"]] == ["All open", "Assigned to me"]
        assert queues["queues"][0]["issue_count"] == 2 and queues["next_start"] == 2 and not queues["is_last"]
        rest = ok(await client.call_tool("jira_get_service_desk_queues", {"service_desk_id": "1", "start_at": 2}))
        assert [q["name"] for q in rest["queues"]] == ["Resolved"] and rest["is_last"]

        issues = ok(await client.call_tool("jira_get_queue_issues", {"service_desk_id": "1", "queue_id": "1"}))
        assert [i["key"] for i in issues["issues"]] == ["SUP-3", "SUP-1"]  # created DESC
        assert issues["issues"][1]["status"] == "To Do" and issues["is_last"]

        types = ok(await client.call_tool("jira_get_request_types", {"service_desk_id": "1"}))
        assert [(t["id"], t["name"]) for t in types["request_types"]] == [("10", "Get IT help"),
                                                                           ("11", "Report an incident")]  # fmt: skip
        fields = ok(await client.call_tool("jira_get_request_type_fields",
                                           {"service_desk_id": "1", "request_type_id": "11"}))  # fmt: skip
        by_id = {f["field_id"]: f for f in fields["fields"]}
        assert by_id["summary"]["required"] and by_id["description"]["required"]
        assert by_id["priority"]["valid_values"][0] == "1 (Highest)"

        missing = await client.call_tool("jira_create_customer_request", {
            "service_desk_id": "1", "request_type_id": "11", "request_field_values": {"summary": "Down"}})  # fmt: skip
        assert missing.is_error and "Description, Priority is required" in missing.content[0].text

        created = ok(await client.call_tool("jira_create_customer_request", {
            "service_desk_id": "1", "request_type_id": "11",
            "request_field_values": '{"summary": "Printer on fire", "description": "Smoke", "priority": "2"}',
            "raise_on_behalf_of": ALICE[flavor],
        }))  # fmt: skip
        key = created["key"]
        assert key == "SUP-4" and created["status"] == "To Do" and created["reporter"] == "Alice Anders"
        assert created["url"].endswith("/browse/SUP-4") and created["portal_url"].endswith("/portal/1/SUP-4")
        assert sandbox.issues[key].priority == "High" and sandbox.issues[key].reporter == "alice"

        fallback = ok(await client.call_tool("jira_create_customer_request", {
            "service_desk_id": "1", "request_type_id": "10", "request_field_values": {"summary": "VPN"},
            "raise_on_behalf_of": "nobody",
        }))  # fmt: skip
        assert fallback["reporter"] == "Sandbox User" and "nobody was refused" in fallback["note"]
        strict = await client.call_tool("jira_create_customer_request", {
            "service_desk_id": "1", "request_type_id": "10", "request_field_values": {"summary": "VPN"},
            "raise_on_behalf_of": "nobody", "strict_on_behalf": True,
        })  # fmt: skip
        assert strict.is_error and "does not exist" in strict.content[0].text

        slas = ok(await client.call_tool("jira_get_issue_sla", {"issue_key": key, "include_raw_dates": True}))
        assert [(s["name"], s["state"], s["goal"]) for s in slas["slas"]] == [
            ("Time to first response", "running", "4h 0m"), ("Time to resolution", "running", "24h 0m")]  # fmt: skip
        assert slas["slas"][0]["start"].startswith("2026-11-02T09:00")
        done = ok(await client.call_tool("jira_get_issue_sla", {"issue_key": "SUP-2", "metrics": "time to resolution"}))
        assert [s["state"] for s in done["slas"]] == ["completed"] and done["slas"][0]["breached"] is True

        dates = ok(await client.call_tool("jira_get_issue_dates", {"issue_key": key}))
        assert dates["status"] == "To Do" and dates["created"].startswith("2026-11-02T09:00")
        assert [t["status"] for t in dates["time_in_status"]] == ["To Do"] and dates["time_in_status"][0]["ongoing"]


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_service_desk_errors_and_project_filter(flavor: str) -> None:
    async with sandboxed(flavor, **TOOLSETS, JIRA_PROJECTS_FILTER="PROJ") as (_sandbox, client):
        outside = await client.call_tool("jira_get_request_types", {"service_desk_id": "1"})
        assert outside.is_error and "outside this server's projects" in outside.content[0].text
        bad = await client.call_tool("jira_get_queue_issues", {"service_desk_id": "1", "queue_id": "x"})
        assert bad.is_error and bad.content[0].text.startswith("queue_id: expected a numeric id")
    async with sandboxed(flavor, **TOOLSETS) as (_sandbox, client):
        none = await client.call_tool("jira_get_service_desk_for_project", {"project_key": "PROJ"})
        assert none.is_error and "PROJ has no service desk" in none.content[0].text
        gone = await client.call_tool("jira_get_service_desk_queues", {"service_desk_id": "99"})
        assert gone.is_error and "404" in gone.content[0].text and "service desk" in gone.content[0].text
