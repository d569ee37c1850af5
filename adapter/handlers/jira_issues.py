"""Jira issue tools that compose calls: field metadata (cached), issue reads with inlined extras, batch writes,
assignment, attachments and the Cloud bulk move."""

from __future__ import annotations

import asyncio
import difflib
import json
import mimetypes
import time
from typing import Any

from ..invoke import markdown_to_adf, markdown_to_wiki
from . import HandlerContext, ToolError, _issue_change, _rich_fields, handler, is_number, jira_search, split

JSON = Any

# --- field metadata: one GET /field per site and credential every FIELD_TTL seconds -------------------------

FIELD_TTL = 600.0
FIELD_CACHE_SIZE = 16
_FIELDS: dict[tuple[str, str], tuple[float, list[JSON]]] = {}


async def jira_fields(ctx: HandlerContext, refresh: bool = False) -> list[JSON]:
    """The site's field list (GET /field), cached per site and credential for FIELD_TTL seconds."""
    key = (ctx.site_url, ctx.principal)
    now = time.monotonic()
    cached = _FIELDS.get(key)
    if cached and not refresh and cached[0] > now:
        return cached[1]
    fields = await ctx.call(f"{_api(ctx)}/getFields")
    fields = [f for f in fields if isinstance(f, dict)] if isinstance(fields, list) else []
    if len(_FIELDS) >= FIELD_CACHE_SIZE and key not in _FIELDS:
        del _FIELDS[min(_FIELDS, key=lambda k: _FIELDS[k][0])]  # the entry closest to expiry goes
    _FIELDS[key] = (now + FIELD_TTL, fields)
    return fields


def _api(ctx: HandlerContext) -> str:
    return "jira-platform" if ctx.cloud else "jira-dc"


def _score(keyword: str, field: JSON) -> float:
    """How well a field matches: id or name exactly, then prefix, substring, then fuzzy similarity (0..1)."""
    name, fid = str(field.get("name", "")).lower(), str(field.get("id", "")).lower()
    if keyword in (name, fid):
        return 3.0
    if name.startswith(keyword):
        return 2.0
    if keyword in name or keyword in fid or any(keyword == str(c).lower() for c in field.get("clauseNames") or []):
        return 1.5
    best = max(
        (difflib.SequenceMatcher(None, keyword, name[i : i + len(keyword)]).ratio() for i in range(len(name) or 1)),
        default=0.0,
    )
    return best if best >= 0.8 else 0.0


