"""The CLI-started server over stdio, streamable HTTP and SSE, against the sandbox (Data Center) on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from mcp import Client, StdioServerParameters

from tests.sandbox_server import LoopbackSandbox


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSandbox]:
    with LoopbackSandbox("datacenter") as running:
        yield running
    running.guard.assert_clean()  # every request the servers sent follows Atlassian's spec


def server_env(site: LoopbackSandbox, **extra: str) -> dict[str, str]:
    """Only what the server needs: a Data Center Jira (loopback URLs are Data Center) with a PAT."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT", "VIRTUAL_ENV")}
    return {**keep, **site.env(**extra), "ALLOW_GLOBAL_CRED_FALLBACK": "true"}  # one user: the server's own credentials


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def http_server(site: LoopbackSandbox, *args: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "adapter", "--port", str(port), *args],
        env=server_env(site),
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz").json() == {"status": "ok"}:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"server did not start: {process.stderr.read() if process.stderr else ''}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


async def exercise(client: Client) -> None:
    names = [t.name for t in (await client.list_tools()).tools]
    assert names == sorted(names) and "jira_get_issue" in names and not any(n.startswith("confluence") for n in names)
    result = await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
    assert not result.is_error, result.content
    assert result.structured_content["summary"] == "Checkout revamp"


async def test_stdio(site: LoopbackSandbox) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "adapter"], env=server_env(site))
    async with Client(params) as client:
        await exercise(client)
    assert any(r.path == "/jira/rest/api/2/issue/PROJ-1" and r.status == 200 for r in site.sandbox.requests)


@pytest.mark.parametrize("mode", ["auto", "legacy"])  # MCP 2026-07-28 and 2025-11-25 clients
async def test_streamable_http(site: LoopbackSandbox, mode: str) -> None:
    with http_server(site, "--transport", "streamable-http") as base:
        async with Client(f"{base}/mcp", mode=mode) as client:
            await exercise(client)
            assert client.protocol_version == ("2026-07-28" if mode == "auto" else "2025-11-25")


async def test_streamable_http_stateless(site: LoopbackSandbox) -> None:
    with http_server(site, "--transport", "streamable-http", "--stateless") as base:
        async with Client(f"{base}/mcp", mode="legacy") as client:
            await exercise(client)


def test_dns_rebinding_is_refused(site: LoopbackSandbox) -> None:
    with http_server(site, "--transport", "streamable-http") as base:
        response = httpx.post(f"{base}/mcp", headers={"Host": "evil.example", "content-type": "application/json"},
                              json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})  # fmt: skip
        assert response.status_code == 421


async def test_sse(site: LoopbackSandbox) -> None:
    from mcp.client.session import ClientSession
    from mcp.client.sse import sse_client

    with http_server(site, "--transport", "sse") as base:
        async with sse_client(f"{base}/sse") as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            tools = await session.list_tools()
            assert "jira_get_issue" in [t.name for t in tools.tools]
            result = await session.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
            assert result.structured_content["key"] == "PROJ-1"
            assert result.structured_content["summary"] == "Checkout revamp"


def test_bad_configuration_is_one_line_and_exit_2() -> None:
    cases = [
        (["--jira-url", "jira.example.com"], "JIRA_URL"),
        (["--stateless"], "--stateless needs --transport streamable-http"),
        (["--toolsets", "nope"], "unknown toolset(s): nope"),
        (["--jira-url", "https://x.atlassian.net", "--jira-token", "t"], "JIRA_USERNAME"),
    ]
    for args, expected in cases:
        done = subprocess.run([sys.executable, "-m", "adapter", *args], capture_output=True, text=True, timeout=60,
                              env={"PATH": os.environ["PATH"]}, stdin=subprocess.DEVNULL)  # fmt: skip
        assert done.returncode == 2, (args, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], (args, done.stderr)


def test_tools_command_lists_sizes(site: LoopbackSandbox) -> None:
    done = subprocess.run([sys.executable, "-m", "adapter", "tools"], capture_output=True, text=True, timeout=60,
                          env=server_env(site))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "jira_get_issue" in done.stdout and "tools," in done.stdout.splitlines()[-1]


def test_check_command(site: LoopbackSandbox) -> None:
    done = subprocess.run([sys.executable, "-m", "adapter", "check"], capture_output=True, text=True, timeout=60,
                          env=server_env(site))  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Jira: ok" in done.stdout and "signed in as Sandbox User" in done.stdout and "10.3.12" in done.stdout
    bad = server_env(site, token="wrong")
    done = subprocess.run(
        [sys.executable, "-m", "adapter", "check"], capture_output=True, text=True, timeout=60, env=bad
    )
    assert done.returncode == 1 and "Jira: FAILED" in done.stdout and "check the credentials" in done.stdout


async def test_serve_sandbox_over_http_needs_no_account() -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    process = subprocess.Popen(
        [sys.executable, "-m", "adapter", "serve", "--sandbox", "--flavor", "datacenter", "--transport",
         "streamable-http", "--port", str(port)],
        env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/healthz")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        async with Client(f"{base}/mcp") as client:
            result = await client.call_tool("jira_search", {"jql": "project = PROJ", "limit": 3})
            assert not result.is_error, result.content
            assert len(result.structured_content["issues"]) == 3
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=10)
    assert "serving the datacenter sandbox" in err and f"http://127.0.0.1:{port}/mcp" in err
