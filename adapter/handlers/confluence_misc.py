"""Confluence comments, labels, users, analytics, templates and permissions (Cloud v2 where it has the operation).

Every tool that names a page, comment or space checks CONFLUENCE_SPACES_FILTER first; the lookup that needs costs
a call or two and is made only when a filter is configured.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

from ..invoke import markdown_to_storage
from . import (
    CQL_MARKERS,
    HandlerContext,
    ToolError,
    _check_space,
    _cloud_space,
    confluence_create_page,
    handler,
    is_number,
)

JSON = Any
COMMENT_LIMIT = 100  # comments per request; more are reported, never dropped silently
DC_COMMENT_EXPAND = "body.storage,version,history,ancestors,extensions.inlineProperties,extensions.resolution"


def _numeric(name: str, value: str) -> str:
    if not is_number(value):
        raise ToolError(f"{name}: expected a numeric id, got {value!r}")
    return value


async def _check_content(ctx: HandlerContext, content_id: str, kinds: tuple[str, ...] = ("Page",)) -> None:
    """With a spaces filter, the content's space must be in it (Cloud: a page or blog post; DC: any content)."""
    if not ctx.scope:
        return
    if not ctx.cloud:
        content = await ctx.call("confluence-dc/getContentById", id=content_id, expand="space")
        _check_space(ctx, (content.get("space") or {}).get("key"))
        return
    from confluence_sdk import AtlassianError

    for kind in kinds:
        try:
            found = await ctx.call(f"confluence-v2/get{kind}ById", id=int(content_id))
        except AtlassianError as exc:
            if exc.status_code == 404:
                continue
            raise
        _check_space(ctx, (await _cloud_space(ctx, space_id=found.get("spaceId")))["key"])
        return
    raise ToolError(f"content {content_id} is not a page or blog post in this server's spaces ({', '.join(ctx.scope)})")


def _now_ms() -> str:
    """Data Center's `lastFetchTime` of an inline comment: epoch milliseconds (a function, so tests can fix it)."""
    return str(int(time.time() * 1000))


def _storage_body(args: dict[str, Any]) -> str:
    return markdown_to_storage(args["body"])


# --- comments -----------------------------------------------------------------------------------------------


