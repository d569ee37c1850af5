"""The machine-readable operation catalogue (catalogue.json per API) and pagination-style detection.

The adapter reads the catalogue to map tools onto operations: per operation its id, the module holding
its callables, method, path, summary, parameters and request body as JSON Schema, and whether it reads
or writes. Schemas refer to `#/$defs/<Name>`, defined in the API's schemas.json (converted once from
components.schemas).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openapi_python_client.strings import PythonIdentifier

from .repairs import operations, resolve, route
from .specs import PinnedSpec

READ_METHODS = {"get", "head", "options"}
DROPPED_KEYS = {"example", "examples", "xml", "externalDocs", "discriminator", "x-atlassian-connect-scope"}


def raw(value: Any) -> str:
    """The plain text of a value the generator wraps in UntrustedString."""
    return str(value.get_untrusted_value()) if hasattr(value, "get_untrusted_value") else str(value)


def to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema (2020-12): `nullable` becomes a null type, refs point at $defs.

    `oneOf` becomes `anyOf`: the specs use oneOf for alternatives that overlap (Confluence v2 page bodies
    match both PageBodyWrite and PageNestedBodyWrite), which would reject every valid value.
    """
    if isinstance(node, list):
        return [to_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in DROPPED_KEYS or key == "nullable":
            continue
        if key == "$ref" and isinstance(value, str):
            out[key] = value.replace("#/components/schemas/", "#/$defs/")
        elif key in ("properties", "patternProperties"):
            out[key] = {name: to_json_schema(v) for name, v in value.items()}
        elif key == "oneOf":
            out["anyOf"] = to_json_schema(value)
        else:
            out[key] = to_json_schema(value)
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        elif "$ref" in out or "allOf" in out or "anyOf" in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _properties(spec: dict[str, Any], schema: Any) -> dict[str, Any]:
    schema = resolve(spec, schema)
    if not isinstance(schema, dict):
        return {}
    props = dict(schema.get("properties", {}))
    for member in schema.get("allOf", []):
        props.update(_properties(spec, member))
    return props


def _success_schema(spec: dict[str, Any], op: dict[str, Any]) -> Any:
    for code in ("200", "201", "2XX", "default"):
        response = resolve(spec, op.get("responses", {}).get(code))
        if isinstance(response, dict):
            media = response.get("content", {}).get("application/json")
            if isinstance(media, dict) and "schema" in media:
                return resolve(spec, media["schema"])
    return None


def _items_key(spec: dict[str, Any], props: dict[str, Any]) -> str | None:
    arrays = [name for name, p in props.items() if resolve(spec, p).get("type") == "array"]
    for preferred in ("values", "results", "issues", "worklogs", "comments", "fields", "changelogs"):
        if preferred in arrays:
            return preferred
    return arrays[0] if len(arrays) == 1 else None


def pagination_styles(spec: dict[str, Any], prefix: str) -> dict[tuple[str, str], dict[str, str]]:
    """How each paginated operation pages, detected from its query parameters and response body.

    Styles: offset (startAt/maxResults/total/isLast), token (nextPageToken/isLast), start_limit
    (start/limit/_links.next), cursor (cursor in _links.next or the Link header), list (a plain array).
    """
    styles: dict[tuple[str, str], dict[str, str]] = {}
    for path, method, op, item in operations(spec):
        params = {resolve(spec, p).get("name") for p in [*item.get("parameters", []), *op.get("parameters", [])]}
        params.discard(None)
        body = _success_schema(spec, op)
        is_array = isinstance(body, dict) and body.get("type") == "array"
        props = _properties(spec, body) if isinstance(body, dict) else {}
        items = "" if is_array else _items_key(spec, props)
        if items is None:
            continue

        def name(param: str) -> str:
            return str(PythonIdentifier(param, prefix))

        style: dict[str, str] | None = None
        if "nextPageToken" in params and "nextPageToken" in props:
            style = {"style": "token", "token_param": name("nextPageToken")}
            if "maxResults" in params:
                style["limit_param"] = name("maxResults")
        elif "startAt" in params:
            style = {"style": "offset", "start_param": name("startAt")}
            if "maxResults" in params:
                style["limit_param"] = name("maxResults")
        elif "cursor" in params:
            style = {"style": "cursor", "token_param": "cursor"}
            if "limit" in params:
                style["limit_param"] = "limit"
        elif "start" in params and "limit" in params:
            style = {"style": "start_limit", "start_param": "start", "limit_param": "limit"}
        elif is_array and method == "get":
            style = {"style": "list"}
        if style is None:
            continue
        style["items"] = items
        style["items_attr"] = name(items) if items else ""
        styles[route(method, path)] = style
    return styles


def _parameter(spec: dict[str, Any], param: dict[str, Any], python_names: dict[str, str]) -> dict[str, Any]:
    real = resolve(spec, param)
    entry: dict[str, Any] = {
        "name": real["name"],
        "python_name": python_names.get(real["name"], real["name"]),
        "in": real["in"],
        "required": bool(real.get("required", False)),
        "schema": to_json_schema(real.get("schema", {})),
    }
    if real.get("description"):
        entry["description"] = real["description"]
    if "x-server-default" in real:
        entry["server_default"] = real["x-server-default"]
    if real.get("deprecated"):
        entry["deprecated"] = True
    return entry


def build(
    spec: dict[str, Any],
    pin: PinnedSpec,
    endpoints: Sequence[tuple[str, Any]],
    prefix: str,
    styles: dict[tuple[str, str], dict[str, str]],
) -> dict[str, Any]:
    """The catalogue for one API: every generated operation, keyed by operationId, in spec order."""
    by_route = {route(e.method, raw(e.path)): (tag, e) for tag, e in endpoints}
    ops: dict[str, Any] = {}
    for path, method, op, item in operations(spec):
        found = by_route.get(route(method, path))
        if found is None:
            continue
        tag, endpoint = found
        module = str(PythonIdentifier(endpoint.name, prefix))
        python_names = {raw(p.name): str(p.python_name) for p in endpoint.list_all_parameters()}
        body = resolve(spec, op.get("requestBody"))
        request_body = None
        if isinstance(body, dict) and body.get("content"):
            content_type, media = next(iter(body["content"].items()))
            request_body = {
                "content_type": content_type,
                "required": bool(body.get("required", False)),
                "schema": to_json_schema(media.get("schema", {})),
            }
        ops[str(op.get("operationId", endpoint.name))] = {
            "module": f"{pin.package}.api.{tag}.{module}",
            "function": module,
            "tag": str(tag),
            "method": method.upper(),
            "path": path,
            "summary": op.get("summary", ""),
            "read_only": method in READ_METHODS,
            "deprecated": bool(op.get("deprecated", False)),
            "parameters": [
                _parameter(spec, p, python_names) for p in [*item.get("parameters", []), *op.get("parameters", [])]
            ],
            "request_body": request_body,
            "pagination": styles.get(route(method, path)),
        }
    data: dict[str, Any] = {
        "api": pin.name,
        "package": pin.package,
        "version": pin.version,
        "base_path": pin.base_path,
        "schemas": "schemas.json",
        "operations": ops,
    }
    if pin.server:  # served by another host than the site (a template: {cloudId})
        data["server"] = pin.server
    return data


def schemas(spec: dict[str, Any]) -> dict[str, Any]:
    """schemas.json: the `$defs` that catalogue schemas refer to, kept apart so the catalogue loads fast."""
    return {"$defs": {name: to_json_schema(s) for name, s in spec.get("components", {}).get("schemas", {}).items()}}
