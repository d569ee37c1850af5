"""Confluence page tools beyond get/create/update: tree, children, history, diff, section edit, move, copy,
delete and restrictions. Cloud uses REST v2 where v2 has the operation, v1 where it has none (move, copy,
restrictions); Data Center uses its one REST API. Results have the same shape on both.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from . import JSON, HandlerContext, ToolError, _check_space, _cloud_space, _page_id, _storage, _written, handler

_DC_PAGE = "body.storage,version,space,ancestors"


async def _space_of(ctx: HandlerContext, page_id: str) -> str | None:
    """The space key of a page (one read); only needed when CONFLUENCE_SPACES_FILTER limits the server."""
    if ctx.cloud:
        page = await ctx.call("confluence-v2/getPageById", id=int(page_id))
        return str((await _cloud_space(ctx, space_id=page.get("spaceId")))["key"])
    page = await ctx.call("confluence-dc/getContentById", id=page_id, expand="space")
    return (page.get("space") or {}).get("key")


async def _guard(ctx: HandlerContext, page_id: str, name: str = "page_id") -> str:
    """A checked page id, inside the configured spaces (a hard limit: checked before any write)."""
    page_id = _page_id(page_id, name)
    if ctx.scope:
        _check_space(ctx, await _space_of(ctx, page_id))
    return page_id


async def _read_page(ctx: HandlerContext, page_id: str, version: int | None = None) -> JSON:
    """A page with its storage body (a given version, or the current one), space-checked: one call."""
    page_id = _page_id(page_id)
    if ctx.cloud:
        page = await ctx.call("confluence-v2/getPageById", id=int(page_id), body_format="storage", version=version)
        if ctx.scope:
            page["spaceKey"] = (await _cloud_space(ctx, space_id=page.get("spaceId")))["key"]
            _check_space(ctx, page["spaceKey"])
        return page
    status = "historical" if version is not None else None
    page = await ctx.call(
        "confluence-dc/getContentById",
        id=page_id,
        expand=_DC_PAGE,
        version=str(version) if version is not None else None,
        status=status,
    )
    _check_space(ctx, (page.get("space") or {}).get("key"))
    return page


def _body_of(page: JSON) -> str:
    body = page.get("body") or {}
    storage = body.get("storage") or {}
    return str(storage.get("value") or "")


def _version_of(page: JSON) -> int:
    return int((page.get("version") or {}).get("number") or 0)


# --- reads -------------------------------------------------------------------------------------------------


def _int_arg(args: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = args.get(name, default)
    if not low <= value <= high:
        raise ToolError(f"{name}: expected {low}..{high}, got {value}")
    return int(value)


@handler
async def confluence_get_page_children(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """One call for the list (v2 direct children: pages, folders, ...), one more for bodies when asked."""
    parent = await _guard(ctx, args["parent_id"], "parent_id")
    limit, start = _int_arg(args, "limit", 25, 1, 250), _int_arg(args, "start", 0, 0, 1_000_000)
    content = bool(args.get("include_content"))
    if not ctx.cloud:
        expand = "version,body.storage" if content else "version"
        found = await ctx.call(
            "confluence-dc/childrenOfType", id=parent, type_="page", expand=expand, start=str(start), limit=str(limit)
        )
        return {"parent_id": parent, **found}
    # v2 pages by cursor: an offset is served by reading start+limit items, 250 per call
    results: list[JSON] = []
    cursor: str | None = None
    while True:
        found = await ctx.call(
            "confluence-v2/getPageDirectChildren", id=int(parent), limit=min(250, start + limit - len(results)),
            cursor=cursor,
        )  # fmt: skip
        results += found.get("results") or []
        cursor = _cursor((found.get("_links") or {}).get("next"))
        if not cursor or len(results) >= start + limit:
            break
    found["results"] = results[start : start + limit]
    if content:
        ids = [int(r["id"]) for r in found["results"] if r.get("type", "page") == "page"]
        if ids:
            bodies = await ctx.call("confluence-v2/getPages", id=ids, body_format="storage", limit=len(ids))
            by_id = {str(p["id"]): p.get("body") for p in bodies.get("results") or []}
            for r in found["results"]:
                r["body"] = by_id.get(str(r["id"])) or r.get("body")
    if cursor or len(results) > start + limit:
        found["_links"] = {"next": f"?start={start + limit}"}
    else:
        found["_links"] = {}
    return {"parent_id": parent, "start": start, **found}


@handler
async def confluence_get_space_page_tree(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """Every page of a space (up to `limit`) with its parent, in as few calls as the API's page size allows."""
    key, limit = args["space_key"], _int_arg(args, "limit", 100, 1, 1000)
    _check_space(ctx, key)
    pages: list[JSON] = []
    more = False
    if ctx.cloud:
        space = await _cloud_space(ctx, key=key)
        cursor = None
        while len(pages) < limit:
            found = await ctx.call(
                "confluence-v2/getPagesInSpace",
                id=int(space["id"]),
                depth="all",
                limit=min(250, limit - len(pages)),
                cursor=cursor,
            )
            pages += found.get("results") or []
            nxt = (found.get("_links") or {}).get("next")
            cursor = _cursor(nxt)
            if not cursor:
                break
        more = bool(cursor)
    else:
        start = 0
        while len(pages) < limit:
            size = min(100, limit - len(pages))
            found = await ctx.call(
                "confluence-dc/getContent",
                space_key=key,
                type_="page",
                expand="ancestors",
                start=str(start),
                limit=str(size),
            )
            results = found.get("results") or []
            pages += results
            start += len(results)
            more = bool((found.get("_links") or {}).get("next"))
            if not more or not results:
                break
    return {"space": key, "pages": pages[:limit], "more": more, "limit": limit}


