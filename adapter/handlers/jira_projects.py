"""Jira projects: project lists and searches kept inside JIRA_PROJECTS_FILTER, create metadata, versions."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from . import JSON, HandlerContext, ToolError, handler, is_number, split

PAGE = 100  # projects per request (Cloud's maximum)
MAX_PAGES = 20  # a site with more projects than this gets an honest "more" instead of endless paging
META_PAGE = 200  # createmeta's maximum page size (Cloud and Data Center)


def _api(ctx: HandlerContext) -> str:
    return "jira-platform" if ctx.cloud else "jira-dc"


def _in_scope(ctx: HandlerContext, project: Any) -> bool:
    return not ctx.scope or (isinstance(project, dict) and str(project.get("key", "")).upper() in ctx.scope)


@handler
async def jira_get_all_projects(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    archived = bool(args.get("include_archived"))
    if not ctx.cloud:
        found = await ctx.call("jira-dc/getAllProjects", include_archived=archived)
        projects = [p for p in found or [] if _in_scope(ctx, p)]
        return {"projects": projects, "total": len(projects)}
    projects, start, more = [], 0, True
    for _ in range(MAX_PAGES):
        page = await ctx.call(
            "jira-platform/searchProjects",
            start_at=start,
            max_results=PAGE,
            order_by="key",
            keys=list(ctx.scope) or None,
            status=["live", "archived"] if archived else None,
        )
        values = (page or {}).get("values") or []
        projects += values
        start += len(values)
        total = (page or {}).get("total")
        more = not (page or {}).get("isLast", True) and bool(values)
        more = more and not (isinstance(total, int) and start >= total)
        if not more:
            break
    result: dict[str, Any] = {"projects": projects}
    if more:
        result["next_start_at"] = start  # more than MAX_PAGES pages: say so rather than truncate silently
    else:
        result["total"] = len(projects)
    return result


@handler
async def jira_search_projects(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    limit = args["max_results"]
    skip = set(split(args.get("current_project_ids")))
    if ctx.cloud:
        page = await ctx.call(
            "jira-platform/searchProjects",
            query=args["query"],
            max_results=min(limit + len(skip), PAGE),
            keys=list(ctx.scope) or None,
            order_by="key",
        )
        found, total = (page or {}).get("values") or [], (page or {}).get("total")
    else:
        # the picker knows no project filter: ask for more when the filter will drop some
        asked = PAGE if ctx.scope or skip else limit
        page = await ctx.call("jira-dc/searchForProjects", query=args["query"], max_results=asked)
        found, total = (page or {}).get("projects") or [], (page or {}).get("total")
        if ctx.scope:
            total = None  # the picker's total counts projects outside the filter
    kept = [p for p in found if _in_scope(ctx, p) and str(p.get("id")) not in skip]
    result: dict[str, Any] = {"projects": kept[:limit]}
    if isinstance(total, int) and not skip:
        result["total"] = total
    if len(kept) > limit or (isinstance(total, int) and total > len(found)):
        result["more"] = True
    return result


async def _issue_types(ctx: HandlerContext, project: str) -> list[Any]:
    """Every issue type creatable in the project (createmeta pages through them; one request in practice)."""
    ref = "jira-platform/getCreateIssueMetaIssueTypes" if ctx.cloud else "jira-dc/getCreateIssueMetaProjectIssueTypes"
    found: list[Any] = []
    while True:
        page = await ctx.call(ref, project_id_or_key=project, **_paging(ctx, len(found)))
        values = (page or {}).get("issueTypes" if ctx.cloud else "values") or []
        found += values
        if not values or _last(page, len(found)):
            return found


async def _fields(ctx: HandlerContext, project: str, type_id: str) -> list[Any]:
    ref = "jira-platform/getCreateIssueMetaIssueTypeId" if ctx.cloud else "jira-dc/getCreateIssueMetaFields"
    found: list[Any] = []
    while True:
        page = await ctx.call(ref, project_id_or_key=project, issue_type_id=type_id, **_paging(ctx, len(found)))
        page = page or {}
        values = page.get("fields") or page.get("results") or page.get("values") or []
        found += values
        if not values or _last(page, len(found)):
            return found


def _paging(ctx: HandlerContext, start: int) -> dict[str, Any]:
    """Data Center's createmeta declares its paging parameters as strings."""
    if ctx.cloud:
        return {"start_at": start, "max_results": META_PAGE}
    return {"start_at": str(start), "max_results": str(META_PAGE)}


def _last(page: Any, seen: int) -> bool:
    if not isinstance(page, dict):
        return True
    if isinstance(page.get("isLast"), bool):
        return bool(page["isLast"])
    total = page.get("total")
    return not isinstance(total, int) or seen >= total


def _type_ref(value: Any) -> dict[str, Any]:
    return {"id": str(value.get("id")), "name": value.get("name")} if isinstance(value, dict) else {}


