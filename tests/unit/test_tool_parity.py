"""Our tools against mcp-atlassian 0.23.1's (the inventory table in ../shared/reference), and their context cost.

Parity: every tool of the inventory exists with the same toolset and the same parameter names; each parameter
accepts the type theirs takes (we may accept more, e.g. a JSON object as well as a JSON string); required ones
are required; reads are read-only and writes are not; Cloud-only tools are not offered on Data Center and the
Data-Center-only one not on Cloud. Any difference fails unless ALLOWED lists it with a reason.

Defaults: the inventory's table has none, so they come from mcp-atlassian's own tools/list, kept in
mcp_atlassian_defaults.json (written by tests/benchmarks/their_defaults.py). Each of their non-null defaults is
ours too, or theirs is the empty value (false, 0, "") and ours reads an omitted argument so, or DEFAULTS_DIFFER
says why not.

Budget: the model-visible part of the definitions (name, description, input schema; compact JSON) of all tools
stays under 40% of mcp-atlassian's 82 KB, and that of the default toolsets under 4,000 estimated tokens.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapter.manifest import ToolSpec, load_tools
from adapter.server import DEFAULT_TOOLSETS

INVENTORY = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "mcp-atlassian-inventory.md"
THEIR_VISIBLE_BYTES = 82_000  # reference §2.1 / §8: all 98 tools' name + description + input schema
ROW = re.compile(r"^\| (\d+) \| `(\w+)` \|")

# Differences from the inventory that are deliberate: (tool, what) -> why.
ALLOWED: dict[tuple[str, str], str] = {
    ("jira_get_service_desk_for_project", "cloud"): "offered on Cloud too: the JSM Cloud spec has the operation",
    ("jira_get_service_desk_queues", "cloud"): "offered on Cloud too: the JSM Cloud spec has queues",
    ("jira_get_queue_issues", "cloud"): "offered on Cloud too: the JSM Cloud spec has queue issues",
    ("jira_create_customer_request", "param attachments"): "uploads belong to jira_upload_attachment (one way each)",
    ("jira_create_customer_request", "destructiveHint"): "one additive POST: creates, never overwrites",
    ("jira_get_issue_sla", "param working_hours_only"): "JSM SLA durations already follow each SLA's calendar",
    ("jira_get_project_issues", "param page_token"): "Cloud's search pages only by token: without it no page 2",
    ("confluence_get_attachments", "param cursor"): "Cloud v2 pages attachments by cursor (next_cursor is returned)",
    ("confluence_get_page_children", "param expand"): "a Data Center v1 option; dropped for the context budget",
    ("confluence_get_page_children", "param include_folders"): "Cloud v2 direct children always include folders "
    "(marked by type); Data Center has none",
}

# Their defaults that ours does not share: (tool, parameter) -> why.
COMPACT_FIELDS = "a compact default field set (summary, status, type, priority, assignee, updated): ask for more"
DEFAULTS_DIFFER: dict[tuple[str, str], str] = {
    ("jira_get_issue", "fields"): COMPACT_FIELDS + "; description and comments come with the issue",
    ("jira_search", "fields"): COMPACT_FIELDS,
    ("jira_get_board_issues", "fields"): COMPACT_FIELDS,
    ("jira_get_sprint_issues", "fields"): COMPACT_FIELDS,
    ("jira_get_board_issues", "expand"): "'version' is no issue expansion Jira knows: it changes nothing",
    ("jira_update_issue", "return_fields"): "writes answer with a compact confirmation; return_fields asks for more",
    ("jira_batch_get_changelogs", "limit"): "100 histories unless asked (theirs: all); more is said, not cut silently",
    ("jira_get_project_epic_hierarchy", "max_epics"): "20 epics (at most 50): their children come in one search",
    ("jira_get_cross_project_dependencies", "max_issues"): "50 issues (at most 100): one search page, one call",
    ("confluence_copy_page", "copy_attachments"): "Data Center has no copy operation and cannot copy attachments, so "
    "one default cannot be true on both; Cloud copies them when asked",
    ("confluence_search_user", "group_name"): "Data Center searches all users with one CQL call unless a group is "
    "named; theirs lists confluence-users members",
    ("confluence_get_page_children", "expand"): ALLOWED[("confluence_get_page_children", "param expand")],
    ("confluence_get_page_children", "include_folders"): ALLOWED[("confluence_get_page_children",
                                                                 "param include_folders")],
}  # fmt: skip

# Tools of the inventory not built yet: tool -> why. Each entry is a known gap, reported in the issue notes.
NOT_YET: dict[str, str] = {}


@dataclass(frozen=True)
class Theirs:
    name: str
    toolset: str
    read: bool
    destructive: bool
    required: dict[str, str]
    optional: dict[str, str]
    cloud: bool  # offered on Cloud (not refused there)
    datacenter: bool


def _params(cell: str) -> dict[str, str]:
    return dict(part.strip().split(":", 1) for part in cell.split(",") if part.strip())


def inventory() -> dict[str, Theirs]:
    if not INVENTORY.exists():
        pytest.fail(f"{INVENTORY} is missing: the parity test needs ../shared beside the checkout")
    tools = {}
    for line in INVENTORY.read_text().splitlines():
        if not ROW.match(line):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        _, name, _, toolset, rw, required, optional, dc_calls, cloud_calls = cells[:9]
        tools[name.strip("`")] = Theirs(
            name=name.strip("`"),
            toolset=toolset,
            read=rw.startswith("R"),
            destructive="destructive" in rw,
            required=_params(required),
            optional=_params(optional),
            cloud=not cloud_calls.startswith("refused"),
            datacenter=not dc_calls.startswith("refused") and "Cloud only" not in line,
        )
    return tools


THEIRS = inventory()
OURS = {tool.name: tool for tool in load_tools() if tool.toolset != "catalog"}


def test_the_inventory_has_98_tools() -> None:
    assert len(THEIRS) == 98


def test_every_tool_is_built() -> None:
    missing = sorted(set(THEIRS) - set(OURS) - set(NOT_YET))
    assert not missing, f"{len(missing)} tools of mcp-atlassian missing: {missing}"
    assert not set(NOT_YET) & set(OURS), "built tools still listed in NOT_YET"


def differences(ours: ToolSpec, theirs: Theirs) -> list[tuple[str, str]]:
    found = []
    if ours.toolset != theirs.toolset:
        found.append(("toolset", f"{ours.toolset} != {theirs.toolset}"))
    schema = ours.input_schema()["properties"]
    required = set(ours.input_schema().get("required", []))
    for name, kind in {**theirs.required, **theirs.optional}.items():
        if name not in schema:
            found.append((f"param {name}", "missing"))
            continue
        accepted = [schema[name]["type"], *(["string"] if name in ours.json_params() else [])]  # JSON text parsed
        if kind not in accepted:
            found.append((f"param {name}", f"type {accepted} does not take {kind}"))
        if (name in theirs.required) != (name in required):
            found.append((f"param {name}", "required" if name in required else "optional"))
    for name in sorted(set(schema) - set(theirs.required) - set(theirs.optional)):
        found.append((f"param {name}", "not theirs"))
    if ours.annotations["readOnlyHint"] != theirs.read:
        found.append(("readOnlyHint", str(ours.annotations["readOnlyHint"])))
    if not theirs.read and ours.annotations.get("destructiveHint", False) != theirs.destructive:
        found.append(("destructiveHint", str(ours.annotations.get("destructiveHint"))))
    if ("cloud" in ours.bindings) != theirs.cloud:
        found.append(("cloud", "offered" if "cloud" in ours.bindings else "not offered"))
    if ("datacenter" in ours.bindings) != theirs.datacenter:
        found.append(("datacenter", "offered" if "datacenter" in ours.bindings else "not offered"))
    return found


@pytest.mark.parametrize("name", sorted(set(THEIRS) & set(OURS)))
def test_names_parameters_and_hints_match(name: str) -> None:
    unexplained = [
        f"{what}: {detail}" for what, detail in differences(OURS[name], THEIRS[name]) if (name, what) not in ALLOWED
    ]
    assert not unexplained, f"{name} differs from mcp-atlassian: {unexplained}"


def test_allow_list_has_no_stale_entries() -> None:
    real = {(n, what) for n in set(THEIRS) & set(OURS) for what, _ in differences(OURS[n], THEIRS[n])}
    stale = sorted(set(ALLOWED) - real)
    assert not stale, f"ALLOWED entries that no longer differ: {stale}"


def test_no_tool_of_ours_is_unknown_to_the_inventory() -> None:
    extra = sorted(set(OURS) - set(THEIRS) - {"jira_upload_attachment"})  # the upload tool they lack
    assert not extra, extra


def visible_bytes(tools: list[ToolSpec]) -> int:
    """What a model reads of each definition: name, description and input schema, as compact JSON."""
    return sum(
        len(
            json.dumps(
                {"name": t.name, "description": t.description, "inputSchema": t.input_schema()},
                separators=(",", ":"),
                ensure_ascii=False,
            ).encode()
        )
        for t in tools
    )


def test_all_tools_cost_under_40_percent_of_theirs() -> None:
    total = visible_bytes(list(OURS.values()))
    print(f"\nmodel-visible bytes, {len(OURS)} tools: {total} ({total / THEIR_VISIBLE_BYTES:.0%} of theirs)")
    assert total < 0.4 * THEIR_VISIBLE_BYTES


def test_default_toolsets_cost_under_4000_tokens() -> None:
    default = [t for t in OURS.values() if t.toolset in DEFAULT_TOOLSETS]
    tokens = visible_bytes(default) / 4
    print(f"\nmodel-visible ~tokens, default toolsets ({len(default)} tools): {tokens:.0f}")
    assert tokens < 4000


def test_defaults_match_theirs() -> None:
    snapshot = json.loads((Path(__file__).parent / "mcp_atlassian_defaults.json").read_text())
    assert snapshot["tools"] == len(THEIRS)
    differ = {}
    for tool, defaults in snapshot["defaults"].items():
        for name, theirs in defaults.items():
            ours = OURS[tool].input_schema()["properties"].get(name)
            if ours is None:
                differ[tool, name] = "no such parameter of ours"
            elif "default" in ours:
                if json.dumps(ours["default"]) != json.dumps(theirs):
                    differ[tool, name] = f"ours {ours['default']!r}, theirs {theirs!r}"
            elif json.dumps(theirs) not in ("false", "0", '""'):  # an omitted argument reads as the empty value
                differ[tool, name] = f"ours none, theirs {theirs!r}"
    unexplained = {k: v for k, v in differ.items() if k not in DEFAULTS_DIFFER}
    assert not unexplained, unexplained
    assert not set(DEFAULTS_DIFFER) - set(differ), "DEFAULTS_DIFFER lists defaults that now match"
