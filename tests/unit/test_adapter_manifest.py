"""Manifests: the shipped ones load; each kind of mistake is a start-up error naming file, tool and field."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from adapter.manifest import ManifestError, load_tools
from codegen import manifest_model

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "adapter/manifests/manifest.schema.json").read_text())

ISSUE_TOOLS = ("jira_get_issue", "jira_search", "jira_create_issue", "jira_update_issue", "jira_transition_issue")
ALL_TOOLS = (*ISSUE_TOOLS, "jira_add_comment", "confluence_search", "confluence_get_page", "confluence_create_page",
             "confluence_update_page")  # fmt: skip


def write(tmp_path: Path, tools: list[dict[str, object]]) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({"tools": tools}))
    return path


def tool(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "name": "jira_get_server_info",
        "toolset": "jira_issues",
        "product": "jira",
        "description": "Server info.",
        "cloud": {"operation": "jira-platform/getServerInfo"},
        "view": "jira_issue_ref",
    }
    base.update(overrides)
    return base


def test_shipped_manifests_load_and_validate_against_the_schema() -> None:
    tools = {t.name: t for t in load_tools()}
    assert set(ALL_TOOLS) <= set(tools)
    for name in ("jira.yaml", "confluence.yaml"):
        data = yaml.safe_load((Path(__file__).resolve().parents[2] / "adapter/manifests" / name).read_text())
        jsonschema.validate(data, SCHEMA)
    get_issue = tools["jira_get_issue"]
    assert get_issue.annotations["readOnlyHint"] is True and get_issue.annotations["idempotentHint"] is True
    assert tools["jira_create_issue"].annotations == {
        "readOnlyHint": False, "destructiveHint": False, "idempotentHint": False, "openWorldHint": True
    }  # fmt: skip
    assert tools["confluence_update_page"].annotations["destructiveHint"] is True
    assert set(get_issue.bindings) == {"cloud", "datacenter"}
    assert get_issue.input_schema()["required"] == ["issue_key"]


def test_manifest_model_is_current() -> None:
    assert manifest_model.is_current(), "run `python -m codegen manifest-model`"


def test_a_user_manifest_exposes_any_operation(tmp_path: Path) -> None:
    path = write(tmp_path, [tool()])
    tools = {t.name: t for t in load_tools([path])}
    assert tools["jira_get_server_info"].operations("cloud")[0].method == "GET"
    assert tools["jira_get_server_info"].source == str(path)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"cloud": {"operation": "jira-platform/noSuchOperation"}}, "cloud.operation: operation 'noSuchOperation'"),
        ({"cloud": {"operation": "nope-api/getIssue"}}, "cloud.operation: unknown API"),
        ({"cloud": {"operation": "jira-platform/getIssue"}}, "required parameter 'issueIdOrKey'"),
        (
            {"parameters": {"key": {"type": "object"}}, "cloud": {"operation": "jira-platform/getIssue",
                                                                  "arguments": {"issueIdOrKey": "key"}}},
            "cloud.arguments.issueIdOrKey: a object parameter does not fit type string",
        ),
        (
            {"parameters": {"key": {"type": "string"}}, "cloud": {"operation": "jira-platform/getIssue",
                                                                  "arguments": {"issueIdOrKey": "nokey"}}},
            "unknown tool parameter 'nokey'",
        ),
        ({"cloud": {"operation": "jira-platform/createIssue"}}, "needs a request body"),
        ({"cloud": {"operation": "confluence-v2/getPages"}}, "is not a jira API"),
        ({"cloud": {"operation": "jira-dc/getServerInfo"}}, "is not a cloud API"),
        ({"view": "nope"}, "view: unknown view 'nope'"),
        ({"cloud": {"handler": "nope", "uses": ["jira-platform/getServerInfo"]}}, "unknown handler 'nope'"),
        ({"parameters": {"unused": {"type": "string"}}}, "parameters: unused not mapped"),
        ({"cloud": None}, "needs a binding for at least one deployment"),
    ],
)  # fmt: skip
def test_mistakes_name_file_tool_and_field(tmp_path: Path, overrides: dict[str, object], message: str) -> None:
    entry = {k: v for k, v in tool(**overrides).items() if v is not None}
    path = write(tmp_path, [entry])
    with pytest.raises(ManifestError) as caught:
        load_tools([path])
    assert str(caught.value).startswith(f"{path}: tool jira_get_server_info: ")
    assert message in str(caught.value)


def test_duplicate_names_and_schema_errors(tmp_path: Path) -> None:
    path = write(tmp_path, [tool(), tool()])
    with pytest.raises(ManifestError, match="defined twice in this file"):
        load_tools([path])
    path = write(tmp_path, [tool(name="Bad Name")])
    with pytest.raises(ManifestError, match=r"mine.yaml: tools.0.name: String should match pattern"):
        load_tools([path])
    path.write_text("tools: [")
    with pytest.raises(ManifestError, match="invalid YAML"):
        load_tools([path])
    with pytest.raises(ManifestError, match="cannot read"):
        load_tools([tmp_path / "missing.yaml"])


def test_readme_manifest_example_loads(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    example = re.findall(r"```yaml\n(.*?)```", readme, flags=re.S)[0]
    path = tmp_path / "readme.yaml"
    path.write_text(example)
    tools = {t.name: t for t in load_tools([path])}
    assert set(tools["jira_get_server_info"].bindings) == {"cloud", "datacenter"}
