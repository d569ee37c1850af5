"""Tests for codegen.diff: synthetic specs for each kind of change, plus the real Jira 2022 -> 2026 diff."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest

from codegen.diff import (
    OperationRef,
    Parameter,
    ParameterTypeChange,
    Property,
    PropertyTypeChange,
    SpecDiff,
    diff_specs,
    render_markdown,
    type_string,
)

SPECS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "specs"
OLD_JIRA = SPECS_DIR / "history" / "jira-platform-2022-07.json"
NEW_JIRA = SPECS_DIR / "jira-platform.json"


def spec(
    paths: dict[str, Any] | None = None,
    schemas: dict[str, Any] | None = None,
    *,
    title: str = "Test API",
    version: str = "1.0.0",
    **components: Any,
) -> dict[str, Any]:
    """A minimal OpenAPI 3 document; extra keyword arguments become components sections."""
    return {
        "openapi": "3.0.1",
        "info": {"title": title, "version": version},
        "paths": paths or {},
        "components": {"schemas": schemas or {}, **components},
    }


def op(op_id: str, **extra: Any) -> dict[str, Any]:
    """A minimal operation object."""
    return {"operationId": op_id, "responses": {"200": {"description": "OK"}}, **extra}


def query(name: str, required: bool = False, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """A query parameter object."""
    return {"in": "query", "name": name, "required": required, "schema": schema or {"type": "string"}}


def only_change(diff: SpecDiff) -> Any:
    """The single changed operation of a diff; fails loudly if there is not exactly one."""
    assert len(diff.operations_changed) == 1, diff.operations_changed
    return diff.operations_changed[0]


# --------------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"paths": {}}, "missing 'openapi' key"),
        ({"swagger": "2.0", "paths": {}}, "Swagger 2.0"),
        ({"openapi": "2.0", "paths": {}}, "'openapi' is '2.0'"),
        ({"openapi": "3.0.1"}, "missing 'paths'"),
        ([], "expected a JSON object"),
    ],
)
def test_rejects_non_openapi3_documents_naming_the_bad_side(bad: Any, message: str) -> None:
    with pytest.raises(ValueError, match="new spec is not an OpenAPI 3 document") as new_err:
        diff_specs(spec(), bad)
    assert message in str(new_err.value)
    with pytest.raises(ValueError, match="old spec is not an OpenAPI 3 document"):
        diff_specs(bad, spec())


def test_accepts_openapi_31_and_specs_without_components() -> None:
    doc = {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {"/a": {"get": op("a")}}}
    diff = diff_specs(doc, doc)
    assert diff.is_empty
    assert diff.old.schema_count == 0
    assert diff.old.operation_count == 1


# --------------------------------------------------------------------------------------------------
# Operations
# --------------------------------------------------------------------------------------------------


def test_identical_specs_give_an_empty_diff() -> None:
    doc = spec({"/a": {"get": op("a", parameters=[query("q")])}}, {"A": {"type": "object"}})
    diff = diff_specs(doc, copy.deepcopy(doc))
    assert diff.is_empty
    assert diff.operations_changed == ()


def test_operations_added_and_removed_carry_method_path_and_operation_id() -> None:
    old = spec({"/a": {"get": op("getA"), "delete": op("deleteA")}})
    new = spec({"/a": {"get": op("getA")}, "/b/{id}": {"post": op("createB", summary="Create  a\nB")}})
    diff = diff_specs(old, new)
    assert diff.operations_added == (OperationRef("post", "/b/{id}", "createB"),)
    assert diff.operations_added[0].summary == "Create a B"
    assert diff.operations_added[0].label == "POST /b/{id}"
    assert diff.operations_removed == (OperationRef("delete", "/a", "deleteA"),)
    assert diff.operations_changed == ()
    assert (diff.old.operation_count, diff.new.operation_count) == (2, 2)


def test_path_parameter_rename_is_the_same_operation_and_operation_id_change_is_reported() -> None:
    path_param = {"in": "path", "name": "issueIdOrKey", "required": True, "schema": {"type": "string"}}
    renamed = {**path_param, "name": "issueKey"}
    old = spec({"/issue/{issueIdOrKey}": {"get": op("getIssue", parameters=[path_param])}})
    new = spec({"/issue/{issueKey}": {"get": op("fetchIssue", parameters=[renamed])}})
    diff = diff_specs(old, new)
    assert diff.operations_added == ()
    assert diff.operations_removed == ()
    change = only_change(diff)
    assert change.path_changed
    assert (change.old.path, change.new.path) == ("/issue/{issueIdOrKey}", "/issue/{issueKey}")
    assert change.operation_id_changed
    assert (change.old.operation_id, change.new.operation_id) == ("getIssue", "fetchIssue")
    # The renamed path parameter is the same parameter, not one removed and one added.
    assert change.parameters_added == ()
    assert change.parameters_removed == ()


def test_parameters_added_removed_and_required_flips() -> None:
    old = spec({"/a": {"get": op("a", parameters=[query("keep"), query("gone"), query("loose", True)])}})
    new = spec(
        {"/a": {"get": op("a", parameters=[query("keep", True), query("new"), query("loose"), query("must", True)])}}
    )
    change = only_change(diff_specs(old, new))
    assert change.parameters_added == (
        Parameter("query", "must", required=True, type="string"),
        Parameter("query", "new", required=False, type="string"),
    )
    assert change.parameters_removed == (Parameter("query", "gone", type="string"),)
    assert [p.name for p in change.parameters_now_required] == ["keep"]
    assert [p.name for p in change.parameters_now_optional] == ["loose"]


def test_path_parameters_count_as_required_even_without_the_flag() -> None:
    sloppy = {"in": "path", "name": "id", "schema": {"type": "string"}}
    old = spec({"/a/{id}": {"get": op("a", parameters=[sloppy])}})
    new = spec({"/a/{id}": {"get": op("a", parameters=[{**sloppy, "required": True}])}})
    assert diff_specs(old, new).is_empty


def test_paths_colliding_after_normalisation_are_both_kept() -> None:
    doc = spec({"/a/{x}": {"get": op("byX")}, "/a/{y}": {"get": op("byY")}})
    diff = diff_specs(spec(), doc)
    assert doc_ops(diff) == {"GET /a/{x}": "byX", "GET /a/{y}": "byY"}
    assert diff.new.operation_count == 2


def doc_ops(diff: SpecDiff) -> dict[str, str | None]:
    return {ref.label: ref.operation_id for ref in diff.operations_added}


def test_parameters_are_identified_by_location_and_name() -> None:
    header = {"in": "header", "name": "X", "schema": {"type": "string"}}
    old = spec({"/a": {"get": op("a", parameters=[query("X")])}})
    new = spec({"/a": {"get": op("a", parameters=[header])}})
    change = only_change(diff_specs(old, new))
    assert [(p.location, p.name) for p in change.parameters_added] == [("header", "X")]
    assert [(p.location, p.name) for p in change.parameters_removed] == [("query", "X")]


def test_parameter_type_change() -> None:
    old = spec({"/a": {"get": op("a", parameters=[query("from", schema={"type": "string", "format": "date-time"})])}})
    new = spec({"/a": {"get": op("a", parameters=[query("from")])}})
    change = only_change(diff_specs(old, new))
    assert change.parameters_type_changed == (ParameterTypeChange("query", "from", "string(date-time)", "string"),)


def test_ref_parameters_are_resolved_before_comparing() -> None:
    old = spec(
        {"/a": {"get": op("a", parameters=[{"$ref": "#/components/parameters/Q"}])}},
        parameters={"Q": query("q")},
    )
    same_inline = spec({"/a": {"get": op("a", parameters=[query("q")])}})
    assert diff_specs(old, same_inline).is_empty
    required_via_ref = spec(
        {"/a": {"get": op("a", parameters=[{"$ref": "#/components/parameters/Q2"}])}},
        parameters={"Q2": {"$ref": "#/components/parameters/Q"}, "Q": query("q", True)},
    )
    change = only_change(diff_specs(old, required_via_ref))
    assert [p.name for p in change.parameters_now_required] == ["q"]
    assert change.parameters_added == ()


def test_path_level_parameters_apply_to_every_operation_and_can_be_overridden() -> None:
    old = spec({"/a": {"get": op("getA"), "post": op("postA")}})
    new = spec(
        {
            "/a": {
                "parameters": [query("tenant")],
                "get": op("getA"),
                "post": op("postA", parameters=[query("tenant", True)]),
            }
        }
    )
    diff = diff_specs(old, new)
    assert len(diff.operations_changed) == 2
    get_change, post_change = diff.operations_changed
    assert get_change.new.method == "get"
    assert get_change.parameters_added == (Parameter("query", "tenant", False, "string"),)
    assert post_change.parameters_added == (Parameter("query", "tenant", True, "string"),)


def test_request_body_added_removed_and_required_flips() -> None:
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/In"}}}}
    old = spec(
        {
            "/add": {"post": op("add")},
            "/rm": {"post": op("rm", requestBody=body)},
            "/req": {"put": op("req", requestBody=body)},
            "/opt": {"put": op("opt", requestBody={**body, "required": True})},
        }
    )
    new = spec(
        {
            "/add": {"post": op("add", requestBody=body)},
            "/rm": {"post": op("rm")},
            "/req": {"put": op("req", requestBody={**body, "required": True})},
            "/opt": {"put": op("opt", requestBody=body)},
        }
    )
    changes = {c.new.operation_id: c for c in diff_specs(old, new).operations_changed}
    assert set(changes) == {"add", "rm", "req", "opt"}
    assert changes["add"].request_body_added and not changes["add"].request_body_removed
    assert changes["rm"].request_body_removed and not changes["rm"].request_body_added
    assert changes["req"].request_body_now_required and not changes["req"].request_body_now_optional
    assert changes["opt"].request_body_now_optional and not changes["opt"].request_body_now_required
    # A body that merely appears is "added", not also "now required".
    assert not changes["add"].request_body_now_required


def test_request_body_refs_are_resolved_and_type_change_is_reported() -> None:
    old = spec(
        {"/a": {"put": op("a", requestBody={"$ref": "#/components/requestBodies/Cols"})}},
        requestBodies={"Cols": {"content": {"*/*": {"schema": {"type": "array", "items": {"type": "string"}}}}}},
    )
    inline = spec(
        {
            "/a": {
                "put": op(
                    "a",
                    requestBody={"content": {"*/*": {"schema": {"type": "array", "items": {"type": "string"}}}}},
                )
            }
        }
    )
    assert diff_specs(old, inline).is_empty
    new = spec(
        {"/a": {"put": op("a", requestBody={"$ref": "#/components/requestBodies/Cols"})}},
        requestBodies={
            "Cols": {
                "required": True,
                "content": {
                    "*/*": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"$ref": "#/components/schemas/ColumnRequestBody"}},
                },
            }
        },
    )
    change = only_change(diff_specs(old, new))
    assert change.request_body_now_required
    assert change.request_body_type_change == ("array<string>", "$ref:ColumnRequestBody")


def test_deprecation_changes() -> None:
    old = spec(
        {
            "/a": {"get": op("a")},
            "/b": {"get": op("b", deprecated=True)},
            "/c": {"get": op("c", deprecated=True)},
        }
    )
    new = spec(
        {
            "/a": {"get": op("a", deprecated=True)},
            "/b": {"get": op("b")},
            "/c": {"get": op("c", deprecated=True)},
        }
    )
    changes = {c.new.operation_id: c for c in diff_specs(old, new).operations_changed}
    assert set(changes) == {"a", "b"}
    assert changes["a"].newly_deprecated and not changes["a"].no_longer_deprecated
    assert changes["b"].no_longer_deprecated and not changes["b"].newly_deprecated


# --------------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string"}, "string"),
        ({"type": "string", "format": "date-time", "description": "ignored"}, "string(date-time)"),
        ({"type": "array", "items": {"$ref": "#/components/schemas/IssueBean"}}, "array<IssueBean>"),
        ({"type": "array", "items": {"type": "integer", "format": "int64"}}, "array<integer(int64)>"),
        ({"$ref": "#/components/schemas/Foo"}, "$ref:Foo"),
        ({"allOf": [{"$ref": "#/components/schemas/Foo"}], "readOnly": True}, "$ref:Foo"),
        ({"oneOf": [{"$ref": "#/components/schemas/A"}, {"type": "string"}]}, "oneOf<A,string>"),
        ({"type": "object", "additionalProperties": {"type": "string"}}, "map<string>"),
        ({"type": "object", "additionalProperties": False, "properties": {}}, "object"),
        ({"description": "no type"}, "any"),
        ({"type": ["string", "null"]}, "null|string"),
        (None, "any"),
    ],
)
def test_type_string(schema: Any, expected: str) -> None:
    assert type_string(schema) == expected


def test_schemas_added_removed_and_property_changes() -> None:
    old = spec(
        schemas={
            "Gone": {"type": "object"},
            "Issue": {
                "type": "object",
                "required": ["id", "key"],
                "properties": {
                    "id": {"type": "string"},
                    "key": {"type": "string"},
                    "created": {"type": "string", "format": "date-time"},
                    "old": {"type": "integer"},
                    "fields": {"type": "array", "items": {"$ref": "#/components/schemas/Field"}},
                },
            },
            "Same": {"type": "object", "properties": {"x": {"type": "string", "description": "v1"}}},
        }
    )
    new = spec(
        schemas={
            "Added": {"type": "object"},
            "Issue": {
                "type": "object",
                "required": ["id", "created", "extra"],
                "properties": {
                    "id": {"type": "string"},
                    "key": {"type": "string"},
                    "created": {"type": "string"},
                    "extra": {"$ref": "#/components/schemas/Extra"},
                    "fields": {"type": "array", "items": {"$ref": "#/components/schemas/FieldV2"}},
                },
            },
            "Same": {"type": "object", "properties": {"x": {"type": "string", "description": "v2"}}},
        }
    )
    diff = diff_specs(old, new)
    assert diff.schemas_added == ("Added",)
    assert diff.schemas_removed == ("Gone",)
    assert [c.name for c in diff.schemas_changed] == ["Issue"]
    issue = diff.schemas_changed[0]
    assert issue.properties_added == (Property("extra", "$ref:Extra", required=True),)
    assert issue.properties_removed == (Property("old", "integer", required=False),)
    assert issue.properties_type_changed == (
        PropertyTypeChange("created", "string(date-time)", "string"),
        PropertyTypeChange("fields", "array<Field>", "array<FieldV2>"),
    )
    assert issue.properties_now_required == ("created",)
    assert issue.properties_now_optional == ("key",)
    assert issue.kind_change is None


def test_schema_kind_change() -> None:
    diff = diff_specs(spec(schemas={"S": {"type": "string"}}), spec(schemas={"S": {"type": "integer"}}))
    assert diff.schemas_changed[0].kind_change == ("string", "integer")


def test_all_of_members_are_merged_including_referenced_bases() -> None:
    base_old = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
    base_new = {**base_old, "properties": {"id": {"type": "string"}, "self": {"type": "string"}}}
    derived_old = {
        "allOf": [
            {"$ref": "#/components/schemas/Base"},
            {"type": "object", "properties": {"name": {"type": "string"}}},
        ]
    }
    derived_new = {
        "allOf": [
            {"$ref": "#/components/schemas/Base"},
            {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
        ]
    }
    diff = diff_specs(
        spec(schemas={"Base": base_old, "Derived": derived_old}),
        spec(schemas={"Base": base_new, "Derived": derived_new}),
    )
    changes = {c.name: c for c in diff.schemas_changed}
    assert set(changes) == {"Base", "Derived"}
    # Base's new property shows up in Derived too: SDK users of Derived see it.
    assert changes["Derived"].properties_added == (Property("self", "string"),)
    assert changes["Derived"].properties_now_required == ("name",)
    # Nothing from Base is reported as removed (the $ref member was followed in both versions).
    assert changes["Derived"].properties_removed == ()


def test_cyclic_all_of_references_terminate() -> None:
    cyclic: dict[str, Any] = {
        "A": {"allOf": [{"$ref": "#/components/schemas/B"}], "properties": {"a": {"type": "string"}}},
        "B": {"allOf": [{"$ref": "#/components/schemas/A"}], "properties": {"b": {"type": "string"}}},
    }
    grown = copy.deepcopy(cyclic)
    grown["B"]["properties"]["c"] = {"type": "integer"}
    diff = diff_specs(spec(schemas=cyclic), spec(schemas=grown))
    assert {c.name: [p.name for p in c.properties_added] for c in diff.schemas_changed} == {
        "A": ["c"],
        "B": ["c"],
    }


# --------------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------------

SECTIONS = [
    "## Operations added",
    "## Operations removed",
    "## Operations changed",
    "## Schemas added",
    "## Schemas removed",
    "## Schemas changed",
]


def section(markdown: str, title: str) -> str:
    """Body of one ``##`` section."""
    start = markdown.index(f"## {title}\n") + len(title) + 4
    end = markdown.find("\n## ", start)
    return markdown[start : end if end != -1 else None].strip()


