"""API-change report between two versions of an OpenAPI 3 spec.

Maintainers regenerate the SDKs whenever Atlassian publishes a new spec; this module tells them, in a
Markdown report they can paste into a changelog or review, what actually changed for SDK users:
operations and component schemas added or removed, and the shallow, user-visible changes to the ones
that were kept (parameters, request bodies, deprecation, schema properties).

It deliberately stays shallow (one level of schema properties, ``allOf`` members merged in) so that a
diff of two multi-megabyte specs stays fast and readable instead of exploding into nested detail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "HTTP_METHODS",
    "OperationChange",
    "OperationRef",
    "Parameter",
    "ParameterTypeChange",
    "Property",
    "PropertyTypeChange",
    "SchemaChange",
    "SpecDiff",
    "SpecInfo",
    "diff_specs",
    "normalise_path",
    "render_markdown",
    "type_string",
]

HTTP_METHODS: tuple[str, ...] = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
"""Operation keys of a path item, in the order the report lists methods of one path."""

_METHOD_ORDER = {method: index for index, method in enumerate(HTTP_METHODS)}
_PATH_PARAM = re.compile(r"\{([^}]*)\}")
_MAX_REF_HOPS = 16
_MAX_TYPE_DEPTH = 4


# --------------------------------------------------------------------------------------------------
# Result structure
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpecInfo:
    """Identity and size of one spec, so the report header says exactly what was compared."""

    title: str
    version: str
    operation_count: int
    schema_count: int


@dataclass(frozen=True)
class OperationRef:
    """One operation as users know it: ``METHOD /path`` plus its operationId (the SDK method name)."""

    method: str
    path: str
    operation_id: str | None
    summary: str | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        """``GET /rest/api/3/issue/{issueIdOrKey}``: the form maintainers grep for."""
        return f"{self.method.upper()} {self.path}"


@dataclass(frozen=True)
class Parameter:
    """A parameter is identified by (in, name); ``required``/``type`` describe it in that version."""

    location: str
    name: str
    required: bool = False
    type: str = "any"


@dataclass(frozen=True)
class ParameterTypeChange:
    """A kept parameter whose schema type string changed (e.g. ``integer`` -> ``string``)."""

    location: str
    name: str
    old_type: str
    new_type: str


@dataclass(frozen=True)
class OperationChange:
    """User-visible changes to an operation present in both specs."""

    old: OperationRef
    new: OperationRef
    parameters_added: tuple[Parameter, ...] = ()
    parameters_removed: tuple[Parameter, ...] = ()
    parameters_now_required: tuple[Parameter, ...] = ()
    parameters_now_optional: tuple[Parameter, ...] = ()
    parameters_type_changed: tuple[ParameterTypeChange, ...] = ()
    request_body_added: bool = False
    request_body_removed: bool = False
    request_body_now_required: bool = False
    request_body_now_optional: bool = False
    request_body_type_change: tuple[str, str] | None = None
    newly_deprecated: bool = False
    no_longer_deprecated: bool = False

    @property
    def operation_id_changed(self) -> bool:
        """A changed operationId renames the generated SDK method, which breaks callers."""
        return self.old.operation_id != self.new.operation_id

    @property
    def path_changed(self) -> bool:
        """True when only path-parameter names differ (the paths match once normalised)."""
        return self.old.path != self.new.path

    @property
    def has_changes(self) -> bool:
        """Whether anything worth reporting changed; unchanged operations are left out of the diff."""
        return bool(
            self.operation_id_changed
            or self.path_changed
            or self.parameters_added
            or self.parameters_removed
            or self.parameters_now_required
            or self.parameters_now_optional
            or self.parameters_type_changed
            or self.request_body_added
            or self.request_body_removed
            or self.request_body_now_required
            or self.request_body_now_optional
            or self.request_body_type_change
            or self.newly_deprecated
            or self.no_longer_deprecated
        )


@dataclass(frozen=True)
class Property:
    """One top-level property of a component schema, with its short type string."""

    name: str
    type: str
    required: bool = False


@dataclass(frozen=True)
class PropertyTypeChange:
    """A kept property whose short type string changed (e.g. ``string`` -> ``$ref:Foo``)."""

    name: str
    old_type: str
    new_type: str


@dataclass(frozen=True)
class SchemaChange:
    """Shallow changes to a component schema present in both specs."""

    name: str
    properties_added: tuple[Property, ...] = ()
    properties_removed: tuple[Property, ...] = ()
    properties_type_changed: tuple[PropertyTypeChange, ...] = ()
    properties_now_required: tuple[str, ...] = ()
    properties_now_optional: tuple[str, ...] = ()
    kind_change: tuple[str, str] | None = None

    @property
    def has_changes(self) -> bool:
        """Whether anything worth reporting changed; unchanged schemas are left out of the diff."""
        return bool(
            self.properties_added
            or self.properties_removed
            or self.properties_type_changed
            or self.properties_now_required
            or self.properties_now_optional
            or self.kind_change
        )


@dataclass(frozen=True)
class SpecDiff:
    """Everything :func:`render_markdown` needs; every sequence is already sorted for stable output."""

    old: SpecInfo
    new: SpecInfo
    operations_added: tuple[OperationRef, ...] = ()
    operations_removed: tuple[OperationRef, ...] = ()
    operations_changed: tuple[OperationChange, ...] = ()
    schemas_added: tuple[str, ...] = ()
    schemas_removed: tuple[str, ...] = ()
    schemas_changed: tuple[SchemaChange, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the two specs are equivalent as far as this report can tell."""
        return not (
            self.operations_added
            or self.operations_removed
            or self.operations_changed
            or self.schemas_added
            or self.schemas_removed
            or self.schemas_changed
        )


