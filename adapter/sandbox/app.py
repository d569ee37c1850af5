"""The sandbox site: a stateful, in-process stand-in for Jira and Confluence, Cloud or Data Center, as an ASGI app.

Newcomers run the MCP server against it without an account, tests drive whole write flows through it, and
benchmarks compare servers on the same data. It answers the REST operations the shipped tools use (and the
ones around them) with the paths, auth, paging styles, error shapes and quirks of the real products, on the
seeded data of `seed.py`. Every request is recorded (never its secret), and faults can be injected.

Routing is one table per API: `(operationId, method, path, handler)`; the flavour decides where each API is
mounted. JQL and CQL are parsed by `query.py`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import copy
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from functools import cache
from typing import Any, Literal
from urllib.parse import quote, urlencode

from starlette.applications import Starlette
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from . import seed
from .query import QueryContext, QueryError, parse_cql, parse_jql
from .seed import Flavor, Issue, Page, RichText, User

SANDBOX_EMAIL = "sandbox@example.com"
SANDBOX_TOKEN = "sandbox-token"
SANDBOX_USERNAME = "sandbox"

JSON = Any


class Api(Enum):
    """Which REST API a route belongs to: decides rich-text format, user shape and error shape."""

    JIRA3 = "jira3"  # Jira Cloud REST v3: rich text is ADF
    JIRA2 = "jira2"  # Jira REST v2 (Cloud and Data Center): rich text is wiki markup
    AGILE = "agile"  # Jira Software /rest/agile/1.0
    SERVICEDESK = "servicedesk"  # Jira Service Management /rest/servicedeskapi
    WIKI2 = "wiki2"  # Confluence Cloud REST v2
    WIKI1 = "wiki1"  # Confluence Cloud REST v1 and Confluence Data Center REST
    FORMS = "forms"  # Jira Forms on api.atlassian.com/jira/forms/cloud/{cloudId} (extra/jira_forms.py)

    @property
    def jira(self) -> bool:
        return self in (Api.JIRA3, Api.JIRA2, Api.AGILE, Api.SERVICEDESK)


class ApiError(Exception):
    """An error answer; rendered in the shape of the API that raised it."""

    def __init__(
        self, status: int, message: str = "", errors: Mapping[str, str] | None = None, *, code: str = ""
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.errors, self.code = status, message, dict(errors or {}), code


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the sandbox saw it. `credential` names who it claimed to be, never the secret."""

    method: str
    path: str
    query: str
    credential: str  # "basic/bearer/oauth <user>", "none"; " (rejected)" appended when it did not authenticate
    body: JSON
    status: int
    operation: str = ""  # the operationId that answered ("" when no route matched)


FaultKind = Literal["status", "delay", "reset", "malformed", "redirect"]


@dataclass
class Fault:
    """What the next `times` matching requests get instead of (or before) their answer."""

    pattern: re.Pattern[str]
    status: int
    times: int
    retry_after: int | None
    kind: FaultKind = "status"  # an error status | answer late | cut the body | invalid JSON | redirect elsewhere
    delay: float = 0.0  # seconds, for "delay"
    location: str = ""  # for "redirect"


# --- state -----------------------------------------------------------------------------------------------


class Sandbox:
    """The site's state: the seeded data, plus what requests changed, the request log and pending faults."""

    def __init__(self, flavor: Flavor, token: str, now: datetime | None) -> None:
        data = seed.build(flavor, now or seed.BASE_NOW)
        self.flavor, self.token, self.data = flavor, token, data
        self.clock = data.now
        self.users = data.users
        self.me = next(u for u in data.users if u.key == "sandbox")
        self.tokens: dict[str, str] = {}  # more users' tokens (add_token): token -> who the log names
        self.projects = {p.key: p for p in data.projects}
        self.issues: dict[str, Issue] = {i.key: i for i in data.issues}
        self.links = data.links
        self.boards = {b.id: b for b in data.boards}
        self.sprints = {s.id: s for s in data.sprints}
        self.spaces = {s.key: s for s in data.spaces}
        self.pages: dict[int, Page] = {p.id: p for p in data.pages}
        self.versions: dict[int, dict[int, Page]] = {}  # page id -> earlier versions, as updates left them
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self.extra: dict[str, Any] = {}  # state of the extension modules, each under its module's short name
        self.oauth_tokens: dict[str, str] = {}  # OAuth access token -> user key, issued by sandbox/oauth.py
        self._ids = {
            "issue": max(i.id for i in data.issues),
            "comment": max((c.id for i in data.issues for c in i.comments), default=10100),
            "worklog": max((w.id for i in data.issues for w in i.worklogs), default=10200),
            "link": max(link.id for link in data.links),
            "page": max(p.id for p in data.pages),
        }
        self._numbers = {
            p: max((int(k.split("-")[1]) for k in self.issues if k.startswith(p + "-")), default=0)
            for p in self.projects
        }
        for ext in extensions():
            if hasattr(ext, "seed"):
                ext.seed(self)  # e.g. self.extra["servicedesk"] = ...

    def inject(
        self,
        path_regex: str,
        status: int = 500,
        *,
        times: int = 1,
        retry_after: int | None = None,
        kind: FaultKind = "status",
        delay: float = 0.0,
        location: str = "",
    ) -> None:
        """Spoil the next `times` requests whose path matches: answer `status` (e.g. 429 with Retry-After, 503),
        or with kind "delay" answer `delay` seconds late, "reset" close the connection mid-body, "malformed" answer
        200 with a body that is not JSON, "redirect" answer 302 to `location` (another host)."""
        self.faults.append(Fault(re.compile(path_regex), status, times, retry_after, kind, delay, location))

    def add_token(self, token: str, who: str) -> None:
        """Accept `token` too (as Bearer, or as the secret of Basic); the request log names it `who`, not the token."""
        self.tokens[token] = who

    def tick(self) -> datetime:
        """The time of a change: the clock moves one second per write, so order is visible and runs repeat."""
        self.clock += timedelta(seconds=1)
        return self.clock

    def next_id(self, kind: str) -> int:
        self._ids.setdefault(kind, 30000)  # kinds the seed does not number start high, clear of seeded ids
        self._ids[kind] += 1
        return self._ids[kind]

    def next_key(self, project: str) -> str:
        self._numbers[project] = self._numbers.get(project, 0) + 1
        return f"{project}-{self._numbers[project]}"

    # lookups that respect permissions: what the sandbox user cannot browse does not exist for them

    def user(self, ref: str | None) -> User | None:
        return seed.user_by_any(self.users, ref) if ref else None

    def user_id(self, user: User) -> str:
        """How JQL/CQL name a user: accountId on Cloud, username on Data Center."""
        return user.account_id if self.flavor == "cloud" else user.key

    def project(self, ref: str) -> seed.Project | None:
        for project in self.projects.values():
            if project.visible and ref.upper() in (project.key, str(project.id)):
                return project
        return None

    def issue(self, ref: str) -> Issue | None:
        found = self.issues.get(ref.upper()) or next((i for i in self.issues.values() if str(i.id) == ref), None)
        return found if found and self.projects[found.project].visible else None

    def space(self, ref: str) -> seed.Space | None:
        for space in self.spaces.values():
            if space.visible and ref in (space.key, str(space.id)):
                return space
        return None

    def page(self, ref: str | int, kinds: Iterable[str] = ("page", "blogpost")) -> Page | None:
        try:
            found = self.pages.get(int(ref))
        except ValueError:
            return None
        if found is None or found.type not in kinds or found.status != "current":
            return None
        return found if self.spaces[found.space].visible else None

    def visible_issues(self) -> list[Issue]:
        return [i for i in self.issues.values() if self.projects[i.project].visible]

    def visible_pages(self) -> list[Page]:
        return [p for p in self.pages.values() if p.status == "current" and self.spaces[p.space].visible]


# --- per-request context ---------------------------------------------------------------------------------


@dataclass
class Call:
    """One request being answered: the state, the API it came in on, its parameters and JSON body."""

    sandbox: Sandbox
    api: Api
    request: Request
    body: JSON
    path: dict[str, str] = field(default_factory=dict)

    @property
    def q(self) -> QueryParams:
        return self.request.query_params

    @property
    def cloud(self) -> bool:
        return self.sandbox.flavor == "cloud"

    @property
    def host(self) -> str:
        return str(self.request.base_url).rstrip("/")

    @property
    def jira_root(self) -> str:
        return self.host if self.cloud else self.host + "/jira"

    @property
    def jira_api(self) -> str:
        return self.jira_root + ("/rest/api/3" if self.api == Api.JIRA3 else "/rest/api/2")

    @property
    def wiki_root(self) -> str:
        return self.host + ("/wiki" if self.cloud else "/confluence")

    def int_param(self, name: str, default: int, *, low: int = 0, high: int | None = None) -> int:
        raw = self.q.get(name)
        if raw is None or raw == "":
            value = default
        else:
            try:
                value = int(raw)
            except ValueError:
                raise ApiError(400, f"The value '{raw}' of parameter '{name}' is not a number.") from None
        value = max(value, low)
        return min(value, high) if high is not None else value

    def list_param(self, name: str) -> list[str]:
        """A list parameter given repeated (`a=1&a=2`) or comma-separated (`a=1,2`), as Atlassian accepts both."""
        return [part.strip() for value in self.q.getlist(name) for part in value.split(",") if part.strip()]

    def body_dict(self) -> dict[str, Any]:
        if not isinstance(self.body, dict):
            raise ApiError(400, "The request body is missing or is not a JSON object.")
        return self.body


Handler = Callable[[Call], Response]


# --- formats ---------------------------------------------------------------------------------------------


