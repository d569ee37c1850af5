"""Views of Confluence comments, labels, users, page views, templates and permissions: one shape per deployment pair.

Comments read as Markdown, people as the ids the API takes back (Cloud accountId; DC username/key), and a list
that stops short says so (`more`, `next_cursor`) instead of ending silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import (
    _B,
    _I,
    _S,
    _STRS,
    _USER_SCHEMA,
    JSON,
    View,
    ViewContext,
    _arr,
    _confluence_url,
    _count,
    _dig,
    _id,
    _inline,
    _int_at,
    _list_at,
    _obj,
    _obj_at,
    _put,
    _require_dict,
    _root,
    _user,
    register,
    storage_text,
)

# ------------------------------------------------------------------------------------------------- comments


def _more(data: Mapping[str, Any]) -> bool:
    return bool(data.get("more")) or bool(_dig(data, "_links", "next"))


def _comment(value: Any, base: Any, ctx: ViewContext) -> JSON:
    """A comment from Cloud v2 (footer or inline) or v1/Data Center (`type: comment`)."""
    if not isinstance(value, dict) or _id(value.get("id")) is None:
        return {}
    version, history = _obj_at(value, "version"), _obj_at(value, "history")
    out: JSON = {"id": _id(value["id"])}
    author = _user(history.get("createdBy")) or _user(version.get("by"))
    if author is None and version.get("authorId"):
        author = {"account_id": version["authorId"]}
    _put(out, "author", author)
    created = history.get("createdDate") or (version.get("createdAt") if version.get("number", 1) == 1 else None)
    _put(out, "created", created)
    changed = version.get("when") or version.get("createdAt")
    if changed and changed != created:
        out["updated"] = changed
    ancestors = [a for a in _list_at(value, "ancestors") if isinstance(a, dict) and a.get("type") == "comment"]
    parent = value.get("parentCommentId") or (ancestors[-1].get("id") if ancestors else None)
    _put(out, "parent_id", _id(parent))
    selection = _dig(value, "properties", "inlineOriginalSelection") or _dig(
        value, "extensions", "inlineProperties", "originalSelection"
    )
    _put(out, "selection", selection)
    resolution = value.get("resolutionStatus") or _dig(value, "extensions", "resolution", "status")
    _put(out, "resolution", resolution)
    _put(out, "body", storage_text(_dig(value, "body", "storage", "value")))
    _put(out, "url", _confluence_url(_dig(value, "_links", "webui"), base, ctx))
    return out


def _project_comments(data: Any, ctx: ViewContext) -> JSON:
    page = _require_dict(data, "confluence comments")
    base = _dig(page, "_links", "base")
    out: JSON = {"page_id": str(ctx.arguments.get("page_id", ""))}
    out["comments"] = [c for c in (_comment(x, base, ctx) for x in _list_at(page, "results")) if c]
    out["more"] = _more(page)
    return out


def _render_comments(view: dict[str, Any]) -> str:
    comments = view["comments"]
    head = f"{_count(len(comments), 'comment')} on page {view['page_id']}"
    lines = [head + (" · more exist than shown (the first 100 per thread are listed)" if view["more"] else "")]
    for c in comments:
        meta = [f"[{c['id']}]"]
        if "parent_id" in c:
            meta.append(f"reply to {c['parent_id']}")
        if "author" in c:
            meta.append(_inline(c["author"]))
        meta += [str(c[k]) for k in ("created", "resolution") if k in c]
        lines.append(" · ".join(meta))
        if "selection" in c:
            lines.append(f"on: “{c['selection']}”")
        if "body" in c:
            lines.append(str(c["body"]))
    return "\n".join(lines)


def _project_comment_ref(data: Any, ctx: ViewContext) -> JSON:
    """A created comment (v2 or v1/DC) -> its id, where it hangs and its link: not the whole comment again."""
    comment = _require_dict(data, "confluence comment")
    comment_id = _id(comment.get("id"))
    if comment_id is None:
        raise ValueError("confluence comment: no id")
    out: JSON = {"id": comment_id}
    _put(out, "page_id", _id(comment.get("pageId") or _dig(comment, "container", "id")))
    full = _comment(comment, _dig(comment, "_links", "base"), ctx)
    for key in ("parent_id", "selection", "url"):
        _put(out, key, full.get(key))
    return out


def _render_comment_ref(view: dict[str, Any]) -> str:
    parts = [f"comment {view['id']}"]
    if "parent_id" in view:
        parts.append(f"reply to {view['parent_id']}")
    if "page_id" in view:
        parts.append(f"page {view['page_id']}")
    return " · ".join(parts + [str(view[k]) for k in ("url",) if k in view])


# --------------------------------------------------------------------------------------------------- labels


def _label(value: Any) -> str | None:
    if not isinstance(value, dict) or not value.get("name"):
        return None
    prefix = value.get("prefix")
    return f"{prefix}:{value['name']}" if prefix not in (None, "", "global") else str(value["name"])


def _project_labels(data: Any, ctx: ViewContext) -> JSON:
    page = _require_dict(data, "confluence labels")
    out: JSON = {"page_id": str(ctx.arguments.get("page_id", ""))}
    if isinstance(ctx.arguments.get("name"), str):
        out["added"] = ctx.arguments["name"].strip().lower()
    out["labels"] = [n for n in (_label(x) for x in _list_at(page, "results")) if n]
    out["more"] = _more(page)
    return out


def _render_labels(view: dict[str, Any]) -> str:
    head = f"added {view['added']} to page {view['page_id']}; " if "added" in view else f"page {view['page_id']}: "
    return head + (", ".join(view["labels"]) or "no labels") + (" (more exist)" if view["more"] else "")


# ---------------------------------------------------------------------------------------------------- users


def _project_users(data: Any, ctx: ViewContext) -> JSON:
    """v1 `/search/user` and DC `/search` wrap each user in a hit; DC group members are plain users."""
    page = _require_dict(data, "confluence users")
    users = []
    for hit in _list_at(page, "results"):
        raw = hit.get("user") if isinstance(hit, dict) and isinstance(hit.get("user"), dict) else hit
        user = _user(raw)
        if user and isinstance(raw, dict):
            _put(user, "email", raw.get("email"))
            users.append(user)
    out: JSON = {"users": users}
    total = _int_at(page, "totalSize")
    if total is not None and total > len(users):
        out["total"] = total
    if page.get("group"):
        out["group"] = page["group"]
        if page.get("group_truncated"):
            out["group_truncated"] = True
    return out


def _render_users(view: dict[str, Any]) -> str:
    head = _count(len(view["users"]), "user")
    if "total" in view:
        head += f" of {view['total']} (raise limit, up to 50, or narrow the query)"
    if view.get("group_truncated"):
        head += f" · only the first 200 members of {view['group']} were searched"
    return "\n".join([head] + [_inline(u) for u in view["users"]])


# ------------------------------------------------------------------------------------------------ analytics


def _project_page_views(data: Any, ctx: ViewContext) -> JSON:
    views = _require_dict(data, "confluence page views")
    out: JSON = {"page_id": _id(views.get("id")) or str(ctx.arguments.get("page_id", ""))}
    out["views"] = _int_at(views, "count") or 0
    _put(out, "title", views.get("title"))
    return out


def _render_page_views(view: dict[str, Any]) -> str:
    title = f" ({view['title']})" if "title" in view else ""
    return f"page {view['page_id']}{title}: {_count(view['views'], 'view')}"


# ------------------------------------------------------------------------------------------------ templates


def _template(value: Any, with_body: bool) -> JSON:
    if not isinstance(value, dict) or not value.get("templateId"):
        return {}
    out: JSON = {"id": str(value["templateId"])}
    _put(out, "name", value.get("name"))
    _put(out, "description", value.get("description"))
    _put(out, "space", _dig(value, "space", "key"))
    _put(out, "labels", [n for n in (_label(x) for x in _list_at(value, "labels")) if n])
    if value.get("referencingBlueprint"):
        out["blueprint"] = True
    if with_body:
        _put(out, "body", storage_text(_dig(value, "body", "storage", "value")))
    return out


def _project_templates(data: Any, ctx: ViewContext) -> JSON:
    page = _require_dict(data, "confluence templates")
    templates = [t for t in (_template(x, False) for x in _list_at(page, "results")) if t]
    return {"templates": templates, "more": _more(page)}


def _render_templates(view: dict[str, Any]) -> str:
    more = " · more exist: raise limit (up to 200)" if view["more"] else ""
    lines = [_count(len(view["templates"]), "template") + more]
    for t in view["templates"]:
        where = f"space {t['space']}" if "space" in t else "global"
        lines.append(" · ".join(str(p) for p in (t["id"], t.get("name"), where, t.get("description")) if p))
    return "\n".join(lines)


def _project_template(data: Any, ctx: ViewContext) -> JSON:
    template = _template(_require_dict(data, "confluence template"), True)
    if not template:
        raise ValueError("confluence template: no templateId")
    return template


def _render_template(view: dict[str, Any]) -> str:
    head = " · ".join(str(view[k]) for k in ("id", "name", "space", "description") if k in view)
    return head + ("\n" + str(view["body"]) if "body" in view else "")


# ---------------------------------------------------------------------------------------------- permissions


def _project_permission_check(data: Any, ctx: ViewContext) -> JSON:
    answer = _require_dict(data, "confluence permission check")
    subject = _obj_at(answer, "subject")
    out: JSON = {
        "content_id": str(answer.get("content_id", "")),
        "subject": f"{subject.get('type', 'user')}:{subject.get('identifier', '')}",
        "operation": str(answer.get("operation", "")),
        "has_permission": answer.get("hasPermission") is True,
    }
    reasons = [e.get("translation") or e.get("key") for e in _list_at(answer, "errors") if isinstance(e, dict)]
    _put(out, "reasons", [r for r in reasons if isinstance(r, str) and r])
    return out


def _render_permission_check(view: dict[str, Any]) -> str:
    verdict = "may" if view["has_permission"] else "may not"
    text = f"{view['subject']} {verdict} {view['operation']} content {view['content_id']}"
    return text + ("; " + "; ".join(view["reasons"]) if "reasons" in view else "")


def _project_space_permissions(data: Any, ctx: ViewContext) -> JSON:
    """Assignments grouped by who holds them (one line per user, group or role), with the cursor for more."""
    page = _require_dict(data, "confluence space permissions")
    held: dict[str, list[str]] = {}
    for item in _list_at(page, "results"):
        if not isinstance(item, dict):
            continue
        principal = _obj_at(item, "principal")
        who = f"{principal.get('type', '?')}:{principal.get('id', '?')}"
        operation = _obj_at(item, "operation")
        held.setdefault(who, []).append(f"{operation.get('key', '?')} {operation.get('targetType', '')}".strip())
    out: JSON = {"space_id": str(page.get("space_id", ctx.arguments.get("space_id", "")))}
    out["permissions"] = [{"principal": who, "operations": ops} for who, ops in held.items()]
    following = _dig(page, "_links", "next")
    if isinstance(following, str):
        cursor = parse_qs(urlsplit(following).query).get("cursor")
        if cursor:
            out["next_cursor"] = cursor[0]
    return out


def _render_space_permissions(view: dict[str, Any]) -> str:
    head = f"space {view['space_id']}: {_count(len(view['permissions']), 'holder')}"
    head += f" · more: cursor={view['next_cursor']}" if "next_cursor" in view else " · last page"
    return "\n".join([head] + [f"{p['principal']}: {', '.join(p['operations'])}" for p in view["permissions"]])


# ---------------------------------------------------------------------------------------------------- schemas

_COMMENT = _obj(
    {
        "id": _S,
        "author": _USER_SCHEMA,
        "created": _S,
        "updated": _S,
        "parent_id": _S,
        "selection": _S,
        "resolution": _S,
        "body": _S,
        "url": _S,
    },
    ["id"],
)
_TEMPLATE_PROPS: JSON = {
    "id": _S,
    "name": _S,
    "description": _S,
    "space": _S,
    "labels": _STRS,
    "blueprint": _B,
    "body": _S,
}
_USER_OUT = _obj({**_USER_SCHEMA["properties"], "email": _S})

register(
    View(
        "confluence_comments",
        _project_comments,
        _render_comments,
        _root(_obj({"page_id": _S, "comments": _arr(_COMMENT), "more": _B}, ["page_id", "comments", "more"])),
    ),
    View(
        "confluence_comment_ref",
        _project_comment_ref,
        _render_comment_ref,
        _root(_obj({"id": _S, "page_id": _S, "parent_id": _S, "selection": _S, "url": _S}, ["id"])),
    ),
    View(
        "confluence_labels",
        _project_labels,
        _render_labels,
        _root(_obj({"page_id": _S, "added": _S, "labels": _STRS, "more": _B}, ["page_id", "labels", "more"])),
    ),
    View(
        "confluence_users",
        _project_users,
        _render_users,
        _root(_obj({"users": _arr(_USER_OUT), "total": _I, "group": _S, "group_truncated": _B}, ["users"])),
    ),
    View(
        "confluence_page_views",
        _project_page_views,
        _render_page_views,
        _root(_obj({"page_id": _S, "views": _I, "title": _S}, ["page_id", "views"])),
    ),
    View(
        "confluence_templates",
        _project_templates,
        _render_templates,
        _root(_obj({"templates": _arr(_obj(_TEMPLATE_PROPS, ["id"])), "more": _B}, ["templates", "more"])),
    ),
    View("confluence_template", _project_template, _render_template, _root(_obj(_TEMPLATE_PROPS, ["id"]))),
    View(
        "confluence_permission_check",
        _project_permission_check,
        _render_permission_check,
        _root(
            _obj(
                {"content_id": _S, "subject": _S, "operation": _S, "has_permission": _B, "reasons": _STRS},
                ["content_id", "subject", "operation", "has_permission"],
            )
        ),
    ),
    View(
        "confluence_space_permissions",
        _project_space_permissions,
        _render_space_permissions,
        _root(
            _obj(
                {
                    "space_id": _S,
                    "permissions": _arr(_obj({"principal": _S, "operations": _STRS}, ["principal", "operations"])),
                    "next_cursor": _S,
                },
                ["space_id", "permissions"],
            )
        ),
    ),
)
