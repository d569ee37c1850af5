"""Views of attachments: listings (v2 and v1 shapes alike), upload confirmations and download summaries."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import (
    _B,
    _I,
    _S,
    JSON,
    View,
    ViewContext,
    _arr,
    _attachment,
    _int_at,
    _obj,
    _put,
    _root,
    register,
)


def _item(raw: Any) -> JSON:
    """A Confluence attachment, from v2 (`mediaType`, `fileSize`) or v1 (`extensions`, `metadata`)."""
    if not isinstance(raw, dict):
        return {}
    ext = raw.get("extensions") or {}
    version = raw.get("version") or {}
    out: JSON = {}
    _put(out, "id", str(raw["id"]) if raw.get("id") is not None else None)
    _put(out, "filename", raw.get("title"))
    media = raw.get("mediaType") or ext.get("mediaType") or (raw.get("metadata") or {}).get("mediaType")
    _put(out, "media_type", media)
    _put(out, "size", raw.get("fileSize", ext.get("fileSize")))
    _put(out, "comment", raw.get("comment") or ext.get("comment"))
    _put(out, "version", version.get("number") if isinstance(version, dict) else None)
    _put(out, "created", raw.get("createdAt") or (version.get("when") if isinstance(version, dict) else None))
    return out


def _project_list(data: Any, ctx: ViewContext) -> JSON:
    """One page of attachments; the next page is named: a cursor on Cloud (v2), a start index on Data Center."""
    page = data if isinstance(data, dict) else {}
    raw = page.get("results") or []
    out: JSON = {"attachments": [a for a in map(_item, raw) if a]}
    _put(out, "content_id", page.get("content_id"))
    next_link = (page.get("_links") or {}).get("next")
    if isinstance(next_link, str) and next_link:
        query = parse_qs(urlsplit(next_link).query)
        if query.get("cursor"):
            out["next_cursor"] = query["cursor"][0]
        else:
            out["next_start"] = (_int_at(page, "start") or 0) + len(raw)
    return out


def _render_list(view: JSON) -> str:
    lines = [f"{len(view['attachments'])} attachment(s) on {view.get('content_id')}"]
    for a in view["attachments"]:
        extra = ", ".join(str(a[k]) for k in ("media_type", "size", "comment") if k in a)
        lines.append(f"- {a.get('id')} {a.get('filename')} ({extra})")
    more = [f"{k}={view[k]}" for k in ("next_cursor", "next_start") if k in view]
    if more:
        lines.append("more: " + ", ".join(more))
    return "\n".join(lines)


def _project_jira_upload(data: Any, ctx: ViewContext) -> JSON:
    return {**data, "attachments": [a for a in map(_attachment, data.get("attachments") or []) if a]}


def _render_upload(view: JSON) -> str:
    where = view.get("issue_key") or view.get("content_id")
    names = ", ".join(f"{a.get('filename')} ({a.get('id')})" for a in view["attachments"])
    return f"uploaded to {where}: {names}" + (f" · {view['url']}" if view.get("url") else "")


def _project_confluence_upload(data: Any, ctx: ViewContext) -> JSON:
    return {"content_id": data.get("content_id"), "attachments": [a for a in map(_item, data["results"]) if a]}


def _render_files(view: JSON) -> str:
    where = view.get("issue_key") or view.get("content_id")
    lines = [f"{len(view['files'])} file(s) from {where}, as content blocks in this order:"]
    for f in view["files"]:
        saved = f" · saved to {f['saved_to']}" if "saved_to" in f else ""
        saved += f" · not saved: {f['not_saved']}" if "not_saved" in f else ""
        lines.append(f"- {f['filename']} ({f['media_type']}, {f['size']} bytes) as {f['as']}{saved}")
    lines += [f"skipped {s['filename']} ({s['id']}): {s['reason']}" for s in view["skipped"]]
    if view.get("more"):
        lines.append(view["more"])
    return "\n".join(lines)


_ATT = _obj({"id": _S, "filename": _S, "media_type": _S, "size": _I, "comment": _S, "version": _I, "created": _S})
_AS = {"enum": ["image", "text", "blob"]}
_JIRA_ATT = _obj({"id": _S, "filename": _S, "mime_type": _S, "size": _I, "created": _S, "author": _S})
_FILES = _root(
    _obj(
        {
            "issue_key": _S,
            "content_id": _S,
            "files": _arr(
                _obj(
                    {"id": _S, "filename": _S, "media_type": _S, "size": _I, "as": _AS, "saved_to": _S, "not_saved": _S}
                )  # fmt: skip
            ),
            "skipped": _arr(_obj({"id": _S, "filename": _S, "reason": _S})),
            "more": _S,
        },
        ["files", "skipped"],
    )
)

register(
    View(
        "confluence_attachments",
        _project_list,
        _render_list,
        _root(
            _obj(
                {"content_id": _S, "attachments": _arr(_ATT), "next_cursor": _S, "next_start": _I},
                ["attachments"],
            )
        ),
    ),
    View(
        "jira_attachment_upload",
        _project_jira_upload,
        _render_upload,
        _root(_obj({"issue_key": _S, "url": _S, "attachments": _arr(_JIRA_ATT)}, ["issue_key", "attachments"])),
    ),
    View(
        "confluence_attachment_upload",
        _project_confluence_upload,
        _render_upload,
        _root(_obj({"content_id": _S, "attachments": _arr(_ATT)}, ["attachments"])),
    ),
    View("attachment_files", lambda data, ctx: data, _render_files, _FILES),
    View(
        "confluence_attachment_deleted",
        lambda data, ctx: data,
        lambda view: f"deleted attachment {view['id']}",
        _root(_obj({"id": _S, "deleted": _B}, ["id", "deleted"])),
    ),
)
