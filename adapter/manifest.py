"""Load tool manifests (YAML), check every entry against the generated operation catalogues, build tools.

A manifest error is a start-up error naming the file, the tool and the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import pydantic

from . import catalogue
from .manifest_model import Binding, Manifest, Parameter, Source1, Tool

DEPLOYMENTS = ("cloud", "datacenter")
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


class ManifestError(Exception):
    """A manifest entry that cannot work, located as `file: tool: field: problem`."""


@dataclass(frozen=True)
class ToolSpec:
    """A checked tool: what the model sees and how each deployment runs it."""

    name: str
    title: str
    toolset: str
    product: str
    description: str
    parameters: dict[str, Parameter]
    bindings: dict[str, Binding]
    view: str
    annotations: dict[str, bool]
    result_limits: dict[str, str] = field(default_factory=dict)
    source: str = ""

    def input_schema(self) -> dict[str, Any]:
        properties = {name: _param_schema(p) for name, p in self.parameters.items()}
        required = [name for name, p in self.parameters.items() if p.required]
        schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
        if required:
            schema["required"] = required
        return schema

    def json_params(self) -> set[str]:
        """Object and array parameters that also take their JSON string (old clients, picky schema profiles)."""
        return {n for n, p in self.parameters.items() if p.json_string_ok and p.type.value in ("object", "array")}

    def operations(self, deployment: str) -> list[catalogue.Operation]:
        return [catalogue.find(ref) for ref in operation_refs(self.bindings[deployment])]


def operation_refs(binding: Binding) -> list[str]:
    """`<api>/<operationId>` of the operation a binding calls, or of those its handler uses."""
    refs = [binding.operation] if binding.operation else list(binding.uses or [])
    return [str(getattr(ref, "root", ref)) for ref in refs]


def _param_schema(param: Parameter) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": param.type.value}  # a JSON string (json_string_ok) is parsed before validation
    for key in ("description", "default", "enum", "items", "properties", "minimum", "maximum"):
        value = getattr(param, key)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a bound of an integer parameter is an integer (and 2 bytes shorter)
        if value is not None:
            schema[key] = value
    return schema


def source_param(source: Any) -> str | None:
    """The tool parameter a Source reads, if any."""
    root = getattr(source, "root", source)
    if isinstance(root, str):
        return root
    return root.param if isinstance(root, Source1) else None


def annotations_for(methods: Iterable[str], overrides: dict[str, bool]) -> dict[str, bool]:
    """MCP hints from the HTTP methods a tool uses (the most writing one decides), then the manifest's."""
    methods = set(methods)
    read_only = methods <= READ_METHODS
    destructive = bool(methods & {"PUT", "DELETE", "PATCH"})
    idempotent = read_only or not (methods & {"POST", "PATCH"})
    hints = {
        "readOnlyHint": read_only,
        "destructiveHint": destructive and not read_only,
        "idempotentHint": idempotent,
        "openWorldHint": True,
    }
    hints.update(overrides)
    return hints


def _fits(param: Parameter, schema: dict[str, Any], convert: str | None) -> bool:
    wanted = schema.get("type")
    have = param.type.value
    if wanted is None or convert in ("adf", "json", "names", "ids"):
        return True
    if isinstance(wanted, list):
        return have in wanted
    if convert == "split":
        return have == "string" and wanted == "array"
    scalar_as_text = wanted == "string" and have in ("boolean", "integer", "number")  # sent as text anyway
    return (
        have == wanted
        or scalar_as_text
        or (have == "integer" and wanted == "number")
        or (have, wanted)
        == (
            "string",
            "array",
        )
    )


