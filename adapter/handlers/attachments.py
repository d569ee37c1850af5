"""Attachments: upload (multipart), list, delete, and download as MCP content blocks beside a JSON summary.

Downloads are capped per file and in total; whatever is left out is listed with the reason, never dropped silently.
Images a vision model can read become ImageContent, text files a text resource, anything else a blob resource.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mcp.types as types

from ..catalogue import find
from ..files import FileRefused
from ..invoke import multipart_body
from . import HandlerContext, ToolError, WithContent, _check_space, _cloud_space, handler, is_number, split

JSON = Any

MAX_FILE_BYTES = 10 * 1024 * 1024  # one file larger than this is skipped (and named)
MAX_TOTAL_BYTES = 50 * 1024 * 1024  # files past this total in one call are skipped (and named)
VIEWABLE_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/yaml", "application/x-yaml")
LIST_LIMIT = 100  # attachments listed per call when downloading all of a page's


@dataclass
class Attachment:
    """One file to fetch: `source` is a generated operation (`<api>/<id>`, with `kwargs`) or a URL."""

    id: str
    filename: str
    mime_type: str
    size: int | None
    source: str | None
    uri: str
    kwargs: dict[str, Any] = field(default_factory=dict)


def _block(item: Attachment, data: bytes, mime: str) -> tuple[Any, str]:
    """The MCP content block for one file and what it became ("image", "text" or "blob")."""
    if mime in VIEWABLE_IMAGES:
        return types.ImageContent(type="image", data=base64.b64encode(data).decode(), mime_type=mime), "image"
    if mime.startswith(TEXT_TYPES):
        try:
            text = types.TextResourceContents(uri=item.uri, mime_type=mime, text=data.decode("utf-8"))
            return types.EmbeddedResource(type="resource", resource=text), "text"
        except UnicodeDecodeError:
            pass
    blob = types.BlobResourceContents(uri=item.uri, mime_type=mime, blob=base64.b64encode(data).decode())
    return types.EmbeddedResource(type="resource", resource=blob), "blob"


async def download(ctx: HandlerContext, items: list[Attachment], images_only: bool, **facts: Any) -> WithContent:
    """Fetch each file within the caps; the JSON lists what came (in block order) and what was skipped, and why."""
    assert ctx.fetch is not None
    files: list[JSON] = []
    skipped: list[JSON] = []
    blocks: list[Any] = []
    total = 0
    for item in items:
        if images_only and not item.mime_type.startswith("image/"):
            continue
        reason = None
        if images_only and item.mime_type not in VIEWABLE_IMAGES:
            reason = f"{item.mime_type} is not an image type models can view"
        elif item.size is not None and item.size > MAX_FILE_BYTES:
            reason = f"{item.size} bytes, over the {MAX_FILE_BYTES}-byte per-file limit"
        elif total + (item.size or 0) > MAX_TOTAL_BYTES:
            reason = f"the {MAX_TOTAL_BYTES}-byte total limit of one call is reached; download it on its own"
        elif item.source is None:
            reason = "the site gave no download link"
        if reason is None:
            assert item.source is not None
            try:
                data, sent_type = await ctx.fetch(
                    item.source, min(MAX_FILE_BYTES, MAX_TOTAL_BYTES - total), **item.kwargs
                )
            except ToolError as exc:
                reason = str(exc)
        if reason is not None:
            skipped.append({"id": item.id, "filename": item.filename, "reason": reason})
            continue
        total += len(data)
        block, kind = _block(item, data, item.mime_type or sent_type)
        blocks.append(block)
        files.append({"id": item.id, "filename": item.filename, "media_type": item.mime_type or sent_type,
                      "size": len(data), "as": kind, **_saved(ctx, item.filename, data)})  # fmt: skip
        await ctx.progress(len(files), len(items), item.filename)
    return WithContent({**facts, "files": files, "skipped": skipped}, blocks)


def _saved(ctx: HandlerContext, filename: str, data: bytes) -> dict[str, str]:
    """With ATLASSIAN_MCP_DOWNLOAD_DIR the file is also written there (never over another); says where or why not."""
    if ctx.files.download_dir is None:
        return {}
    try:
        return {"saved_to": str(ctx.files.save(filename, data))}
    except (FileRefused, OSError) as exc:
        return {"not_saved": str(exc)}


def _mime(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def read_file(ctx: HandlerContext, path: str, argument: str = "file_path") -> tuple[str, bytes]:
    """A local file to upload, by the operator's file policy (adapter/files.py): a model talked into sending
    ~/.ssh or /proc/self/environ gets a refusal."""
    try:
        return ctx.files.read(path)
    except FileRefused as exc:
        raise ToolError(f"{argument}: {exc}") from None


def file_argument(ctx: HandlerContext, args: dict[str, Any]) -> tuple[str, bytes, str]:
    """(filename, bytes, mime type) from file_path, or content_base64 with filename (filename also renames)."""
    if args.get("content_base64"):
        try:
            data = base64.b64decode(args["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise ToolError("content_base64: not valid base64") from None
        name = args.get("filename") or (Path(args["file_path"]).name if args.get("file_path") else "")
        if not name:
            raise ToolError("filename: required with content_base64")
    elif args.get("file_path"):
        name, data = read_file(ctx, args["file_path"])
        name = args.get("filename") or name
    else:
        raise ToolError("give file_path, or content_base64 and filename")
    return name, data, _mime(name)


# --- Jira -------------------------------------------------------------------------------------------------


async def _jira_attachments(ctx: HandlerContext, args: dict[str, Any], images_only: bool) -> WithContent:
    """One issue read for the list; Cloud downloads through getAttachmentContent, Data Center (which has no such
    operation) from the `content` link of the issue's own answer."""
    api = "jira-platform" if ctx.cloud else "jira-dc"
    issue = await ctx.call(
        f"{api}/getIssue", issue_id_or_key=args["issue_key"], fields=["attachment"] if ctx.cloud else "attachment"
    )
    items = []
    for raw in ((issue or {}).get("fields") or {}).get("attachment") or []:
        att_id, name = str(raw.get("id")), str(raw.get("filename") or "")
        uri = raw.get("content") or f"{ctx.site_url}/secure/attachment/{att_id}"
        source = "jira-platform/getAttachmentContent" if ctx.cloud else raw.get("content")
        kwargs = {"id": att_id, "redirect": False} if ctx.cloud else {}
        items.append(Attachment(att_id, name, raw.get("mimeType") or _mime(name), raw.get("size"), source, uri, kwargs))
    key = (issue or {}).get("key") or args["issue_key"]
    return await download(ctx, items, images_only, issue_key=key)


