"""Jira Service Management handlers, and issue dates from one getIssue call with its changelog.

JSM addresses service desks by id, which JIRA_PROJECTS_FILTER cannot see in the arguments: when a filter is
configured, the desk's project is looked up (one extra call) before anything else is read or written.
"""

from __future__ import annotations

from typing import Any

from . import HandlerContext, ToolError, handler, is_number, split

JSON = Any
DESK_PAGES = 20  # getServiceDesks pages of 100 searched for a project's desk before giving up
SLA_LIMIT = 50  # an issue has a handful of SLAs; more than 50 is reported, never dropped silently


def _numeric(name: str, value: str) -> int:
    """Queue and request type ids are numbers in the API; anything else is the caller's mistake."""
    if not is_number(value.strip()):
        raise ToolError(f"{name}: expected a numeric id, got {value!r}")
    return int(value)


async def _check_desk(ctx: HandlerContext, desk_id: str) -> None:
    if not ctx.scope:
        return
    desk = await ctx.call("jsm/getServiceDeskById", service_desk_id=desk_id)
    project = (desk or {}).get("projectKey")
    if project not in ctx.scope:
        raise ToolError(f"service desk {desk_id} (project {project}) is outside this server's projects")


@handler
async def jira_get_service_desk_for_project(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    key = args["project_key"].strip().upper()
    start = 0
    for _ in range(DESK_PAGES):
        page = await ctx.call("jsm/getServiceDesks", start=start, limit=100) or {}
        values = page.get("values") or []
        for desk in values:
            if isinstance(desk, dict) and str(desk.get("projectKey", "")).upper() == key:
                return desk
        if page.get("isLastPage", True) or not values:
            raise ToolError(f"project {key} has no service desk (or it is not visible to this account)")
        start += len(values)
    raise ToolError(f"no service desk for {key} among the first {start} service desks")


@handler
async def jira_get_service_desk_queues(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    desk = args["service_desk_id"]
    await _check_desk(ctx, desk)
    return await ctx.call(
        "jsm/getQueues", service_desk_id=desk, include_count=True, start=args.get("start_at", 0), limit=args["limit"]
    )


@handler
async def jira_get_queue_issues(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    queue = _numeric("queue_id", args["queue_id"])
    await _check_desk(ctx, args["service_desk_id"])
    return await ctx.call(
        "jsm/getIssuesInQueue",
        service_desk_id=args["service_desk_id"],
        queue_id=queue,
        start=args.get("start_at", 0),
        limit=args["limit"],
    )


@handler
async def jira_get_request_types(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    desk = args["service_desk_id"]
    await _check_desk(ctx, desk)
    start = args.get("start_at", 0)
    return await ctx.call("jsm/getRequestTypes", service_desk_id=desk, start=start, limit=args["limit"])


@handler
async def jira_get_request_type_fields(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    request_type = _numeric("request_type_id", args["request_type_id"])
    await _check_desk(ctx, args["service_desk_id"])
    return await ctx.call(
        "jsm/getRequestTypeFields", service_desk_id=args["service_desk_id"], request_type_id=request_type
    )


@handler
async def jira_create_customer_request(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """One POST; the fields are not read first: JSM itself names a missing or invalid field."""
    from jira_sdk import AtlassianError

    _numeric("request_type_id", args["request_type_id"])
    await _check_desk(ctx, args["service_desk_id"])
    body: dict[str, Any] = {
        "serviceDeskId": args["service_desk_id"],
        "requestTypeId": args["request_type_id"],
        "requestFieldValues": args["request_field_values"],
    }
    participants = split(args.get("request_participants"))
    if participants:
        body["requestParticipants"] = participants
    on_behalf = args.get("raise_on_behalf_of")
    if not on_behalf:
        return await ctx.call("jsm/createCustomerRequest", body=body)
    try:
        return await ctx.call("jsm/createCustomerRequest", body={**body, "raiseOnBehalfOf": on_behalf})
    except AtlassianError as refused:
        if args.get("strict_on_behalf") or refused.status_code not in (400, 403):
            raise
        try:
            created = await ctx.call("jsm/createCustomerRequest", body=body)
        except AtlassianError:
            raise refused from None  # the same request fails for another reason: the first answer says more
        reason = "; ".join(refused.error_messages) or f"HTTP {refused.status_code}"
        return {**created, "onBehalfRefused": f"raised by you: {on_behalf} was refused ({reason})"}


@handler
async def jira_get_issue_dates(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    api = "jira-platform" if ctx.cloud else "jira-dc"
    return await ctx.call(
        f"{api}/getIssue",
        issue_id_or_key=args["issue_key"],
        fields="status,created,updated,resolutiondate,duedate",
        expand="changelog",
    )


@handler
async def jira_get_issue_sla(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    page = await ctx.call("jsm/getSlaInformation", issue_id_or_key=args["issue_key"], limit=SLA_LIMIT) or {}
    slas = [s for s in page.get("values") or [] if isinstance(s, dict)]
    wanted = {name.lower() for name in split(args.get("metrics"))}
    found = [s for s in slas if not wanted or str(s.get("name", "")).lower() in wanted]
    missing = sorted(wanted - {str(s.get("name", "")).lower() for s in slas})
    result: dict[str, Any] = {"key": args["issue_key"].upper(), "slas": found}
    if missing:
        result["not_found"] = missing
        result["available"] = [s.get("name") for s in slas]
    if page.get("isLastPage") is False:
        result["more"] = f"only the first {len(slas)} SLAs were read"
    return result