def test_markdown_empty_sections_say_none_and_header_shows_titles_and_versions() -> None:
    old = spec(title="Old API", version="1.0")
    new = spec(title="New | API", version="2.0")
    md = render_markdown(diff_specs(old, new), "v1", "v2")
    assert md.startswith("# API changes: v1 → v2\n")
    assert "| Title | Old API | New \\| API |" in md
    assert "| Version | 1.0 | 2.0 |" in md
    positions = [md.index(s + "\n") for s in SECTIONS]
    assert positions == sorted(positions)
    for title in SECTIONS:
        assert section(md, title.removeprefix("## ")) == "none"


def test_markdown_sorted_by_path_then_method_with_summary_counts() -> None:
    new = spec(
        {
            "/b": {"post": op("postB"), "get": op("getB")},
            "/a/{id}": {"delete": op("deleteA"), "get": op("getA", summary="Get A")},
            "/c": {"get": op("getC", deprecated=True, parameters=[query("q", True)])},
        },
        {"Zeta": {"type": "object"}, "Alpha": {"type": "object"}},
    )
    old = spec({"/c": {"get": op("getC")}, "/gone": {"put": op("putGone")}}, {"Old": {"type": "object"}})
    diff = diff_specs(old, new)
    md = render_markdown(diff, "old", "new")
    assert section(md, "Operations added").splitlines() == [
        "- `GET /a/{id}` (`getA`) — Get A",
        "- `DELETE /a/{id}` (`deleteA`)",
        "- `GET /b` (`getB`)",
        "- `POST /b` (`postB`)",
    ]
    assert section(md, "Operations removed") == "- `PUT /gone` (`putGone`)"
    assert section(md, "Operations changed").splitlines() == [
        "- `GET /c` (`getC`)",
        "  - now deprecated",
        "  - parameter added: `q` (query) **required**",
    ]
    assert section(md, "Schemas added").splitlines() == ["- `Alpha`", "- `Zeta`"]
    assert section(md, "Schemas removed") == "- `Old`"
    assert "| Operations added | 4 |" in md
    assert "| Operations removed | 1 |" in md
    assert "| Operations changed | 1 |" in md
    assert "| Schemas added | 2 |" in md
    assert "| Operations | 2 | 5 |" in md
    # Deterministic regardless of input key order.
    shuffled = spec(
        dict(reversed(list(new["paths"].items()))), dict(reversed(list(new["components"]["schemas"].items())))
    )
    assert render_markdown(diff_specs(old, shuffled), "old", "new") == md