@handler
async def jira_download_attachments(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    return await _jira_attachments(ctx, args, images_only=False)


@handler
async def jira_get_issue_images(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    return await _jira_attachments(ctx, args, images_only=True)


@handler
async def jira_upload_attachment(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    name, data, mime = file_argument(ctx, args)
    ref = ("jira-platform" if ctx.cloud else "jira-dc") + "/addAttachment"
    body = multipart_body(find(ref), file=[(name, data, mime)])
    created = await ctx.call(ref, body=body, issue_id_or_key=args["issue_key"])
    key = args["issue_key"].upper()
    return {"issue_key": key, "url": f"{ctx.site_url}/browse/{key}",
            "attachments": created if isinstance(created, list) else [created]}  # fmt: skip


# --- Confluence -------------------------------------------------------------------------------------------


def _content_id(value: str, name: str = "content_id") -> str:
    if not is_number(value):
        raise ToolError(f"{name}: expected a numeric page or blog post id, got {value!r}")
    return value


def _attachment_id(value: str) -> str:
    """Attachment ids are `att<digits>` (the bare number is taken too)."""
    digits = value.removeprefix("att")
    if not is_number(digits):
        raise ToolError(f"attachment_id: expected an id like att123456, got {value!r}")
    return digits


async def _page_or_blog(ctx: HandlerContext, refs: tuple[str, str], **kwargs: Any) -> JSON:
    """Cloud v2 splits pages and blog posts: try the page operation, then the blog post one on 404."""
    from ..server import upstream_errors

    try:
        return await ctx.call(refs[0], **kwargs)
    except upstream_errors() as exc:
        if getattr(exc, "status_code", None) != 404:
            raise
        return await ctx.call(refs[1], **kwargs)


async def _check_content_scope(ctx: HandlerContext, content_id: str) -> None:
    """CONFLUENCE_SPACES_FILTER is a hard limit: with a filter, find the content's space first (one more call)."""
    if not ctx.scope:
        return
    if ctx.cloud:
        content = await _page_or_blog(
            ctx, ("confluence-v2/getPageById", "confluence-v2/getBlogPostById"), id=int(content_id)
        )
        _check_space(ctx, (await _cloud_space(ctx, space_id=content.get("spaceId")))["key"])
    else:
        content = await ctx.call("confluence-dc/getContentById", id=content_id, expand="space")
        _check_space(ctx, (content.get("space") or {}).get("key"))


async def _list(ctx: HandlerContext, content_id: str, limit: int, **filters: Any) -> JSON:
    """One page of a content item's attachments: v2 on Cloud (page, else blog post), v1 on Data Center."""
    if ctx.cloud:
        return await _page_or_blog(
            ctx,
            ("confluence-v2/getPageAttachments", "confluence-v2/getBlogpostAttachments"),
            id=int(content_id),
            limit=limit,
            cursor=filters.get("cursor"),
            filename=filters.get("filename"),
            media_type=filters.get("media_type"),
        )
    return await ctx.call(
        "confluence-dc/getAttachments",
        id=content_id,
        start=str(filters.get("start") or 0),
        limit=str(limit),
        filename=filters.get("filename"),
        media_type=filters.get("media_type"),
        expand="version,container",
    )


@handler
async def confluence_get_attachments(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    content_id = _content_id(args["content_id"])
    if ctx.cloud and args.get("start"):
        raise ToolError("start: Confluence Cloud pages by cursor; pass next_cursor from the previous result")
    await _check_content_scope(ctx, content_id)
    filters = {k: args.get(k) for k in ("start", "cursor", "filename", "media_type")}
    return {"content_id": content_id, **await _list(ctx, content_id, args["limit"], **filters)}


def _item(ctx: HandlerContext, content_id: str, raw: JSON) -> Attachment:
    """A listed attachment (v2 or v1 shape) as something to fetch: Cloud through the v1 download operation (the
    v2 download link refuses API tokens), Data Center from the `_links.download` of its own answer."""
    att_id = str(raw.get("id"))
    name = str(raw.get("title") or "")
    extensions = raw.get("extensions") or {}
    mime = raw.get("mediaType") or extensions.get("mediaType") or (raw.get("metadata") or {}).get("mediaType")
    size = raw.get("fileSize", extensions.get("fileSize"))
    links = raw.get("_links") or {}
    link = raw.get("downloadLink") or links.get("download")
    base = links.get("base") or (ctx.site_url + ("/wiki" if ctx.cloud else ""))
    uri = base + link if isinstance(link, str) and link.startswith("/") else f"{base}/attachment/{att_id}"
    if ctx.cloud:
        source: str | None = "confluence-v1/downloadAttatchment"
        kwargs = {"id": content_id, "attachment_id": att_id}
    else:
        source, kwargs = (uri if isinstance(link, str) and link.startswith("/") else link), {}
    return Attachment(att_id, name, mime or _mime(name), size if isinstance(size, int) else None, source, uri, kwargs)


async def _content_files(ctx: HandlerContext, args: dict[str, Any], images_only: bool) -> WithContent:
    content_id = _content_id(args["content_id"])
    await _check_content_scope(ctx, content_id)
    listed = await _list(ctx, content_id, LIST_LIMIT)
    items = [_item(ctx, content_id, raw) for raw in (listed or {}).get("results") or []]
    result = await download(ctx, items, images_only, content_id=content_id)
    if ((listed or {}).get("_links") or {}).get("next"):
        result.data["more"] = f"only the first {LIST_LIMIT} attachments were looked at; fetch others by id"
    return result


@handler
async def confluence_download_content_attachments(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    return await _content_files(ctx, args, images_only=False)


@handler
async def confluence_get_page_images(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    return await _content_files(ctx, args, images_only=True)


async def _attachment(ctx: HandlerContext, attachment_id: str) -> tuple[str, JSON]:
    """(container id, attachment JSON) of one attachment, scope-checked."""
    if ctx.cloud:
        raw = await ctx.call("confluence-v2/getAttachmentById", id=f"att{attachment_id}")
        container = str(raw.get("pageId") or raw.get("blogPostId") or "")
    else:
        raw = await ctx.call("confluence-dc/getContentById", id=f"att{attachment_id}", expand="container,version")
        container = str((raw.get("container") or {}).get("id") or "")
    if is_number(container):
        await _check_content_scope(ctx, container)
    elif ctx.scope:
        raise ToolError(f"attachment att{attachment_id} has no page or blog post to check the space of")
    return container, raw


@handler
async def confluence_download_attachment(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    container, raw = await _attachment(ctx, _attachment_id(args["attachment_id"]))
    result = await download(ctx, [_item(ctx, container, raw)], False, content_id=container)
    if result.data["skipped"]:  # one file asked for: not getting it is the tool failing
        skipped = result.data["skipped"][0]
        raise ToolError(f"{skipped['filename']} not downloaded: {skipped['reason']}")
    return result


@handler
async def confluence_delete_attachment(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    attachment_id = _attachment_id(args["attachment_id"])
    if ctx.scope:
        await _attachment(ctx, attachment_id)
    if ctx.cloud:
        await ctx.call("confluence-v2/deleteAttachment", id=int(attachment_id))
    else:
        await ctx.call("confluence-dc/delete_3", id=f"att{attachment_id}")
    return {"id": f"att{attachment_id}", "deleted": True}


async def _upload(ctx: HandlerContext, content_id: str, file: tuple[str, bytes, str], args: dict[str, Any]) -> JSON:
    """One file: Cloud v1 createOrUpdateAttachments (a new version if the name exists; v2 has no upload), Data
    Center createAttachments with allowDuplicated (the same)."""
    minor = "true" if args.get("minor_edit") else "false"
    if ctx.cloud:
        ref = "confluence-v1/createOrUpdateAttachments"
        body = multipart_body(find(ref), file=file, minor_edit=minor, comment=args.get("comment"))
        return await ctx.call(ref, body=body, id=content_id)
    ref = "confluence-dc/createAttachments"
    body = multipart_body(find(ref), file=file, minor_edit=minor, comment=args.get("comment"))
    return await ctx.call(ref, body=body, id=content_id, allow_duplicated="true")


def _uploaded(content_id: str, answers: list[JSON]) -> JSON:
    return {"content_id": content_id, "results": [r for a in answers for r in ((a or {}).get("results") or [a])]}


@handler
async def confluence_upload_attachment(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    content_id = _content_id(args["content_id"])
    file = file_argument(ctx, args)
    await _check_content_scope(ctx, content_id)
    return _uploaded(content_id, [await _upload(ctx, content_id, file, args)])


@handler
async def confluence_upload_attachments(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    """One request per file: the generated multipart model carries one file part (comments pair with files)."""
    content_id = _content_id(args["content_id"])
    paths = split(args["file_paths"])
    if not paths:
        raise ToolError("file_paths: give at least one path")
    read = [read_file(ctx, path, "file_paths") for path in paths]  # all readable before any upload
    files = [(name, data, _mime(name)) for name, data in read]
    await _check_content_scope(ctx, content_id)
    answers = []
    for done, file in enumerate(files, 1):
        answers.append(await _upload(ctx, content_id, file, args))
        await ctx.progress(done, len(files), file[0])
    return _uploaded(content_id, answers)