# --------------------------------------------------------------------------------------------------
# Spec helpers
# --------------------------------------------------------------------------------------------------


def _validate(doc: Any, which: str) -> None:
    """Fail early with a message naming the bad input, instead of a KeyError deep in the diff."""
    if not isinstance(doc, Mapping):
        raise ValueError(f"{which} spec is not an OpenAPI 3 document: expected a JSON object")
    version = doc.get("openapi")
    if version is None:
        hint = " (it looks like Swagger 2.0)" if "swagger" in doc else ""
        raise ValueError(f"{which} spec is not an OpenAPI 3 document: missing 'openapi' key{hint}")
    if not str(version).startswith("3"):
        raise ValueError(f"{which} spec is not an OpenAPI 3 document: 'openapi' is {version!r}")
    if not isinstance(doc.get("paths"), Mapping):
        raise ValueError(f"{which} spec is not an OpenAPI 3 document: missing 'paths' object")


def normalise_path(path: str) -> str:
    """Drop path-parameter names, so ``/issue/{issueIdOrKey}`` and ``/issue/{issueKey}`` match."""
    return _PATH_PARAM.sub("{}", path)


def _ref_name(ref: str) -> str:
    """Last segment of a ``$ref`` (``#/components/schemas/Foo`` -> ``Foo``)."""
    return ref.rsplit("/", 1)[-1]


def _pointer(doc: Mapping[str, Any], ref: str) -> Any:
    """Resolve a local JSON pointer (``#/a/b``); None for external or dangling references."""
    if not ref.startswith("#/"):
        return None
    node: Any = doc
    for raw in ref[2:].split("/"):
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


def _deref(doc: Mapping[str, Any], node: Any) -> Any:
    """Follow ``$ref`` chains (parameters, request bodies); None if a reference cannot be resolved."""
    for _ in range(_MAX_REF_HOPS):
        if not isinstance(node, Mapping) or not isinstance(node.get("$ref"), str):
            return node
        node = _pointer(doc, node["$ref"])
    return None


def type_string(schema: Any, _depth: int = 0) -> str:
    """Short, comparable type form: ``string(date-time)``, ``array<IssueBean>``, ``$ref:Foo``, ``map<int>``.

    Descriptions, examples and validation keywords are ignored on purpose: only a change of this string
    changes the generated Python type, which is what SDK users notice.
    """
    if not isinstance(schema, Mapping):
        return "any"
    if _depth > _MAX_TYPE_DEPTH:
        return "..."
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return f"$ref:{_ref_name(ref)}"
    for keyword in ("allOf", "oneOf", "anyOf"):
        members = schema.get(keyword)
        if isinstance(members, list) and members:
            if len(members) == 1:
                # ``allOf: [{$ref: X}]`` is how specs attach a description to a reference: still just X.
                return type_string(members[0], _depth + 1)
            return f"{keyword}<{','.join(_inner_type(m, _depth + 1) for m in members)}>"
    kind = schema.get("type")
    if isinstance(kind, list):
        return "|".join(sorted(str(k) for k in kind))
    if kind == "array":
        return f"array<{_inner_type(schema.get('items'), _depth + 1)}>"
    if kind == "object" or (kind is None and ("properties" in schema or "additionalProperties" in schema)):
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping) and extra:
            return f"map<{_inner_type(extra, _depth + 1)}>"
        return "object"
    if kind is None:
        return "any"
    fmt = schema.get("format")
    return f"{kind}({fmt})" if fmt else str(kind)


