"""Views of Jira Service Management answers (service desks, queues, request types, requests, SLAs) and issue dates.

JSM pages are `{start, limit, isLastPage, values}`: each list says where the next page starts. Time in status is
computed from the issue's changelog; the current status counts up to now and is marked ongoing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from . import (
    _B,
    _I,
    _LIST_ITEM_PROPS,
    _S,
    _STRS,
    View,
    ViewContext,
    _arr,
    _count,
    _id,
    _inline,
    _int_at,
    _list_at,
    _list_item,
    _name,
    _obj,
    _obj_at,
    _put,
    _require_dict,
    _root,
    _user_label,
    register,
)

JSON = dict[str, Any]
_PAGE_PROPS: JSON = {"start": _I, "next_start": _I, "is_last": _B}


def _jsm_page(data: Any, what: str, key: str, item: Callable[[Any], JSON]) -> JSON:
    """A JSM PagedDTO as `{key: [items], start, next_start?, is_last}` (honest paging, never silent truncation)."""
    page = _require_dict(data, what)
    raw = _list_at(page, "values")
    out: JSON = {key: [i for i in (item(v) for v in raw) if i]}
    start = _int_at(page, "start") or 0
    out["start"] = start
    is_last = page.get("isLastPage") is not False or not raw
    if not is_last:
        out["next_start"] = start + len(raw)
    out["is_last"] = is_last
    return out


def _paging_text(view: JSON, noun: str, key: str) -> str:
    head = f"{_count(len(view[key]), noun)} from {view['start']}"
    return head + (f" · more: start_at={view['next_start']}" if "next_start" in view else " · last page")


# ----------------------------------------------------------------------------------------------- service desks


def _project_desk(data: Any, ctx: ViewContext) -> JSON:
    desk = _require_dict(data, "service desk")
    out: JSON = {"id": _id(desk.get("id")) or ""}
    if not out["id"]:
        raise ValueError("service desk: no id")
    _put(out, "project_key", desk.get("projectKey"))
    _put(out, "project_name", desk.get("projectName"))
    _put(out, "project_id", _id(desk.get("projectId")))
    return out


def _render_desk(view: JSON) -> str:
    return f"service desk {view['id']} · {view.get('project_key', '')} {view.get('project_name', '')}".strip()


def _queue(value: Any) -> JSON:
    if not isinstance(value, dict) or _id(value.get("id")) is None:
        return {}
    out: JSON = {"id": _id(value["id"])}
    _put(out, "name", value.get("name"))
    _put(out, "jql", value.get("jql"))
    count = _int_at(value, "issueCount")
    if count is not None:
        out["issue_count"] = count
    return out


def _project_queues(data: Any, ctx: ViewContext) -> JSON:
    return _jsm_page(data, "queues", "queues", _queue)


def _render_queues(view: JSON) -> str:
    lines = [_paging_text(view, "queue", "queues")]
    for q in view["queues"]:
        count = f" ({q['issue_count']} issues)" if "issue_count" in q else ""
        lines.append(f"{q['id']} · {q.get('name', '')}{count}" + (f" · {q['jql']}" if "jql" in q else ""))
    return "\n".join(lines)


def _project_queue_issues(data: Any, ctx: ViewContext) -> JSON:
    return _jsm_page(data, "queue issues", "issues", _list_item)


def _render_queue_issues(view: JSON) -> str:
    lines = [_paging_text(view, "issue", "issues")]
    for issue in view["issues"]:
        rest = [f"{k}: {_inline(v)}" for k, v in issue.items() if k not in ("key", "summary")]
        lines.append(" · ".join([f"{issue['key']} · {issue.get('summary', '')}".rstrip(" ·"), *rest]))
    return "\n".join(lines)


def _request_type(value: Any) -> JSON:
    if not isinstance(value, dict) or _id(value.get("id")) is None:
        return {}
    out: JSON = {"id": _id(value["id"])}
    _put(out, "name", value.get("name"))
    _put(out, "description", value.get("description"))
    if value.get("helpText") != value.get("description"):
        _put(out, "help_text", value.get("helpText"))
    _put(out, "issue_type_id", _id(value.get("issueTypeId")))
    _put(out, "group_ids", [g for g in (_id(x) for x in _list_at(value, "groupIds")) if g])
    return out


def _project_request_types(data: Any, ctx: ViewContext) -> JSON:
    return _jsm_page(data, "request types", "request_types", _request_type)


def _render_request_types(view: JSON) -> str:
    lines = [_paging_text(view, "request type", "request_types")]
    for t in view["request_types"]:
        lines.append(" · ".join(str(p) for p in (t["id"], t.get("name"), t.get("description")) if p))
    return "\n".join(lines)


def _field_value(value: Any) -> Any:
    """A valid/default value as its value id, with the label when it differs (what the model sends is the id)."""
    if not isinstance(value, dict):
        return value
    label, ident = value.get("label"), value.get("value")
    return ident if label in (None, ident) else f"{ident} ({label})"


def _request_field(value: Any) -> JSON:
    if not isinstance(value, dict) or not value.get("fieldId"):
        return {}
    out: JSON = {"field_id": value["fieldId"]}
    _put(out, "name", value.get("name"))
    out["required"] = value.get("required") is True
    schema = _obj_at(value, "jiraSchema")
    kind = schema.get("type")
    _put(out, "type", f"{kind} of {schema['items']}" if kind == "array" and schema.get("items") else kind)
    _put(out, "description", value.get("description"))
    _put(out, "valid_values", [_field_value(v) for v in _list_at(value, "validValues")])
    _put(out, "default", [_field_value(v) for v in _list_at(value, "defaultValues")])
    if value.get("visible") is False:
        out["visible"] = False
    return out


def _project_request_type_fields(data: Any, ctx: ViewContext) -> JSON:
    body = _require_dict(data, "request type fields")
    out: JSON = {"fields": [f for f in (_request_field(v) for v in _list_at(body, "requestTypeFields")) if f]}
    for src, dst in (
        ("canRaiseOnBehalfOf", "can_raise_on_behalf_of"),
        ("canAddRequestParticipants", "can_add_participants"),
    ):
        if isinstance(body.get(src), bool):
            out[dst] = body[src]
    return out


def _render_request_type_fields(view: JSON) -> str:
    lines = []
    for f in view["fields"]:
        head = f"{f['field_id']} · {f.get('name', '')}{' (required)' if f['required'] else ''}"
        extra = [f"{k}: {_inline(f[k])}" for k in ("type", "valid_values", "default", "description") if k in f]
        lines.append(" · ".join([head, *extra]))
    for key in ("can_raise_on_behalf_of", "can_add_participants"):
        if key in view:
            lines.append(f"{key}: {_inline(view[key])}")
    return "\n".join(lines) or "no fields"


def _project_request_ref(data: Any, ctx: ViewContext) -> JSON:
    """A created customer request -> key, id, agent and portal URLs, status, who raised it."""
    request = _require_dict(data, "customer request")
    key = request.get("issueKey")
    if not isinstance(key, str) or not key:
        raise ValueError("customer request: no issueKey")
    out: JSON = {"key": key}
    _put(out, "id", _id(request.get("issueId")))
    out["url"] = f"{ctx.site_url}/browse/{key}"
    _put(out, "portal_url", _obj_at(request, "_links").get("web"))
    _put(out, "status", _obj_at(request, "currentStatus").get("status"))
    _put(out, "request_type_id", _id(request.get("requestTypeId")))
    _put(out, "service_desk_id", _id(request.get("serviceDeskId")))
    _put(out, "reporter", _user_label(request.get("reporter")))
    _put(out, "note", request.get("onBehalfRefused"))
    return out


def _render_request_ref(view: JSON) -> str:
    lines = [" · ".join(str(view[k]) for k in ("key", "status", "url", "portal_url") if k in view)]
    if "reporter" in view:
        lines.append(f"reporter: {view['reporter']}")
    if "note" in view:
        lines.append(f"note: {view['note']}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------- SLAs


def _duration(value: Any) -> Any:
    return value.get("friendly") if isinstance(value, dict) else None


def _millis(value: Any) -> int | None:
    return _int_at(value, "millis") if isinstance(value, dict) else None


def _date(value: Any) -> Any:
    return value.get("iso8601") or value.get("jira") if isinstance(value, dict) else None


def _cycle(cycle: JSON, raw: bool) -> JSON:
    out: JSON = {}
    for src, dst in (("goalDuration", "goal"), ("elapsedTime", "elapsed"), ("remainingTime", "remaining")):
        _put(out, dst, _duration(cycle.get(src)))
        if raw:
            millis = _millis(cycle.get(src))
            if millis is not None:
                out[f"{dst}_millis"] = millis
    if isinstance(cycle.get("breached"), bool):
        out["breached"] = cycle["breached"]
    if raw:
        for src, dst in (("startTime", "start"), ("stopTime", "stop"), ("breachTime", "breach_time")):
            _put(out, dst, _date(cycle.get(src)))
    return out


def _sla(value: Any, raw: bool) -> JSON:
    if not isinstance(value, dict):
        return {}
    out: JSON = {}
    _put(out, "id", _id(value.get("id")))
    _put(out, "name", value.get("name"))
    ongoing = _obj_at(value, "ongoingCycle")
    completed = [c for c in _list_at(value, "completedCycles") if isinstance(c, dict)]
    if ongoing:
        out["state"] = "paused" if ongoing.get("paused") else "running"
        out.update(_cycle(ongoing, raw))
        if ongoing.get("withinCalendarHours") is False:
            out["outside_calendar_hours"] = True
    elif completed:
        out["state"] = "completed"
        out.update(_cycle(completed[-1], raw))
    else:
        out["state"] = "not started"
    if ongoing and completed:
        out["completed_cycles"] = [_cycle(c, raw) for c in completed]
    return out


def _project_sla(data: Any, ctx: ViewContext) -> JSON:
    body = _require_dict(data, "sla")
    raw = bool(ctx.arguments.get("include_raw_dates"))
    out: JSON = {
        "key": str(body.get("key", "")),
        "slas": [s for s in (_sla(v, raw) for v in _list_at(body, "slas")) if s],
    }
    for key in ("not_found", "available", "more"):
        _put(out, key, body.get(key))
    return out


def _render_sla(view: JSON) -> str:
    lines = [f"{view['key']}: {_count(len(view['slas']), 'SLA')}"]
    for s in view["slas"]:
        facts = [f"{k}: {_inline(v)}" for k, v in s.items() if k not in ("id", "name", "completed_cycles")]
        lines.append(" · ".join([str(s.get("name", s.get("id", "?"))), *facts]))
    for key in ("not_found", "available", "more"):
        if key in view:
            lines.append(f"{key}: {_inline(view[key])}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------- issue dates


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def _friendly(seconds: int) -> str:
    minutes, _ = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    return " ".join(parts) or f"{seconds}s"


def _status_changes(issue: JSON) -> list[JSON]:
    """Status changes from the changelog, oldest first: when, from, to and by whom."""
    changes = []
    for history in _list_at(_obj_at(issue, "changelog"), "histories"):
        if not isinstance(history, dict):
            continue
        for item in _list_at(history, "items"):
            if isinstance(item, dict) and item.get("field") == "status":
                change: JSON = {"at": history.get("created")}
                _put(change, "from", item.get("fromString"))
                _put(change, "to", item.get("toString"))
                _put(change, "by", _user_label(history.get("author")))
                changes.append(change)
    return sorted((c for c in changes if _when(c["at"])), key=lambda c: _when(c["at"]))  # type: ignore[arg-type,return-value]


def _time_in_status(created: datetime | None, current: Any, changes: list[JSON], now: datetime) -> list[JSON]:
    """Seconds spent in each status, in order of first entry; the current status counts up to now (ongoing)."""
    if created is None:
        return []
    status = changes[0].get("from") if changes else current
    since = created
    totals: dict[str, JSON] = {}
    for change in [*changes, {"at": None, "to": None}]:
        until = _when(change["at"]) if change["at"] else now
        if status is not None and until is not None:
            entry = totals.setdefault(str(status), {"status": str(status), "seconds": 0, "visits": 0})
            entry["seconds"] += max(0, int((until - since).total_seconds()))
            entry["visits"] += 1
        if change["at"] is None:
            break
        status, since = change.get("to"), until or since
    for entry in totals.values():
        entry["duration"] = _friendly(entry["seconds"])
    if current is not None and str(current) in totals:
        totals[str(current)]["ongoing"] = True
    return list(totals.values())


def _project_issue_dates(data: Any, ctx: ViewContext) -> JSON:
    issue = _require_dict(data, "jira issue")
    key = issue.get("key")
    if not isinstance(key, str) or not key:
        raise ValueError("jira issue: no key")
    fields = _obj_at(issue, "fields")
    out: JSON = {"key": key, "url": f"{ctx.site_url}/browse/{key}"}
    current = _name(fields.get("status"))
    _put(out, "status", current)
    for src, dst in (
        ("created", "created"),
        ("updated", "updated"),
        ("resolutiondate", "resolved"),
        ("duedate", "due_date"),
    ):
        _put(out, dst, fields.get(src))
    changes = _status_changes(issue)
    log = _obj_at(issue, "changelog")
    total, seen = _int_at(log, "total"), len(_list_at(log, "histories"))
    if total is not None and total > seen:
        out["changelog_note"] = f"only {seen} of {total} changes were returned; earlier statuses may be missing"
    if ctx.arguments.get("include_status_changes", True):
        _put(out, "status_changes", changes)
    if ctx.arguments.get("include_status_summary", True):
        _put(out, "time_in_status", _time_in_status(_when(fields.get("created")), current, changes, datetime.now(UTC)))
    return out


def _render_issue_dates(view: JSON) -> str:
    lines = [f"{view['key']} · {view.get('status', '')}".rstrip(" ·")]
    lines += [f"{k}: {view[k]}" for k in ("created", "updated", "resolved", "due_date", "changelog_note") if k in view]
    if "status_changes" in view:
        lines.append("status changes:")
        lines += [
            f"- {c['at']}: {c.get('from', '?')} → {c.get('to', '?')}" + (f" by {c['by']}" if "by" in c else "")
            for c in view["status_changes"]
        ]
    if "time_in_status" in view:
        lines.append("time in status:")
        for t in view["time_in_status"]:
            visits = f", {t['visits']} visits" if t["visits"] > 1 else ""
            lines.append(f"- {t['status']}: {t['duration']}{visits}{' (ongoing)' if t.get('ongoing') else ''}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------- schemas

_DESK_SCHEMA = _root(_obj({"id": _S, "project_key": _S, "project_name": _S, "project_id": _S}, ["id"]))
_QUEUES_SCHEMA = _root(
    _obj(
        {"queues": _arr(_obj({"id": _S, "name": _S, "jql": _S, "issue_count": _I}, ["id"])), **_PAGE_PROPS},
        ["queues", "is_last"],
    )
)
_QUEUE_ISSUES_SCHEMA = _root(
    _obj({"issues": _arr(_obj(_LIST_ITEM_PROPS, ["key"])), **_PAGE_PROPS}, ["issues", "is_last"])
)
_REQUEST_TYPES_SCHEMA = _root(
    _obj(
        {
            "request_types": _arr(
                _obj(
                    {"id": _S, "name": _S, "description": _S, "help_text": _S, "issue_type_id": _S, "group_ids": _STRS},
                    ["id"],
                )
            ),
            **_PAGE_PROPS,
        },
        ["request_types", "is_last"],
    )
)
_VALUES = {"type": "array", "items": {"type": ["string", "number", "boolean"]}}
_FIELDS_SCHEMA = _root(
    _obj(
        {
            "fields": _arr(
                _obj(
                    {
                        "field_id": _S,
                        "name": _S,
                        "required": _B,
                        "type": _S,
                        "description": _S,
                        "valid_values": _VALUES,
                        "default": _VALUES,
                        "visible": _B,
                    },
                    ["field_id", "required"],
                )
            ),
            "can_raise_on_behalf_of": _B,
            "can_add_participants": _B,
        },
        ["fields"],
    )
)
_REQUEST_REF_SCHEMA = _root(
    _obj(
        {
            "key": _S,
            "id": _S,
            "url": _S,
            "portal_url": _S,
            "status": _S,
            "request_type_id": _S,
            "service_desk_id": _S,
            "reporter": _S,
            "note": _S,
        },
        ["key", "url"],
    )
)
_CYCLE_PROPS: JSON = {
    "goal": _S, "elapsed": _S, "remaining": _S, "breached": _B, "goal_millis": {"type": "integer"},
    "elapsed_millis": {"type": "integer"}, "remaining_millis": {"type": "integer"}, "start": _S, "stop": _S,
    "breach_time": _S,
}  # fmt: skip
_SLA_SCHEMA = _root(
    _obj(
        {
            "key": _S,
            "slas": _arr(
                _obj(
                    {
                        "id": _S,
                        "name": _S,
                        "state": {"enum": ["running", "paused", "completed", "not started"]},
                        **_CYCLE_PROPS,
                        "outside_calendar_hours": _B,
                        "completed_cycles": _arr(_obj(_CYCLE_PROPS)),
                    },
                    ["state"],
                )
            ),
            "not_found": _STRS,
            "available": _STRS,
            "more": _S,
        },
        ["key", "slas"],
    )
)
_DATES_SCHEMA = _root(
    _obj(
        {
            "key": _S, "url": _S, "status": _S, "created": _S, "updated": _S, "resolved": _S, "due_date": _S,
            "changelog_note": _S,
            "status_changes": _arr(_obj({"at": _S, "from": _S, "to": _S, "by": _S}, ["at"])),
            "time_in_status": _arr(
                _obj({"status": _S, "seconds": _I, "visits": _I, "duration": _S, "ongoing": _B}, ["status", "seconds"])
            ),
        },
        ["key", "url"],
    )
)  # fmt: skip

register(
    View("jsm_service_desk", _project_desk, _render_desk, _DESK_SCHEMA),
    View("jsm_queues", _project_queues, _render_queues, _QUEUES_SCHEMA),
    View("jsm_queue_issues", _project_queue_issues, _render_queue_issues, _QUEUE_ISSUES_SCHEMA),
    View("jsm_request_types", _project_request_types, _render_request_types, _REQUEST_TYPES_SCHEMA),
    View("jsm_request_type_fields", _project_request_type_fields, _render_request_type_fields, _FIELDS_SCHEMA),
    View("jsm_request_ref", _project_request_ref, _render_request_ref, _REQUEST_REF_SCHEMA),
    View("jsm_sla", _project_sla, _render_sla, _SLA_SCHEMA),
    View("jira_issue_dates", _project_issue_dates, _render_issue_dates, _DATES_SCHEMA),
)
