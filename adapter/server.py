"""The MCP server: which tools this configuration serves, and how a call runs.

A call: validate arguments against the tool's input schema -> access checks -> manifest mapping (or a
handler) -> generated operation on the site's pooled client -> view -> structuredContent + compact text.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import mcp.types as types
from mcp.server import Server

from . import catalog_mode, catalogue, client_log, invoke, multiuser, schema_profiles
from .config import ConfigError, Product, ProductConfig, Settings
from .handlers import HANDLERS, HandlerContext, Progress, ToolError, WithContent, no_progress, principal_of
from .manifest import ToolSpec
from .multiuser import Credential
from .views import ViewContext, get_view

if TYPE_CHECKING:  # imported on first use: start-up only needs what answers tools/list
    import httpx
    import jsonschema
    from jira_sdk import Client

log = logging.getLogger("atlassian_mcp")

DEFAULT_TOOLSETS = (
    "jira_issues",
    "jira_fields",
    "jira_comments",
    "jira_transitions",
    "confluence_pages",
    "confluence_comments",
)
KNOWN_TOOLSETS = (
    *DEFAULT_TOOLSETS,
    "jira_projects", "jira_agile", "jira_service_desk", "jira_links", "jira_forms", "jira_metrics", "jira_users",
    "jira_development", "jira_watchers", "jira_project_analysis", "jira_attachments", "jira_worklog",
    "confluence_attachments", "confluence_permissions", "confluence_templates", "confluence_labels",
    "confluence_users", "confluence_analytics",
)  # fmt: skip
PRODUCT_NAMES = {"jira": "Jira", "confluence": "Confluence"}
CLOUD_ID = re.compile(r"[A-Za-z0-9-]{1,64}")  # goes into a URL path: a UUID in practice, never "/" or ".."
TENANT_INFO = "jira-platform/getTenantInfo"  # the one operation the server calls by itself, not for a tool


@cache
def upstream_errors() -> tuple[type[Exception], ...]:
    """The SDKs' AtlassianError classes (each SDK ships its own copy of the runtime)."""
    import confluence_sdk
    import jira_sdk

    return (jira_sdk.AtlassianError, confluence_sdk.AtlassianError)


