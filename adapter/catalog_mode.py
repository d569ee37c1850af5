"""Catalogue mode (toolset `catalog`): two tools reach every generated operation.

`atlassian_find_operations` searches the operation catalogues of the configured sites by words;
`atlassian_call_operation` calls one by id, its arguments validated against the operation's schema.
Read-only mode applies by HTTP method. The model pays for two tool definitions instead of 1,700.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from . import catalogue
from .handlers import ToolError

if TYPE_CHECKING:
    from .server import Site

FIND = "atlassian_find_operations"
CALL = "atlassian_call_operation"
TOOLSET = "catalog"
MAX_RESULTS = 25

DEFINITIONS: dict[str, dict[str, Any]] = {
    FIND: {
        "title": "Find Atlassian API operations",
        "description": "Find Jira/Confluence REST operations by words (e.g. 'add watcher', 'sprint issues'). "
        "Returns operation ids for atlassian_call_operation; set include_schema for their arguments.",
        "input_schema": {
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "Words to look for in ids, summaries and paths."},
                "product": {"type": "string", "enum": ["jira", "confluence"]},
                "include_schema": {"type": "boolean", "default": False, "description": "Add each one's arguments."},
                "limit": {"type": "integer", "default": 10, "minimum": 1, "maximum": MAX_RESULTS},
            },
            "required": ["query"],
            "additionalProperties": False,
        },
        "annotations": {"readOnlyHint": True, "destructiveHint": False, "idempotentHint": True, "openWorldHint": False},
    },
    CALL: {
        "title": "Call an Atlassian API operation",
        "description": "Call an operation found with atlassian_find_operations. `arguments` holds its path and "
        "query parameters by their API names; `body` its JSON request body.",
        "input_schema": {
            "type": "object",
            "properties": {
                "operation": {"type": "string", "description": "Operation id, e.g. jira-platform/getIssue."},
                "arguments": {"type": "object", "description": "Path and query parameters by API name."},
                "body": {"description": "JSON request body, when the operation takes one."},
            },
            "required": ["operation"],
            "additionalProperties": False,
        },
        "annotations": {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": False, "openWorldHint": True},
    },
}
OUTPUT_SCHEMA: dict[str, Any] = {"type": "object"}


def apis_for(sites: dict[str, Site]) -> list[str]:
    """The APIs the configured sites speak (e.g. Jira Cloud: platform, software, service management)."""
    return [
        api
        for api in catalogue.APIS
        if (site := sites.get(catalogue.PRODUCT_OF_API[api])) is not None
        and catalogue.serves(api, site.config.deployment)
    ]


@cache
def _words(api: str, operation_id: str) -> frozenset[str]:
    entry = catalogue.catalogue(api)["operations"][operation_id]
    text = " ".join([operation_id, entry["summary"], entry["path"], entry["tag"]])
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower()
    return frozenset(w.rstrip("s") for w in re.findall(r"[a-z0-9]+", text))


def find(sites: dict[str, Site], args: dict[str, Any], read_only: bool) -> dict[str, Any]:
    wanted = {w.rstrip("s") for w in re.findall(r"[a-z0-9]+", args["query"].lower())}
    if not wanted:
        raise ToolError("query: give some words to look for")
    scored = []
    for api in apis_for(sites):
        if args.get("product") and catalogue.PRODUCT_OF_API[api] != args["product"]:
            continue
        for operation_id, entry in catalogue.catalogue(api)["operations"].items():
            if read_only and not entry["read_only"]:
                continue
            hits = len(wanted & _words(api, operation_id))
            if hits:
                scored.append((-hits, entry["deprecated"], api, operation_id))
    scored.sort()
    results = []
    for _hits, _deprecated, api, operation_id in scored[: args.get("limit", 10)]:
        op = catalogue.find(f"{api}/{operation_id}")
        result: dict[str, Any] = {"operation": op.ref, "method": op.method, "path": op.entry["path"],
                                  "summary": op.entry["summary"], "read_only": op.entry["read_only"]}  # fmt: skip
        if args.get("include_schema"):
            result["parameters"] = {p["name"]: _param_brief(p) for p in op.entry["parameters"]}
            if op.request_body:
                result["body_schema"] = with_defs(op.api, op.request_body["schema"])
        results.append(result)
    return {"operations": results, "matches": len(scored)}


def _param_brief(param: dict[str, Any]) -> dict[str, Any]:
    brief = {"in": param["in"], "schema": param["schema"]}
    if param["required"]:
        brief["required"] = True
    return brief


@cache
def _defs(api: str) -> dict[str, Any]:
    path = catalogue.package_dir(catalogue.APIS[api]) / "schemas.json"
    defs: dict[str, Any] = json.loads(path.read_text())["$defs"]
    return defs


def with_defs(api: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The schema plus the `$defs` it reaches, so it validates (and reads) on its own."""
    defs = _defs(api)
    needed: dict[str, Any] = {}
    todo = re.findall(r'"#/\$defs/([^"]+)"', json.dumps(schema))
    while todo:
        name = todo.pop()
        if name in needed or name not in defs:
            continue
        needed[name] = defs[name]
        todo += re.findall(r'"#/\$defs/([^"]+)"', json.dumps(defs[name]))
    return {**schema, "$defs": needed} if needed else schema


def prepare_call(sites: dict[str, Site], args: dict[str, Any], read_only: bool) -> tuple[Any, dict[str, Any], Any]:
    """(operation, python keyword arguments, body) for a call, after every check; ToolError when one fails."""
    import jsonschema

    ref = args["operation"]
    try:
        op = catalogue.find(ref)
    except KeyError as exc:
        raise ToolError(f"operation: {str(exc).strip(chr(39))}; find ids with {FIND}") from exc
    if op.api not in apis_for(sites):
        raise ToolError(f"operation: {op.api} is not an API of the configured sites ({', '.join(apis_for(sites))})")
    if read_only and not op.entry["read_only"]:
        raise ToolError(f"operation: {op.ref} is a {op.method}; this server is read-only")
    given = dict(args.get("arguments") or {})
    params = op.parameters
    unknown = sorted(set(given) - set(params))
    if unknown:
        raise ToolError(f"arguments: unknown {', '.join(unknown)}; {op.ref} takes {', '.join(params) or 'none'}")
    kwargs = {}
    for name, spec in params.items():
        if name not in given:
            if spec["required"]:
                raise ToolError(f"arguments.{name}: required by {op.ref}")
            continue
        error = jsonschema.exceptions.best_match(
            jsonschema.Draft202012Validator(spec["schema"]).iter_errors(given[name])
        )
        if error is not None:
            raise ToolError(f"arguments.{name}: {error.message}")
        kwargs[spec["python_name"]] = given[name]
    body = args.get("body")
    if op.request_body is None and body is not None:
        raise ToolError(f"body: {op.ref} takes no request body")
    if op.request_body is not None:
        if body is None and op.request_body["required"]:
            raise ToolError(f"body: {op.ref} needs a request body")
        if body is not None:
            schema = with_defs(op.api, op.request_body["schema"])
            error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(body))
            if error is not None:
                where = ".".join(str(p) for p in error.absolute_path)
                raise ToolError(f"body{'.' + where if where else ''}: {error.message}")
    return op, kwargs, body
