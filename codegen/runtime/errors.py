"""Typed errors for non-2xx responses, whatever error body shape the Atlassian product returned.

Jira, Jira Service Management, Confluence v1/Data Center and Confluence v2 (the Atlassian API gateway)
each use their own error JSON, and proxies answer with HTML or plain text; callers get one exception
hierarchy with the messages pulled out, so they can ``except NotFoundError`` and print ``str(err)``.
"""

from __future__ import annotations

import email.utils
import html
import json
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

__all__ = [
    "AtlassianError",
    "BadRequestError",
    "ConflictError",
    "ForbiddenError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "UnauthorizedError",
    "error_from_parts",
    "error_from_response",
    "parse_retry_after",
    "raise_for_status",
]

_MAX_TEXT = 200


class AtlassianError(Exception):
    """A non-2xx response. Holds the response side only: request headers (credentials) are never kept."""

    def __init__(
        self,
        status_code: int,
        *,
        error_messages: Iterable[str] = (),
        errors: Mapping[str, str] | None = None,
        headers: httpx.Headers | Mapping[str, str] | None = None,
        body: bytes = b"",
        method: str = "",
        url: str = "",
    ) -> None:
        self.status_code = int(status_code)
        self.error_messages: list[str] = list(error_messages)
        self.errors: dict[str, str] = dict(errors or {})
        self.headers = httpx.Headers(headers)
        self.body = body
        self.method = method
        self.url = url
        super().__init__(self._message())

    @property
    def reason(self) -> str:
        """The standard reason phrase, e.g. "Not Found" (HTTP/2 responses carry none of their own)."""
        return httpx.codes.get_reason_phrase(self.status_code)

    def _message(self) -> str:
        head = f"{self.status_code} {self.reason}".rstrip()
        where = " ".join(part for part in (self.method, self.url) if part)
        if where:
            head += f" on {where}"
        details = [m for m in self.error_messages if m and m != self.reason]
        details += [f"{field}: {message}" for field, message in self.errors.items()]
        # One line, whatever the server put in its messages.
        return " ".join(f"{head}: {'; '.join(details)}".split()) if details else head


class BadRequestError(AtlassianError):
    """400: the request was invalid (field errors are in ``errors``)."""


class UnauthorizedError(AtlassianError):
    """401: missing or wrong credentials."""


class ForbiddenError(AtlassianError):
    """403: authenticated but not allowed."""


class NotFoundError(AtlassianError):
    """404: absent, or hidden from this user (Atlassian does not tell the two apart)."""


class ConflictError(AtlassianError):
    """409: the resource changed or already exists."""


class ServerError(AtlassianError):
    """Any 5xx."""


class RateLimitError(AtlassianError):
    """429: throttled. ``retry_after`` is in seconds; ``rate_limit_reset`` is Atlassian's raw header."""

    def __init__(self, status_code: int, **kwargs: Any) -> None:
        super().__init__(status_code, **kwargs)
        self.retry_after: float | None = parse_retry_after(self.headers.get("Retry-After"))
        self.rate_limit_reset: str | None = self.headers.get("X-RateLimit-Reset")


