"""Jira people and relations: user lookup, watchers, worklogs, issue links.

Users are named by whatever the model has (account id, e-mail, username, display name); each handler resolves
that in as few calls as the API allows and says which attribute matched.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from ..invoke import markdown_to_adf, markdown_to_wiki
from . import JSON, HandlerContext, ToolError, handler, is_number

# Cloud account ids: 24 alphanumerics ("5b10a2844c20165700ede21g") or "<digits>:<uuid>" ("557058:f581...").
_ACCOUNT_ID = re.compile(r"(?:\d+:[0-9a-fA-F-]{36}|[0-9a-zA-Z]{24})")
_DURATION = re.compile(r"\s*(?:\d+(?:\.\d+)?\s*[wdhm]\s*)+", flags=re.IGNORECASE)


def looks_like_account_id(value: str) -> bool:
    return bool(_ACCOUNT_ID.fullmatch(value)) and any(ch.isdigit() for ch in value)


def looks_like_username(value: str) -> bool:
    """What Data Center takes as-is: no '@' (an e-mail) and no space (a display name)."""
    return bool(value) and "@" not in value and not any(ch.isspace() for ch in value)


def _api(ctx: HandlerContext) -> str:
    return "jira-platform" if ctx.cloud else "jira-dc"


def _user_ref(user: JSON) -> str:
    return str(user.get("accountId") or user.get("name") or user.get("key") or "")


def pick_user(identifier: str, users: Any) -> tuple[JSON, str]:
    """The one user a search answer means by `identifier`, and which attribute matched; ToolError otherwise."""
    found = [u for u in users if isinstance(u, dict)] if isinstance(users, list) else []
    wanted = identifier.strip().casefold()
    for attribute, label in (
        ("accountId", "account_id"),
        ("name", "username"),
        ("key", "key"),
        ("emailAddress", "email"),
        ("displayName", "display_name"),
    ):
        exact = [u for u in found if str(u.get(attribute) or "").casefold() == wanted]
        if len(exact) == 1:
            return exact[0], label
        if len(exact) > 1:
            found = exact
            break
    if len(found) == 1:
        return found[0], "search"
    if not found:
        raise ToolError(f"no user matches {identifier!r}")
    names = ", ".join(f"{u.get('displayName')} ({_user_ref(u)})" for u in found[:10])
    raise ToolError(f"{len(found)} users match {identifier!r}: {names}; give the account id or username")


async def find_user(ctx: HandlerContext, identifier: str) -> tuple[JSON, str]:
    """One user search (Cloud: display name and e-mail; Data Center: username, name and e-mail)."""
    if ctx.cloud:
        users = await ctx.call("jira-platform/findUsers", query=identifier, max_results=20)
    else:
        users = await ctx.call("jira-dc/findUsers", username=identifier, max_results=20)
    return pick_user(identifier, users)


async def user_id(ctx: HandlerContext, identifier: str) -> tuple[str, str, JSON | None]:
    """(what the watcher APIs take, what matched, the user if it was looked up): ids pass straight through."""
    identifier = identifier.strip()
    if not identifier:
        raise ToolError("user_identifier: empty")
    if ctx.cloud and looks_like_account_id(identifier):
        return identifier, "account_id", None
    if not ctx.cloud and looks_like_username(identifier):
        return identifier, "username", None
    user, matched = await find_user(ctx, identifier)
    return _user_ref(user), matched, user


@handler
async def jira_get_user_profile(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    identifier = args["user_identifier"].strip()
    if ctx.cloud and looks_like_account_id(identifier):
        user, matched = await ctx.call("jira-platform/getUser", account_id=identifier), "account_id"
    else:
        user, matched = await find_user(ctx, identifier)
    return {**user, "matchedBy": matched}


def _check_keys(ctx: HandlerContext, *keys: str) -> None:
    """JIRA_PROJECTS_FILTER covers every issue a tool touches, not just `issue_key`."""
    for key in keys:
        project = key.rsplit("-", 1)[0].upper()
        if ctx.scope and project not in ctx.scope:
            raise ToolError(f"project {project} is outside this server's projects ({', '.join(ctx.scope)})")


def _who(ctx: HandlerContext, ident: str, matched: str, user: JSON | None) -> JSON:
    """Who the write was about: the id the API took (account id on Cloud, username on DC) and what matched."""
    out: JSON = {"user": (user or {}).get("displayName") or ident, "matched_by": matched}
    out["account_id" if ctx.cloud else "username"] = ident
    return out


@handler
async def jira_add_watcher(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    ident, matched, user = await user_id(ctx, args["user_identifier"])
    if ctx.cloud:
        await ctx.call("jira-platform/addWatcher", body=ident, issue_id_or_key=args["issue_key"])
    else:
        await ctx.call("jira-dc/addWatcher_1", body=ident, issue_id_or_key=args["issue_key"])
    return {"key": args["issue_key"], "action": "watcher added", **_who(ctx, ident, matched, user)}


@handler
async def jira_remove_watcher(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    given = args.get("account_id") or args.get("username")
    if not given:
        raise ToolError("give account_id (Cloud) or username (Data Center)")
    ident, matched, user = await user_id(ctx, given)
    if ctx.cloud:
        await ctx.call("jira-platform/removeWatcher", issue_id_or_key=args["issue_key"], account_id=ident)
    else:
        await ctx.call("jira-dc/removeWatcher_1", issue_id_or_key=args["issue_key"], username=ident)
    return {"key": args["issue_key"], "action": "watcher removed", **_who(ctx, ident, matched, user)}


def jira_started(value: str) -> str:
    """ISO 8601 (what models write) -> Jira's worklog time, `2026-01-17T12:34:00.000+0000`; naive means UTC."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ToolError(f"started: not an ISO date-time: {value!r} (e.g. 2026-01-17T09:30:00+01:00)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}" + moment.strftime("%z")


