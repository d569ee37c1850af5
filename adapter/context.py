"""Resources, argument completions and prompts, as adapter/context.yaml declares them.

Everything is answered by running read tools (or, for a completion no tool lists, one generated operation) through
the server's own call path, so read-only mode, the project/space filters and per-request credentials apply exactly
as to a tool call. resources/list stays empty (templates, not thousands of items); there is no resources/subscribe,
because Atlassian sends this server no change events it could honestly forward.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources import files
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from mcp import types
from mcp.shared.exceptions import MCPError

from . import catalogue

if TYPE_CHECKING:
    from .multiuser import Credential
    from .server import AtlassianServer

INVALID_PARAMS = -32602  # resources/read of an unknown resource (SEP-2164: -32602 with data.uri)
MAX_VALUES = 100  # completion/complete answers at most 100 values
CACHE_SECONDS = 300.0
FANOUT = 10  # a completion that needs another argument the client did not give tries this many of its values
VARIABLE = re.compile(r"\{(\w+)\}")


class ContextError(Exception):
    """adapter/context.yaml refers to a tool, argument or completion that does not exist."""


@dataclass(frozen=True)
class Template:
    uri: str
    name: str
    title: str
    description: str
    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)

    @property
    def variables(self) -> list[str]:
        return VARIABLE.findall(self.uri)

    def match(self, uri: str) -> dict[str, str] | None:
        pattern = "".join(
            f"(?P<{part[1:-1]}>[^/?#]+)" if VARIABLE.fullmatch(part) else re.escape(part)
            for part in re.split(r"(\{\w+\})", self.uri)
        )
        found = re.fullmatch(pattern, uri)
        return {k: unquote(v) for k, v in found.groupdict().items()} if found else None


def load() -> dict[str, Any]:
    import yaml

    data: dict[str, Any] = yaml.safe_load(files("adapter").joinpath("context.yaml").read_text())
    return data


class Context:
    """The server's resources, completions and prompts."""

    def __init__(self, server: AtlassianServer, data: dict[str, Any] | None = None) -> None:
        self.server, self._data = server, data
        self._cache: dict[tuple[Any, ...], tuple[float, list[str]]] = {}

    @cached_property
    def _declared(self) -> tuple[list[Template], dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        """Read and checked on first use, not at start-up (a start reads no YAML); a test checks the shipped file."""
        data = load() if self._data is None else self._data
        templates = [Template(**entry) for entry in data.get("resources") or []]
        completions = dict(data.get("completions") or {})
        prompts = {p["name"]: p for p in data.get("prompts") or []}
        self._check(templates, completions, prompts)
        return templates, completions, prompts

    @property
    def templates(self) -> list[Template]:
        return self._declared[0]

    @property
    def completions(self) -> dict[str, dict[str, Any]]:
        return self._declared[1]

    @property
    def prompts(self) -> dict[str, dict[str, Any]]:
        return self._declared[2]

    def _check(self, templates: list[Template], completions: dict[str, Any], prompts: dict[str, Any]) -> None:
        """Every name used exists and every tool used by a resource or completion only reads."""
        known = self.server.all_tools
        reads = [(f"resource {t.uri}", t.tool) for t in templates]
        reads += [(f"completion {n}", c["tool"]) for n, c in completions.items() if "tool" in c]
        uses = reads + [(f"prompt {n}", tool) for n, p in prompts.items() for tool in p.get("tools", [])]
        for where, tool in uses:
            if tool not in known:
                raise ContextError(f"adapter/context.yaml: {where}: unknown tool {tool!r}")
        for where, tool in reads:
            if not known[tool].annotations["readOnlyHint"]:
                raise ContextError(f"adapter/context.yaml: {where}: {tool} writes; resources and completions read")
        for name, spec in completions.items():
            for ref in (spec.get("operation") or {}).values():
                catalogue.find(ref)
            for needed in VARIABLE.findall(json.dumps(spec.get("arguments") or {})):
                if needed != "value" and needed not in completions:
                    raise ContextError(f"adapter/context.yaml: completion {name}: no completion for {{{needed}}}")

    # --- resources -------------------------------------------------------------------------------------------

    def resource_templates(self) -> list[types.ResourceTemplate]:
        """The templates whose tool this configuration serves."""
        return [
            types.ResourceTemplate(
                name=t.name, title=t.title, uri_template=t.uri, description=t.description, mime_type="text/markdown"
            )  # fmt: skip
            for t in self.templates
            if t.tool in self.server.tools
        ]

    async def read(self, uri: str, credential: Credential | None) -> types.ReadResourceResult:
        """The tool's text as Markdown, and its structured result as JSON beside it."""
        for template in self.templates:
            variables = template.match(uri)
            if variables is None or template.tool not in self.server.tools:
                continue
            result = await self.server.call_tool(template.tool, {**template.arguments, **variables}, credential)
            text = " ".join(getattr(block, "text", "") for block in result.content)
            if result.is_error:
                raise MCPError(INVALID_PARAMS, f"{uri}: {text}", {"uri": uri})
            structured = json.dumps(result.structured_content, ensure_ascii=False, separators=(",", ":"))
            return types.ReadResourceResult(contents=[
                types.TextResourceContents(uri=uri, mime_type="text/markdown", text=text),
                types.TextResourceContents(uri=uri, mime_type="application/json", text=structured),
            ])  # fmt: skip
        raise MCPError(INVALID_PARAMS, f"resource not found: {uri}", {"uri": uri})

    # --- prompts ---------------------------------------------------------------------------------------------

    def list_prompts(self) -> list[types.Prompt]:
        """The prompts whose tools this configuration serves, all of them."""
        return [
            types.Prompt(
                name=name,
                title=p.get("title"),
                description=p["description"] + " Uses: " + ", ".join(p["tools"]) + ".",
                arguments=[types.PromptArgument(**a) for a in p.get("arguments") or []],
            )  # fmt: skip
            for name, p in self.prompts.items()
            if all(tool in self.server.tools for tool in p["tools"])
        ]

    def get_prompt(self, name: str, arguments: dict[str, str] | None) -> types.GetPromptResult:
        prompt = self.prompts.get(name)
        if prompt is None or name not in {p.name for p in self.list_prompts()}:
            raise MCPError(INVALID_PARAMS, f"unknown prompt {name!r}")
        given = dict(arguments or {})
        missing = [a["name"] for a in prompt.get("arguments") or [] if a.get("required") and not given.get(a["name"])]
        if missing:
            raise MCPError(INVALID_PARAMS, f"prompt {name}: missing argument(s) {', '.join(missing)}")
        for argument in prompt.get("arguments") or []:
            given.setdefault(argument["name"], "(any)")
        text = VARIABLE.sub(lambda m: given.get(m[1], m[0]), prompt["text"])
        message = types.PromptMessage(role="user", content=types.TextContent(type="text", text=text))
        return types.GetPromptResult(description=prompt["description"], messages=[message])

    # --- completions -----------------------------------------------------------------------------------------

    async def complete(self, params: types.CompleteRequestParams, credential: Credential | None) -> types.Completion:
        """Values of one argument of a resource template or prompt that start with (or else contain) what was typed."""
        name, typed = params.argument.name, params.argument.value
        if name not in self._arguments_of(params.ref) or name not in self.completions:
            return types.Completion(values=[])
        context = dict(params.context.arguments or {}) if params.context else {}
        values = await self._values(name, typed, context, credential, fanout=True)
        low = typed.lower()
        ranked = [v for v in values if v.lower().startswith(low)] + [
            v for v in values if low in v.lower() and not v.lower().startswith(low)
        ]
        return types.Completion(values=ranked[:MAX_VALUES], total=len(ranked), has_more=len(ranked) > MAX_VALUES)

    def _arguments_of(self, ref: Any) -> list[str]:
        if isinstance(ref, types.ResourceTemplateReference):
            return next((t.variables for t in self.templates if t.uri == ref.uri), [])
        prompt = self.prompts.get(getattr(ref, "name", ""))
        return [a["name"] for a in (prompt or {}).get("arguments") or []]

    async def _values(
        self, name: str, typed: str, context: dict[str, str], credential: Credential | None, *, fanout: bool
    ) -> list[str]:
        spec = self.completions[name]
        arguments = spec.get("arguments") or {}
        needed = sorted(set(VARIABLE.findall(json.dumps(arguments))) - {"value"} - set(context))
        if needed:  # e.g. sprints need a board: try the first few boards the user can see
            if not fanout or len(needed) > 1:
                return []
            choices = (await self._values(needed[0], "", context, credential, fanout=False))[:FANOUT]
            merged: list[str] = []
            for choice in choices:
                merged += await self._values(name, typed, {**context, needed[0]: choice}, credential, fanout=False)
            return list(dict.fromkeys(merged))
        filled = {key: _fill(value, {**context, "value": typed}) for key, value in arguments.items()}
        filled = {key: value for key, value in filled.items() if value != ""}
        key = (name, json.dumps(filled, sort_keys=True), _who(credential))
        cached = self._cache.get(key)
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        try:
            data = await self._answer(spec, filled, credential)
        except MCPError:
            return []
        values = list(dict.fromkeys(str(v) for v in _pluck(data, spec["values"]) if v not in (None, "")))
        if len(self._cache) > 1000:
            self._cache.clear()
        self._cache[key] = (time.monotonic(), values)
        return values

    async def _answer(self, spec: dict[str, Any], arguments: dict[str, Any], credential: Credential | None) -> Any:
        if "tool" in spec:
            tool = self.server.all_tools[spec["tool"]]
            try:
                structured, _, _ = await self.server._run_tool(tool, dict(arguments), credential)
            except Exception as exc:  # a completion is a hint: any failure means no values
                raise MCPError(INVALID_PARAMS, str(exc)) from exc
            return structured
        product = catalogue.PRODUCT_OF_API[next(iter(spec["operation"].values())).partition("/")[0]]
        try:
            site = await self.server.site(product, credential)
            ref = spec["operation"].get(site.config.deployment)
            if ref is None:
                return None
            return await site.call(catalogue.find(ref), arguments)
        except Exception as exc:
            raise MCPError(INVALID_PARAMS, str(exc)) from exc


def _fill(value: Any, given: dict[str, str]) -> Any:
    if not isinstance(value, str):
        return value
    if VARIABLE.fullmatch(value):
        return given.get(value[1:-1], "")
    return VARIABLE.sub(lambda m: given.get(m[1], ""), value)


def _pluck(data: Any, path: str) -> list[Any]:
    """`issues[].key` of an answer: a dotted path where `[]` walks a list."""
    found = [data]
    for part in path.split("."):
        step = part.removesuffix("[]")
        found = [item.get(step) if isinstance(item, dict) else None for item in found]
        if part.endswith("[]"):
            found = [x for item in found if isinstance(item, list) for x in item]
    return found


def _who(credential: Credential | None) -> str:
    """Which caller a cached completion belongs to (a digest, never the secret)."""
    from .handlers import principal_of

    if credential is None:
        return "server"
    return principal_of(credential.scheme, credential.secret, *sorted(credential.tokens.values()),
                        *sorted(credential.urls.values()))  # fmt: skip
