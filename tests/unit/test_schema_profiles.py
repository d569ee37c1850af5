"""Every listed tool's input schema, per schema profile, against the documented rules of the providers behind it.

`default` must fit what OpenAI (function calling, non-strict), Anthropic and Gemini (JSON Schema parameters) all
take; `gemini` Gemini's OpenAPI subset (`FunctionDeclaration.parameters`); `openai-strict` OpenAI's strict mode.
Each rule names the page that states it. Checked for all tools (TOOLSETS=all) on Cloud and on Data Center, so a new
tool cannot break a provider silently. The server validates every call against the default schema, whatever it shows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from adapter.cli import sandbox_overrides
from adapter.config import ConfigError, load_settings
from adapter.manifest import load_tools
from adapter.sandbox.app import create_app
from adapter.schema_profiles import PROFILES, publish
from adapter.server import AtlassianServer

TOOLS = load_tools()
FLAVORS = ("cloud", "datacenter")
Node = dict[str, Any]
Violation = tuple[str, str]  # (rule, where)

# Documentation the rules come from.
OPENAI_FUNCTIONS = "https://platform.openai.com/docs/guides/function-calling#defining-functions"
OPENAI_STRICT = "https://platform.openai.com/docs/guides/structured-outputs#supported-schemas"
ANTHROPIC_TOOLS = "https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use"
GEMINI_FUNCTIONS = "https://ai.google.dev/gemini-api/docs/function-calling#function_declarations"
GEMINI_SCHEMA = "https://ai.google.dev/api/caching#Schema"
GEMINI_JSON_SCHEMA = "https://ai.google.dev/gemini-api/docs/structured-output#json-schema"

JSON_TYPES = {"string", "number", "integer", "boolean", "array", "object"}
# Keywords all three take: Gemini's Schema fields (GEMINI_SCHEMA) plus additionalProperties, which Gemini's JSON Schema
# support lists (GEMINI_JSON_SCHEMA); OpenAI (OPENAI_FUNCTIONS) and Anthropic (ANTHROPIC_TOOLS) take JSON Schema.
COMMON_KEYWORDS = {"type", "description", "properties", "required", "items", "enum", "default", "minimum", "maximum",
                   "additionalProperties"}  # fmt: skip
# Gemini's Schema object, field by field (GEMINI_SCHEMA): no additionalProperties, $schema, const, oneOf, allOf, $ref.
GEMINI_KEYWORDS = {"type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems", "properties",
                   "required", "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example",
                   "anyOf", "propertyOrdering", "default", "items", "minimum", "maximum"}  # fmt: skip
# OpenAI strict mode's supported keywords (OPENAI_STRICT, "Supported properties"; `default` is not one of them).
STRICT_KEYWORDS = {"type", "description", "title", "properties", "required", "additionalProperties", "items", "enum",
                   "const", "anyOf", "$ref", "$defs", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
                   "exclusiveMaximum", "multipleOf", "minItems", "maxItems"}  # fmt: skip


def nodes(schema: Node, path: str = "", described: bool = False) -> Iterator[tuple[str, Node, bool]]:
    """Every subschema with its path, and whether it or the property holding it is described."""
    described = described or bool(schema.get("description"))
    yield path or "/", schema, described
    for name, sub in (schema.get("properties") or {}).items():
        yield from nodes(sub, f"{path}/{name}")
    if isinstance(schema.get("items"), dict):
        yield from nodes(schema["items"], f"{path}/items", described)
    for index, sub in enumerate(schema.get("anyOf", [])):
        yield from nodes(sub, f"{path}/anyOf/{index}", described)


def depth(schema: Node) -> int:
    inner = [*(schema.get("properties") or {}).values(), *([schema["items"]] if "items" in schema else [])]
    return 1 + max((depth(sub) for sub in inner if isinstance(sub, dict)), default=0)


Rule = Callable[[dict[str, Any]], list[Violation]]


def per_node(rule: str, bad: Callable[[Node, bool], bool]) -> Rule:
    def check(tool: dict[str, Any]) -> list[Violation]:
        return [(rule, path) for path, node, described in nodes(tool["inputSchema"]) if bad(node, described)]

    return check


def root(rule: str, bad: Callable[[dict[str, Any]], bool]) -> Rule:
    return lambda tool: [(rule, "/")] if bad(tool) else []


def single_type(node: Node, _: bool) -> bool:
    return not isinstance(node.get("type"), str) or node["type"] not in JSON_TYPES


def typed(node: Node) -> set[str]:
    kind = node.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()


def enum_of_strings(node: Node, _: bool) -> bool:
    return "enum" in node and (node.get("type") != "string" or not all(isinstance(v, str) for v in node["enum"]))


def unknown_keywords(allowed: set[str]) -> Callable[[Node, bool], bool]:
    return lambda node, _: bool(set(node) - allowed)


def empty_properties(node: Node, _: bool) -> bool:
    return "properties" in node and not node["properties"]


def required_undeclared(node: Node, _: bool) -> bool:
    return bool(set(node.get("required", [])) - set(node.get("properties") or {}))


TOP_LEVEL_COMBINATORS = ("anyOf", "oneOf", "allOf", "not", "enum")
NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_-]{0,63}$")
COMMON_RULES: list[Rule] = [
    # ANTHROPIC_TOOLS, OPENAI_FUNCTIONS: names match ^[a-zA-Z0-9_-]{1,64}$; GEMINI_FUNCTIONS: a letter or _ first
    root("name", lambda t: not NAME.match(t["name"])),
    # GEMINI_FUNCTIONS: a function declaration has a description (the model picks tools by it)
    root("description", lambda t: not t.get("description", "").strip()),
    # OPENAI_FUNCTIONS / ANTHROPIC_TOOLS: parameters (input_schema) is an object schema, no anyOf/oneOf/allOf at the top
    root(
        "root-object",
        lambda t: t["inputSchema"].get("type") != "object" or any(k in t["inputSchema"] for k in TOP_LEVEL_COMBINATORS),
    ),  # fmt: skip
    # OPENAI_FUNCTIONS: an array schema must have `items` (a function with one is refused)
    per_node("array-items", lambda n, _: n.get("type") == "array" and not isinstance(n.get("items"), dict)),
    # GEMINI_SCHEMA: `type` is one Type, never a list (no type unions)
    per_node("single-type", single_type),
    # GEMINI_SCHEMA: `enum` is for STRING values
    per_node("enum-strings", enum_of_strings),
    # GEMINI_SCHEMA + GEMINI_JSON_SCHEMA: only keywords every provider knows
    per_node("keywords", unknown_keywords(COMMON_KEYWORDS)),
    # Only `additionalProperties: false` (a closed object), never a schema: Gemini's subset has no schema form
    per_node("closed-only", lambda n, _: "additionalProperties" in n and n["additionalProperties"] is not False),
    # A free-form object (no properties) says what goes in it: the model has nothing else to go by
    per_node("free-form-described", lambda n, d: n.get("type") == "object" and not n.get("properties") and not d),
    # GEMINI_SCHEMA (properties of Type.OBJECT): an empty map is refused ("should be non-empty for OBJECT type")
    per_node("properties-non-empty", empty_properties),
    # GEMINI_SCHEMA: required names declared properties
    per_node("required-declared", required_undeclared),
]
GEMINI_RULES: list[Rule] = [
    *COMMON_RULES[:4],  # name, description, root object, array items (GEMINI_SCHEMA: items of Type.ARRAY)
    per_node("single-type", single_type),  # GEMINI_SCHEMA: one Type
    per_node("enum-strings", enum_of_strings),  # GEMINI_SCHEMA: enum for STRING
    per_node("keywords", unknown_keywords(GEMINI_KEYWORDS)),  # GEMINI_SCHEMA: the Schema's fields, no others
    # GEMINI_SCHEMA: an OBJECT declares its properties; without them Gemini answers "properties: should be non-empty
    # for OBJECT type" (https://github.com/agno-agi/agno/issues/2112), so free-form objects go as JSON strings
    per_node("object-properties", lambda n, _: n.get("type") == "object" and not n.get("properties")),
    per_node("required-declared", required_undeclared),  # GEMINI_SCHEMA
    # anyOf beside other keys is refused (https://github.com/sooperset/mcp-atlassian/issues/401)
    per_node("anyOf-alone", lambda n, _: "anyOf" in n and bool(set(n) - {"anyOf", "description"})),
]


def strict_type(node: Node, _: bool) -> bool:
    """OPENAI_STRICT: a supported type, or a union with null for an optional field ("type": ["string", "null"])."""
    kinds = typed(node)
    if "anyOf" in node and not kinds:
        return False
    return not kinds or not kinds - {"null"} <= JSON_TYPES or len(kinds - {"null"}) != 1


def strict_enum(node: Node, _: bool) -> bool:
    """OPENAI_STRICT: enum values of the declared type (an optional enum lists null too)."""
    names = {str: "string", bool: "boolean", int: "integer", float: "number", type(None): "null"}
    return "enum" in node and any(names[type(v)] not in typed(node) for v in node["enum"])


def strict_object(node: Node, _: bool) -> bool:
    """OPENAI_STRICT: every object has properties, all of them required, and additionalProperties: false."""
    if "object" not in typed(node):
        return False
    props = node.get("properties")
    return not props or node.get("additionalProperties") is not False or set(node.get("required", [])) != set(props)


def strict_limits(tool: dict[str, Any]) -> bool:
    """OPENAI_STRICT ("Objects have limitations on nesting depth and size"): at most 5,000 properties, 10 levels of
    nesting, 1,000 enum values, 120,000 characters of property names and enum values."""
    found = list(nodes(tool["inputSchema"]))
    props = [name for _, n, _ in found for name in (n.get("properties") or {})]
    enums = [v for _, n, _ in found for v in n.get("enum", [])]
    text = sum(map(len, props)) + sum(len(str(v)) for v in enums)
    return len(props) > 5000 or depth(tool["inputSchema"]) > 10 or len(enums) > 1000 or text > 120_000


STRICT_RULES: list[Rule] = [
    COMMON_RULES[0],  # name (OPENAI_FUNCTIONS)
    # OPENAI_STRICT: the root is an object and not anyOf
    root("root-object", lambda t: t["inputSchema"].get("type") != "object" or "anyOf" in t["inputSchema"]),
    per_node("keywords", unknown_keywords(STRICT_KEYWORDS)),  # OPENAI_STRICT: supported properties only, no default
    per_node("type", strict_type),
    per_node("enum-type", strict_enum),
    per_node("closed-required", strict_object),
    per_node("array-items", lambda n, _: "array" in typed(n) and not isinstance(n.get("items"), dict)),
    root("limits", strict_limits),
]
RULES = {"default": COMMON_RULES, "gemini": GEMINI_RULES, "openai-strict": STRICT_RULES}


def violations(tools: list[dict[str, Any]], profile: str) -> list[str]:
    return [f"{t['name']}{where}: {rule}" for t in tools for check in RULES[profile] for rule, where in check(t)]


def server(flavor: str, profile: str, **extra: str) -> AtlassianServer:
    settings = load_settings(
        {**sandbox_overrides(flavor), "TOOLSETS": "all"},
        environ={"ATLASSIAN_MCP_SCHEMA_PROFILE": profile, **extra},
        read_dotenv=False,
    )
    return AtlassianServer(settings, TOOLS, httpx.ASGITransport(create_app(flavor)))  # type: ignore[arg-type]


def listed(flavor: str, profile: str) -> list[dict[str, Any]]:
    return [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in server(flavor, profile).list_tools()]


@pytest.mark.parametrize("flavor", FLAVORS)
@pytest.mark.parametrize("profile", PROFILES)
def test_every_listed_tool_follows_the_provider_rules(profile: str, flavor: str) -> None:
    tools = listed(flavor, profile)
    assert len(tools) == len([t for t in TOOLS if flavor in t.bindings and t.toolset != "catalog"])
    found = violations(tools, profile)
    print(f"\n{profile} on {flavor}: {len(found)} violations across {len(tools)} tools")
    assert not found, found


BROKEN: dict[str, Any] = {
    "name": "9 bad name",
    "description": "",
    "inputSchema": {
        "type": "object",
        "anyOf": [{"required": ["a"]}],
        "additionalProperties": {"type": "string"},
        "properties": {
            "a": {"type": "array"},
            "b": {"type": ["object", "string"]},
            "c": {"type": "integer", "enum": [1, 2], "default": 1},
            "d": {"type": "object"},
            "e": {"type": "object", "properties": {}, "required": ["x"], "const": 1},
            "f": {"type": "string", "anyOf": [{"type": "string"}]},
            "g": {"type": "object", "properties": {"h": {"type": "string"}}},
            "i": {"type": "string", "enum": ["x", None]},
            "deep": {
                "type": "object",
                "properties": {
                    "l": {
                        "type": "array",
                        "items": {
                            "type": "array",
                            "items": {
                                "type": "array",
                                "items": {
                                    "type": "array",
                                    "items": {
                                        "type": "array",
                                        "items": {
                                            "type": "array",
                                            "items": {
                                                "type": "array",
                                                "items": {"type": "array", "items": {"type": "string"}},
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    }
                },
            },
        },  # fmt: skip
    },
}


@pytest.mark.parametrize("profile", PROFILES)
def test_each_rule_finds_what_it_forbids(profile: str) -> None:
    fired = {line.split(": ")[-1] for line in violations([BROKEN], profile)}
    rules = {rule for check in RULES[profile] for rule, _ in check(BROKEN)}
    assert fired == rules and len(rules) == len(RULES[profile]), sorted(fired)


def test_default_is_the_schema_the_server_validates() -> None:
    for tool in TOOLS:
        assert publish(tool.input_schema(), "default", tool.json_params()) == tool.input_schema()


def test_picky_profiles_publish_free_form_objects_as_json_strings() -> None:
    by_name = {t["name"]: t["inputSchema"] for t in listed("cloud", "openai-strict")}
    assert by_name["jira_create_issue"]["properties"]["additional_fields"]["type"] == ["string", "null"]
    assert by_name["jira_add_comment"]["properties"]["visibility"]["properties"]["type"]["enum"] == [
        "group", "role", None]  # fmt: skip
    limit = by_name["jira_search"]["properties"]["limit"]
    assert "default" not in limit and "Default: 10." in limit["description"]
    gemini = {t["name"]: t["inputSchema"] for t in listed("cloud", "gemini")}
    assert gemini["jira_batch_create_issues"]["properties"]["issues"]["type"] == "string"
    assert not any("additionalProperties" in json.dumps(schema) for schema in gemini.values())


def test_an_unknown_profile_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="openai-strict"):
        server("cloud", "openai")


async def test_strict_nulls_read_as_absent_and_validation_stays_strict() -> None:
    strict = server("cloud", "openai-strict")
    nulls = {"fields": None, "expand": None, "comment_limit": None, "properties": None, "update_history": None,
             "include": None, "use_display_names": None}  # fmt: skip
    answer = await strict.call_tool("jira_get_issue", {"issue_key": "PROJ-1", **nulls})
    plain = await server("cloud", "default").call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
    assert not answer.is_error and answer.structured_content == plain.structured_content
    refused = await strict.call_tool("jira_get_issue", {"issue_key": None})
    assert refused.is_error and "issue_key" in refused.content[0].text
    unknown = await strict.call_tool("jira_get_issue", {"issue_key": "PROJ-1", "colour": "red"})
    assert unknown.is_error and "valid arguments" in unknown.content[0].text
    default_null = await server("cloud", "default").call_tool("jira_get_issue", {"issue_key": "PROJ-1", "expand": None})
    assert default_null.is_error  # only the strict profile sends nulls for what it leaves out


@pytest.mark.parametrize("profile", PROFILES)
async def test_json_string_arguments_are_parsed_then_validated(profile: str) -> None:
    srv = server("cloud", profile)
    visibility = '{"type": "role", "value": "Developers"}'
    as_text = await srv.call_tool("jira_add_comment", {"issue_key": "PROJ-1", "body": "hi", "visibility": visibility})
    assert not as_text.is_error, as_text.content[0].text
    wrong = await srv.call_tool(
        "jira_add_comment", {"issue_key": "PROJ-1", "body": "hi", "visibility": '{"type": "team", "value": "x"}'}
    )
    assert wrong.is_error and "visibility.type" in wrong.content[0].text
    broken = await srv.call_tool("jira_add_comment", {"issue_key": "PROJ-1", "body": "hi", "visibility": "{nope"})
    assert broken.is_error and "not valid JSON" in broken.content[0].text
