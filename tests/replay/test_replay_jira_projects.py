"""The jira_projects tools, on Cloud and Data Center, through an in-process MCP client, against recorded HTTP
(`cassettes/test_replay_jira_projects/`). A happy path and at least one error per tool; asserts on what a model gets."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pytest
from mcp.types import CallToolResult

from .test_replay_tools import FORBIDDEN_HINT, NOT_FOUND_HINT, error, ok
from .test_replay_tools import run as run_on

if TYPE_CHECKING:
    from .conftest import Site

pytestmark = pytest.mark.vcr


async def run(site: Site, tool: str, **arguments: Any) -> CallToolResult:
    """The toolset is not on by default."""
    return await run_on(dataclasses.replace(site, env=site.env | {"TOOLSETS": "jira_projects"}), tool, **arguments)


def wrong_token(site: Site) -> Site:
    token = "JIRA_API_TOKEN" if site.flavor == "cloud" else "JIRA_PERSONAL_TOKEN"
    return dataclasses.replace(site, env=site.env | {token: "wrong-token"})


def subtask(site: Site) -> str:
    return "Subtask" if site.flavor == "cloud" else "Sub-task"


async def test_jira_get_all_projects(site: Site) -> None:
    data = ok(await run(site, "jira_get_all_projects", include_archived=True))
    assert sorted(p["key"] for p in data["projects"]) == ["OPS", "PROJ", "READONLY", "SUP"]  # not SECRET
    assert data["total"] == 4
    assert data["projects"][0]["id"] and data["projects"][0]["type"]


async def test_jira_get_all_projects_bad_credentials(site: Site) -> None:
    assert error(await run(wrong_token(site), "jira_get_all_projects")).startswith("Jira answered 401")


async def test_jira_search_projects(site: Site) -> None:
    data = ok(await run(site, "jira_search_projects", query="sup", max_results=5))
    assert [(p["key"], p["name"], p["id"]) for p in data["projects"]] == [("SUP", "Support Desk", "10001")]
    assert data["total"] == 1 and "more" not in data


async def test_jira_search_projects_bad_credentials(site: Site) -> None:
    assert error(await run(wrong_token(site), "jira_search_projects", query="sup")).startswith("Jira answered 401")


async def test_jira_get_project_issue_types(site: Site) -> None:
    data = ok(await run(site, "jira_get_project_issue_types", project_key="OPS"))
    assert [(t["id"], t["name"]) for t in data["issue_types"]] == [("10002", "Task"), ("10004", subtask(site))]
    assert data["issue_types"][1]["subtask"] is True


async def test_jira_get_project_issue_types_unknown_project(site: Site) -> None:
    text = error(await run(site, "jira_get_project_issue_types", project_key="SECRET"))
    assert text == f"Jira answered 404: No project could be found with key 'SECRET'. {NOT_FOUND_HINT}"


async def test_jira_get_create_fields(site: Site) -> None:
    data = ok(await run(site, "jira_get_create_fields", project_key="PROJ", issue_type_id="Task"))
    assert data["issue_type"] == {"id": "10002", "name": "Task"}
    fields = {f["id"]: f for f in data["fields"]}
    assert fields["issuetype"]["allowed_values"] == ["Task"] and fields["summary"]["required"] is True
    assert fields["fixVersions"]["allowed_values"] == ["1.0", "1.1"]
    assert fields["priority"] == {
        "id": "priority",
        "name": "Priority",
        "required": False,
        "type": "priority",
        "allowed_values": ["Highest", "High", "Medium", "Low", "Lowest"],
        "default": "Medium",
    }


async def test_jira_get_create_fields_unknown_issue_type(site: Site) -> None:
    text = error(await run(site, "jira_get_create_fields", project_key="OPS", issue_type_id="10003"))
    assert text.startswith("Jira answered 404: Issue type with id '10003' is not available in project OPS.")


async def test_jira_get_create_fields_unknown_type_name(site: Site) -> None:
    text = error(await run(site, "jira_get_create_fields", project_key="OPS", issue_type_id="Story"))
    assert text == f"issue_type_id: no issue type 'Story' in OPS; it has Task (10002), {subtask(site)} (10004)"


async def test_jira_get_project_versions(site: Site) -> None:
    data = ok(await run(site, "jira_get_project_versions", project_key="PROJ"))
    assert [(v["id"], v["name"], v["released"]) for v in data["versions"]] == [
        ("10000", "1.0", True),
        ("10001", "1.1", False),
    ]


async def test_jira_get_project_versions_unknown_project(site: Site) -> None:
    text = error(await run(site, "jira_get_project_versions", project_key="NOPE"))
    assert text == f"Jira answered 404: No project could be found with key 'NOPE'. {NOT_FOUND_HINT}"


async def test_jira_get_project_components(site: Site) -> None:
    data = ok(await run(site, "jira_get_project_components", project_key="PROJ"))
    assert data["components"][2] == {
        "id": "10002",
        "name": "API",
        "description": "API work of Sandbox Project",
        "lead": "Alice Anders",
    }


async def test_jira_get_project_components_unknown_project(site: Site) -> None:
    assert "Jira answered 404" in error(await run(site, "jira_get_project_components", project_key="SECRET"))


async def test_jira_get_project_fields(site: Site) -> None:
    data = ok(await run(site, "jira_get_project_fields", project_key="OPS"))
    assert data["issue_types"] == ["Task", subtask(site)]
    parent = next(f for f in data["fields"] if f["id"] == "parent")
    assert parent["required_for"] == [subtask(site)] and parent["issue_types"] == [subtask(site)]


async def test_jira_get_project_fields_unknown_project(site: Site) -> None:
    assert "Jira answered 404" in error(await run(site, "jira_get_project_fields", project_key="SECRET"))


async def test_jira_create_version(site: Site) -> None:
    data = ok(await run(site, "jira_create_version", project_key="PROJ", name="2.0", release_date="2027-01-31"))
    assert data["name"] == "2.0" and data["release_date"] == "2027-01-31" and data["released"] is False
    assert data["url"] == f"{site.jira_url}/projects/PROJ/versions/{data['id']}"


async def test_jira_create_version_name_taken(site: Site) -> None:
    text = error(await run(site, "jira_create_version", project_key="PROJ", name="1.0"))
    assert text == "Jira answered 400: name: A version with this name already exists in this project."


async def test_jira_create_version_bad_date(site: Site) -> None:
    text = error(await run(site, "jira_create_version", project_key="PROJ", name="2.0", start_date="tomorrow"))
    assert text == "start_date: expected a date as YYYY-MM-DD, got 'tomorrow'"


async def test_jira_batch_create_versions(site: Site) -> None:
    versions = [{"name": "3.0", "description": "Big one"}, {"name": "3.1", "start_date": "2027-02-01"}]
    data = ok(await run(site, "jira_batch_create_versions", project_key="OPS", versions=versions))
    assert [(v["name"], v.get("description")) for v in data["created"]] == [("3.0", "Big one"), ("3.1", None)]
    assert data["failed"] == []


async def test_jira_batch_create_versions_partial_failure(site: Site) -> None:
    versions = '[{"name": "1.1"}, {"name": "4.0"}, {"title": "x"}]'  # a JSON string, as older clients send
    data = ok(await run(site, "jira_batch_create_versions", project_key="PROJ", versions=versions))
    assert [v["name"] for v in data["created"]] == ["4.0"]
    assert data["failed"] == [
        {"index": 0, "name": "1.1", "error": "Jira answered 400: name: A version with this name already exists in "
                                             "this project."},
        {"index": 2, "error": "unknown key(s) title; use archived, description, name, releaseDate, release_date, "
                              "released, startDate, start_date"},
    ]  # fmt: skip


async def test_jira_batch_create_versions_read_only_project(site: Site) -> None:
    data = ok(await run(site, "jira_batch_create_versions", project_key="READONLY", versions=[{"name": "1"}]))
    assert data["created"] == []
    assert data["failed"][0]["error"] == (
        f"Jira answered 403: You cannot edit the configuration of this project. {FORBIDDEN_HINT}"
    )


async def test_jira_update_version(site: Site) -> None:
    data = ok(await run(site, "jira_update_version", version_id="10001", released=True, release_date="2026-11-01"))
    assert (data["id"], data["name"], data["released"], data["release_date"]) == ("10001", "1.1", True, "2026-11-01")
    assert data["updated"] == ["release_date", "released"]


async def test_jira_update_version_not_found(site: Site) -> None:
    text = error(await run(site, "jira_update_version", version_id="99999", name="x"))
    assert text == f"Jira answered 404: Could not find version for id '99999' {NOT_FOUND_HINT}"