@handler
async def confluence_get_comments(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """Footer comments with their replies: Cloud v2 lists top-level ones, then each one's replies (concurrently)."""
    page_id = _numeric("page_id", args["page_id"])
    await _check_content(ctx, page_id)
    if not ctx.cloud:
        return await ctx.call(
            "confluence-dc/commentsOfContent",
            id=page_id,
            location="footer",
            depth="all",
            expand=DC_COMMENT_EXPAND,
            limit=str(COMMENT_LIMIT),
        )
    top = await ctx.call(
        "confluence-v2/getPageFooterComments", id=int(page_id), body_format="storage", limit=COMMENT_LIMIT
    )
    comments = [c for c in top.get("results") or [] if re.fullmatch(r"[0-9]+", str(c.get("id", "")))]
    replies = await asyncio.gather(
        *(
            ctx.call(
                "confluence-v2/getFooterCommentChildren", id=int(c["id"]), body_format="storage", limit=COMMENT_LIMIT
            )
            for c in comments
        )
    )
    threaded: list[JSON] = []
    more = bool((top.get("_links") or {}).get("next"))
    for comment, children in zip(comments, replies, strict=True):
        threaded.append(comment)
        threaded += [{**r, "parentCommentId": r.get("parentCommentId") or comment["id"]} for r in children["results"]]
        more = more or bool((children.get("_links") or {}).get("next"))
    return {"results": threaded, "more": more}


@handler
async def confluence_get_inline_comments(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    page_id = _numeric("page_id", args["page_id"])
    await _check_content(ctx, page_id)
    if ctx.cloud:
        found = await ctx.call(
            "confluence-v2/getPageInlineComments", id=int(page_id), body_format="storage", limit=COMMENT_LIMIT
        )
    else:
        found = await ctx.call(
            "confluence-dc/commentsOfContent",
            id=page_id,
            location="inline",
            depth="all",
            expand=DC_COMMENT_EXPAND,
            limit=str(COMMENT_LIMIT),
        )
    return {**found, "more": bool((found.get("_links") or {}).get("next"))}


def _dc_comment(page_id: str, body: str, **extra: Any) -> JSON:
    return {
        "type": "comment",
        "container": {"id": page_id, "type": "page"},
        "body": {"storage": {"value": body, "representation": "storage"}},
        **extra,
    }


@handler
async def confluence_add_comment(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    page_id = _numeric("page_id", args["page_id"])
    await _check_content(ctx, page_id)
    if ctx.cloud:
        body = {"pageId": page_id, "body": {"representation": "storage", "value": _storage_body(args)}}
        return await ctx.call("confluence-v2/createFooterComment", body=body)
    return await ctx.call("confluence-dc/createContent", body=_dc_comment(page_id, _storage_body(args)))


@handler
async def confluence_reply_to_comment(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """Cloud: one call (v2 threads by parentCommentId). DC: the reply names its page, so the comment is read first."""
    comment_id = _numeric("comment_id", args["comment_id"])
    if ctx.cloud:
        if ctx.scope:
            parent = await ctx.call("confluence-v2/getFooterCommentById", comment_id=int(comment_id))
            await _check_content(ctx, str(parent.get("pageId") or parent.get("blogPostId")), ("Page", "BlogPost"))
        body = {"parentCommentId": comment_id, "body": {"representation": "storage", "value": _storage_body(args)}}
        return await ctx.call("confluence-v2/createFooterComment", body=body)
    parent = await ctx.call("confluence-dc/getContentById", id=comment_id, expand="container,space")
    if parent.get("type") != "comment":
        raise ToolError(f"comment_id: {comment_id} is a {parent.get('type', 'content')}, not a comment")
    if ctx.scope:
        _check_space(ctx, (parent.get("space") or {}).get("key"))
    page_id = str((parent.get("container") or {}).get("id") or "")
    body = _dc_comment(page_id, _storage_body(args), ancestors=[{"id": comment_id}])
    return await ctx.call("confluence-dc/createContent", body=body)


@handler
async def confluence_add_inline_comment(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    page_id = _numeric("page_id", args["page_id"])
    count, index = args.get("text_selection_match_count", 1), args.get("text_selection_match_index", 0)
    if index >= count:
        raise ToolError("text_selection_match_index must be lower than text_selection_match_count")
    await _check_content(ctx, page_id)
    selection = args["text_selection"]
    if ctx.cloud:
        body = {
            "pageId": page_id,
            "body": {"representation": "storage", "value": _storage_body(args)},
            "inlineCommentProperties": {
                "textSelection": selection,
                "textSelectionMatchCount": count,
                "textSelectionMatchIndex": index,
            },
        }
        return await ctx.call("confluence-v2/createInlineComment", body=body)
    # Data Center wants what its editor sends when text is highlighted (HTTP 400 without any of these)
    inline = {
        "originalSelection": selection,
        "numMatches": count,
        "matchIndex": index,
        "lastFetchTime": _now_ms(),
        "serializedHighlights": json.dumps([[selection]]),
    }
    body = _dc_comment(page_id, _storage_body(args), extensions={"location": "inline", "inlineProperties": inline})
    return await ctx.call("confluence-dc/createContent", body=body)


# --- labels -------------------------------------------------------------------------------------------------


@handler
async def confluence_get_labels(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    page_id = _numeric("page_id", args["page_id"])
    await _check_content(ctx, page_id)
    if ctx.cloud:
        return await ctx.call("confluence-v2/getPageLabels", id=int(page_id), limit=250)
    return await ctx.call("confluence-dc/labels", id=page_id, limit="200")


LABEL = re.compile(r"^[^\s:]+$")


@handler
async def confluence_add_label(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """One call: the answer already lists the content's labels (theirs reads them again)."""
    page_id = _numeric("page_id", args["page_id"])
    name = args["name"].strip().lower()
    if not LABEL.match(name):
        raise ToolError(f"name: a label is one word without spaces or colons, got {args['name']!r}")
    await _check_content(ctx, page_id)
    label = {"prefix": "global", "name": name}  # one object: invoke would read a one-item list as LabelCreate
    ref = "confluence-v1/addLabelsToContent" if ctx.cloud else "confluence-dc/addLabels"
    return await ctx.call(ref, body=label, id=page_id)


# --- users --------------------------------------------------------------------------------------------------


@handler
async def confluence_search_user(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """CQL user search on both deployments (one call); DC with group_name reads one bounded page of members."""
    query, limit = args["query"].strip(), args["limit"]
    group = args.get("group_name")
    if group and not ctx.cloud:
        members = await ctx.call("confluence-dc/getMembers", group_name=group, limit=200)
        needle = query.lower()
        found = [
            u
            for u in members.get("results") or []
            if any(needle in str(u.get(k) or "").lower() for k in ("displayName", "username", "email"))
        ]
        more = bool((members.get("_links") or {}).get("next"))
        return {"results": found[:limit], "group": group, "group_truncated": more}
    if not CQL_MARKERS.search(query):
        escaped = query.replace("\\", "\\\\").replace('"', '\\"')
        query = f'user.fullname ~ "{escaped}"'
    if not ctx.cloud:
        return await ctx.call("confluence-dc/search_1", cql=f"type = user AND ({query})", limit=str(limit))
    return await ctx.call("confluence-v1/searchUser", cql=f"type = user AND ({query})", limit=limit)


# --- analytics, templates, permissions (Cloud) ---------------------------------------------------------------


@handler
async def confluence_get_page_views(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    page_id = _numeric("page_id", args["page_id"])
    page: JSON = {}
    if args.get("include_title") or ctx.scope:
        page = await ctx.call("confluence-v2/getPageById", id=int(page_id))
        if ctx.scope:
            _check_space(ctx, (await _cloud_space(ctx, space_id=page.get("spaceId")))["key"])
    views = await ctx.call("confluence-v1/getViews", content_id=page_id)
    return {**views, "id": page_id, "title": page.get("title") if args.get("include_title") else None}


def _template_space(template: JSON) -> str | None:
    space = template.get("space")
    return space.get("key") if isinstance(space, dict) else None


@handler
async def confluence_get_page_template(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    template = await ctx.call(
        "confluence-v1/getContentTemplate", content_template_id=args["template_id"], expand=["body"]
    )
    if ctx.scope and _template_space(template):
        _check_space(ctx, _template_space(template))
    return template


@handler
async def confluence_create_page_from_template(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """Reads the template's storage body, then creates the page as confluence_create_page does (v2)."""
    _check_space(ctx, args["space_key"])
    template = await confluence_get_page_template(ctx, args)
    body = (template.get("body") or {}).get("storage") or {}
    if not isinstance(body.get("value"), str):
        raise ToolError(f"template {args['template_id']} has no storage-format body to copy")
    page_args = {"space_key": args["space_key"], "title": args["title"], "content": body["value"]}
    if args.get("parent_id"):
        page_args["parent_id"] = _numeric("parent_id", args["parent_id"])
    return await confluence_create_page(ctx, {**page_args, "content_format": "storage"})


@handler
async def confluence_check_content_permissions(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    content_id = _numeric("content_id", args["content_id"])
    await _check_content(ctx, content_id, ("Page", "BlogPost"))
    subject = {"type": args["subject_type"], "identifier": args["user_identifier"]}
    body = {"subject": subject, "operation": args["operation"]}
    answer = await ctx.call("confluence-v1/checkContentPermission", body=body, id=content_id)
    return {**answer, "subject": subject, "operation": args["operation"], "content_id": content_id}


@handler
async def confluence_get_space_permissions(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    space_id = _numeric("space_id", args["space_id"])
    if ctx.scope:
        _check_space(ctx, (await _cloud_space(ctx, space_id=space_id))["key"])
    found = await ctx.call(
        "confluence-v2/getSpacePermissionsAssignments", id=int(space_id), limit=args["limit"], cursor=args.get("cursor")
    )
    return {**found, "space_id": space_id}