@handler
async def jira_search_fields(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    fields = await jira_fields(ctx, refresh=bool(args.get("refresh")))
    keyword = (args.get("keyword") or "").strip().lower()
    if keyword:
        scored = [(s, f) for f in fields if (s := _score(keyword, f)) > 0]
        scored.sort(key=lambda pair: (-pair[0], str(pair[1].get("name", ""))))
        matches = [f for _, f in scored]
    else:
        matches = fields
    limit = max(args.get("limit") or 10, 1)
    return {"fields": matches[:limit], "total": len(matches)}


@handler
async def jira_get_field_options(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    field_id = args["field_id"]
    if ctx.cloud:
        context_id = args.get("context_id")
        if not context_id:
            found = await ctx.call("jira-platform/getContextsForField", field_id=field_id)
            contexts = [
                c for c in (found.get("values") if isinstance(found, dict) else None) or [] if isinstance(c, dict)
            ]
            if not contexts:
                raise ToolError(f"field_id: {field_id} has no context (is it a select field?)")
            chosen = next((c for c in contexts if c.get("isGlobalContext")), contexts[0])
            context_id = chosen["id"]
        if not is_number(str(context_id)):
            raise ToolError(f"context_id: expected a number, got {context_id!r}")
        page = await ctx.call(
            "jira-platform/getOptionsForContext", field_id=field_id, context_id=int(context_id), max_results=1000
        )
        options = [o for o in (page.get("values") if isinstance(page, dict) else None) or [] if isinstance(o, dict)]
        result: JSON = {"field_id": field_id, "context_id": str(context_id), "options": options}
    else:
        if not args.get("project_key") or not args.get("issue_type"):
            raise ToolError("project_key and issue_type are needed on Data Center (options come from create metadata)")
        type_id = await _dc_issue_type_id(ctx, args["project_key"], args["issue_type"])
        meta = await ctx.call(
            "jira-dc/getCreateIssueMetaFields",
            project_id_or_key=args["project_key"],
            issue_type_id=type_id,
            max_results="1000",
        )
        values = meta.get("values") if isinstance(meta, dict) else None
        entry = next((v for v in values or [] if isinstance(v, dict) and v.get("fieldId") == field_id), None)
        if entry is None:
            raise ToolError(f"field_id: {field_id} is not on the create screen of {args['issue_type']} in this project")
        options = [o for o in entry.get("allowedValues") or [] if isinstance(o, dict)]
        result = {"field_id": field_id, "options": options}
    contains = (args.get("contains") or "").lower()
    if contains:
        result["options"] = [o for o in result["options"] if contains in str(o.get("value") or o.get("name")).lower()]
    result["total"] = len(result["options"])
    limit = args.get("return_limit")
    if limit is not None:
        result["options"] = result["options"][: max(limit, 0)]
    return result


async def _dc_issue_type_id(ctx: HandlerContext, project: str, issue_type: str) -> str:
    if is_number(issue_type):
        return issue_type
    page = await ctx.call("jira-dc/getCreateIssueMetaProjectIssueTypes", project_id_or_key=project, max_results="200")
    types = [t for t in (page.get("values") if isinstance(page, dict) else None) or [] if isinstance(t, dict)]
    found = next((t for t in types if str(t.get("name", "")).lower() == issue_type.lower()), None)
    if found is None:
        names = ", ".join(str(t.get("name")) for t in types)
        raise ToolError(f"issue_type: {issue_type!r} is not a type of {project}; it has {names}")
    return str(found["id"])


# --- reads ----------------------------------------------------------------------------------------------

DEFAULT_ISSUE_FIELDS = (
    "summary,status,issuetype,priority,assignee,reporter,labels,components,fixVersions,parent,created,updated,"
    "duedate,resolution,description,comment,subtasks,issuelinks"
)
INCLUDES = ("remote_links", "transitions", "watchers", "changelog", "comments", "worklogs")


def _listed(ctx: HandlerContext, values: list[str] | None) -> Any:
    """A list parameter as each API takes it: an array on Cloud, one comma-separated string on Data Center."""
    return values if ctx.cloud or values is None else ",".join(values)


@handler
async def jira_get_issue(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """One getIssue; `include` adds fields/expansions to it, and only remote links and watchers cost a call each."""
    include = split(args.get("include"))
    unknown = sorted(set(include) - set(INCLUDES))
    if unknown:
        raise ToolError(f"include: unknown {', '.join(unknown)}; known: {', '.join(INCLUDES)}")
    fields = split(args.get("fields") or DEFAULT_ISSUE_FIELDS)
    for name, field in (("comments", "comment"), ("worklogs", "worklog")):
        if name in include and field not in fields and "*all" not in fields:
            fields.append(field)
    expand = split(args.get("expand"))
    for name in ("transitions", "changelog"):
        if name in include and name not in expand:
            expand.append(name)
    if args.get("use_display_names") and "names" not in expand:
        expand.append("names")
    api = _api(ctx)
    key = args["issue_key"]
    properties = split(args.get("properties")) or None
    issue = await ctx.call(
        f"{api}/getIssue",
        issue_id_or_key=key,
        fields=_listed(ctx, fields),
        expand=",".join(expand) or None,
        properties=_listed(ctx, properties),
        update_history=args.get("update_history", True),
    )
    extras = {}
    if "remote_links" in include:
        extras["remoteLinks"] = await ctx.call(f"{api}/getRemoteIssueLinks", issue_id_or_key=key)
    if "watchers" in include:
        extras["watchers"] = await ctx.call(f"{api}/getIssueWatchers", issue_id_or_key=key)
    return {**issue, **extras} if isinstance(issue, dict) else issue


@handler
async def jira_get_project_issues(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    project = args["project_key"].upper().replace('"', "")
    search = {
        "jql": f'project = "{project}" ORDER BY created DESC',
        "limit": args["limit"],
        "start_at": max(args.get("start_at") or 0, 0),
        "page_token": args.get("page_token"),
    }
    return await jira_search(ctx, search)


@handler
async def jira_batch_get_changelogs(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """Pages through bulkfetch until `limit` histories; says so when more remain (never a silent cut)."""
    keys = split(args["issue_ids_or_keys"])
    if not keys:
        raise ToolError("issue_ids_or_keys: give at least one issue key or id")
    limit = max(args.get("limit") or 100, 1)
    body: dict[str, Any] = {"issueIdsOrKeys": keys, "maxResults": min(limit, 1000)}
    if args.get("fields"):
        body["fieldIds"] = split(args["fields"])
    logs: dict[str, list[JSON]] = {}
    count, token = 0, None
    for _ in range(10):  # bounded: at most 10 pages
        page = await ctx.call(
            "jira-platform/getBulkChangelogs", body=body | ({"nextPageToken": token} if token else {})
        )
        for entry in page.get("issueChangeLogs") or []:
            histories = entry.get("changeHistories") or []
            take = histories[: max(limit - count, 0)]
            logs.setdefault(str(entry.get("issueId")), []).extend(take)
            count += len(take)
        previous, token = token, page.get("nextPageToken")
        if not token or token == previous or count >= limit:
            break
    return {"changelogs": logs, "more": bool(token)}


# --- writes ---------------------------------------------------------------------------------------------


def _rich(ctx: HandlerContext, text: str) -> Any:
    return markdown_to_adf(text) if ctx.cloud else markdown_to_wiki(text)


ISSUE_KEYS = ("project_key", "summary", "issue_type", "description", "assignee", "components", "additional_fields")


def _new_issue(ctx: HandlerContext, index: int, item: Any) -> JSON:
    """One element of jira_batch_create_issues as an IssueUpdateDetails body."""
    where = f"issues[{index}]"
    if not isinstance(item, dict):
        raise ToolError(f"{where}: expected an object with project_key, summary and issue_type")
    missing = [k for k in ("project_key", "summary", "issue_type") if not item.get(k)]
    if missing:
        raise ToolError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(set(item) - set(ISSUE_KEYS))
    if unknown:
        raise ToolError(f"{where}: unknown {', '.join(unknown)}; known: {', '.join(ISSUE_KEYS)}")
    project = str(item["project_key"]).upper()
    if ctx.scope and project not in ctx.scope:
        raise ToolError(f"{where}: project {project} is outside this server's projects ({', '.join(ctx.scope)})")
    fields: dict[str, Any] = {
        "project": {"key": project},
        "summary": item["summary"],
        "issuetype": {"name": item["issue_type"]},
    }
    if item.get("description"):
        fields["description"] = _rich(ctx, str(item["description"]))
    if item.get("assignee"):
        fields["assignee"] = {"accountId" if ctx.cloud else "name": item["assignee"]}
    components = item.get("components")
    if components:
        names = components if isinstance(components, list) else split(str(components))
        fields["components"] = [{"name": str(n)} for n in names]
    extra = item.get("additional_fields") or {}
    if isinstance(extra, str):
        try:
            extra = json.loads(extra)
        except json.JSONDecodeError as exc:
            raise ToolError(f"{where}.additional_fields: not valid JSON ({exc.msg})") from exc
    if not isinstance(extra, dict):
        raise ToolError(f"{where}.additional_fields: expected an object")
    return {"fields": {**fields, **_rich_fields(ctx, dict(extra))}}


@handler
async def jira_batch_create_issues(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    issues = args["issues"]
    if not issues:
        raise ToolError("issues: give at least one issue")
    updates = [_new_issue(ctx, i, item) for i, item in enumerate(issues)]
    if args.get("validate_only"):
        return {"issues": [], "validated": len(updates)}
    return await ctx.call(f"{_api(ctx)}/createIssues", body={"issueUpdates": updates})


@handler
async def jira_assign_issue(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    assignee = args.get("assignee") or None  # none: unassign
    body = {"accountId": assignee} if ctx.cloud else {"name": assignee}
    await ctx.call(
        "jira-platform/assignIssue" if ctx.cloud else "jira-dc/assign", body=body, issue_id_or_key=args["issue_key"]
    )
    return _issue_change(ctx, args["issue_key"], assignee=assignee or "unassigned")


@handler
async def jira_add_comment(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    body: dict[str, Any] = {"body": _rich(ctx, args["body"])}
    if args.get("visibility"):
        body["visibility"] = args["visibility"]
    if args.get("public") is not None:  # Jira Service Management: customer-visible or internal note
        body["properties"] = [{"key": "sd.public.comment", "value": {"internal": not args["public"]}}]
    return await ctx.call(f"{_api(ctx)}/addComment", body=body, issue_id_or_key=args["issue_key"])


def _attachment_files(ctx: HandlerContext, value: Any) -> list[tuple[str, bytes]]:
    """Paths as a JSON list or comma list, each read by the operator's file policy (adapter/files.py)."""
    from .attachments import read_file

    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ToolError(f"attachments: not valid JSON ({exc.msg})") from exc
    names = value if isinstance(value, list) else split(str(value))
    return [read_file(ctx, str(name), "attachments") for name in names]


def _attachment_body(ctx: HandlerContext, files: list[tuple[str, bytes]]) -> Any:
    """The generated multipart model (filenames kept), built here because from_dict would drop them."""
    import io

    if ctx.cloud:
        from jira_sdk.cloud.models.add_attachment_body import AddAttachmentBody
        from jira_sdk.cloud.types import File
    else:
        from jira_sdk.datacenter.models.add_attachment_body import AddAttachmentBody  # type: ignore[assignment]
        from jira_sdk.datacenter.types import File  # type: ignore[assignment]
    parts = [
        File(io.BytesIO(data), name, mimetypes.guess_type(name)[0] or "application/octet-stream")
        for name, data in files
    ]
    return AddAttachmentBody(file=parts)


@handler
async def jira_update_issue(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    # JSON-string arguments were parsed and type-checked by the server (json_string_ok)
    fields = {**args["fields"], **(args.get("additional_fields") or {})}
    if args.get("components") is not None:
        fields["components"] = [{"name": name} for name in split(args["components"])]
    paths = _attachment_files(ctx, args["attachments"]) if args.get("attachments") else []
    if not fields and not paths:
        raise ToolError("fields: nothing to update")
    api, key = _api(ctx), args["issue_key"]
    if fields:
        await ctx.call(f"{api}/editIssue", body={"fields": _rich_fields(ctx, fields)}, issue_id_or_key=key)
    attached = []
    if paths:
        answer = await ctx.call(f"{api}/addAttachment", body=_attachment_body(ctx, paths), issue_id_or_key=key)
        attached = [a.get("filename") for a in answer or [] if isinstance(a, dict)]
    change = _issue_change(ctx, key, updated=sorted(fields), attached=attached)
    if args.get("return_fields"):
        change["issue"] = await ctx.call(
            f"{api}/getIssue", issue_id_or_key=key, fields=_listed(ctx, split(args["return_fields"]))
        )
    return change


# --- Cloud bulk move ------------------------------------------------------------------------------------

MOVE_WAIT = 30.0  # seconds: a single-issue move normally completes within a few
MOVE_DONE = {"COMPLETE", "FAILED", "CANCELLED", "DEAD"}


@handler
async def jira_move_issue(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    key, target = args["issue_key"], args["target_project_key"].upper()
    if ctx.scope and target not in ctx.scope:
        raise ToolError(f"project {target} is outside this server's projects ({', '.join(ctx.scope)})")
    issue = await ctx.call("jira-platform/getIssue", issue_id_or_key=key, fields=["issuetype", "parent"])
    type_name = str(((issue.get("fields") or {}).get("issuetype") or {}).get("name", ""))
    meta = await ctx.call("jira-platform/getCreateIssueMetaIssueTypes", project_id_or_key=target, max_results=200)
    types = meta.get("issueTypes") or meta.get("createMetaIssueType") or []
    match = next((t for t in types if str(t.get("name", "")).lower() == type_name.lower()), None)
    if match is None:
        names = ", ".join(str(t.get("name")) for t in types)
        raise ToolError(f"{target} has no issue type {type_name!r} to move {key} into; it has {names}")
    mapping = {
        "inferClassificationDefaults": True,
        "inferFieldDefaults": True,
        "inferStatusDefaults": True,
        "inferSubtaskTypeDefault": True,
        "issueIdsOrKeys": [key],
    }
    submitted = await ctx.call(
        "jira-platform/submitBulkMove",
        body={"sendBulkNotification": False, "targetToSourcesMapping": {f"{target},{match['id']}": mapping}},
    )
    task_id = str(submitted["taskId"])
    deadline, delay = time.monotonic() + MOVE_WAIT, 0.25
    while True:
        progress = await ctx.call("jira-platform/getBulkOperationProgress", task_id=task_id)
        status = progress.get("status")
        if status in MOVE_DONE or time.monotonic() + delay > deadline:
            break
        await asyncio.sleep(delay)
        delay = min(delay * 2, 4.0)
    failed = progress.get("failedAccessibleIssues") or {}
    result: JSON = {"key": key, "task_id": task_id, "status": status, "target_project": target}
    if failed:
        result["errors"] = [m for messages in failed.values() for m in messages]
    if status == "COMPLETE" and not failed:
        moved = await ctx.call("jira-platform/getIssue", issue_id_or_key=str(issue.get("id") or key), fields=["id"])
        result["new_key"] = moved.get("key")
        result["url"] = f"{ctx.site_url}/browse/{moved.get('key')}"
    elif status not in MOVE_DONE:
        result["note"] = f"still {status} after {MOVE_WAIT:.0f}s; the move goes on in Jira (task {task_id})"
    return result