@dataclass
class Site:
    """One configured product: its URL, deployment and one pooled HTTP transport shared by its API clients."""

    config: ProductConfig
    transport: httpx.AsyncBaseTransport | None = None
    clients: dict[str, Client] = field(default_factory=dict)
    sign_ins: dict[str, httpx.Auth] = field(default_factory=dict)  # OAuth sign-ins, shared with the other site
    found_cloud_id: str | None = None  # asked of the site when not configured
    asking: asyncio.Lock = field(default_factory=asyncio.Lock)  # one tenant-info request for parallel first calls

    @property
    def api_root(self) -> str:
        """Where API calls go: the Cloud API gateway under OAuth, otherwise the site root."""
        oauth = self.config.oauth
        if oauth is not None and oauth.cloud_id:
            return f"{oauth.api_url.rstrip('/')}/ex/{self.config.product}/{oauth.cloud_id}"
        return self.root

    def oauth_auth(self) -> httpx.Auth:
        """The refreshing OAuth auth of this site's sign-in; Jira and Confluence share one when it is the same."""
        from .auth import OAuthAuth, TokenStore

        oauth = self.config.oauth
        assert oauth is not None
        key = oauth.store_key(self.config.url)
        if key not in self.sign_ins:
            self.sign_ins[key] = OAuthAuth(oauth, TokenStore(key), self.transport)
        return self.sign_ins[key]

    @property
    def root(self) -> str:
        """The site root the API paths hang off: Confluence Cloud URLs are usually given with `/wiki`."""
        url = self.config.url
        if self.config.product == "confluence" and self.config.deployment == "cloud":
            return url.removesuffix("/wiki")
        return url

    def client(self, api: str) -> Client:
        """The SDK client for one API of this site (created once; all share the site's connection pool)."""
        if api not in self.clients:
            import httpx
            from jira_sdk import Client

            options = self.config.client_options()
            proxied = options.pop("async_transport", None)  # present when a proxy applies
            if self.transport is None:
                self.transport = proxied or httpx.AsyncHTTPTransport(verify=options.get("verify_ssl", True))
            if self.config.oauth is not None and self.config.oauth.client_id:
                options["auth"] = self.oauth_auth()
            self.clients[api] = Client(base_url=self.base_url(api), async_transport=self.transport, **options)
        return self.clients[api]

    def base_url(self, api: str) -> str:
        """The site (or gateway) plus the API's base path; an API Atlassian serves on its own host (the Forms
        API) goes to the configured gateway under the site's cloud id (`cloud_id()` first)."""
        found = catalogue.header(api)
        if "server" not in found:
            return self.api_root + str(found["base_path"])
        cloud_id = self.config.cloud_id or self.found_cloud_id
        if not cloud_id or not CLOUD_ID.fullmatch(cloud_id):
            raise ToolError(f"no valid cloud id for {self.root} ({cloud_id!r}): set ATLASSIAN_OAUTH_CLOUD_ID")
        path = urlsplit(str(found["server"])).path.replace("{cloudId}", cloud_id)
        return self.config.api_gateway.rstrip("/") + path + str(found["base_path"])

    async def call(self, op: catalogue.Operation, kwargs: dict[str, Any], body: Any = None) -> Any:
        """Run one generated operation on this site."""
        if op.api not in self.clients and "server" in catalogue.header(op.api):
            await self.cloud_id()
        return await invoke.call(op, self.client(op.api), kwargs, body)

    async def cloud_id(self) -> str:
        """The site's cloud id: configured (ATLASSIAN_OAUTH_CLOUD_ID, OAuth, X-Atlassian-Cloud-Id), else asked of the
        site once (its tenant information needs no sign-in)."""
        if self.config.cloud_id:
            return self.config.cloud_id
        async with self.asking:
            if self.found_cloud_id is None:
                tenant = catalogue.find(TENANT_INFO)
                failures: tuple[type[Exception], ...] = (invoke.UnexpectedAnswer, *upstream_errors())
                try:
                    answer = await invoke.call(tenant, self.client(tenant.api), {})
                except failures as exc:
                    raise ToolError(
                        f"could not learn the cloud id of {self.root} ({exc}): set ATLASSIAN_OAUTH_CLOUD_ID"
                    ) from exc
                found = str((answer or {}).get("cloudId") or "") if isinstance(answer, dict) else ""
                if not found:
                    raise ToolError(f"{self.root} named no cloud id: set ATLASSIAN_OAUTH_CLOUD_ID")
                self.found_cloud_id = found
        return self.found_cloud_id

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()


PAGING_HINT = "ask for fewer fields or a smaller limit, or page on (start_at / page_token / cursor of this tool)"


