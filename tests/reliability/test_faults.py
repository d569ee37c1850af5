"""Faults injected by the sandbox, through the whole server over real HTTP on loopback.

Expected: retries only where safe (a create is never sent twice), bounded waits, a clear message, credentials
never sent to another host. The sandbox's request log is the witness of what the server really sent.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from mcp import Client

from adapter.config import load_settings
from adapter.manifest import load_tools
from adapter.server import AtlassianServer
from tests.sandbox_server import LoopbackSandbox

NEW_ISSUE = {"project_key": "PROJ", "summary": "Fault test", "issue_type": "Task"}


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSandbox]:
    with LoopbackSandbox("cloud") as running:
        yield running


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[LoopbackSandbox]:
    """Another host: a redirect points here, and nothing may ever arrive."""
    with LoopbackSandbox("cloud") as running:
        yield running


@asynccontextmanager
async def connected(site: LoopbackSandbox, **env: str) -> AsyncIterator[Client]:
    site.sandbox.requests.clear()
    site.sandbox.faults.clear()
    settings = load_settings({}, environ={**site.env(), **env}, read_dotenv=False)
    server = AtlassianServer(settings, load_tools())
    try:
        async with Client(server.lowlevel()) as client:
            yield client
    finally:
        await server.aclose()


def sent(site: LoopbackSandbox, method: str, fragment: str) -> int:
    return sum(1 for r in site.sandbox.requests if r.method == method and fragment in r.path)


async def call(client: Client, tool: str, args: dict[str, Any]) -> tuple[bool, str, float]:
    started = time.monotonic()
    result = await client.call_tool(tool, args)
    text = " ".join(getattr(c, "text", "") for c in result.content)
    return result.is_error, text, time.monotonic() - started


async def test_429_with_retry_after_is_waited_out_once(site: LoopbackSandbox) -> None:
    async with connected(site) as client:
        site.sandbox.inject(r"/issue/PROJ-1$", 429, retry_after=1)
        failed, text, seconds = await call(client, "jira_get_issue", {"issue_key": "PROJ-1"})
    assert not failed, text
    assert sent(site, "GET", "/issue/PROJ-1") == 2
    assert 1.0 <= seconds < 5


async def test_a_retry_after_beyond_the_bound_is_not_waited(site: LoopbackSandbox) -> None:
    async with connected(site) as client:
        site.sandbox.inject(r"/issue/PROJ-1$", 429, retry_after=3600)
        failed, text, seconds = await call(client, "jira_get_issue", {"issue_key": "PROJ-1"})
    assert failed and "429" in text and "rate limited" in text
    assert sent(site, "GET", "/issue/PROJ-1") == 1 and seconds < 5


@pytest.mark.parametrize("status", [503])
async def test_reads_are_retried_on_503(site: LoopbackSandbox, status: int) -> None:
    async with connected(site) as client:
        site.sandbox.inject(r"/issue/PROJ-1$", status, times=2)
        failed, text, seconds = await call(client, "jira_get_issue", {"issue_key": "PROJ-1"})
    assert not failed, text
    assert sent(site, "GET", "/issue/PROJ-1") == 3 and seconds < 10


@pytest.mark.parametrize("status", [500, 502])
async def test_500_and_502_are_reported_not_retried(site: LoopbackSandbox, status: int) -> None:
    async with connected(site) as client:
        site.sandbox.inject(r"/issue/PROJ-1$", status)
        failed, text, _ = await call(client, "jira_get_issue", {"issue_key": "PROJ-1"})
    assert failed and text.startswith(f"Jira answered {status}")
    assert sent(site, "GET", "/issue/PROJ-1") == 1


@pytest.mark.parametrize("status", [429, 500, 502, 503])
async def test_a_create_is_never_sent_twice(site: LoopbackSandbox, status: int) -> None:
    async with connected(site) as client:
        site.sandbox.inject(r"/issue$", status, retry_after=0 if status == 429 else None)
        failed, text, _ = await call(client, "jira_create_issue", NEW_ISSUE)
    assert failed and f"Jira answered {status}" in text
    assert sent(site, "POST", "/rest/api/3/issue") == 1


async def test_a_slow_answer_times_out_within_the_configured_bound(site: LoopbackSandbox) -> None:
    async with connected(site, JIRA_TIMEOUT="1") as client:
        site.sandbox.inject(r"/issue/PROJ-1$", kind="delay", delay=3, times=5)
        failed, text, seconds = await call(client, "jira_get_issue", {"issue_key": "PROJ-1"})
    assert failed and text == "could not reach Jira: ReadTimeout"
    assert seconds < 2.5  # a read timeout is not retried: the request may have been processed


async def test_a_connection_reset_mid_body_is_a_clear_error(site: LoopbackSandbox) -> None:
    async with connected(site) as client:
        site.sandbox.inject(r"/issue/PROJ-1$", kind="reset")
        failed, text, _ = await call(client, "jira_get_issue", {"issue_key": "PROJ-1"})
        again, _, _ = await call(client, "jira_get_issue", {"issue_key": "PROJ-1"})
    assert failed and text.startswith("could not reach Jira: ")
    assert not again  # the pool recovers: the next call works


async def test_malformed_json_is_a_clear_error(site: LoopbackSandbox) -> None:
    async with connected(site) as client:
        site.sandbox.inject(r"/issue/PROJ-1$", kind="malformed")
        failed, text, _ = await call(client, "jira_get_issue", {"issue_key": "PROJ-1"})
    assert failed and text.startswith("Jira answered with a body that is not valid JSON"), text


async def test_a_redirect_to_another_host_is_not_followed(site: LoopbackSandbox, elsewhere: LoopbackSandbox) -> None:
    elsewhere.sandbox.requests.clear()
    async with connected(site) as client:
        site.sandbox.inject(r"/issue/PROJ-1$", kind="redirect", location=f"{elsewhere.url}/rest/api/3/issue/PROJ-1")
        failed, text, _ = await call(client, "jira_get_issue", {"issue_key": "PROJ-1"})
    assert failed and "302" in text and "redirect" in text, text
    assert elsewhere.sandbox.requests == []  # the credentials never left for the other host
