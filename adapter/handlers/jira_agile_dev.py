"""Boards and sprints (agile API 1.0), development info, and project analysis composed of JQL searches."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from . import HandlerContext, ToolError, handler, is_number, quoted_list, scoped_query, split

JSON = Any

LIST_FIELDS = "summary,status,issuetype,priority,assignee,updated"  # jira_search's default
EPIC_CHILDREN_LIMIT = 100  # one search for the children of all listed epics; more are counted, not listed
# Data Center: the Epic Link field's id is unknown until `names` says it, so navigable fields minus the bulky ones
DC_EPIC_CHILD_FIELDS = ["*navigable", "-description", "-environment", "-comment", "-worklog", "-attachment",
                        "-issuelinks", "-subtasks"]  # fmt: skip
LINK_FIELDS = ["summary", "status", "issuetype", "issuelinks"]


def _number(name: str, value: str) -> int:
    """Board and sprint ids are numbers; the tools take them as strings like mcp-atlassian's."""
    text = str(value).strip()
    if not is_number(text):
        raise ToolError(f"{name}: expected a numeric id, got {value!r}")
    return int(text)


def _bounded(args: dict[str, Any], name: str, default: int, high: int) -> int:
    """A page size within what the API serves (Jira caps agile pages at 50, searches at 100)."""
    value = args.get(name)
    return min(max(value, 1), high) if isinstance(value, int) else default


def _paging(args: dict[str, Any]) -> dict[str, Any]:
    start = args.get("start_at")
    return {"start_at": max(start, 0) if isinstance(start, int) else 0, "max_results": _bounded(args, "limit", 10, 50)}


def _fields(args: dict[str, Any]) -> list[str]:
    return split(args.get("fields") or LIST_FIELDS)


def _agile(ctx: HandlerContext, cloud_op: str, dc_op: str | None = None) -> str:
    """Cloud's agile API is its own spec (jira-software); Data Center's spec carries the same API."""
    return f"jira-software/{cloud_op}" if ctx.cloud else f"jira-dc/{dc_op or cloud_op}"


def _scope_jql(ctx: HandlerContext, jql: str) -> str:
    """JIRA_PROJECTS_FILTER applies to board and sprint issues as it does to searches."""
    return scoped_query(jql, "project", list(ctx.scope))


def _keys(ctx: HandlerContext, value: str) -> list[str]:
    keys = [k.upper() for k in re.split(r"[\s,;]+", value) if k]  # "A-1, A-2", "A-1 A-2": both mean two keys
    if not keys:
        raise ToolError("issue_keys: give at least one issue key")
    outside = sorted({k.rsplit("-", 1)[0] for k in keys} - set(ctx.scope)) if ctx.scope else []
    if outside:
        raise ToolError(f"project {', '.join(outside)} is outside this server's projects ({', '.join(ctx.scope)})")
    return keys


