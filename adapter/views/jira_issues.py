"""Views of the Jira issue-area tools: fields, field options, transitions, batch results, changelogs, writes."""

from __future__ import annotations

from typing import Any

from . import (
    _B,
    _I,
    _S,
    _STRS,
    View,
    ViewContext,
    _arr,
    _changelog,
    _id,
    _inline,
    _obj,
    _obj_at,
    _put,
    _require_dict,
    _root,
    _transitions,
    compact,
    register,
)

JSON = dict[str, Any]


def _field(value: Any) -> JSON:
    out: JSON = {}
    if not isinstance(value, dict):
        return out
    _put(out, "id", value.get("id"))
    _put(out, "name", value.get("name"))
    schema = _obj_at(value, "schema")
    kind = schema.get("type")
    _put(out, "type", f"{kind} of {schema['items']}" if kind == "array" and schema.get("items") else kind)
    _put(out, "custom_type", str(schema.get("custom", "")).rsplit(":", 1)[-1])
    clauses = [c for c in value.get("clauseNames") or [] if c not in (value.get("id"), value.get("name"))]
    _put(out, "jql", clauses[-1] if clauses else None)
    return out


def _project_fields(data: Any, ctx: ViewContext) -> JSON:
    found = _require_dict(data, "jira fields")
    fields = [f for f in (_field(x) for x in found.get("fields") or []) if f]
    return {"fields": fields, "total": found.get("total", len(fields))}


def _render_fields(view: JSON) -> str:
    head = f"{len(view['fields'])} of {view['total']} fields"
    lines = [head] + [" · ".join(str(f[k]) for k in ("id", "name", "type", "custom_type", "jql") if k in f)
                      for f in view["fields"]]  # fmt: skip
    return "\n".join(lines)


def _option(value: Any) -> JSON:
    """A context option (Cloud) or a createmeta allowed value (Data Center): id, value, disabled."""
    out: JSON = {}
    if not isinstance(value, dict):
        return out
    _put(out, "id", _id(value.get("id")))
    _put(out, "value", value.get("value") or value.get("name"))
    _put(out, "parent_id", _id(value.get("optionId")))
    if value.get("disabled"):
        out["disabled"] = True
    return out


def _project_options(data: Any, ctx: ViewContext) -> JSON:
    found = _require_dict(data, "jira field options")
    options = [o for o in (_option(x) for x in found.get("options") or []) if o]
    out: JSON = {"field_id": found.get("field_id")}
    _put(out, "context_id", found.get("context_id"))
    if ctx.arguments.get("values_only"):
        out["values"] = [o["value"] for o in options if "value" in o]
    else:
        out["options"] = options
    out["total"] = found.get("total", len(options))
    return out


def _render_options(view: JSON) -> str:
    shown: list[Any] = view.get("values") or view.get("options") or []
    head = f"{view['field_id']}: {len(shown)} of {view['total']} options"
    if "context_id" in view:
        head += f" (context {view['context_id']})"
    if "values" in view:
        return head + "\n" + "\n".join(str(v) for v in view["values"])
    lines = [f"{o.get('id', '')} · {o.get('value', '')}" + (" (disabled)" if o.get("disabled") else "")
             for o in view["options"]]  # fmt: skip
    return "\n".join([head, *lines])


def _project_transition_list(data: Any, ctx: ViewContext) -> JSON:
    found = _require_dict(data, "jira transitions")
    return {"transitions": _transitions(found.get("transitions"))}


def _render_transition_list(view: JSON) -> str:
    lines = [
        f"{t.get('id')} · {t.get('name')} → {t.get('to', '?')}" + ("" if t.get("available", True) else " (blocked)")
        for t in view["transitions"]
    ]
    return "\n".join(lines) or "no transitions available"


def _project_batch(data: Any, ctx: ViewContext) -> JSON:
    """Bulk create: what was created (key, URL) and which elements failed, by index, with Jira's reasons."""
    found = _require_dict(data, "jira batch create")
    created = []
    for issue in found.get("issues") or []:
        if isinstance(issue, dict) and issue.get("key"):
            created.append(
                {"key": issue["key"], "id": _id(issue.get("id")), "url": f"{ctx.site_url}/browse/{issue['key']}"}
            )
    failed = []
    for error in found.get("errors") or []:
        if not isinstance(error, dict):
            continue
        details = _obj_at(error, "elementErrors")
        reasons = list(details.get("errorMessages") or []) + [
            f"{k}: {v}" for k, v in (details.get("errors") or {}).items()
        ]
        failed.append({"index": error.get("failedElementNumber"), "errors": reasons})
    out: JSON = {"created": created}
    _put(out, "failed", failed)
    if "validated" in found:
        out["validated"] = found["validated"]
    return out


