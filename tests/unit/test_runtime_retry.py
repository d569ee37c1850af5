"""Tests for codegen/runtime/retry.py: which responses are retried, how long is waited, sync and async."""

from __future__ import annotations

import email.utils
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import attrs
import httpx
import pytest

from codegen.runtime.retry import AsyncRetryTransport, RetryPolicy, RetryTransport

URL = "https://x.atlassian.net/rest/api/3/myself"

Step = httpx.Response | Exception


@attrs.define
class Server:
    """Answers requests with the scripted steps in order (the last one repeats) and records them."""

    steps: Sequence[Step]
    requests: list[httpx.Request] = attrs.field(factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps[min(len(self.requests), len(self.steps)) - 1]
        if isinstance(step, Exception):
            raise step
        return httpx.Response(step.status_code, headers=step.headers, content=step.content)


@attrs.define
class Clock:
    """Fake sleep/asleep/random: records the waits and returns the jitter bound as the jitter."""

    waits: list[float] = attrs.field(factory=list)
    bounds: list[tuple[float, float]] = attrs.field(factory=list)

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)

    async def asleep(self, seconds: float) -> None:
        self.waits.append(seconds)

    def random(self, low: float, high: float) -> float:
        self.bounds.append((low, high))
        return high


def policy(clock: Clock, **changes: Any) -> RetryPolicy:
    return attrs.evolve(RetryPolicy(sleep=clock.sleep, asleep=clock.asleep, random=clock.random), **changes)


def ok() -> httpx.Response:
    return httpx.Response(200, json={"accountId": "abc"})


def send(
    server: Server, retry: RetryPolicy, method: str = "GET", content: bytes | Iterator[bytes] | None = None
) -> httpx.Response:
    with httpx.Client(transport=RetryTransport(httpx.MockTransport(server), retry)) as client:
        return client.request(method, URL, content=content)


async def asend(
    server: Server,
    retry: RetryPolicy,
    method: str = "GET",
    content: bytes | AsyncIterator[bytes] | None = None,
) -> httpx.Response:
    transport = AsyncRetryTransport(httpx.MockTransport(server), retry)
    async with httpx.AsyncClient(transport=transport) as client:
        return await client.request(method, URL, content=content)


def test_defaults() -> None:
    retry = RetryPolicy()
    assert (retry.max_retries, retry.statuses, retry.backoff_base, retry.backoff_max) == (
        3,
        frozenset({429, 503}),
        0.5,
        8.0,
    )
    assert (retry.max_retry_after, retry.retry_non_idempotent, retry.retry_connect_errors) == (
        60.0,
        False,
        True,
    )
    assert retry.sleep is time.sleep


def test_negative_max_retries_is_rejected() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)


def test_429_with_retry_after_waits_then_succeeds() -> None:
    clock = Clock()
    server = Server([httpx.Response(429, headers={"Retry-After": "2"}), ok()])
    response = send(server, policy(clock))
    assert response.status_code == 200
    assert response.json() == {"accountId": "abc"}
    assert clock.waits == [2.0]
    assert clock.bounds == []  # Retry-After wins over backoff.
    assert len(server.requests) == 2


def test_retry_after_http_date_is_honoured() -> None:
    clock = Clock()
    when = email.utils.formatdate(time.time() + 10, usegmt=True)
    server = Server([httpx.Response(503, headers={"Retry-After": when}), ok()])
    assert send(server, policy(clock)).status_code == 200
    assert len(clock.waits) == 1
    assert 8 <= clock.waits[0] <= 10


def test_503_without_retry_after_uses_bounded_jittered_backoff() -> None:
    clock = Clock()
    server = Server([httpx.Response(503)] * 5 + [ok()])
    response = send(server, policy(clock, max_retries=5, backoff_base=1.0, backoff_max=4.0))
    assert response.status_code == 200
    assert clock.bounds == [(0.0, 1.0), (0.0, 2.0), (0.0, 4.0), (0.0, 4.0), (0.0, 4.0)]
    assert clock.waits == [1.0, 2.0, 4.0, 4.0, 4.0]


