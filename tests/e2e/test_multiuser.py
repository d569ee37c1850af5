"""Many users on one server: each HTTP request's own credentials, isolated, refused when bad, never logged.

The CLI server runs in a subprocess at -vv (its log is scanned for secrets) against sandboxes on loopback. The
sandbox accepts any token registered with `add_token(token, who)` and logs `who` with every request, so a test can
prove which user's credential each upstream request carried.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from adapter.sandbox.oauth import SITES
from tests.e2e.test_transports import free_port
from tests.sandbox_server import LoopbackSandbox

USERS = int(os.environ.get("MULTIUSER_USERS", "50"))
CALLS = int(os.environ.get("MULTIUSER_CALLS", "200"))  # 50 x 200: about 80 s on a quiet 2-core machine
HELLO = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": HELLO}
ACCEPT = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
SEEN_SECRETS: set[str] = set()  # every secret a test sent: none may show up in a log line or an answer


@pytest.fixture(scope="module")
def dc() -> Iterator[LoopbackSandbox]:
    with LoopbackSandbox("datacenter", guarded=False) as running:
        yield running


def user_token(sandbox: LoopbackSandbox, who: str) -> str:
    token = f"tok-{who}-{secrets.token_hex(12)}"
    sandbox.sandbox.add_token(token, who)
    SEEN_SECRETS.add(token)
    return token


@contextmanager
def server(env: dict[str, str], *args: str) -> Iterator[tuple[str, Any]]:
    """The CLI server at -vv; yields its base URL and its log file (read after it stops)."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "VIRTUAL_ENV")}
    port = free_port()
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - read back after the server stops
    process = subprocess.Popen(
        [sys.executable, "-m", "adapter", "--transport", "streamable-http", "--port", str(port), "-vv", *args],
        env={**keep, **env},
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("server did not start")
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.seek(0)
        text = log.read()
        log.close()
        leaked = [s for s in SEEN_SECRETS if s in text]
        assert not leaked, f"secrets in the server log: {len(leaked)}"


def client(base: str, headers: dict[str, str], mode: str = "legacy") -> Client:
    http = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(60))
    return Client(streamable_http_client(f"{base}/mcp", http_client=http), mode=mode)  # type: ignore[arg-type]


def token(value: str) -> dict[str, str]:
    return {"Authorization": f"Token {value}"}


# --- isolation ---------------------------------------------------------------------------------------------


async def test_isolation_under_load(dc: LoopbackSandbox) -> None:
    """USERS clients, each with its own token, CALLS calls each: every upstream request carries its caller's token."""
    tokens = {f"u{i:02d}": user_token(dc, f"u{i:02d}") for i in range(USERS)}
    env = {**dc.env(), "JIRA_PERSONAL_TOKEN": "server-own-token"}  # the server's own must never be used
    SEEN_SECRETS.add("server-own-token")
    errors: list[str] = []
    with server(env) as (base, _):
        before = len(dc.sandbox.requests)

        async def one_user(who: str) -> None:
            async with client(base, token(tokens[who])) as session:
                for call in range(CALLS):
                    if call % 2:  # the JQL names the caller, so the sandbox log shows whose call each request was
                        result = await session.call_tool("jira_search", {"jql": f'text ~ "{who}"', "limit": 1})
                    else:
                        result = await session.call_tool("jira_get_issue", {"issue_key": "PROJ-1", "fields": who})
                    if result.is_error:
                        errors.append(f"{who}: {result.content[0]}")

        started = time.monotonic()
        await asyncio.gather(*(one_user(who) for who in tokens))
        seconds = time.monotonic() - started
        requests = dc.sandbox.requests[before:]
    mismatches = []
    for r in requests:
        caller = next((who for who in tokens if who in r.query or who in json.dumps(r.body)), None)
        if caller is None or r.credential != f"bearer {caller}":  # a DC PAT travels as Bearer
            mismatches.append((r.path, r.query, r.credential))
    print(f"\n[multiuser] {USERS} users x {CALLS} calls = {USERS * CALLS} in {seconds:.1f}s; "
          f"{len(requests)} upstream requests, {len(mismatches)} mismatches, {len(errors)} errors")  # fmt: skip
    assert not errors, errors[:3]
    assert len(requests) == USERS * CALLS
    assert not mismatches, mismatches[:3]