def test_markdown_lists_operation_and_schema_details() -> None:
    old = spec(
        {"/i/{a}": {"put": op("x", parameters=[query("p", schema={"type": "integer"})])}},
        {"S": {"type": "object", "properties": {"gone": {"type": "string"}, "t": {"type": "string"}}}},
    )
    new = spec(
        {"/i/{b}": {"put": op("y", parameters=[query("p")], requestBody={"content": {}, "required": True})}},
        {"S": {"type": "object", "required": ["t"], "properties": {"t": {"type": "integer"}}}},
    )
    md = render_markdown(diff_specs(old, new), "old", "new")
    assert section(md, "Operations changed").splitlines() == [
        "- `PUT /i/{b}` (`y`)",
        "  - path: `/i/{a}` → `/i/{b}`",
        "  - operationId: `x` → `y`",
        "  - parameter type changed: `p` (query) `integer` → `string`",
        "  - request body added",
    ]
    assert section(md, "Schemas changed").splitlines() == [
        "- `S`",
        "  - property removed: `gone` (`string`)",
        "  - property type changed: `t` `string` → `integer`",
        "  - property now required: `t`",
    ]


# --------------------------------------------------------------------------------------------------
# Real Jira specs (2022-07 -> current)
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jira() -> tuple[dict[str, Any], dict[str, Any]]:
    assert OLD_JIRA.exists() and NEW_JIRA.exists(), f"Jira specs not found under {SPECS_DIR} (../shared/specs)"
    return json.loads(OLD_JIRA.read_text()), json.loads(NEW_JIRA.read_text())