class _Checker:
    def __init__(self, path: str, tool: Tool) -> None:
        self.path, self.tool = path, tool

    def fail(self, where: str, problem: str) -> ManifestError:
        return ManifestError(f"{self.path}: tool {self.tool.name}: {where}: {problem}")

    def check(self, handlers: set[str], views: set[str]) -> ToolSpec:
        tool = self.tool
        params = dict(tool.parameters or {})
        bindings = {d: b for d in DEPLOYMENTS if (b := getattr(tool, d)) is not None}
        if not bindings:
            raise self.fail("cloud/datacenter", "needs a binding for at least one deployment")
        used: set[str] = set()
        methods: set[str] = set()
        for deployment, binding in bindings.items():
            used |= self._check_binding(deployment, binding, params, handlers, methods)
        for key, param_name in (tool.result_limits or {}).items():
            if param_name not in params or params[param_name].type.value != "integer":
                raise self.fail(f"result_limits.{key}", f"{param_name!r} is not an integer parameter")
            used.add(param_name)
        if not any(b.handler for b in bindings.values()):
            unused = sorted(set(params) - used)
            if unused:
                raise self.fail("parameters", f"{', '.join(unused)} not mapped to the operation")
        view = tool.view or ""
        if view not in views:
            raise self.fail("view", f"unknown view {view!r}; known: {', '.join(sorted(views))}")
        overrides = tool.annotations.model_dump(exclude_none=True) if tool.annotations else {}
        return ToolSpec(
            name=tool.name,
            title=tool.title or tool.name,
            toolset=tool.toolset,
            product=tool.product.value,
            description=tool.description.strip(),
            parameters=params,
            bindings=bindings,
            view=view,
            annotations=annotations_for(methods, overrides),
            result_limits=dict(tool.result_limits or {}),
            source=self.path,
        )

    def _check_binding(
        self, deployment: str, binding: Binding, params: dict[str, Parameter], handlers: set[str], methods: set[str]
    ) -> set[str]:
        if bool(binding.operation) == bool(binding.handler):
            raise self.fail(deployment, "give exactly one of `operation` or `handler`")
        if binding.handler and binding.handler not in handlers:
            raise self.fail(f"{deployment}.handler", f"unknown handler {binding.handler!r}")
        refs = operation_refs(binding)
        if binding.handler and not refs:
            raise self.fail(f"{deployment}.uses", "list the operations the handler calls")
        operations = []
        for ref in refs:
            try:
                op = catalogue.find(ref)
            except KeyError as exc:
                raise self.fail(f"{deployment}.operation", str(exc).strip("'\"")) from exc
            if not catalogue.serves(op.api, deployment):
                raise self.fail(f"{deployment}.operation", f"{ref} is not a {deployment} API")
            if catalogue.PRODUCT_OF_API[op.api] != self.tool.product.value:
                raise self.fail(f"{deployment}.operation", f"{ref} is not a {self.tool.product.value} API")
            operations.append(op)
            methods.add(op.method)
        if binding.handler:
            return set(params)
        return self._check_mapping(deployment, binding, operations[0], params)

    def _check_mapping(
        self, deployment: str, binding: Binding, op: catalogue.Operation, params: dict[str, Parameter]
    ) -> set[str]:
        used: set[str] = set()
        op_params = op.parameters
        for name, source in (binding.arguments or {}).items():
            where = f"{deployment}.arguments.{name}"
            if name not in op_params:
                raise self.fail(where, f"{op.ref} has no parameter {name!r}; it has {', '.join(op_params)}")
            used |= self._check_source(where, source, params, op_params[name]["schema"])
        for name, spec in op_params.items():
            if spec["required"] and name not in (binding.arguments or {}):
                raise self.fail(f"{deployment}.arguments", f"required parameter {name!r} of {op.ref} is not mapped")
        body_sources = dict(binding.body or {})
        if (body_sources or binding.body_merge) and op.request_body is None:
            raise self.fail(f"{deployment}.body", f"{op.ref} takes no request body")
        if op.request_body and op.request_body["required"] and not (body_sources or binding.body_merge):
            raise self.fail(f"{deployment}.body", f"{op.ref} needs a request body; map some parameters into it")
        for path, source in body_sources.items():
            used |= self._check_source(f"{deployment}.body.{path}", source, params, {})
        for path, param_name in (binding.body_merge or {}).items():
            if param_name not in params or params[param_name].type.value != "object":
                raise self.fail(f"{deployment}.body_merge.{path}", f"{param_name!r} is not an object parameter")
            used.add(param_name)
        return used

    def _check_source(self, where: str, source: Any, params: dict[str, Parameter], schema: dict[str, Any]) -> set[str]:
        name = source_param(source)
        if name is None:
            return set()
        if name not in params:
            raise self.fail(where, f"unknown tool parameter {name!r}")
        root = getattr(source, "root", source)
        convert = root.convert.value if isinstance(root, Source1) and root.convert else None
        if not _fits(params[name], schema, convert):
            raise self.fail(where, f"a {params[name].type.value} parameter does not fit type {schema.get('type')}")
        return {name}


def _read(path: str, text: str) -> Manifest:
    import yaml  # here, not at import: a start from the compiled cache (manifest_cache.py) reads no YAML

    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise ManifestError(f"{path}: invalid YAML: {exc}") from exc
    try:
        return Manifest.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ManifestError(f"{path}: {where}: {first['msg']} ({exc.error_count()} problem(s))") from exc


def shipped_manifests() -> list[tuple[str, str]]:
    """Every `*.yaml` manifest shipped in adapter/manifests (one per tool area), by file name."""
    folder = files("adapter.manifests")
    return sorted((p.name, p.read_text()) for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_tools(
    extra: Iterable[Path] = (), handlers: set[str] | None = None, views: set[str] | None = None
) -> list[ToolSpec]:
    """The shipped manifests, then each extra file (whose tools add to or replace shipped ones), checked."""
    extra = list(extra)
    if handlers is None:
        from .handlers import HANDLERS

        handlers = set(HANDLERS)
    if views is None:
        from .views import VIEWS

        views = set(VIEWS)
    sources = [(f"adapter/manifests/{name}", text) for name, text in shipped_manifests()]
    for extra_path in extra:
        try:
            sources.append((str(extra_path), Path(extra_path).read_text()))
        except OSError as exc:
            raise ManifestError(f"{extra_path}: cannot read: {exc.strerror}") from exc
    tools: dict[str, ToolSpec] = {}
    shipped = len(sources) - len(extra)
    for index, (name, text) in enumerate(sources):
        seen: set[str] = set()
        for tool in _read(name, text).tools:
            if tool.name in seen:
                raise ManifestError(f"{name}: tool {tool.name}: name: defined twice in this file")
            if index < shipped and tool.name in tools:
                raise ManifestError(f"{name}: tool {tool.name}: name: also shipped in {tools[tool.name].source}")
            seen.add(tool.name)
            tools[tool.name] = _Checker(name, tool).check(handlers, views)
    return list(tools.values())
