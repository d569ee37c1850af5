"""Sandbox routes of the Jira issue tools: field contexts/options, create metadata, bulk create, bulk changelogs,
assignment, attachments, remote links and the Cloud bulk move (a task that completes at once)."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from ..app import (
    ApiError,
    Call,
    Sandbox,
    create_issue,
    decode_token,
    encode_token,
    field_catalogue,
    issue_type_named,
    jira_time,
    jira_user,
    no_content,
    ok,
    writable_issue,
)
from ..seed import Issue

SEVERITY = "customfield_10040"
NO_ISSUE = "Issue does not exist or you do not have permission to see it."


def seed_state(sandbox: Sandbox) -> dict[str, Any]:
    state: dict[str, Any] = sandbox.extra["jira_issues"]
    return state


def seed(sandbox: Sandbox) -> None:
    """A select field with options, a remote link on PROJ-4, and a little change history."""
    now = sandbox.clock
    sandbox.extra["jira_issues"] = {
        "custom_fields": [
            {
                "id": SEVERITY,
                "key": SEVERITY,
                "name": "Severity",
                "custom": True,
                "orderable": True,
                "navigable": True,
                "searchable": True,
                "clauseNames": ["cf[10040]", "Severity"],
                "schema": {
                    "type": "option",
                    "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select",
                    "customId": 10040,
                },
            }
        ],
        "contexts": {
            SEVERITY: [
                {
                    "id": "10140",
                    "name": "Default context",
                    "isGlobalContext": True,
                    "isAnyIssueType": True,
                    "description": "",
                }
            ]
        },  # fmt: skip
        "options": {
            "10140": [
                {"id": "10200", "value": "S1 - Critical", "disabled": False},
                {"id": "10201", "value": "S2 - Major", "disabled": False},
                {"id": "10202", "value": "S3 - Minor", "disabled": False},
                {"id": "10203", "value": "S4 - Cosmetic", "disabled": True},
            ]
        },
        "create_screen_options": {  # createmeta (jira_projects) lists Severity on create screens with these
            SEVERITY: lambda c: [
                {"self": f"{c.jira_api}/customFieldOption/{o['id']}", **o}
                for o in sandbox.extra["jira_issues"]["options"]["10140"]
            ]
        },
        "remote_links": {
            "PROJ-4": [
                {
                    "id": 10000,
                    "globalId": "system=https://status.example.com/incidents/42",
                    "relationship": "mentioned in",
                    "object": {
                        "url": "https://status.example.com/incidents/42",
                        "title": "Incident 42: Safari checkout",
                    },
                }
            ]
        },  # fmt: skip
        "histories": {
            "PROJ-4": [
                {
                    "id": "10300",
                    "author": "bob",
                    "created": now.replace(day=1, hour=10),
                    "items": [("status", "10000", "Backlog", "10001", "To Do")],
                },
                {
                    "id": "10301",
                    "author": "sandbox",
                    "created": now.replace(day=1, hour=11),
                    "items": [("priority", "3", "Medium", "1", "Highest"), ("labels", None, "", None, "safari")],
                },
            ],
            "PROJ-5": [
                {
                    "id": "10302",
                    "author": "sandbox",
                    "created": now.replace(day=1, hour=12),
                    "items": [("status", "10001", "In Progress", "10002", "Done")],
                },
            ],
        },  # fmt: skip
        "tasks": {},
    }


def _visible(c: Call, ref: str) -> Issue:
    issue = c.sandbox.issue(ref)
    if issue is None:
        raise ApiError(404, NO_ISSUE)
    return issue


# --- fields -------------------------------------------------------------------------------------------------


def get_contexts_for_field(c: Call) -> Response:
    field_id = c.path["fieldId"]
    if not any(f["id"] == field_id for f in field_catalogue(c)):
        raise ApiError(404, f"The custom field was not found: {field_id}")
    contexts = seed_state(c.sandbox)["contexts"].get(field_id, [])
    start, limit = c.int_param("startAt", 0), c.int_param("maxResults", 50, low=1, high=100)
    page = contexts[start : start + limit]
    return ok({"maxResults": limit, "startAt": start, "total": len(contexts),
               "isLast": start + limit >= len(contexts), "values": page})  # fmt: skip


def get_options_for_context(c: Call) -> Response:
    field_id, context_id = c.path["fieldId"], c.path["contextId"]
    contexts = seed_state(c.sandbox)["contexts"].get(field_id)
    if contexts is None:
        raise ApiError(404, f"The custom field was not found: {field_id}")
    if not any(x["id"] == context_id for x in contexts):
        raise ApiError(404, f"The context was not found: {context_id}")
    options = seed_state(c.sandbox)["options"].get(context_id, [])
    start, limit = c.int_param("startAt", 0), c.int_param("maxResults", 100, low=1, high=1000)
    page = options[start : start + limit]
    return ok({"maxResults": limit, "startAt": start, "total": len(options),
               "isLast": start + limit >= len(options), "values": page})  # fmt: skip


# --- issues ---------------------------------------------------------------------------------------------------


def create_issues(c: Call) -> Response:
    """Bulk create: each element as a single create; failures listed by element, 400 only when all fail."""
    updates = c.body_dict().get("issueUpdates")
    if not isinstance(updates, list) or not updates:
        raise ApiError(400, "Field 'issueUpdates' is required.")
    created, errors = [], []
    for index, element in enumerate(updates):
        try:
            response = create_issue(Call(c.sandbox, c.api, c.request, element, c.path))
        except ApiError as exc:
            errors.append({"status": exc.status, "failedElementNumber": index,
                           "elementErrors": {"errorMessages": [exc.message] if exc.message else [],
                                             "errors": exc.errors}})  # fmt: skip
            continue
        created.append(json.loads(bytes(response.body)))
    return ok({"issues": created, "errors": errors}, 201 if created else 400)


def assign_issue(c: Call) -> Response:
    issue = writable_issue(c, c.path["issueIdOrKey"], "assign")
    body = c.body if isinstance(c.body, dict) else {}
    ref = body.get("accountId") if c.cloud else body.get("name")
    if ref in (None, "-1"):
        issue.assignee = None
    else:
        user = c.sandbox.user(str(ref))
        if user is None:
            raise ApiError(400, "", {"assignee": f"User '{ref}' does not exist."})
        issue.assignee = user.key
    issue.updated = c.sandbox.tick()
    return no_content()


def get_remote_links(c: Call) -> Response:
    issue = _visible(c, c.path["issueIdOrKey"])
    links = seed_state(c.sandbox)["remote_links"].get(issue.key, [])
    return ok([{"self": f"{c.jira_api}/issue/{issue.key}/remotelink/{x['id']}", **x} for x in links])


# --- Cloud: bulk changelogs and bulk move -----------------------------------------------------------------------


def get_bulk_changelogs(c: Call) -> Response:
    body = c.body_dict()
    refs, field_ids = body.get("issueIdsOrKeys"), body.get("fieldIds") or []
    if not isinstance(refs, list) or not refs or len(refs) > 1000:
        raise ApiError(400, "issueIdsOrKeys must list 1 to 1000 issues.")
    if len(field_ids) > 10:
        raise ApiError(400, "fieldIds must list at most 10 fields.")
    limit = body.get("maxResults", 1000)
    offset = decode_token(body.get("nextPageToken"), "nextPageToken")
    rows = []
    for ref in refs:
        issue = c.sandbox.issue(str(ref))
        if issue is None:
            continue  # Jira leaves out what the caller cannot see
        for history in seed_state(c.sandbox)["histories"].get(issue.key, []):
            items = [i for i in history["items"] if not field_ids or i[0] in field_ids]
            if items:
                rows.append((issue, history, items))
    page: dict[str, dict[str, Any]] = {}
    for issue, history, items in rows[offset : offset + limit]:
        entry = page.setdefault(issue.key, {"issueId": str(issue.id), "changeHistories": []})
        entry["changeHistories"].append({
            "id": history["id"], "author": jira_user(c, c.sandbox.user(history["author"])),
            "created": jira_time(history["created"]),
            "items": [{"field": f, "fieldtype": "jira", "fieldId": f, "from": a, "fromString": b, "to": x,
                       "toString": y} for f, a, b, x, y in items],
        })  # fmt: skip
    answer: dict[str, Any] = {"issueChangeLogs": list(page.values())}
    if offset + limit < len(rows):
        answer["nextPageToken"] = encode_token(offset + limit)
    return ok(answer)


def submit_bulk_move(c: Call) -> Response:
    """Moves at once and records a COMPLETE task (a real site queues it; clients poll the task either way)."""
    mappings = c.body_dict().get("targetToSourcesMapping")
    if not isinstance(mappings, dict) or not mappings:
        raise ApiError(400, "targetToSourcesMapping must not be empty.")
    sandbox = c.sandbox
    processed: list[int] = []
    failed: dict[str, list[str]] = {}
    for target, mapping in mappings.items():
        project_ref, _, rest = str(target).partition(",")
        type_id = rest.split(",")[0]
        project = sandbox.project(project_ref)
        if project is None:
            raise ApiError(400, f"The project '{project_ref}' does not exist.")
        if not project.writable:
            raise ApiError(403, "You do not have permission to move issues into this project.")
        kind = next((t for t in map(lambda n: issue_type_named(c, n), project.issue_types) if str(t.id) == type_id),
                    None)  # fmt: skip
        if kind is None:
            raise ApiError(400, f"The issue type '{type_id}' is not valid for project {project.key}.")
        for ref in (mapping or {}).get("issueIdsOrKeys") or []:
            issue = writable_issue(c, str(ref), "move")
            if issue.project == project.key and issue.issue_type == kind.name:
                failed[str(issue.id)] = ["The issue is already in the target project and issue type."]
                continue
            del sandbox.issues[issue.key]
            issue.key, issue.project, issue.issue_type = sandbox.next_key(project.key), project.key, kind.name
            issue.components, issue.fix_versions = [], []
            issue.updated = sandbox.tick()
            sandbox.issues[issue.key] = issue
            processed.append(issue.id)
    task_id = str(sandbox.next_id("task"))
    moment = jira_time(sandbox.clock)
    seed_state(sandbox)["tasks"][task_id] = {
        "taskId": task_id, "status": "COMPLETE" if not failed else "FAILED", "progressPercent": 100,
        "submittedBy": {"accountId": sandbox.me.account_id}, "created": moment, "started": moment,
        "updated": moment, "processedAccessibleIssues": processed, "failedAccessibleIssues": failed,
        "invalidOrInaccessibleIssueCount": 0,
    }  # fmt: skip
    return ok({"taskId": task_id}, 201)


def get_bulk_progress(c: Call) -> Response:
    task = seed_state(c.sandbox)["tasks"].get(c.path["taskId"])
    if task is None:
        raise ApiError(404, "Task with the given ID was not found.")
    return ok(task)


ROUTES = {
    "jira": [
        ("createIssues", "POST", "/issue/bulk", create_issues),
        ("assignIssue", "PUT", "/issue/{issueIdOrKey}/assignee", assign_issue),
        ("getRemoteIssueLinks", "GET", "/issue/{issueIdOrKey}/remotelink", get_remote_links),
    ],
    "jira_cloud": [
        ("getContextsForField", "GET", "/field/{fieldId}/context", get_contexts_for_field),
        ("getOptionsForContext", "GET", "/field/{fieldId}/context/{contextId}/option", get_options_for_context),
        ("getBulkChangelogs", "POST", "/changelog/bulkfetch", get_bulk_changelogs),
        ("submitBulkMove", "POST", "/bulk/issues/move", submit_bulk_move),
        ("getBulkOperationProgress", "GET", "/bulk/queue/{taskId}", get_bulk_progress),
    ],
}  # fmt: skip
DC_OPERATION_IDS = {"jira": {"assignIssue": "assign"}}
