"""Attachments in the sandbox: file bytes (PNGs built here, text), upload, download and delete, as the products do.

Downloads: Jira Cloud `getAttachmentContent` (303 to the servlet unless redirect=false), the servlets
`/secure/attachment/{id}/{name}` (Jira) and `/download/attachments/{page}/{name}` (Confluence), and Confluence
Cloud v1 `downloadAttatchment`, which redirects (302) to the servlet. Uploads need `X-Atlassian-Token: no-check`.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from .. import seed as data
from ..app import (
    Api,
    ApiError,
    Call,
    Sandbox,
    cursor_page,
    iso_time,
    jira_attachment,
    no_content,
    ok,
    v1_attachment,
    v1_visible_page,
    webui,
    writable_issue,
)


def png(size: int = 0, rgb: tuple[int, int, int] = (220, 60, 40)) -> bytes:
    """A valid 2x2 PNG, padded with a private ancillary chunk to `size` bytes when that is larger."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = b"".join(b"\x00" + bytes(rgb) * 2 for _ in range(2))
    head = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
    head += chunk(b"IDAT", zlib.compress(pixels))
    tail = chunk(b"IEND", b"")
    pad = size - len(head) - len(tail) - 12
    return head + (chunk(b"pdNg", b"\x00" * pad) if pad >= 0 else b"") + tail