def test_real_jitter_stays_within_bounds() -> None:
    waits: list[float] = []
    retry = RetryPolicy(max_retries=4, backoff_base=0.5, backoff_max=1.5, sleep=waits.append)
    send(Server([httpx.Response(503)] * 4 + [ok()]), retry)
    assert len(waits) == 4
    assert all(0 <= wait <= bound for wait, bound in zip(waits, [0.5, 1.0, 1.5, 1.5], strict=True))


def test_max_retries_respected_and_last_response_returned() -> None:
    clock = Clock()
    server = Server([httpx.Response(429, headers={"Retry-After": "1"}, content=b"slow down")])
    response = send(server, policy(clock, max_retries=2))
    assert response.status_code == 429
    assert response.content == b"slow down"
    assert len(server.requests) == 3  # 1 + max_retries
    assert clock.waits == [1.0, 1.0]


def test_max_retries_zero_turns_retries_off() -> None:
    clock = Clock()
    server = Server([httpx.Response(503), ok()])
    assert send(server, policy(clock, max_retries=0)).status_code == 503
    assert len(server.requests) == 1
    assert clock.waits == []


def test_long_retry_after_is_not_waited_for() -> None:
    clock = Clock()
    server = Server([httpx.Response(429, headers={"Retry-After": "3600"}), ok()])
    response = send(server, policy(clock))
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3600"
    assert len(server.requests) == 1
    assert clock.waits == []


@pytest.mark.parametrize("status", [200, 400, 404, 500, 502])
def test_other_statuses_are_not_retried(status: int) -> None:
    clock = Clock()
    server = Server([httpx.Response(status), ok()])
    assert send(server, policy(clock)).status_code == status
    assert len(server.requests) == 1


def test_statuses_are_configurable() -> None:
    clock = Clock()
    server = Server([httpx.Response(502), ok()])
    assert send(server, policy(clock, statuses=frozenset({502}))).status_code == 200
    assert len(server.requests) == 2


def test_post_is_not_retried_by_default() -> None:
    clock = Clock()
    server = Server([httpx.Response(429, headers={"Retry-After": "1"}), ok()])
    assert send(server, policy(clock), "POST", b'{"fields": {}}').status_code == 429
    assert len(server.requests) == 1


def test_post_is_retried_when_allowed_and_body_is_resent() -> None:
    clock = Clock()
    server = Server([httpx.Response(429, headers={"Retry-After": "1"}), ok()])
    response = send(server, policy(clock, retry_non_idempotent=True), "POST", b'{"fields": {}}')
    assert response.status_code == 200
    assert [r.content for r in server.requests] == [b'{"fields": {}}'] * 2


@pytest.mark.parametrize("method", ["PUT", "DELETE", "HEAD", "OPTIONS"])
def test_idempotent_methods_are_retried(method: str) -> None:
    server = Server([httpx.Response(503), ok()])
    assert send(server, policy(Clock()), method).status_code == 200
    assert len(server.requests) == 2


def test_streamed_body_is_not_retried() -> None:
    def body() -> Iterator[bytes]:
        yield b"chunk"

    server = Server([httpx.Response(503), ok()])
    assert send(server, policy(Clock()), "PUT", body()).status_code == 503
    assert len(server.requests) == 1


def test_discarded_response_is_closed() -> None:
    closed: list[bool] = []

    class Body(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield b""

        def close(self) -> None:
            closed.append(True)

    class Inner(httpx.BaseTransport):
        calls = 0

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            self.calls += 1
            return httpx.Response(503 if self.calls == 1 else 200, stream=Body())

    transport = RetryTransport(Inner(), policy(Clock()))
    with httpx.Client(transport=transport) as client, client.stream("GET", URL) as response:
        assert response.status_code == 200
        assert closed == [True]  # The 503, before the retry.
    assert closed == [True, True]


def test_connect_error_is_retried_for_get() -> None:
    clock = Clock()
    server = Server([httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), ok()])
    assert send(server, policy(clock)).status_code == 200
    assert len(server.requests) == 3
    assert clock.waits == [0.5, 1.0]


def test_connect_error_is_retried_even_for_post() -> None:
    server = Server([httpx.ConnectError("refused"), ok()])
    assert send(server, policy(Clock()), "POST", b"{}").status_code == 200


