"""Log notifications and protocol versions, against the CLI-started server over streamable HTTP (Data Center sandbox).

Logging: `logging/setLevel` sets the lowest level per session; upstream errors and the SDKs' retries arrive as
`notifications/message`, and no token (the server's, from its environment, or a user's, from request headers)
ever appears in one. Versions: 2024-11-05 to 2025-11-25 clients (initialize handshake) and 2026-07-28 clients
(server/discover, no handshake) each list and call tools; an unknown version is answered as the spec says.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests.e2e.test_transports import free_port
from tests.sandbox_server import LoopbackSandbox

pytestmark = pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")  # logging/setLevel
HANDSHAKE_VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
ACCEPT = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


CONTEXT = {"resources", "prompts", "completions"}  # adapter/context.yaml


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSandbox]:
    with LoopbackSandbox("datacenter") as running:
        yield running
    running.guard.assert_clean()


@contextmanager
def serving(site: LoopbackSandbox, *args: str, token: str | None = None) -> Iterator[str]:
    """The CLI server on streamable HTTP; the server's own token (`token`) also serves requests without one."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "VIRTUAL_ENV")}
    env = {**keep, **site.env(**({"token": token} if token else {})), "ALLOW_GLOBAL_CRED_FALLBACK": "true"}
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "adapter", "--transport", "streamable-http", "--port",
                                str(port), *args], env=env, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("server did not start")
        yield f"{base}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=10)


@asynccontextmanager
async def session(url: str, logs: list[Any], headers: dict[str, str] | None = None) -> AsyncIterator[ClientSession]:
    """A 2025-11-25 client (initialize handshake) that keeps every log notification in `logs`."""

    async def keep(params: Any) -> None:
        logs.append(params)

    http = httpx2.AsyncClient(headers=headers or {}, timeout=httpx2.Timeout(60))
    async with (
        http,
        streamable_http_client(url, http_client=http) as (read, write),
        ClientSession(read, write, logging_callback=keep) as client,
    ):
        init = await client.initialize()
        assert init.capabilities.logging is not None
        yield client


async def test_log_notifications_follow_the_level(site: LoopbackSandbox) -> None:
    logs: list[Any] = []
    with serving(site) as url:
        async with session(url, logs) as client:
            site.sandbox.inject(r"/issue/PROJ-1$", 429, retry_after=0)  # retried by the SDK, then answered
            result = await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
            assert not result.is_error
            assert [(m.level, m.logger) for m in logs] == [("warning", "atlassian-mcp")]  # info and up by default
            assert logs[0].data.startswith("retry 1 of GET ") and "/issue/PROJ-1 after 429" in logs[0].data

            await client.set_logging_level("error")
            logs.clear()
            missing = await client.call_tool("jira_get_issue", {"issue_key": "PROJ-999"})  # 404: a warning
            assert missing.is_error and logs == []
            site.sandbox.inject(r"/issue/PROJ-1$", 500)  # not retried: an error
            failed = await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
            assert failed.is_error
            assert [(m.level, m.data) for m in logs] == [("error", f"jira_get_issue: {failed.content[0].text}")]

            await client.set_logging_level("debug")
            logs.clear()
            await client.call_tool("jira_get_issue", {"issue_key": "PROJ-999"})
            assert [m.level for m in logs] == ["warning"] and "Jira answered 404" in logs[0].data


async def test_log_notifications_over_stdio(site: LoopbackSandbox) -> None:
    keep_env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "VIRTUAL_ENV")}
    params = StdioServerParameters(command=sys.executable, args=["-m", "adapter"], env={**keep_env, **site.env()})
    logs: list[Any] = []

    async def keep(message: Any) -> None:
        logs.append(message)

    async with Client(params, mode="legacy", logging_callback=keep) as client:
        await client.set_logging_level("warning")
        result = await client.call_tool("jira_get_issue", {"issue_key": "PROJ-999"})
    assert result.is_error
    assert [(m.level, m.data) for m in logs] == [("warning", f"jira_get_issue: {result.content[0].text}")]


async def test_modern_clients_ask_per_request(site: LoopbackSandbox) -> None:
    """2026-07-28 has no logging/setLevel: a request's `_meta` log level opts in (mcp.Client's `log_level`)."""
    with serving(site) as url:
        for level, expected in ((None, []), ("warning", ["warning"]), ("error", [])):
            logs: list[Any] = []

            async def keep(params: Any, logs: list[Any] = logs) -> None:
                logs.append(params)

            async with Client(url, logging_callback=keep, log_level=level) as client:  # type: ignore[arg-type]
                assert client.protocol_version == "2026-07-28"
                result = await client.call_tool("jira_get_issue", {"issue_key": "PROJ-999"})
                assert result.is_error
            assert [m.level for m in logs] == expected, level