@pytest.fixture(scope="module")
def jira_diff(jira: tuple[dict[str, Any], dict[str, Any]]) -> SpecDiff:
    return diff_specs(*jira)


def labels(refs: tuple[OperationRef, ...]) -> dict[str, str | None]:
    return {ref.label: ref.operation_id for ref in refs}


def test_jira_counts_are_consistent(jira_diff: SpecDiff) -> None:
    assert (jira_diff.old.operation_count, jira_diff.new.operation_count) == (468, 616)
    # No path in either file collides after normalisation, so the arithmetic must hold exactly.
    assert len(jira_diff.operations_added) - len(jira_diff.operations_removed) == 616 - 468
    assert (len(jira_diff.operations_added), len(jira_diff.operations_removed)) == (157, 9)
    assert (jira_diff.old.schema_count, jira_diff.new.schema_count) == (517, 970)
    assert len(jira_diff.schemas_added) - len(jira_diff.schemas_removed) == 970 - 517
    assert (len(jira_diff.schemas_added), len(jira_diff.schemas_removed)) == (464, 11)


def test_jira_operations_added_and_removed(jira_diff: SpecDiff) -> None:
    added, removed = labels(jira_diff.operations_added), labels(jira_diff.operations_removed)
    # Enhanced JQL search (nextPageToken paging) replaced the old offset-based /search.
    assert added["GET /rest/api/3/search/jql"] == "searchAndReconsileIssuesUsingJql"
    assert added["POST /rest/api/3/search/jql"] == "searchAndReconsileIssuesUsingJqlPost"
    assert added["POST /rest/api/3/bulk/issues/delete"] == "submitBulkDelete"
    assert removed["GET /rest/api/3/workflow"] == "getAllWorkflows"
    assert removed["GET /rest/api/3/filter"] == "getFilters"
    assert removed["PUT /rest/api/3/project/{projectIdOrKey}/type/{newProjectTypeKey}"] == "updateProjectType"
    assert "GET /rest/api/3/search" not in added and "GET /rest/api/3/search" not in removed


