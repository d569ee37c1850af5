"""Attachment downloads: credentials stay on the site's host, caps are kept and said, blocks match the files."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from mcp.types import EmbeddedResource, ImageContent

from adapter import catalogue
from adapter.config import ProductConfig
from adapter.files import FilePolicy
from adapter.handlers import HandlerContext, ToolError
from adapter.handlers import attachments as att
from adapter.invoke import multipart_body
from adapter.sandbox.extra.attachments import png
from adapter.server import Site, fetch_file, same_origin

SITE = "https://jira.example.com/jira"
SECRET = "Bearer s3cret"


def site(handler: Any) -> tuple[Site, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    config = ProductConfig("jira", SITE, "datacenter", personal_token="s3cret")
    return Site(config, httpx.MockTransport(record)), seen


ALLOWED = {"jira-dc/getIssue": catalogue.find("jira-dc/getIssue")}


def test_same_origin() -> None:
    assert same_origin("https://jira.example.com/secure/x", SITE)
    assert same_origin("https://jira.example.com:443/x", SITE)
    assert not same_origin("https://jira.example.com.evil.test/x", SITE)
    assert not same_origin("http://jira.example.com/x", SITE)
    assert not same_origin("https://jira.example.com:8443/x", SITE)


async def test_a_url_on_another_host_is_refused_without_a_request() -> None:
    s, seen = site(lambda r: httpx.Response(200, content=b"x"))
    with pytest.raises(ToolError, match="not on the site's host"):
        await fetch_file(s, ALLOWED, "https://evil.test/secure/attachment/1/a.png", 100)
    assert seen == []


async def test_same_host_urls_carry_credentials_and_redirects_elsewhere_do_not() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "jira.example.com":
            return httpx.Response(302, headers={"Location": "https://media.example.net/file/1?token=t"})
        return httpx.Response(200, content=b"PNGDATA", headers={"Content-Type": "image/png"})

    s, seen = site(answer)
    data, mime = await fetch_file(s, ALLOWED, "/jira/secure/attachment/1/a.png", 100)
    assert (data, mime) == (b"PNGDATA", "image/png")
    assert [str(r.url) for r in seen] == [
        "https://jira.example.com/jira/secure/attachment/1/a.png",
        "https://media.example.net/file/1?token=t",
    ]
    assert seen[0].headers["authorization"] == SECRET
    assert "authorization" not in seen[1].headers


async def test_more_than_the_limit_is_refused() -> None:
    s, _ = site(lambda r: httpx.Response(200, content=b"x" * 11))
    with pytest.raises(ToolError, match="over the 10-byte limit"):
        await fetch_file(s, ALLOWED, f"{SITE}/secure/attachment/1/a.bin", 10)


def item(name: str, mime: str, size: int | None, source: str | None = "u") -> att.Attachment:
    return att.Attachment(name, name, mime, size, source, f"{SITE}/secure/attachment/{name}")


async def test_download_keeps_the_caps_and_names_every_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(att, "MAX_FILE_BYTES", 100)
    monkeypatch.setattr(att, "MAX_TOTAL_BYTES", 200)
    files = {"a.png": png(), "b.txt": b"t" * 90, "c.bin": b"\x00" * 80}

    async def fetch(source: str, limit: int, **kwargs: Any) -> tuple[bytes, str]:
        if source == "broken":
            raise ToolError("download answered 500")
        return files[source], "application/octet-stream"

    ctx = HandlerContext("datacenter", SITE, (), call=None, fetch=fetch)  # type: ignore[arg-type]
    items = [item("a.png", "image/png", len(files["a.png"]), "a.png"), item("big", "image/png", 101),
             item("b.txt", "text/plain", 90, "b.txt"), item("c.bin", "application/zip", 80, "c.bin"),
             item("d", "text/plain", 1, None), item("e", "text/plain", 1, "broken")]  # fmt: skip
    result = await att.download(ctx, items, False, issue_key="P-1")
    assert [(f["filename"], f["as"]) for f in result.data["files"]] == [("a.png", "image"), ("b.txt", "text")]
    assert [(s["filename"], s["reason"]) for s in result.data["skipped"]] == [
        ("big", "101 bytes, over the 100-byte per-file limit"),
        ("c.bin", "the 200-byte total limit of one call is reached; download it on its own"),
        ("d", "the site gave no download link"),
        ("e", "download answered 500"),
    ]
    image, text = result.content
    assert isinstance(image, ImageContent) and base64.b64decode(image.data) == files["a.png"]
    assert isinstance(text, EmbeddedResource) and text.resource.text == "t" * 90  # type: ignore[union-attr]
    only_images = await att.download(ctx, items[:3], True)
    assert [f["filename"] for f in only_images.data["files"]] == ["a.png"]
    assert [s["filename"] for s in only_images.data["skipped"]] == ["big"]


def test_multipart_body_names_the_file_and_sends_text_parts() -> None:
    body = multipart_body(catalogue.find("confluence-v1/createAttachment"), file=("a b.png", b"\x89PNG", "image/png"),
                          minor_edit="true", comment="hi")  # fmt: skip
    request = httpx.Request("POST", "https://x/", files=body.to_multipart(),
                            headers={"Content-Type": "multipart/form-data; boundary=+++"})  # fmt: skip
    sent = request.read()
    assert b'name="file"; filename="a b.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG' in sent
    assert b'name="minorEdit"\r\n\r\ntrue' in sent and b'name="comment"\r\n\r\nhi' in sent


def test_file_argument(tmp_path: Any) -> None:
    (tmp_path / "notes.md").write_text("# hi")
    ctx = HandlerContext("datacenter", SITE, (), None, files=FilePolicy((tmp_path,)))  # type: ignore[arg-type]
    assert att.file_argument(ctx, {"file_path": "notes.md"}) == ("notes.md", b"# hi", "text/markdown")
    assert att.file_argument(ctx, {"content_base64": "aGk=", "filename": "x.txt"}) == ("x.txt", b"hi", "text/plain")
    for args, message in [({"file_path": "../etc/passwd"}, "outside the directories this server may read"),
                          ({"file_path": "missing.txt"}, "missing.txt: No such file"),
                          ({"content_base64": "%%%", "filename": "x"}, "not valid base64"),
                          ({"content_base64": "aGk="}, "filename: required"), ({}, "give file_path")]:  # fmt: skip
        with pytest.raises(ToolError, match=message):
            att.file_argument(ctx, args)


def test_sandbox_png_is_valid_and_padded_to_size() -> None:
    small, padded = png(), png(5000)
    assert small.startswith(b"\x89PNG\r\n\x1a\n") and small.endswith(b"IEND\xaeB`\x82")
    assert len(padded) == 5000 and padded.endswith(small[-12:])
