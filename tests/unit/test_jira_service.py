"""The jira_service views: time in status from a changelog, JSM SLA cycles, JSM paging."""

from __future__ import annotations

from typing import Any

from adapter.views import ViewContext, get_view

CTX = ViewContext(site_url="https://acme.atlassian.net", deployment="cloud")


def history(at: str, old: str, new: str, who: str = "Bob") -> dict[str, Any]:
    return {"created": at, "author": {"displayName": who, "accountId": "b1"},
            "items": [{"field": "status", "fromString": old, "toString": new}]}  # fmt: skip


def issue(histories: list[dict[str, Any]], total: int | None = None) -> dict[str, Any]:
    return {
        "key": "SUP-1",
        "fields": {"status": {"name": "Done"}, "created": "2026-01-01T00:00:00.000+0000",
                   "resolutiondate": "2026-01-04T00:00:00.000+0000", "duedate": "2026-01-05"},
        "changelog": {"total": len(histories) if total is None else total, "histories": histories},
    }  # fmt: skip


def test_time_in_status_counts_each_period_and_the_current_one_as_ongoing() -> None:
    data = issue([
        history("2026-01-02T12:00:00.000+0000", "In Progress", "To Do"),  # out of order on purpose
        history("2026-01-01T06:00:00.000+0000", "To Do", "In Progress"),
        history("2026-01-03T00:00:00.000+0000", "To Do", "Done"),
    ])  # fmt: skip
    view = get_view("jira_issue_dates").project(data, CTX)
    assert [(c["from"], c["to"], c["by"]) for c in view["status_changes"]] == [
        ("To Do", "In Progress", "Bob"), ("In Progress", "To Do", "Bob"), ("To Do", "Done", "Bob")]  # fmt: skip
    summary = {t["status"]: t for t in view["time_in_status"]}
    assert summary["To Do"]["seconds"] == 6 * 3600 + 12 * 3600 and summary["To Do"]["visits"] == 2
    assert summary["In Progress"]["duration"] == "1d 6h" and "ongoing" not in summary["In Progress"]
    assert summary["Done"]["ongoing"] is True
    assert (view["resolved"], view["due_date"]) == ("2026-01-04T00:00:00.000+0000", "2026-01-05")
    assert "changelog_note" not in view
    text = get_view("jira_issue_dates").render(view)
    assert "- To Do: 18h, 2 visits" in text and "(ongoing)" in text


def test_a_partial_changelog_is_said_and_options_drop_sections() -> None:
    ctx = ViewContext(CTX.site_url, "cloud", {"include_status_changes": False, "include_status_summary": False})
    view = get_view("jira_issue_dates").project(issue([history("2026-01-02T00:00:00.000+0000", "A", "B")], 150), ctx)
    assert view["changelog_note"].startswith("only 1 of 150 changes")
    assert "status_changes" not in view and "time_in_status" not in view


def duration(text: str, millis: int) -> dict[str, Any]:
    return {"friendly": text, "millis": millis}


def test_sla_cycles_states_and_raw_dates() -> None:
    start = {"iso8601": "2026-01-01T09:00:00+0000", "epochMillis": 1}
    body = {"key": "SUP-1", "slas": [
        {"id": "1", "name": "Time to first response", "completedCycles": [
            {"startTime": start, "stopTime": start, "breached": False, "goalDuration": duration("4h", 14400000),
             "elapsedTime": duration("1h", 3600000), "remainingTime": duration("3h", 10800000)}]},
        {"id": "2", "name": "Time to resolution", "ongoingCycle": {
            "startTime": start, "paused": True, "breached": False, "withinCalendarHours": False,
            "goalDuration": duration("8h", 28800000), "elapsedTime": duration("2h", 7200000),
            "remainingTime": duration("6h", 21600000)}},
        {"id": "3", "name": "Time to approve"},
    ]}  # fmt: skip
    view = get_view("jsm_sla").project(body, CTX)
    assert [(s["name"], s["state"]) for s in view["slas"]] == [
        ("Time to first response", "completed"),
        ("Time to resolution", "paused"),
        ("Time to approve", "not started"),
    ]
    assert view["slas"][1] == {"id": "2", "name": "Time to resolution", "state": "paused", "goal": "8h",
                               "elapsed": "2h", "remaining": "6h", "breached": False,
                               "outside_calendar_hours": True}  # fmt: skip
    raw = get_view("jsm_sla").project(body, ViewContext(CTX.site_url, "cloud", {"include_raw_dates": True}))
    assert raw["slas"][0]["stop"] == "2026-01-01T09:00:00+0000" and raw["slas"][0]["elapsed_millis"] == 3600000


def test_jsm_pages_say_where_the_next_page_starts() -> None:
    page = {"start": 50, "limit": 2, "isLastPage": False, "values": [{"id": "1", "name": "A"}, {"id": 2}]}
    view = get_view("jsm_queues").project(page, CTX)
    assert view == {"queues": [{"id": "1", "name": "A"}, {"id": "2"}], "start": 50, "next_start": 52,
                    "is_last": False}  # fmt: skip
    assert get_view("jsm_queues").render(view).startswith("2 queues from 50 · more: start_at=52")