def _inner_type(schema: Any, depth: int) -> str:
    """Type inside ``array<>``/``map<>``: a bare schema name reads better than ``$ref:`` there."""
    if isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
        return _ref_name(schema["$ref"])
    return type_string(schema, depth)


def _info(doc: Mapping[str, Any], operation_count: int) -> SpecInfo:
    """Title and version for the report header; missing values show as '?' rather than failing."""
    raw = doc.get("info")
    info: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    return SpecInfo(
        title=str(info.get("title", "?")),
        version=str(info.get("version", "?")),
        operation_count=operation_count,
        schema_count=len(_schemas(doc)),
    )


def _schemas(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """``components.schemas``, or an empty mapping for specs without components."""
    components = doc.get("components")
    schemas = components.get("schemas") if isinstance(components, Mapping) else None
    return schemas if isinstance(schemas, Mapping) else {}


# --------------------------------------------------------------------------------------------------
# Operations
# --------------------------------------------------------------------------------------------------

_OpKey = tuple[str, str]


@dataclass(frozen=True)
class _Operation:
    """An operation with its path-level parameters already merged in, as the diff compares it."""

    ref: OperationRef
    raw: Mapping[str, Any]
    path_item: Mapping[str, Any]


def _collect_operations(doc: Mapping[str, Any]) -> dict[_OpKey, _Operation]:
    """Index operations by (method, normalised path).

    Two paths of one spec that differ only in parameter names are invalid OpenAPI; should it happen,
    the second keeps its literal path as key so neither operation silently disappears.
    """
    result: dict[_OpKey, _Operation] = {}
    for path in sorted(doc["paths"]):
        item = doc["paths"][path]
        if not isinstance(item, Mapping):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, Mapping):
                continue
            key = (method, normalise_path(path))
            if key in result:
                key = (method, path)
            op_id = op.get("operationId")
            summary = op.get("summary")
            ref = OperationRef(
                method=method,
                path=path,
                operation_id=op_id if isinstance(op_id, str) else None,
                summary=" ".join(summary.split()) if isinstance(summary, str) and summary.strip() else None,
            )
            result[key] = _Operation(ref=ref, raw=op, path_item=item)
    return result


def _parameters(doc: Mapping[str, Any], op: _Operation, renames: Mapping[str, str]) -> dict[_OpKey, Parameter]:
    """Effective parameters keyed by (in, name): path-level ones overridden by operation-level ones.

    ``renames`` maps old path-parameter names to new ones, so a renamed ``{issueKey}`` is not reported
    as one parameter removed and another added.
    """
    result: dict[_OpKey, Parameter] = {}
    for source in (op.path_item.get("parameters"), op.raw.get("parameters")):
        if not isinstance(source, list):
            continue
        for entry in source:
            param = _deref(doc, entry)
            if not isinstance(param, Mapping) or "name" not in param or "in" not in param:
                # Keep unresolvable references visible under their $ref instead of dropping them.
                ref = entry.get("$ref") if isinstance(entry, Mapping) else None
                if isinstance(ref, str):
                    result[("$ref", ref)] = Parameter(location="$ref", name=ref)
                continue
            location, name = str(param["in"]), str(param["name"])
            if location == "path":
                name = renames.get(name, name)
            schema = param.get("schema")
            if schema is None and isinstance(param.get("content"), Mapping):
                schema = _media_schema(param["content"])
            result[(location, name)] = Parameter(
                location=location,
                name=name,
                required=location == "path" or param.get("required") is True,
                type=type_string(schema),
            )
    return result