def _duration(name: str, value: str) -> str:
    if not _DURATION.fullmatch(value):
        raise ToolError(f"{name}: expected a Jira duration like '1h 30m', '2d' or '45m', got {value!r}")
    return " ".join(value.split())


@handler
async def jira_add_worklog(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """One call; two when original_estimate is set, which only an issue edit can change."""
    key = args["issue_key"]
    body: JSON = {"timeSpent": _duration("time_spent", args["time_spent"])}
    if args.get("started"):
        body["started"] = jira_started(args["started"])
    if args.get("comment"):
        body["comment"] = markdown_to_adf(args["comment"]) if ctx.cloud else markdown_to_wiki(args["comment"])
    remaining = args.get("remaining_estimate")
    original = args.get("original_estimate")
    query: JSON = {}
    if remaining:  # adjustEstimate=new sets the remaining estimate in the same call
        query = {"adjust_estimate": "new", "new_estimate": _duration("remaining_estimate", remaining)}
    if original:
        tracking = {"originalEstimate": _duration("original_estimate", original)}
        await ctx.call(f"{_api(ctx)}/editIssue", body={"fields": {"timetracking": tracking}}, issue_id_or_key=key)
    worklog = await ctx.call(f"{_api(ctx)}/addWorklog", body=body, issue_id_or_key=key, **query)
    worklog = worklog if isinstance(worklog, dict) else {}
    out: JSON = {"key": key, "action": "work logged", "id": str(worklog.get("id", ""))}
    out["time_spent"] = worklog.get("timeSpent") or body["timeSpent"]
    out["started"] = worklog.get("started") or body.get("started")
    if original:
        out["original_estimate"] = original
    if remaining:
        out["remaining_estimate"] = remaining
    return out


@handler
async def jira_get_link_types(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """The API has no filter: name_filter keeps the types whose name, inward or outward text contains it."""
    answer = await ctx.call(f"{_api(ctx)}/getIssueLinkTypes")
    types = answer.get("issueLinkTypes") if isinstance(answer, dict) else answer
    wanted = (args.get("name_filter") or "").strip().casefold()
    if wanted and isinstance(types, list):
        texts = ("name", "inward", "outward")
        types = [t for t in types if isinstance(t, dict) and any(wanted in str(t.get(k)).casefold() for k in texts)]
    return {"issueLinkTypes": types}


@handler
async def jira_create_issue_link(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    inward, outward = args["inward_issue_key"], args["outward_issue_key"]
    _check_keys(ctx, inward, outward)
    body: JSON = {"type": {"name": args["link_type"]}, "inwardIssue": {"key": inward}, "outwardIssue": {"key": outward}}
    if args.get("comment"):
        text = args["comment"]
        body["comment"] = {"body": markdown_to_adf(text) if ctx.cloud else markdown_to_wiki(text)}
        if args.get("comment_visibility"):
            body["comment"]["visibility"] = args["comment_visibility"]
    elif args.get("comment_visibility"):
        raise ToolError("comment_visibility: needs a comment")
    await ctx.call(f"{_api(ctx)}/linkIssues", body=body)
    return {"action": "issues linked", "link_type": args["link_type"], "inward_issue": inward, "outward_issue": outward}


@handler
async def jira_remove_issue_link(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """One call; with JIRA_PROJECTS_FILTER set, the link is read first to check both of its issues."""
    link_id = args["link_id"].strip()
    if not is_number(link_id):
        raise ToolError(f"link_id: expected a numeric issue link id, got {link_id!r}")
    out: JSON = {"action": "issue link removed", "link_id": link_id}
    if ctx.scope:
        link = await ctx.call(f"{_api(ctx)}/getIssueLink", link_id=link_id)
        keys = [str((link or {}).get(side, {}).get("key") or "") for side in ("inwardIssue", "outwardIssue")]
        _check_keys(ctx, *keys)
        out["inward_issue"], out["outward_issue"] = keys
    await ctx.call(f"{_api(ctx)}/deleteIssueLink", link_id=link_id)
    return out
