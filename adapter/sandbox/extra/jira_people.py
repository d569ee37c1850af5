"""Sandbox routes for the jira_people tools that app.py lacks: user lookup, assignable-user search, removing a
watcher, remote issue links and Jira Software's "move issues to epic"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from ..app import ApiError, Call, Sandbox, jira_user, no_content, ok, writable_issue
from ..seed import User


@dataclass
class RemoteLink:
    id: int
    issue: str
    url: str
    title: str
    summary: str | None = None
    icon: str | None = None
    relationship: str | None = None


def seed(sandbox: Sandbox) -> None:
    """Remote issue links (the seed has none)."""
    sandbox.extra["jira_people"] = {"remote_links": []}


def _remote_links(c: Call) -> list[RemoteLink]:
    links: list[RemoteLink] = c.sandbox.extra["jira_people"]["remote_links"]
    return links


def _matches(user: User, words: str) -> bool:
    """Jira's user search: a prefix of the username, e-mail or a word of the display name, or a substring of it."""
    words = words.lower()
    parts = [user.key, user.email.lower(), *user.display_name.lower().split()]
    return not words or any(p.startswith(words) for p in parts) or words in user.display_name.lower()


def get_user(c: Call) -> Response:
    """Cloud: `accountId`; Data Center: `username` or `key`."""
    if c.cloud:
        ref = c.q.get("accountId")
        if not ref:
            raise ApiError(400, "The query parameter 'accountId' is required.")
        user = next((u for u in c.sandbox.users if u.account_id == ref), None)
        if user is None:
            raise ApiError(404, f"The user with account ID '{ref}' does not exist.")
        return ok(jira_user(c, user) | {"locale": "en_US"})
    name, key = c.q.get("username"), c.q.get("key")
    if not name and not key:
        raise ApiError(400, "Either the 'username' or the 'key' query parameter must be provided.")
    user = next((u for u in c.sandbox.users if (name and u.key == name) or (key and u.jira_key == key)), None)
    if user is None:
        raise ApiError(404, f"The user named '{name or key}' does not exist")
    return ok(jira_user(c, user))


def find_assignable_users(c: Call) -> Response:
    """Users who may be assigned issues of a project (or of one issue's project); a plain list, as Jira sends."""
    project_ref, issue_ref = c.q.get("project"), c.q.get("issueKey") or c.q.get("issueId")
    if not project_ref and not issue_ref:
        raise ApiError(400, "One of 'issueKey', 'issueId' or 'project' parameters must be provided.")
    if issue_ref:
        issue = c.sandbox.issue(issue_ref)
        if issue is None:
            raise ApiError(404, "Issue does not exist or you do not have permission to see it.")
        project = c.sandbox.projects[issue.project]
    else:
        found = c.sandbox.project(str(project_ref).upper()) or c.sandbox.project(str(project_ref))
        if found is None:
            raise ApiError(404, f"No project could be found with key '{project_ref}'.")
        project = found
    start, limit = c.int_param("startAt", 0), c.int_param("maxResults", 50, low=1, high=1000)
    words = (c.q.get("query") if c.cloud else c.q.get("username")) or ""
    users = [u for u in c.sandbox.users if _matches(u, words)] if project.writable else []
    return ok([jira_user(c, u) for u in users[start : start + limit]])


def remove_watcher(c: Call) -> Response:
    """Cloud names the user by `accountId`, Data Center by `username`; a user not watching is no error."""
    issue = writable_issue(c, c.path["issueIdOrKey"], "manage watchers of")
    ref = c.q.get("accountId") if c.cloud else c.q.get("username") or c.q.get("userName")
    if not ref:
        what = "accountId" if c.cloud else "username"
        raise ApiError(400, f"The '{what}' query parameter must be provided.")
    user = next((u for u in c.sandbox.users if ref == (u.account_id if c.cloud else u.key)), None)
    if user is None:
        raise ApiError(404, f'The user "{ref}" does not exist.')
    if user.key in issue.watchers:
        issue.watchers.remove(user.key)
    return no_content()