def _media_schema(content: Mapping[str, Any]) -> Any:
    """Schema of the JSON media type if there is one, else of the first media type in sorted order."""
    if not content:
        return None
    for media_type in ("application/json", *sorted(content)):
        media = content.get(media_type)
        if isinstance(media, Mapping):
            return media.get("schema")
    return None


def _request_body(doc: Mapping[str, Any], op: _Operation) -> tuple[bool, str] | None:
    """(required, type string) of the request body, or None when the operation takes no body."""
    body = _deref(doc, op.raw.get("requestBody"))
    if not isinstance(body, Mapping):
        return None
    content = body.get("content")
    schema = _media_schema(content) if isinstance(content, Mapping) else None
    return body.get("required") is True, type_string(schema)


def _path_param_renames(old_path: str, new_path: str) -> dict[str, str]:
    """Old -> new path-parameter names, matched by position in two paths that normalise equally."""
    if old_path == new_path:
        return {}
    old_names, new_names = _PATH_PARAM.findall(old_path), _PATH_PARAM.findall(new_path)
    return {o: n for o, n in zip(old_names, new_names, strict=False) if o != n}


def _diff_operation(
    old_doc: Mapping[str, Any], new_doc: Mapping[str, Any], old: _Operation, new: _Operation
) -> OperationChange:
    """Compare one operation kept across versions (parameters, body, deprecation, identity)."""
    renames = _path_param_renames(old.ref.path, new.ref.path)
    old_params = _parameters(old_doc, old, renames)
    new_params = _parameters(new_doc, new, {})
    kept = sorted(old_params.keys() & new_params.keys())

    old_body, new_body = _request_body(old_doc, old), _request_body(new_doc, new)
    old_body_required = old_body is not None and old_body[0]
    new_body_required = new_body is not None and new_body[0]
    old_deprecated = old.raw.get("deprecated") is True
    new_deprecated = new.raw.get("deprecated") is True

    return OperationChange(
        old=old.ref,
        new=new.ref,
        parameters_added=tuple(new_params[k] for k in sorted(new_params.keys() - old_params.keys())),
        parameters_removed=tuple(old_params[k] for k in sorted(old_params.keys() - new_params.keys())),
        parameters_now_required=tuple(
            new_params[k] for k in kept if new_params[k].required and not old_params[k].required
        ),
        parameters_now_optional=tuple(
            new_params[k] for k in kept if old_params[k].required and not new_params[k].required
        ),
        parameters_type_changed=tuple(
            ParameterTypeChange(k[0], k[1], old_params[k].type, new_params[k].type)
            for k in kept
            if old_params[k].type != new_params[k].type
        ),
        request_body_added=old_body is None and new_body is not None,
        request_body_removed=old_body is not None and new_body is None,
        request_body_now_required=old_body is not None and new_body_required and not old_body_required,
        request_body_now_optional=new_body is not None and old_body_required and not new_body_required,
        request_body_type_change=(
            (old_body[1], new_body[1])
            if old_body is not None and new_body is not None and old_body[1] != new_body[1]
            else None
        ),
        newly_deprecated=new_deprecated and not old_deprecated,
        no_longer_deprecated=old_deprecated and not new_deprecated,
    )


def _op_sort_key(ref: OperationRef) -> tuple[str, int, str]:
    """Sort by path, then conventional method order (GET, PUT, POST, DELETE, ...)."""
    return (ref.path, _METHOD_ORDER.get(ref.method, len(_METHOD_ORDER)), ref.method)


# --------------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------------


def _flatten(schema: Any, schemas: Mapping[str, Any], seen: frozenset[str]) -> tuple[dict[str, Any], set[str]]:
    """Top-level properties and required names of a schema, with ``allOf`` members merged in.

    ``$ref`` members are followed into ``components.schemas`` (guarding against cycles) because an
    ``allOf: [{$ref: Base}, {...}]`` schema exposes Base's properties to SDK users too.
    """
    properties: dict[str, Any] = {}
    required: set[str] = set()
    if not isinstance(schema, Mapping):
        return properties, required
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = _ref_name(ref)
        if not ref.startswith("#/components/schemas/") or name in seen:
            return properties, required
        return _flatten(schemas.get(name), schemas, seen | {name})
    members = schema.get("allOf")
    if isinstance(members, list):
        for member in members:
            member_props, member_required = _flatten(member, schemas, seen)
            properties.update(member_props)
            required |= member_required
    own = schema.get("properties")
    if isinstance(own, Mapping):
        properties.update(own)
    own_required = schema.get("required")
    if isinstance(own_required, list):
        required.update(str(r) for r in own_required)
    return properties, required