async def test_no_secret_in_any_log_notification(site: LoopbackSandbox) -> None:
    """The server's token (environment) and a user's (Authorization header) go into JQL that the site echoes in
    its error: the tool result may repeat what the caller wrote, but the log notification masks the server's token
    in every session and the user's in the user's session (where it is a credential, not just text)."""
    server_token, user_token = f"srv{secrets.token_hex(12)}", f"usr{secrets.token_hex(12)}"
    site.sandbox.add_token(server_token, "server")
    site.sandbox.add_token(user_token, "user")
    logs: list[Any] = []
    with serving(site, token=server_token) as url:
        for headers, sent in (
            ({}, [server_token]),
            ({"Authorization": f"Token {user_token}"}, [server_token, user_token]),
        ):
            async with session(url, logs, headers) as client:
                await client.set_logging_level("debug")
                for secret in sent:
                    result = await client.call_tool("jira_search", {"jql": f"{secret} = 1"})
                    assert result.is_error and secret in result.content[0].text  # the site echoed it
                site.sandbox.inject(r"/search$", 503, retry_after=0)
                await client.call_tool("jira_search", {"jql": "project = PROJ", "limit": 1})
    text = json.dumps([m.model_dump(mode="json") for m in logs])
    assert server_token not in text and user_token not in text
    assert text.count("****") == 3 and text.count("after 503") == 2, text  # masked, not dropped
    who = {r.credential.split(" ")[-1] for r in site.sandbox.requests if "/search" in r.path}
    assert {"server", "user"} <= who, who  # each session ran on its own credential


def rpc(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(url, json=body, headers={**ACCEPT, **(headers or {})}, timeout=30)


def answer(response: httpx.Response) -> dict[str, Any]:
    """The JSON-RPC answer, from a JSON body or the last event of an SSE stream."""
    assert response.status_code == 200, response.text
    if response.headers["content-type"].startswith("text/event-stream"):
        events = [line[5:].strip() for line in response.text.splitlines() if line.startswith("data:")]
        message: dict[str, Any] = json.loads([e for e in events if e][-1])
        return message
    found: dict[str, Any] = response.json()
    return found


@pytest.mark.parametrize("stateless", [False, True])
def test_initialize_with_each_version(site: LoopbackSandbox, stateless: bool) -> None:
    """A known version is answered in kind; any other (older, unknown, or 2026-07-28, which never initializes) gets
    the newest handshake version, 2025-11-25, as the spec says. Then tools/list and tools/call at that version."""
    served = CONTEXT | ({"tools"} if stateless else {"tools", "logging"})  # stateless JSON carries no notifications
    with serving(site, *(["--stateless"] if stateless else [])) as url:
        for version in (*HANDSHAKE_VERSIONS, "2023-01-01", "2026-07-28"):
            hello = {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
            response = rpc(url, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": hello})
            init = answer(response)["result"]
            agreed = version if version in HANDSHAKE_VERSIONS else "2025-11-25"
            assert init["protocolVersion"] == agreed, version
            assert set(init["capabilities"]) == served  # what works, nothing more
            headers = {"mcp-protocol-version": agreed}
            if not stateless:
                headers["mcp-session-id"] = response.headers["mcp-session-id"]
                assert rpc(url, {"jsonrpc": "2.0", "method": "notifications/initialized"}, headers).status_code == 202
            tools = answer(rpc(url, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, headers))["result"]["tools"]
            assert "jira_get_issue" in [t["name"] for t in tools], version
            call = {"name": "jira_get_issue", "arguments": {"issue_key": "PROJ-1"}}
            result = answer(rpc(url, {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": call}, headers))
            assert not result["result"]["isError"], version
            assert result["result"]["content"][0]["text"].startswith("PROJ-1 · Checkout revamp")  # old clients read it
            assert result["result"]["structuredContent"]["summary"] == "Checkout revamp"
            wrong = {**headers, "mcp-protocol-version": "2023-01-01"}  # a version header the server does not speak
            assert rpc(url, {"jsonrpc": "2.0", "id": 4, "method": "tools/list"}, wrong).status_code == 400, version


@pytest.mark.parametrize("stateless", [False, True])
async def test_each_version_through_the_sdk_client(site: LoopbackSandbox, stateless: bool) -> None:
    """mcp.Client at 2026-07-28 (no handshake) and at each handshake version it can pin."""
    with serving(site, *(["--stateless"] if stateless else [])) as url:
        for mode in ("auto", "legacy"):
            async with Client(url, mode=mode) as client:
                assert client.protocol_version == ("2026-07-28" if mode == "auto" else "2025-11-25")
                assert "jira_get_issue" in [t.name for t in (await client.list_tools()).tools]
                result = await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
                assert result.structured_content is not None
                assert result.structured_content["summary"] == "Checkout revamp"
        prefix = "io.modelcontextprotocol/"
        meta = {f"{prefix}protocolVersion": "2026-07-28", f"{prefix}clientCapabilities": {}}
        body = {"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {"_meta": meta}}
        headers = {"mcp-protocol-version": "2026-07-28", "mcp-method": "server/discover"}
        discover = answer(rpc(url, body, headers))["result"]
        assert discover["supportedVersions"] == ["2026-07-28"]  # the SDK's: older versions negotiate by initialize
        assert set(discover["capabilities"]) == CONTEXT | ({"tools"} if stateless else {"tools", "logging"})
