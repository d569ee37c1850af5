"""Sandbox routes of the agile tools: board issues, sprint create/update, moving issues into sprints or the backlog.

Jira Software's rules as the sandbox keeps them: only scrum boards have sprints; issues move only into a future or
active sprint and leave their other open sprints (closed ones stay in their history); closed sprints are frozen;
starting a sprint needs both dates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.responses import Response

from ..app import ApiError, Call, jira_issue, jira_sprint, ok, run_jql, sprint_of, visible_board
from ..seed import Board, Issue, Sprint  # not `seed`: a module attribute named seed is the extension's hook

MAX_ISSUES_PER_MOVE = 50  # Jira Software's limit for one move request
OPEN_STATES = ("future", "active")
DATE_FORMAT_ERROR = "Invalid date format. Please enter the date in the format \"yyyy-MM-dd'T'HH:mm:ss.SSSZ\"."


def _date(value: Any, name: str) -> datetime:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, errors={name: DATE_FORMAT_ERROR}) from None


def _writable_board(c: Call, board: Board) -> None:
    if not c.sandbox.projects[board.project].writable:
        raise ApiError(403, "You do not have permission to manage sprints on this board.")


def get_issues_for_board(c: Call) -> Response:
    board = visible_board(c, c.path["boardId"])
    jql = c.q.get("jql")
    chosen = run_jql(c, jql, bounded=False) if jql else sorted(c.sandbox.visible_issues(), key=lambda i: i.id)
    issues = [i for i in chosen if i.project == board.project]
    start, limit = c.int_param("startAt", 0), c.int_param("maxResults", 50, low=1, high=50)
    fields, expand = c.list_param("fields"), c.q.get("expand")
    page = [jira_issue(c, i, fields, expand, default="*navigable") for i in issues[start : start + limit]]
    return ok({"expand": "schema,names", "startAt": start, "maxResults": limit, "total": len(issues), "issues": page})


def create_sprint(c: Call) -> Response:
    body = c.body_dict()
    name = str(body.get("name") or "").strip()
    if not name:
        raise ApiError(400, errors={"name": "The sprint name is required."})
    if len(name) > 255:
        raise ApiError(400, errors={"name": "The sprint name must not be longer than 255 characters."})
    board_ref = body.get("originBoardId")
    if not isinstance(board_ref, int):
        raise ApiError(400, errors={"originBoardId": "The board id is required."})
    board = visible_board(c, str(board_ref))
    if board.type != "scrum":
        raise ApiError(400, "The board does not support sprints")
    _writable_board(c, board)
    start = _date(body["startDate"], "startDate") if body.get("startDate") else None
    end = _date(body["endDate"], "endDate") if body.get("endDate") else None
    if start and end and end < start:
        raise ApiError(400, errors={"endDate": "The end date must be after the start date."})
    sprint = Sprint(c.sandbox.next_id("sprint"), name, "future", board.id, str(body.get("goal") or ""), start, end)
    c.sandbox.sprints[sprint.id] = sprint
    c.sandbox.tick()
    return ok(jira_sprint(c, sprint), 201)


def partially_update_sprint(c: Call) -> Response:
    sprint = sprint_of(c)
    body = c.body_dict()
    _writable_board(c, c.sandbox.boards[sprint.board])
    if sprint.state == "closed":
        raise ApiError(400, "A closed sprint cannot be updated.")
    state = body.get("state", sprint.state)
    if state not in ("future", "active", "closed"):
        raise ApiError(400, errors={"state": f"Unknown sprint state '{state}'."})
    moves = {("future", "active"), ("active", "closed")}
    if state != sprint.state and (sprint.state, state) not in moves:
        raise ApiError(400, f"A {sprint.state} sprint cannot become {state}.")
    if "name" in body and not str(body["name"] or "").strip():
        raise ApiError(400, errors={"name": "The sprint name is required."})
    start = _date(body["startDate"], "startDate") if body.get("startDate") else sprint.start
    end = _date(body["endDate"], "endDate") if body.get("endDate") else sprint.end
    if state == "active" and not (start and end):
        raise ApiError(400, "A sprint needs a start date and an end date to start.")
    if start and end and end < start:
        raise ApiError(400, errors={"endDate": "The end date must be after the start date."})
    moment = c.sandbox.tick()
    sprint.name = str(body.get("name") or sprint.name)
    sprint.goal = str(body["goal"]) if body.get("goal") is not None else sprint.goal
    sprint.start, sprint.end = start, end
    if state == "closed" and sprint.state == "active":
        sprint.complete = moment
    sprint.state = state
    return ok(jira_sprint(c, sprint))


def _issues_to_move(c: Call) -> list[Issue]:
    body = c.body_dict()
    keys = body.get("issues")
    if not isinstance(keys, list) or not keys:
        raise ApiError(400, errors={"issues": "At least one issue is required."})
    if len(keys) > MAX_ISSUES_PER_MOVE:
        raise ApiError(400, f"At most {MAX_ISSUES_PER_MOVE} issues can be moved in one request.")
    issues = []
    for key in keys:
        issue = c.sandbox.issue(str(key))
        if issue is None:
            raise ApiError(400, f"Issue '{key}' does not exist or you do not have permission to see it.")
        if not c.sandbox.projects[issue.project].writable:
            raise ApiError(403, f"You do not have permission to schedule issue '{key}'.")
        issues.append(issue)
    return issues


def _leave_open_sprints(c: Call, issue: Issue) -> None:
    issue.sprints = [s for s in issue.sprints if c.sandbox.sprints[s].state not in OPEN_STATES]


def move_issues_to_sprint(c: Call) -> Response:
    sprint = sprint_of(c)
    if sprint.state not in OPEN_STATES:
        raise ApiError(400, "Issues can only be moved to a future or an active sprint.")
    issues = _issues_to_move(c)
    moment = c.sandbox.tick()
    for issue in issues:
        _leave_open_sprints(c, issue)
        issue.sprints.append(sprint.id)
        issue.updated = moment
    return Response(status_code=204)


def move_issues_to_backlog(c: Call) -> Response:
    issues = _issues_to_move(c)
    moment = c.sandbox.tick()
    for issue in issues:
        if any(c.sandbox.sprints[s].state in OPEN_STATES for s in issue.sprints):
            _leave_open_sprints(c, issue)
            issue.updated = moment
    return Response(status_code=204)


ROUTES = {
    "agile": [
        ("getIssuesForBoard", "GET", "/board/{boardId}/issue", get_issues_for_board),
        ("createSprint", "POST", "/sprint", create_sprint),
        ("partiallyUpdateSprint", "POST", "/sprint/{sprintId}", partially_update_sprint),
        ("moveIssuesToSprintAndRank", "POST", "/sprint/{sprintId}/issue", move_issues_to_sprint),
        ("moveIssuesToBacklog", "POST", "/backlog/issue", move_issues_to_backlog),
    ],
}
DC_OPERATION_IDS = {"jira": {"moveIssuesToSprintAndRank": "moveIssuesToSprint"}}
