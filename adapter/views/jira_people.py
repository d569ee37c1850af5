"""Views of Jira people and relations: user profiles, user lists, watchers, worklogs, link types, and the compact
confirmations of their writes (most of which answer 204, so the confirmation is built from the call itself)."""

from __future__ import annotations

from typing import Any

from . import (
    _B,
    _I,
    _RICH,
    _S,
    _USER_SCHEMA,
    JSON,
    View,
    ViewContext,
    _arr,
    _field_lines,
    _id,
    _inline,
    _int_at,
    _list_at,
    _obj,
    _put,
    _require_dict,
    _root,
    _user,
    _worklog,
    register,
)

_PROFILE_PROPS: JSON = {**_USER_SCHEMA["properties"], "email": _S, "time_zone": _S, "matched_by": _S}


def _person(value: Any) -> JSON:
    """A user as `_user` shows it, plus e-mail and time zone (which a profile is asked for)."""
    out = _user(value) or {}
    if isinstance(value, dict):
        _put(out, "email", value.get("emailAddress"))
        _put(out, "time_zone", value.get("timeZone"))
    return out


def _project_profile(data: Any, ctx: ViewContext) -> JSON:
    user = _require_dict(data, "jira user")
    out = _person(user)
    if not out:
        raise ValueError("jira user: no name or id")
    out.setdefault("display_name", out.get("name") or out.get("account_id") or out.get("key"))
    _put(out, "matched_by", user.get("matchedBy"))
    return out


def _render_profile(view: JSON) -> str:
    head = _inline({k: view[k] for k in ("display_name", "account_id", "name", "key", "active") if k in view})
    return "\n".join([head, *_field_lines(view, ("display_name", "account_id", "name", "key", "active"))])


def _project_user_list(data: Any, ctx: ViewContext) -> JSON:
    """A plain list of users (no total or cursor in these APIs): a full page says so, rather than look complete."""
    raw = data if isinstance(data, list) else []
    users = [u for u in (_person(v) for v in raw) if u]
    out: JSON = {"users": users}
    limit = ctx.arguments.get("limit")
    if isinstance(limit, int) and len(raw) >= limit:
        out["more"] = "the list may go on: raise limit or narrow query"
    return out


def _render_user_list(view: JSON) -> str:
    lines = [f"{len(view['users'])} user(s)" + (f" · {view['more']}" if "more" in view else "")]
    return "\n".join(lines + [f"- {_inline(u)}" for u in view["users"]])


def _issue_key(ctx: ViewContext) -> str | None:
    key = ctx.arguments.get("issue_key")
    return key if isinstance(key, str) and key else None


def _with_issue(out: JSON, ctx: ViewContext, key: Any) -> JSON:
    if isinstance(key, str) and key:
        out = {"key": key, "url": f"{ctx.site_url}/browse/{key}", **out}
    return out


def _project_watchers(data: Any, ctx: ViewContext) -> JSON:
    body = _require_dict(data, "jira watchers")
    watchers = [u for u in (_user(v) for v in _list_at(body, "watchers")) if u]
    out: JSON = {"watch_count": _int_at(body, "watchCount") or len(watchers)}
    if isinstance(body.get("isWatching"), bool):
        out["watching"] = body["isWatching"]
    out["watchers"] = watchers
    return _with_issue(out, ctx, _issue_key(ctx))


def _render_watchers(view: JSON) -> str:
    head = f"{view.get('key', 'issue')}: {view['watch_count']} watcher(s)"
    if "watching" in view:
        head += " · you are watching" if view["watching"] else " · you are not watching"
    return "\n".join([head, *(f"- {_inline(u)}" for u in view["watchers"])])


def _project_worklogs(data: Any, ctx: ViewContext) -> JSON:
    """An issue's worklog page; the total says when the site sent fewer than there are."""
    page = _require_dict(data, "jira worklogs")
    worklogs = [w for w in (_worklog(v) for v in _list_at(page, "worklogs")) if w]
    out: JSON = {"worklogs": worklogs}
    total = _int_at(page, "total")
    if total is not None:
        out["total"] = total
        if total > len(worklogs):
            out["omitted"] = total - len(worklogs)
    return _with_issue(out, ctx, _issue_key(ctx))


def _render_worklogs(view: JSON) -> str:
    shown = len(view["worklogs"])
    head = f"{view.get('key', 'issue')}: {shown} of {view.get('total', shown)} worklog(s)"
    return "\n".join([head, *(f"- {_inline(w)}" for w in view["worklogs"])])


