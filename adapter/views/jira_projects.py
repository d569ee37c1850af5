"""Views of Jira projects, issue types, create fields, components and versions: ids a model can pass back, names,
dates and flags; no avatars, self links or nulls. Allowed values are cut to names, and long lists say so."""

from __future__ import annotations

from typing import Any

from . import (
    _B,
    _I,
    _S,
    _STRS,
    JSON,
    View,
    ViewContext,
    _arr,
    _count,
    _id,
    _inline,
    _obj,
    _put,
    _root,
    _user_label,
    compact,
    register,
)

ALLOWED_CAP = 50  # allowed values listed per field; the rest are counted


def _items(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else data
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


# ----------------------------------------------------------------------------------------------- projects


def _project(value: dict[str, Any]) -> JSON:
    out: JSON = {}
    _put(out, "key", _id(value.get("key")))
    _put(out, "name", _id(value.get("name")))
    _put(out, "id", _id(value.get("id")))
    _put(out, "type", _id(value.get("projectTypeKey")))
    category = value.get("projectCategory")
    _put(out, "category", _id(category.get("name")) if isinstance(category, dict) else None)
    if value.get("archived") is True:
        out["archived"] = True
    return out


def _project_list(data: Any, ctx: ViewContext) -> JSON:
    out: JSON = {"projects": [p for p in (_project(v) for v in _items(data, "projects")) if "key" in p]}
    if isinstance(data, dict):
        for key in ("total", "next_start_at"):
            if isinstance(data.get(key), int):
                out[key] = data[key]
        if data.get("more"):
            out["more"] = True
    return out


def _render_project_list(view: JSON) -> str:
    projects = view["projects"]
    head = _count(len(projects), "project") + (f" of {view['total']}" if "total" in view else "")
    if "next_start_at" in view:
        head += f" · more after {view['next_start_at']}"
    elif view.get("more"):
        head += " · more match: refine the query or raise max_results"
    lines = [head]
    for p in projects:
        extra = ", ".join(str(p[k]) for k in ("type", "category") if k in p) + (
            ", archived" if p.get("archived") else ""
        )
        lines.append(" · ".join(str(x) for x in (p["key"], p.get("name"), p.get("id"), extra) if x))
    return "\n".join(lines)


# -------------------------------------------------------------------------------------------- issue types


def _issue_type(value: dict[str, Any]) -> JSON:
    out: JSON = {}
    _put(out, "id", _id(value.get("id")))
    _put(out, "name", _id(value.get("name")))
    if value.get("subtask") is True:
        out["subtask"] = True
    _put(out, "description", _id(value.get("description")))
    return out


def _issue_types(data: Any, ctx: ViewContext) -> JSON:
    out: JSON = {"project": str(data.get("project", "")) if isinstance(data, dict) else ""}
    out["issue_types"] = [t for t in (_issue_type(v) for v in _items(data, "issue_types")) if "id" in t]
    return out


def _render_issue_types(view: JSON) -> str:
    lines = [f"{view['project']}: {_count(len(view['issue_types']), 'issue type')}"]
    for t in view["issue_types"]:
        line = f"{t['id']} · {t.get('name', '')}" + (" (subtask)" if t.get("subtask") else "")
        lines.append(line + (f" · {t['description']}" if t.get("description") else ""))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- create meta


def _allowed(value: Any) -> Any:
    """One allowed value as what a model writes back: a name, key or value; the id when that is all there is."""
    if not isinstance(value, dict):
        return value
    for key in ("key", "name", "value"):
        if value.get(key) not in (None, ""):
            label = value[key]
            child = value.get("children")
            if key == "value" and isinstance(child, list) and child:
                return {"value": label, "children": [_allowed(c) for c in child]}
            return label
    return _id(value.get("id")) or compact(value)


def _field_type(schema: Any) -> str | None:
    if not isinstance(schema, dict):
        return None
    kind = schema.get("type")
    return f"array<{schema.get('items', 'any')}>" if kind == "array" else (str(kind) if kind else None)


def _field(value: dict[str, Any]) -> JSON:
    out: JSON = {}
    _put(out, "id", _id(value.get("fieldId") or value.get("key")))
    _put(out, "name", _id(value.get("name")))
    out["required"] = value.get("required") is True
    _put(out, "type", _field_type(value.get("schema")))
    allowed = value.get("allowedValues")
    if isinstance(allowed, list) and allowed:
        out["allowed_values"] = [_allowed(v) for v in allowed[:ALLOWED_CAP]]
        if len(allowed) > ALLOWED_CAP:
            out["allowed_values_omitted"] = len(allowed) - ALLOWED_CAP
    if value.get("hasDefaultValue") and value.get("defaultValue") is not None:
        _put(out, "default", _allowed(value["defaultValue"]))
    return out


def _merged(by_type: list[Any]) -> tuple[list[JSON], list[str]]:
    """Fields across issue types: one entry each, naming the types that require it or (if not all) have it."""
    names = [str((t.get("issue_type") or {}).get("name")) for t in by_type if isinstance(t, dict)]
    merged: dict[str, JSON] = {}
    seen_in: dict[str, list[str]] = {}
    required_in: dict[str, list[str]] = {}
    for entry, type_name in zip(by_type, names, strict=False):
        for raw in _items(entry, "fields"):
            field = _field(raw)
            if "id" not in field:
                continue
            fid = field["id"]
            merged.setdefault(fid, {**field, "required": False})
            seen_in.setdefault(fid, []).append(type_name)
            if field["required"]:
                required_in.setdefault(fid, []).append(type_name)
    out = []
    for fid, field in merged.items():
        del field["required"]
        if required_in.get(fid):
            field["required_for"] = required_in[fid]
        if len(seen_in[fid]) < len(names):
            field["issue_types"] = seen_in[fid]
        out.append(field)
    return out, names


def _create_fields(data: Any, ctx: ViewContext) -> JSON:
    if not isinstance(data, dict):
        raise ValueError(f"create fields: expected a JSON object, got {type(data).__name__}")
    out: JSON = {"project": str(data.get("project", ""))}
    if "by_type" in data:
        out["fields"], out["issue_types"] = _merged(data["by_type"] if isinstance(data["by_type"], list) else [])
        return out
    issue_type: JSON = {}
    _put(issue_type, "id", _id((data.get("issue_type") or {}).get("id")))
    _put(issue_type, "name", _id((data.get("issue_type") or {}).get("name")))
    _put(out, "issue_type", issue_type)
    out["fields"] = [f for f in (_field(v) for v in _items(data, "fields")) if "id" in f]
    return out


def _render_create_fields(view: JSON) -> str:
    kind = view.get("issue_type") or {}
    head = view["project"] + (f" · {kind.get('name') or kind.get('id')}" if kind else "")
    if view.get("issue_types"):
        head += f" · issue types: {', '.join(view['issue_types'])}"
    lines = [f"{head} · {_count(len(view['fields']), 'field')}"]
    for f in view["fields"]:
        parts = [f"{f['id']} ({f.get('name', '')})", f.get("type", "")]
        if f.get("required"):
            parts.append("required")
        if f.get("required_for"):
            parts.append(f"required for {', '.join(f['required_for'])}")
        if f.get("issue_types"):
            parts.append(f"only {', '.join(f['issue_types'])}")
        if "default" in f:
            parts.append(f"default {_inline(f['default'])}")
        line = " · ".join(p for p in parts if p)
        if "allowed_values" in f:
            line += f" · allowed: {_inline(f['allowed_values'])}"
            if f.get("allowed_values_omitted"):
                line += f" (+{f['allowed_values_omitted']} more)"
        lines.append(line)
    return "\n".join(lines)


# ------------------------------------------------------------------------------------ components, versions


def _component(value: dict[str, Any]) -> JSON:
    out: JSON = {}
    _put(out, "id", _id(value.get("id")))
    _put(out, "name", _id(value.get("name")))
    _put(out, "description", _id(value.get("description")))
    _put(out, "lead", _user_label(value.get("lead")))
    return out


def _component_list(data: Any, ctx: ViewContext) -> JSON:
    return {"components": [c for c in (_component(v) for v in _items(data, "components")) if "id" in c]}


def _render_component_list(view: JSON) -> str:
    lines = [_count(len(view["components"]), "component")]
    for c in view["components"]:
        lines.append(" · ".join(str(c[k]) for k in ("id", "name", "lead", "description") if k in c))
    return "\n".join(lines)


def _version(value: dict[str, Any]) -> JSON:
    out: JSON = {}
    _put(out, "id", _id(value.get("id")))
    _put(out, "name", _id(value.get("name")))
    for key in ("released", "archived"):
        if isinstance(value.get(key), bool):
            out[key] = value[key]
    if value.get("overdue") is True:
        out["overdue"] = True
    _put(out, "start_date", _id(value.get("startDate")))
    _put(out, "release_date", _id(value.get("releaseDate")))
    _put(out, "description", _id(value.get("description")))
    return out


def _version_list(data: Any, ctx: ViewContext) -> JSON:
    return {"versions": [v for v in (_version(x) for x in _items(data, "versions")) if "id" in v]}


def _version_line(v: JSON) -> str:
    state = "released" if v.get("released") else "unreleased"
    state += ", archived" if v.get("archived") else ""
    state += ", overdue" if v.get("overdue") else ""
    dates = " → ".join(str(v[k]) for k in ("start_date", "release_date") if k in v)
    parts = [v.get("id"), v.get("name"), state, dates, v.get("description"), v.get("url")]
    return " · ".join(str(p) for p in parts if p)


def _render_version_list(view: JSON) -> str:
    return "\n".join([_count(len(view["versions"]), "version"), *map(_version_line, view["versions"])])


def _version_url(ctx: ViewContext, project: Any, version_id: Any) -> str | None:
    return f"{ctx.site_url}/projects/{project}/versions/{version_id}" if project and version_id else None


CHANGEABLE = ("name", "description", "start_date", "release_date", "archived", "released")


def _version_ref(data: Any, ctx: ViewContext) -> JSON:
    """A created or updated version: what it is now, where to see it and, for an update, what was set."""
    value = data if isinstance(data, dict) else {}
    out = _version(value)
    out.setdefault("id", str(ctx.arguments.get("version_id", "")))
    project = _id(value.get("project")) or ctx.arguments.get("project_key")
    _put(out, "project", project)
    _put(out, "url", _version_url(ctx, project, out["id"]))
    if "version_id" in ctx.arguments:
        out["updated"] = [k for k in CHANGEABLE if ctx.arguments.get(k) is not None]
    return out


def _render_version_ref(view: JSON) -> str:
    line = _version_line(view)
    return line + (f"\nupdated: {', '.join(view['updated'])}" if view.get("updated") else "")


def _version_batch(data: Any, ctx: ViewContext) -> JSON:
    value = data if isinstance(data, dict) else {}
    project = value.get("project")
    created = []
    for raw in _items(value, "created"):
        version = _version(raw)
        _put(version, "url", _version_url(ctx, project, version.get("id")))
        created.append(version)
    failed = []
    for raw in _items(value, "failed"):
        item: JSON = {"index": raw.get("index", 0)}
        _put(item, "name", _id(raw.get("name")))
        item["error"] = str(raw.get("error", ""))
        failed.append(item)
    return {"project": str(project or ""), "created": created, "failed": failed}


def _render_version_batch(view: JSON) -> str:
    lines = [f"{view['project']}: {len(view['created'])} created, {len(view['failed'])} failed"]
    lines += [f"created {_version_line(v)}" for v in view["created"]]
    lines += [f"failed #{f['index']} {f.get('name', '')}: {f['error']}" for f in view["failed"]]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------- schemas

_PROJECT = _obj({"key": _S, "name": _S, "id": _S, "type": _S, "category": _S, "archived": _B}, ["key"])
_FIELD = _obj(
    {
        "id": _S,
        "name": _S,
        "required": _B,
        "type": _S,
        "allowed_values": {"type": "array"},
        "allowed_values_omitted": _I,
        "default": {},
        "required_for": _STRS,
        "issue_types": _STRS,
    },
    ["id"],
)
_VERSION_PROPS: JSON = {
    "id": _S,
    "name": _S,
    "released": _B,
    "archived": _B,
    "overdue": _B,
    "start_date": _S,
    "release_date": _S,
    "description": _S,
    "url": _S,
}
_VERSION = _obj(_VERSION_PROPS, ["id"])

register(
    View(
        "jira_project_list",
        _project_list,
        _render_project_list,
        _root(_obj({"projects": _arr(_PROJECT), "total": _I, "next_start_at": _I, "more": _B}, ["projects"])),
    ),
    View(
        "jira_issue_types",
        _issue_types,
        _render_issue_types,
        _root(
            _obj(
                {
                    "project": _S,
                    "issue_types": _arr(_obj({"id": _S, "name": _S, "subtask": _B, "description": _S}, ["id"])),
                },
                ["project", "issue_types"],
            )
        ),
    ),
    View(
        "jira_create_fields",
        _create_fields,
        _render_create_fields,
        _root(
            _obj(
                {
                    "project": _S,
                    "issue_type": _obj({"id": _S, "name": _S}),
                    "issue_types": _STRS,
                    "fields": _arr(_FIELD),
                },
                ["project", "fields"],
            )
        ),
    ),
    View(
        "jira_component_list",
        _component_list,
        _render_component_list,
        _root(
            _obj(
                {"components": _arr(_obj({"id": _S, "name": _S, "description": _S, "lead": _S}, ["id"]))},
                ["components"],
            )
        ),
    ),
    View(
        "jira_version_list",
        _version_list,
        _render_version_list,
        _root(_obj({"versions": _arr(_VERSION)}, ["versions"])),
    ),
    View(
        "jira_version_ref",
        _version_ref,
        _render_version_ref,
        _root(_obj({**_VERSION_PROPS, "project": _S, "updated": _STRS}, ["id"])),
    ),
    View(
        "jira_version_batch",
        _version_batch,
        _render_version_batch,
        _root(
            _obj(
                {
                    "project": _S,
                    "created": _arr(_VERSION),
                    "failed": _arr(_obj({"index": _I, "name": _S, "error": _S}, ["index", "error"])),
                },
                ["project", "created", "failed"],
            )
        ),
    ),
)