def _cursor(link: Any) -> str | None:
    match = re.search(r"[?&]cursor=([^&]+)", link) if isinstance(link, str) else None
    if not match:
        return None
    from urllib.parse import unquote

    return unquote(match.group(1))


@handler
async def confluence_get_page_history(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    return await _read_page(ctx, args["page_id"], _int_arg(args, "version", 1, 1, 1_000_000))


@handler
async def confluence_get_page_diff(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """A unified diff of two versions' Markdown: two reads (theirs makes eight)."""
    from ..content.storage import storage_to_markdown

    versions = [_int_arg(args, name, 1, 1, 1_000_000) for name in ("from_version", "to_version")]
    old = await _read_page(ctx, args["page_id"], versions[0])
    new = await _read_page(ctx, args["page_id"], versions[1])
    a, b = (storage_to_markdown(_body_of(p)).splitlines(keepends=True) for p in (old, new))
    name_a, name_b = f"v{args['from_version']}", f"v{args['to_version']}"
    diff = "".join(line if line.endswith("\n") else line + "\n" for line in difflib.unified_diff(a, b, name_a, name_b))
    out: JSON = {"page_id": str(args["page_id"]), "from_version": args["from_version"]}
    out["to_version"] = args["to_version"]
    if old.get("title") != new.get("title"):
        out["title_change"] = f"{old.get('title')} -> {new.get('title')}"
    out["diff"] = diff
    return out


@handler
async def confluence_get_page_restrictions(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    page_id = await _guard(ctx, args["page_id"])
    expand = "restrictions.user,restrictions.group"
    if ctx.cloud:
        found = await ctx.call("confluence-v1/getRestrictionsByOperation", id=page_id, expand=expand.split(","))
    else:
        found = await ctx.call("confluence-dc/byOperation", id=page_id, expand=expand)
    return {"page_id": page_id, "restrictions": found}


# --- writes ------------------------------------------------------------------------------------------------


@handler
async def confluence_delete_page(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    page_id = await _guard(ctx, args["page_id"])
    if ctx.cloud:
        await ctx.call("confluence-v2/deletePage", id=int(page_id))
    else:
        await ctx.call("confluence-dc/delete_3", id=page_id)
    return {"id": page_id, "done": "moved to the trash"}


_HEADING = re.compile(r"h([1-6])")
_TAG = re.compile(
    r"<!\[CDATA\[.*?\]\]>|<!--.*?-->|<\?.*?\?>|<!.*?>"
    r"|</([\w:.-]+)\s*>"
    r"|<([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>",
    re.S,
)


def _offsets(xhtml: str) -> list[tuple[int, int, int, int]]:
    """(start, end of start tag, start of end tag, end) of every element, in document order."""
    found: list[list[int]] = []
    stack: list[int] = []
    for m in _TAG.finditer(xhtml):
        if m.group(1):  # an end tag
            if stack:
                el = found[stack.pop()]
                el[2], el[3] = m.start(), m.end()
        elif m.group(2):
            found.append([m.start(), m.end(), m.end(), m.end()])
            if not m.group(4):
                stack.append(len(found) - 1)
    return [(a, b, c, d) for a, b, c, d in found]


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def replace_section(xhtml: str, heading: str, new: str) -> str:
    """`xhtml` with what follows `heading` up to the next heading of the same or a higher level (or the end of the
    heading's container) replaced by `new`. lxml finds the section; the original text is spliced, so every byte
    outside the section stays as it was (macros, entities, whitespace, CDATA)."""
    from ..content.storage import _parse

    root = _parse(xhtml)
    if root is None:
        raise ToolError("the page's storage XHTML is not well-formed; update the whole page instead")
    elements = [el for el in root.iter() if isinstance(el.tag, str)][1:]  # document order, without the wrapper
    offsets = _offsets(xhtml)
    if len(offsets) != len(elements):
        raise ToolError("could not locate the page's sections reliably; update the whole page instead")
    index = {id(el): i for i, el in enumerate(elements)}
    wanted = _words(heading.lstrip("#"))
    headings = [el for el in elements if _HEADING.fullmatch(str(el.tag))]
    match = next((h for h in headings if _words("".join(h.itertext())) == wanted), None)
    if match is None:
        known = "; ".join(" ".join("".join(h.itertext()).split()) for h in headings[:20])
        raise ToolError(f"heading_text: no heading {heading!r} on the page (headings: {known or 'none'})")
    level = int(str(match.tag)[1])

    def ends_section(el: Any) -> bool:
        for h in el.iter():
            found = _HEADING.fullmatch(str(h.tag)) if isinstance(h.tag, str) else None
            if found and int(found.group(1)) <= level:
                return True
        return False

    stop = next((s for s in match.itersiblings() if isinstance(s.tag, str) and ends_section(s)), None)
    if stop is not None:
        end = offsets[index[id(stop)]][0]
    else:
        parent = match.getparent()
        end = offsets[index[id(parent)]][2] if parent is not root else len(xhtml)
    begin = offsets[index[id(match)]][3]
    return xhtml[:begin] + new + xhtml[end:]


@handler
async def confluence_update_page_section(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """Read the storage once, splice one section, write once (the next version number comes from the read)."""
    if (args.get("content_format") or "markdown") not in ("markdown", "storage"):
        raise ToolError("content_format: expected markdown or storage")
    page = await _read_page(ctx, args["page_id"])
    new = _storage({"content": args["new_content"], "content_format": args.get("content_format")})
    body = replace_section(_body_of(page), args["heading_text"], new)
    page_id, version = str(page["id"]), _version_of(page) + 1
    message = args.get("version_comment") or ""
    if ctx.cloud:
        update: JSON = {
            "id": page_id,
            "status": "current",
            "title": page["title"],
            "body": {"representation": "storage", "value": body},
            "version": {"number": version, "message": message},  # v2 has no minor-edit flag
        }
        result = await ctx.call("confluence-v2/updatePage", body=update, id=int(page_id))
    else:
        update = {
            "id": page_id,
            "type": page.get("type", "page"),
            "title": page["title"],
            "space": {"key": (page.get("space") or {}).get("key")},
            "body": {"storage": {"value": body, "representation": "storage"}},
            "version": {"number": version, "minorEdit": bool(args.get("is_minor_edit")), "message": message},
        }
        result = await ctx.call("confluence-dc/update_2", body=update, content_id=page_id)
    return {**_written(result, {}, body, []), "section": args["heading_text"]}


_POSITIONS = {"above": "before", "below": "after"}


@handler
async def confluence_move_page(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """Cloud: the REST move operation (one call). Data Center has none: the page is re-parented by an update."""
    page_id = _page_id(args["page_id"])
    position = _POSITIONS.get(args.get("position") or "append", args.get("position") or "append")
    if position not in ("append", "before", "after"):
        raise ToolError("position: expected append, before or after")
    target, space_key = args.get("target_parent_id"), args.get("target_space_key")
    if not target and not space_key:
        raise ToolError("give target_parent_id, or target_space_key to move the page under that space's home page")
    if target:
        target = _page_id(target, "target_parent_id")
    if space_key:
        _check_space(ctx, space_key)
    if ctx.scope:  # both ends inside the configured spaces
        _check_space(ctx, await _space_of(ctx, page_id))
        if target:
            _check_space(ctx, await _space_of(ctx, target))
    if ctx.cloud:
        if not target:
            space = await _cloud_space(ctx, key=space_key)
            target, position = str(space.get("homepageId") or ""), "append"
            if not target:
                raise ToolError(f"space {space_key} has no home page to move under; give target_parent_id")
        await ctx.call("confluence-v1/movePage", page_id=page_id, position=position, target_id=target)
        return {"id": page_id, "done": f"moved {position} {target}", "position": position, "target_id": target}
    if position != "append":
        raise ToolError("position: Data Center's REST API can only move a page under a parent (append)")
    page = await ctx.call("confluence-dc/getContentById", id=page_id, expand=_DC_PAGE)
    _check_space(ctx, (page.get("space") or {}).get("key"))
    if space_key and not target:
        space = await ctx.call("confluence-dc/space", space_key=space_key, expand="homepage")
        home = (space.get("homepage") or {}).get("id") or (space.get("_expandable") or {}).get("homepage") or ""
        target = str(home).rsplit("/", 1)[-1]
        if not target:
            raise ToolError(f"space {space_key} has no home page to move under; give target_parent_id")
    new_space = space_key or (page.get("space") or {}).get("key")
    update = {
        "id": page_id,
        "type": page.get("type", "page"),
        "title": page["title"],
        "space": {"key": new_space},
        "ancestors": [{"id": target}],
        "body": {"storage": {"value": _body_of(page), "representation": "storage"}},
        "version": {"number": _version_of(page) + 1, "minorEdit": True, "message": "moved"},
    }
    await ctx.call("confluence-dc/update_2", body=update, content_id=page_id)
    return {"id": page_id, "done": f"moved append {target}", "position": "append", "target_id": target}


def _restriction_entries(ctx: HandlerContext, users: list[str], groups: list[str]) -> JSON:
    """Users by accountId (Cloud) or username (Data Center); groups by name, or by id when given a UUID."""
    key = "accountId" if ctx.cloud else "username"
    out: JSON = {"user": [{"type": "known", key: u} for u in users]}
    out["group"] = [{"type": "group", "id" if re.fullmatch(r"[0-9a-f-]{36}", g) else "name": g} for g in groups]
    return {k: v for k, v in out.items() if v}


def _current_restrictions(found: JSON) -> dict[str, tuple[list[str], list[str]]]:
    by_op = found.get("restrictions") if isinstance(found.get("restrictions"), dict) else found
    out = {}
    for op in ("read", "update"):
        r = ((by_op or {}).get(op) or {}).get("restrictions") or {}
        users = [u.get("accountId") or u.get("username") for u in (r.get("user") or {}).get("results") or []]
        groups = [g.get("name") or g.get("id") for g in (r.get("group") or {}).get("results") or []]
        out[op] = ([u for u in users if u], [g for g in groups if g])
    return out


@handler
async def confluence_set_page_restrictions(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """Replace view (read) and edit (update) restrictions; an operation whose two lists are omitted keeps what it
    has (read first only then). Empty lists remove that operation's restrictions."""
    page_id = await _guard(ctx, args["page_id"])
    wanted = {
        "read": (args.get("read_users"), args.get("read_groups")),
        "update": (args.get("edit_users"), args.get("edit_groups")),
    }
    if all(u is None and g is None for u, g in wanted.values()):
        raise ToolError("give read_users, read_groups, edit_users or edit_groups (empty lists remove restrictions)")
    if any(u is None and g is None for u, g in wanted.values()):
        if ctx.cloud:
            found = await ctx.call(
                "confluence-v1/getRestrictionsByOperation",
                id=page_id,
                expand=["restrictions.user", "restrictions.group"],
            )
        else:
            found = await ctx.call(
                "confluence-dc/byOperation", id=page_id, expand="restrictions.user,restrictions.group"
            )
        current = _current_restrictions(found)
        wanted = {op: current[op] if u is None and g is None else (u, g) for op, (u, g) in wanted.items()}
    final = {op: (list(u or []), list(g or [])) for op, (u, g) in wanted.items()}
    body = [
        {"operation": op, "restrictions": _restriction_entries(ctx, users, groups)}
        for op, (users, groups) in final.items()
    ]
    if ctx.cloud:
        await ctx.call("confluence-v1/updateRestrictions", body={"results": body}, id=page_id)
    else:
        await ctx.call("confluence-dc/updateRestrictions", body=body, id=page_id)
    return {"page_id": page_id, "set": {op: {"users": u, "groups": g} for op, (u, g) in final.items()}}


@handler
async def confluence_copy_page(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """Cloud copies natively (one call); Data Center reads the page and creates the copy (two)."""
    source = _page_id(args["source_page_id"], "source_page_id")
    dest_space, parent = args["destination_space_key"], args.get("destination_parent_id")
    _check_space(ctx, dest_space)
    if parent:
        parent = _page_id(parent, "destination_parent_id")
    if ctx.cloud:
        if ctx.scope:
            _check_space(ctx, await _space_of(ctx, source))
        body = {
            "copyAttachments": bool(args.get("copy_attachments")),
            "copyLabels": True,
            "copyProperties": True,
            "destination": {"type": "parent_page", "value": parent}
            if parent
            else {"type": "space", "value": dest_space},
            "pageTitle": args["new_title"],
        }
        return _written(await ctx.call("confluence-v1/copyPage", body=body, id=source), {}, "", [])
    if args.get("copy_attachments"):
        raise ToolError("copy_attachments: Data Center has no copy operation; copy without attachments")
    page = await ctx.call("confluence-dc/getContentById", id=source, expand="body.storage,space")
    _check_space(ctx, (page.get("space") or {}).get("key"))
    create: JSON = {
        "type": "page",
        "title": args["new_title"],
        "space": {"key": dest_space},
        "body": {"storage": {"value": _body_of(page), "representation": "storage"}},
    }
    if parent:
        create["ancestors"] = [{"id": parent}]
    return _written(await ctx.call("confluence-dc/createContent", body=create), {}, "", [])
