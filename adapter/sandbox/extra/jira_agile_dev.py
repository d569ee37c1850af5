"""Sandbox routes of the agile tools: board issues, sprint create/update, moving issues into sprints or the backlog.

Jira Software's rules as the sandbox keeps them: only scrum boards have sprints; issues move only into a future or
active sprint and leave their other open sprints (closed ones stay in their history); closed sprints are frozen;
starting a sprint needs both dates.

Development information (the undocumented /rest/dev-status/1.0, mounted by app.py as the "devstatus" group) comes
from linked tools: seeded pull requests, branches and commits of a GitHub and a Bitbucket repository. The summary
counts them per tool; the detail serves one tool and data type (pullrequest and branch both list pull requests and
branches; repository lists repositories with their commits).
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


# --- development information -----------------------------------------------------------------------------------

GITHUB = {"name": "GitHub", "typeName": "GitHub", "type": "GitHub", "baseUrl": "https://github.com", "id": "gh-1"}
BITBUCKET = {"name": "Bitbucket Cloud", "typeName": "Bitbucket Cloud", "type": "bitbucket", "id": "bb-1",
             "baseUrl": "https://bitbucket.org"}  # fmt: skip
DEV_KINDS = ("pullrequest", "branch", "repository", "build", "review", "deployment-environment")


def _pr(number: int, repo: str, title: str, source: str, status: str, author: str, reviewer: str, days: int) -> Any:
    url = f"https://github.com/{repo}"
    return {"id": f"#{number}", "name": title, "commentCount": 2, "status": status, "url": f"{url}/pull/{number}",
            "source": {"branch": source, "url": f"{url}/tree/{source}"},
            "destination": {"branch": "main", "url": f"{url}/tree/main"},
            "author": {"name": author, "avatar": f"https://avatars.example.com/{author}.png"},
            "reviewers": [{"name": reviewer, "approved": status == "MERGED", "avatar": ""}],
            "lastUpdate": f"2026-10-{31 - days:02d}T10:00:00.000+0000", "repositoryName": repo,
            "repositoryUrl": url}  # fmt: skip


def _branch(repo: str, base: str, name: str) -> Any:
    url = f"{base}/{repo}"
    return {"name": name, "url": f"{url}/tree/{name}", "createPullRequestUrl": f"{url}/compare/{name}",
            "repository": {"name": repo, "url": url}}  # fmt: skip


def _repository(repo: str, base: str, *commits: tuple[str, str, str]) -> Any:
    url = f"{base}/{repo}"
    return {"name": repo, "url": url, "avatar": "", "commits": [
        {"id": sha * 5, "displayId": sha[:7], "message": message, "author": {"name": author, "avatar": ""},
         "authorTimestamp": "2026-10-28T16:20:00.000+0000", "url": f"{url}/commit/{sha * 5}", "fileCount": 2,
         "merge": False, "files": []} for sha, message, author in commits]}  # fmt: skip


def seed(sandbox: Any) -> None:
    """Development information per issue key: tool -> pullRequests / branches / repositories."""
    shop = "acme/shop"
    sandbox.extra["jira_agile_dev"] = {
        "PROJ-2": {
            "GitHub": {
                "pullRequests": [_pr(42, shop, "PROJ-2 Apple Pay button", "PROJ-2-apple-pay", "OPEN", "Alice Anders",
                                     "Bob Brown", 1)],
                "branches": [_branch(shop, GITHUB["baseUrl"], "PROJ-2-apple-pay")],
                "repositories": [_repository(shop, GITHUB["baseUrl"], ("a1b2c3d4", "PROJ-2 add the payment sheet",
                                 "Alice Anders"), ("e5f6a7b8", "PROJ-2 show the button on iOS only", "Alice Anders"))],
            },
            "bitbucket": {"branches": [_branch("acme/payments", BITBUCKET["baseUrl"], "PROJ-2-merchant-id")]},
        },
        "PROJ-5": {
            "GitHub": {"pullRequests": [_pr(37, shop, "PROJ-5 payments SDK 5.2", "PROJ-5-sdk", "MERGED", "Sandbox User",
                                            "Alice Anders", 15)],
                       "branches": [_branch(shop, GITHUB["baseUrl"], "PROJ-5-sdk")]},
        },
    }  # fmt: skip


def _dev_issue(c: Call) -> tuple[Issue, dict[str, Any]]:
    ref = c.q.get("issueId") or ""
    if not ref.isdigit():
        raise ApiError(400, errors={"issueId": "The issue id must be a number."})
    issue = c.sandbox.issue(ref)
    if issue is None:
        raise ApiError(404, "Issue does not exist or you do not have permission to see it.")
    return issue, c.sandbox.extra["jira_agile_dev"].get(issue.key, {})


def _instance(tool: str) -> dict[str, str]:
    return GITHUB if tool == "GitHub" else BITBUCKET


def get_dev_status_summary(c: Call) -> Response:
    _issue, tools = _dev_issue(c)
    lists = {"pullrequest": "pullRequests", "branch": "branches", "repository": "repositories"}
    summary = {}
    for kind in DEV_KINDS:
        counts = {tool: len(data.get(lists.get(kind, ""), [])) for tool, data in tools.items()}
        by_type = {tool: {"count": n, "name": _instance(tool)["name"]} for tool, n in counts.items() if n}
        overall: dict[str, Any] = {"count": sum(counts.values()), "lastUpdated": None}
        if kind == "pullrequest":
            states = [pr["status"] for data in tools.values() for pr in data.get("pullRequests", [])]
            overall |= {"stateCount": len(states), "state": states[0] if states else None,
                        "details": {"openCount": states.count("OPEN"), "mergedCount": states.count("MERGED"),
                                    "declinedCount": states.count("DECLINED"), "total": len(states)},
                        "open": "OPEN" in states}  # fmt: skip
        summary[kind] = {"overall": overall, "byInstanceType": by_type}
    return ok({"errors": [], "configErrors": [], "summary": summary})


def get_dev_status_detail(c: Call) -> Response:
    _issue, tools = _dev_issue(c)
    app_type, kind = c.q.get("applicationType") or "", c.q.get("dataType") or ""
    if not app_type:
        raise ApiError(400, errors={"applicationType": "The application type is required."})
    if kind not in ("pullrequest", "branch", "repository"):
        raise ApiError(400, errors={"dataType": f"Unknown data type '{kind}'."})
    detail = []
    for tool, data in tools.items():
        if app_type.lower() in (tool.lower(), _instance(tool)["type"].lower()):
            shown = ("repositories",) if kind == "repository" else ("pullRequests", "branches")
            detail.append({**{name: data.get(name, []) for name in shown}, "_instance": _instance(tool)})
    return ok({"errors": [], "detail": detail})


ROUTES = {
    "agile": [
        ("getIssuesForBoard", "GET", "/board/{boardId}/issue", get_issues_for_board),
        ("createSprint", "POST", "/sprint", create_sprint),
        ("partiallyUpdateSprint", "POST", "/sprint/{sprintId}", partially_update_sprint),
        ("moveIssuesToSprintAndRank", "POST", "/sprint/{sprintId}/issue", move_issues_to_sprint),
        ("moveIssuesToBacklog", "POST", "/backlog/issue", move_issues_to_backlog),
    ],
    "devstatus": [
        ("getDevStatusSummary", "GET", "/issue/summary", get_dev_status_summary),
        ("getDevStatusDetail", "GET", "/issue/detail", get_dev_status_detail),
    ],
}
DC_OPERATION_IDS = {"jira": {"moveIssuesToSprintAndRank": "moveIssuesToSprint"}}