# --- refusals ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gateway() -> Iterator[tuple[LoopbackSandbox, dict[str, list[str]]]]:
    """A Cloud sandbox behind a stand-in for api.atlassian.com: accessible-resources, and /ex/{product}/{id}/..."""
    sites: dict[str, list[str]] = {}  # token -> cloud ids

    def wrap(app: Any, _sandbox: Any) -> Any:
        async def gateway_app(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"] == "/oauth/token/accessible-resources":
                auth = dict(scope["headers"]).get(b"authorization", b"").decode()
                ids = sites.get(auth.removeprefix("Bearer "))
                body = json.dumps([{"id": i, "url": "https://x.atlassian.net", "scopes": ["read:jira-work"]}
                                   for i in ids or []]).encode()  # fmt: skip
                await send({"type": "http.response.start", "status": 200 if ids is not None else 401,
                            "headers": [(b"content-type", b"application/json")]})  # fmt: skip
                await send({"type": "http.response.body", "body": body})
                return
            if scope["type"] == "http" and scope["path"].startswith("/ex/"):
                _, _, product, cloud_id, rest = scope["path"].split("/", 4)
                scope = {**scope, "path": "/" + rest, "raw_path": ("/" + rest).encode()}
            await app(scope, receive, send)

        return gateway_app

    with LoopbackSandbox("cloud", guarded=False, wrap=wrap) as running:
        yield running, sites


def post_init(base: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{base}/mcp", headers={**ACCEPT, **headers}, json=INIT, timeout=30)


def refused(site: LoopbackSandbox, base: str, headers: dict[str, str], status: int, words: str) -> None:
    before = len(site.sandbox.requests)
    response = post_init(base, headers)
    assert response.status_code == status, (headers.keys(), response.status_code, response.text)
    assert words in response.json()["error_description"], response.text
    assert not any(s in response.text for s in SEEN_SECRETS)
    assert len(site.sandbox.requests) == before, "a refused request reached the site"


def test_bad_credentials_are_refused_before_any_call(dc: LoopbackSandbox) -> None:
    good = user_token(dc, "bad-input-user")
    port = dc.url.rsplit(":", 1)[1]
    env = {**dc.env(), "MCP_ALLOWED_URL_DOMAINS": "example.com,localhost"}
    with server(env) as (base, _):
        refused(dc, base, {}, 401, "needs your credentials")
        refused(dc, base, {"Authorization": "Bearer"}, 401, "malformed")
        refused(dc, base, {"Authorization": f"Bearer {good} extra"}, 401, "malformed")
        refused(dc, base, {"Authorization": "Basic !!not-base64!!"}, 401, "malformed")
        refused(dc, base, {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()}, 401, "malformed")
        refused(dc, base, {"Authorization": f"Negotiate {good}"}, 401, "unsupported Authorization scheme")
        refused(dc, base, {"X-Atlassian-Jira-Personal-Token": good}, 401, "needs x-atlassian-jira-url")
        evil = {"X-Atlassian-Jira-Url": "https://evil.example.org/jira", "X-Atlassian-Jira-Personal-Token": good}
        refused(dc, base, evil, 403, "not in MCP_ALLOWED_URL_DOMAINS")
        lookalike = {**evil, "X-Atlassian-Jira-Url": "https://notexample.com/jira"}  # suffix on a dot boundary only
        refused(dc, base, lookalike, 403, "not in MCP_ALLOWED_URL_DOMAINS")
        private = {**evil, "X-Atlassian-Jira-Url": f"http://localhost:{port}/jira"}  # allowed name, loopback address
        refused(dc, base, private, 403, "private or loopback")
        metadata = {**evil, "X-Atlassian-Jira-Url": "http://169.254.169.254/latest"}
        refused(dc, base, metadata, 403, "not in MCP_ALLOWED_URL_DOMAINS")
        assert post_init(base, token(good)).status_code == 200  # and the good one passes


async def test_data_center_url_header_with_private_urls_allowed(dc: LoopbackSandbox) -> None:
    """X-Atlassian-Jira-Url picks the site (here the sandbox, allowed by MCP_ALLOW_PRIVATE_URLS for local use)."""
    pat = user_token(dc, "dc-header-user")
    env = {**dc.env(), "MCP_ALLOWED_URL_DOMAINS": "localhost", "MCP_ALLOW_PRIVATE_URLS": "true",
           "JIRA_URL": "http://localhost:9/jira"}  # fmt: skip  # the server's own site is unreachable
    headers = {"X-Atlassian-Jira-Url": dc.jira_url.replace("127.0.0.1", "localhost"),
               "X-Atlassian-Jira-Personal-Token": pat}  # fmt: skip
    with server(env) as (base, _):
        before = len(dc.sandbox.requests)
        async with client(base, headers) as session:
            result = await session.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
        assert not result.is_error, result.content
        assert [r.credential for r in dc.sandbox.requests[before:]] == ["bearer dc-header-user"]


async def test_cloud_oauth_per_request(gateway: tuple[LoopbackSandbox, dict[str, list[str]]]) -> None:
    """ATLASSIAN_OAUTH_ENABLE with no server credentials: Bearer + X-Atlassian-Cloud-Id, checked against the
    token's accessible resources; another user's cloud id is refused before any API call."""
    site, sites = gateway
    alice, bob = user_token(site, "alice"), user_token(site, "bob")
    cloud_a, cloud_b = (s["id"] for s in SITES)  # cloud ids the sandbox's Forms API knows
    sites[alice], sites[bob] = [cloud_a], [cloud_b]
    env = {"ATLASSIAN_OAUTH_ENABLE": "true", "ATLASSIAN_OAUTH_API_URL": site.url, "TOOLSETS": "default,jira_forms"}
    with server(env) as (base, _):
        refused(site, base, {"Authorization": f"Bearer {alice}", "X-Atlassian-Cloud-Id": cloud_b}, 403,
                "not among this token's sites")  # fmt: skip
        refused(site, base, {"Authorization": "Bearer revoked", "X-Atlassian-Cloud-Id": cloud_a}, 401,
                "does not accept")  # fmt: skip
        before = len(site.sandbox.requests)
        for tok, cloud in ((alice, cloud_a), (bob, cloud_b)):
            async with client(base, {"Authorization": f"Bearer {tok}", "X-Atlassian-Cloud-Id": cloud}) as session:
                assert "jira_get_issue" in [t.name for t in (await session.list_tools()).tools]
                result = await session.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
                assert not result.is_error, result.content
                forms = await session.call_tool("jira_get_issue_proforma_forms", {"issue_key": "PROJ-2"})
                assert not forms.is_error, forms.content
        got = [(r.path, r.credential) for r in site.sandbox.requests[before:]]
        forms_a, forms_b = (f"/jira/forms/cloud/{c}/issue/PROJ-2/form" for c in (cloud_a, cloud_b))
        assert got == [  # the Forms API under each user's own cloud id, with their own token
            ("/rest/api/3/issue/PROJ-1", "bearer alice"), (forms_a, "bearer alice"),
            ("/rest/api/3/issue/PROJ-1", "bearer bob"), (forms_b, "bearer bob"),
        ]  # fmt: skip
        # without a cloud id there is no site to go to: a tool error, no call
        async with client(base, {"Authorization": f"Bearer {alice}"}) as session:
            result = await session.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
        assert result.is_error and "X-Atlassian-Cloud-Id" in result.content[0].text  # type: ignore[union-attr]
        assert len(site.sandbox.requests) == before + 4


# --- the server's own credentials --------------------------------------------------------------------------


async def test_ignore_header_auth_and_global_fallback(dc: LoopbackSandbox) -> None:
    user = user_token(dc, "header-user")
    own = user_token(dc, "server-itself")

    async def whose(base: str, headers: dict[str, str]) -> str:
        before = len(dc.sandbox.requests)
        async with client(base, headers) as session:
            result = await session.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
        assert not result.is_error, result.content
        return dc.sandbox.requests[before].credential

    with server({**dc.env(token=own), "IGNORE_HEADER_AUTH": "true"}) as (base, _):
        assert await whose(base, token(user)) == "bearer server-itself"  # the header is ignored
        assert await whose(base, {}) == "bearer server-itself"
    with server({**dc.env(token=own), "ALLOW_GLOBAL_CRED_FALLBACK": "true"}) as (base, _):
        assert await whose(base, {}) == "bearer server-itself"  # no credentials: the server's own
        assert await whose(base, token(user)) == "bearer header-user"  # the request's own win
        basic = base64.b64encode(f"someone:{user}".encode()).decode()
        assert await whose(base, {"Authorization": f"Basic {basic}"}) == "basic header-user"
    with server(dc.env(token=own)) as (base, _):
        refused(dc, base, {}, 401, "needs your credentials")


# --- the resource-server option ----------------------------------------------------------------------------


def test_resource_server_metadata_and_token_check(gateway: tuple[LoopbackSandbox, dict[str, list[str]]]) -> None:
    site, sites = gateway
    carol = user_token(site, "carol")
    sites[carol] = ["cloud-c"]
    env = {"ATLASSIAN_OAUTH_ENABLE": "true", "ATLASSIAN_OAUTH_API_URL": site.url,
           "MCP_OAUTH_RESOURCE_URL": "https://mcp.example.com/mcp"}  # fmt: skip
    with server(env) as (base, _):
        meta = httpx.get(f"{base}/.well-known/oauth-protected-resource/mcp").json()
        assert meta["resource"] == "https://mcp.example.com/mcp"
        assert meta["authorization_servers"] == ["https://auth.atlassian.com"]
        anonymous = post_init(base, {})
        assert anonymous.status_code == 401 and "resource_metadata=" in anonymous.headers["www-authenticate"]
        assert post_init(base, {"Authorization": "Bearer not-a-token"}).status_code == 401
        ok = post_init(base, {"Authorization": f"Bearer {carol}", "X-Atlassian-Cloud-Id": "cloud-c"})
        assert ok.status_code == 200, ok.text


async def test_sse_uses_the_credentials_of_each_message(dc: LoopbackSandbox) -> None:
    """SSE: the tool call runs as whoever sent the POST /messages/ that carried it."""
    from mcp.client.session import ClientSession
    from mcp.client.sse import sse_client

    pat = user_token(dc, "sse-user")
    with server(dc.env(), "--transport", "sse") as (base, _):
        assert httpx.get(f"{base}/sse", timeout=10).status_code == 401  # no credentials, no stream
        before = len(dc.sandbox.requests)
        async with sse_client(f"{base}/sse", headers=token(pat)) as (read, write), ClientSession(read, write) as s:
            await s.initialize()
            result = await s.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
        assert not result.is_error, result.content
        assert [r.credential for r in dc.sandbox.requests[before:]] == ["bearer sse-user"]
