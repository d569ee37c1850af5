"""The jira_projects tools through `mcp.Client` against the sandbox, on both flavours: reads, a version
create -> batch -> update -> read-back flow, and JIRA_PROJECTS_FILTER as a hard limit."""

from __future__ import annotations

import json

import pytest

from tests.e2e.harness import ok, sandboxed

FLAVORS = ["cloud", "datacenter"]
TOOLS = "jira_projects"


def error_text(result: object) -> str:
    assert getattr(result, "is_error", False), getattr(result, "structured_content", None)
    return str(result.content[0].text)  # type: ignore[attr-defined]


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_project_reads(flavor: str) -> None:
    async with sandboxed(flavor, TOOLSETS=TOOLS) as (sandbox, client):
        listed = ok(await client.call_tool("jira_get_all_projects", {}))
        assert [p["key"] for p in listed["projects"]] == ["PROJ", "SUP", "OPS", "READONLY"]  # SECRET is invisible
        assert listed["total"] == 4 and "avatarUrls" not in json.dumps(listed)
        found = ok(await client.call_tool("jira_search_projects", {"query": "oper"}))
        assert [(p["key"], p["name"]) for p in found["projects"]] == [("OPS", "Operations")]
        skipped = ok(await client.call_tool("jira_search_projects", {"query": "o", "current_project_ids": "10002"}))
        assert "OPS" not in [p["key"] for p in skipped["projects"]] and skipped["projects"]
        types = ok(await client.call_tool("jira_get_project_issue_types", {"project_key": "OPS"}))
        subtask = "Subtask" if flavor == "cloud" else "Sub-task"
        assert [(t["id"], t["name"], t.get("subtask", False)) for t in types["issue_types"]] == [
            ("10002", "Task", False),
            ("10004", subtask, True),
        ]
        versions = ok(await client.call_tool("jira_get_project_versions", {"project_key": "PROJ"}))
        assert versions["versions"] == [
            {"id": "10000", "name": "1.0", "released": True, "archived": False, "release_date": "2026-09-30"},
            {"id": "10001", "name": "1.1", "released": False, "archived": False, "release_date": "2026-12-15"},
        ]
        components = ok(await client.call_tool("jira_get_project_components", {"project_key": "PROJ"}))
        assert [c["name"] for c in components["components"]] == ["Backend", "Frontend", "API"]
        assert components["components"][0]["lead"] == "Alice Anders"
        missing = await client.call_tool("jira_get_project_versions", {"project_key": "SECRET"})
        assert "404" in error_text(missing)


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_create_fields_by_id_and_name(flavor: str) -> None:
    async with sandboxed(flavor, TOOLSETS=TOOLS) as (sandbox, client):
        by_id = ok(await client.call_tool("jira_get_create_fields", {"project_key": "PROJ", "issue_type_id": "10003"}))
        fields = {f["id"]: f for f in by_id["fields"]}
        assert fields["summary"]["required"] and not fields["description"]["required"]
        assert fields["components"]["allowed_values"] == ["Backend", "Frontend", "API"]
        assert fields["priority"]["default"] == "Medium" and fields["project"]["allowed_values"] == ["PROJ"]
        calls = len(sandbox.requests)
        by_name = ok(await client.call_tool("jira_get_create_fields", {"project_key": "PROJ", "issue_type_id": "bug"}))
        assert by_name["issue_type"] == {"id": "10003", "name": "Bug"} and by_name["fields"] == by_id["fields"]
        assert len(sandbox.requests) - calls == 2  # the name costs one lookup
        wrong = await client.call_tool("jira_get_create_fields", {"project_key": "OPS", "issue_type_id": "Story"})
        assert "no issue type 'Story' in OPS" in error_text(wrong)
        project = ok(await client.call_tool("jira_get_project_fields", {"project_key": "OPS"}))
        merged = {f["id"]: f for f in project["fields"]}
        subtask = "Subtask" if flavor == "cloud" else "Sub-task"
        assert merged["parent"]["required_for"] == [subtask] and merged["parent"]["issue_types"] == [subtask]
        assert merged["summary"]["required_for"] == ["Task", subtask] and "issue_types" not in merged["summary"]


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_version_create_batch_update_flow(flavor: str) -> None:
    async with sandboxed(flavor, TOOLSETS=TOOLS) as (sandbox, client):
        created = ok(await client.call_tool("jira_create_version", {
            "project_key": "PROJ", "name": "2.0", "start_date": "2026-12-01", "release_date": "2027-01-31",
            "description": "Next",
        }))  # fmt: skip
        assert created["name"] == "2.0" and created["url"].endswith(f"/projects/PROJ/versions/{created['id']}")
        batch = ok(await client.call_tool("jira_batch_create_versions", {
            "project_key": "PROJ",
            "versions": json.dumps([{"name": "2.1"}, {"name": "2.0"}, {"name": "2.2", "releaseDate": "31/01"},
                                    {"name": "2.3", "release_date": "2027-03-31"}]),
        }))  # fmt: skip
        assert [v["name"] for v in batch["created"]] == ["2.1", "2.3"]
        assert [(f["index"], f["name"]) for f in batch["failed"]] == [(1, "2.0"), (2, "2.2")]
        assert "already exists" in batch["failed"][0]["error"] and "release_date" in batch["failed"][1]["error"]
        updated = ok(await client.call_tool("jira_update_version", {
            "version_id": created["id"], "released": True, "description": "Shipped",
        }))  # fmt: skip
        assert updated["released"] is True and updated["updated"] == ["description", "released"]
        versions = ok(await client.call_tool("jira_get_project_versions", {"project_key": "PROJ"}))
        mine = next(v for v in versions["versions"] if v["id"] == created["id"])
        assert mine == {"id": created["id"], "name": "2.0", "released": True, "archived": False,
                        "start_date": "2026-12-01", "release_date": "2027-01-31", "description": "Shipped"}  # fmt: skip
        assert [v["name"] for v in versions["versions"]][-3:] == ["2.0", "2.1", "2.3"]
        read_only = await client.call_tool("jira_create_version", {"project_key": "READONLY", "name": "9"})
        assert "403" in error_text(read_only)
        nothing = await client.call_tool("jira_update_version", {"version_id": created["id"]})
        assert "nothing to update" in error_text(nothing)


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_projects_filter_is_a_hard_limit(flavor: str) -> None:
    async with sandboxed(flavor, TOOLSETS=TOOLS, JIRA_PROJECTS_FILTER="OPS,SUP") as (sandbox, client):
        listed = ok(await client.call_tool("jira_get_all_projects", {}))
        assert sorted(p["key"] for p in listed["projects"]) == ["OPS", "SUP"]
        found = ok(await client.call_tool("jira_search_projects", {"query": "p"}))
        assert sorted(p["key"] for p in found["projects"]) == ["OPS", "SUP"]  # PROJ matches too, but is outside
        sent = len(sandbox.requests)
        for tool, args in [
            ("jira_get_project_versions", {"project_key": "PROJ"}),
            ("jira_get_project_fields", {"project_key": "proj"}),
            ("jira_create_version", {"project_key": "PROJ", "name": "x"}),
            ("jira_batch_create_versions", {"project_key": "PROJ", "versions": [{"name": "x"}]}),
        ]:
            assert "outside this server's projects" in error_text(await client.call_tool(tool, args))
        assert len(sandbox.requests) == sent  # refused before any request
        other = await client.call_tool("jira_update_version", {"version_id": "10001", "name": "hijack"})
        assert "in project PROJ, outside" in error_text(other)
        assert all(r.method == "GET" for r in sandbox.requests[sent:])
