"""The jira_projects logic that the sandbox flows do not stretch: allowed-value compaction and its cap, fields merged
across issue types, Cloud project paging and the filter on Data Center's picker (handlers on a scripted ctx.call)."""

from __future__ import annotations

from typing import Any

import pytest

from adapter.handlers import HandlerContext, ToolError
from adapter.handlers.jira_projects import (
    jira_batch_create_versions,
    jira_get_all_projects,
    jira_search_projects,
    jira_update_version,
)
from adapter.views import ViewContext, get_view

CTX = ViewContext(site_url="https://acme.atlassian.net", deployment="cloud")


def scripted(deployment: str, answers: list[Any], scope: tuple[str, ...] = ()) -> tuple[HandlerContext, list[Any]]:
    sent: list[Any] = []

    async def call(ref: str, body: Any = None, **kwargs: Any) -> Any:
        sent.append((ref, body, {k: v for k, v in kwargs.items() if v is not None}))
        return answers.pop(0)

    return HandlerContext(deployment, "https://acme.atlassian.net", scope, call), sent


def test_allowed_values_are_names_and_capped() -> None:
    options = [{"self": "x", "id": str(i), "value": f"opt{i}"} for i in range(60)]
    cascading = {"id": "1", "value": "EU", "children": [{"id": "2", "value": "Berlin"}]}
    data = {
        "project": "PROJ",
        "issue_type": {"id": "1", "name": "Bug"},
        "fields": [
            {"fieldId": "customfield_1", "name": "Pick", "required": False, "schema": {"type": "option"},
             "allowedValues": options},
            {"fieldId": "customfield_2", "name": "Where", "required": True,
             "schema": {"type": "option-with-child"}, "allowedValues": [cascading]},
            {"fieldId": "project", "name": "Project", "required": True, "schema": {"type": "project"},
             "allowedValues": [{"id": "10000", "key": "PROJ", "name": "Sandbox", "avatarUrls": {}}]},
        ],
    }  # fmt: skip
    view = get_view("jira_create_fields").project(data, CTX)
    pick, where, project = view["fields"]
    assert pick["allowed_values"] == [f"opt{i}" for i in range(50)] and pick["allowed_values_omitted"] == 10
    assert where["allowed_values"] == [{"value": "EU", "children": ["Berlin"]}] and where["required"] is True
    assert project["allowed_values"] == ["PROJ"]
    text = get_view("jira_create_fields").render(view)
    assert "(+10 more)" in text and "customfield_2 (Where) · option-with-child · required" in text


def test_fields_merged_across_issue_types() -> None:
    summary = {"fieldId": "summary", "name": "Summary", "required": True, "schema": {"type": "string"}}
    parent = {"fieldId": "parent", "name": "Parent", "required": True, "schema": {"type": "issuelink"}}
    due = {"fieldId": "duedate", "name": "Due", "required": False, "schema": {"type": "date"}}
    data = {
        "project": "OPS",
        "by_type": [
            {"issue_type": {"id": "1", "name": "Task"}, "fields": [summary, due]},
            {"issue_type": {"id": "2", "name": "Subtask"}, "fields": [summary, parent]},
        ],
    }
    view = get_view("jira_create_fields").project(data, CTX)
    assert view["issue_types"] == ["Task", "Subtask"]
    assert view["fields"] == [
        {"id": "summary", "name": "Summary", "type": "string", "required_for": ["Task", "Subtask"]},
        {"id": "duedate", "name": "Due", "type": "date", "issue_types": ["Task"]},
        {
            "id": "parent",
            "name": "Parent",
            "type": "issuelink",
            "required_for": ["Subtask"],
            "issue_types": ["Subtask"],
        },
    ]


async def test_cloud_projects_are_paged_until_the_last_page() -> None:
    pages = [
        {"isLast": False, "total": 3, "values": [{"key": "A"}, {"key": "B"}]},
        {"isLast": True, "total": 3, "values": [{"key": "C"}]},
    ]
    ctx, sent = scripted("cloud", pages, scope=("A", "C"))
    result = await jira_get_all_projects(ctx, {"include_archived": True})
    assert [p["key"] for p in result["projects"]] == ["A", "B", "C"] and result["total"] == 3
    assert [kwargs["start_at"] for _, _, kwargs in sent] == [0, 2]
    assert sent[0][2]["keys"] == ["A", "C"] and sent[0][2]["status"] == ["live", "archived"]


async def test_data_center_picker_is_filtered_and_says_more() -> None:
    found = {"total": 9, "projects": [{"key": k, "id": str(i)} for i, k in enumerate(["A", "B", "C", "D"])]}
    ctx, sent = scripted("datacenter", [found], scope=("A", "C", "D"))
    result = await jira_search_projects(ctx, {"query": "x", "max_results": 1, "current_project_ids": "0"})
    assert result == {"projects": [{"key": "C", "id": "2"}], "more": True}  # no total: it counts other projects
    assert sent[0][2]["max_results"] == 100


async def test_batch_keeps_going_after_a_failure() -> None:
    ctx, sent = scripted("cloud", [{"id": "1", "name": "a"}])
    result = await jira_batch_create_versions(ctx, {"project_key": "P", "versions": [{"name": "a"}, {"name": ""}, 7]})
    assert [v["name"] for v in result["created"]] == ["a"]
    assert [(f["index"], f["error"]) for f in result["failed"]] == [
        (1, "name is required"),
        (2, "expected an object with at least a name"),
    ]
    assert sent == [("jira-platform/createVersion", {"name": "a", "project": "P"}, {})]


async def test_update_version_outside_the_filter_is_refused_before_writing() -> None:
    ctx, sent = scripted("datacenter", [{"id": "5", "projectId": 10}, {"id": "10", "key": "OTHER"}], scope=("P",))
    with pytest.raises(ToolError, match="in project OTHER, outside"):
        await jira_update_version(ctx, {"version_id": "5", "released": True})
    assert [ref for ref, _, _ in sent] == ["jira-dc/getVersion", "jira-dc/getProject"]
    with pytest.raises(ToolError, match="release_date: expected a date"):
        await jira_update_version(ctx, {"version_id": "5", "release_date": "2026-13-01"})