def _project_link_types(data: Any, ctx: ViewContext) -> JSON:
    """`{issueLinkTypes: [...]}` (either API) or a bare list."""
    raw = data.get("issueLinkTypes") if isinstance(data, dict) else data
    types = []
    for item in raw if isinstance(raw, list) else []:
        kind: JSON = {}
        if isinstance(item, dict):
            _put(kind, "id", _id(item.get("id")))
            for key in ("name", "inward", "outward"):
                _put(kind, key, item.get(key))
        if kind:
            types.append(kind)
    return {"link_types": types}


def _render_link_types(view: JSON) -> str:
    lines = [f"{len(view['link_types'])} link type(s) · name: outward / inward"]
    lines += [f"- {t.get('name')} [{t.get('id')}]: {t.get('outward')} / {t.get('inward')}" for t in view["link_types"]]
    return "\n".join(lines)


def _project_change(data: Any, ctx: ViewContext) -> JSON:
    """A handler's confirmation of a write (ids and what changed), with the issue's browse URL when there is one."""
    change = _require_dict(data, "jira change")
    out = {k: v for k, v in change.items() if k != "key" and v not in (None, "", [], {})}
    if not out.get("action"):
        raise ValueError("jira change: no action")
    return _with_issue(out, ctx, change.get("key"))


def _render_change(view: JSON) -> str:
    head = " · ".join(str(view[k]) for k in ("action", "key", "url") if k in view)
    return "\n".join([head, *_field_lines(view, ("action", "key", "url"))])


def _project_epic_link(data: Any, ctx: ViewContext) -> JSON:
    """Both APIs answer 204: the confirmation is what was asked."""
    return _with_issue({"action": "linked to epic", "epic": str(ctx.arguments.get("epic_key"))}, ctx, _issue_key(ctx))


def _project_remote_link(data: Any, ctx: ViewContext) -> JSON:
    """`{id, self}` of the new remote link, with the link's target and title."""
    out: JSON = {"action": "remote link added"}
    _put(out, "id", _id(data.get("id")) if isinstance(data, dict) else None)  # the link exists even without an id
    _put(out, "link_url", ctx.arguments.get("url"))
    _put(out, "title", ctx.arguments.get("title"))
    return _with_issue(out, ctx, _issue_key(ctx))


_ISSUE_PROPS: JSON = {"key": _S, "url": _S}
_CHANGE_SCHEMA = _root(
    _obj(
        {
            **_ISSUE_PROPS,
            "action": _S,
            "id": _S,
            "user": _S,
            "account_id": _S,
            "username": _S,
            "matched_by": _S,
            "time_spent": _S,
            "started": _S,
            "original_estimate": _S,
            "remaining_estimate": _S,
            "link_type": _S,
            "inward_issue": _S,
            "outward_issue": _S,
            "link_id": _S,
            "epic": _S,
            "link_url": _S,
            "title": _S,
        },
        ["action"],
    )
)
_WORKLOG_SCHEMA = _obj({"id": _S, "author": _S, "started": _S, "time_spent": _S, "comment": _RICH})

register(
    View("jira_user_profile", _project_profile, _render_profile, _root(_obj(_PROFILE_PROPS, ["display_name"]))),
    View(
        "jira_user_list",
        _project_user_list,
        _render_user_list,
        _root(_obj({"users": _arr(_obj(_PROFILE_PROPS)), "more": _S}, ["users"])),
    ),
    View(
        "jira_watchers",
        _project_watchers,
        _render_watchers,
        _root(
            _obj(
                {**_ISSUE_PROPS, "watch_count": _I, "watching": _B, "watchers": _arr(_USER_SCHEMA)},
                ["watch_count", "watchers"],
            )
        ),
    ),
    View(
        "jira_worklogs",
        _project_worklogs,
        _render_worklogs,
        _root(_obj({**_ISSUE_PROPS, "worklogs": _arr(_WORKLOG_SCHEMA), "total": _I, "omitted": _I}, ["worklogs"])),
    ),
    View(
        "jira_link_types",
        _project_link_types,
        _render_link_types,
        _root(_obj({"link_types": _arr(_obj({"id": _S, "name": _S, "inward": _S, "outward": _S}))}, ["link_types"])),
    ),
    View("jira_people_change", _project_change, _render_change, _CHANGE_SCHEMA),
    View("jira_epic_link", _project_epic_link, _render_change, _CHANGE_SCHEMA),
    View("jira_remote_link", _project_remote_link, _render_change, _CHANGE_SCHEMA),
)
