"""Jira Service Management in the sandbox: the SUP project's service desk, its queues, request types and SLAs.

Mounted at /rest/servicedeskapi (Cloud) and /jira/rest/servicedeskapi (Data Center); the paths and shapes are the
same on both, users are accountIds on Cloud and usernames on Data Center. Pages are JSM's PagedDTO
`{size, start, limit, isLastPage, values}`, errors JSM's `{errorMessage, i18nErrorMessage}` (see app.error_response).
SLAs are computed from the issue: time to first response stops at the first comment by someone other than the
reporter, time to resolution at the resolution date; both count wall-clock time against the sandbox clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from starlette.responses import Response

from .. import app
from ..app import ApiError, Call, ok
from ..seed import PRIORITIES, Issue

JSON = Any
KEY = "jira_service"


@dataclass(frozen=True)
class Queue:
    id: int
    name: str
    jql: str
    fields: tuple[str, ...] = ("issuetype", "summary", "reporter", "assignee", "status", "created")


@dataclass(frozen=True)
class RequestField:
    id: str
    name: str
    required: bool
    schema: dict[str, str]
    valid: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class RequestType:
    id: int
    name: str
    description: str
    issue_type: str
    fields: tuple[RequestField, ...]
    group: int = 1


@dataclass(frozen=True)
class Sla:
    id: int
    name: str
    goal: timedelta


@dataclass
class Desk:
    id: int
    project: str
    queues: list[Queue] = field(default_factory=list)
    request_types: list[RequestType] = field(default_factory=list)


SUMMARY = RequestField("summary", "Summary", True, {"type": "string", "system": "summary"})
DESCRIPTION = RequestField("description", "Description", False, {"type": "string", "system": "description"})
PRIORITY = RequestField(
    "priority", "Priority", True, {"type": "priority", "system": "priority"}, ("1", "2", "3", "4", "5")
)
SLAS = (Sla(1, "Time to first response", timedelta(hours=4)), Sla(2, "Time to resolution", timedelta(hours=24)))


def seed(sandbox: Any) -> None:
    desk = Desk(1, "SUP")
    desk.queues = [
        Queue(1, "All open", "project = SUP AND resolution = EMPTY ORDER BY created DESC"),
        Queue(2, "Assigned to me", "project = SUP AND assignee = currentUser() AND resolution = EMPTY"),
        Queue(3, "Resolved", "project = SUP AND resolution IS NOT EMPTY ORDER BY resolved DESC"),
    ]
    desk.request_types = [
        RequestType(
            10,
            "Get IT help",
            "Ask for help with access, hardware or software.",
            "Service Request",
            (SUMMARY, DESCRIPTION),
        ),
        RequestType(
            11,
            "Report an incident",
            "Something is broken or down.",
            "Incident",
            (SUMMARY, replace(DESCRIPTION, required=True), PRIORITY),
            2,
        ),
    ]
    sandbox.extra[KEY] = {"desks": {desk.id: desk}}


# --- helpers ---------------------------------------------------------------------------------------------


def page(c: Call, values: list[JSON]) -> JSON:
    start, limit = c.int_param("start", 0), c.int_param("limit", 50, low=1, high=100)
    chunk = values[start : start + limit]
    return {
        "size": len(chunk),
        "start": start,
        "limit": limit,
        "isLastPage": start + limit >= len(values),
        "values": chunk,
    }


def desk_of(c: Call) -> Desk:
    """The desk named in the path by id or project key; one of a project the user cannot see does not exist."""
    ref = c.path["serviceDeskId"]
    desks: dict[int, Desk] = c.sandbox.extra[KEY]["desks"]
    for desk in desks.values():
        if ref in (str(desk.id), desk.project) and c.sandbox.project(desk.project) is not None:
            return desk
    raise ApiError(404, "The service desk you are trying to access does not exist or you do not have access to it.")


def desk_json(c: Call, desk: Desk) -> JSON:
    project = c.sandbox.projects[desk.project]
    return {
        "id": str(desk.id),
        "projectId": str(project.id),
        "projectName": project.name,
        "projectKey": project.key,
        "_links": {"self": f"{c.jira_root}/rest/servicedeskapi/servicedesk/{desk.id}"},
    }


def number(c: Call, name: str) -> int:
    try:
        return int(c.path[name])
    except ValueError:
        raise ApiError(404, f"The {name} '{c.path[name]}' is not valid.") from None


def request_type_of(c: Call, desk: Desk, ref: Any) -> RequestType:
    for kind in desk.request_types:
        if str(ref) == str(kind.id):
            return kind
    raise ApiError(404, "The request type you are trying to access does not exist or you do not have access to it.")


def date_dto(moment: datetime) -> JSON:
    return {
        "iso8601": moment.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "jira": app.jira_time(moment),
        "friendly": moment.strftime("%d/%b/%y %-I:%M %p"),
        "epochMillis": int(moment.timestamp() * 1000),
    }


def duration_dto(delta: timedelta) -> JSON:
    millis = int(delta.total_seconds() * 1000)
    minutes = abs(millis) // 60000
    friendly = ("-" if millis < 0 else "") + (f"{minutes // 60}h {minutes % 60}m" if minutes >= 60 else f"{minutes}m")
    return {"millis": millis, "friendly": friendly}


def user_dto(c: Call, key: str) -> JSON:
    user = c.sandbox.user(key)
    if user is None:
        return None
    body: dict[str, Any] = {"accountId": user.account_id} if c.cloud else {"key": user.jira_key, "name": user.key}
    return body | {
        "emailAddress": user.email,
        "displayName": user.display_name,
        "active": True,
        "timeZone": user.time_zone,
        "_links": {"jiraRest": f"{c.jira_root}/rest/api/2/user?username={user.key}"},
    }


# --- operations ------------------------------------------------------------------------------------------


def get_service_desks(c: Call) -> Response:
    desks = c.sandbox.extra[KEY]["desks"].values()
    return ok(page(c, [desk_json(c, d) for d in desks if c.sandbox.project(d.project) is not None]))


def get_service_desk_by_id(c: Call) -> Response:
    return ok(desk_json(c, desk_of(c)))


def queue_json(c: Call, desk: Desk, queue: Queue, count: bool) -> JSON:
    body: dict[str, Any] = {"id": str(queue.id), "name": queue.name, "jql": queue.jql, "fields": list(queue.fields)}
    if count:
        body["issueCount"] = len(app.run_jql(c, queue.jql, bounded=False))
    return body | {"_links": {"self": f"{c.jira_root}/rest/servicedeskapi/servicedesk/{desk.id}/queue/{queue.id}"}}


def get_queues(c: Call) -> Response:
    desk = desk_of(c)
    count = c.q.get("includeCount", "false").lower() == "true"
    return ok(page(c, [queue_json(c, desk, q, count) for q in desk.queues]))


def get_issues_in_queue(c: Call) -> Response:
    desk, wanted = desk_of(c), number(c, "queueId")
    queue = next((q for q in desk.queues if q.id == wanted), None)
    if queue is None:
        raise ApiError(404, "The queue you are trying to access does not exist or you do not have access to it.")
    issues = app.run_jql(c, queue.jql, bounded=False)
    return ok(page(c, [app.jira_issue(c, i, list(queue.fields), None) for i in issues]))


def request_type_json(c: Call, desk: Desk, kind: RequestType) -> JSON:
    issue_type = app.issue_type_named(c, kind.issue_type)
    return {
        "id": str(kind.id),
        "name": kind.name,
        "description": kind.description,
        "helpText": "",
        "issueTypeId": str(issue_type.id),
        "serviceDeskId": str(desk.id),
        "groupIds": [str(kind.group)],
        "icon": {"id": "10001", "_links": {"iconUrls": {}}},
        "_links": {"self": f"{c.jira_root}/rest/servicedeskapi/servicedesk/{desk.id}/requesttype/{kind.id}"},
    }


def get_request_types(c: Call) -> Response:
    desk = desk_of(c)
    return ok(page(c, [request_type_json(c, desk, k) for k in desk.request_types]))


def field_json(f: RequestField) -> JSON:
    valid = [{"value": v, "label": PRIORITIES[int(v) - 1], "children": []} for v in f.valid]
    return {
        "fieldId": f.id,
        "name": f.name,
        "description": f.description,
        "required": f.required,
        "defaultValues": [],
        "validValues": valid,
        "presetValues": [],
        "jiraSchema": f.schema,
        "visible": True,
    }


def get_request_type_fields(c: Call) -> Response:
    desk = desk_of(c)
    kind = request_type_of(c, desk, number(c, "requestTypeId"))
    return ok(
        {
            "requestTypeFields": [field_json(f) for f in kind.fields],
            "canRaiseOnBehalfOf": True,
            "canAddRequestParticipants": True,
        }
    )


def customer_ref(c: Call, ref: Any) -> str:
    user = c.sandbox.user(str(ref)) if isinstance(ref, str) else None
    if user is None or (c.cloud and ref != user.account_id):
        raise ApiError(400, f"The user '{ref}' does not exist or is not a customer of this service desk.")
    return user.key


def create_customer_request(c: Call) -> Response:
    body = c.body_dict()
    c.path["serviceDeskId"] = str(body.get("serviceDeskId", ""))
    desk = desk_of(c)
    kind = request_type_of(c, desk, body.get("requestTypeId"))
    values = body.get("requestFieldValues")
    if not isinstance(values, dict):
        raise ApiError(400, "The request field values are missing.")
    known = {f.id: f for f in kind.fields}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ApiError(400, f"The field(s) {', '.join(unknown)} are not part of the request type '{kind.name}'.")
    missing = [f.name for f in kind.fields if f.required and values.get(f.id) in (None, "", {})]
    if missing:
        raise ApiError(
            400,
            f"Your request could not be created. Please check the fields have been correctly filled "
            f"in. {', '.join(missing)} is required.",
        )
    reporter = customer_ref(c, body["raiseOnBehalfOf"]) if "raiseOnBehalfOf" in body else c.sandbox.me.key
    participants = [customer_ref(c, p) for p in body.get("requestParticipants") or []]
    priority = values.get("priority")
    priority_id = priority.get("id") if isinstance(priority, dict) else priority
    if priority_id is not None and str(priority_id) not in PRIORITY.valid:
        raise ApiError(400, f"The priority '{priority_id}' is not valid.")
    moment = c.sandbox.tick()
    issue = Issue(
        id=c.sandbox.next_id("issue"),
        key=c.sandbox.next_key(desk.project),
        project=desk.project,
        issue_type=kind.issue_type,
        summary=str(values["summary"]),
        status="To Do",
        priority=PRIORITIES[int(priority_id) - 1] if priority_id else "Medium",
        reporter=reporter,
        created=moment,
        updated=moment,
        description=str(values["description"]) if values.get("description") else None,
        watchers=[reporter, *participants],
    )
    c.sandbox.issues[issue.key] = issue
    field_values = [{"fieldId": k, "label": known[k].name, "value": v} for k, v in values.items()]
    return ok(
        {
            "_expands": [
                "participant",
                "status",
                "sla",
                "requestType",
                "serviceDesk",
                "attachment",
                "action",
                "comment",
            ],
            "issueId": str(issue.id),
            "issueKey": issue.key,
            "requestTypeId": str(kind.id),
            "serviceDeskId": str(desk.id),
            "createdDate": date_dto(moment),
            "reporter": user_dto(c, reporter),
            "requestFieldValues": field_values,
            "currentStatus": {"status": issue.status, "statusCategory": "NEW", "statusDate": date_dto(moment)},
            "_links": {
                "jiraRest": f"{c.jira_root}/rest/api/2/issue/{issue.id}",
                "web": f"{c.jira_root}/servicedesk/customer/portal/{desk.id}/{issue.key}",
                "agent": f"{c.jira_root}/browse/{issue.key}",
                "self": f"{c.jira_root}/rest/servicedeskapi/request/{issue.id}",
            },
        },
        201,
    )


def sla_stop(issue: Issue, sla: Sla) -> datetime | None:
    if sla.id == 1:
        answers = [m.created for m in issue.comments if m.author != issue.reporter]
        return min(answers) if answers else issue.resolution_date
    return issue.resolution_date


def sla_json(c: Call, issue: Issue, sla: Sla) -> JSON:
    start, stop = issue.created, sla_stop(issue, sla)
    elapsed = (stop or c.sandbox.clock) - start
    cycle: dict[str, Any] = {
        "startTime": date_dto(start),
        "breachTime": date_dto(start + sla.goal),
        "breached": elapsed > sla.goal,
        "goalDuration": duration_dto(sla.goal),
        "elapsedTime": duration_dto(elapsed),
        "remainingTime": duration_dto(sla.goal - elapsed),
    }
    body: dict[str, Any] = {"id": str(sla.id), "name": sla.name, "completedCycles": []}
    if stop is None:
        body["ongoingCycle"] = cycle | {"paused": False, "withinCalendarHours": True}
    else:
        body["completedCycles"] = [cycle | {"stopTime": date_dto(stop)}]
    return body | {"_links": {"self": f"{c.jira_root}/rest/servicedeskapi/request/{issue.id}/sla/{sla.id}"}}


def get_sla_information(c: Call) -> Response:
    issue = c.sandbox.issue(c.path["issueIdOrKey"])
    desks = c.sandbox.extra[KEY]["desks"].values()
    if issue is None or not any(d.project == issue.project for d in desks):
        raise ApiError(404, "The request you are trying to access does not exist or you do not have access to it.")
    return ok(page(c, [sla_json(c, issue, s) for s in SLAS]))


ROUTES = {
    "servicedesk": [
        ("getServiceDesks", "GET", "/servicedesk", get_service_desks),
        ("getServiceDeskById", "GET", "/servicedesk/{serviceDeskId}", get_service_desk_by_id),
        ("getQueues", "GET", "/servicedesk/{serviceDeskId}/queue", get_queues),
        ("getIssuesInQueue", "GET", "/servicedesk/{serviceDeskId}/queue/{queueId}/issue", get_issues_in_queue),
        ("getRequestTypes", "GET", "/servicedesk/{serviceDeskId}/requesttype", get_request_types),
        (
            "getRequestTypeFields",
            "GET",
            "/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}/field",
            get_request_type_fields,
        ),
        ("createCustomerRequest", "POST", "/request", create_customer_request),
        ("getSlaInformation", "GET", "/request/{issueIdOrKey}/sla", get_sla_information),
    ]
}
