"""Retries as httpx transports, so every request sent through a client gets them, generated or not.

Atlassian Cloud answers 429 (with Retry-After) when throttling and 503 when a node is busy; both are
worth waiting out. Only requests that are safe to send twice are retried: idempotent methods with a
replayable body, unless the policy says otherwise. Connection failures are retried for every method,
as the request never reached the server; a connection that closes before answering (a stale keep-alive
connection) only for idempotent methods, as the request may have arrived.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable

import attrs
import httpx

from .errors import parse_retry_after

__all__ = ["IDEMPOTENT_METHODS", "AsyncRetryTransport", "RetryPolicy", "RetryTransport"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})

_CONNECT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout)
# The connection closed before any answer came, typically a pooled keep-alive connection the server had just
# closed: the request may have arrived, so only what is safe to send twice is resent.
_DROPPED_ERRORS = (httpx.RemoteProtocolError, httpx.ReadError)
_log = logging.getLogger(__name__)


@attrs.frozen
class RetryPolicy:
    """When and how long to wait before sending a request again. ``max_retries=0`` turns retries off.

    ``sleep``, ``asleep`` and ``random`` are injectable so tests need not wait or guess.
    """

    max_retries: int = attrs.field(default=3, validator=attrs.validators.ge(0))
    statuses: frozenset[int] = frozenset({429, 503})
    backoff_base: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    backoff_max: float = attrs.field(default=8.0, validator=attrs.validators.ge(0))
    max_retry_after: float = 60.0
    retry_non_idempotent: bool = False
    retry_connect_errors: bool = True
    sleep: Callable[[float], None] = time.sleep
    asleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    random: Callable[[float, float], float] = random.uniform

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter; ``attempt`` counts retries from 0."""
        return self.random(0.0, min(self.backoff_max, self.backoff_base * 2**attempt))

    def retry_delay(self, method: str, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before resending after ``response``, or None to hand it back as it is."""
        if (
            attempt >= self.max_retries
            or response.status_code not in self.statuses
            or not (self.retry_non_idempotent or method.upper() in IDEMPOTENT_METHODS)
        ):
            return None
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if retry_after is None:
            return self.backoff(attempt)
        return retry_after if retry_after <= self.max_retry_after else None

    def dropped_delay(self, method: str, attempt: int) -> float | None:
        """Seconds to wait before resending after the connection closed with no answer, or None to re-raise."""
        if attempt >= self.max_retries or not (self.retry_non_idempotent or method.upper() in IDEMPOTENT_METHODS):
            return None
        return self.backoff(attempt)

    def connect_error_delay(self, attempt: int) -> float | None:
        """Seconds to wait before resending after a connection failure, or None to re-raise it."""
        if attempt >= self.max_retries or not self.retry_connect_errors:
            return None
        return self.backoff(attempt)


def _replayable(request: httpx.Request) -> bool:
    """A streamed (generator, file) body cannot be sent twice; bytes, or a body already read, can.

    Checked before the first attempt: some transports read the stream into bytes while sending.
    """
    return isinstance(request.stream, httpx.ByteStream)


class RetryTransport(httpx.BaseTransport):
    """Wraps a sync transport, resending requests as ``policy`` allows."""

    def __init__(self, inner: httpx.BaseTransport, policy: RetryPolicy) -> None:
        self.inner = inner
        self.policy = policy

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.policy.max_retries == 0 or not _replayable(request):
            return self.inner.handle_request(request)
        attempt = 0
        while True:
            try:
                response = self.inner.handle_request(request)
            except _CONNECT_ERRORS as exc:
                delay = self.policy.connect_error_delay(attempt)
                if delay is None:
                    raise
                _log_retry(request, repr(exc), attempt, delay)
            except _DROPPED_ERRORS as exc:
                delay = self.policy.dropped_delay(request.method, attempt)
                if delay is None:
                    raise
                _log_retry(request, repr(exc), attempt, delay)
            else:
                delay = self.policy.retry_delay(request.method, response, attempt)
                if delay is None:
                    return response
                response.close()
                _log_retry(request, str(response.status_code), attempt, delay)
            self.policy.sleep(delay)
            attempt += 1

    def close(self) -> None:
        self.inner.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """Wraps an async transport, resending requests as ``policy`` allows."""

    def __init__(self, inner: httpx.AsyncBaseTransport, policy: RetryPolicy) -> None:
        self.inner = inner
        self.policy = policy

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.policy.max_retries == 0 or not _replayable(request):
            return await self.inner.handle_async_request(request)
        attempt = 0
        while True:
            try:
                response = await self.inner.handle_async_request(request)
            except _CONNECT_ERRORS as exc:
                delay = self.policy.connect_error_delay(attempt)
                if delay is None:
                    raise
                _log_retry(request, repr(exc), attempt, delay)
            except _DROPPED_ERRORS as exc:
                delay = self.policy.dropped_delay(request.method, attempt)
                if delay is None:
                    raise
                _log_retry(request, repr(exc), attempt, delay)
            else:
                delay = self.policy.retry_delay(request.method, response, attempt)
                if delay is None:
                    return response
                await response.aclose()
                _log_retry(request, str(response.status_code), attempt, delay)
            await self.policy.asleep(delay)
            attempt += 1

    async def aclose(self) -> None:
        await self.inner.aclose()


def _log_retry(request: httpx.Request, cause: str, attempt: int, delay: float) -> None:
    # The URL only: request headers carry credentials.
    _log.debug("retry %d for %s %s after %s, in %.2fs", attempt + 1, request.method, request.url, cause, delay)