def cap_size(
    structured: dict[str, Any], render: Callable[[dict[str, Any]], str], limit: int
) -> tuple[dict[str, Any], str]:
    """Keep a result under `limit` characters (text and JSON): cut the longest list, else the longest text, and
    record what was cut in `truncated`, so the model knows and can ask for the rest. Never silent."""
    text = render(structured)
    if max(len(text), len(json.dumps(structured, ensure_ascii=False))) <= limit:
        return structured, text
    lists = {k: v for k, v in structured.items() if isinstance(v, list) and v}
    if lists:
        key = max(lists, key=lambda k: len(json.dumps(lists[k], ensure_ascii=False)))
        items, low, high = lists[key], 0, len(lists[key])
        while low < high:  # the most items that fit
            middle = (low + high + 1) // 2
            trial = {**structured, key: items[:middle]}
            fits = max(len(render(trial)), len(json.dumps(trial, ensure_ascii=False))) <= limit - 300
            low, high = (middle, high) if fits else (low, middle - 1)
        cut = {**structured, key: items[:low]}
        cut["truncated"] = {"list": key, "shown": low, "omitted": len(items) - low, "hint": PAGING_HINT}
        note = f"[truncated: {low} of {len(items)} {key} shown (size cap {limit} characters); {PAGING_HINT}]"
        return cut, render(cut) + "\n" + note
    texts = {k: v for k, v in structured.items() if isinstance(v, str)}
    if not texts:
        return structured, text
    longest = max(texts, key=lambda k: len(texts[k]))
    keep = max(0, limit - (len(text) - len(texts[longest])) - 300)
    cut = {**structured, longest: texts[longest][:keep]}
    cut["truncated"] = {"field": longest, "shown_chars": keep, "total_chars": len(texts[longest])}
    note = f"[truncated: {longest} cut at {keep} of {len(texts[longest])} characters (size cap {limit} characters)]"
    return cut, render(cut) + "\n" + note


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def select_tools(settings: Settings, tools: list[ToolSpec]) -> list[ToolSpec]:
    """The tools this configuration serves (also the only ones it lets a client call), sorted by name."""
    names = {t.name for t in tools}
    toolsets = set(settings.toolsets)
    if "all" in toolsets:
        toolsets = {t.toolset for t in tools} | set(KNOWN_TOOLSETS)
    if "default" in toolsets:
        toolsets |= set(DEFAULT_TOOLSETS)
    unknown = sorted(
        toolsets - set(KNOWN_TOOLSETS) - {t.toolset for t in tools} - {"all", "default", catalog_mode.TOOLSET}
    )
    if unknown:
        raise ConfigError(f"unknown toolset(s): {', '.join(unknown)}; known: all, default, {', '.join(KNOWN_TOOLSETS)}")
    if settings.enabled_tools is not None:
        missing = sorted(set(settings.enabled_tools) - names)
        if missing:
            raise ConfigError(f"unknown tool(s) in ENABLED_TOOLS: {', '.join(missing)}")
    served = []
    for tool in tools:
        product: ProductConfig | None = getattr(settings, tool.product)
        if product is None or product.deployment not in tool.bindings:
            continue
        if tool.toolset not in toolsets:
            continue
        if settings.enabled_tools is not None and tool.name not in settings.enabled_tools:
            continue
        if settings.read_only and not tool.annotations["readOnlyHint"]:
            continue
        served.append(tool)
    return sorted(served, key=lambda t: t.name)


def tool_definition(tool: ToolSpec, profile: str = "default") -> types.Tool:
    return types.Tool(
        name=tool.name,
        title=tool.title,
        description=tool.description,
        input_schema=schema_profiles.publish(tool.input_schema(), profile, tool.json_params()),
        output_schema=get_view(tool.view).output_schema,
        annotations=types.ToolAnnotations(title=tool.title, **_snake(tool.annotations)),
    )


def json_arguments(tool: ToolSpec, args: dict[str, Any]) -> dict[str, Any]:
    """Parse the JSON-string form of object and array arguments (old clients, picky schema profiles), so the
    schema declares one type and still validates what was meant."""
    for name in tool.json_params() & set(args):
        if isinstance(args[name], str):
            args[name] = invoke.json_argument(name, args[name])
            wanted = dict if tool.parameters[name].type.value == "object" else list
            if not isinstance(args[name], wanted):
                raise invoke.ArgumentError(f"{name}: expected a JSON {tool.parameters[name].type.value}")
    return args


def _snake(hints: Mapping[str, bool]) -> dict[str, bool]:
    return {"read_only_hint": hints["readOnlyHint"], "destructive_hint": hints["destructiveHint"],
            "idempotent_hint": hints["idempotentHint"], "open_world_hint": hints["openWorldHint"]}  # fmt: skip


def validation_message(error: jsonschema.ValidationError, schema: dict[str, Any]) -> str:
    """One line naming the argument and what would be valid."""
    if error.validator == "required":
        return f"missing required argument: {error.message.split(' ')[0]}"
    if error.validator == "additionalProperties":
        known = ", ".join(sorted(schema.get("properties", {})))
        return f"{error.message}; valid arguments: {known}"
    name = ".".join(str(p) for p in error.absolute_path) or "arguments"
    return f"{name}: {error.message}"


