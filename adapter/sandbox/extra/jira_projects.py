"""Sandbox routes of the jira_projects tools: project versions and components, create metadata (the paged
createmeta of Cloud and Data Center 8.4+), version create/read/update, and Data Center's project picker.

Seeded versions are frozen `Version`s in `Project.versions`; what the seed does not model (description,
start date, archived) lives in `sandbox.extra["jira_projects"]["versions"]` by version id.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from html import escape
from typing import Any

from starlette.responses import Response

from .. import app
from ..app import ApiError, Call, ok
from ..seed import PRIORITIES, Project, Version

JSON = Any
EXTRA = "jira_projects"


def seed(sandbox: app.Sandbox) -> None:
    sandbox.extra[EXTRA] = {"versions": {}}


def _state(c: Call) -> dict[int, dict[str, Any]]:
    versions: dict[int, dict[str, Any]] = c.sandbox.extra[EXTRA]["versions"]
    return versions


def _project(c: Call, ref: str) -> Project:
    project = c.sandbox.project(ref)
    if project is None:
        raise ApiError(404, f"No project could be found with key '{ref}'.")
    return project


def _version_of(c: Call, version_id: str) -> tuple[Project, Version]:
    for project in c.sandbox.projects.values():
        for version in project.versions:
            if str(version.id) == version_id and project.visible:
                return project, version
    raise ApiError(404, f"Could not find version for id '{version_id}'")


def _version(c: Call, project: Project, version: Version) -> JSON:
    body = app.jira_version(c, project, version)
    extra = _state(c).get(version.id, {})
    body["archived"] = bool(extra.get("archived", False))
    if extra.get("description"):
        body["description"] = extra["description"]
    if extra.get("start_date"):
        body["startDate"] = extra["start_date"]
    if version.release_date and not version.released and version.release_date < c.sandbox.clock.date():
        body["overdue"] = True
    elif version.release_date and not version.released:
        body["overdue"] = False
    if c.cloud:
        body["project"] = project.key  # Cloud echoes the deprecated key; Data Center names projectId only
    return body


def _date(errors: dict[str, str], body: dict[str, Any], key: str) -> date | None:
    value = body.get(key)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)) if len(str(value)) == 10 else date.fromisoformat("")
    except ValueError:
        errors[key] = "Please enter the date in the following format: yyyy-MM-dd"
        return None


def _writable(project: Project) -> None:
    if not project.writable:
        raise ApiError(403, "You cannot edit the configuration of this project.")


# --- versions and components -------------------------------------------------------------------------------


def get_project_versions(c: Call) -> Response:
    project = _project(c, c.path["projectIdOrKey"])
    return ok([_version(c, project, v) for v in project.versions])


def get_project_components(c: Call) -> Response:
    project = _project(c, c.path["projectIdOrKey"])
    lead = app.jira_user(c, c.sandbox.user(project.lead))
    return ok(
        [
            app.jira_component(c, project, name)
            | {
                "description": f"{name} work of {project.name}",
                "lead": lead,
                "assigneeType": "PROJECT_DEFAULT",
                "realAssigneeType": "PROJECT_DEFAULT",
                "isAssigneeTypeValid": False,
                "project": project.key,
                "projectId": project.id,
            }
            for name in project.components
        ]
    )


def create_version(c: Call) -> Response:
    body = c.body_dict()
    ref = body.get("projectId") if body.get("projectId") is not None else body.get("project")
    if ref in (None, ""):
        raise ApiError(400, "", {"project": "Project must be specified to create a version."})
    project = _project(c, str(ref))
    _writable(project)
    errors: dict[str, str] = {}
    name = str(body.get("name") or "").strip()
    if not name:
        errors["name"] = "You must specify a valid version name"
    elif any(v.name.lower() == name.lower() for v in project.versions):
        errors["name"] = "A version with this name already exists in this project."
    release, start = _date(errors, body, "releaseDate"), _date(errors, body, "startDate")
    if release and start and start > release:
        errors["startDate"] = "The start date must be before the release date."
    if errors:
        raise ApiError(400, "", errors)
    version = Version(c.sandbox.next_id("version"), name, bool(body.get("released")), release)
    project.versions.append(version)
    _state(c)[version.id] = {
        "description": str(body.get("description") or ""),
        "start_date": start.isoformat() if start else None,
        "archived": bool(body.get("archived")),
    }
    c.sandbox.tick()
    return ok(_version(c, project, version), status=201)


def get_version(c: Call) -> Response:
    project, version = _version_of(c, c.path["id"])
    return ok(_version(c, project, version))


def update_version(c: Call) -> Response:
    project, version = _version_of(c, c.path["id"])
    _writable(project)
    body = c.body_dict()
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    if "name" in body:
        name = str(body.get("name") or "").strip()
        if not name:
            errors["name"] = "You must specify a valid version name"
        elif any(v.name.lower() == name.lower() and v.id != version.id for v in project.versions):
            errors["name"] = "A version with this name already exists in this project."
        changes["name"] = name
    if "releaseDate" in body:
        changes["release_date"] = _date(errors, body, "releaseDate")
    if "released" in body:
        changes["released"] = bool(body["released"])
    extra = _state(c).setdefault(version.id, {})
    start = _date(errors, body, "startDate") if "startDate" in body else None
    if errors:
        raise ApiError(400, "", errors)
    updated = dataclasses.replace(version, **changes)
    project.versions[project.versions.index(version)] = updated
    if "startDate" in body:
        extra["start_date"] = start.isoformat() if start else None
    if "description" in body:
        extra["description"] = str(body.get("description") or "")
    if "archived" in body:
        extra["archived"] = bool(body["archived"])
    c.sandbox.tick()
    return ok(_version(c, project, updated))


# --- create metadata ---------------------------------------------------------------------------------------


def _page(c: Call, items: list[JSON], key: str) -> JSON:
    start, limit = c.int_param("startAt", 0), c.int_param("maxResults", 50, low=1, high=200)
    page = items[start : start + limit]
    if c.cloud:
        return {"maxResults": limit, "startAt": start, "total": len(items), key: page}
    return {"maxResults": limit, "startAt": start, "total": len(items), "isLast": start + limit >= len(items),
            "values": page}  # fmt: skip


def get_create_meta_issue_types(c: Call) -> Response:
    project = _project(c, c.path["projectIdOrKey"])
    return ok(_page(c, [app.jira_issue_type(c, t) for t in project.issue_types], "issueTypes"))


def _meta(field: JSON, required: bool, **extra: Any) -> JSON:
    """A catalogue field as createmeta describes it."""
    out = {
        "required": required,
        "schema": field["schema"],
        "name": field["name"],
        "key": field["key"],
        "fieldId": field["id"],
        "hasDefaultValue": "defaultValue" in extra,
        "operations": ["set"] if field["schema"]["type"] != "array" else ["add", "set", "remove"],
    }
    return out | extra


def get_create_meta_fields(c: Call) -> Response:
    project = _project(c, c.path["projectIdOrKey"])
    kind = next((t for t in c.sandbox.data.issue_types if str(t.id) == c.path["issueTypeId"]), None)
    if kind is None or kind.name not in project.issue_types:
        raise ApiError(404, f"Issue type with id '{c.path['issueTypeId']}' is not available in project {project.key}.")
    catalogue = {f["id"]: f for f in app.field_catalogue(c)}
    user_search = f"{c.jira_api}/user/assignable/search?project={project.key}&query="
    fields = [
        _meta(catalogue["summary"], True),
        _meta(catalogue["issuetype"], True, allowedValues=[app.jira_issue_type(c, kind.name)]),
        _meta(catalogue["project"], True, allowedValues=[app.jira_project_ref(c, project)]),
        _meta(catalogue["description"], False),
        _meta(catalogue["reporter"], True, autoCompleteUrl=user_search),
        _meta(catalogue["assignee"], False, autoCompleteUrl=user_search),
        _meta(
            catalogue["priority"],
            False,
            allowedValues=[app.jira_priority(c, p) for p in PRIORITIES],
            defaultValue=app.jira_priority(c, "Medium"),
        ),
        _meta(catalogue["labels"], False, autoCompleteUrl=f"{c.jira_root}/rest/api/1.0/labels/suggest?query="),
        _meta(catalogue["duedate"], False),
    ]
    if project.components:
        comps = [app.jira_component(c, project, n) for n in project.components]
        fields.append(_meta(catalogue["components"], False, allowedValues=comps))
    if project.versions:
        versions = [_version(c, project, v) for v in project.versions if not _state(c).get(v.id, {}).get("archived")]
        fields.append(_meta(catalogue["fixVersions"], False, allowedValues=versions))
    if kind.subtask:
        fields.append(_meta(catalogue["parent"], True))
    if project.type_key == "software" and not kind.subtask:
        fields.append(_meta(catalogue["customfield_10020"], False))
        fields.append(_meta(catalogue["customfield_10016"], False))
    if kind.name == "Epic" and "customfield_10011" in catalogue:
        fields.append(_meta(catalogue["customfield_10011"], True))
    for field_id, options in c.sandbox.extra.get("jira_issues", {}).get("create_screen_options", {}).items():
        if field_id in catalogue:  # select fields another area seeds (e.g. Severity), with their options
            fields.append(_meta(catalogue[field_id], False, allowedValues=options(c)))
    return ok(_page(c, fields, "fields"))


# --- Data Center's project picker ----------------------------------------------------------------------------


def project_picker(c: Call) -> Response:
    words = (c.q.get("query") or "").strip().lower()
    limit = c.int_param("maxResults", 100, low=1)
    allow_empty = (c.q.get("allowEmptyQuery") or "").lower() == "true"
    found = [
        p
        for p in c.sandbox.projects.values()
        if p.visible
        and ((words and (words in p.key.lower() or words in p.name.lower())) or (not words and allow_empty))
    ]
    shown = found[:limit]
    return ok(
        {
            "header": f"Showing {len(shown)} of {len(found)} matching projects",
            "projects": [
                {
                    "key": p.key,
                    "html": f"{escape(p.name)} ({escape(p.key)})",
                    "name": p.name,
                    "id": str(p.id),
                    "avatar": f"{c.jira_root}/secure/projectavatar?size=xsmall&pid={p.id}",
                }
                for p in shown
            ],
            "total": len(found),
        }
    )


ROUTES: dict[str, list[app.RouteSpec]] = {
    "jira": [
        ("getProjectVersions", "GET", "/project/{projectIdOrKey}/versions", get_project_versions),
        ("getProjectComponents", "GET", "/project/{projectIdOrKey}/components", get_project_components),
        (
            "getCreateIssueMetaIssueTypes",
            "GET",
            "/issue/createmeta/{projectIdOrKey}/issuetypes",
            get_create_meta_issue_types,
        ),
        (
            "getCreateIssueMetaIssueTypeId",
            "GET",
            "/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}",
            get_create_meta_fields,
        ),
        ("createVersion", "POST", "/version", create_version),
        ("getVersion", "GET", "/version/{id}", get_version),
        ("updateVersion", "PUT", "/version/{id}", update_version),
    ],  # fmt: skip
    "jira_dc": [("searchForProjects", "GET", "/projects/picker", project_picker)],
}
DC_OPERATION_IDS = {
    "jira": {
        "getCreateIssueMetaIssueTypes": "getCreateIssueMetaProjectIssueTypes",
        "getCreateIssueMetaIssueTypeId": "getCreateIssueMetaFields",
    }
}