@handler
async def jira_get_project_issue_types(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    return {"project": args["project_key"], "issue_types": await _issue_types(ctx, args["project_key"])}


@handler
async def jira_get_create_fields(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    project, wanted = args["project_key"], args["issue_type_id"].strip()
    issue_type: dict[str, Any] = {"id": wanted}
    if not is_number(wanted):  # a name: one more request to find its id
        types = await _issue_types(ctx, project)
        match = next((t for t in types if str(t.get("name", "")).lower() == wanted.lower()), None)
        if match is None:
            names = ", ".join(f"{t.get('name')} ({t.get('id')})" for t in types)
            raise ToolError(f"issue_type_id: no issue type {wanted!r} in {project}; it has {names}")
        issue_type = _type_ref(match)
    fields = await _fields(ctx, project, issue_type["id"])
    return {"project": project, "issue_type": issue_type, "fields": fields}


@handler
async def jira_get_project_fields(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    project = args["project_key"]
    types = [ref for ref in map(_type_ref, await _issue_types(ctx, project)) if ref]
    per_type = await asyncio.gather(*(_fields(ctx, project, t["id"]) for t in types))
    return {
        "project": project,
        "by_type": [{"issue_type": t, "fields": f} for t, f in zip(types, per_type, strict=True)],
    }


VERSION_KEYS = {
    "name": "name",
    "description": "description",
    "start_date": "startDate",
    "startDate": "startDate",
    "release_date": "releaseDate",
    "releaseDate": "releaseDate",
    "released": "released",
    "archived": "archived",
}


def _version_body(item: Any) -> dict[str, Any]:
    """A version of the batch as Jira's body; snake_case and Jira's camelCase keys are both accepted."""
    if not isinstance(item, dict):
        raise ToolError("expected an object with at least a name")
    unknown = sorted(set(item) - set(VERSION_KEYS))
    if unknown:
        raise ToolError(f"unknown key(s) {', '.join(unknown)}; use {', '.join(sorted(VERSION_KEYS))}")
    if not isinstance(item.get("name"), str) or not item["name"].strip():
        raise ToolError("name is required")
    body = {VERSION_KEYS[k]: v for k, v in item.items() if v is not None}
    _check_dates(body)
    return body


def _check_dates(body: dict[str, Any]) -> None:
    """Dates as Jira takes them (YYYY-MM-DD), refused here with the argument's name rather than by the site."""
    for key, name in (("startDate", "start_date"), ("releaseDate", "release_date")):
        value = body.get(key)
        if value is None:
            continue
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            date.fromisoformat(value)
        except ValueError:
            raise ToolError(f"{name}: expected a date as YYYY-MM-DD, got {value!r}") from None
    for key in ("released", "archived"):
        if key in body and not isinstance(body[key], bool):
            raise ToolError(f"{key}: expected true or false, got {body[key]!r}")
    for key in ("name", "description"):
        if key in body and not isinstance(body[key], str):
            raise ToolError(f"{key}: expected text, got {body[key]!r}")


@handler
async def jira_create_version(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    fields = {k: args.get(k) for k in ("name", "start_date", "release_date", "description")}
    body = {**_version_body(fields), "project": args["project_key"]}
    return await ctx.call(f"{_api(ctx)}/createVersion", body=body)


@handler
async def jira_batch_create_versions(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """One request per version, in order; a failure is reported and the rest still go ahead."""
    from ..server import describe_upstream_error, upstream_errors

    created, failed = [], []
    for index, item in enumerate(args["versions"]):
        name = item.get("name") if isinstance(item, dict) else None
        try:
            body = {**_version_body(item), "project": args["project_key"]}
            created.append(await ctx.call(f"{_api(ctx)}/createVersion", body=body))
        except ToolError as exc:
            failed.append({"index": index, "name": name, "error": str(exc)})
        except upstream_errors() as exc:
            failed.append({"index": index, "name": name, "error": describe_upstream_error("jira", exc)})
        await ctx.progress(index + 1, len(args["versions"]), name)
    return {"project": args["project_key"], "created": created, "failed": failed}


@handler
async def jira_update_version(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    version_id = args["version_id"].strip()
    if not is_number(version_id):
        raise ToolError(f"version_id: expected a numeric version id, got {args['version_id']!r}")
    body = {VERSION_KEYS[k]: args[k] for k in VERSION_KEYS if k in args and args[k] is not None}
    if not body:
        raise ToolError("nothing to update: give name, description, start_date, release_date, archived or released")
    _check_dates(body)
    api = _api(ctx)
    if ctx.scope:  # a version id does not name its project: look it up before writing
        current = await ctx.call(f"{api}/getVersion", id=version_id)
        project = await ctx.call(f"{api}/getProject", project_id_or_key=str(current.get("projectId")))
        if str(project.get("key", "")).upper() not in ctx.scope:
            raise ToolError(f"version {version_id} is in project {project.get('key')}, outside this server's projects")
    answer = await ctx.call(f"{api}/updateVersion", body=body, id=version_id)
    return answer if isinstance(answer, dict) else {"id": version_id}