def _remote_link_json(c: Call, link: RemoteLink) -> dict[str, Any]:
    obj: dict[str, Any] = {"url": link.url, "title": link.title}
    if link.summary:
        obj["summary"] = link.summary
    obj["icon"] = {"url16x16": link.icon} if link.icon else {}
    body: dict[str, Any] = {"id": link.id, "self": f"{c.jira_api}/issue/{link.issue}/remotelink/{link.id}"}
    if link.relationship:
        body["relationship"] = link.relationship
    return body | {"object": obj}


def create_remote_link(c: Call) -> Response:
    issue = writable_issue(c, c.path["issueIdOrKey"], "link")
    body = c.body_dict()
    obj: dict[str, Any] = body["object"] if isinstance(body.get("object"), dict) else {}
    errors = {k: f"'{k}' is required." for k in ("url", "title") if not isinstance(obj.get(k), str) or not obj[k]}
    if errors:
        raise ApiError(400, "", errors)
    icon: dict[str, Any] = obj["icon"] if isinstance(obj.get("icon"), dict) else {}
    link = RemoteLink(
        c.sandbox.next_id("remotelink"),
        issue.key,
        obj["url"],
        obj["title"],
        obj.get("summary"),
        icon.get("url16x16"),
        body.get("relationship"),
    )
    _remote_links(c).append(link)
    issue.updated = c.sandbox.tick()
    return ok({"id": link.id, "self": f"{c.jira_api}/issue/{issue.key}/remotelink/{link.id}"}, 201)


def get_remote_links(c: Call) -> Response:
    issue = c.sandbox.issue(c.path["issueIdOrKey"])
    if issue is None:
        raise ApiError(404, "Issue does not exist or you do not have permission to see it.")
    return ok([_remote_link_json(c, link) for link in _remote_links(c) if link.issue == issue.key])


def move_issues_to_epic(c: Call) -> Response:
    """Jira Software: up to 50 issues under an epic (the Epic Link on Data Center, the parent on Cloud)."""
    epic = c.sandbox.issue(c.path["epicIdOrKey"])
    if epic is None:
        raise ApiError(404, "Issue does not exist or you do not have permission to see it.")
    if epic.issue_type != "Epic":
        raise ApiError(400, f"Issue '{epic.key}' is not an epic.")
    refs = c.body_dict().get("issues")
    if not isinstance(refs, list) or not refs or len(refs) > 50:
        raise ApiError(400, "'issues' must list between 1 and 50 issue keys or ids.")
    issues = [writable_issue(c, str(ref)) for ref in refs]
    for issue in issues:
        if issue.issue_type in ("Epic", "Subtask"):
            raise ApiError(400, f"Issue '{issue.key}' cannot be added to an epic.")
    moment = c.sandbox.tick()
    for issue in issues:
        issue.parent, issue.updated = epic.key, moment
    return no_content()


ROUTES = {
    "jira": [
        ("getUser", "GET", "/user", get_user),
        ("findAssignableUsers", "GET", "/user/assignable/search", find_assignable_users),
        ("removeWatcher", "DELETE", "/issue/{issueIdOrKey}/watchers", remove_watcher),
        ("createOrUpdateRemoteIssueLink", "POST", "/issue/{issueIdOrKey}/remotelink", create_remote_link),
        ("getRemoteIssueLinks", "GET", "/issue/{issueIdOrKey}/remotelink", get_remote_links),
    ],
    "agile": [("moveIssuesToEpic", "POST", "/epic/{epicIdOrKey}/issue", move_issues_to_epic)],
}
DC_OPERATION_IDS = {
    "jira": {"getUser": "getUser_1", "findAssignableUsers": "findAssignableUsers_1", "removeWatcher": "removeWatcher_1"}
}