def test_connect_error_reraised_when_exhausted_or_disabled() -> None:
    server = Server([httpx.ConnectError("refused")])
    with pytest.raises(httpx.ConnectError):
        send(server, policy(Clock(), max_retries=2))
    assert len(server.requests) == 3
    server = Server([httpx.ConnectError("refused"), ok()])
    with pytest.raises(httpx.ConnectError):
        send(server, policy(Clock(), retry_connect_errors=False))
    assert len(server.requests) == 1


def test_read_timeouts_are_not_retried() -> None:
    server = Server([httpx.ReadTimeout("maybe sent"), ok()])
    with pytest.raises(httpx.ReadTimeout):
        send(server, policy(Clock()))
    assert len(server.requests) == 1


def test_a_connection_dropped_before_answering_is_resent_only_when_idempotent() -> None:
    """A pooled keep-alive connection the server just closed: GET again, but never a POST (it may have arrived)."""
    server = Server([httpx.RemoteProtocolError("Server disconnected without sending a response."), ok()])
    assert send(server, policy(Clock())).status_code == 200 and len(server.requests) == 2
    server = Server([httpx.ReadError("connection reset"), ok()])
    with pytest.raises(httpx.ReadError):
        send(server, policy(Clock()), "POST", b"{}")
    assert len(server.requests) == 1


def test_close_is_delegated() -> None:
    closed: list[str] = []

    class Inner(httpx.MockTransport):
        def close(self) -> None:
            closed.append("close")

    RetryTransport(Inner(lambda request: ok()), RetryPolicy()).close()
    assert closed == ["close"]


# Async twins.


async def test_async_429_with_retry_after_waits_then_succeeds() -> None:
    clock = Clock()
    server = Server([httpx.Response(429, headers={"Retry-After": "2"}), ok()])
    response = await asend(server, policy(clock))
    assert response.status_code == 200
    assert clock.waits == [2.0]
    assert len(server.requests) == 2


async def test_async_503_backoff_and_max_retries() -> None:
    clock = Clock()
    server = Server([httpx.Response(503)])
    response = await asend(server, policy(clock, max_retries=3, backoff_max=1.0))
    assert response.status_code == 503
    assert len(server.requests) == 4
    assert clock.waits == [0.5, 1.0, 1.0]


async def test_async_post_only_retried_when_allowed() -> None:
    server = Server([httpx.Response(429), ok()])
    assert (await asend(server, policy(Clock()), "POST", b"{}")).status_code == 429
    server = Server([httpx.Response(429), ok()])
    assert (await asend(server, policy(Clock(), retry_non_idempotent=True), "POST", b"{}")).status_code == 200


async def test_async_long_retry_after_and_retries_off() -> None:
    clock = Clock()
    server = Server([httpx.Response(429, headers={"Retry-After": "3600"}), ok()])
    assert (await asend(server, policy(clock))).status_code == 429
    server = Server([httpx.Response(503), ok()])
    assert (await asend(server, policy(clock, max_retries=0))).status_code == 503
    assert clock.waits == []


async def test_async_streamed_body_is_not_retried() -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"chunk"

    server = Server([httpx.Response(503), ok()])
    assert (await asend(server, policy(Clock()), "PUT", body())).status_code == 503
    assert len(server.requests) == 1


async def test_async_dropped_connection_retried_for_get_only() -> None:
    server = Server([httpx.ReadError("connection reset"), ok()])
    assert (await asend(server, policy(Clock()))).status_code == 200
    server = Server([httpx.RemoteProtocolError("disconnected"), ok()])
    with pytest.raises(httpx.RemoteProtocolError):
        await asend(server, policy(Clock()), "POST", b"{}")
    assert len(server.requests) == 1


async def test_async_connect_error_retried_for_get() -> None:
    clock = Clock()
    server = Server([httpx.ConnectError("refused"), ok()])
    assert (await asend(server, policy(clock))).status_code == 200
    assert clock.waits == [0.5]


async def test_async_aclose_is_delegated() -> None:
    closed: list[str] = []

    class Inner(httpx.MockTransport):
        async def aclose(self) -> None:
            closed.append("aclose")

    await AsyncRetryTransport(Inner(lambda request: ok()), RetryPolicy()).aclose()
    assert closed == ["aclose"]
