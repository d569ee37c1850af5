"""Generic repair rules for Atlassian's OpenAPI specs, applied after the per-API overrides.

Each rule fixes a class of defect that makes openapi-python-client skip or degrade an operation, or
makes the generated models fail on what real Atlassian sites send (see
../shared/reference/codegen-findings.md, section 6). Rules are generic: no rule names an endpoint.
`repair(spec)` mutates the spec and returns how often each rule fired.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
Schema = dict[str, Any]


def operations(spec: Schema) -> Iterator[tuple[str, str, Schema, Schema]]:
    """(path, method, operation, path item) for every operation, in spec order."""
    for path, item in spec.get("paths", {}).items():
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                yield path, method, item[method], item


def route(method: str, path: str) -> tuple[str, str]:
    """An operation's identity independent of path-parameter spelling (the generator snake-cases them)."""
    return method.lower(), re.sub(r"{[^}]*}", "{}", path)


def resolve(spec: Schema, node: Any) -> Any:
    """Follow a local `$ref` (one or more hops)."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 20:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return node
        target: Any = spec
        for part in ref[2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
        node, seen = target, seen + 1
    return node


def walk_schemas(node: Any, visit: Callable[[Schema], None]) -> None:
    """Call `visit` on every schema-like dict below `node` (not following `$ref`)."""
    if isinstance(node, dict):
        visit(node)
        for value in list(node.values()):
            walk_schemas(value, visit)
    elif isinstance(node, list):
        for value in node:
            walk_schemas(value, visit)


def _all_parameters(spec: Schema) -> Iterator[tuple[Schema, Schema]]:
    """(operation or path item, resolved parameter) for every declared parameter."""
    for _path, _method, op, item in operations(spec):
        for owner in (item, op):
            for param in owner.get("parameters", []):
                yield owner, resolve(spec, param)


# --- rules -------------------------------------------------------------------------------------------


def drop_component_nullable(spec: Schema) -> int:
    """`nullable` on component schemas (often self-recursive) and `default: null` make the generator drop
    the schema and everything that refers to it (e.g. Confluence v1 Content, hence CQL search)."""
    count = 0
    for schema in spec.get("components", {}).get("schemas", {}).values():
        if schema.pop("nullable", None) is not None:
            count += 1

    def visit(node: Schema) -> None:
        nonlocal count
        if "default" in node and node["default"] is None and ("type" in node or "$ref" in node or "nullable" in node):
            del node["default"]
            count += 1

    walk_schemas(spec.get("components", {}), visit)
    walk_schemas(spec.get("paths", {}), visit)
    return count


def dedupe_parameters(spec: Schema) -> int:
    """Confluence DC lists most path parameters twice; the generator skips such operations."""
    count = 0
    for _path, _method, op, item in operations(spec):
        for owner in (item, op):
            seen: set[tuple[str, str]] = set()
            kept = []
            for param in owner.get("parameters", []):
                real = resolve(spec, param)
                key = (real.get("name"), real.get("in"))
                if key in seen:
                    count += 1
                    continue
                seen.add(key)
                kept.append(param)
            if "parameters" in owner:
                owner["parameters"] = kept
    return count


def opaque_parameters_as_text(spec: Schema) -> int:
    """Query and path parameters typed as a property-less object (Java's `StringList`, agile `state`) are
    comma-separated text on the wire; as objects the generator would call `.to_dict()` on what callers pass."""
    count = 0

    def opaque(schema: Any) -> bool:
        real = resolve(spec, schema)
        return isinstance(real, dict) and real.get("type") == "object" and not real.get("properties")

    for _owner, param in _all_parameters(spec):
        schema = param.get("schema")
        if not isinstance(schema, dict) or param.get("in") not in ("query", "path", "header"):
            continue
        if opaque(schema):
            param["schema"] = {"type": "string"}
            count += 1
        elif schema.get("type") == "array" and opaque(schema.get("items")):
            schema["items"] = {"type": "string"}
            count += 1
    return count


def repair_path_parameters(spec: Schema) -> int:
    """Path parameters that the path template does not name: an alias of one it names is dropped, any
    other is really a query parameter (Jira DC). Template variables with no declaration get one."""
    count = 0
    for path, _method, op, item in operations(spec):
        template = set(re.findall(r"{([^}]+)}", path))
        declared: set[str] = set()
        for owner in (item, op):
            kept = []
            for param in owner.get("parameters", []):
                real = resolve(spec, param)
                if real.get("in") == "path" and real.get("name") not in template:
                    count += 1
                    normalised = re.sub(r"[^a-z0-9]", "", str(real.get("name")).lower())
                    if any(re.sub(r"[^a-z0-9]", "", t.lower()) == normalised for t in template):
                        continue
                    real = {**real, "in": "query", "required": False}
                    param = real
                elif real.get("in") == "path":
                    declared.add(real["name"])
                kept.append(param)
            if "parameters" in owner:
                owner["parameters"] = kept
        for missing in sorted(template - declared):
            op.setdefault("parameters", []).append(
                {"name": missing, "in": "path", "required": True, "schema": {"type": "string"}}
            )
            count += 1
    return count


def drop_invalid_enum_defaults(spec: Schema) -> int:
    """A `default` outside its `enum` makes the generator skip the operation."""
    count = 0

    def visit(node: Schema) -> None:
        nonlocal count
        if isinstance(node.get("enum"), list) and "default" in node and node["default"] not in node["enum"]:
            del node["default"]
            count += 1

    walk_schemas(spec.get("paths", {}), visit)
    walk_schemas(spec.get("components", {}), visit)
    return count


def record_parameter_defaults(spec: Schema) -> int:
    """Spec defaults are the server's business: a parameter is sent only when the caller sets it.

    The default moves from the schema into `x-server-default` (the catalogue and docstrings keep it).
    """
    count = 0
    for _owner, param in _all_parameters(spec):
        schema = param.get("schema")
        if isinstance(schema, dict):
            for node in (schema, schema.get("items")):
                if isinstance(node, dict) and "default" in node:
                    param.setdefault("x-server-default", node.pop("default"))
                    count += 1
    for param in spec.get("components", {}).get("parameters", {}).values():
        schema = param.get("schema")
        if isinstance(schema, dict) and "default" in schema:
            param.setdefault("x-server-default", schema.pop("default"))
            count += 1
    return count


def scalar_items(spec: Schema) -> int:
    """Scalar schemas that carry `items` (Confluence v2 `sort`): the enum moves up to the scalar."""
    count = 0

    def visit(node: Schema) -> None:
        nonlocal count
        if "items" in node and node.get("type") not in (None, "array"):
            items = node.pop("items")
            if isinstance(items, dict) and "enum" in items and "enum" not in node:
                node["enum"] = items["enum"]
            count += 1

    walk_schemas(spec, visit)
    return count


def typeless_formats(spec: Schema) -> int:
    """`{"format": "string"}` with no type (Confluence v2 ids) would generate as Any."""
    count = 0

    def visit(node: Schema) -> None:
        nonlocal count
        if node.get("format") == "string" and "type" not in node and "$ref" not in node:
            node["type"] = "string"
            del node["format"]
            count += 1

    walk_schemas(spec, visit)
    return count


def keep_unknown_fields(spec: Schema) -> int:
    """`additionalProperties: false` would make the models drop fields Atlassian adds later."""
    count = 0

    def visit(node: Schema) -> None:
        nonlocal count
        if node.get("additionalProperties") is False:
            del node["additionalProperties"]
            count += 1

    walk_schemas(spec, visit)
    return count


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _closure(spec: Schema, roots: set[str]) -> set[str]:
    schemas = spec.get("components", {}).get("schemas", {})
    done: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in done or name not in schemas:
            continue
        done.add(name)
        found: set[str] = set()
        _refs(schemas[name], found)
        todo.extend(found - done)
    return done


def relax_response_required(spec: Schema) -> int:
    """Real sites omit fields the spec marks required (Confluence SearchResult.breadcrumbs).

    Schemas used only in responses lose `required`, so a missing field parses as UNSET instead of raising.
    Schemas also used in requests keep it: there it tells the caller what to send.
    """
    request_roots: set[str] = set()
    response_roots: set[str] = set()
    components = spec.get("components", {})
    for _path, _method, op, item in operations(spec):
        for owner in (item, op):
            _refs(owner.get("parameters", []), request_roots)
        _refs(op.get("requestBody", {}), request_roots)
        _refs(op.get("responses", {}), response_roots)
    _refs(components.get("requestBodies", {}), request_roots)
    _refs(components.get("parameters", {}), request_roots)
    _refs(components.get("responses", {}), response_roots)
    request_side = _closure(spec, request_roots)
    count = 0

    def strip(node: Schema) -> None:
        nonlocal count
        if isinstance(node.get("required"), list):
            del node["required"]
            count += 1

    for name, schema in components.get("schemas", {}).items():
        if name not in request_side:
            walk_schemas(schema, strip)
    for _path, _method, op, _item in operations(spec):
        for response in op.get("responses", {}).values():
            if isinstance(response, dict) and "$ref" not in response:
                walk_schemas(response.get("content", {}), strip)
    return count


def prefer_json_bodies(spec: Schema) -> int:
    """One request content type per operation: JSON when offered; `*/*` beside others is dropped, a lone
    `*/*` is a binary upload; content without a schema accepts any JSON value."""
    count = 0
    for _path, _method, op, _item in operations(spec):
        body = resolve(spec, op.get("requestBody"))
        if not isinstance(body, dict) or not isinstance(body.get("content"), dict):
            continue
        content = body["content"]
        if len(content) > 1 and "application/json" in content:
            body["content"] = {"application/json": content["application/json"]}
            count += 1
        elif len(content) > 1 and "*/*" in content:
            del content["*/*"]
            count += 1
        elif list(content) == ["*/*"]:
            body["content"] = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
            count += 1
        for media in body["content"].values():
            if isinstance(media, dict) and "schema" not in media:
                media["schema"] = {}
                count += 1
        if body is not op.get("requestBody"):
            op["requestBody"] = body
    return count


FILE_PARTS: Schema = {
    "type": "object",
    "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}}},
    "required": ["file"],
}


def _is_binary(spec: Schema, schema: Any) -> bool:
    schema = resolve(spec, schema)
    if not isinstance(schema, dict):
        return False
    if schema.get("type") == "array":
        return _is_binary(spec, schema.get("items"))
    return schema.get("format") == "binary"


def multipart_file_parts(spec: Schema) -> int:
    """Multipart uploads declared with Java's own types (`MultipartFile[]`, `FilePart`: objects with an
    `inputStream`), a bare binary string or no schema carry no file part the generator can send. They
    become one or more `file` parts, which is what Jira and Confluence read; a `file` property that lacks
    `format: binary` gets it."""
    count = 0
    for _path, _method, op, _item in operations(spec):
        body = resolve(spec, op.get("requestBody"))
        media = body.get("content", {}).get("multipart/form-data") if isinstance(body, dict) else None
        if not isinstance(media, dict):
            continue
        schema = resolve(spec, media.get("schema") or {})
        target = resolve(spec, schema.get("items")) if schema.get("type") == "array" else schema
        props = target.get("properties", {}) if isinstance(target, dict) else {}
        if schema.get("type") == "array" or "inputStream" in props or not props:
            media["schema"] = FILE_PARTS
            count += 1
        elif "file" in props and not any(_is_binary(spec, p) for p in props.values()):
            props["file"] = {**resolve(spec, props["file"]), "type": "string", "format": "binary"}
            count += 1
    return count


def prefer_json_responses(spec: Schema) -> int:
    """Responses declared as `*/*` (or several types) that carry a JSON schema are parsed as JSON."""
    count = 0
    for _path, _method, op, _item in operations(spec):
        for response in op.get("responses", {}).values():
            content = response.get("content") if isinstance(response, dict) else None
            if not isinstance(content, dict) or "application/json" in content:
                if isinstance(content, dict) and len(content) > 1:
                    response["content"] = {"application/json": content["application/json"]}
                    count += 1
                continue
            for media_type in list(content):
                media = content[media_type]
                if media_type in ("*/*", "application/*") and isinstance(media, dict) and media.get("schema"):
                    response["content"] = {"application/json": media}
                    count += 1
                    break
    return count


def _fits(spec: Schema, schema: Any, example: Any, depth: int = 0) -> bool:
    """Whether an example value could be an instance of a schema (by property names and JSON types)."""
    schema = resolve(spec, schema)
    if not isinstance(schema, dict) or depth > 6:
        return False
    if isinstance(example, dict):
        props: dict[str, Any] = {}
        for member in [schema, *[resolve(spec, m) for m in schema.get("allOf", [])]]:
            props.update(member.get("properties", {}) if isinstance(member, dict) else {})
        if not props:
            return schema.get("type") == "object" and bool(schema.get("additionalProperties", True))
        return set(example) <= set(props) and all(_fits(spec, props[k], v, depth + 1) for k, v in example.items())
    if isinstance(example, list):
        return schema.get("type") == "array" and all(
            _fits(spec, schema.get("items", {}), v, depth + 1) for v in example[:3]
        )
    expected = {bool: ("boolean",), int: ("integer", "number"), float: ("number",), str: ("string",)}
    kind = schema.get("type")
    return kind is None or example is None or kind in expected.get(type(example), ())


def _infer_schema(spec: Schema, example: Any) -> Schema:
    """A schema for an example: the closest component it fits, else one built from its shape."""
    if isinstance(example, dict):
        fitting = [
            (len(resolve(spec, schema).get("properties", {})), name)
            for name, schema in spec.get("components", {}).get("schemas", {}).items()
            if len(example) >= 2 and resolve(spec, schema).get("properties") and _fits(spec, schema, example)
        ]
        if fitting:
            return {"$ref": f"#/components/schemas/{min(fitting)[1]}"}
        return {"type": "object", "properties": {k: _infer_schema(spec, v) for k, v in example.items()}}
    if isinstance(example, list):
        return {"type": "array", "items": _infer_schema(spec, example[0]) if example else {}}
    kinds = {bool: "boolean", int: "integer", float: "number", str: "string"}
    return {"type": kinds[type(example)]} if type(example) in kinds else {}


def schemas_from_examples(spec: Schema) -> int:
    """JSON responses documented by an example only (23 in Jira Software: getSprint, getAllSprints...)
    would parse to None. The schema is inferred from the example: the smallest component the example fits
    (e.g. SprintBean), else its own shape; with no example, any JSON value."""
    count = 0
    for _path, _method, op, _item in operations(spec):
        for code, response in op.get("responses", {}).items():
            media = response.get("content", {}).get("application/json") if isinstance(response, dict) else None
            if not isinstance(media, dict) or "schema" in media or not str(code).startswith("2"):
                continue
            example = media.get("example")
            if isinstance(example, str):
                try:
                    example = json.loads(example)
                except ValueError:
                    example = None
            media["schema"] = _infer_schema(spec, example) if example is not None else {}
            count += 1
    return count


def untyped_maps_and_items(spec: Schema) -> int:
    """A bare `{type: object}` as map value or array item is Java's `Object`: any JSON value. Jira DC's
    `IssueBean.fields` values and `FieldMetaBean.allowedValues` are strings, lists, booleans and nulls
    in real responses, which a generated object model cannot take."""
    count = 0

    def bare(node: Any) -> bool:
        return (
            isinstance(node, dict)
            and node.get("type") == "object"
            and not (set(node) - {"type", "example", "description"})
        )

    def visit(node: Schema) -> None:
        nonlocal count
        for key in ("additionalProperties", "items"):
            if bare(node.get(key)):
                node[key] = {}
                count += 1

    walk_schemas(spec.get("components", {}), visit)
    walk_schemas(spec.get("paths", {}), visit)
    return count


def reserved_property_names(spec: Schema) -> int:
    """A property literally named `additionalProperties` clashes with the models' container of unknown
    fields; it is dropped from the schema, and its value is kept in that container."""
    count = 0

    def visit(node: Schema) -> None:
        nonlocal count
        props = node.get("properties")
        if (
            isinstance(props, dict)
            and "additionalProperties" in props
            and isinstance(props["additionalProperties"], dict)
        ):
            del props["additionalProperties"]
            count += 1

    walk_schemas(spec.get("components", {}), visit)
    walk_schemas(spec.get("paths", {}), visit)
    return count


def drop_inline_titles(spec: Schema) -> int:
    """Inline schemas are named after their `title`; equal titles on different inline schemas make the
    generator drop models ("Attempted to generate duplicate models"). Without a title they are named
    after where they sit, which is unique."""
    count = 0

    def visit(node: Schema) -> None:
        nonlocal count
        if isinstance(node.get("title"), str) and ("type" in node or "properties" in node or "items" in node):
            del node["title"]
            count += 1

    walk_schemas(spec.get("paths", {}), visit)
    for schema in spec.get("components", {}).get("schemas", {}).values():
        for prop in schema.get("properties", {}).values():
            walk_schemas(prop, visit)
    return count


def flatten_narrowing_allof(spec: Schema) -> int:
    """`allOf` whose members give one property two different types cannot be merged by the generator;
    the later member wins, as it does in the Java code the spec came from."""
    count = 0
    for schema in spec.get("components", {}).get("schemas", {}).values():
        members = schema.get("allOf")
        if not isinstance(members, list):
            continue
        types: dict[str, set[str]] = {}
        for member in members:
            for name, prop in resolve(spec, member).get("properties", {}).items():
                types.setdefault(name, set()).add(str(prop.get("type") or prop.get("$ref")))
        if not any(len(found) > 1 for found in types.values()):
            continue
        merged: Schema = {"type": "object", "properties": {}}
        required: list[str] = []
        for member in members:
            real = resolve(spec, member)
            merged["properties"].update(real.get("properties", {}))
            required += [r for r in real.get("required", []) if r not in required]
        if required:
            merged["required"] = required
        del schema["allOf"]
        schema.update(merged)
        count += 1
    return count


def unwrap_single_ref_allof(spec: Schema) -> int:
    """`{"allOf": [{"$ref": X}], "description": ...}` is how the specs attach a description to a reference;
    the generator would make a copy of X per use (and clash with X's own name). It becomes `$ref: X`."""
    count = 0

    def visit(node: Schema) -> None:
        nonlocal count
        for key, value in list(node.items()):
            if not isinstance(value, dict):
                continue
            members = value.get("allOf")
            extra = set(value) - {
                "allOf",
                "description",
                "readOnly",
                "writeOnly",
                "nullable",
                "title",
                "example",
            }
            if isinstance(members, list) and len(members) == 1 and "$ref" in members[0] and not extra:
                node[key] = {"$ref": members[0]["$ref"]}
                count += 1

    walk_schemas(spec.get("components", {}), visit)
    walk_schemas(spec.get("paths", {}), visit)
    return count


def _class_name(name: str) -> str:
    from openapi_python_client.strings import ClassName

    return str(ClassName(name, "field_"))


def _is_model(schema: Schema) -> bool:
    """Whether the generator makes a class of its own for this inline schema."""
    return schema.get("type") == "object" or any(key in schema for key in ("properties", "enum", "allOf"))


def _inline_models(parent: str, schema: Schema) -> Iterator[tuple[str, Schema, Schema, str]]:
    """(model name the generator will give, owner dict, inline schema, key in owner) for inline models
    under a component, named as openapi-python-client names them: parent + property (+ "Item")."""
    members = [schema, *[m for m in schema.get("allOf", []) if isinstance(m, dict) and "$ref" not in m]]
    for member in members:
        for prop_name, prop in member.get("properties", {}).items():
            if not isinstance(prop, dict) or "$ref" in prop:
                continue
            name = _class_name(f"{parent}_{prop_name}")
            if _is_model(prop):
                yield name, member["properties"], prop, prop_name
                yield from _inline_models(name, prop)
            items = prop.get("items")
            if prop.get("type") == "array" and isinstance(items, dict) and "$ref" not in items and _is_model(items):
                yield f"{name}Item", prop, items, "items"
                yield from _inline_models(f"{name}Item", items)


def hoist_colliding_inline_models(spec: Schema) -> int:
    """Two inline schemas (or an inline schema and a component) that the generator would give the same
    class name make it drop the whole component (Confluence `Content.body` vs `ContentBody`). The later
    one moves into components.schemas under a free, numbered name and is referenced from where it was."""
    schemas = spec.get("components", {}).get("schemas", {})
    taken = {_class_name(name) for name in schemas}
    count = 0
    for component in list(schemas):
        seen_here: set[str] = set()
        for name, owner, inline, key in list(_inline_models(component, schemas[component])):
            if name not in taken and name not in seen_here:
                seen_here.add(name)
                continue
            number = 2
            while f"{name}{number}" in taken or f"{name}{number}" in schemas:
                number += 1
            new_name = f"{name}{number}"
            schemas[new_name] = inline
            owner[key] = {"$ref": f"#/components/schemas/{new_name}"}
            taken.add(new_name)
            count += 1
        taken |= seen_here
    return count


RULES: tuple[Callable[[Schema], int], ...] = (
    drop_component_nullable,
    dedupe_parameters,
    opaque_parameters_as_text,
    repair_path_parameters,
    drop_invalid_enum_defaults,
    record_parameter_defaults,
    scalar_items,
    typeless_formats,
    keep_unknown_fields,
    untyped_maps_and_items,
    reserved_property_names,
    relax_response_required,
    prefer_json_bodies,
    multipart_file_parts,
    prefer_json_responses,
    schemas_from_examples,
    drop_inline_titles,
    flatten_narrowing_allof,
    unwrap_single_ref_allof,
    hoist_colliding_inline_models,
)


def repair(spec: Schema) -> Counter[str]:
    fired: Counter[str] = Counter()
    for rule in RULES:
        n = rule(spec)
        if n:
            fired[rule.__name__] = n
    return fired