def jira_time(moment: datetime) -> str:
    """Jira's timestamp format: milliseconds and a `+0000` offset without a colon."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000%z")


def iso_time(moment: datetime) -> str:
    """Confluence Cloud and Jira Software's format: RFC 3339 with milliseconds and `Z`."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def dc_time(moment: datetime) -> str:
    """Confluence Data Center's format: RFC 3339 with milliseconds and a `+00:00` offset."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


def ok(body: JSON, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def no_content() -> Response:
    return Response(status_code=204)


def encode_token(offset: int) -> str:
    """An opaque page token (the real ones are opaque too); it only carries the offset."""
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode().rstrip("=")


def decode_token(token: str | None, name: str) -> int:
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))["offset"]
        if isinstance(offset, int) and offset >= 0:
            return offset
    except (ValueError, KeyError, TypeError, binascii.Error):
        pass
    raise ApiError(400, f"Invalid {name}: {token}")


# --- Jira: rendering -------------------------------------------------------------------------------------

PRIORITY_IDS = {name: str(index) for index, name in enumerate(seed.PRIORITIES, start=1)}
CATEGORIES = {
    "new": (2, "blue-gray", "To Do"),
    "indeterminate": (4, "yellow", "In Progress"),
    "done": (3, "green", "Done"),
}
NON_NAVIGABLE = {"comment", "worklog", "attachment"}  # left out of `*navigable` (search's default on Data Center)


def avatar_urls(c: Call, what: str, ident: str) -> dict[str, str]:
    return {f"{n}x{n}": f"{c.jira_root}/secure/{what}avatar?size={n}&id={ident}" for n in (48, 24, 16, 32)}


def jira_user(c: Call, user: User | None) -> JSON:
    if user is None:
        return None
    body: dict[str, Any] = {}
    if c.cloud:
        body["self"] = f"{c.jira_api}/user?accountId={user.account_id}"
        body["accountId"] = user.account_id
        body["accountType"] = "atlassian"
    else:
        body["self"] = f"{c.jira_api}/user?username={user.key}"
        body["name"] = user.key
        body["key"] = user.jira_key
    body |= {
        "emailAddress": user.email,
        "avatarUrls": avatar_urls(c, "user", user.key),
        "displayName": user.display_name,
        "active": True,
        "timeZone": user.time_zone,
    }
    return body


def jira_status(c: Call, name: str) -> JSON:
    status = next(s for s in c.sandbox.data.statuses if s.name == name)
    cat_id, color, cat_name = CATEGORIES[status.category]
    return {
        "self": f"{c.jira_api}/status/{status.id}",
        "description": "",
        "iconUrl": f"{c.jira_root}/images/status.png",
        "name": status.name,
        "id": str(status.id),
        "statusCategory": {
            "self": f"{c.jira_api}/statuscategory/{cat_id}",
            "id": cat_id,
            "key": status.category,
            "colorName": color,
            "name": cat_name,
        },
    }


def issue_type_named(c: Call, name: str) -> seed.IssueType:
    return next(t for t in c.sandbox.data.issue_types if t.name == name)


def type_display_name(c: Call, name: str) -> str:
    """Data Center still calls subtasks "Sub-task"."""
    return "Sub-task" if name == "Subtask" and not c.cloud else name


def jira_issue_type(c: Call, name: str) -> JSON:
    kind = issue_type_named(c, name)
    body = {
        "self": f"{c.jira_api}/issuetype/{kind.id}",
        "id": str(kind.id),
        "description": kind.description,
        "iconUrl": f"{c.jira_root}/images/icons/issuetypes/{kind.name.lower()}.svg",
        "name": type_display_name(c, kind.name),
        "subtask": kind.subtask,
        "avatarId": 10300 + kind.id % 100,
    }
    if c.cloud:
        body["hierarchyLevel"] = kind.hierarchy
    return body


def jira_priority(c: Call, name: str) -> JSON:
    pid = PRIORITY_IDS[name]
    return {
        "self": f"{c.jira_api}/priority/{pid}",
        "iconUrl": f"{c.jira_root}/images/icons/priorities/{name.lower()}.svg",
        "name": name,
        "id": pid,
    }


def jira_project_ref(c: Call, project: seed.Project) -> JSON:
    body: dict[str, Any] = {
        "self": f"{c.jira_api}/project/{project.id}",
        "id": str(project.id),
        "key": project.key,
        "name": project.name,
        "projectTypeKey": project.type_key,
        "avatarUrls": avatar_urls(c, "project", str(project.id)),
    }
    if c.cloud:
        body["simplified"] = False
    return body


def jira_project(c: Call, project: seed.Project, *, detail: bool = False) -> JSON:
    body = jira_project_ref(c, project)
    body["projectCategory"] = {
        "self": f"{c.jira_api}/projectCategory/10000",
        "id": "10000",
        "name": "Sandbox",
        "description": "Projects of the sandbox site",
    }
    if c.cloud:
        body |= {"style": "classic", "isPrivate": False, "properties": {}}
    if detail:
        body |= {
            "description": project.description,
            "lead": jira_user(c, c.sandbox.user(project.lead)),
            "components": [jira_component(c, project, n) for n in project.components],
            "issueTypes": [jira_issue_type(c, t) for t in project.issue_types],
            "versions": [jira_version(c, project, v) for v in project.versions],
            "assigneeType": "UNASSIGNED",
            "roles": {},
            "url": "",
        }
    return body


def jira_component(c: Call, project: seed.Project, name: str) -> JSON:
    cid = str(10000 + project.id % 100 * 10 + project.components.index(name))
    return {"self": f"{c.jira_api}/component/{cid}", "id": cid, "name": name}


def jira_version(c: Call, project: seed.Project, version: seed.Version) -> JSON:
    body: dict[str, Any] = {
        "self": f"{c.jira_api}/version/{version.id}",
        "id": str(version.id),
        "name": version.name,
        "archived": False,
        "released": version.released,
        "projectId": project.id,
    }
    if version.release_date:
        body["releaseDate"] = version.release_date.isoformat()
    return body


def rich_out(c: Call, value: RichText | None) -> JSON:
    """Rich text as this API shows it: ADF on Cloud v3, wiki markup on v2 and Data Center."""
    if value is None:
        return None
    if c.api == Api.JIRA3:
        return value if isinstance(value, dict) else seed.wiki_to_adf(value)
    return value if isinstance(value, str) else seed.adf_to_wiki(value, c.sandbox.flavor)


def rich_html(value: RichText | None) -> str | None:
    if value is None:
        return None
    return seed.adf_to_html(value if isinstance(value, dict) else seed.wiki_to_adf(value))


def rich_in(c: Call, name: str, value: Any, errors: dict[str, str]) -> RichText | None:
    """Validate rich text sent on this API: an ADF document on v3, a string on v2."""
    if value is None:
        return None
    if c.api == Api.JIRA3:
        if not (isinstance(value, dict) and value.get("type") == "doc" and isinstance(value.get("content"), list)):
            errors[name] = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
            return None
        return dict(value)
    if not isinstance(value, str):
        errors[name] = "Operation value must be a string"
        return None
    return value


def jira_comment(c: Call, issue: Issue, comment: seed.Comment, *, rendered: bool = False) -> JSON:
    body = {
        "self": f"{c.jira_api}/issue/{issue.id}/comment/{comment.id}",
        "id": str(comment.id),
        "author": jira_user(c, c.sandbox.user(comment.author)),
        "body": rich_out(c, comment.body),
        "updateAuthor": jira_user(c, c.sandbox.user(comment.update_author)),
        "created": jira_time(comment.created),
        "updated": jira_time(comment.updated),
    }
    if c.cloud:
        body["jsdPublic"] = True
    if comment.visibility:
        body["visibility"] = comment.visibility
    if rendered:
        body["renderedBody"] = rich_html(comment.body)
    return body


def jira_worklog(c: Call, issue: Issue, worklog: seed.Worklog) -> JSON:
    author = jira_user(c, c.sandbox.user(worklog.author))
    body = {
        "self": f"{c.jira_api}/issue/{issue.id}/worklog/{worklog.id}",
        "author": author,
        "updateAuthor": author,
        "created": jira_time(worklog.created),
        "updated": jira_time(worklog.created),
        "started": jira_time(worklog.started),
        "timeSpent": duration_text(worklog.seconds),
        "timeSpentSeconds": worklog.seconds,
        "id": str(worklog.id),
        "issueId": str(issue.id),
    }
    if worklog.comment is not None:
        body["comment"] = rich_out(c, worklog.comment)
    return body


def duration_text(seconds: int) -> str:
    """Jira's duration format (1w = 5d, 1d = 8h): "1d 2h 30m"."""
    parts = []
    for unit, size in (("w", 5 * 8 * 3600), ("d", 8 * 3600), ("h", 3600), ("m", 60)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return " ".join(parts) or "0m"


def parse_duration(text: str) -> int | None:
    matches = re.findall(r"(\d+(?:\.\d+)?)\s*([wdhm])", text.lower())
    if not matches or re.sub(r"(\d+(?:\.\d+)?)\s*([wdhm])", "", text.lower()).strip():
        return None
    sizes = {"w": 5 * 8 * 3600, "d": 8 * 3600, "h": 3600, "m": 60}
    return int(sum(float(n) * sizes[u] for n, u in matches))


def issue_ref(c: Call, issue: Issue) -> JSON:
    """An issue as other issues show it (parent, subtasks, links)."""
    return {
        "id": str(issue.id),
        "key": issue.key,
        "self": f"{c.jira_api}/issue/{issue.id}",
        "fields": {
            "summary": issue.summary,
            "status": jira_status(c, issue.status),
            "priority": jira_priority(c, issue.priority),
            "issuetype": jira_issue_type(c, issue.issue_type),
        },
    }


def jira_sprint(c: Call, sprint: seed.Sprint) -> JSON:
    body: dict[str, Any] = {
        "id": sprint.id,
        "self": f"{c.jira_root}/rest/agile/1.0/sprint/{sprint.id}",
        "state": sprint.state,
        "name": sprint.name,
        "originBoardId": sprint.board,
        "goal": sprint.goal,
    }
    if sprint.start:
        body["startDate"] = iso_time(sprint.start)
        body["activatedDate"] = iso_time(sprint.start)
    if sprint.end:
        body["endDate"] = iso_time(sprint.end)
    if sprint.complete:
        body["completeDate"] = iso_time(sprint.complete)
    if c.cloud:
        body["createdDate"] = iso_time(c.sandbox.data.now - timedelta(days=40))
    else:
        body["autoStartStop"] = False
        body["synced"] = False
    return body


def sprint_field(c: Call, issue: Issue) -> JSON:
    """Cloud shows sprints as objects; Data Center still sends GreenHopper's toString() strings."""
    sprints = [c.sandbox.sprints[s] for s in issue.sprints]
    if not sprints:
        return None
    if c.cloud:
        return [
            {
                "id": s.id,
                "name": s.name,
                "state": s.state,
                "boardId": s.board,
                "goal": s.goal,
                **({"startDate": iso_time(s.start)} if s.start else {}),
                **({"endDate": iso_time(s.end)} if s.end else {}),
            }
            for s in sprints
        ]
    return [
        f"com.atlassian.greenhopper.service.sprint.Sprint@{1000 + s.id:x}[id={s.id},rapidViewId={s.board},"
        f"state={s.state.upper()},name={s.name},startDate={iso_time(s.start) if s.start else '<null>'},"
        f"endDate={iso_time(s.end) if s.end else '<null>'},"
        f"completeDate={iso_time(s.complete) if s.complete else '<null>'},"
        f"activatedDate={iso_time(s.start) if s.start else '<null>'},sequence={s.id},goal={s.goal},"
        "autoStartStop=false,synced=false]"
        for s in sprints
    ]


def field_catalogue(c: Call) -> list[JSON]:
    """The fields this site has: system fields plus the custom fields agile tools rely on."""

    def system(fid: str, name: str, schema: JSON, *, orderable: bool = True, clauses: Iterable[str] = ()) -> JSON:
        return {
            "id": fid,
            "key": fid,
            "name": name,
            "custom": False,
            "orderable": orderable,
            "navigable": True,
            "searchable": True,
            "clauseNames": list(clauses) or [fid],
            "schema": schema,
        }

    def custom(cid: int, name: str, schema_type: str, custom_type: str, clause: str, items: str | None = None) -> JSON:
        schema: dict[str, Any] = {"type": schema_type, "custom": custom_type, "customId": cid}
        if items:
            schema["items"] = items
        fid = f"customfield_{cid}"
        return {
            "id": fid,
            "key": fid,
            "name": name,
            "custom": True,
            "orderable": True,
            "navigable": True,
            "searchable": True,
            "clauseNames": [f"cf[{cid}]", clause],
            "schema": schema,
        }

    user = {"type": "user", "system": "assignee"}
    fields = [
        system("summary", "Summary", {"type": "string", "system": "summary"}),
        system("description", "Description", {"type": "string", "system": "description"}),
        system("environment", "Environment", {"type": "string", "system": "environment"}),
        system("issuetype", "Issue Type", {"type": "issuetype", "system": "issuetype"}, clauses=["issuetype", "type"]),
        system("project", "Project", {"type": "project", "system": "project"}),
        system("status", "Status", {"type": "status", "system": "status"}, orderable=False),
        system("priority", "Priority", {"type": "priority", "system": "priority"}),
        system("assignee", "Assignee", user),
        system("reporter", "Reporter", {"type": "user", "system": "reporter"}),
        system("creator", "Creator", {"type": "user", "system": "creator"}, orderable=False),
        system("labels", "Labels", {"type": "array", "items": "string", "system": "labels"}),
        system(
            "components",
            "Components",
            {"type": "array", "items": "component", "system": "components"},
            clauses=["component"],
        ),
        system(
            "fixVersions",
            "Fix Version/s",
            {"type": "array", "items": "version", "system": "fixVersions"},
            clauses=["fixVersion"],
        ),
        system("resolution", "Resolution", {"type": "resolution", "system": "resolution"}),
        system(
            "resolutiondate",
            "Resolved",
            {"type": "datetime", "system": "resolutiondate"},
            orderable=False,
            clauses=["resolutiondate", "resolved"],
        ),
        system("created", "Created", {"type": "datetime", "system": "created"}, orderable=False),
        system("updated", "Updated", {"type": "datetime", "system": "updated"}, orderable=False),
        system("duedate", "Due date", {"type": "date", "system": "duedate"}, clauses=["duedate", "due"]),
        system("comment", "Comment", {"type": "comments-page", "system": "comment"}),
        system("worklog", "Log Work", {"type": "array", "items": "worklog", "system": "worklog"}),
        system("attachment", "Attachment", {"type": "array", "items": "attachment", "system": "attachment"}),
        system("issuelinks", "Linked Issues", {"type": "array", "items": "issuelinks", "system": "issuelinks"}),
        system(
            "subtasks", "Sub-tasks", {"type": "array", "items": "issuelinks", "system": "subtasks"}, orderable=False
        ),
        system("parent", "Parent", {"type": "issuelink", "system": "parent"}),
        system("watches", "Watchers", {"type": "watches", "system": "watches"}, orderable=False),
        system("timetracking", "Time tracking", {"type": "timetracking", "system": "timetracking"}),
        custom(
            10016,
            "Story point estimate" if c.cloud else "Story Points",
            "number",
            "com.pyxis.greenhopper.jira:jsw-story-points"
            if c.cloud
            else "com.atlassian.jira.plugin.system.customfieldtypes:float",
            "Story Points",
        ),
        custom(10020, "Sprint", "array", "com.pyxis.greenhopper.jira:gh-sprint", "Sprint", "json"),
    ]
    if not c.cloud:
        fields.append(custom(10014, "Epic Link", "any", "com.pyxis.greenhopper.jira:gh-epic-link", "Epic Link"))
        fields.append(custom(10011, "Epic Name", "string", "com.pyxis.greenhopper.jira:gh-epic-label", "Epic Name"))
    for state in c.sandbox.extra.values():  # custom fields that extension modules seed (e.g. a select field)
        fields += state.get("custom_fields", []) if isinstance(state, dict) else []
    return fields


def jira_attachment(c: Call, a: seed.Attachment) -> JSON:
    return {
        "self": f"{c.jira_api}/attachment/{a.id}",
        "id": str(a.id),
        "filename": a.filename,
        "author": jira_user(c, c.sandbox.user(a.author)),
        "created": jira_time(a.created),
        "size": a.size,
        "mimeType": a.mime_type,
        "content": f"{c.jira_root}/secure/attachment/{a.id}/{quote(a.filename)}",
    }


def issue_fields(c: Call, issue: Issue) -> dict[str, Any]:
    """Every field of an issue, as this API shows it."""
    sandbox = c.sandbox
    project = sandbox.projects[issue.project]
    parent = sandbox.issues.get(issue.parent) if issue.parent else None
    epic_link = parent is not None and not c.cloud and parent.issue_type == "Epic"
    links = []
    for link in sandbox.links:
        if issue.key not in (link.source, link.target):
            continue
        kind = next(t for t in sandbox.data.link_types if t.name == link.type)
        other_key, side = (link.target, "outwardIssue") if link.source == issue.key else (link.source, "inwardIssue")
        other = sandbox.issue(other_key)
        if other is None:
            continue
        links.append(
            {
                "id": str(link.id),
                "self": f"{c.jira_api}/issueLink/{link.id}",
                "type": {
                    "id": str(kind.id),
                    "name": kind.name,
                    "inward": kind.inward,
                    "outward": kind.outward,
                    "self": f"{c.jira_api}/issueLinkType/{kind.id}",
                },
                side: issue_ref(c, other),
            }
        )
    subtasks = [
        issue_ref(c, s) for s in sandbox.visible_issues() if s.parent == issue.key and s.issue_type == "Subtask"
    ]
    spent = sum(w.seconds for w in issue.worklogs)
    me = sandbox.me.key
    fields: dict[str, Any] = {
        "summary": issue.summary,
        "description": rich_out(c, issue.description),
        "environment": rich_out(c, issue.environment),
        "issuetype": jira_issue_type(c, issue.issue_type),
        "project": jira_project_ref(c, project),
        "status": jira_status(c, issue.status),
        "priority": jira_priority(c, issue.priority),
        "assignee": jira_user(c, sandbox.user(issue.assignee)),
        "reporter": jira_user(c, sandbox.user(issue.reporter)),
        "creator": jira_user(c, sandbox.user(issue.reporter)),
        "labels": list(issue.labels),
        "components": [jira_component(c, project, n) for n in issue.components],
        "fixVersions": [jira_version(c, project, v) for v in project.versions if v.name in issue.fix_versions],
        "versions": [],
        "resolution": None
        if issue.resolution is None
        else {
            "self": f"{c.jira_api}/resolution/{10000 + seed.RESOLUTIONS.index(issue.resolution)}",
            "id": str(10000 + seed.RESOLUTIONS.index(issue.resolution)),
            "description": "",
            "name": issue.resolution,
        },
        "resolutiondate": jira_time(issue.resolution_date) if issue.resolution_date else None,
        "created": jira_time(issue.created),
        "updated": jira_time(issue.updated),
        "lastViewed": None,
        "duedate": issue.due.isoformat() if issue.due else None,
        "subtasks": subtasks,
        "issuelinks": links,
        "attachment": [jira_attachment(c, a) for a in issue.attachments],
        "comment": {
            "comments": [jira_comment(c, issue, m) for m in issue.comments],
            "self": f"{c.jira_api}/issue/{issue.id}/comment",
            "maxResults": len(issue.comments),
            "total": len(issue.comments),
            "startAt": 0,
        },
        "worklog": {
            "startAt": 0,
            "maxResults": 20,
            "total": len(issue.worklogs),
            "worklogs": [jira_worklog(c, issue, w) for w in issue.worklogs],
        },
        "watches": {
            "self": f"{c.jira_api}/issue/{issue.key}/watchers",
            "watchCount": len(issue.watchers),
            "isWatching": me in issue.watchers,
        },
        "votes": {"self": f"{c.jira_api}/issue/{issue.key}/votes", "votes": 0, "hasVoted": False},
        "timetracking": {"timeSpent": duration_text(spent), "timeSpentSeconds": spent} if spent else {},
        "timespent": spent or None,
        "aggregatetimespent": spent or None,
        "customfield_10016": issue.story_points,
        "customfield_10020": sprint_field(c, issue),
    }
    if parent is not None and not epic_link:
        fields["parent"] = issue_ref(c, parent)
    if not c.cloud:
        fields["customfield_10014"] = parent.key if epic_link and parent else None
        fields["customfield_10011"] = issue.summary if issue.issue_type == "Epic" else None
    return fields


def select_fields(c: Call, wanted: list[str], default: str) -> Callable[[str], bool]:
    """Which fields to send: `*all`, `*navigable`, names, and `-name` exclusions, as Jira reads them."""
    wanted = wanted or [default]
    names = {w for w in wanted if not w.startswith("-") and not w.startswith("*")}
    excluded = {w[1:] for w in wanted if w.startswith("-")}
    everything = "*all" in wanted or (not names and not any(w.startswith("*") for w in wanted) and bool(excluded))
    navigable = "*navigable" in wanted

    def keep(name: str) -> bool:
        if name in excluded:
            return False
        if everything or name in names:
            return True
        return navigable and name not in NON_NAVIGABLE

    return keep


def field_names(c: Call) -> dict[str, str]:
    return {f["id"]: f["name"] for f in field_catalogue(c)}


def jira_issue(c: Call, issue: Issue, fields: list[str], expand: str | None, default: str = "*all") -> JSON:
    """An issue (IssueBean) with the requested fields and expansions; unknown expansions are ignored."""
    keep = select_fields(c, fields, default)
    expands = {e.strip() for e in (expand or "").split(",") if e.strip()}
    body: dict[str, Any] = {
        "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
        "id": str(issue.id),
        "self": f"{c.jira_api}/issue/{issue.id}",
        "key": issue.key,
    }
    all_fields = issue_fields(c, issue)
    chosen = {k: v for k, v in all_fields.items() if keep(k)}
    if chosen or fields != ["id"]:
        body["fields"] = chosen
    if "renderedFields" in expands:
        rendered: dict[str, Any] = {k: None for k in chosen}
        for name, value in (("description", issue.description), ("environment", issue.environment)):
            if name in chosen:
                rendered[name] = rich_html(value)
        if "comment" in chosen:
            rendered["comment"] = {
                **chosen["comment"],
                "comments": [{**jira_comment(c, issue, m), "body": rich_html(m.body)} for m in issue.comments],
            }
        for name in ("created", "updated", "resolutiondate"):
            if chosen.get(name):
                moment = datetime.strptime(chosen[name], "%Y-%m-%dT%H:%M:%S.000%z")
                rendered[name] = moment.strftime("%d/%b/%y %-I:%M %p")
        body["renderedFields"] = rendered
    if "names" in expands:
        names = field_names(c)
        body["names"] = {k: names.get(k, k) for k in chosen}
    if "transitions" in expands:
        body["transitions"] = [jira_transition(c, t) for t in available_transitions(c, issue)]
    if "changelog" in expands:
        body["changelog"] = {"startAt": 0, "maxResults": 0, "total": 0, "histories": []}
    return body


def available_transitions(c: Call, issue: Issue) -> list[seed.Transition]:
    return [t for t in c.sandbox.data.transitions if t.source == issue.status]


def jira_transition(c: Call, transition: seed.Transition) -> JSON:
    body = {"id": transition.id, "name": transition.name, "to": jira_status(c, transition.target)}
    if c.cloud:
        body |= {
            "hasScreen": False,
            "isGlobal": False,
            "isInitial": False,
            "isAvailable": True,
            "isConditional": False,
            "isLooped": False,
        }
    return body


# --- Jira: writing ---------------------------------------------------------------------------------------

UNKNOWN_FIELD = "Field '{}' cannot be set. It is not on the appropriate screen, or unknown."


def find_user_ref(c: Call, value: Any) -> User | None | Literal[False]:
    """The user a `{"accountId": ...}` (Cloud) or `{"name": ...}` (Data Center) names; None for unassigned."""
    if value is None:
        return None
    if isinstance(value, dict):
        keys = ("accountId", "id") if c.cloud else ("name", "key", "id")
        ref = next((value[k] for k in keys if value.get(k)), None)
        if ref is None:
            return None if not value or all(v is None for v in value.values()) else False
        user = c.sandbox.user(str(ref))
        return user if user is not None else False
    return False


def apply_fields(c: Call, issue: Issue, fields: Mapping[str, Any], errors: dict[str, str], *, creating: bool) -> None:
    """Set fields from a create/edit/transition request; problems go into `errors` (nothing is half-applied)."""
    sandbox, project = c.sandbox, c.sandbox.projects[issue.project]
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("project", "issuetype") and creating:
            continue
        if name == "summary":
            if not isinstance(value, str) or not value.strip():
                errors["summary"] = "You must specify a summary of the issue."
            elif len(value) > 255:
                errors["summary"] = "Summary must be less than 255 characters."
            else:
                changes["summary"] = value.strip()
        elif name in ("description", "environment"):
            changes[name] = rich_in(c, name, value, errors)
        elif name in ("assignee", "reporter"):
            user = find_user_ref(c, value)
            if user is False:
                errors[name] = f"User '{json.dumps(value)}' does not exist."
            elif user is None and name == "reporter":
                errors[name] = "Reporter is required."
            else:
                changes[name] = user.key if user else None
        elif name == "priority":
            ref = value.get("name") or value.get("id") if isinstance(value, dict) else None
            match = next((p for p in seed.PRIORITIES if ref in (p, PRIORITY_IDS[p])), None)
            if match is None:
                errors["priority"] = "The priority selected is invalid."
            else:
                changes["priority"] = match
        elif name == "labels":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors["labels"] = "Labels must be a list of strings."
            elif bad := next((v for v in value if " " in v), None):
                errors["labels"] = f"The label '{bad}' contains spaces which is invalid."
            else:
                changes["labels"] = list(dict.fromkeys(value))
        elif name in ("components", "fixVersions"):
            known = project.components if name == "components" else [v.name for v in project.versions]
            ids = (
                {jira_component(c, project, n)["id"]: n for n in project.components}
                if name == "components"
                else {str(v.id): v.name for v in project.versions}
            )
            chosen = []
            for item in value if isinstance(value, list) else [None]:
                ref = (item.get("name") or item.get("id")) if isinstance(item, dict) else None
                picked = ref if ref in known else ids.get(str(ref))
                if picked is None:
                    what = "Component" if name == "components" else "Version"
                    errors[name] = f"{what} name '{ref}' is not valid"
                    break
                chosen.append(picked)
            else:
                changes[name] = chosen
        elif name == "duedate":
            try:
                changes["due"] = date.fromisoformat(value) if value else None
            except (TypeError, ValueError):
                errors["duedate"] = f"Error parsing date string: {value}"
        elif name == "parent" or (name == "customfield_10014" and value is not None):
            ref = value if isinstance(value, str) else (value or {}).get("key") or (value or {}).get("id")
            parent = sandbox.issue(str(ref)) if ref else None
            if value is None:
                changes["parent"] = None
            elif parent is None or parent.key == issue.key:
                errors[name] = "Could not find valid parent issue." if name == "parent" else f"Epic '{ref}' not found"
            else:
                changes["parent"] = parent.key
        elif name == "customfield_10016":
            if value is not None and not isinstance(value, int | float):
                errors[name] = "Operation value must be a number"
            else:
                changes["story_points"] = value
        elif name == "customfield_10020":
            given = value if isinstance(value, list) else [value] if value is not None else []
            sprints = [s.get("id") if isinstance(s, dict) else s for s in given]
            if not all(isinstance(s, int) and s in sandbox.sprints for s in sprints):
                errors[name] = "Sprint with the given id does not exist"
            else:
                changes["sprints"] = sprints
        elif name == "resolution":
            ref = value.get("name") if isinstance(value, dict) else None
            if value is not None and ref not in seed.RESOLUTIONS:
                errors[name] = "Resolution is invalid."
            else:
                changes["resolution"] = ref
        elif name == "customfield_10011" and not c.cloud:
            continue  # the epic name follows the summary here
        else:
            errors[name] = UNKNOWN_FIELD.format(name)
    if errors:
        return
    for name, value in changes.items():
        setattr(issue, name, value)


def apply_update(c: Call, issue: Issue, update: Any, errors: dict[str, str]) -> list[RichText]:
    """The `update` verbs (add/remove/set) for labels, components and comments; returns comment bodies to add."""
    comments: list[RichText] = []
    if not isinstance(update, dict):
        return comments
    for name, operations in update.items():
        for operation in operations if isinstance(operations, list) else []:
            for verb, value in (operation or {}).items():
                if name == "comment" and verb == "add":
                    body = rich_in(c, "comment", (value or {}).get("body"), errors)
                    if body is not None:
                        comments.append(body)
                elif name == "labels" and verb in ("add", "remove", "set"):
                    if verb == "set":
                        issue.labels = list(value)
                    elif verb == "add" and value not in issue.labels:
                        issue.labels.append(value)
                    elif verb == "remove" and value in issue.labels:
                        issue.labels.remove(value)
                elif name in ("summary", "description", "priority", "assignee", "duedate") and verb == "set":
                    apply_fields(c, issue, {name: value}, errors, creating=False)
                else:
                    errors[name] = UNKNOWN_FIELD.format(name)
    return comments


def writable_issue(c: Call, ref: str, action: str = "edit") -> Issue:
    issue = c.sandbox.issue(ref)
    if issue is None:
        raise ApiError(404, "Issue does not exist or you do not have permission to see it.")
    if not c.sandbox.projects[issue.project].writable:
        raise ApiError(403, f"You do not have permission to {action} issues in this project.")
    return issue


def add_comment_to(c: Call, issue: Issue, body: RichText, visibility: dict[str, str] | None = None) -> seed.Comment:
    moment = c.sandbox.tick()
    me = c.sandbox.me.key
    comment = seed.Comment(c.sandbox.next_id("comment"), me, body, moment, moment, me, visibility)
    issue.comments.append(comment)
    issue.updated = moment
    return comment


# --- Jira: operations ------------------------------------------------------------------------------------


def get_issue(c: Call) -> Response:
    issue = c.sandbox.issue(c.path["issueIdOrKey"])
    if issue is None:
        raise ApiError(404, "Issue does not exist or you do not have permission to see it.")
    return ok(jira_issue(c, issue, c.list_param("fields"), c.q.get("expand")))


def create_issue(c: Call) -> Response:
    body = c.body_dict()
    fields = body.get("fields")
    if not isinstance(fields, dict):
        raise ApiError(400, "", {"fields": "Field 'fields' is required."})
    errors: dict[str, str] = {}
    ref = fields.get("project")
    ref = (ref.get("key") or ref.get("id")) if isinstance(ref, dict) else ref
    project = c.sandbox.project(str(ref)) if ref else None
    if project is None:
        errors["project"] = "Specify a valid project ID or key"
    elif not project.writable:
        raise ApiError(403, "You do not have permission to create issues in this project.")
    kind_ref = fields.get("issuetype")
    kind_ref = (kind_ref.get("name") or kind_ref.get("id")) if isinstance(kind_ref, dict) else None
    kind = None
    if project is not None:
        for name in project.issue_types:
            t = issue_type_named(c, name)
            if str(kind_ref).lower() in (t.name.lower(), type_display_name(c, t.name).lower(), str(t.id)):
                kind = t
    if kind is None:
        errors["issuetype"] = "Specify an issue type" if not kind_ref else "The issue type selected is invalid."
    if "summary" not in fields:
        errors["summary"] = "You must specify a summary of the issue."
    if errors or project is None or kind is None:
        raise ApiError(400, "", errors)
    moment = c.sandbox.tick()
    me = c.sandbox.me.key
    issue = Issue(
        id=0,
        key="",
        project=project.key,
        issue_type=kind.name,
        summary="",
        status="To Do",
        priority="Medium",
        reporter=me,
        created=moment,
        updated=moment,
        watchers=[me],
    )
    apply_fields(c, issue, fields, errors, creating=True)
    comments = apply_update(c, issue, body.get("update"), errors)
    if kind.subtask and not issue.parent:
        errors.setdefault("parent", "Could not find valid parent issue.")
    if errors:
        raise ApiError(400, "", errors)
    issue.id, issue.key = c.sandbox.next_id("issue"), c.sandbox.next_key(project.key)
    c.sandbox.issues[issue.key] = issue
    for comment in comments:
        add_comment_to(c, issue, comment)
    return ok({"id": str(issue.id), "key": issue.key, "self": f"{c.jira_api}/issue/{issue.id}"}, 201)


def edit_issue(c: Call) -> Response:
    issue = writable_issue(c, c.path["issueIdOrKey"])
    body = c.body_dict()
    errors: dict[str, str] = {}
    before = copy.deepcopy(vars(issue))
    apply_fields(c, issue, body.get("fields") or {}, errors, creating=False)
    comments = apply_update(c, issue, body.get("update"), errors)
    if errors:
        vars(issue).update(before)
        raise ApiError(400, "", errors)
    issue.updated = c.sandbox.tick()
    for comment in comments:
        add_comment_to(c, issue, comment)
    return no_content()


def delete_issue(c: Call) -> Response:
    issue = writable_issue(c, c.path["issueIdOrKey"], "delete")
    subtasks = [i for i in c.sandbox.issues.values() if i.parent == issue.key and i.issue_type == "Subtask"]
    if subtasks and c.q.get("deleteSubtasks", "false").lower() != "true":
        raise ApiError(
            400,
            "The issue has subtasks. You must specify the 'deleteSubtasks' parameter to delete "
            "this issue with subtasks.",
        )
    for gone in [issue, *subtasks]:
        del c.sandbox.issues[gone.key]
    gone_keys = {issue.key, *(s.key for s in subtasks)}
    c.sandbox.links[:] = [link for link in c.sandbox.links if not {link.source, link.target} & gone_keys]
    for other in c.sandbox.issues.values():
        if other.parent in gone_keys:
            other.parent = None
    return no_content()


def get_transitions(c: Call) -> Response:
    issue = c.sandbox.issue(c.path["issueIdOrKey"])
    if issue is None:
        raise ApiError(404, "Issue does not exist or you do not have permission to see it.")
    transitions = [jira_transition(c, t) for t in available_transitions(c, issue)]
    wanted = c.q.get("transitionId")
    if wanted:
        transitions = [t for t in transitions if t["id"] == wanted]
    return ok({"expand": "transitions", "transitions": transitions})


def do_transition(c: Call) -> Response:
    issue = writable_issue(c, c.path["issueIdOrKey"], "transition")
    body = c.body_dict()
    ref = (body.get("transition") or {}).get("id") if isinstance(body.get("transition"), dict) else None
    transition = next((t for t in available_transitions(c, issue) if t.id == str(ref)), None)
    if transition is None:
        raise ApiError(400, f"Transition id '{ref}' is not valid for this issue.")
    errors: dict[str, str] = {}
    before = copy.deepcopy(vars(issue))
    apply_fields(c, issue, body.get("fields") or {}, errors, creating=False)
    comments = apply_update(c, issue, body.get("update"), errors)
    if errors:
        vars(issue).update(before)
        raise ApiError(400, "", errors)
    moment = c.sandbox.tick()
    issue.status = transition.target
    if transition.target == "Done":
        issue.resolution = issue.resolution or "Done"
        issue.resolution_date = moment
    else:
        issue.resolution, issue.resolution_date = None, None
    issue.updated = moment
    for comment in comments:
        add_comment_to(c, issue, comment)
    return no_content()


def get_comments(c: Call) -> Response:
    issue = c.sandbox.issue(c.path["issueIdOrKey"])
    if issue is None:
        raise ApiError(404, "Issue does not exist or you do not have permission to see it.")
    start, limit = c.int_param("startAt", 0), c.int_param("maxResults", 5000 if c.cloud else 50, low=1, high=5000)
    comments = sorted(issue.comments, key=lambda m: m.created, reverse=c.q.get("orderBy", "") == "-created")
    rendered = "renderedBody" in (c.q.get("expand") or "")
    page = [jira_comment(c, issue, m, rendered=rendered) for m in comments[start : start + limit]]
    return ok({"startAt": start, "maxResults": limit, "total": len(comments), "comments": page})


def add_comment(c: Call) -> Response:
    issue = writable_issue(c, c.path["issueIdOrKey"], "comment on")
    body = c.body_dict()
    errors: dict[str, str] = {}
    if body.get("body") in (None, "") or body.get("body") == {"type": "doc", "version": 1, "content": []}:
        raise ApiError(400, "", {"comment": "Comment body can not be empty!"})
    text = rich_in(c, "comment", body.get("body"), errors)
    if errors or text is None:
        raise ApiError(400, "", errors)
    visibility = body.get("visibility") if isinstance(body.get("visibility"), dict) else None
    comment = add_comment_to(c, issue, text, visibility)
    return ok(jira_comment(c, issue, comment), 201)


def comment_of(c: Call, issue: Issue) -> seed.Comment:
    comment = next((m for m in issue.comments if str(m.id) == c.path["id"]), None)
    if comment is None:
        raise ApiError(404, f"Can not find a comment for the id: {c.path['id']}.")
    return comment


def get_comment(c: Call) -> Response:
    issue = c.sandbox.issue(c.path["issueIdOrKey"])
    if issue is None:
        raise ApiError(404, "Issue does not exist or you do not have permission to see it.")
    return ok(jira_comment(c, issue, comment_of(c, issue)))


def update_comment(c: Call) -> Response:
    issue = writable_issue(c, c.path["issueIdOrKey"], "edit comments on")
    comment = comment_of(c, issue)
    errors: dict[str, str] = {}
    text = rich_in(c, "comment", c.body_dict().get("body"), errors)
    if errors or text is None:
        raise ApiError(400, "", errors or {"comment": "Comment body can not be empty!"})
    comment.body, comment.updated, comment.update_author = text, c.sandbox.tick(), c.sandbox.me.key
    return ok(jira_comment(c, issue, comment))


def delete_comment(c: Call) -> Response:
    issue = writable_issue(c, c.path["issueIdOrKey"], "delete comments on")
    issue.comments.remove(comment_of(c, issue))
    return no_content()


def get_issue_worklog(c: Call) -> Response:
    issue = c.sandbox.issue(c.path["issueIdOrKey"])
    if issue is None:
        raise ApiError(404, "Issue does not exist or you do not have permission to see it.")
    start, limit = c.int_param("startAt", 0), c.int_param("maxResults", 5000, low=1, high=5000)
    logs = [jira_worklog(c, issue, w) for w in issue.worklogs]
    return ok({"startAt": start, "maxResults": limit, "total": len(logs), "worklogs": logs[start : start + limit]})


def add_worklog(c: Call) -> Response:
    issue = writable_issue(c, c.path["issueIdOrKey"], "log work on")
    body = c.body_dict()
    errors: dict[str, str] = {}
    seconds = body.get("timeSpentSeconds")
    if seconds is None and isinstance(body.get("timeSpent"), str):
        seconds = parse_duration(body["timeSpent"])
        if seconds is None:
            errors["timeLogged"] = "Invalid time duration entered."
    if not errors and (not isinstance(seconds, int) or seconds <= 0):
        errors["timeLogged"] = "You must indicate the time spent working."
    moment = c.sandbox.tick()
    started = moment
    if body.get("started"):
        try:
            started = datetime.strptime(body["started"], "%Y-%m-%dT%H:%M:%S.%f%z")
        except (TypeError, ValueError):
            errors["started"] = "Could not parse the start date."
    comment = rich_in(c, "comment", body.get("comment"), errors)
    if errors or not isinstance(seconds, int):
        raise ApiError(400, "", errors)
    worklog = seed.Worklog(c.sandbox.next_id("worklog"), c.sandbox.me.key, seconds, started, moment, comment)
    issue.worklogs.append(worklog)
    issue.updated = moment
    return ok(jira_worklog(c, issue, worklog), 201)


def get_issue_watchers(c: Call) -> Response:
    issue = c.sandbox.issue(c.path["issueIdOrKey"])
    if issue is None:
        raise ApiError(404, "Issue does not exist or you do not have permission to see it.")
    watchers = [jira_user(c, c.sandbox.user(w)) for w in issue.watchers]
    return ok(
        {
            "self": f"{c.jira_api}/issue/{issue.key}/watchers",
            "isWatching": c.sandbox.me.key in issue.watchers,
            "watchCount": len(watchers),
            "watchers": watchers,
        }
    )


def add_watcher(c: Call) -> Response:
    issue = writable_issue(c, c.path["issueIdOrKey"], "manage watchers of")
    ref = c.body if isinstance(c.body, str) else c.sandbox.me.key if c.body is None else None
    user = c.sandbox.user(ref) if ref else None
    if user is None:
        raise ApiError(404, f'The user "{ref}" does not exist.' if ref else "The user is not valid.")
    if user.key not in issue.watchers:
        issue.watchers.append(user.key)
    return no_content()


def get_issue_link_types(c: Call) -> Response:
    return ok(
        {
            "issueLinkTypes": [
                {
                    "id": str(t.id),
                    "name": t.name,
                    "inward": t.inward,
                    "outward": t.outward,
                    "self": f"{c.jira_api}/issueLinkType/{t.id}",
                }
                for t in c.sandbox.data.link_types
            ]
        }
    )


def link_issues(c: Call) -> Response:
    body = c.body_dict()
    kind_ref: dict[str, Any] = body["type"] if isinstance(body.get("type"), dict) else {}
    kind = next(
        (
            t
            for t in c.sandbox.data.link_types
            if kind_ref.get("name") in (t.name,) or str(kind_ref.get("id")) == str(t.id)
        ),
        None,
    )
    if kind is None:
        raise ApiError(404, f"No issue link type with name '{kind_ref.get('name') or kind_ref.get('id')}' found.")
    ends = []
    for side in ("inwardIssue", "outwardIssue"):
        end: dict[str, Any] = body[side] if isinstance(body.get(side), dict) else {}
        issue = c.sandbox.issue(str(end.get("key") or end.get("id") or ""))
        if issue is None:
            raise ApiError(404, "Issue does not exist or you do not have permission to see it.")
        if not c.sandbox.projects[issue.project].writable:
            raise ApiError(403, "You do not have permission to link issues in this project.")
        ends.append(issue)
    c.sandbox.links.append(seed.IssueLink(c.sandbox.next_id("link"), kind.name, ends[0].key, ends[1].key))
    comment = body.get("comment")
    if isinstance(comment, dict) and comment.get("body") is not None:
        errors: dict[str, str] = {}
        text = rich_in(c, "comment", comment["body"], errors)
        if errors or text is None:
            raise ApiError(400, "", errors)
        add_comment_to(c, ends[0], text)
    return Response(status_code=201)


def link_of(c: Call) -> seed.IssueLink:
    link = next((k for k in c.sandbox.links if str(k.id) == c.path["linkId"]), None)
    if link is None or c.sandbox.issue(link.source) is None or c.sandbox.issue(link.target) is None:
        raise ApiError(404, f"No issue link with id '{c.path['linkId']}' exists.")
    return link


def get_issue_link(c: Call) -> Response:
    link = link_of(c)
    kind = next(t for t in c.sandbox.data.link_types if t.name == link.type)
    source, target = c.sandbox.issues[link.source], c.sandbox.issues[link.target]
    return ok(
        {
            "id": str(link.id),
            "self": f"{c.jira_api}/issueLink/{link.id}",
            "type": {
                "id": str(kind.id),
                "name": kind.name,
                "inward": kind.inward,
                "outward": kind.outward,
                "self": f"{c.jira_api}/issueLinkType/{kind.id}",
            },
            "inwardIssue": issue_ref(c, source),
            "outwardIssue": issue_ref(c, target),
        }
    )


def delete_issue_link(c: Call) -> Response:
    c.sandbox.links.remove(link_of(c))
    return no_content()


def get_current_user(c: Call) -> Response:
    body = jira_user(c, c.sandbox.me) | {"locale": "en_US"}
    if not c.cloud:
        body |= {
            "groups": {"size": 1, "items": []},
            "applicationRoles": {"size": 1, "items": []},
            "expand": "groups,applicationRoles",
        }
    return ok(body)


def get_server_info(c: Call) -> Response:
    when = c.sandbox.clock
    if c.cloud:
        return ok(
            {
                "baseUrl": c.jira_root,
                "displayUrl": c.jira_root,
                "version": "1001.0.0-SNAPSHOT",
                "versionNumbers": [1001, 0, 0],
                "deploymentType": "Cloud",
                "buildNumber": 100298,
                "buildDate": jira_time(seed.BASE_NOW - timedelta(days=3)),
                "serverTime": jira_time(when),
                "scmInfo": "5a8e2f0c1b3d4e6f7a8b9c0d1e2f3a4b5c6d7e8f",
                "serverTitle": "Sandbox Jira",
                "serverTimeZone": "Etc/UTC",
            }
        )
    return ok(
        {
            "baseUrl": c.jira_root,
            "version": "10.3.12",
            "versionNumbers": [10, 3, 12],
            "deploymentType": "Server",
            "buildNumber": 10030012,
            "buildDate": jira_time(seed.BASE_NOW - timedelta(days=60)),
            "serverTime": jira_time(when),
            "scmInfo": "0f6e5d4c3b2a19087f6e5d4c3b2a19087f6e5d4c",
            "serverTitle": "Sandbox Jira",
        }
    )


def get_fields(c: Call) -> Response:
    return ok(field_catalogue(c))


def get_all_projects(c: Call) -> Response:
    return ok([jira_project(c, p) for p in c.sandbox.projects.values() if p.visible])


def get_project(c: Call) -> Response:
    ref = c.path["projectIdOrKey"]
    project = c.sandbox.project(ref.upper()) or c.sandbox.project(ref)
    if project is None:
        raise ApiError(404, f"No project could be found with key '{ref}'.")
    return ok(jira_project(c, project, detail=True))


def search_projects(c: Call) -> Response:
    start, limit = c.int_param("startAt", 0), c.int_param("maxResults", 50, low=1, high=100)
    words = (c.q.get("query") or "").lower()
    keys = set(c.list_param("keys"))
    kinds = set(c.list_param("typeKey"))
    found = [
        p
        for p in c.sandbox.projects.values()
        if p.visible
        and (not words or words in p.key.lower() or words in p.name.lower())
        and (not keys or p.key in keys)
        and (not kinds or p.type_key in kinds)
    ]
    page = found[start : start + limit]
    last = start + limit >= len(found)
    body: dict[str, Any] = {
        "self": str(c.request.url),
        "maxResults": limit,
        "startAt": start,
        "total": len(found),
        "isLast": last,
        "values": [jira_project(c, p) for p in page],
    }
    if not last:
        body["nextPage"] = f"{c.jira_api}/project/search?" + urlencode({**c.q, "startAt": start + limit})
    return ok(body)


def find_users(c: Call) -> Response:
    start, limit = c.int_param("startAt", 0), c.int_param("maxResults", 50, low=1, high=1000)
    if c.cloud:
        words, account = (c.q.get("query") or "").lower(), c.q.get("accountId")
        if not words and not account:
            raise ApiError(400, "One of 'query' or 'accountId' parameters must be provided.")
    else:
        words, account = (c.q.get("username") or c.q.get("query") or "").lower(), None
        if not words:
            raise ApiError(400, "The username query parameter was not provided")
    words = "" if words in (".", "*") else words
    found = [
        u
        for u in c.sandbox.users
        if (account and u.account_id == account)
        or (
            not account
            and (
                any(part.startswith(words) for part in [u.key, u.email.lower(), *u.display_name.lower().split()])
                or words in u.display_name.lower()
            )
        )
    ]
    return ok([jira_user(c, u) for u in found[start : start + limit]])


# --- Jira: search ----------------------------------------------------------------------------------------


def issue_record(c: Call, issue: Issue) -> dict[str, Any]:
    """What JQL sees: the issue as this API returns it, plus sprint objects and the parent (epic link on DC)."""
    record: dict[str, Any] = jira_issue(c, issue, ["*all"], None)
    fields = record["fields"]
    fields["sprint"] = [
        {"id": s.id, "name": s.name, "state": s.state} for s in map(c.sandbox.sprints.get, issue.sprints) if s
    ]
    if issue.parent and issue.parent in c.sandbox.issues:
        parent = c.sandbox.issues[issue.parent]
        fields["parent"] = {"id": str(parent.id), "key": parent.key}
    return record


def query_context(sandbox: Sandbox) -> QueryContext:
    users = {
        sandbox.user_id(u): {
            "accountId": u.account_id,
            "name": u.key,
            "key": u.jira_key,
            "displayName": u.display_name,
            "emailAddress": u.email,
        }
        for u in sandbox.users
    }
    return QueryContext(current_user=sandbox.user_id(sandbox.me), now=sandbox.clock, users=users)


def run_jql(c: Call, jql: str, *, bounded: bool) -> list[Issue]:
    """The visible issues a JQL query selects, in its ORDER BY (Jira's `created DESC` when it has none)."""
    if bounded and not re.sub(r"(?is)\border\s+by\b.*$", "", jql).strip():
        raise ApiError(
            400, "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
        )
    try:
        query = parse_jql(jql)
        context = query_context(c.sandbox)
        records = [issue_record(c, i) for i in c.sandbox.visible_issues()]
        ordered = query.sort([r for r in records if query.matches(r, context)], context)
    except QueryError as exc:
        raise ApiError(400, str(exc)) from None
    return [c.sandbox.issues[r["key"]] for r in ordered]


def search_jql(c: Call) -> Response:
    """Cloud's enhanced search (`/search/jql`): nextPageToken paging, only ids unless fields are asked for."""
    if c.request.method == "POST":
        body = c.body_dict()
        jql, token = str(body.get("jql") or ""), body.get("nextPageToken")
        limit = body.get("maxResults", 50)
        fields = [f for value in body.get("fields") or [] for f in str(value).split(",") if f.strip()]
        expand = body.get("expand")
        if not isinstance(limit, int):
            raise ApiError(400, "maxResults must be a number")
    else:
        jql, token, fields, expand = (
            c.q.get("jql") or "",
            c.q.get("nextPageToken"),
            c.list_param("fields"),
            c.q.get("expand"),
        )
        limit = c.int_param("maxResults", 50)
    if isinstance(expand, list):
        expand = ",".join(expand)
    fields = fields or ["id"]
    limit = max(1, min(limit, 5000 if fields == ["id"] else 100))
    offset = decode_token(token, "nextPageToken")
    issues = run_jql(c, jql, bounded=True)
    page = issues[offset : offset + limit]
    answer: dict[str, Any] = {"issues": [jira_issue(c, i, fields, expand) for i in page]}
    if offset + limit < len(issues):
        answer["nextPageToken"] = encode_token(offset + limit)
    answer["isLast"] = offset + limit >= len(issues)
    if expand and "names" in expand:
        answer["names"] = {k: v for k, v in field_names(c).items() if select_fields(c, fields, "id")(k)}
    return ok(answer)


def search_removed(c: Call) -> Response:
    """Cloud removed the old `/search` in 2025; it answers 410 Gone."""
    raise ApiError(
        410,
        "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full "
        "migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046",
    )


def search_offset(c: Call) -> Response:
    """Data Center's `/search` (GET and POST): startAt/maxResults/total paging, navigable fields by default."""
    if c.request.method == "POST":
        body = c.body_dict()
        jql, start, limit = str(body.get("jql") or ""), body.get("startAt", 0), body.get("maxResults", 50)
        fields = [f for value in body.get("fields") or [] for f in str(value).split(",") if f.strip()]
        expand = body.get("expand")
        if isinstance(expand, list):
            expand = ",".join(expand)
        if not isinstance(start, int) or not isinstance(limit, int):
            raise ApiError(400, "startAt and maxResults must be numbers")
    else:
        jql, fields, expand = c.q.get("jql") or "", c.list_param("fields"), c.q.get("expand")
        start, limit = c.int_param("startAt", 0), c.int_param("maxResults", 50)
    start, limit = max(start, 0), max(0, min(limit, 1000))
    issues = run_jql(c, jql, bounded=False)
    page = issues[start : start + limit]
    body = {
        "expand": "schema,names",
        "startAt": start,
        "maxResults": limit,
        "total": len(issues),
        "issues": [jira_issue(c, i, fields, expand, default="*navigable") for i in page],
    }
    if expand and "names" in expand:
        keep = select_fields(c, fields, "*navigable")
        body["names"] = {k: v for k, v in field_names(c).items() if keep(k)}
    return ok(body)


# --- Jira Software (agile) -------------------------------------------------------------------------------


def agile_page(c: Call, values: list[JSON], *, total: bool = True) -> JSON:
    start, limit = c.int_param("startAt", 0), c.int_param("maxResults", 50, low=1, high=50)
    body: dict[str, Any] = {"maxResults": limit, "startAt": start}
    if total:
        body["total"] = len(values)
    body["isLast"] = start + limit >= len(values)
    body["values"] = values[start : start + limit]
    return body


def jira_board(c: Call, board: seed.Board) -> JSON:
    project = c.sandbox.projects[board.project]
    return {
        "id": board.id,
        "self": f"{c.jira_root}/rest/agile/1.0/board/{board.id}",
        "name": board.name,
        "type": board.type,
        "location": {
            "projectId": project.id,
            "displayName": f"{project.name} ({project.key})",
            "projectName": project.name,
            "projectKey": project.key,
            "projectTypeKey": project.type_key,
            "name": f"{project.name} ({project.key})",
            "avatarURI": f"{c.jira_root}/secure/projectavatar?size=small&pid={project.id}",
        },
    }


def visible_board(c: Call, ref: str) -> seed.Board:
    board = c.sandbox.boards.get(int(ref)) if ref.isdigit() else None
    if board is None or not c.sandbox.projects[board.project].visible:
        raise ApiError(404, "Board does not exist or you do not have permission to see it.")
    return board


def get_all_boards(c: Call) -> Response:
    kind, name, project = c.q.get("type"), (c.q.get("name") or "").lower(), c.q.get("projectKeyOrId")
    boards = [
        jira_board(c, b)
        for b in c.sandbox.boards.values()
        if c.sandbox.projects[b.project].visible
        and (not kind or b.type in kind.split(","))
        and name in b.name.lower()
        and (not project or project in (b.project, str(c.sandbox.projects[b.project].id)))
    ]
    return ok(agile_page(c, boards))


def get_board(c: Call) -> Response:
    return ok(jira_board(c, visible_board(c, c.path["boardId"])))


def get_all_sprints(c: Call) -> Response:
    board = visible_board(c, c.path["boardId"])
    if board.type != "scrum":
        raise ApiError(400, "The board does not support sprints")
    states = set(c.list_param("state"))
    sprints = [
        jira_sprint(c, s)
        for s in c.sandbox.sprints.values()
        if s.board == board.id and (not states or s.state in states)
    ]
    return ok(agile_page(c, sprints, total=False))


def sprint_of(c: Call) -> seed.Sprint:
    ref = c.path["sprintId"]
    sprint = c.sandbox.sprints.get(int(ref)) if ref.isdigit() else None
    if sprint is None or not c.sandbox.projects[c.sandbox.boards[sprint.board].project].visible:
        raise ApiError(404, "Sprint does not exist or you do not have permission to see it.")
    return sprint


def get_sprint(c: Call) -> Response:
    return ok(jira_sprint(c, sprint_of(c)))


def get_issues_for_sprint(c: Call) -> Response:
    sprint = sprint_of(c)
    jql = c.q.get("jql")
    chosen = run_jql(c, jql, bounded=False) if jql else sorted(c.sandbox.visible_issues(), key=lambda i: i.id)
    issues = [i for i in chosen if sprint.id in i.sprints]
    start, limit = c.int_param("startAt", 0), c.int_param("maxResults", 50, low=1, high=50)
    fields, expand = c.list_param("fields"), c.q.get("expand")
    return ok(
        {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": limit,
            "total": len(issues),
            "issues": [jira_issue(c, i, fields, expand, default="*navigable") for i in issues[start : start + limit]],
        }
    )


# --- Confluence: rendering -------------------------------------------------------------------------------


def webui(c: Call, page: Page) -> str:
    title = quote(page.title.replace(" ", "+"), safe="+")
    if c.cloud:
        kind = "pages" if page.type == "page" else "blog"
        return f"/spaces/{page.space}/{kind}/{page.id}/{title}"
    if page.type == "blogpost":
        return f"/display/{page.space}/{page.created:%Y/%m/%d}/{title}"
    return f"/display/{page.space}/{title}"


def tinyui(page_id: int) -> str:
    return "/x/" + base64.urlsafe_b64encode(page_id.to_bytes(4, "little")).decode().rstrip("=").rstrip("A")


def children_of(c: Call, page: Page) -> list[Page]:
    return sorted((p for p in c.sandbox.visible_pages() if p.parent == page.id), key=lambda p: p.id)


def ancestors_of(c: Call, page: Page) -> list[Page]:
    chain: list[Page] = []
    parent = c.sandbox.pages.get(page.parent) if page.parent else None
    while parent is not None:
        chain.insert(0, parent)
        parent = c.sandbox.pages.get(parent.parent) if parent.parent else None
    return chain


def v2_page(c: Call, page: Page, body_format: str | None, *, labels: bool = False) -> JSON:
    sandbox = c.sandbox
    space = sandbox.spaces[page.space]
    author, modifier = sandbox.user(page.author), sandbox.user(page.modifier)
    result: dict[str, Any] = {
        "id": str(page.id),
        "status": page.status,
        "title": page.title,
        "spaceId": str(space.id),
        "authorId": author.account_id if author else None,
        "ownerId": author.account_id if author else None,
        "createdAt": iso_time(page.created),
        "version": {
            "createdAt": iso_time(page.modified),
            "message": page.version_message,
            "number": page.version,
            "minorEdit": False,
            "authorId": modifier.account_id if modifier else "",
        },
    }
    if page.type == "page":
        if page.parent:
            result["parentId"], result["parentType"] = str(page.parent), "page"
        result["position"] = page.id % 1000
    result["body"] = v2_body(page, body_format)
    if labels:
        result["labels"] = {
            "results": [{"id": str(1000 + i), "name": n, "prefix": "global"} for i, n in enumerate(page.labels)],
            "meta": {"hasMore": False, "cursor": ""},
            "_links": {},
        }
    result["_links"] = {
        "editui": f"/pages/resumedraft.action?draftId={page.id}",
        "webui": webui(c, page),
        "edituiv2": f"/spaces/{page.space}/pages/edit-v2/{page.id}",
        "tinyui": tinyui(page.id),
    }
    return result


def v2_body(page: Page, body_format: str | None) -> JSON:
    if body_format == "storage":
        return {"storage": {"representation": "storage", "value": page.body}}
    if body_format == "view":
        return {"view": {"representation": "view", "value": seed.storage_to_view(page.body)}}
    if body_format == "atlas_doc_format":
        text = seed.storage_to_text(page.body)
        return {
            "atlas_doc_format": {
                "representation": "atlas_doc_format",
                "value": json.dumps(seed.doc(seed.para(text)) if text else seed.doc()),
            }
        }
    return {}


def v2_space(c: Call, space: seed.Space, description_format: str | None = None) -> JSON:
    author = c.sandbox.user(space.author)
    body: dict[str, Any] = {
        "id": str(space.id),
        "key": space.key,
        "name": space.name,
        "type": "global",
        "status": "current",
        "authorId": author.account_id if author else "",
        "createdAt": iso_time(space.created),
        "homepageId": str(space.homepage),
        "_links": {"webui": f"/spaces/{space.key}"},
    }
    if description_format in ("plain", "view"):
        body["description"] = {description_format: {"representation": description_format, "value": space.description}}
    return body


def cursor_page(c: Call, items: list[Any], default_limit: int = 25) -> tuple[list[Any], dict[str, Any], dict[str, str]]:
    """One page of a v2 list: the items, the `_links` (with `next` when more remain) and the Link header."""
    limit = c.int_param("limit", default_limit, low=1, high=250)
    offset = decode_token(c.q.get("cursor"), "cursor")
    page = items[offset : offset + limit]
    links: dict[str, Any] = {"base": c.wiki_root}
    headers: dict[str, str] = {}
    if offset + limit < len(items):
        query = [(k, v) for k, v in c.q.multi_items() if k != "cursor"] + [("cursor", encode_token(offset + limit))]
        following = f"{c.request.url.path}?{urlencode(query)}"
        links["next"] = following
        headers["Link"] = f'<{following}>; rel="next", <{c.wiki_root}>; rel="base"'
    return page, links, headers


def confluence_user(c: Call, user: User | None) -> JSON:
    if user is None:
        return {"type": "anonymous", "profilePicture": None, "displayName": "Anonymous"}
    picture = {
        "path": "/wiki/aa-avatar/default.png" if c.cloud else "/confluence/images/icons/profilepics/default.svg",
        "width": 48,
        "height": 48,
        "isDefault": True,
    }
    if c.cloud:
        return {
            "type": "known",
            "accountId": user.account_id,
            "accountType": "atlassian",
            "email": user.email,
            "publicName": user.display_name,
            "profilePicture": picture,
            "displayName": user.display_name,
            "timeZone": user.time_zone,
            "isExternalCollaborator": False,
            "isGuest": False,
            "_links": {"self": f"{c.wiki_root}/rest/api/user?accountId={user.account_id}"},
            "_expandable": {"operations": "", "personalSpace": ""},
        }
    return {
        "type": "known",
        "username": user.key,
        "userKey": user.confluence_key,
        "profilePicture": picture,
        "displayName": user.display_name,
        "_links": {"self": f"{c.wiki_root}/rest/api/user?key={user.confluence_key}"},
        "_expandable": {"status": ""},
    }


def v1_space(c: Call, space: seed.Space) -> JSON:
    body: dict[str, Any] = {
        "id": space.id,
        "key": space.key,
        "name": space.name,
        "type": "global",
        "status": "current",
        "_links": {
            "webui": f"/spaces/{space.key}" if c.cloud else f"/display/{space.key}",
            "self": f"{c.wiki_root}/rest/api/space/{space.key}",
        },
        "_expandable": {
            "metadata": "",
            "icon": "",
            "description": "",
            "homepage": f"/rest/api/content/{space.homepage}",
        },
    }
    return body


def v1_content(c: Call, page: Page, expand: Iterable[str]) -> JSON:
    """A page or blog post in the v1/Data Center shape, with the requested `expand`s filled in."""
    expands = {e.strip() for e in expand if e.strip()}
    space = c.sandbox.spaces[page.space]
    body: dict[str, Any] = {"id": str(page.id), "type": page.type, "status": page.status, "title": page.title}
    expandable: dict[str, str] = {}
    if "space" in expands:
        body["space"] = v1_space(c, space)
    else:
        expandable["space"] = f"/rest/api/space/{space.key}"
    version = {
        "by": confluence_user(c, c.sandbox.user(page.modifier)),
        "when": iso_time(page.modified) if c.cloud else dc_time(page.modified),
        "message": page.version_message,
        "number": page.version,
        "minorEdit": False,
        "_links": {"self": f"{c.wiki_root}/rest/api/content/{page.id}/version/{page.version}"},
    }
    if c.cloud:
        version |= {
            "friendlyWhen": page.modified.strftime("%b %d, %Y"),
            "confRev": f"confluence${page.id}.{page.version}",
            "contentTypeModified": False,
        }
    else:
        version["hidden"] = False
    if "version" in expands:
        body["version"] = version
    else:
        expandable["version"] = ""
    if any(e.startswith("history") for e in expands):
        created = {
            "latest": True,
            "createdBy": confluence_user(c, c.sandbox.user(page.author)),
            "createdDate": iso_time(page.created) if c.cloud else dc_time(page.created),
            "_links": {"self": f"{c.wiki_root}/rest/api/content/{page.id}/history"},
        }
        if "history.lastUpdated" in expands:
            created["lastUpdated"] = version
        body["history"] = created
    else:
        expandable["history"] = f"/rest/api/content/{page.id}/history"
    if "ancestors" in expands:
        body["ancestors"] = [v1_content(c, a, ()) for a in ancestors_of(c, page)]
    else:
        expandable["ancestors"] = ""
    if "container" in expands:
        body["container"] = v1_space(c, space)
    else:
        expandable["container"] = f"/rest/api/space/{space.key}"
    content_body: dict[str, Any] = {}
    for representation in ("storage", "view", "export_view", "styled_view", "editor"):
        if f"body.{representation}" in expands:
            value = page.body if representation in ("storage", "editor") else seed.storage_to_view(page.body)
            content_body[representation] = {
                "value": value,
                "representation": representation,
                "_expandable": {"content": f"/rest/api/content/{page.id}"},
            }
    if content_body:
        body["body"] = content_body
    else:
        expandable["body"] = ""
    if "metadata.labels" in expands:
        labels = [{"prefix": "global", "name": n, "id": str(1000 + i), "label": n} for i, n in enumerate(page.labels)]
        body["metadata"] = {"labels": {"results": labels, "start": 0, "limit": 200, "size": len(labels)}}
    else:
        expandable["metadata"] = ""
    if "children.page" in expands:
        kids = [v1_content(c, k, ()) for k in children_of(c, page) if k.type == "page"]
        body["children"] = {"page": {"results": kids, "start": 0, "limit": 25, "size": len(kids)}}
    else:
        expandable["children"] = f"/rest/api/content/{page.id}/child"
    body["extensions"] = {"position": page.id % 1000} if page.type == "page" else {}
    edit = f"/pages/resumedraft.action?draftId={page.id}" if c.cloud else f"/pages/editpage.action?pageId={page.id}"
    body["_links"] = {
        "webui": webui(c, page),
        "edit": edit,
        "tinyui": tinyui(page.id),
        "self": f"{c.wiki_root}/rest/api/content/{page.id}",
        "base": c.wiki_root,
        "context": "/wiki" if c.cloud else "/confluence",
    }
    expandable |= {
        "childTypes": "",
        "operations": "",
        "restrictions": f"/rest/api/content/{page.id}/restriction/byOperation",
        "descendants": f"/rest/api/content/{page.id}/descendant",
    }
    body["_expandable"] = expandable
    return body


def expand_param(c: Call) -> list[str]:
    return c.list_param("expand")


def start_limit_page(c: Call, items: list[Any], default_limit: int = 25) -> tuple[list[Any], dict[str, Any]]:
    """One page of a v1/Data Center list: start/limit, with `_links.next` while more remain."""
    start, limit = c.int_param("start", 0), c.int_param("limit", default_limit, low=1, high=200)
    if c.q.get("cursor"):
        start = decode_token(c.q.get("cursor"), "cursor")
    page = items[start : start + limit]
    links: dict[str, Any] = {
        "base": c.wiki_root,
        "context": "/wiki" if c.cloud else "/confluence",
        "self": str(c.request.url),
    }
    if start + limit < len(items):
        query = [(k, v) for k, v in c.q.multi_items() if k not in ("start", "cursor", "next")]
        query.append(("start", str(start + limit)))
        if c.cloud:
            query += [("next", "true"), ("cursor", encode_token(start + limit))]
        links["next"] = c.request.url.path.removeprefix("/wiki" if c.cloud else "/confluence") + "?" + urlencode(query)
    return page, {"start": start, "limit": limit, "size": len(page), "_links": links}


# --- Confluence: CQL -------------------------------------------------------------------------------------


CQL_EXPANDS = ("space", "version", "history", "ancestors", "metadata.labels", "body.storage")


def page_record(c: Call, page: Page) -> dict[str, Any]:
    """What CQL sees: the content as the v1/Data Center API returns it, fully expanded, with the body as plain text
    (CDATA code blocks included: `text ~ "kubectl"` finds a code macro, as Confluence's index does)."""
    record: dict[str, Any] = v1_content(c, page, CQL_EXPANDS)
    record["body"]["storage"]["value"] = seed.storage_to_text(page.body)
    return record


def run_cql(c: Call, cql: str) -> list[Page]:
    if not cql.strip():
        raise ApiError(400, "CQL query parameter 'cql' is required.")
    try:
        query = parse_cql(cql)
        context = query_context(c.sandbox)
        records = [page_record(c, p) for p in c.sandbox.visible_pages()]
        ordered = query.sort([r for r in records if query.matches(r, context)], context)
    except QueryError as exc:
        raise ApiError(400, str(exc)) from None
    return [c.sandbox.pages[int(r["id"])] for r in ordered]


def excerpt(page: Page, cql: str) -> str:
    """Up to 200 characters of the body, with the searched words highlighted the way Confluence marks them."""
    text = seed.storage_to_text(page.body)
    words = [
        w
        for phrase in re.findall(r'(?:text|siteSearch|title)\s*~\s*"([^"]*)"', cql, flags=re.I)
        for w in phrase.split()
        if w
    ]
    first = min((m.start() for w in words if (m := re.search(re.escape(w), text, flags=re.I))), default=0)
    start = max(first - 60, 0)
    if start:  # begin at a word, as Confluence's excerpts do
        start = text.find(" ", start) + 1 or start
    snippet = text[start : start + 200]
    for word in words:
        snippet = re.sub(f"({re.escape(word)})", r"@@@hl@@@\1@@@endhl@@@", snippet, flags=re.I)
    return snippet


def search_by_cql(c: Call) -> Response:
    """`/rest/api/search`: search results wrapping content, with title, excerpt, url and paging links."""
    if (hooked := extension_answer("searchByCQL", c)) is not None:
        return hooked
    cql = c.q.get("cql") or ""
    pages = run_cql(c, cql)
    chunk, paging = start_limit_page(c, pages)
    results = []
    for page in chunk:
        space = c.sandbox.spaces[page.space]
        results.append(
            {
                "content": v1_content(c, page, expand_param(c)),
                "title": page.title,
                "excerpt": excerpt(page, cql),
                "url": webui(c, page),
                "resultGlobalContainer": {
                    "title": space.name,
                    "displayUrl": f"/spaces/{space.key}" if c.cloud else f"/display/{space.key}",
                },
                "breadcrumbs": [],
                "entityType": "content",
                "iconCssClass": f"aui-icon content-type-{page.type}",
                "lastModified": iso_time(page.modified) if c.cloud else dc_time(page.modified),
                "friendlyLastModified": page.modified.strftime("%b %d, %Y"),
                "score": 1.0,
            }
        )
    body = {"results": results, **paging, "totalSize": len(pages), "cqlQuery": cql, "searchDuration": 7}
    return ok(body)


def search_content_by_cql(c: Call) -> Response:
    """`/rest/api/content/search`: the same search, answering content objects."""
    pages = run_cql(c, c.q.get("cql") or "")
    chunk, paging = start_limit_page(c, pages)
    return ok({"results": [v1_content(c, p, expand_param(c)) for p in chunk], **paging})


# --- Confluence v2 (Cloud) -------------------------------------------------------------------------------


def v2_id(c: Call, name: str = "id") -> int:
    raw = c.path[name]
    if not raw.isdigit():
        raise ApiError(400, f"Invalid value for path parameter '{name}': {raw}", code="INVALID_REQUEST_PARAMETER")
    return int(raw)


def v2_visible_page(c: Call, kinds: Iterable[str] = ("page",)) -> Page:
    page = c.sandbox.page(v2_id(c), kinds)
    if page is None:
        raise ApiError(404, "Not Found", code="NOT_FOUND")
    return page


def remember_version(c: Call, page: Page) -> None:
    """Keep the version an update replaces, so reads of a past version (`version=`) can serve it."""
    c.sandbox.versions.setdefault(page.id, {})[page.version] = copy.copy(page)


def past_version(c: Call, page: Page, raw: str | None) -> Page:
    """The page as it was at version `raw` (the current page when not given or current)."""
    if raw is None or raw == "" or raw == str(page.version):
        return page
    old = c.sandbox.versions.get(page.id, {}).get(int(raw)) if raw.isdigit() else None
    if old is None:
        raise ApiError(404, f"No content found with id {page.id} at version {raw}", code="NOT_FOUND")
    return old


def get_page_by_id(c: Call) -> Response:
    page = past_version(c, v2_visible_page(c), c.q.get("version"))
    return ok(v2_page(c, page, c.q.get("body-format"), labels=c.q.get("include-labels") == "true"))


def get_blog_post_by_id(c: Call) -> Response:
    page = v2_visible_page(c, ("blogpost",))
    return ok(v2_page(c, page, c.q.get("body-format"), labels=c.q.get("include-labels") == "true"))


def list_v2(c: Call, kind: str) -> Response:
    ids = set(c.list_param("id"))
    space_ids = set(c.list_param("space-id"))
    title, status = c.q.get("title"), set(c.list_param("status")) or {"current"}
    pages = [
        p
        for p in c.sandbox.visible_pages()
        if p.type == kind
        and p.status in status
        and (not ids or str(p.id) in ids)
        and (not space_ids or str(c.sandbox.spaces[p.space].id) in space_ids)
        and (title is None or p.title == title)
    ]
    sort = c.q.get("sort") or "id"
    keys: dict[str, Callable[[Page], Any]] = {
        "id": lambda p: p.id,
        "title": lambda p: p.title.lower(),
        "created-date": lambda p: p.created,
        "modified-date": lambda p: p.modified,
    }
    pages.sort(key=keys.get(sort.lstrip("-"), keys["id"]), reverse=sort.startswith("-"))
    chunk, links, headers = cursor_page(c, pages)
    body_format = c.q.get("body-format")
    return ok({"results": [v2_page(c, p, body_format) for p in chunk], "_links": links}, headers=headers)


def get_pages(c: Call) -> Response:
    return list_v2(c, "page")


def get_blog_posts(c: Call) -> Response:
    return list_v2(c, "blogpost")


def v2_storage_body(body: Any) -> str:
    if not isinstance(body, dict):
        raise ApiError(400, "body is required", code="INVALID_REQUEST_PARAMETER")
    representation, value = body.get("representation"), body.get("value")
    if representation != "storage" or not isinstance(value, str):
        raise ApiError(
            400,
            f"The sandbox stores bodies as storage format; representation '{representation}' is not supported",
            code="INVALID_REQUEST_PARAMETER",
        )
    return value


def check_title(c: Call, space: str, title: Any, kind: str, *, ignore: int | None = None) -> str:
    if not isinstance(title, str) or not title.strip():
        raise ApiError(400, "Title cannot be empty", code="INVALID_REQUEST_PARAMETER")
    taken = any(
        p.space == space and p.title == title and p.type == kind and p.id != ignore for p in c.sandbox.visible_pages()
    )
    if taken and kind == "page":
        raise ApiError(
            400,
            "A page with this title already exists: A page already exists with the same TITLE in this space",
            code="INVALID_REQUEST_PARAMETER",
        )
    return title


def create_page(c: Call) -> Response:
    body = c.body_dict()
    space = c.sandbox.space(str(body.get("spaceId") or ""))
    if space is None:
        raise ApiError(
            404 if body.get("spaceId") else 400,
            "Space not found" if body.get("spaceId") else "spaceId is required",
            code="NOT_FOUND" if body.get("spaceId") else "INVALID_REQUEST_PARAMETER",
        )
    title = check_title(c, space.key, body.get("title"), "page")
    parent_id = body.get("parentId")
    parent = c.sandbox.page(str(parent_id), ("page",)) if parent_id else c.sandbox.pages.get(space.homepage or 0)
    if parent_id and (parent is None or parent.space != space.key):
        raise ApiError(404, "Parent page not found", code="NOT_FOUND")
    storage = v2_storage_body(body.get("body"))
    page = new_page(c, "page", space, title, storage, parent.id if parent else None)
    return ok(v2_page(c, page, "storage"))


def new_page(
    c: Call, kind: Literal["page", "blogpost"], space: seed.Space, title: str, body: str, parent: int | None
) -> Page:
    moment = c.sandbox.tick()
    me = c.sandbox.me.key
    page = Page(c.sandbox.next_id("page"), kind, space.key, title, body, moment, me, moment, me, parent)
    c.sandbox.pages[page.id] = page
    return page


def update_page(c: Call) -> Response:
    page = v2_visible_page(c)
    body = c.body_dict()
    version = (body.get("version") or {}).get("number") if isinstance(body.get("version"), dict) else None
    if not isinstance(version, int):
        raise ApiError(400, "Version number is required", code="INVALID_REQUEST_PARAMETER")
    if version != page.version + 1:
        raise ApiError(
            409, f"Version must be incremented on update. Current version is: {page.version}", code="CONFLICT"
        )
    title = check_title(c, page.space, body.get("title"), "page", ignore=page.id)
    storage = v2_storage_body(body.get("body"))
    parent_id = body.get("parentId")
    if parent_id and str(parent_id) != str(page.parent):
        parent = c.sandbox.page(str(parent_id), ("page",))
        if (
            parent is None
            or parent.space != page.space
            or page.id in [a.id for a in ancestors_of(c, parent)] + [parent.id]
        ):
            raise ApiError(400, "Invalid parent page", code="INVALID_REQUEST_PARAMETER")
        page.parent = parent.id
    if body.get("status") not in (None, "current"):
        raise ApiError(400, "The sandbox only keeps current pages", code="INVALID_REQUEST_PARAMETER")
    remember_version(c, page)
    page.title, page.body, page.version = title, storage, version
    page.version_message = str((body.get("version") or {}).get("message") or "")
    page.modified, page.modifier = c.sandbox.tick(), c.sandbox.me.key
    return ok(v2_page(c, page, "storage"))


def trash(c: Call, page: Page) -> None:
    """Deleting moves a page to the trash; its children move up to its parent, as Confluence does."""
    if not c.sandbox.spaces[page.space].visible:
        raise ApiError(404, "Not Found", code="NOT_FOUND")
    page.status = "trashed"
    for child in c.sandbox.pages.values():
        if child.parent == page.id:
            child.parent = page.parent


def delete_page(c: Call) -> Response:
    trash(c, v2_visible_page(c))
    return no_content()


def get_spaces(c: Call) -> Response:
    ids, keys = set(c.list_param("ids")), set(c.list_param("keys"))
    spaces = [
        s
        for s in c.sandbox.spaces.values()
        if s.visible and (not ids or str(s.id) in ids) and (not keys or s.key in keys)
    ]
    chunk, links, headers = cursor_page(c, spaces)
    description = c.q.get("description-format")
    return ok({"results": [v2_space(c, s, description) for s in chunk], "_links": links}, headers=headers)


def get_space_by_id(c: Call) -> Response:
    space = c.sandbox.space(str(v2_id(c)))
    if space is None:
        raise ApiError(404, "Not Found", code="NOT_FOUND")
    return ok(v2_space(c, space, c.q.get("description-format")))


def get_child_pages(c: Call) -> Response:
    page = v2_visible_page(c)
    kids = [
        {
            "id": str(k.id),
            "status": k.status,
            "title": k.title,
            "spaceId": str(c.sandbox.spaces[k.space].id),
            "childPosition": k.id % 1000,
        }
        for k in children_of(c, page)
        if k.type == "page"
    ]
    chunk, links, headers = cursor_page(c, kids)
    return ok({"results": chunk, "_links": links}, headers=headers)


# --- Confluence v1 / Data Center -------------------------------------------------------------------------


def v1_visible_page(c: Call, name: str = "id") -> Page:
    page = c.sandbox.page(c.path[name])
    if page is None:
        raise ApiError(404, f"No content found with id: ContentId{{id={c.path[name]}}}")
    return page


def get_content(c: Call) -> Response:
    kind = c.q.get("type") or "page"
    space_key, title = c.q.get("spaceKey"), c.q.get("title")
    if space_key and c.sandbox.space(space_key) is None:
        raise ApiError(404, f"No space with key : {space_key}")
    pages = sorted(
        (
            p
            for p in c.sandbox.visible_pages()
            if p.type == kind and (not space_key or p.space == space_key) and (title is None or p.title == title)
        ),
        key=lambda p: p.id,
    )
    chunk, paging = start_limit_page(c, pages)
    return ok({"results": [v1_content(c, p, expand_param(c)) for p in chunk], **paging})


def get_content_by_id(c: Call) -> Response:
    if (hooked := extension_answer("getContentById", c)) is not None:  # comments, attachments: content too
        return hooked
    page = v1_visible_page(c)
    if c.q.get("version") and c.q.get("status") != "historical" and c.q.get("version") != str(page.version):
        raise ApiError(404, f"No content found with id {page.id} and status current at version {c.q['version']}")
    return ok(v1_content(c, past_version(c, page, c.q.get("version")), expand_param(c)))


WRITE_EXPANDS = ("space", "version", "body.storage", "ancestors", "history")


def create_content(c: Call) -> Response:
    if (hooked := extension_answer("createContent", c)) is not None:
        return hooked
    body = c.body_dict()
    kind = body.get("type")
    if kind not in ("page", "blogpost"):
        raise ApiError(400, f"Unsupported content type: {kind}")
    key = (body.get("space") or {}).get("key") if isinstance(body.get("space"), dict) else None
    space = c.sandbox.space(str(key)) if key else None
    if space is None:
        raise ApiError(404 if key else 400, f"No space with key : {key}" if key else "Space key is required")
    title = body.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ApiError(400, "Title cannot be empty")
    if kind == "page" and any(
        p.space == space.key and p.title == title and p.type == "page" for p in c.sandbox.visible_pages()
    ):
        raise ApiError(
            400,
            f"A page with this title already exists: A page already exists with the title {title} "
            f"in the space with key {space.key}",
        )
    storage = v1_storage_body(body)
    ancestors = body.get("ancestors") or []
    parent: Page | None = None
    if kind == "page" and ancestors:
        parent = c.sandbox.page(str((ancestors[-1] or {}).get("id")), ("page",))
        if parent is None or parent.space != space.key:
            raise ApiError(404, f"No parent page found with id {(ancestors[-1] or {}).get('id')}")
    elif kind == "page":
        parent = c.sandbox.pages.get(space.homepage or 0)
    page = new_page(c, kind, space, title, storage, parent.id if parent else None)
    return ok(v1_content(c, page, WRITE_EXPANDS))


def v1_storage_body(body: Mapping[str, Any]) -> str:
    storage = (body.get("body") or {}).get("storage") if isinstance(body.get("body"), dict) else None
    if not isinstance(storage, dict) or not isinstance(storage.get("value"), str):
        raise ApiError(400, "Content body is required and must be in storage representation")
    if storage.get("representation", "storage") != "storage":
        raise ApiError(400, f"Unsupported representation: {storage.get('representation')}")
    return str(storage["value"])


def update_content(c: Call) -> Response:
    page = v1_visible_page(c, "contentId")
    body = c.body_dict()
    version = (body.get("version") or {}).get("number") if isinstance(body.get("version"), dict) else None
    if not isinstance(version, int):
        raise ApiError(400, "Must supply an incremented version when updating Content. No version supplied.")
    if version != page.version + 1:
        raise ApiError(409, f"Version must be incremented on update. Current version is: {page.version}")
    title = body.get("title") or page.title
    if page.type == "page" and any(
        p.space == page.space and p.title == title and p.type == "page" and p.id != page.id
        for p in c.sandbox.visible_pages()
    ):
        raise ApiError(
            400,
            f"A page with this title already exists: A page already exists with the title {title} "
            f"in the space with key {page.space}",
        )
    storage = v1_storage_body(body) if body.get("body") is not None else page.body
    ancestors = body.get("ancestors") or []
    if ancestors:
        parent = c.sandbox.page(str((ancestors[-1] or {}).get("id")), ("page",))
        if parent is None or parent.space != page.space or parent.id == page.id:
            raise ApiError(400, "Invalid ancestor")
        remember_version(c, page)
        page.parent = parent.id
    else:
        remember_version(c, page)
    page.title, page.body, page.version = str(title), storage, version
    page.version_message = str((body.get("version") or {}).get("message") or "")
    page.modified, page.modifier = c.sandbox.tick(), c.sandbox.me.key
    return ok(v1_content(c, page, WRITE_EXPANDS))


def delete_content(c: Call) -> Response:
    if (hooked := extension_answer("deleteContent", c)) is not None:  # attachments are content too
        return hooked
    trash(c, v1_visible_page(c))
    return no_content()


def get_content_children(c: Call) -> Response:
    """Child pages, or comments (an extension keeps them); attachments have their own route (getAttachments)."""
    if (hooked := extension_answer("getContentChildrenByType", c)) is not None:
        return hooked
    page = v1_visible_page(c)
    kind = c.path["type"]
    if kind == "page":
        kids = [v1_content(c, k, expand_param(c)) for k in children_of(c, page) if k.type == "page"]
    elif kind == "comment":
        kids = []
    else:
        raise ApiError(400, f"Invalid child content type: {kind}")
    chunk, paging = start_limit_page(c, kids)
    return ok({"results": chunk, **paging})


def get_attachments(c: Call) -> Response:
    page = v1_visible_page(c)
    name, media = c.q.get("filename"), c.q.get("mediaType")
    kept = [a for a in page.attachments if name in (None, a.title) and media in (None, a.media_type)]
    chunk, paging = start_limit_page(c, [v1_attachment(c, page, a) for a in kept], 50)
    return ok({"results": chunk, **paging})


def v1_attachment(c: Call, page: Page, attachment: seed.PageAttachment) -> JSON:
    download = f"/download/attachments/{page.id}/{quote(attachment.title)}?version=1&api=v2"
    return {"id": f"att{attachment.id}", "type": "attachment", "status": "current", "title": attachment.title,
            "metadata": {"mediaType": attachment.media_type}, "extensions": {"mediaType": attachment.media_type,
                                                                             "fileSize": attachment.size},
            "_links": {"download": download, "webui": webui(c, page) + f"?preview=/{page.id}/{attachment.id}",
                       "self": f"{c.wiki_root}/rest/api/content/att{attachment.id}"}}  # fmt: skip


def get_labels_for_content(c: Call) -> Response:
    page = v1_visible_page(c)
    labels = [{"prefix": "global", "name": n, "id": str(1000 + i), "label": n} for i, n in enumerate(page.labels)]
    chunk, paging = start_limit_page(c, labels, 200)
    return ok({"results": chunk, **paging})


def get_confluence_current_user(c: Call) -> Response:
    return ok(confluence_user(c, c.sandbox.me))


def get_v1_spaces(c: Call) -> Response:
    keys = set(c.list_param("spaceKey")) | set(c.list_param("spaceKeys"))
    spaces = [s for s in c.sandbox.spaces.values() if s.visible and (not keys or s.key in keys)]
    chunk, paging = start_limit_page(c, spaces)
    return ok({"results": [v1_space(c, s) for s in chunk], **paging})


def get_v1_space(c: Call) -> Response:
    space = c.sandbox.space(c.path["spaceKey"])
    if space is None:
        raise ApiError(404, f"No space with key : {c.path['spaceKey']}")
    return ok(v1_space(c, space))


# --- routing ---------------------------------------------------------------------------------------------

RouteSpec = tuple[str, str, str, Handler]  # operationId, method, path (relative to the API's mount), handler

JIRA_ROUTES: list[RouteSpec] = [
    ("getIssue", "GET", "/issue/{issueIdOrKey}", get_issue),
    ("createIssue", "POST", "/issue", create_issue),
    ("editIssue", "PUT", "/issue/{issueIdOrKey}", edit_issue),
    ("deleteIssue", "DELETE", "/issue/{issueIdOrKey}", delete_issue),
    ("getTransitions", "GET", "/issue/{issueIdOrKey}/transitions", get_transitions),
    ("doTransition", "POST", "/issue/{issueIdOrKey}/transitions", do_transition),
    ("getComments", "GET", "/issue/{issueIdOrKey}/comment", get_comments),
    ("addComment", "POST", "/issue/{issueIdOrKey}/comment", add_comment),
    ("getComment", "GET", "/issue/{issueIdOrKey}/comment/{id}", get_comment),
    ("updateComment", "PUT", "/issue/{issueIdOrKey}/comment/{id}", update_comment),
    ("deleteComment", "DELETE", "/issue/{issueIdOrKey}/comment/{id}", delete_comment),
    ("getIssueWorklog", "GET", "/issue/{issueIdOrKey}/worklog", get_issue_worklog),
    ("addWorklog", "POST", "/issue/{issueIdOrKey}/worklog", add_worklog),
    ("getIssueWatchers", "GET", "/issue/{issueIdOrKey}/watchers", get_issue_watchers),
    ("addWatcher", "POST", "/issue/{issueIdOrKey}/watchers", add_watcher),
    ("getIssueLinkTypes", "GET", "/issueLinkType", get_issue_link_types),
    ("linkIssues", "POST", "/issueLink", link_issues),
    ("getIssueLink", "GET", "/issueLink/{linkId}", get_issue_link),
    ("deleteIssueLink", "DELETE", "/issueLink/{linkId}", delete_issue_link),
    ("getCurrentUser", "GET", "/myself", get_current_user),
    ("getServerInfo", "GET", "/serverInfo", get_server_info),
    ("getFields", "GET", "/field", get_fields),
    ("getAllProjects", "GET", "/project", get_all_projects),
    ("getProject", "GET", "/project/{projectIdOrKey}", get_project),
    ("findUsers", "GET", "/user/search", find_users),
]
JIRA_CLOUD_ROUTES: list[RouteSpec] = [
    ("searchAndReconsileIssuesUsingJql", "GET", "/search/jql", search_jql),
    ("searchAndReconsileIssuesUsingJqlPost", "POST", "/search/jql", search_jql),
    ("searchForIssuesUsingJql", "GET", "/search", search_removed),
    ("searchForIssuesUsingJqlPost", "POST", "/search", search_removed),
    ("searchProjects", "GET", "/project/search", search_projects),
]
JIRA_DC_ROUTES: list[RouteSpec] = [
    ("search_1", "GET", "/search", search_offset),
    ("searchUsingSearchRequest", "POST", "/search", search_offset),
]
AGILE_ROUTES: list[RouteSpec] = [
    ("getAllBoards", "GET", "/board", get_all_boards),
    ("getBoard", "GET", "/board/{boardId}", get_board),
    ("getAllSprints", "GET", "/board/{boardId}/sprint", get_all_sprints),
    ("getSprint", "GET", "/sprint/{sprintId}", get_sprint),
    ("getIssuesForSprint", "GET", "/sprint/{sprintId}/issue", get_issues_for_sprint),
]
CONFLUENCE_V2_ROUTES: list[RouteSpec] = [
    ("getPages", "GET", "/pages", get_pages),
    ("createPage", "POST", "/pages", create_page),
    ("getPageById", "GET", "/pages/{id}", get_page_by_id),
    ("updatePage", "PUT", "/pages/{id}", update_page),
    ("deletePage", "DELETE", "/pages/{id}", delete_page),
    ("getChildPages", "GET", "/pages/{id}/children", get_child_pages),
    ("getBlogPosts", "GET", "/blogposts", get_blog_posts),
    ("getBlogPostById", "GET", "/blogposts/{id}", get_blog_post_by_id),
    ("getSpaces", "GET", "/spaces", get_spaces),
    ("getSpaceById", "GET", "/spaces/{id}", get_space_by_id),
]
CONFLUENCE_V1_ROUTES: list[RouteSpec] = [
    ("searchByCQL", "GET", "/search", search_by_cql),
    ("searchContentByCQL", "GET", "/content/search", search_content_by_cql),
    ("getContent", "GET", "/content", get_content),
    ("createContent", "POST", "/content", create_content),
    ("getContentById", "GET", "/content/{id}", get_content_by_id),
    ("updateContent", "PUT", "/content/{contentId}", update_content),
    ("deleteContent", "DELETE", "/content/{id}", delete_content),
    ("getAttachments", "GET", "/content/{id}/child/attachment", get_attachments),
    ("getContentChildrenByType", "GET", "/content/{id}/child/{type}", get_content_children),
    ("getLabelsForContent", "GET", "/content/{id}/label", get_labels_for_content),
    ("getCurrentUser", "GET", "/user/current", get_confluence_current_user),
    ("getSpaces", "GET", "/space", get_v1_spaces),
    ("getSpace", "GET", "/space/{spaceKey}", get_v1_space),
]

DC_OPERATION_IDS = {
    # Data Center's specs name some of the same operations differently (one spec per product, numbered duplicates)
    "jira": {"addWatcher": "addWatcher_1", "getCurrentUser": "getUser", "getIssuesForSprint": "getIssuesForSprint_1"},
    "confluence": {"searchByCQL": "search_1", "searchContentByCQL": "search", "updateContent": "update_2",
                   "deleteContent": "delete_3", "getContentChildrenByType": "childrenOfType",
                   "getLabelsForContent": "labels", "getCurrentUser": "getCurrent", "getSpaces": "spaces",
                   "getSpace": "space"},
}  # fmt: skip


ROUTE_GROUPS: dict[str, list[RouteSpec]] = {
    "jira": JIRA_ROUTES,  # Jira REST v2/v3 on both flavours
    "jira_cloud": JIRA_CLOUD_ROUTES,
    "jira_dc": JIRA_DC_ROUTES,
    "agile": AGILE_ROUTES,
    "servicedesk": [],
    "devstatus": [],  # Jira's undocumented development-information resource (extra/jira_agile_dev.py)
    "wiki2": CONFLUENCE_V2_ROUTES,  # Confluence Cloud only
    "wiki1": CONFLUENCE_V1_ROUTES,  # Confluence Cloud v1 and Data Center
}
"""The core route tables by group; modules in `adapter/sandbox/extra/` add to them (see extra/__init__.py)."""


@cache
def extensions() -> list[Any]:
    """The modules of `adapter.sandbox.extra`, each one tool area's routes, DC names and seed data."""
    import importlib
    import pkgutil

    from . import extra

    return [importlib.import_module(f"{extra.__name__}.{m.name}") for m in pkgutil.iter_modules(extra.__path__)]


def extension_answer(operation: str, c: Call) -> Response | None:
    """An extension's answer to a request a core route received (its CORE_HOOKS), e.g. comments of a page."""
    for ext in extensions():
        hook = getattr(ext, "CORE_HOOKS", {}).get(operation)
        if hook is not None and (response := hook(c)) is not None:
            return response  # type: ignore[no-any-return]
    return None


def routes_of(group: str, flavor: Flavor) -> list[RouteSpec]:
    """A group's routes, core then each extension's, named as the flavour's spec names them."""
    specs = list(ROUTE_GROUPS[group])
    for ext in extensions():
        specs += getattr(ext, "ROUTES", {}).get(group, [])
    if flavor == "cloud":
        return specs
    product = "confluence" if group.startswith("wiki") else "jira"
    names = dict(DC_OPERATION_IDS[product])
    for ext in extensions():
        names.update(getattr(ext, "DC_OPERATION_IDS", {}).get(product, {}))
    return [(names.get(op, op), method, path, handler) for op, method, path, handler in specs]


MOUNTS: dict[Flavor, list[tuple[str, Api, list[str]]]] = {
    "cloud": [
        ("/rest/api/3", Api.JIRA3, ["jira_cloud", "jira"]),
        ("/rest/api/2", Api.JIRA2, ["jira_cloud", "jira"]),
        ("/rest/agile/1.0", Api.AGILE, ["agile"]),
        ("/rest/servicedeskapi", Api.SERVICEDESK, ["servicedesk"]),
        ("/rest/dev-status/1.0", Api.JIRA2, ["devstatus"]),
        ("/wiki/api/v2", Api.WIKI2, ["wiki2"]),
        ("/wiki/rest/api", Api.WIKI1, ["wiki1"]),
    ],
    "datacenter": [
        ("/jira/rest/api/2", Api.JIRA2, ["jira_dc", "jira"]),
        ("/jira/rest/agile/1.0", Api.AGILE, ["agile"]),
        ("/jira/rest/servicedeskapi", Api.SERVICEDESK, ["servicedesk"]),
        ("/jira/rest/dev-status/1.0", Api.JIRA2, ["devstatus"]),
        ("/confluence/rest/api", Api.WIKI1, ["wiki1"]),
    ],
}
"""Where each API lives per flavour (JIRA_URL is the host on Cloud, host/jira on Data Center; likewise /wiki)."""


# --- the request pipeline: record, inject faults, authenticate, dispatch, shape errors ---------------------

REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def error_response(api: Api, error: ApiError, headers: Mapping[str, str] | None = None) -> Response:
    """An error in the shape the API uses: Jira's ErrorCollection, Confluence v2's errors list, or v1's statusCode."""
    status = error.status
    reason = REASONS.get(status, "Error")
    if api == Api.SERVICEDESK:  # Jira Service Management's own shape, not Jira's ErrorCollection
        body: JSON = {"errorMessage": error.message or reason, "i18nErrorMessage": {"i18nKey": "", "parameters": []}}
    elif api.jira:
        body = {"errorMessages": [error.message] if error.message else [], "errors": error.errors}
    elif api in (Api.WIKI2, Api.FORMS):  # both answer {"errors": [{status, code, title, detail}]}
        code = error.code or reason.upper().replace(" ", "_")
        body = {
            "errors": [
                {
                    "status": status,
                    "code": code,
                    "title": reason if error.message == reason else error.message,
                    "detail": None,
                }
            ]
        }
    else:
        body = {
            "statusCode": status,
            "data": {
                "authorized": status not in (401, 403),
                "valid": status != 400,
                "allowedInReadOnlyMode": True,
                "errors": [],
                "successful": False,
            },
            "message": error.message or reason,
            "reason": reason,
        }
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def credential(sandbox: Sandbox, header: str) -> tuple[str, bool]:
    """(who the Authorization header claims to be, whether it authenticates). Never keeps the secret."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip() in sandbox.oauth_tokens:
        return "oauth " + sandbox.oauth_tokens[value.strip()], True
    if sandbox.tokens:  # many users: a registered token, as a Bearer or the secret of Basic
        if scheme.lower() == "bearer" and value.strip() in sandbox.tokens:
            return f"bearer {sandbox.tokens[value.strip()]}", True
        if scheme.lower() == "basic":
            try:
                secret = base64.b64decode(value.strip()).decode().partition(":")[2]
            except (ValueError, UnicodeDecodeError):
                secret = ""
            if secret in sandbox.tokens:
                return f"basic {sandbox.tokens[secret]}", True
    if scheme.lower() == "bearer":
        valid = value.strip() == sandbox.token
        return ("bearer " + sandbox.me.key if valid else "bearer"), valid
    if scheme.lower() == "basic":
        try:
            user, _, secret = base64.b64decode(value.strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return "basic (malformed)", False
        expected = SANDBOX_EMAIL if sandbox.flavor == "cloud" else SANDBOX_USERNAME
        return f"basic {user}", user in (expected, SANDBOX_EMAIL) and secret == sandbox.token
    return ("none", False) if not header else (f"{scheme.lower()} (unsupported)", False)


def unauthenticated(api: Api) -> ApiError:
    if api.jira:
        return ApiError(401, "You are not authenticated. Authentication required to perform this operation.")
    if api in (Api.WIKI2, Api.FORMS):
        return ApiError(401, "Unauthorized", code="UNAUTHORIZED")
    return ApiError(401, "This request requires authentication")


async def form_parts(request: Request) -> dict[str, list[Any]]:
    """A multipart body: each field's values, files as {filename, content_type, data}."""
    parts: dict[str, list[Any]] = {}
    async with request.form() as form:
        for name, value in form.multi_items():
            if isinstance(value, str):
                parts.setdefault(name, []).append(value)
            else:
                data = await value.read()
                parts.setdefault(name, []).append(
                    {"filename": value.filename, "content_type": value.content_type, "data": data}
                )
    return parts


async def serve(request: Request, api: Api, handler: Handler | None, operation: str) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else None
        bad_json = False
    except ValueError:
        body, bad_json = raw.decode(errors="replace"), True
    if request.headers.get("content-type", "").startswith("multipart/form-data"):  # uploads: {name: [parts]}
        body, bad_json = await form_parts(request), False
    who, valid = credential(sandbox, request.headers.get("authorization", ""))
    fault = next((f for f in sandbox.faults if f.times > 0 and f.pattern.search(request.url.path)), None)
    if fault is not None and fault.kind != "status":
        fault.times -= 1
        sandbox.faults = [f for f in sandbox.faults if f.times > 0]
        if fault.kind == "delay":
            await asyncio.sleep(fault.delay)
    response = spoiled(fault) if fault is not None and fault.kind in ("reset", "malformed", "redirect") else None
    response = response or respond(sandbox, request, api, handler, body, bad_json, valid)
    sandbox.requests.append(
        RecordedRequest(
            request.method,
            request.url.path,
            request.url.query,
            who if valid else f"{who} (rejected)",
            body,
            response.status_code,
            operation,
        )
    )
    return response


class _CutBody(Response):
    """Promises 1,000 bytes, sends 20, then fails: the connection drops mid-body."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]})
        await send({"type": "http.response.body", "body": b'{"id": "10001", "ke', "more_body": True})
        raise ConnectionResetError("sandbox: connection reset mid-body (injected)")


def spoiled(fault: Fault) -> Response:
    if fault.kind == "reset":
        return _CutBody(status_code=200)
    if fault.kind == "malformed":
        return Response('{"id": "10001", "key": ', status_code=200, media_type="application/json")
    return Response(status_code=302, headers={"Location": fault.location})


def respond(
    sandbox: Sandbox, request: Request, api: Api, handler: Handler | None, body: JSON, bad_json: bool, valid: bool
) -> Response:
    for fault in sandbox.faults:
        if fault.kind == "status" and fault.times > 0 and fault.pattern.search(request.url.path):
            fault.times -= 1
            sandbox.faults = [f for f in sandbox.faults if f.times > 0]
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            message = (
                "Rate limit exceeded." if fault.status == 429 else "Injected fault: the sandbox failed on purpose."
            )
            return error_response(api, ApiError(fault.status, message), headers)
    if not valid:
        return error_response(api, unauthenticated(api), {"WWW-Authenticate": 'Basic realm="sandbox"'})
    if handler is None:
        what = f"No route for {request.method} {request.url.path}"
        return error_response(api, ApiError(404, what if api != Api.WIKI2 else "Not Found", code="NOT_FOUND"))
    if bad_json:
        return error_response(api, ApiError(400, "Unexpected character in the request body: it is not valid JSON."))
    call = Call(sandbox, api, request, body, {k: str(v) for k, v in request.path_params.items()})
    try:
        return handler(call)
    except ApiError as error:
        return error_response(api, error)


def endpoint(api: Api, handler: Handler | None, operation: str = "") -> Callable[[Request], Any]:
    async def run(request: Request) -> Response:
        return await serve(request, api, handler, operation)

    return run


ALL_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]


def routes_for(flavor: Flavor) -> list[BaseRoute]:
    """One Starlette route per operation (named by operationId), then a catch-all 404 per API and for the site."""
    mounts: list[BaseRoute] = [  # extension routes outside the REST APIs (download servlets), by full path
        Route(path, endpoint(api, handler, name), methods=[method], name=name)
        for ext in extensions()
        for name, method, path, api, handler in getattr(ext, "SITE_ROUTES", {}).get(flavor, [])
    ]
    for prefix, api, groups in MOUNTS[flavor]:
        routes: list[BaseRoute] = [
            Route(path, endpoint(api, handler, operation_id), methods=[method], name=operation_id)
            for group in groups
            for operation_id, method, path, handler in routes_of(group, flavor)
        ]
        routes.append(Route("/{rest:path}", endpoint(api, None), methods=ALL_METHODS, name="notFound"))
        mounts.append(Mount(prefix, routes=routes, name=api.value))
    wiki = "/wiki" if flavor == "cloud" else "/confluence"
    mounts.append(Mount(wiki, routes=[Route("/{rest:path}", endpoint(Api.WIKI1, None), methods=ALL_METHODS)]))
    mounts.append(Route("/{rest:path}", endpoint(Api.JIRA2, None), methods=ALL_METHODS, name="notFound"))
    return mounts


def create_app(
    flavor: Literal["cloud", "datacenter"] = "cloud", *, token: str = SANDBOX_TOKEN, now: datetime | None = None
) -> Starlette:
    """The sandbox site for one flavour; `app.state.sandbox` is its state, request log and fault injector."""
    if flavor not in MOUNTS:
        raise ValueError(f"flavor must be 'cloud' or 'datacenter', not {flavor!r}")
    app = Starlette(routes=routes_for(flavor))
    app.state.sandbox = Sandbox(flavor, token, now)
    return app
