"""Tool input schemas as each model provider accepts them (ATLASSIAN_MCP_SCHEMA_PROFILE).

`default` is the manifest's schema, the most precise form that OpenAI, Anthropic and Gemini (JSON Schema) all take;
the server always validates against it. The other profiles only rewrite what a picky provider is shown:

- `gemini`: Gemini's OpenAPI subset (`FunctionDeclaration.parameters`) knows no `additionalProperties`, so keywords
  outside that subset are dropped.
- `openai-strict`: OpenAI strict mode wants every object closed (`additionalProperties: false`), every property
  required (optional ones nullable: the server reads null as absent) and no `default` (said in the description).

Neither can express a free-form object (strict mode would close it; Gemini refuses an OBJECT without properties),
so under both a parameter holding one is published as its JSON string, which the server parses (json_string_ok).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

PROFILES = ("default", "gemini", "openai-strict")

# Fields of Gemini's Schema object (https://ai.google.dev/api/caching#Schema).
GEMINI_KEYWORDS = frozenset({
    "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems", "properties", "required",
    "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering",
    "default", "items", "minimum", "maximum",
})  # fmt: skip


def publish(schema: dict[str, Any], profile: str, as_json: Collection[str] = ()) -> dict[str, Any]:
    """The input schema shown under `profile`; `as_json` names the parameters that also take their JSON string."""
    if profile == "gemini":
        return _gemini(_json_strings(schema, as_json))
    if profile == "openai-strict":
        return _strict(_json_strings(schema, as_json))
    return schema


def _gemini(node: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in node.items() if k in GEMINI_KEYWORDS}
    if "properties" in out:
        out["properties"] = {name: _gemini(sub) for name, sub in out["properties"].items()}
    if isinstance(out.get("items"), dict):
        out["items"] = _gemini(out["items"])
    if "anyOf" in out:
        out["anyOf"] = [_gemini(sub) for sub in out["anyOf"]]
    return out


def free_form(node: dict[str, Any]) -> bool:
    """An object without declared properties (also inside arrays or properties): strict mode cannot express it."""
    if node.get("type") == "object" and not node.get("properties"):
        return True
    inner = [*node.get("properties", {}).values(), *([node["items"]] if isinstance(node.get("items"), dict) else [])]
    return any(free_form(sub) for sub in inner)


def _json_strings(schema: dict[str, Any], as_json: Collection[str]) -> dict[str, Any]:
    properties = {}
    for name, sub in schema.get("properties", {}).items():
        if name in as_json and free_form(sub):
            said = f"JSON {sub['type']}."
            sub = {"type": "string", "description": f"{sub['description'].rstrip()} {said}" if "description" in sub
                   else said}  # fmt: skip
        properties[name] = sub
    return {**schema, "properties": properties}


def _strict(node: dict[str, Any]) -> dict[str, Any]:
    out = dict(node)
    if "default" in out:
        said = f"Default: {json.dumps(out.pop('default'), ensure_ascii=False)}."
        out["description"] = f"{out['description'].rstrip()} {said}" if out.get("description") else said
    if isinstance(out.get("items"), dict):
        out["items"] = _strict(out["items"])
    if out.get("type") == "object" and "properties" in out:
        required = set(out.get("required", []))
        out["properties"] = {
            name: _strict(sub) if name in required else _nullable(_strict(sub))
            for name, sub in out["properties"].items()
        }
        out["required"] = list(out["properties"])
        out["additionalProperties"] = False
    return out


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    kind = node.get("type")
    out = {**node, "type": [kind, "null"]} if isinstance(kind, str) else dict(node)
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    return out


def accepted_arguments(args: dict[str, Any], schema: dict[str, Any], profile: str) -> dict[str, Any]:
    """Arguments as the default schema validates them: strict mode sends null for an optional argument it omits."""
    if profile != "openai-strict":
        return args
    required = set(schema.get("required", []))
    return {k: v for k, v in args.items() if v is not None or k in required}