def _diff_schema(name: str, old_schemas: Mapping[str, Any], new_schemas: Mapping[str, Any]) -> SchemaChange:
    """Compare one component schema kept across versions, one level deep."""
    old_props, old_req = _flatten(old_schemas[name], old_schemas, frozenset({name}))
    new_props, new_req = _flatten(new_schemas[name], new_schemas, frozenset({name}))
    old_types = {p: type_string(s) for p, s in old_props.items()}
    new_types = {p: type_string(s) for p, s in new_props.items()}
    kept = sorted(old_types.keys() & new_types.keys())
    old_kind, new_kind = type_string(old_schemas[name]), type_string(new_schemas[name])
    return SchemaChange(
        name=name,
        properties_added=tuple(
            Property(p, new_types[p], p in new_req) for p in sorted(new_types.keys() - old_types.keys())
        ),
        properties_removed=tuple(
            Property(p, old_types[p], p in old_req) for p in sorted(old_types.keys() - new_types.keys())
        ),
        properties_type_changed=tuple(
            PropertyTypeChange(p, old_types[p], new_types[p]) for p in kept if old_types[p] != new_types[p]
        ),
        properties_now_required=tuple(p for p in kept if p in new_req and p not in old_req),
        properties_now_optional=tuple(p for p in kept if p in old_req and p not in new_req),
        kind_change=(old_kind, new_kind) if old_kind != new_kind else None,
    )


# --------------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------------


def diff_specs(old: dict[str, Any], new: dict[str, Any]) -> SpecDiff:
    """Compare two parsed OpenAPI 3 documents; raises ValueError if either is not one.

    Operations are matched by (method, path with parameter names erased); parameters by (in, name)
    after resolving local ``$ref``s; component schemas by name.
    """
    _validate(old, "old")
    _validate(new, "new")
    old_ops, new_ops = _collect_operations(old), _collect_operations(new)

    changed = [
        change
        for key in old_ops.keys() & new_ops.keys()
        if (change := _diff_operation(old, new, old_ops[key], new_ops[key])).has_changes
    ]
    old_schemas, new_schemas = _schemas(old), _schemas(new)
    schema_changes = (_diff_schema(name, old_schemas, new_schemas) for name in old_schemas.keys() & new_schemas.keys())

    return SpecDiff(
        old=_info(old, len(old_ops)),
        new=_info(new, len(new_ops)),
        operations_added=tuple(sorted((new_ops[k].ref for k in new_ops.keys() - old_ops.keys()), key=_op_sort_key)),
        operations_removed=tuple(sorted((old_ops[k].ref for k in old_ops.keys() - new_ops.keys()), key=_op_sort_key)),
        operations_changed=tuple(sorted(changed, key=lambda c: _op_sort_key(c.new))),
        schemas_added=tuple(sorted(new_schemas.keys() - old_schemas.keys())),
        schemas_removed=tuple(sorted(old_schemas.keys() - new_schemas.keys())),
        schemas_changed=tuple(sorted((c for c in schema_changes if c.has_changes), key=lambda c: c.name)),
    )