@handler
async def jira_get_board_issues(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    return await ctx.call(
        _agile(ctx, "getIssuesForBoard"),
        board_id=_number("board_id", args["board_id"]),
        jql=_scope_jql(ctx, args["jql"]) or None,
        fields=_fields(args),
        expand=args.get("expand") or None,
        **_paging(args),
    )


@handler
async def jira_get_sprints_from_board(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    return await ctx.call(
        _agile(ctx, "getAllSprints"),
        board_id=_number("board_id", args["board_id"]),
        state=",".join(split(args.get("state"))) or None,
        **_paging(args),
    )


@handler
async def jira_get_sprint_issues(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """One agile call (theirs searches `sprint = N` with JQL); fields are honoured (their #1229)."""
    return await ctx.call(
        _agile(ctx, "getIssuesForSprint", "getIssuesForSprint_1"),
        sprint_id=_number("sprint_id", args["sprint_id"]),
        jql=_scope_jql(ctx, "") or None,
        fields=_fields(args),
        **_paging(args),
    )


def _sprint_body(args: dict[str, Any]) -> dict[str, Any]:
    names = {"name": "name", "goal": "goal", "start_date": "startDate", "end_date": "endDate", "state": "state"}
    return {field: args[param] for param, field in names.items() if args.get(param) is not None}


@handler
async def jira_create_sprint(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    body = {"originBoardId": _number("board_id", args["board_id"]), **_sprint_body(args)}
    return await ctx.call(_agile(ctx, "createSprint"), body=body)


@handler
async def jira_update_sprint(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """A partial update: only what is given changes (theirs too), and nothing given is refused, not sent."""
    sprint_id = _number("sprint_id", args["sprint_id"])
    body = _sprint_body(args)
    if not body:
        raise ToolError("nothing to update: give name, state, start_date, end_date or goal")
    return await ctx.call(_agile(ctx, "partiallyUpdateSprint"), body=body, sprint_id=sprint_id)


@handler
async def jira_add_issues_to_sprint(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    sprint_id = _number("sprint_id", args["sprint_id"])
    keys = _keys(ctx, args["issue_keys"])
    await ctx.call(_agile(ctx, "moveIssuesToSprintAndRank", "moveIssuesToSprint"), body={"issues": keys},
                   sprint_id=sprint_id)  # fmt: skip
    return {"moved_to": f"sprint {sprint_id}", "issues": keys}


@handler
async def jira_move_issues_to_backlog(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    keys = _keys(ctx, args["issue_keys"])
    await ctx.call(_agile(ctx, "moveIssuesToBacklog"), body={"issues": keys})
    return {"moved_to": "backlog", "issues": keys}


# --- project analysis: JQL searches ---------------------------------------------------------------------------


async def _search(ctx: HandlerContext, jql: str, fields: list[str], limit: int) -> JSON:
    """One page of a JQL search: Cloud's /search/jql (token paging, no total), DC's /search (total)."""
    if ctx.cloud:
        body = {"jql": jql, "fields": fields, "maxResults": limit}
        return await ctx.call("jira-platform/searchAndReconsileIssuesUsingJqlPost", body=body)
    return await ctx.call("jira-dc/search_1", jql=jql, fields=fields, max_results=limit, start_at=0)


def _more(page: JSON, shown: int) -> bool:
    """Whether a search page left issues out (Cloud says so with a token, DC with its total)."""
    if page.get("nextPageToken"):
        return True
    total = page.get("total")
    return isinstance(total, int) and total > shown


def _project(ctx: HandlerContext, key: str) -> str:
    key = key.strip().upper()
    if not key:
        raise ToolError("project_key: give a project key")
    return key


async def _epic_children(ctx: HandlerContext, epics: list[str]) -> JSON:
    """The issues of these epics in one search. Cloud links them by `parent`; Data Center by its Epic Link custom
    field, whose id differs per site: it is read from `names`, and copied into `parent` as Cloud has it."""
    if ctx.cloud:
        jql = _scope_jql(ctx, f"parent in ({quoted_list(epics)}) ORDER BY key ASC")
        return await _search(ctx, jql, ["summary", "status", "issuetype", "parent"], EPIC_CHILDREN_LIMIT)
    jql = _scope_jql(ctx, f'"Epic Link" in ({quoted_list(epics)}) ORDER BY key ASC')
    page = await ctx.call(
        "jira-dc/search_1", jql=jql, fields=DC_EPIC_CHILD_FIELDS, expand="names", max_results=EPIC_CHILDREN_LIMIT
    )
    names = (page or {}).get("names") or {}
    epic_link = next((fid for fid, name in names.items() if str(name).lower() == "epic link"), None)
    for issue in (page or {}).get("issues") or []:
        fields = issue.get("fields") if isinstance(issue, dict) else None
        if isinstance(fields, dict) and epic_link and isinstance(fields.get(epic_link), str):
            fields["parent"] = {"key": fields[epic_link]}
    return page


@handler
async def jira_get_project_epic_hierarchy(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """Epics of the project (with their parents, often in another project), then all their children at once."""
    project = _project(ctx, args["project_key"])
    max_epics = _bounded(args, "max_epics", 20, 50)
    epics = await _search(
        ctx,
        f"project = {quoted_list([project])} AND issuetype = Epic ORDER BY key ASC",
        ["summary", "status", "parent"],
        max_epics,
    )
    epic_issues = (epics or {}).get("issues") or []
    result: JSON = {"project": project, "epics": epic_issues, "epics_more": _more(epics or {}, len(epic_issues))}
    keys = [issue["key"] for issue in epic_issues if isinstance(issue, dict) and issue.get("key")]
    if keys:
        children = await _epic_children(ctx, keys)
        child_issues = (children or {}).get("issues") or []
        result["children"] = child_issues
        result["children_more"] = _more(children or {}, len(child_issues))
    return result


@handler
async def jira_get_cross_project_dependencies(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """Scans the project's issues (bounded) and keeps the links whose other end is in another project."""
    project = _project(ctx, args["project_key"])
    page = await _search(
        ctx, f"project = {quoted_list([project])} ORDER BY key ASC", LINK_FIELDS, _bounded(args, "max_issues", 50, 100)
    )
    issues = (page or {}).get("issues") or []
    return {"project": project, "issues": issues, "scanned": len(issues), "more": _more(page or {}, len(issues))}


# --- development information (dev-status: undocumented, added to the specs by specs/overrides) ----------------

DEV_DATA_TYPES = ("pullrequest", "branch", "repository")  # what the detail call serves (builds etc. only count)
MAX_DEV_ISSUES = 20


async def _development(ctx: HandlerContext, key: str, app_type: str | None, data_type: str | None) -> JSON:
    """Summary first, then one detail call per (tool, data type) the summary reports data for (theirs: all 12)."""
    api = "jira-platform" if ctx.cloud else "jira-dc"
    issue_id = key
    if not is_number(key):  # dev-status takes the numeric id only
        found = await ctx.call(f"{api}/getIssue", issue_id_or_key=key, fields=["summary"] if ctx.cloud else "summary")
        issue_id = str(found.get("id") or "") if isinstance(found, dict) else ""
        if not is_number(issue_id):
            raise ToolError(f"{key}: Jira answered without the issue's numeric id")
    summary = (await ctx.call(f"{api}/getDevStatusSummary", issue_id=issue_id) or {}).get("summary") or {}
    wanted = [data_type] if data_type else ["pullrequest", "repository"]  # pullrequest also lists the branches
    calls = []
    for kind in wanted:
        instances = {k for k, v in ((summary.get(kind) or {}).get("byInstanceType") or {}).items() if v.get("count")}
        if kind == "pullrequest" and not data_type:  # branches without pull requests come with the same call
            instances |= {k for k, v in ((summary.get("branch") or {}).get("byInstanceType") or {}).items()
                          if v.get("count")}  # fmt: skip
        calls += [(tool, kind) for tool in sorted(instances) if not app_type or tool.lower() == app_type.lower()]
    detail: list[JSON] = []
    for tool, kind in calls:
        answer = await ctx.call(f"{api}/getDevStatusDetail", issue_id=issue_id, application_type=tool, data_type=kind)
        detail += (answer or {}).get("detail") or []
    return {"issue_key": key.upper(), "summary": summary, "detail": detail}


def _dev_filters(args: dict[str, Any]) -> tuple[str | None, str | None]:
    data_type = (args.get("data_type") or "").strip().lower() or None
    if data_type and data_type not in DEV_DATA_TYPES:
        raise ToolError(f"data_type: one of {', '.join(DEV_DATA_TYPES)}, not {data_type!r}")
    return (args.get("application_type") or "").strip() or None, data_type


@handler
async def jira_get_issue_development_info(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    return await _development(ctx, args["issue_key"].strip(), *_dev_filters(args))


@handler
async def jira_get_issues_development_info(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """Each issue on its own: one that fails (missing, no permission) is reported, the others still answer."""
    from jira_sdk import AtlassianError

    filters = _dev_filters(args)
    keys = _keys(ctx, args["issue_keys"])
    if len(keys) > MAX_DEV_ISSUES:
        raise ToolError(f"issue_keys: at most {MAX_DEV_ISSUES} issues per call, got {len(keys)}")

    async def one(key: str) -> JSON:
        try:
            return await _development(ctx, key, *filters)
        except AtlassianError as exc:
            return {"issue_key": key, "error": f"Jira answered {exc.status_code}: {'; '.join(exc.error_messages)}"}

    return {"issues": list(await asyncio.gather(*(one(key) for key in keys)))}
