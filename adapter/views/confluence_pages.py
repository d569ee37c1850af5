"""Views of the Confluence page tools: children, space tree, diff, restrictions and write confirmations.

Pages go through the shared page projection (`_project_page`), so Cloud v2 and v1/Data Center answers come out
in one shape; lists say how to get their next page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import (
    _B,
    _I,
    _PAGE_PROPS,
    _S,
    _STRS,
    JSON,
    View,
    ViewContext,
    _arr,
    _count,
    _field_lines,
    _id,
    _int_at,
    _list_at,
    _obj,
    _obj_at,
    _project_page,
    _render_page_ref,
    _require_dict,
    _root,
    register,
)


def _with_position(item: Any, ctx: ViewContext) -> JSON:
    page = _project_page(item, ctx)
    if isinstance(item, dict):
        if item.get("type") not in (None, "page"):
            page["type"] = item["type"]
        position = item.get("childPosition", item.get("position"))
        if isinstance(position, int):
            page["position"] = position
    page.pop("space_id", None)
    return page


def _project_children(data: Any, ctx: ViewContext) -> JSON:
    """Direct children (Cloud v2: cursor paging; Data Center: start/limit), each page in the shared shape."""
    found = _require_dict(data, "confluence children")
    items = _list_at(found, "results")
    out: JSON = {"parent_id": str(found.get("parent_id", "")), "pages": [_with_position(i, ctx) for i in items]}
    start = _int_at(found, "start") or 0
    out["start"] = start
    following = _obj_at(found, "_links").get("next")
    if isinstance(following, str) and following:
        query = parse_qs(urlsplit(following).query)
        if query.get("cursor") and ctx.deployment == "cloud":
            out["next_cursor"] = query["cursor"][0]
        else:
            out["next_start"] = start + len(items)
    out["is_last"] = "next_cursor" not in out and "next_start" not in out
    return out


def _render_children(view: dict[str, Any]) -> str:
    head = f"{_count(len(view['pages']), 'child')} of {view['parent_id']} from {view.get('start', 0)}"
    if "next_cursor" in view:
        head += f" · more: cursor={view['next_cursor']}"
    elif "next_start" in view:
        head += f" · more: start={view['next_start']}"
    else:
        head += " · last page"
    lines = [head]
    for page in view["pages"]:
        lines.append(" · ".join(str(page[k]) for k in ("id", "title", "type", "url") if k in page))
        if "body" in page:
            lines.append(str(page["body"]))
    return "\n".join(lines)


def _project_tree(data: Any, ctx: ViewContext) -> JSON:
    """A space's pages as a flat list in tree order (parents first), each with its parent and depth."""
    found = _require_dict(data, "confluence page tree")
    nodes: list[JSON] = []
    for item in _list_at(found, "pages"):
        if not isinstance(item, dict) or _id(item.get("id")) is None:
            continue
        parent = item.get("parentId")
        ancestors = item.get("ancestors")
        if parent is None and isinstance(ancestors, list) and ancestors and isinstance(ancestors[-1], dict):
            parent = ancestors[-1].get("id")
        node: JSON = {"id": str(item["id"]), "title": item.get("title", "")}
        if _id(parent):
            node["parent_id"] = str(parent)
        nodes.append(node)
    known = {n["id"] for n in nodes}
    children: dict[str | None, list[JSON]] = {}
    for node in nodes:
        parent_id = node.get("parent_id")
        children.setdefault(parent_id if parent_id in known else None, []).append(node)
    ordered: list[JSON] = []

    def walk(parent: str | None, depth: int) -> None:
        for node in children.get(parent, []):
            ordered.append({**node, "depth": depth})
            walk(node["id"], depth + 1)

    walk(None, 0)
    out: JSON = {"space": found.get("space", ""), "pages": ordered, "more": bool(found.get("more"))}
    if out["more"]:
        out["hint"] = f"more pages than limit={found.get('limit')}; raise limit to see the rest"
    return out


def _render_tree(view: dict[str, Any]) -> str:
    lines = [
        f"{_count(len(view['pages']), 'page')} in {view['space']}" + (f" · {view['hint']}" if "hint" in view else "")
    ]
    lines += [f"{'  ' * p['depth']}{p['id']} · {p['title']}" for p in view["pages"]]
    return "\n".join(lines)


def _project_diff(data: Any, ctx: ViewContext) -> JSON:
    found = _require_dict(data, "confluence page diff")
    return {k: v for k, v in found.items() if v not in (None, "")} | {"diff": found.get("diff", "")}


def _render_diff(view: dict[str, Any]) -> str:
    head = f"page {view['page_id']} v{view['from_version']} -> v{view['to_version']}"
    if "title_change" in view:
        head += f" · title: {view['title_change']}"
    return head + "\n" + (view["diff"] or "(no change in the body)")