def test_jira_operations_changed(jira_diff: SpecDiff) -> None:
    changed = {c.new.label: c for c in jira_diff.operations_changed}
    get_issue = changed["GET /rest/api/3/issue/{issueIdOrKey}"]
    assert [(p.location, p.name) for p in get_issue.parameters_added] == [("query", "failFast")]
    assert changed["GET /rest/api/3/search"].newly_deprecated
    assert [p.name for p in changed["POST /rest/api/3/jql/parse"].parameters_now_required] == ["validation"]
    columns = changed["PUT /rest/api/3/filter/{id}/columns"]
    assert columns.request_body_now_required
    assert columns.request_body_type_change == ("array<string>", "$ref:ColumnRequestBody")
    assert ParameterTypeChange("query", "from", "string(date-time)", "string") in (
        changed["GET /rest/api/3/auditing/record"].parameters_type_changed
    )
    # Kept operations never change operationId or path-parameter names between these two files.
    assert not any(c.operation_id_changed or c.path_changed for c in jira_diff.operations_changed)


def test_jira_schemas(jira_diff: SpecDiff) -> None:
    assert "SearchAndReconcileRequestBean" in jira_diff.schemas_added
    assert "DeprecatedWorkflow" in jira_diff.schemas_removed
    changed = {c.name: c for c in jira_diff.schemas_changed}
    assert Property("approvers", "array<VersionApprover>") in changed["Version"].properties_added
    assert changed["JiraStatus"].properties_removed == (Property("usages", "array<ProjectIssueTypes>"),)
    assert (
        PropertyTypeChange("conditions", "array<ConnectWorkflowTransitionRule>", "array<AppWorkflowTransitionRule>")
        in changed["WorkflowTransitionRules"].properties_type_changed
    )


def test_jira_diff_is_fast_and_renders(jira: tuple[dict[str, Any], dict[str, Any]]) -> None:
    start = time.perf_counter()
    diff = diff_specs(*jira)
    md = render_markdown(diff, "2022-07", "current")
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"diff + render took {elapsed:.2f}s"
    assert "| Version | 1001.0.0-SNAPSHOT | 1001.0.0-SNAPSHOT-" in md
    assert "- `GET /rest/api/3/search/jql` (`searchAndReconsileIssuesUsingJql`)" in section(md, "Operations added")
    assert "| Operations added | 157 |" in md