def error_result(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=message)], is_error=True)


def logged_error(level: str, tool: str, message: str) -> types.CallToolResult:
    """The tool error, also sent to the client's log (`notifications/message`), masked."""
    client_log.note(level, f"{tool}: {message}")
    return error_result(message)


def describe_upstream_error(product: str, error: Any) -> str:
    hint = {
        401: "check the credentials (username and API token, or personal access token)",
        403: "the account lacks permission for this",
        404: "check the key or id; it may also be invisible to this account",
        409: "someone changed it meanwhile; read it again and retry",
        429: "rate limited; wait and retry",
    }.get(error.status_code, "")
    detail = "; ".join(error.error_messages + [f"{k}: {v}" for k, v in error.errors.items()])
    return f"{PRODUCT_NAMES[product]} answered {error.status_code}: {detail or 'no details'}" + (
        f" ({hint})" if hint else ""
    )


def same_origin(url: str, root: str) -> bool:
    """Same scheme, host and port: where the site's credentials may go."""
    import httpx

    a, b = httpx.URL(url), httpx.URL(root)
    return (a.scheme, a.host, a.port or a.scheme) == (b.scheme, b.host, b.port or b.scheme)


async def fetch_file(
    site: Site, allowed: Mapping[str, catalogue.Operation], source: str, limit: int, **kwargs: Any
) -> tuple[bytes, str]:
    """A file's bytes and content type: from a generated operation the tool lists (`<api>/<id>`), or from a URL
    in the site's own answer. Credentials go only to the site's host: a URL elsewhere is refused, and a redirect
    elsewhere (Atlassian's media store) is followed without them. More than `limit` bytes is refused."""
    import httpx

    op = allowed.get(source)
    sdk_client = site.client(op.api if op else next(iter(allowed.values())).api)
    client = sdk_client.get_async_httpx_client()
    try:
        if op is not None:
            response = await op.module().asyncio_raw(client=sdk_client, **kwargs)
            url = str(response.url)
        else:
            url = str(httpx.URL(site.root + "/").join(source))
            if not same_origin(url, site.root):
                raise ToolError(f"not fetched: {url} is not on the site's host")
            response = await client.get(url)
        for _hop in range(5):
            if not response.is_redirect:
                break
            if "location" not in response.headers:
                raise ToolError(f"download answered {response.status_code} without a Location")
            url = str(httpx.URL(url).join(response.headers["location"]))
            if same_origin(url, site.root):
                response = await client.get(url)
            else:  # the site's network path, none of its credentials (not closed: the transport is the site's)
                bare = httpx.AsyncClient(transport=site.transport, timeout=site.config.timeout)
                response = await bare.get(url)
    except upstream_errors() as exc:
        raise ToolError(describe_upstream_error(site.config.product, exc)) from exc
    except httpx.TransportError as exc:
        raise ToolError(f"could not download: {type(exc).__name__}") from exc
    if response.status_code >= 300:
        raise ToolError(f"download answered {response.status_code}")
    if len(response.content) > limit:
        raise ToolError(f"{len(response.content)} bytes, over the {limit}-byte limit")
    return response.content, response.headers.get("content-type", "application/octet-stream").split(";")[0]


