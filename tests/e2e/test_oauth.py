"""One-user sign-in: OAuth 2.0 (Cloud 3LO and Data Center), bring-your-own token and mTLS, against the sandbox.

The sandbox's authorization server (`adapter/sandbox/oauth.py`) checks PKCE, rotates refresh tokens and counts
token requests; the "browser" of the wizard is the test, following the authorize redirect to the callback.
"""

from __future__ import annotations

import asyncio
import datetime
import io
import json
import logging
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import keyring
import keyring.backend
import pytest
from keyring.backends import fail
from mcp import Client

from adapter.auth import SERVICE, OAuthAuth, Tokens, TokenStore
from adapter.config import ConfigError, OAuthConfig, configure_logging, load_settings, oauth_setup_config
from adapter.manifest import load_tools
from adapter.oauth_setup import SetupError, SetupRequest, run
from adapter.sandbox.app import SANDBOX_TOKEN, create_app
from adapter.sandbox.oauth import CLIENT_ID, CLIENT_SECRET, SITES, OAuthSandbox
from adapter.server import AtlassianServer
from tests.e2e.harness import ok
from tests.sandbox_server import LoopbackSandbox
from tests.spec_guard import SpecGuard

HOST = "http://sandbox.localhost"
SITE = SITES[1]  # the second site: picking the first by accident fails the tests


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    monkeypatch.setenv("HOME", str(tmp_path))  # the file fallback goes under the test's own home
    old = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(old)


def cloud_env(**extra: str) -> dict[str, str]:
    return {
        "JIRA_URL": HOST,
        "CONFLUENCE_URL": f"{HOST}/wiki",
        "JIRA_DEPLOYMENT": "cloud",
        "CONFLUENCE_DEPLOYMENT": "cloud",
        "ATLASSIAN_OAUTH_CLIENT_ID": CLIENT_ID,
        "ATLASSIAN_OAUTH_CLIENT_SECRET": CLIENT_SECRET,
        "ATLASSIAN_OAUTH_CLOUD_ID": SITE["id"],
        "ATLASSIAN_OAUTH_TOKEN_URL": f"{HOST}/oauth/token",
        "ATLASSIAN_OAUTH_API_URL": HOST,
        **extra,
    }


def save_tokens(oauth: OAuthSandbox, key: str, lifetime: float) -> Tokens:
    tokens = Tokens.from_response(oauth.grant())
    tokens.expires_at = time.time() + lifetime
    TokenStore(key).save(tokens)
    return tokens


CLOUD_KEY = f"oauth-{CLIENT_ID}-{SITE['id']}"


@asynccontextmanager
async def oauth_server(environ: dict[str, str]) -> AsyncIterator[tuple[OAuthSandbox, Client, AtlassianServer]]:
    guard = SpecGuard(create_app("cloud"), "cloud")
    oauth = OAuthSandbox(guard, guard.state.sandbox)
    settings = load_settings({}, environ=environ, read_dotenv=False)
    server = AtlassianServer(settings, load_tools(), transport=httpx.ASGITransport(oauth))
    async with Client(server.lowlevel()) as client:
        yield oauth, client, server
    await server.aclose()
    guard.assert_clean()