def _cell(text: str) -> str:
    """Make text safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _code(text: str) -> str:
    """Inline code that survives backticks inside the text."""
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _op_line(ref: OperationRef) -> str:
    """``- `GET /path` (`operationId`) — summary``."""
    line = f"- {_code(ref.label)}"
    if ref.operation_id:
        line += f" ({_code(ref.operation_id)})"
    if ref.summary:
        line += f" — {ref.summary}"
    return line


def _param(p: Parameter | ParameterTypeChange) -> str:
    """``name`` (in), the way the Atlassian docs name parameters."""
    return f"{_code(p.name)} ({p.location})"


def _operation_details(change: OperationChange) -> Iterable[str]:
    """Nested bullets for one changed operation; order mirrors the dataclass fields."""
    if change.path_changed:
        yield f"path: {_code(change.old.path)} → {_code(change.new.path)}"
    if change.operation_id_changed:
        yield f"operationId: {_code(str(change.old.operation_id))} → {_code(str(change.new.operation_id))}"
    if change.newly_deprecated:
        yield "now deprecated"
    if change.no_longer_deprecated:
        yield "no longer deprecated"
    for p in change.parameters_added:
        yield f"parameter added: {_param(p)}{' **required**' if p.required else ''}"
    for p in change.parameters_removed:
        yield f"parameter removed: {_param(p)}"
    for p in change.parameters_now_required:
        yield f"parameter now required: {_param(p)}"
    for p in change.parameters_now_optional:
        yield f"parameter now optional: {_param(p)}"
    for t in change.parameters_type_changed:
        yield f"parameter type changed: {_param(t)} {_code(t.old_type)} → {_code(t.new_type)}"
    if change.request_body_added:
        yield "request body added"
    if change.request_body_removed:
        yield "request body removed"
    if change.request_body_now_required:
        yield "request body now required"
    if change.request_body_now_optional:
        yield "request body now optional"
    if change.request_body_type_change:
        old_type, new_type = change.request_body_type_change
        yield f"request body type changed: {_code(old_type)} → {_code(new_type)}"


def _schema_details(change: SchemaChange) -> Iterable[str]:
    """Nested bullets for one changed schema."""
    if change.kind_change:
        old_kind, new_kind = change.kind_change
        yield f"schema type changed: {_code(old_kind)} → {_code(new_kind)}"
    for p in change.properties_added:
        yield f"property added: {_code(p.name)} ({_code(p.type)}){' **required**' if p.required else ''}"
    for p in change.properties_removed:
        yield f"property removed: {_code(p.name)} ({_code(p.type)})"
    for t in change.properties_type_changed:
        yield f"property type changed: {_code(t.name)} {_code(t.old_type)} → {_code(t.new_type)}"
    for name in change.properties_now_required:
        yield f"property now required: {_code(name)}"
    for name in change.properties_now_optional:
        yield f"property now optional: {_code(name)}"


def _section(title: str, lines: list[str]) -> list[str]:
    """A ``##`` section that says "none" instead of vanishing, so readers know it was checked."""
    return [f"## {title}", "", *(lines or ["none"]), ""]


def render_markdown(diff: SpecDiff, old_label: str, new_label: str) -> str:
    """Render the diff as a Markdown report: header, summary counts, then one section per change kind."""
    out = [
        f"# API changes: {old_label} → {new_label}",
        "",
        f"| | Old ({_cell(old_label)}) | New ({_cell(new_label)}) |",
        "| --- | --- | --- |",
        f"| Title | {_cell(diff.old.title)} | {_cell(diff.new.title)} |",
        f"| Version | {_cell(diff.old.version)} | {_cell(diff.new.version)} |",
        f"| Operations | {diff.old.operation_count} | {diff.new.operation_count} |",
        f"| Schemas | {diff.old.schema_count} | {diff.new.schema_count} |",
        "",
        "## Summary",
        "",
        "| Change | Count |",
        "| --- | ---: |",
        f"| Operations added | {len(diff.operations_added)} |",
        f"| Operations removed | {len(diff.operations_removed)} |",
        f"| Operations changed | {len(diff.operations_changed)} |",
        f"| Schemas added | {len(diff.schemas_added)} |",
        f"| Schemas removed | {len(diff.schemas_removed)} |",
        f"| Schemas changed | {len(diff.schemas_changed)} |",
        "",
    ]
    out += _section("Operations added", [_op_line(ref) for ref in diff.operations_added])
    out += _section("Operations removed", [_op_line(ref) for ref in diff.operations_removed])
    changed_ops: list[str] = []
    for op_change in diff.operations_changed:
        changed_ops.append(_op_line(op_change.new))
        changed_ops.extend(f"  - {detail}" for detail in _operation_details(op_change))
    out += _section("Operations changed", changed_ops)
    out += _section("Schemas added", [f"- {_code(name)}" for name in diff.schemas_added])
    out += _section("Schemas removed", [f"- {_code(name)}" for name in diff.schemas_removed])
    changed_schemas: list[str] = []
    for schema_change in diff.schemas_changed:
        changed_schemas.append(f"- {_code(schema_change.name)}")
        changed_schemas.extend(f"  - {detail}" for detail in _schema_details(schema_change))
    out += _section("Schemas changed", changed_schemas)
    return "\n".join(out).rstrip("\n") + "\n"
