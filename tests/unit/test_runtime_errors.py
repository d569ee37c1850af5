"""Tests for codegen/runtime/errors.py: status -> class, every Atlassian error body shape, no secrets."""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import AsyncIterator
from http import HTTPStatus
from typing import Any

import httpx
import pytest

from codegen.runtime.errors import (
    AtlassianError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UnauthorizedError,
    error_from_parts,
    error_from_response,
    parse_retry_after,
    raise_for_status,
)

URL = "https://x/rest/api/3/issue/NOPE-1"


def response(status: int, body: Any = b"", headers: dict[str, str] | None = None) -> httpx.Response:
    """A response to a GET of URL, as a client would hand it back (body already read)."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = httpx.Request("GET", URL, headers={"Authorization": "Bearer s3cret-token"})
    return httpx.Response(status, content=content, headers=headers, request=request)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, UnauthorizedError),
        (403, ForbiddenError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (599, ServerError),
        (405, AtlassianError),
        (418, AtlassianError),
        (422, AtlassianError),
    ],
)
def test_status_picks_the_class(status: int, cls: type[AtlassianError]) -> None:
    err = error_from_response(response(status))
    assert type(err) is cls
    assert err.status_code == status


def test_jira_error_collection_message_is_one_readable_line() -> None:
    body = {
        "errorMessages": ["Issue does not exist or you do not have permission to see it."],
        "errors": {},
        "warningMessages": [],
    }
    err = error_from_response(response(404, body))
    assert str(err) == (
        "404 Not Found on GET https://x/rest/api/3/issue/NOPE-1: "
        "Issue does not exist or you do not have permission to see it."
    )
    assert err.error_messages == ["Issue does not exist or you do not have permission to see it."]
    assert err.errors == {}
    assert err.method == "GET"
    assert err.url == URL
    assert err.body == json.dumps(body).encode()


def test_jira_field_errors() -> None:
    body = {"errorMessages": [], "errors": {"summary": "You must specify a summary.", "project": "Bad"}}
    err = error_from_response(response(400, body))
    assert isinstance(err, BadRequestError)
    assert err.error_messages == []
    assert err.errors == {"summary": "You must specify a summary.", "project": "Bad"}
    assert str(err).endswith(": summary: You must specify a summary.; project: Bad")


def test_jira_error_collection_with_odd_value_types() -> None:
    err = error_from_parts(400, {}, b'{"errorMessages": "just one", "errors": {"customfield_1": 12}}')
    assert err.error_messages == ["just one"]
    assert err.errors == {"customfield_1": "12"}


def test_empty_jira_error_collection_falls_back_to_reason() -> None:
    err = error_from_parts(403, {}, b'{"errorMessages": [], "errors": {}}')
    assert err.error_messages == ["Forbidden"]
    assert str(err) == "403 Forbidden"


def test_jira_service_management_error() -> None:
    body = {"errorMessage": "The request type is not valid.", "i18nErrorMessage": {"i18nKey": "k"}}
    err = error_from_response(response(400, body))
    assert err.error_messages == ["The request type is not valid."]
    assert str(err).endswith(": The request type is not valid.")


def test_confluence_v1_error_with_translated_data_errors() -> None:
    body = {
        "statusCode": 400,
        "message": "Could not create content",
        "data": {
            "authorized": True,
            "valid": False,
            "errors": [
                {"message": {"key": "title.empty", "translation": "Title cannot be empty", "args": []}},
                {"message": {"key": "space.missing"}},
            ],
        },
        "reason": "Bad Request",
    }
    err = error_from_response(response(400, body))
    assert err.error_messages == ["Could not create content", "Title cannot be empty", "space.missing"]


def test_confluence_v1_reason_only() -> None:
    err = error_from_parts(404, {}, b'{"statusCode": 404, "reason": "Not Found"}')
    assert err.error_messages == ["Not Found"]
    assert str(err) == "404 Not Found"


def test_confluence_v2_gateway_errors_list() -> None:
    body = {
        "errors": [
            {"status": 404, "code": "NOT_FOUND", "title": "Not Found", "detail": "Page 42 was not found"},
            {"status": 404, "code": "ALSO", "title": "Title only", "detail": None},
            {"status": 404, "code": "CODE_ONLY"},
        ]
    }
    err = error_from_response(response(404, body))
    assert isinstance(err, NotFoundError)
    assert err.error_messages == ["Page 42 was not found", "Title only", "CODE_ONLY"]
    assert err.errors == {}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"message": "Unauthorized; scope does not match"}, ["Unauthorized; scope does not match"]),
        ({"code": 401, "message": "Client must be authenticated"}, ["Client must be authenticated"]),
        ({"error": "invalid_token", "error_description": "expired"}, ["expired"]),
        ({"unexpected": 1}, ['{"unexpected": 1}']),
        ([1, 2], ["[1, 2]"]),
        ("a JSON string", ["a JSON string"]),
        (None, ["null"]),
    ],
)
def test_other_json_bodies(body: Any, expected: list[str]) -> None:
    assert error_from_response(response(400, body)).error_messages == expected


def test_plain_text_is_one_line() -> None:
    err = error_from_response(response(401, b"Basic auth with passwords is deprecated.\nSee the docs.\n"))
    assert err.error_messages == ["Basic auth with passwords is deprecated. See the docs."]
    assert "\n" not in str(err)


def test_html_uses_title() -> None:
    page = b"<!DOCTYPE html>\n<html><head><title>502 Bad\n Gateway &amp; co</title></head><body>x</body></html>"
    assert error_from_response(response(502, page)).error_messages == ["502 Bad Gateway & co"]


def test_html_without_title_uses_text_without_tags() -> None:
    page = b"<html><head><style>p {color: red}</style></head><body><h1>Service down</h1></body></html>"
    assert error_from_response(response(503, page)).error_messages == ["Service down"]


def test_long_text_is_truncated_to_200_chars() -> None:
    message = error_from_response(response(500, b"x" * 1000)).error_messages[0]
    assert len(message) == 200
    assert message.endswith("...")


def test_empty_body_gives_reason_phrase() -> None:
    err = error_from_response(response(404))
    assert err.error_messages == ["Not Found"]
    assert str(err) == f"404 Not Found on GET {URL}"


@pytest.mark.parametrize("body", [b'{"errorMessages": [', b"{", b"\xff\xfe\x00garbage", b"   "])
def test_malformed_bodies_do_not_raise(body: bytes) -> None:
    err = error_from_response(response(400, body))
    assert isinstance(err, BadRequestError)
    assert err.body == body


def test_no_request_headers_or_credentials_leak() -> None:
    request = httpx.Request(
        "POST", "https://me:pw@x/rest/api/3/issue?expand=names", headers={"Authorization": "Bearer s3cret"}
    )
    err = error_from_response(httpx.Response(400, content=b"nope", request=request))
    everything = str(err) + repr(err) + repr(err.args) + repr(vars(err))
    assert "s3cret" not in everything
    assert "pw" not in everything
    assert err.url == "https://x/rest/api/3/issue?expand=names"
    assert str(err) == "400 Bad Request on POST https://x/rest/api/3/issue?expand=names: nope"


def test_response_without_request() -> None:
    err = error_from_response(httpx.Response(409, json={"errorMessages": ["Version conflict"]}))
    assert (err.method, err.url) == ("", "")
    assert str(err) == "409 Conflict: Version conflict"


def test_rate_limit_retry_after_seconds_and_reset() -> None:
    headers = {"Retry-After": "7", "X-RateLimit-Reset": "2024-05-01T10:00Z"}
    err = error_from_response(response(429, b"", headers))
    assert isinstance(err, RateLimitError)
    assert err.retry_after == 7.0
    assert err.rate_limit_reset == "2024-05-01T10:00Z"
    assert err.headers["retry-after"] == "7"


def test_rate_limit_retry_after_http_date() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    err = error_from_response(response(429, b"", {"Retry-After": when}))
    assert isinstance(err, RateLimitError)
    assert err.retry_after is not None
    assert 28 <= err.retry_after <= 31
    assert err.rate_limit_reset is None


def test_rate_limit_without_retry_after() -> None:
    err = error_from_response(response(429))
    assert isinstance(err, RateLimitError)
    assert err.retry_after is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("0", 0.0),
        ("2.5", 2.5),
        ("-3", 0.0),
        ("soon", None),
        ("nan", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 100.0),
        ("Wed, 21 Oct 2015 07:30:00 GMT", 0.0),  # In the past: no wait.
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    now = email.utils.parsedate_to_datetime("Wed, 21 Oct 2015 07:26:20 GMT").timestamp()
    if value and value.startswith("Wed, 21 Oct 2015 07:30"):
        now += 1000
    assert parse_retry_after(value, now=now) == expected


def test_error_from_parts_accepts_generated_response_parts() -> None:
    err = error_from_parts(
        HTTPStatus.SERVICE_UNAVAILABLE, {"Retry-After": "1"}, b"", method="GET", url="https://x/wiki"
    )
    assert type(err) is ServerError
    assert err.status_code == 503
    assert type(err.status_code) is int
    assert err.headers["retry-after"] == "1"
    assert str(err) == "503 Service Unavailable on GET https://x/wiki"


@pytest.mark.parametrize("status", [200, 201, 204, 302])
def test_raise_for_status_passes_non_errors(status: int) -> None:
    raise_for_status(response(status))


def test_raise_for_status_raises_typed_error() -> None:
    with pytest.raises(NotFoundError) as info:
        raise_for_status(response(404, {"errorMessages": ["gone"]}))
    assert info.value.error_messages == ["gone"]


def test_raise_for_status_reads_an_unread_streamed_body() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(400, json={"errorMessages": ["bad jql"]}))
    with (
        httpx.Client(transport=transport) as client,
        client.stream("GET", "https://x/search") as resp,
        pytest.raises(BadRequestError) as info,
    ):
        raise_for_status(resp)
    assert info.value.error_messages == ["bad jql"]


async def test_raise_for_status_on_read_async_response() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(404, json={"message": "no page"}))
    async with httpx.AsyncClient(transport=transport) as client:
        resp = await client.get("https://x/wiki/api/v2/pages/1")
    with pytest.raises(NotFoundError) as info:
        raise_for_status(resp)
    assert str(info.value) == "404 Not Found on GET https://x/wiki/api/v2/pages/1: no page"


async def test_unread_async_stream_does_not_break_raise_for_status() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"boom"

    transport = httpx.MockTransport(lambda request: httpx.Response(500, content=chunks()))
    async with (
        httpx.AsyncClient(transport=transport) as client,
        client.stream("GET", "https://x/a") as resp,
    ):
        with pytest.raises(ServerError) as info:
            raise_for_status(resp)
    assert info.value.error_messages == ["Internal Server Error"]
    assert info.value.body == b""
