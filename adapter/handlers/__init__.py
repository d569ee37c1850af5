"""Named handlers: tools that compose several generated operations, or shape a query, in a few lines each.

A handler gets a HandlerContext (which calls operations by `<api>/<operationId>`) and the validated tool
arguments, and returns JSON for the tool's view.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..files import FilePolicy
from ..invoke import markdown_to_adf, markdown_to_storage, markdown_to_wiki

JSON = Any


Progress = Callable[..., Awaitable[None]]  # (done, total=None, message=None)


async def no_progress(done: float, total: float | None = None, message: str | None = None) -> None:
    """What a call reports when its client asked for no progress."""


class ToolError(Exception):
    """A failure the model should read and act on (wrong key, outside the configured filter, ...)."""


@dataclass
class HandlerContext:
    deployment: str  # "cloud" | "datacenter"
    site_url: str
    scope: tuple[str, ...]  # JIRA_PROJECTS_FILTER or CONFLUENCE_SPACES_FILTER; empty: no limit
    call: Callable[..., Awaitable[JSON]]  # call(ref, body=None, **python_kwargs) -> JSON
    # fetch(ref_or_url, limit, **python_kwargs) -> (bytes, content type): a file's bytes, from a generated operation
    # the tool lists or from a URL in the site's own answer (same host only); ToolError when it cannot
    fetch: Callable[..., Awaitable[tuple[bytes, str]]] | None = None
    principal: str = ""  # a digest of the credential in use: keys per-user caches, never the secret
    files: FilePolicy = field(default_factory=FilePolicy)  # the host's files uploads and downloads may use
    # progress(done, total, message): notifications/progress when the client gave a progress token, else nothing
    progress: Progress = no_progress

    @property
    def cloud(self) -> bool:
        return self.deployment == "cloud"


@dataclass
class WithContent:
    """A handler's JSON result plus MCP content blocks (images, files) that travel beside it in the tool result."""

    data: JSON
    content: list[Any] = field(default_factory=list)


def principal_of(*secrets: str | None) -> str:
    """A digest naming who calls (never the secret itself), so per-user caches are never served to another user."""
    import hashlib

    return hashlib.sha256("\0".join(s or "" for s in secrets).encode()).hexdigest()[:16]


Handler = Callable[[HandlerContext, dict[str, Any]], Awaitable[JSON]]
HANDLERS: dict[str, Handler] = {}


def handler(fn: Handler) -> Handler:
    """Register `fn` under its own name, the name manifests use."""
    if fn.__name__ in HANDLERS:
        raise ValueError(f"handler {fn.__name__!r} registered twice")
    HANDLERS[fn.__name__] = fn
    return fn


def split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def narrowed_scope(configured: tuple[str, ...], requested: str | None, upper: bool) -> list[str]:
    """The keys a query may touch: the configured filter is a hard limit that arguments only narrow."""
    asked = [k.upper() if upper else k for k in split(requested)]
    if not configured:
        return asked
    if not asked:
        return list(configured)
    kept = [k for k in asked if k in configured]
    if not kept:
        raise ToolError(f"none of {', '.join(asked)} is allowed; this server is limited to {', '.join(configured)}")
    return kept


def quoted_list(keys: list[str]) -> str:
    return ", ".join('"' + k.replace('"', '\\"') + '"' for k in keys)


def scoped_query(query: str, field: str, keys: list[str]) -> str:
    """`field in (keys) AND (query)`, keeping a trailing ORDER BY outside the parentheses."""
    if not keys:
        return query
    match = re.search(r"\s+ORDER\s+BY\s+[^\"']*$", query, flags=re.IGNORECASE)
    where, order = (query[: match.start()], query[match.start() :]) if match else (query, "")
    where = where.strip()
    scoped = f"{field} in ({quoted_list(keys)})" + (f" AND ({where})" if where else "")
    return scoped + order