class AtlassianServer:
    """Serves the selected tools for one configuration: the server's own credentials in `sites`, and over HTTP
    each user's own, in per-credential pools (`user_sites`) so no client or cache is shared between users."""

    def __init__(self, settings: Settings, tools: list[ToolSpec], transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        self.tools = {t.name: t for t in select_tools(settings, tools)}
        self.all_tools = {t.name: t for t in tools}  # what resources and completions may read through (context.py)
        sign_ins: dict[str, httpx.Auth] = {}
        self.sites = {
            product: Site(config, transport, sign_ins=sign_ins)
            for product in ("jira", "confluence")
            if (config := getattr(settings, product)) is not None
        }
        mu = settings.multiuser
        self.user_sites = multiuser.Pools(mu.pool_size, mu.pool_idle, lambda config: Site(config, transport))
        self.resources = multiuser.AccessibleResources(mu.oauth_api_url, transport)
        self.catalog = catalog_mode.TOOLSET in settings.toolsets and bool(self.sites)
        self._validators: dict[str, Any] = {}  # tool name -> jsonschema validator, built on its first call
        if self.catalog and any(site.config.filter for site in self.sites.values()):
            raise ConfigError(
                "toolset catalog cannot enforce JIRA_PROJECTS_FILTER / CONFLUENCE_SPACES_FILTER on arbitrary "
                "operations; drop the filter or the catalog toolset"
            )

    def list_tools(self) -> list[types.Tool]:
        profile = self.settings.schema_profile
        listed = [tool_definition(tool, profile) for tool in self.tools.values()]
        if self.catalog:
            for name, spec in catalog_mode.DEFINITIONS.items():
                listed.append(
                    types.Tool(
                        name=name,
                        title=spec["title"],
                        description=spec["description"],
                        input_schema=schema_profiles.publish(spec["input_schema"], profile),
                        output_schema=catalog_mode.OUTPUT_SCHEMA,
                        annotations=types.ToolAnnotations(title=spec["title"], **_snake(spec["annotations"])),
                    )
                )
        return sorted(listed, key=lambda t: t.name)

    async def site(self, product: str, credential: Credential | None) -> Site:
        """The site a call uses: the server's own, or the pool of the request's credential for that site."""
        base = self.sites.get(product)
        if credential is None or not self.settings.multiuser.header_auth:
            if base is None or base.config.per_request:
                raise ToolError("this server has no credentials of its own: send yours with the request")
            return base
        config = credential.config(cast(Product, product), base.config if base else None, self.settings.multiuser)
        site, evicted = self.user_sites.get(credential.key(config), config)
        for old in evicted:
            await old.aclose()
        return site

    async def call_tool(
        self,
        name: str,
        arguments: dict[str, Any] | None,
        credential: Credential | None = None,
        progress: Progress | None = None,
    ) -> types.CallToolResult:
        """Validate, run and shape one call; every failure becomes a tool error the model can act on."""
        import httpx
        import jsonschema

        args = dict(arguments or {})
        catalog = self.catalog and name in catalog_mode.DEFINITIONS
        tool = self.tools.get(name)
        if catalog:
            schema = catalog_mode.DEFINITIONS[name]["input_schema"]
            product = str(args.get("operation", "")).split("-")[0]  # jira-... / confluence-...
        elif tool is None:
            return error_result(f"unknown tool {name!r}; available: {', '.join(t.name for t in self.list_tools())}")
        else:
            schema, product = tool.input_schema(), tool.product
            try:
                args = json_arguments(tool, args)
            except invoke.ArgumentError as exc:
                return error_result(str(exc))
        args = schema_profiles.accepted_arguments(args, schema, self.settings.schema_profile)
        validator = self._validators.get(name)
        if validator is None:  # always the default schema: a profile changes what is shown, never what is accepted
            validator = self._validators[name] = jsonschema.Draft202012Validator(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(args))
        if error is not None:
            return error_result(validation_message(error, validator.schema))
        try:
            extra: list[Any] = []  # content blocks a handler sends beside the JSON (images, files)
            if catalog:
                structured, text = await self._run_catalog(name, args, credential)
            else:
                assert tool is not None
                structured, text, extra = await self._run_tool(tool, args, credential, progress)
            return types.CallToolResult(
                content=[types.TextContent(type="text", text=text), *extra], structured_content=structured
            )
        except (ToolError, invoke.ArgumentError, multiuser.Refused) as exc:
            return error_result(str(exc))
        except upstream_errors() as exc:
            message = describe_upstream_error(product if product in PRODUCT_NAMES else "jira", exc)
            return logged_error("error" if getattr(exc, "status_code", 0) >= 500 else "warning", name, message)
        except invoke.UnexpectedAnswer as exc:
            return logged_error("warning", name, f"{PRODUCT_NAMES.get(product, 'The site')} answered {exc}")
        except httpx.TransportError as exc:
            message = f"could not reach {PRODUCT_NAMES.get(product, 'the site')}: {type(exc).__name__}"
            return logged_error("error", name, message)
        except Exception as exc:  # a bug or an answer we did not expect: the server keeps serving
            log.exception("tool %s failed", name)
            return logged_error("error", name, f"{name} failed: {type(exc).__name__}: {exc}")

    async def _run_tool(
        self, tool: ToolSpec, args: dict[str, Any], credential: Credential | None, progress: Progress | None = None
    ) -> tuple[dict[str, Any], str, list[Any]]:
        for param_name, param in tool.parameters.items():
            if param_name not in args and param.default is not None:
                args[param_name] = param.default
        site = await self.site(tool.product, credential)
        if site.config.deployment not in tool.bindings:
            raise ToolError(f"{tool.name} is not available on {site.config.deployment} sites")
        self._check_scope(tool, site, args)
        data = await self._run(tool, site, args, progress)
        extra = data.content if isinstance(data, WithContent) else []
        data = data.data if isinstance(data, WithContent) else data
        view = get_view(tool.view)
        context = ViewContext(site_url=site.root, deployment=site.config.deployment, arguments=args)
        structured = view.project(data, context)
        self._apply_limits(tool, args, structured)
        structured, text = cap_size(structured, view.render, self.settings.max_result_chars)
        return structured, text, extra

    async def _run_catalog(
        self, name: str, args: dict[str, Any], credential: Credential | None
    ) -> tuple[dict[str, Any], str]:
        from .views import compact

        read_only = self.settings.read_only
        if name == catalog_mode.FIND:
            found = catalog_mode.find(self.sites, args, read_only)
            if args.get("include_schema"):
                return found, json.dumps(found, separators=(",", ":"), ensure_ascii=False)
            lines = [f"{o['operation']} · {o['method']} {o['path']} · {o['summary']}" for o in found["operations"]]
            return found, "\n".join(lines) or "no operation matches"
        op, kwargs, body = catalog_mode.prepare_call(self.sites, args, read_only)
        site = await self.site(catalogue.PRODUCT_OF_API[op.api], credential)
        data = await site.call(op, kwargs, body)
        data = compact(data) if data is not None else None
        limit = self.settings.max_result_chars
        if isinstance(data, dict):  # e.g. {"values": [...], "isLast": false}: cut the inner list
            data, text = cap_size(data, _json_text, limit)
            return {"operation": op.ref, "result": data}, text
        return cap_size({"operation": op.ref, "result": data}, lambda r: _json_text(r["result"]), limit)

    def _check_scope(self, tool: ToolSpec, site: Site, args: dict[str, Any]) -> None:
        """JIRA_PROJECTS_FILTER / CONFLUENCE_SPACES_FILTER are hard limits, checked before any request."""
        scope = site.config.filter
        if not scope:
            return
        if tool.product == "jira":
            for name in ("issue_key", "project_key"):
                if isinstance(args.get(name), str):
                    project = args[name].rsplit("-", 1)[0].upper() if name == "issue_key" else args[name].upper()
                    if project not in scope:
                        raise ToolError(f"project {project} is outside this server's projects ({', '.join(scope)})")
        elif isinstance(args.get("space_key"), str) and args["space_key"] not in scope:
            raise ToolError(f"space {args['space_key']} is outside this server's spaces ({', '.join(scope)})")

    async def _run(self, tool: ToolSpec, site: Site, args: dict[str, Any], progress: Progress | None = None) -> Any:
        binding = tool.bindings[site.config.deployment]
        if binding.handler:
            allowed = {op.ref: op for op in tool.operations(site.config.deployment)}

            async def call(ref: str, body: Any = None, **kwargs: Any) -> Any:
                op = allowed[ref]  # a handler calls only the operations its manifest entry lists
                kwargs = {k: v for k, v in kwargs.items() if v is not None}
                return await site.call(op, kwargs, body)

            async def fetch(source: str, limit: int, **kwargs: Any) -> tuple[bytes, str]:
                return await fetch_file(site, allowed, source, limit, **kwargs)

            config = site.config
            principal = principal_of(config.username, config.api_token, config.personal_token)
            context = HandlerContext(config.deployment, site.root, config.filter, call, fetch=fetch,
                                     principal=principal, files=self.settings.files,
                                     progress=progress or no_progress)  # fmt: skip
            return await HANDLERS[binding.handler](context, args)
        op = tool.operations(site.config.deployment)[0]
        kwargs, body = invoke.build_request(binding, op, args)
        return await site.call(op, kwargs, body)

    def _apply_limits(self, tool: ToolSpec, args: dict[str, Any], structured: dict[str, Any]) -> None:
        """Cap lists the caller limited (most recent kept) and say how many were left out: never silently."""
        for key, param in tool.result_limits.items():
            items = structured.get(key)
            limit = args.get(param)
            if isinstance(items, list) and isinstance(limit, int) and len(items) > limit:
                structured[key] = items[len(items) - limit :] if limit else []
                structured[f"{key}_omitted"] = len(items) - limit

    async def aclose(self) -> None:
        for site in self.sites.values():
            await site.aclose()
        await self.user_sites.aclose()

    def _context_handlers(self) -> dict[str, Any]:
        """Resources (templates), prompts and completions from adapter/context.yaml (adapter/context.py)."""
        from .context import Context

        context = Context(self)

        async def on_list_resources(ctx: Any, params: Any) -> types.ListResourcesResult:
            return types.ListResourcesResult(resources=[])  # templates only: no list of every issue and page

        async def on_list_templates(ctx: Any, params: Any) -> types.ListResourceTemplatesResult:
            return types.ListResourceTemplatesResult(resource_templates=context.resource_templates())

        async def on_read_resource(ctx: Any, params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
            return await context.read(str(params.uri), multiuser.request_credential(ctx.request))

        async def on_list_prompts(ctx: Any, params: Any) -> types.ListPromptsResult:
            return types.ListPromptsResult(prompts=context.list_prompts())

        async def on_get_prompt(ctx: Any, params: types.GetPromptRequestParams) -> types.GetPromptResult:
            return context.get_prompt(params.name, params.arguments)

        async def on_completion(ctx: Any, params: types.CompleteRequestParams) -> types.CompleteResult:
            completion = await context.complete(params, multiuser.request_credential(ctx.request))
            return types.CompleteResult(completion=completion)

        return {"on_list_resources": on_list_resources, "on_list_resource_templates": on_list_templates,
                "on_read_resource": on_read_resource, "on_list_prompts": on_list_prompts,
                "on_get_prompt": on_get_prompt, "on_completion": on_completion}  # fmt: skip

    def lowlevel(self) -> Server[Any]:
        """The mcp low-level server wired to this instance."""

        async def on_list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
            return types.ListToolsResult(tools=self.list_tools())

        async def on_call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
            credential = multiuser.request_credential(ctx.request)
            with client_log.call_log(ctx, self.settings, credential) as call_log:
                result = await self.call_tool(params.name, params.arguments, credential, ctx.session.report_progress)
            await call_log.flush()
            return result

        server: Server[Any] = Server(
            "atlassian-mcp",
            version="0.1.0",
            instructions="Jira and Confluence tools. Rich text is returned as the site stores it.",
            on_list_tools=on_list_tools,
            on_call_tool=on_call_tool,
            **self._context_handlers(),
        )
        # Log notifications: upstream errors and the SDKs' retries. Not in stateless mode: its JSON answers carry
        # no notifications (and it keeps no session to remember a level in), so it does not offer logging.
        if not self.settings.stateless:
            server.add_request_handler("logging/setLevel", types.SetLevelRequestParams, client_log.set_level)
            client_log.install_retry_forwarding()
        return server
