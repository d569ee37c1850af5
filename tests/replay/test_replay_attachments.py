"""Attachment tools on Cloud and Data Center against recorded HTTP: uploads (multipart), lists, downloads, deletes."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp.types import EmbeddedResource, ImageContent

from .conftest import Site
from .test_replay_tools import NOT_FOUND_HINT, error, ok, run

pytestmark = pytest.mark.vcr

UPLOAD_DIR = Path("replay-upload.tmp")  # under the working directory: uploads by path are only taken from there


@pytest.fixture
def site(site: Site) -> Site:
    """The conftest's site, serving every toolset (attachments are not in the default ones)."""
    return dataclasses.replace(site, env={**site.env, "TOOLSETS": "all"})


@pytest.fixture
def upload_files() -> Iterator[str]:
    """Two small files with fixed content (the request bodies must match the recording)."""
    UPLOAD_DIR.mkdir(exist_ok=True)
    (UPLOAD_DIR / "notes.txt").write_text("release notes\n")
    (UPLOAD_DIR / "plan.md").write_text("# Plan\n")
    yield f"{UPLOAD_DIR}/notes.txt,{UPLOAD_DIR}/plan.md"
    for file in UPLOAD_DIR.iterdir():
        file.unlink()
    UPLOAD_DIR.rmdir()


async def test_jira_download_attachments(site: Site) -> None:
    result = await run(site, "jira_download_attachments", issue_key="PROJ-2")
    data = ok(result)
    assert [(f["filename"], f["media_type"], f["size"], f["as"]) for f in data["files"]] == [
        ("applepay-sheet.png", "image/png", 48213, "image"),
        ("merchant-cert.txt", "text/plain", 1204, "text"),
    ]
    assert data["skipped"] == []
    image, text = result.content[1:]
    assert isinstance(image, ImageContent) and base64.b64decode(image.data).startswith(b"\x89PNG")
    assert isinstance(text, EmbeddedResource) and text.resource.text.startswith("merchant-cert.txt")  # type: ignore[union-attr]


async def test_jira_download_attachments_not_found(site: Site) -> None:
    text = error(await run(site, "jira_download_attachments", issue_key="PROJ-999999"))
    assert text == f"Jira answered 404: Issue does not exist or you do not have permission to see it. {NOT_FOUND_HINT}"


async def test_jira_get_issue_images(site: Site) -> None:
    result = await run(site, "jira_get_issue_images", issue_key="PROJ-2")
    assert [f["filename"] for f in ok(result)["files"]] == ["applepay-sheet.png"]
    assert [type(block).__name__ for block in result.content] == ["TextContent", "ImageContent"]


async def test_jira_get_issue_images_not_found(site: Site) -> None:
    assert "404" in error(await run(site, "jira_get_issue_images", issue_key="SECRET-1"))


async def test_jira_upload_attachment(site: Site) -> None:
    data = ok(await run(site, "jira_upload_attachment", issue_key="PROJ-3",
                        content_base64=base64.b64encode(b"log line\n").decode(), filename="run.log"))  # fmt: skip
    assert data["issue_key"] == "PROJ-3" and data["url"] == f"{site.jira_url}/browse/PROJ-3"
    assert [(a["filename"], a["size"]) for a in data["attachments"]] == [("run.log", 9)]


async def test_jira_upload_attachment_not_found(site: Site) -> None:
    text = error(await run(site, "jira_upload_attachment", issue_key="PROJ-999999", content_base64="aGk=",
                           filename="a.txt"))  # fmt: skip
    assert text.startswith("Jira answered 404")


async def test_confluence_upload_attachment(site: Site) -> None:
    data = ok(await run(site, "confluence_upload_attachment", content_id="65539", filename="data.csv",
                        content_base64=base64.b64encode(b"a,b\n").decode(), comment="numbers"))  # fmt: skip
    (created,) = data["attachments"]
    assert (created["filename"], created["size"], created["media_type"]) == ("data.csv", 4, "text/csv")
    assert data["content_id"] == "65539" and created["id"].startswith("att")


async def test_confluence_upload_attachment_not_found(site: Site) -> None:
    text = error(await run(site, "confluence_upload_attachment", content_id="999999999", filename="a.txt",
                           content_base64="aGk="))  # fmt: skip
    assert text.startswith("Confluence answered 404")


async def test_confluence_upload_attachments(site: Site, upload_files: str) -> None:
    data = ok(await run(site, "confluence_upload_attachments", content_id="65539", file_paths=upload_files))
    assert [(a["filename"], a["size"]) for a in data["attachments"]] == [("notes.txt", 14), ("plan.md", 7)]


async def test_confluence_upload_attachments_unreadable(site: Site) -> None:
    text = error(await run(site, "confluence_upload_attachments", content_id="65539", file_paths="no-such-file.txt"))
    assert text == f"file_paths: {Path.cwd().resolve() / 'no-such-file.txt'}: No such file or directory"


async def test_confluence_get_attachments(site: Site) -> None:
    data = ok(await run(site, "confluence_get_attachments", content_id="65539", limit=5))
    assert data == {"content_id": "65539", "attachments": [
        {"id": "att65601", "filename": "pipeline.png", "media_type": "image/png", "size": 73211,
         **({"version": 1, "created": "2026-08-04T09:00:00.000Z"} if site.flavor == "cloud" else {})}]}  # fmt: skip


async def test_confluence_get_attachments_not_found(site: Site) -> None:
    assert "404" in error(await run(site, "confluence_get_attachments", content_id="999999999"))


async def test_confluence_download_attachment(site: Site) -> None:
    result = await run(site, "confluence_download_attachment", attachment_id="att65601")
    assert ok(result)["files"] == [
        {"id": "att65601", "filename": "pipeline.png", "media_type": "image/png", "size": 73211, "as": "image"}
    ]
    assert isinstance(result.content[1], ImageContent) and result.content[1].mime_type == "image/png"


async def test_confluence_download_attachment_not_found(site: Site) -> None:
    assert "404" in error(await run(site, "confluence_download_attachment", attachment_id="att999999"))


async def test_confluence_download_content_attachments(site: Site) -> None:
    result = await run(site, "confluence_download_content_attachments", content_id="65539")
    assert [f["filename"] for f in ok(result)["files"]] == ["pipeline.png"] and len(result.content) == 2


async def test_confluence_download_content_attachments_not_found(site: Site) -> None:
    assert "404" in error(await run(site, "confluence_download_content_attachments", content_id="999999999"))


async def test_confluence_delete_attachment(site: Site) -> None:
    data = ok(await run(site, "confluence_delete_attachment", attachment_id="att65601"))
    assert data == {"id": "att65601", "deleted": True}


async def test_confluence_delete_attachment_not_found(site: Site) -> None:
    assert "404" in error(await run(site, "confluence_delete_attachment", attachment_id="att999999"))


async def test_confluence_get_page_images(site: Site) -> None:
    result = await run(site, "confluence_get_page_images", content_id="65539")
    assert [f["filename"] for f in ok(result)["files"]] == ["pipeline.png"]
    assert isinstance(result.content[1], ImageContent)


async def test_confluence_get_page_images_bad_id(site: Site) -> None:
    text = error(await run(site, "confluence_get_page_images", content_id="DEV-home"))
    assert text == "content_id: expected a numeric page or blog post id, got 'DEV-home'"