_BY_STATUS: dict[int, type[AtlassianError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); None if absent or invalid."""
    if value is None or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # HTTP-dates are GMT; obsolete formats may parse naive.
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def error_from_parts(
    status_code: int,
    headers: httpx.Headers | Mapping[str, str],
    content: bytes,
    method: str = "",
    url: str = "",
) -> AtlassianError:
    """Build the typed error from raw response parts (for generated ``Response`` objects too)."""
    status = int(status_code)
    cls = _BY_STATUS.get(status) or (ServerError if 500 <= status <= 599 else AtlassianError)
    messages, field_errors = _parse_body(content)
    if not messages and not field_errors:
        messages = [httpx.codes.get_reason_phrase(status)] if status else []
    return cls(
        status,
        error_messages=messages,
        errors=field_errors,
        headers=headers,
        body=content,
        method=method,
        url=url,
    )


def error_from_response(response: httpx.Response) -> AtlassianError:
    """Build the typed error for an httpx response, reading its body if that is still possible."""
    method, url = "", ""
    try:
        request = response.request
    except RuntimeError:  # A response built by hand has no request.
        pass
    else:
        method = request.method
        url = str(request.url.copy_with(username=None, password=None))
    return error_from_parts(response.status_code, response.headers, _read_body(response), method, url)


def raise_for_status(response: httpx.Response) -> None:
    """Raise the typed error for status >= 400; 1xx-3xx pass."""
    if response.status_code >= 400:
        raise error_from_response(response)


def _read_body(response: httpx.Response) -> bytes:
    """The body, or b"" when it cannot be read synchronously (unread async stream, closed, broken)."""
    try:
        return response.read()
    except (RuntimeError, httpx.HTTPError):  # httpx.StreamError is a RuntimeError.
        return b""


def _parse_body(content: bytes) -> tuple[list[str], dict[str, str]]:
    """(messages, field errors) from any of the known error shapes; never raises."""
    text = content.decode("utf-8", errors="replace").strip()
    if not text:
        return [], {}
    try:
        data = json.loads(text)
    except ValueError:
        return [_short_text(text)], {}
    if isinstance(data, str):
        return _texts([_truncate(data)]), {}
    parsed = _parse_json(data) if isinstance(data, dict) else None
    return parsed if parsed is not None else ([_truncate(" ".join(text.split()))], {})


def _parse_json(data: dict[str, Any]) -> tuple[list[str], dict[str, str]] | None:
    """Messages from a JSON error object, or None when its shape is not a known one."""
    errors = data.get("errors")
    # Jira ErrorCollection: {"errorMessages": [...], "errors": {"field": "message"}, "warningMessages": []}.
    if "errorMessages" in data or isinstance(errors, dict):
        field_errors = {str(k): _text(v) for k, v in errors.items()} if isinstance(errors, dict) else {}
        return _texts(data.get("errorMessages")), field_errors
    # Jira Service Management: {"errorMessage": "...", "i18nErrorMessage": {...}}.
    if data.get("errorMessage"):
        return _texts([data["errorMessage"]]), {}
    # Confluence v2 / API gateway: {"errors": [{"status", "code", "title", "detail"}]}.
    if isinstance(errors, list) and errors:
        return [_gateway_message(item) for item in errors], {}
    # Confluence v1 / Data Center: {"statusCode", "message", "data": {"errors": [{"message": {...}}]}};
    # also the bare {"message": "..."} and OAuth's {"error": ..., "error_description": ...}.
    messages = _texts([data.get("message") or data.get("reason")])
    inner = data.get("data")
    if isinstance(inner, dict) and isinstance(inner.get("errors"), list):
        for item in inner["errors"]:
            message = item.get("message") if isinstance(item, dict) else item
            if isinstance(message, dict):
                message = message.get("translation") or message.get("key")
            messages += _texts([message])
    messages = messages or _texts([data.get("error_description") or data.get("error")])
    return (messages, {}) if messages else None


def _gateway_message(item: Any) -> str:
    if isinstance(item, dict):
        found = item.get("detail") or item.get("title") or item.get("message") or item.get("code")
        return _text(found if found is not None else item)
    return _text(item)


def _texts(values: Any) -> list[str]:
    if not isinstance(values, list):
        values = [values]
    return [_text(v) for v in values if v is not None and v != ""]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _short_text(text: str) -> str:
    """Plain text as one line; for HTML/XML the <title>, else the text with the tags removed."""
    if text.startswith("<"):
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        if title and title.group(1).strip():
            text = title.group(1)
        else:
            text = re.sub(r"<(script|style)\b.*?</\1\s*>", " ", text, flags=re.IGNORECASE | re.DOTALL)
            text = re.sub(r"<[^>]*>", " ", text)
        text = html.unescape(text)
    return _truncate(" ".join(text.split()))


def _truncate(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."