async def test_tool_calls_go_through_the_gateway_with_the_stored_token() -> None:
    async with oauth_server(cloud_env()) as (oauth, client, _):
        save_tokens(oauth, CLOUD_KEY, lifetime=3600)
        issue = ok(await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"}))
        page = ok(await client.call_tool("confluence_get_page", {"page_id": "65537"}))
        sandbox = oauth.sandbox
    assert issue["key"] == "PROJ-1" and page
    assert ("jira", SITE["id"]) in oauth.gateway_calls and ("confluence", SITE["id"]) in oauth.gateway_calls
    assert {r.credential for r in sandbox.requests} == {"oauth sandbox"}
    assert not oauth.token_requests  # a fresh token: no refresh, no network check


async def test_twenty_parallel_calls_with_an_expiring_token_share_one_refresh_and_save_the_rotation(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings({}, environ=cloud_env(MCP_VERY_VERBOSE="true"), read_dotenv=False)
    configure_logging(settings)  # -vv, to stderr (captured): scanned for secrets below
    try:
        async with oauth_server(cloud_env()) as (oauth, client, _):
            old = save_tokens(oauth, CLOUD_KEY, lifetime=60)  # inside the 5-minute margin
            results = await asyncio.gather(
                *(client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"}) for _ in range(20))
            )
            assert all(not r.is_error for r in results)
            assert oauth.token_requests["refresh_token"] == 1
            saved = Tokens(**json.loads(memory_keyring.items[(SERVICE, CLOUD_KEY)]))
            assert saved.refresh_token != old.refresh_token and saved.refresh_token in oauth.refresh_tokens
            assert old.refresh_token not in oauth.refresh_tokens  # rotated away: only the saved one works now
            ok(await client.call_tool("jira_get_issue", {"issue_key": "PROJ-2"}))
            assert oauth.token_requests["refresh_token"] == 1  # the fresh token is used as it is
    finally:
        logging.getLogger().handlers = [h for h in logging.getLogger().handlers if h.get_name() != "atlassian-mcp"]
    logs = capsys.readouterr().err
    assert "oauth/token" in logs  # the refresh was logged at -vv ...
    for secret in [CLIENT_SECRET, *oauth.secrets_seen]:
        assert secret not in logs  # ... with no secret in it


async def test_single_flight_holds_while_the_refresh_is_slow() -> None:
    """Direct: 20 waiters on one slow refresh; without the lock each would refresh (and rotation would fail)."""
    requests = 0

    async def token_endpoint(request: httpx.Request) -> httpx.Response:
        nonlocal requests
        requests += 1
        await asyncio.sleep(0.05)
        return httpx.Response(
            200,
            json={
                "access_token": f"a{requests}",
                "refresh_token": f"r{requests}",
                "expires_in": 3600,
                "token_type": "Bearer",
            },
        )

    store = TokenStore("oauth-x-y")
    store.save(Tokens("a0", "r0", time.time() + 10))
    auth = OAuthAuth(
        OAuthConfig("x", "s", cloud_id="y", token_url="http://t/token"), store, httpx.MockTransport(token_endpoint)
    )
    tokens = await asyncio.gather(*(auth.access_token() for _ in range(20)))
    assert set(tokens) == {"a1"} and requests == 1 and auth.refreshes == 1
    assert store.load() == Tokens("a1", "r1", pytest.approx(time.time() + 3600, abs=5), None)  # type: ignore[arg-type]


async def test_a_revoked_sign_in_tells_the_person_to_run_the_setup_again() -> None:
    async with oauth_server(cloud_env()) as (oauth, client, _):
        tokens = save_tokens(oauth, CLOUD_KEY, lifetime=60)
        oauth.revoke()
        result = await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
    text = result.content[0].text  # type: ignore[union-attr]
    assert result.is_error and "atlassian-mcp oauth-setup" in text and "invalid_grant" in text
    assert tokens.refresh_token not in text and CLIENT_SECRET not in text


async def test_no_saved_sign_in_is_a_tool_error_naming_the_setup() -> None:
    async with oauth_server(cloud_env()) as (_, client, _server):
        result = await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
    assert result.is_error and "oauth-setup" in result.content[0].text  # type: ignore[union-attr]


async def test_bring_your_own_token_is_used_as_given_and_never_refreshed() -> None:
    guard = SpecGuard(create_app("cloud"), "cloud")
    oauth = OAuthSandbox(guard, guard.state.sandbox)
    token = oauth.grant()["access_token"]
    env = {k: v for k, v in cloud_env(ATLASSIAN_OAUTH_ACCESS_TOKEN=token).items() if "CLIENT" not in k}
    server = AtlassianServer(
        load_settings({}, environ=env, read_dotenv=False), load_tools(), transport=httpx.ASGITransport(oauth)
    )
    async with Client(server.lowlevel()) as client:
        ok(await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"}))
        oauth.revoke()
        refused = await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
    await server.aclose()
    assert refused.is_error and "401" in refused.content[0].text  # type: ignore[union-attr]
    assert not oauth.token_requests and oauth.gateway_calls[0] == ("jira", SITE["id"])


async def test_per_product_token_on_data_center() -> None:
    app = create_app("datacenter")
    oauth = OAuthSandbox(app, app.state.sandbox)
    env = {"JIRA_URL": f"{HOST}/jira", "JIRA_OAUTH_ACCESS_TOKEN": oauth.grant("WRITE")["access_token"]}
    server = AtlassianServer(
        load_settings({}, environ=env, read_dotenv=False), load_tools(), transport=httpx.ASGITransport(oauth)
    )
    async with Client(server.lowlevel()) as client:
        ok(await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"}))
    await server.aclose()
    assert app.state.sandbox.requests[-1].credential == "oauth sandbox" and not oauth.gateway_calls


# --- the wizard ----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def browser(url: str) -> None:
    """The person's browser: open the authorize URL and follow the redirect to the local callback."""
    threading.Thread(target=httpx.get, args=(url,), kwargs={"follow_redirects": True}, daemon=True).start()


def cloud_setup(site: LoopbackSandbox, **overrides: Any) -> OAuthConfig:
    env = {
        "ATLASSIAN_OAUTH_AUTHORIZE_URL": f"{site.url}/authorize",
        "ATLASSIAN_OAUTH_TOKEN_URL": f"{site.url}/oauth/token",
        "ATLASSIAN_OAUTH_API_URL": site.url,
    }
    flags = {
        "ATLASSIAN_OAUTH_CLIENT_ID": CLIENT_ID,
        "ATLASSIAN_OAUTH_CLIENT_SECRET": CLIENT_SECRET,
        "ATLASSIAN_OAUTH_REDIRECT_URI": f"http://127.0.0.1:{free_port()}/callback",
        **overrides,
    }
    oauth, instance, _ = oauth_setup_config(flags, environ=env)
    assert instance is None
    return oauth


def test_wizard_picks_the_site_typed_on_stdin_and_saves_to_the_keyring(memory_keyring: MemoryKeyring) -> None:
    with LoopbackSandbox("cloud", wrap=OAuthSandbox) as site:
        front: OAuthSandbox = site.front
        said: list[str] = []
        started = time.monotonic()
        variables = run(
            SetupRequest(cloud_setup(site), timeout=20), say=said.append, stdin=io.StringIO("2\n"), browser=browser
        )
        elapsed = time.monotonic() - started
        with pytest.raises(SetupError, match="pass --cloud-id or --site"):  # several sites, nobody to answer
            run(SetupRequest(cloud_setup(site), timeout=20), say=said.append, stdin=io.StringIO(""), browser=browser)
    assert variables["ATLASSIAN_OAUTH_CLOUD_ID"] == SITE["id"] and variables["JIRA_URL"] == SITE["url"]
    assert CLIENT_SECRET not in json.dumps(variables) and CLIENT_SECRET not in "\n".join(said)
    saved = Tokens(**json.loads(memory_keyring.items[(SERVICE, CLOUD_KEY)]))
    assert saved.refresh_token in front.refresh_tokens and front.token_requests["authorization_code"] == 2
    assert "code_challenge_method=S256" in said[0] and "state=" in said[0]
    print(f"wizard (in-process) took {elapsed:.2f} s")


def test_wizard_end_to_end_in_a_subprocess_with_the_file_fallback(tmp_path: Path) -> None:
    """`atlassian-mcp oauth-setup --site ...`: no keyring, so tokens land in ~/.atlassian-mcp (0700/0600);
    then the server signs in with what it printed."""
    with LoopbackSandbox("cloud", wrap=OAuthSandbox) as site:
        front: OAuthSandbox = site.front
        port = free_port()
        env = {
            **os.environ,
            "HOME": str(tmp_path),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "ATLASSIAN_OAUTH_AUTHORIZE_URL": f"{site.url}/authorize",
            "ATLASSIAN_OAUTH_TOKEN_URL": f"{site.url}/oauth/token",
            "ATLASSIAN_OAUTH_API_URL": site.url,
        }
        started = time.monotonic()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "adapter",
                "oauth-setup",
                "--no-browser",
                "--site",
                "sandbox-two",
                "-vv",
                "--oauth-client-id",
                CLIENT_ID,
                "--oauth-client-secret",
                CLIENT_SECRET,
                "--oauth-redirect-uri",
                f"http://127.0.0.1:{port}/callback",
                "--callback-timeout",
                "30",
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stderr is not None
        err = [process.stderr.readline(), process.stderr.readline()]
        url = err[1].strip()
        assert url.startswith(f"{site.url}/authorize?"), err
        httpx.get(url, follow_redirects=True, timeout=10)
        out, rest = process.communicate(timeout=30)
        elapsed = time.monotonic() - started
        assert process.returncode == 0, rest
        variables = dict(line.split("=", 1) for line in out.splitlines())
        assert variables["ATLASSIAN_OAUTH_CLOUD_ID"] == SITE["id"]
        for secret in [CLIENT_SECRET, *front.secrets_seen]:
            assert secret not in out + "".join(err) + rest
        directory = tmp_path / ".atlassian-mcp"
        files = list(directory.iterdir())
        assert [f.name for f in files] == [f"{CLOUD_KEY}.json"]  # no temporary file left behind
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
        assert json.loads(files[0].read_text())["refresh_token"] in front.refresh_tokens
    print(f"wizard (subprocess) took {elapsed:.2f} s")


def test_the_old_flag_runs_the_wizard_and_refuses_a_scope_without_offline_access() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "adapter",
            "--oauth-setup",
            "--oauth-client-id",
            "c",
            "--oauth-client-secret",
            "s",
            "--oauth-scope",
            "read:jira-work",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1 and "offline_access" in result.stderr


async def test_pkce_verifier_is_checked_by_the_sandbox() -> None:
    app = create_app("cloud")
    oauth = OAuthSandbox(app, app.state.sandbox)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(oauth), base_url=HOST) as http:
        params = {
            "client_id": CLIENT_ID,
            "redirect_uri": "http://127.0.0.1:1/cb",
            "response_type": "code",
            "state": "s",
            "scope": "read:jira-work offline_access",
            "code_challenge_method": "S256",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        }
        without_pkce = {k: v for k, v in params.items() if "challenge" not in k}
        assert (await http.get("/authorize", params=without_pkce)).status_code == 400

        async def exchange(verifier: str) -> httpx.Response:
            code = httpx.URL((await http.get("/authorize", params=params)).headers["location"]).params["code"]
            return await http.post(
                "/oauth/token",
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": params["redirect_uri"],
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "code_verifier": verifier,
                },
            )

        wrong = await exchange("not-the-verifier-" + "x" * 40)
        right = await exchange("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert right.status_code == 200 and "refresh_token" in right.json()


async def test_data_center_oauth_wizard_then_tool_calls() -> None:
    with LoopbackSandbox("datacenter", wrap=OAuthSandbox) as site:
        front: OAuthSandbox = site.front
        flags = {"JIRA_URL": site.jira_url, "ATLASSIAN_OAUTH_REDIRECT_URI": f"http://127.0.0.1:{free_port()}/cb"}
        env = {"JIRA_OAUTH_CLIENT_ID": CLIENT_ID, "JIRA_OAUTH_CLIENT_SECRET": CLIENT_SECRET}
        oauth, instance, prefix = oauth_setup_config(flags, environ=env)
        assert (instance, prefix, oauth.token_url) == (
            site.jira_url,
            "JIRA",
            f"{site.jira_url}/rest/oauth2/latest/token",
        )
        variables = await asyncio.to_thread(
            run,
            SetupRequest(oauth, instance, prefix, timeout=20),
            say=lambda _: None,
            stdin=io.StringIO(""),
            browser=browser,
        )
        assert variables["JIRA_URL"] == site.jira_url and variables["JIRA_OAUTH_CLIENT_ID"] == CLIENT_ID
        settings = load_settings({}, environ={**env, "JIRA_URL": site.jira_url}, read_dotenv=False)
        server = AtlassianServer(settings, load_tools())
        async with Client(server.lowlevel()) as client:
            ok(await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"}))
        await server.aclose()
        assert site.sandbox.requests[-1].credential == "oauth sandbox"
        assert front.token_requests == {"authorization_code": 1}
    site.guard.assert_clean()


def test_config_errors_and_detection_order() -> None:
    base = {"JIRA_URL": "https://x.atlassian.net", "ATLASSIAN_OAUTH_CLIENT_ID": "c"}
    with pytest.raises(ConfigError, match="without CLIENT_SECRET"):
        load_settings({}, environ=base, read_dotenv=False)
    with pytest.raises(ConfigError, match="ATLASSIAN_OAUTH_CLOUD_ID"):
        load_settings({}, environ={**base, "ATLASSIAN_OAUTH_CLIENT_SECRET": "s"}, read_dotenv=False)
    both = {
        **base,
        "ATLASSIAN_OAUTH_CLIENT_SECRET": "s",
        "ATLASSIAN_OAUTH_CLOUD_ID": "id",
        "JIRA_USERNAME": "u",
        "JIRA_API_TOKEN": "t",
        "ATLASSIAN_OAUTH_ACCESS_TOKEN": "byot",
    }
    settings = load_settings({}, environ=both, read_dotenv=False)
    assert settings.jira is not None and settings.jira.oauth is not None
    assert settings.jira.oauth.client_id == "c" and settings.jira.oauth.access_token is None  # client beats BYOT
    assert any("not used" in w for w in settings.warnings)
    dc = load_settings(
        {},
        environ={
            "JIRA_URL": "https://jira.corp",
            "JIRA_OAUTH_CLIENT_ID": "jc",
            "JIRA_OAUTH_CLIENT_SECRET": "js",
            "ATLASSIAN_OAUTH_CLIENT_ID": "c",
            "ATLASSIAN_OAUTH_CLIENT_SECRET": "s",
        },
        read_dotenv=False,
    )
    assert dc.jira is not None and dc.jira.oauth is not None
    assert (dc.jira.oauth.client_id, dc.jira.oauth.token_url) == ("jc", "https://jira.corp/rest/oauth2/latest/token")
    with pytest.raises(ConfigError, match="CLIENT_KEY is set without"):
        load_settings({}, environ={"JIRA_URL": "https://jira.corp", "JIRA_CLIENT_KEY": "k"}, read_dotenv=False)


def test_file_fallback_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash while writing leaves the previous tokens whole (and no temporary file)."""
    keyring.set_keyring(fail.Keyring())
    store = TokenStore("oauth-c-site", tmp_path / "tokens")
    store.save(Tokens("a1", "r1", 1.0))

    def crash(*args: Any) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        store.save(Tokens("a2", "r2", 2.0))
    assert store.load() == Tokens("a1", "r1", 1.0) and [p.name for p in store.directory.iterdir()] == [store.path.name]


# --- mTLS -------------------------------------------------------------------------------------------------------


def make_pki(directory: Path) -> dict[str, str]:
    """A throwaway CA, a server certificate for 127.0.0.1 and a client certificate (encrypted key)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def issue(name: str, key: Any, issuer: Any, issuer_key: Any, *, ca: bool = False, san: Any = None) -> Any:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if san is not None:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = issue("test CA", ca_key, ca_name, ca_key, ca=True)
    files: dict[str, str] = {}
    for role in ("server", "client"):
        key = ec.generate_private_key(ec.SECP256R1())
        san = [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))] if role == "server" else None
        cert = issue(role, key, ca_name, ca_key, san=san)
        encryption = serialization.BestAvailableEncryption(b"pw") if role == "client" else serialization.NoEncryption()
        (directory / f"{role}.key").write_bytes(
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
        )
        (directory / f"{role}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        files[role] = str(directory / f"{role}.crt")
    (directory / "ca.crt").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return files


async def test_mtls_client_certificate_is_presented(tmp_path: Path) -> None:
    import ssl

    make_pki(tmp_path)
    tls = {
        "ssl_certfile": str(tmp_path / "server.crt"),
        "ssl_keyfile": str(tmp_path / "server.key"),
        "ssl_ca_certs": str(tmp_path / "ca.crt"),
        "ssl_cert_reqs": ssl.CERT_REQUIRED,
    }
    with LoopbackSandbox("datacenter", **tls) as site:
        env = {"JIRA_URL": site.jira_url, "JIRA_PERSONAL_TOKEN": SANDBOX_TOKEN, "JIRA_SSL_VERIFY": "false"}
        cert = {
            "JIRA_CLIENT_CERT": str(tmp_path / "client.crt"),
            "JIRA_CLIENT_KEY": str(tmp_path / "client.key"),
            "JIRA_CLIENT_KEY_PASSWORD": "pw",
        }
        outcomes = []
        for environ in ({**env, **cert}, env):
            server = AtlassianServer(load_settings({}, environ=environ, read_dotenv=False), load_tools())
            async with Client(server.lowlevel()) as client:
                outcomes.append(await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"}))
            await server.aclose()
        with pytest.raises(ConfigError, match="could not be loaded"):
            load_settings({}, environ={**env, **cert, "JIRA_CLIENT_KEY_PASSWORD": "wrong"}, read_dotenv=False)
    with_cert, without = outcomes
    assert not with_cert.is_error, with_cert.content[0].text  # type: ignore[union-attr]
    assert without.is_error and "could not reach" in without.content[0].text  # type: ignore[union-attr]
    assert len(site.sandbox.requests) == 1  # the call without a certificate never got past the TLS handshake