def _who(entry: Any) -> JSON:
    """A restricted user as the id the set tool takes (accountId or username) and a display name."""
    if not isinstance(entry, dict):
        return {"id": str(entry)}
    out: JSON = {"id": str(entry.get("accountId") or entry.get("username") or entry.get("userKey") or "")}
    if entry.get("displayName"):
        out["name"] = entry["displayName"]
    return out


def _project_restrictions(data: Any, ctx: ViewContext) -> JSON:
    """byOperation answers (the operations at the top, or under `restrictions`) or a set tool's confirmation."""
    found = _require_dict(data, "confluence restrictions")
    out: JSON = {"page_id": str(found.get("page_id", ""))}
    if isinstance(found.get("set"), dict):
        for op, value in found["set"].items():
            out[op] = {"users": [{"id": u} for u in value["users"]], "groups": list(value["groups"])}
        out["done"] = "restrictions replaced"
        return out
    by_op = _obj_at(found, "restrictions")
    if isinstance(by_op.get("restrictions"), dict) and not isinstance(by_op.get("read"), dict):
        by_op = by_op["restrictions"]
    for op in ("read", "update"):
        r = _obj_at(_obj_at(by_op, op), "restrictions")
        users = [_who(u) for u in _list_at(_obj_at(r, "user"), "results")]
        groups = [str(g.get("name") or g.get("id")) for g in _list_at(_obj_at(r, "group"), "results") if g]
        out[op] = {"users": [u for u in users if u.get("id")], "groups": groups}
    return out


def _render_restrictions(view: dict[str, Any]) -> str:
    lines = [f"page {view['page_id']}" + (f" · {view['done']}" if "done" in view else "")]
    for op, label in (("read", "view"), ("update", "edit")):
        value = view.get(op) or {}
        users = ", ".join(f"{u.get('name', '')} [{u['id']}]".strip() for u in value.get("users", []))
        groups = ", ".join(value.get("groups", []))
        lines.append(f"{label} ({op}): users: {users or 'anyone'}; groups: {groups or '-'}")
    return "\n".join(lines)


def _project_change(data: Any, ctx: ViewContext) -> JSON:
    """A write's confirmation: the page reference, plus the body (Markdown) only when asked, and what was set."""
    found = _require_dict(data, "confluence page change")
    page = _project_page(found, ctx)
    out: JSON = {k: page[k] for k in ("id", "title", "version", "url") if k in page}
    if "body" in page:
        out["body"] = page["body"]
    for key in ("properties_set", "section"):
        if found.get(key):
            out[key] = found[key]
    return out


def _render_change(view: dict[str, Any]) -> str:
    lines = [_render_page_ref(view)]
    lines += _field_lines(view, ("id", "title", "version", "url", "body"))
    if "body" in view:
        lines += ["body:", str(view["body"])]
    return "\n".join(lines)


def _project_done(data: Any, ctx: ViewContext) -> JSON:
    found = _require_dict(data, "confluence page action")
    return {k: str(v) for k, v in found.items() if v not in (None, "")}


def _render_done(view: dict[str, Any]) -> str:
    return f"page {view['id']} · {view['done']}"


_CHANGE_SCHEMA = _root(
    _obj(
        {
            **{k: _PAGE_PROPS[k] for k in ("id", "title", "version", "url")},
            "body": _S,
            "properties_set": _STRS,
            "section": _S,
        },
        ["id"],
    )
)
_CHILD = _obj({**_PAGE_PROPS, "position": {"type": "integer"}}, ["id"])
_OP = _obj({"users": _arr(_obj({"id": _S, "name": _S}, ["id"])), "groups": _STRS})

register(
    View(
        "confluence_page_children",
        _project_children,
        _render_children,
        _root(
            _obj(
                {
                    "parent_id": _S,
                    "pages": _arr(_CHILD),
                    "start": _I,
                    "next_start": _I,
                    "next_cursor": _S,
                    "is_last": _B,
                },
                ["parent_id", "pages", "is_last"],
            )
        ),
    ),
    View(
        "confluence_page_tree",
        _project_tree,
        _render_tree,
        _root(
            _obj(
                {
                    "space": _S,
                    "pages": _arr(_obj({"id": _S, "title": _S, "parent_id": _S, "depth": _I}, ["id", "depth"])),
                    "more": _B,
                    "hint": _S,
                },
                ["space", "pages", "more"],
            )
        ),
    ),
    View(
        "confluence_page_diff",
        _project_diff,
        _render_diff,
        _root(
            _obj(
                {"page_id": _S, "from_version": _I, "to_version": _I, "title_change": _S, "diff": _S},
                ["page_id", "diff"],
            )
        ),
    ),
    View(
        "confluence_restrictions",
        _project_restrictions,
        _render_restrictions,
        _root(_obj({"page_id": _S, "read": _OP, "update": _OP, "done": _S}, ["page_id"])),
    ),
    View("confluence_page_change", _project_change, _render_change, _CHANGE_SCHEMA),
    View(
        "confluence_page_done",
        _project_done,
        _render_done,
        _root(_obj({"id": _S, "done": _S, "position": _S, "target_id": _S}, ["id", "done"])),
    ),
)