def content_for(filename: str, mime: str, size: int) -> bytes:
    """Seeded files' bytes, of their declared size: PNGs for images, readable text for text, a pattern otherwise."""
    if mime == "image/png":
        return png(size)
    line = f"{filename}: sandbox attachment content\n".encode() if mime.startswith("text/") else bytes(range(256))
    return (line * (size // len(line) + 1))[:size]


def seed(sandbox: Sandbox) -> None:
    files: dict[str, bytes] = {}
    for issue in sandbox.issues.values():
        for a in issue.attachments:
            files[f"jira:{a.id}"] = content_for(a.filename, a.mime_type, a.size)
    for page in sandbox.pages.values():
        for p in page.attachments:
            files[f"wiki:{p.id}"] = content_for(p.title, p.media_type, p.size)
    sandbox.extra["attachments"] = {"files": files, "comments": {}, "versions": {}}


def state(c: Call) -> dict[str, Any]:
    data: dict[str, Any] = c.sandbox.extra["attachments"]
    return data


def binary(content: bytes, mime: str) -> Response:
    return Response(content, media_type=mime)


def uploads(c: Call) -> list[dict[str, Any]]:
    """The uploaded files of a multipart request; the XSRF header is required, as on the real sites."""
    if c.request.headers.get("x-atlassian-token", "").lower() != "no-check":
        raise ApiError(403, "XSRF check failed")
    files = [p for p in (c.body or {}).get("file", []) if isinstance(p, dict)] if isinstance(c.body, dict) else []
    if not files:
        raise ApiError(400, "No file was attached: send the attachment in a multipart part named 'file'.")
    return files


# --- Jira ---------------------------------------------------------------------------------------------------


def add_attachment(c: Call) -> Response:
    issue = writable_issue(c, c.path["issueIdOrKey"], "create attachments for")
    created = []
    for part in uploads(c):
        attachment_id = c.sandbox.next_id("attachment")
        mime = part["content_type"] or "application/octet-stream"
        size = len(part["data"])
        a = data.Attachment(attachment_id, part["filename"], c.sandbox.me.key, c.sandbox.tick(), size, mime)
        issue.attachments.append(a)
        state(c)["files"][f"jira:{a.id}"] = part["data"]
        created.append(jira_attachment(c, a))
    return ok(created)


def jira_file(c: Call, ref: str) -> tuple[data.Attachment, bytes]:
    for issue in c.sandbox.visible_issues():
        for a in issue.attachments:
            if str(a.id) == ref:
                return a, state(c)["files"][f"jira:{a.id}"]
    raise ApiError(404, f"The attachment with id '{ref}' does not exist")


def jira_attachment_content(c: Call) -> Response:
    a, content = jira_file(c, c.path["id"])
    if c.q.get("redirect", "true").lower() != "false":
        location = f"{c.jira_root}/secure/attachment/{a.id}/{quote(a.filename)}"
        return Response(status_code=303, headers={"Location": location})
    return binary(content, a.mime_type)


def secure_attachment(c: Call) -> Response:
    a, content = jira_file(c, c.path["id"])
    return binary(content, a.mime_type)


# --- Confluence ---------------------------------------------------------------------------------------------


def find_page_attachment(c: Call, ref: str) -> tuple[data.Page, data.PageAttachment]:
    digits = ref.removeprefix("att")
    for page in c.sandbox.visible_pages():
        for a in page.attachments:
            if str(a.id) == digits:
                return page, a
    if c.api == Api.WIKI2:
        raise ApiError(404, "Not Found", code="NOT_FOUND")
    raise ApiError(404, f"No content found with id: ContentId{{id={ref}}}")


def v2_attachment(c: Call, page: data.Page, a: data.PageAttachment) -> dict[str, Any]:
    owner = "pageId" if page.type == "page" else "blogPostId"
    return {"id": f"att{a.id}", "status": "current", "title": a.title, owner: str(page.id),
            "mediaType": a.media_type, "fileSize": a.size, "comment": state(c)["comments"].get(a.id, ""),
            "createdAt": iso_time(page.created), "version": {"number": state(c)["versions"].get(a.id, 1)},
            "downloadLink": f"/download/attachments/{page.id}/{quote(a.title)}?version=1&api=v2",
            "webuiLink": webui(c, page) + f"?preview=/{page.id}/{a.id}",
            "_links": {"download": f"/download/attachments/{page.id}/{quote(a.title)}?version=1&api=v2"}}  # fmt: skip


def v1_full(c: Call, page: data.Page, a: data.PageAttachment) -> dict[str, Any]:
    out: dict[str, Any] = v1_attachment(c, page, a)
    out["extensions"]["comment"] = state(c)["comments"].get(a.id, "")
    out["version"] = {"number": state(c)["versions"].get(a.id, 1)}
    out["container"] = {"id": str(page.id), "type": page.type, "title": page.title}
    return out


def get_owner_attachments(kind: str) -> Any:
    def answer(c: Call) -> Response:
        try:
            page = c.sandbox.page(int(c.path["id"]), kinds=(kind,))
        except ValueError:
            page = None
        if page is None:
            raise ApiError(404, "Not Found", code="NOT_FOUND")
        name, media = c.q.get("filename"), c.q.get("mediaType")
        kept = [a for a in page.attachments if name in (None, a.title) and media in (None, a.media_type)]
        chunk, links, headers = cursor_page(c, [v2_attachment(c, page, a) for a in kept], 50)
        return ok({"results": chunk, "_links": links}, headers=headers)

    return answer


def get_attachment_by_id(c: Call) -> Response:
    page, a = find_page_attachment(c, c.path["id"])
    return ok(v2_attachment(c, page, a))


def delete_attachment(c: Call) -> Response:
    """v2 deleteAttachment and v1/DC DELETE /content/att... (moved to the trash; the sandbox forgets it)."""
    page, a = find_page_attachment(c, c.path["id"])
    page.attachments.remove(a)
    return no_content()


def attachment_as_content(c: Call) -> Response:
    """v1/DC getContentById of an attachment (app.py hands `att...` ids here)."""
    page, a = find_page_attachment(c, c.path["id"])
    return ok(v1_full(c, page, a))


def create_attachment(c: Call) -> Response:
    """POST (Cloud createAttachment, DC createAttachments) and Cloud PUT createOrUpdateAttachments."""
    page = v1_visible_page(c)
    update = c.request.method == "PUT" or c.q.get("allowDuplicated", "").lower() == "true"
    if c.request.method == "PUT" and not c.cloud:
        raise ApiError(405, "Method Not Allowed")
    comments = (c.body or {}).get("comment", []) if isinstance(c.body, dict) else []
    results = []
    for index, part in enumerate(uploads(c)):
        existing = next((a for a in page.attachments if a.title == part["filename"]), None)
        if existing is not None and not update:
            raise ApiError(400, f"Cannot add a new attachment with same file name as an existing attachment: "
                                f"{part['filename']}")  # fmt: skip
        if existing is None:
            existing = data.PageAttachment(c.sandbox.next_id("page_attachment"), part["filename"],
                                           part["content_type"] or "application/octet-stream", 0)  # fmt: skip
            page.attachments.append(existing)
        else:
            state(c)["versions"][existing.id] = state(c)["versions"].get(existing.id, 1) + 1
        existing.size = len(part["data"])
        state(c)["files"][f"wiki:{existing.id}"] = part["data"]
        if index < len(comments) and isinstance(comments[index], str):
            state(c)["comments"][existing.id] = comments[index]
        results.append(v1_full(c, page, existing))
    return ok({"results": results, "start": 0, "limit": len(results), "size": len(results)})


def download_attachment(c: Call) -> Response:
    """Cloud v1 download: a 302 to the file (Atlassian's media store on the real site; the servlet here)."""
    page = v1_visible_page(c)
    _, a = find_page_attachment(c, c.path["attachmentId"])
    if a not in page.attachments:
        raise ApiError(404, f"No attachment {c.path['attachmentId']} on content {page.id}")
    location = f"{c.wiki_root}/download/attachments/{page.id}/{quote(a.title)}?version=1&api=v2"
    return Response(status_code=302, headers={"Location": location})


def download_servlet(c: Call) -> Response:
    page = c.sandbox.page(c.path["pageId"])
    a = next((a for a in page.attachments if a.title == c.path["filename"]), None) if page else None
    if page is None or a is None:
        raise ApiError(404, "Not Found")
    return binary(state(c)["files"][f"wiki:{a.id}"], a.media_type)


ROUTES = {
    "jira": [("addAttachment", "POST", "/issue/{issueIdOrKey}/attachments", add_attachment)],
    "jira_cloud": [("getAttachmentContent", "GET", "/attachment/content/{id}", jira_attachment_content)],
    "wiki2": [
        ("getPageAttachments", "GET", "/pages/{id}/attachments", get_owner_attachments("page")),
        ("getBlogpostAttachments", "GET", "/blogposts/{id}/attachments", get_owner_attachments("blogpost")),
        ("getAttachmentById", "GET", "/attachments/{id}", get_attachment_by_id),
        ("deleteAttachment", "DELETE", "/attachments/{id}", delete_attachment),
    ],
    "wiki1": [
        ("createAttachment", "POST", "/content/{id}/child/attachment", create_attachment),
        ("createOrUpdateAttachments", "PUT", "/content/{id}/child/attachment", create_attachment),
        ("downloadAttatchment", "GET", "/content/{id}/child/attachment/{attachmentId}/download", download_attachment),
    ],
}
DC_OPERATION_IDS = {"confluence": {"createAttachment": "createAttachments"}}
SITE_ROUTES = {
    "cloud": [
        ("secureAttachment", "GET", "/secure/attachment/{id}/{filename}", Api.JIRA2, secure_attachment),
        ("downloadAttachment", "GET", "/wiki/download/attachments/{pageId}/{filename}", Api.WIKI1, download_servlet),
    ],
    "datacenter": [
        ("secureAttachment", "GET", "/jira/secure/attachment/{id}/{filename}", Api.JIRA2, secure_attachment),
        ("downloadAttachment", "GET", "/confluence/download/attachments/{pageId}/{filename}", Api.WIKI1,
         download_servlet),
    ],
}  # fmt: skip

# v1/DC content operations that core routes receive for `att...` ids (attachments are content too)
CORE_HOOKS = {
    "getContentById": lambda c: attachment_as_content(c) if c.path["id"].startswith("att") else None,
    "deleteContent": lambda c: delete_attachment(c) if c.path["id"].startswith("att") else None,
}