def _render_batch(view: JSON) -> str:
    if "validated" in view:
        return f"{view['validated']} issues valid; nothing created (validate_only)"
    lines = [f"created {len(view['created'])}"] + [f"{c['key']} · {c['url']}" for c in view["created"]]
    for fail in view.get("failed", []):
        lines.append(f"failed issues[{fail['index']}]: {'; '.join(fail['errors'])}")
    return "\n".join(lines)


def _project_changelogs(data: Any, ctx: ViewContext) -> JSON:
    found = _require_dict(data, "jira changelogs")
    logs = _obj_at(found, "changelogs")
    issues = [{"issue_id": issue_id, "changes": _changelog({"histories": h})} for issue_id, h in logs.items()]
    return {"issues": issues, "more": bool(found.get("more"))}


def _render_changelogs(view: JSON) -> str:
    lines = []
    for issue in view["issues"]:
        lines.append(f"issue {issue['issue_id']}:")
        for entry in issue["changes"]:
            changes = "; ".join(f"{c.get('field', '?')}: {_inline(c.get('from', ''))} → {_inline(c.get('to', ''))}"
                                for c in entry.get("changes", []))  # fmt: skip
            lines.append(f"- {entry.get('created', '')} {entry.get('author', '')}: {changes}")
    lines.append("more: raise limit" if view["more"] else "complete")
    return "\n".join(lines)


def _project_done(data: Any, ctx: ViewContext) -> JSON:
    """A write's confirmation: the handler's facts, or (a 204 with no body, e.g. delete) the issue key it was given."""
    if data is None:
        key = str(ctx.arguments.get("issue_key", ""))
        return {"key": key, "deleted": True}
    found = _require_dict(data, "jira write")
    if not isinstance(found.get("key"), str):
        raise ValueError("jira write: no key")
    return {k: v for k, v in (compact(found) or {}).items()}


def _render_done(view: JSON) -> str:
    return " · ".join(f"{k}: {_inline(v)}" if k != "key" else str(v) for k, v in view.items())


register(
    View(
        "jira_field_list",
        _project_fields,
        _render_fields,
        _root(
            _obj(
                {"fields": _arr(_obj({"id": _S, "name": _S, "type": _S, "custom_type": _S, "jql": _S})), "total": _I},
                ["fields"],
            )
        ),  # fmt: skip
    ),
    View(
        "jira_field_options",
        _project_options,
        _render_options,
        _root(
            _obj(
                {
                    "field_id": _S,
                    "context_id": _S,
                    "options": _arr(_obj({"id": _S, "value": _S, "parent_id": _S, "disabled": _B})),
                    "values": _STRS,
                    "total": _I,
                },
                ["total"],
            )
        ),  # fmt: skip
    ),
    View(
        "jira_transition_list",
        _project_transition_list,
        _render_transition_list,
        _root(_obj({"transitions": _arr(_obj({"id": _S, "name": _S, "to": _S, "available": _B}))}, ["transitions"])),
    ),
    View(
        "jira_batch_created",
        _project_batch,
        _render_batch,
        _root(
            _obj(
                {
                    "created": _arr(_obj({"key": _S, "id": _S, "url": _S})),
                    "failed": _arr(_obj({"index": _I, "errors": _STRS})),
                    "validated": _I,
                },
                ["created"],
            )
        ),  # fmt: skip
    ),
    View(
        "jira_changelogs",
        _project_changelogs,
        _render_changelogs,
        _root(_obj({"issues": _arr(_obj({"issue_id": _S, "changes": _arr(_obj({}))})), "more": _B}, ["issues"])),
    ),
    View(
        "jira_issue_done",
        _project_done,
        _render_done,
        _root(_obj({"key": _S, "url": _S, "deleted": _B, "assignee": _S, "new_key": _S, "status": _S}, ["key"])),
    ),
)