@handler
async def jira_search(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    jql = scoped_query(args["jql"], "project", narrowed_scope(ctx.scope, args.get("projects_filter"), upper=True))
    fields = split(args.get("fields") or "summary,status,issuetype,priority,assignee,updated")
    expand = ",".join(dict.fromkeys(split(args.get("expand")) + (["names"] if args.get("use_display_names") else [])))
    if ctx.cloud:
        body = {"jql": jql, "fields": fields, "maxResults": args["limit"]}
        if args.get("page_token"):
            body["nextPageToken"] = args["page_token"]
        if expand:
            body["expand"] = expand
        return await ctx.call("jira-platform/searchAndReconsileIssuesUsingJqlPost", body=body)
    return await ctx.call(
        "jira-dc/search_1",
        jql=jql,
        fields=fields,
        max_results=args["limit"],
        start_at=args.get("start_at", 0),
        expand=expand or None,
    )


def _issue_change(ctx: HandlerContext, key: str, **facts: Any) -> JSON:
    return {"key": key, "url": f"{ctx.site_url}/browse/{key}", **{k: v for k, v in facts.items() if v}}


def _rich_fields(ctx: HandlerContext, fields: dict[str, Any]) -> dict[str, Any]:
    """Rich-text fields arrive as Markdown: ADF on Cloud (REST v3), wiki markup on Data Center (REST v2)."""
    for name in ("description", "environment"):
        if isinstance(fields.get(name), str):
            fields[name] = markdown_to_adf(fields[name]) if ctx.cloud else markdown_to_wiki(fields[name])
    return fields


@handler
async def jira_transition_issue(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    body: dict[str, Any] = {"transition": {"id": args["transition_id"]}}
    if args.get("fields") is not None:
        body["fields"] = _rich_fields(ctx, dict(args["fields"]))
    if args.get("comment"):
        comment = markdown_to_adf(args["comment"]) if ctx.cloud else markdown_to_wiki(args["comment"])
        body["update"] = {"comment": [{"add": {"body": comment}}]}
    api = "jira-platform" if ctx.cloud else "jira-dc"
    await ctx.call(f"{api}/doTransition", body=body, issue_id_or_key=args["issue_key"])
    return _issue_change(
        ctx, args["issue_key"], transition_id=args["transition_id"], updated=sorted(body.get("fields", {}))
    )


CQL_MARKERS = re.compile(r"[=~<>]|\b(AND|OR|NOT|IN|ORDER\s+BY)\b", flags=re.IGNORECASE)


@handler
async def confluence_search(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    query = args["query"].strip()
    if not CQL_MARKERS.search(query):
        escaped = query.replace("\\", "\\\\").replace('"', '\\"')
        query = f'{"siteSearch" if ctx.cloud else "text"} ~ "{escaped}"'
    cql = scoped_query(query, "space", narrowed_scope(ctx.scope, args.get("spaces_filter"), upper=False))
    ref = "confluence-v1/searchByCQL" if ctx.cloud else "confluence-dc/search_1"
    return await ctx.call(ref, cql=cql, limit=args["limit"])


def is_number(value: str) -> bool:
    """ASCII digits only: str.isdigit() is true for "³" and "١", which int() and Atlassian's ids refuse."""
    return value.isascii() and value.isdigit()


def _page_id(value: str, name: str = "page_id") -> str:
    """Confluence page ids are numbers (Cloud and Data Center); anything else is the caller's mistake."""
    if not is_number(value):
        raise ToolError(f"{name}: expected a numeric page id, got {value!r}")
    return value


def _check_space(ctx: HandlerContext, space_key: str | None) -> None:
    if ctx.scope and space_key not in ctx.scope:
        raise ToolError(f"space {space_key} is outside this server's spaces ({', '.join(ctx.scope)})")


async def _cloud_space(ctx: HandlerContext, *, key: str | None = None, space_id: str | None = None) -> JSON:
    found = await ctx.call(
        "confluence-v2/getSpaces", keys=[key] if key else None, ids=[int(space_id)] if space_id else None
    )
    results = (found or {}).get("results") or []
    if not results:
        raise ToolError(f"space {key or space_id} not found (or not visible to this account)")
    return results[0]


@handler
async def confluence_get_page(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    page_id, title, space_key = args.get("page_id"), args.get("title"), args.get("space_key")
    if not page_id and not (title and space_key):
        raise ToolError("give page_id, or title and space_key")
    if page_id:
        page_id = _page_id(page_id)
    if ctx.cloud:
        if page_id:
            page = await ctx.call("confluence-v2/getPageById", id=int(page_id), body_format="storage")
        else:
            _check_space(ctx, space_key)
            space = await _cloud_space(ctx, key=space_key)
            pages = await ctx.call(
                "confluence-v2/getPages", space_id=[int(space["id"])], title=title, body_format="storage"
            )
            results = (pages or {}).get("results") or []
            if not results:
                raise ToolError(f"no page titled {title!r} in space {space_key}")
            page = results[0]
            page.setdefault("spaceKey", space_key)
        if ctx.scope and "spaceKey" not in page:
            page["spaceKey"] = (await _cloud_space(ctx, space_id=page.get("spaceId")))["key"]
        _check_space(ctx, page.get("spaceKey"))
        return page
    expand = "body.storage,version,space,ancestors"
    if page_id:
        page = await ctx.call("confluence-dc/getContentById", id=page_id, expand=expand)
    else:
        _check_space(ctx, space_key)
        found = await ctx.call("confluence-dc/getContent", space_key=space_key, title=title, expand=expand)
        results = (found or {}).get("results") or []
        if not results:
            raise ToolError(f"no page titled {title!r} in space {space_key}")
        page = results[0]
    _check_space(ctx, (page.get("space") or {}).get("key"))
    return page


def _content(args: dict[str, Any]) -> str:
    """The page body as given: `content`, or the text of the local file `content_file` (empty: an empty page)."""
    if args.get("content_file"):
        if args.get("content"):
            raise ToolError("give content or content_file, not both")
        path = Path(args["content_file"]).expanduser()
        if not path.is_file():
            raise ToolError(f"content_file: no such file: {args['content_file']}")
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ToolError(f"content_file: cannot read {args['content_file']}: {exc}") from None
    return str(args.get("content") or "")


_H = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)


def _anchor(match: re.Match[str]) -> str:
    """An anchor macro named after the heading's text, so `[link](#name)` targets survive in Confluence."""
    name = re.sub(r"[^\w]+", "-", re.sub(r"<[^>]+>", "", match.group(2)).lower()).strip("-")
    macro = (
        '<ac:structured-macro ac:name="anchor" ac:schema-version="1">'
        f'<ac:parameter ac:name="">{name}</ac:parameter></ac:structured-macro>'
    )
    return f"<h{match.group(1)}>{macro}{match.group(2)}</h{match.group(1)}>"


def _storage(args: dict[str, Any]) -> str:
    """The page body in storage format: Markdown is converted, storage passes as given."""
    content = _content(args)
    if (args.get("content_format") or "markdown") not in ("markdown", "storage"):
        raise ToolError("content_format: expected markdown or storage")
    if (args.get("table_layout") or "default") not in ("default", "wide", "full-width"):
        raise ToolError("table_layout: expected default, wide or full-width")
    if args.get("content_format") == "storage":
        return content
    storage = markdown_to_storage(content) if content.strip() else ""
    if args.get("enable_heading_anchors"):
        storage = _H.sub(_anchor, storage)
    if args.get("table_layout"):
        # a table that carries its own layout (an HTML table read from the page) keeps it: one attribute only
        storage = re.sub(
            r"<table(?=[\s>])(?![^>]*\sdata-layout=)", f'<table data-layout="{args["table_layout"]}"', storage
        )
    return storage


# Page appearance lives in content properties on Cloud (the editor reads the `-published` ones).
_PROPERTIES = {"emoji": "emoji-title-published", "page_width": "content-appearance-published"}


def _property_values(ctx: HandlerContext, args: dict[str, Any]) -> dict[str, str]:
    """The content properties the arguments ask for; refused on Data Center, which has neither feature."""
    wanted = {name: args[name] for name in _PROPERTIES if args.get(name)}
    if wanted and not ctx.cloud:
        raise ToolError(f"{', '.join(wanted)}: title emoji and page width exist on Confluence Cloud only")
    if wanted.get("page_width", "full-width") not in ("full-width", "fixed-width"):
        raise ToolError("page_width: expected full-width or fixed-width")
    out = {}
    for name, value in wanted.items():
        if name == "emoji" and not re.fullmatch(r"[0-9a-f]+(-[0-9a-f]+)*", value):
            value = "-".join(f"{ord(c):x}" for c in value if c != "\ufe0f")  # what the editor stores: code points
        out[_PROPERTIES[name]] = value
    return out


async def _set_properties(ctx: HandlerContext, page_id: str, values: dict[str, str], created: bool) -> list[str]:
    """Create each property (a new page has none), or update it under its next version."""
    for key, value in values.items():
        existing = None
        if not created:
            found = await ctx.call("confluence-v2/getPageContentProperties", page_id=int(page_id), key=key)
            existing = next(iter((found or {}).get("results") or []), None)
        if existing:
            number = int((existing.get("version") or {}).get("number") or 0) + 1
            await ctx.call(
                "confluence-v2/updatePagePropertyById",
                body={"key": key, "value": value, "version": {"number": number}},
                page_id=int(page_id),
                property_id=int(existing["id"]),
            )
        else:
            body = {"key": key, "value": value}
            await ctx.call("confluence-v2/createPageProperty", body=body, page_id=int(page_id))
    return sorted(values)


def _written(page: JSON, args: dict[str, Any], storage: str, properties: list[str]) -> JSON:
    """The write's answer plus what the confirmation needs: the body only when asked, properties set."""
    if args.get("include_content"):
        page = {**page, "body": {"storage": {"value": storage}}}
    elif isinstance(page, dict):
        page = {k: v for k, v in page.items() if k != "body"}
    return {**page, "properties_set": properties} if properties else page


@handler
async def confluence_create_page(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    _check_space(ctx, args["space_key"])
    properties = _property_values(ctx, args)
    storage = _storage(args)
    if not ctx.cloud:
        if args.get("subtype"):
            raise ToolError("subtype: live docs exist on Confluence Cloud only")
        body: dict[str, Any] = {
            "type": "page",
            "title": args["title"],
            "space": {"key": args["space_key"]},
            "body": {"storage": {"value": storage, "representation": "storage"}},
        }
        if args.get("parent_id"):
            body["ancestors"] = [{"id": args["parent_id"]}]
        return _written(await ctx.call("confluence-dc/createContent", body=body), args, storage, [])
    space = await _cloud_space(ctx, key=args["space_key"])
    body = {
        "spaceId": str(space["id"]),
        "status": "current",
        "title": args["title"],
        "body": {"representation": "storage", "value": storage},
    }
    if args.get("parent_id"):
        body["parentId"] = args["parent_id"]
    if args.get("subtype"):
        body["subtype"] = args["subtype"]
    page = await ctx.call("confluence-v2/createPage", body=body)
    return _written(page, args, storage, await _set_properties(ctx, str(page["id"]), properties, created=True))


@handler
async def confluence_update_page(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """Reads the current version first: Confluence rejects an update that does not name the next one."""
    page_id = _page_id(args["page_id"])
    properties = _property_values(ctx, args)
    storage = _storage(args)
    if ctx.cloud:
        current = await ctx.call("confluence-v2/getPageById", id=int(page_id))
        if ctx.scope:
            _check_space(ctx, (await _cloud_space(ctx, space_id=current.get("spaceId")))["key"])
        body: dict[str, Any] = {
            "id": page_id,
            "status": "current",
            "title": args["title"],
            "body": {"representation": "storage", "value": storage},
            "version": {"number": current["version"]["number"] + 1, "message": args.get("version_comment") or ""},
        }
        if args.get("parent_id"):
            body["parentId"] = args["parent_id"]
        page = await ctx.call("confluence-v2/updatePage", body=body, id=int(page_id))
        return _written(page, args, storage, await _set_properties(ctx, page_id, properties, created=False))
    current = await ctx.call("confluence-dc/getContentById", id=page_id, expand="version,space")
    space_key = (current.get("space") or {}).get("key")
    _check_space(ctx, space_key)
    body = {
        "id": page_id,
        "type": current.get("type", "page"),
        "title": args["title"],
        "space": {"key": space_key},
        "body": {"storage": {"value": storage, "representation": "storage"}},
        "version": {
            "number": current["version"]["number"] + 1,
            "minorEdit": args.get("is_minor_edit", False),
            "message": args.get("version_comment") or "",
        },
    }
    if args.get("parent_id"):
        body["ancestors"] = [{"id": args["parent_id"]}]
    return _written(await ctx.call("confluence-dc/update_2", body=body, content_id=page_id), args, storage, [])


def _load_handler_modules() -> None:
    """Import every module of this package: each registers its handlers with @handler (one module per tool area)."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_load_handler_modules()
