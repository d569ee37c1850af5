"""Attachment tools through mcp.Client on the sandbox: upload, read back the bytes as content blocks, list, delete."""

from __future__ import annotations

import base64

import pytest
from mcp.types import BlobResourceContents, EmbeddedResource, ImageContent, TextResourceContents

from adapter.sandbox.extra.attachments import png
from tests.e2e.harness import ok, sandboxed

FLAVORS = ["cloud", "datacenter"]
ALL = {"TOOLSETS": "all"}
PNG = png()


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_jira_upload_then_download_and_images(flavor: str) -> None:
    async with sandboxed(flavor, **ALL) as (sandbox, client):
        up = ok(await client.call_tool("jira_upload_attachment", {
            "issue_key": "PROJ-3", "content_base64": base64.b64encode(PNG).decode(), "filename": "shot.png",
        }))  # fmt: skip
        assert up["issue_key"] == "PROJ-3" and up["url"].endswith("/browse/PROJ-3")
        assert [(a["filename"], a["mime_type"], a["size"]) for a in up["attachments"]] == [
            ("shot.png", "image/png", len(PNG))
        ]
        result = await client.call_tool("jira_download_attachments", {"issue_key": "PROJ-3"})
        data = ok(result)
        assert [(f["filename"], f["as"]) for f in data["files"]] == [("shot.png", "image")] and data["skipped"] == []
        image = result.content[1]
        assert isinstance(image, ImageContent) and image.mime_type == "image/png"
        assert base64.b64decode(image.data) == PNG  # the bytes uploaded are the bytes read back

        seeded = await client.call_tool("jira_download_attachments", {"issue_key": "PROJ-2"})
        assert [f["as"] for f in ok(seeded)["files"]] == ["image", "text"]
        text = seeded.content[2]
        assert isinstance(text, EmbeddedResource) and isinstance(text.resource, TextResourceContents)
        assert text.resource.text.startswith("merchant-cert.txt: sandbox attachment content")
        images = await client.call_tool("jira_get_issue_images", {"issue_key": "PROJ-2"})
        assert [f["filename"] for f in ok(images)["files"]] == ["applepay-sheet.png"] and len(images.content) == 2
        downloads = [r for r in sandbox.requests if "attachment" in r.path and r.method == "GET"]
        assert downloads and all(r.credential != "none" and r.status == 200 for r in downloads)

        outside = await client.call_tool("jira_upload_attachment", {"issue_key": "PROJ-3", "file_path": "/etc/hosts"})
        assert outside.is_error and "outside the directories this server may read" in outside.content[0].text


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_confluence_upload_list_download_delete(flavor: str) -> None:
    async with sandboxed(flavor, **ALL) as (_sandbox, client):
        up = ok(await client.call_tool("confluence_upload_attachment", {
            "content_id": "65539", "content_base64": base64.b64encode(b"a,b\n1,2\n").decode(),
            "filename": "data.csv", "comment": "numbers",
        }))  # fmt: skip
        (created,) = up["attachments"]
        assert created["filename"] == "data.csv" and created["size"] == 8 and created["id"].startswith("att")
        many = ok(await client.call_tool("confluence_upload_attachments", {
            "content_id": "65539", "file_paths": "pyproject.toml, README.md"}))  # fmt: skip
        assert [a["filename"] for a in many["attachments"]] == ["pyproject.toml", "README.md"]
        listed = ok(await client.call_tool("confluence_get_attachments", {"content_id": "65539"}))
        names = [a["filename"] for a in listed["attachments"]]
        assert names == ["pipeline.png", "data.csv", "pyproject.toml", "README.md"]
        only_png = ok(await client.call_tool("confluence_get_attachments", {"content_id": "65539",
                                                                            "media_type": "image/png"}))  # fmt: skip
        assert [a["filename"] for a in only_png["attachments"]] == ["pipeline.png"]

        one = await client.call_tool("confluence_download_attachment", {"attachment_id": created["id"]})
        assert ok(one)["files"][0]["as"] == "text"
        block = one.content[1]
        assert isinstance(block, EmbeddedResource) and isinstance(block.resource, TextResourceContents)
        assert block.resource.text == "a,b\n1,2\n"
        everything = await client.call_tool("confluence_download_content_attachments", {"content_id": "65539"})
        assert [f["as"] for f in ok(everything)["files"]][:3] == ["image", "text", "blob"]
        assert isinstance(everything.content[3], EmbeddedResource)
        assert isinstance(everything.content[3].resource, BlobResourceContents)  # application/toml is not text/*
        images = await client.call_tool("confluence_get_page_images", {"content_id": "65539"})
        assert [f["filename"] for f in ok(images)["files"]] == ["pipeline.png"]
        assert isinstance(images.content[1], ImageContent)

        gone = ok(await client.call_tool("confluence_delete_attachment", {"attachment_id": created["id"]}))
        assert gone == {"id": created["id"], "deleted": True}
        listed = ok(await client.call_tool("confluence_get_attachments", {"content_id": "65539"}))
        assert "data.csv" not in [a["filename"] for a in listed["attachments"]]
        again = await client.call_tool("confluence_delete_attachment", {"attachment_id": created["id"]})
        assert again.is_error and "404" in again.content[0].text


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_confluence_spaces_filter_is_a_hard_limit(flavor: str) -> None:
    async with sandboxed(flavor, CONFLUENCE_SPACES_FILTER="OPS", **ALL) as (sandbox, client):
        for tool, args in [("confluence_get_attachments", {"content_id": "65539"}),
                           ("confluence_download_attachment", {"attachment_id": "att65601"}),
                           ("confluence_delete_attachment", {"attachment_id": "att65601"}),
                           ("confluence_upload_attachment", {"content_id": "65539", "content_base64": "aGk=",
                                                             "filename": "a.txt"})]:  # fmt: skip
            refused = await client.call_tool(tool, args)
            assert refused.is_error and refused.content[0].text == "space DEV is outside this server's spaces (OPS)"
        assert not [r for r in sandbox.requests if r.method != "GET" or "download" in r.path]  # nothing written
        ok(await client.call_tool("confluence_get_attachments", {"content_id": "65546"}))  # an OPS page
