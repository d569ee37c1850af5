"""Tests for adapter/config.py: precedence, validation, deployment, proxies, auth, client options, masking, logging."""

from __future__ import annotations

import base64
import http.server
import logging
import os
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import jira_sdk
import pytest

from adapter import config
from adapter.config import (
    ConfigError,
    ProductConfig,
    SecretMaskingFilter,
    Settings,
    configure_logging,
    detect_deployment,
    load_settings,
    secrets,
)

JIRA = {"JIRA_URL": "https://acme.atlassian.net", "JIRA_USERNAME": "me@acme.com", "JIRA_API_TOKEN": "tok-123456"}
DC = {"JIRA_URL": "https://jira.acme.internal", "JIRA_PERSONAL_TOKEN": "pat-abcdef"}


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No stray `.env` from the repository is read: each test runs in an empty directory."""
    monkeypatch.chdir(tmp_path)


def load(env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    return load_settings(overrides, environ=dict(env or {}))


def jira(env: Mapping[str, str], **overrides: object) -> ProductConfig:
    settings = load(env, **overrides)
    assert settings.jira is not None
    return settings.jira


def error(env: Mapping[str, str] | None = None, **overrides: object) -> str:
    with pytest.raises(ConfigError) as info:
        load(env, **overrides)
    message = str(info.value)
    assert "\n" not in message
    return message


# --- precedence ---------------------------------------------------------------------------------------------


def test_cli_beats_environment_beats_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("JIRA_URL=https://dotenv.example\nJIRA_TIMEOUT=11\nPORT=9001\n")
    env = {"JIRA_URL": "https://env.example", "JIRA_TIMEOUT": "22"}
    settings = load_settings({"JIRA_URL": "https://cli.example"}, environ=env)
    assert settings.jira is not None
    assert settings.jira.url == "https://cli.example"
    assert settings.jira.timeout == 22.0  # environment over .env
    assert settings.port == 9001  # .env fills what nobody else set


def test_dotenv_never_overrides_the_environment_even_when_empty(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("JIRA_URL=https://dotenv.example\nCONFLUENCE_URL=https://wiki.example\n")
    settings = load_settings({}, environ={"JIRA_URL": ""})
    assert settings.jira is None  # the client passed JIRA_URL="" on purpose
    assert settings.confluence is not None and settings.confluence.url == "https://wiki.example"


def test_none_override_means_not_given() -> None:
    settings = load_settings({"JIRA_URL": None, "READ_ONLY_MODE": None}, environ={**DC, "READ_ONLY_MODE": "yes"})
    assert settings.jira is not None and settings.jira.url == DC["JIRA_URL"]
    assert settings.read_only is True


def test_cli_flag_false_beats_environment_true() -> None:
    assert load({"READ_ONLY_MODE": "true"}, READ_ONLY_MODE=False).read_only is False


def test_explicit_env_file_is_read_and_must_exist(tmp_path: Path) -> None:
    custom = tmp_path / "custom.env"
    custom.write_text("TRANSPORT=sse\n")
    assert load_settings({}, environ={}, env_file=custom).transport == "sse"
    with pytest.raises(ConfigError, match=r"--env-file .*missing\.env: no such file"):
        load_settings({}, environ={}, env_file=tmp_path / "missing.env")


def test_dotenv_does_not_touch_os_environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JIRA_URL", raising=False)
    (tmp_path / ".env").write_text("JIRA_URL=https://dotenv.example\n")
    before = dict(os.environ)
    settings = load_settings({})  # environ defaults to os.environ
    assert settings.jira is not None and settings.jira.url == "https://dotenv.example"
    assert dict(os.environ) == before


def test_unknown_override_key_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="JIRA_TOKEN"):
        load_settings({"JIRA_TOKEN": "x"}, environ={})


# --- scalar parsing -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["true", "TRUE", "1", "yes", "On"])
def test_true_words(word: str) -> None:
    assert load({"READ_ONLY_MODE": word}).read_only is True


@pytest.mark.parametrize("word", ["false", "0", "No", "off"])
def test_false_words(word: str) -> None:
    assert jira({**DC, "JIRA_SSL_VERIFY": word}).ssl_verify is False


def test_bad_boolean_names_the_variable() -> None:
    assert (
        error({"READ_ONLY_MODE": "maybe"})
        == "READ_ONLY_MODE must be true or false (or 1/0, yes/no, on/off), got 'maybe'"
    )


@pytest.mark.parametrize("value", ["abc", "0", "-1", "inf", "nan"])
def test_bad_timeout(value: str) -> None:
    assert error({**DC, "JIRA_TIMEOUT": value}).startswith("JIRA_TIMEOUT must be a positive number")


def test_timeout_default_and_value() -> None:
    assert jira(DC).timeout == 75.0
    assert jira({**DC, "JIRA_TIMEOUT": "12.5"}).timeout == 12.5


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "PORT must be a whole number, got 'abc'"),
        ("0", "PORT must be between 1 and 65535, got 0"),
        ("70000", "PORT must be between 1 and 65535, got 70000"),
    ],
)
def test_bad_port(value: str, message: str) -> None:
    assert error({"PORT": value}) == message


def test_port_from_cli_int() -> None:
    assert load({"PORT": "9000"}, PORT=8123).port == 8123


# --- transport ----------------------------------------------------------------------------------------------


def test_defaults() -> None:
    settings = load()
    assert (settings.transport, settings.host, settings.port, settings.path) == ("stdio", "127.0.0.1", 8000, "/mcp")
    assert (settings.stateless, settings.read_only, settings.enabled_tools, settings.toolsets) == (
        False,
        False,
        None,
        ("default",),
    )
    assert settings.warnings == ("neither JIRA_URL nor CONFLUENCE_URL is set: no tools are available",)


def test_bad_transport() -> None:
    assert error(TRANSPORT="http") == "TRANSPORT must be one of stdio, sse, streamable-http, got 'http'"


@pytest.mark.parametrize("transport", ["stdio", "sse"])
def test_stateless_needs_streamable_http(transport: str) -> None:
    assert error({"STATELESS": "true"}, TRANSPORT=transport) == "--stateless needs --transport streamable-http"


def test_stateless_streamable_http() -> None:
    settings = load({"TRANSPORT": "Streamable-HTTP"}, STATELESS=True)
    assert settings.transport == "streamable-http" and settings.stateless is True


def test_paths() -> None:
    assert load(TRANSPORT="sse").path == "/sse"
    assert load(TRANSPORT="streamable-http").path == "/mcp"
    assert load({"STREAMABLE_HTTP_PATH": "api/mcp/"}, TRANSPORT="sse").path == "/api/mcp"


def test_host_is_explicit() -> None:
    assert load({"HOST": "0.0.0.0"}).host == "0.0.0.0"


# --- products and credentials -------------------------------------------------------------------------------


def test_product_off_without_url_but_warned() -> None:
    settings = load({"JIRA_USERNAME": "me", "JIRA_API_TOKEN": "t"})
    assert settings.jira is None
    assert "JIRA credentials are set but JIRA_URL is not: Jira is off" in settings.warnings


def test_url_normalised() -> None:
    assert jira({**DC, "JIRA_URL": "https://jira.acme.internal/jira//"}).url == "https://jira.acme.internal/jira"


@pytest.mark.parametrize("url", ["ftp://jira.example", "jira.example", "https://", "https:///path"])
def test_url_needs_http_scheme_and_host(url: str) -> None:
    assert error({**DC, "JIRA_URL": url}) == f"JIRA_URL must be an http:// or https:// URL with a host, got {url!r}"


def test_url_with_credentials_is_refused_without_echoing_them() -> None:
    message = error({**DC, "CONFLUENCE_URL": "https://bob:hunter2@wiki.example"})
    assert message == "CONFLUENCE_URL must not contain credentials: use CONFLUENCE_USERNAME and CONFLUENCE_API_TOKEN"


def test_url_with_bad_port() -> None:
    assert (
        error({"JIRA_URL": "https://jira.example:99999"}) == "JIRA_URL is not a valid URL: 'https://jira.example:99999'"
    )


def test_api_token_needs_username() -> None:
    message = error({"JIRA_URL": "https://x.example", "JIRA_API_TOKEN": "t"})
    assert message == "JIRA_API_TOKEN needs JIRA_USERNAME (a personal access token goes in JIRA_PERSONAL_TOKEN instead)"


def test_username_needs_a_token() -> None:
    message = error({"CONFLUENCE_URL": "https://x.example", "CONFLUENCE_USERNAME": "me"})
    assert message == "CONFLUENCE_USERNAME is set without CONFLUENCE_API_TOKEN (or CONFLUENCE_PERSONAL_TOKEN)"


def test_both_tokens_is_ambiguous() -> None:
    message = error({**JIRA, "JIRA_PERSONAL_TOKEN": "pat"})
    assert message == "both JIRA_API_TOKEN and JIRA_PERSONAL_TOKEN are set: keep only one"


def test_anonymous_is_allowed_with_a_warning() -> None:
    settings = load({"JIRA_URL": "https://jira.example"})
    assert settings.jira is not None and settings.jira.auth() is None
    assert settings.warnings == ("JIRA_URL is set without credentials: requests are anonymous",)


def test_pat_on_cloud_and_ssl_off_warn() -> None:
    settings = load({"JIRA_URL": "https://acme.atlassian.net", "JIRA_PERSONAL_TOKEN": "p", "JIRA_SSL_VERIFY": "off"})
    assert settings.warnings == (
        "JIRA_PERSONAL_TOKEN is set for a Cloud site, which takes JIRA_USERNAME + JIRA_API_TOKEN",
        "JIRA_SSL_VERIFY is off: TLS certificates of https://acme.atlassian.net are not checked",
    )


def test_tokens_are_stripped_and_hidden_from_repr() -> None:
    product = jira({**JIRA, "JIRA_API_TOKEN": "  tok-123456\n"})
    assert product.api_token == "tok-123456"
    assert "tok-123456" not in repr(product)


def test_stdout_logging_ignored_on_stdio_warns() -> None:
    assert "MCP_LOGGING_STDOUT is ignored with the stdio transport (stdout carries the protocol)" in (
        load({"MCP_LOGGING_STDOUT": "1"}).warnings
    )


# --- deployment ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://acme.atlassian.net", "cloud"),
        ("https://ACME.Atlassian.NET/wiki", "cloud"),
        ("https://acme.jira.com", "cloud"),
        ("https://acme.jira-dev.com", "cloud"),
        ("https://api.atlassian.com/ex/jira/123", "cloud"),
        ("https://acme.atlassian-us-gov-mod.net", "cloud"),
        ("https://atlassian.net.evil.example", "datacenter"),
        ("https://myatlassian.net", "datacenter"),
        ("http://localhost:8080", "datacenter"),
        ("http://10.0.0.5/jira", "datacenter"),
        ("https://jira.acme.com", "datacenter"),
    ],
)
def test_detect_deployment(url: str, expected: str) -> None:
    assert detect_deployment(url) == expected


def test_deployment_detected_and_overridden() -> None:
    assert jira(JIRA).deployment == "cloud"
    assert jira(DC).deployment == "datacenter"
    assert jira({**DC, "JIRA_DEPLOYMENT": "Cloud"}).deployment == "cloud"
    assert jira(JIRA, JIRA_DEPLOYMENT="datacenter").deployment == "datacenter"


def test_bad_deployment_override() -> None:
    assert error({**DC, "JIRA_DEPLOYMENT": "server"}) == "JIRA_DEPLOYMENT must be cloud or datacenter, got 'server'"


# --- proxies ------------------------------------------------------------------------------------------------


def test_no_proxy_by_default() -> None:
    assert jira(DC).proxy is None
    assert "transport" not in jira(DC).client_options()


def test_proxy_by_scheme() -> None:
    env = {"HTTPS_PROXY": "http://secure:3128", "HTTP_PROXY": "http://plain:3128"}
    assert jira({**DC, **env}).proxy == "http://secure:3128"
    assert jira({**DC, **env, "JIRA_URL": "http://jira.example"}).proxy == "http://plain:3128"
    assert jira({**DC, "HTTP_PROXY": "http://plain:3128"}).proxy is None  # like curl: http_proxy is http only


def test_service_proxy_beats_global() -> None:
    env = {**DC, "HTTPS_PROXY": "http://global:3128", "JIRA_HTTPS_PROXY": "http://jira-only:3128"}
    assert jira(env).proxy == "http://jira-only:3128"
    assert jira({**env, "JIRA_HTTPS_PROXY": ""}).proxy == "http://global:3128"


def test_lowercase_global_and_scheme_added() -> None:
    assert jira({**DC, "https_proxy": "proxy.corp:8080"}).proxy == "http://proxy.corp:8080"


def test_socks_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "_socks_available", lambda: True)
    assert jira({**DC, "SOCKS_PROXY": "socks5://s:1080"}).proxy == "socks5://s:1080"
    assert jira({**DC, "JIRA_SOCKS_PROXY": "s:1080", "HTTPS_PROXY": "http://g:1"}).proxy == "socks5://s:1080"
    monkeypatch.setattr(config, "_socks_available", lambda: False)
    assert error({**DC, "SOCKS_PROXY": "socks5://s:1080"}) == (
        "SOCKS_PROXY is a SOCKS proxy, which needs the socksio package (httpx[socks])"
    )


def test_bad_proxy_url_is_not_echoed() -> None:
    assert error({**DC, "HTTPS_PROXY": "ftp://u:secret@p:21"}) == (
        "HTTPS_PROXY must be an http://, https:// or socks5:// proxy URL with a host"
    )


@pytest.mark.parametrize(
    ("url", "no_proxy", "bypassed"),
    [
        ("https://jira.acme.internal", "acme.internal", True),
        ("https://jira.acme.internal", ".acme.internal", True),
        ("https://jira.acme.internal", "other.example, jira.acme.internal", True),
        ("https://jira.acme.internal", "*", True),
        ("https://jira.acme.internal", "me.internal", False),
        ("https://jira.acme.internal", "internal.jira", False),
        ("https://jira.acme.internal:8443", "jira.acme.internal:8443", True),
        ("https://jira.acme.internal:8443", "jira.acme.internal:9999", False),
        ("https://10.1.2.3", "10.0.0.0/8", True),
        ("https://10.1.2.3", "192.168.0.0/16", False),
        ("https://[::1]:8443", "::1", True),
    ],
)
def test_no_proxy(url: str, no_proxy: str, bypassed: bool) -> None:
    product = jira({**DC, "JIRA_URL": url, "HTTPS_PROXY": "http://p:3128", "NO_PROXY": no_proxy})
    assert product.proxy == (None if bypassed else "http://p:3128")


def test_service_no_proxy_replaces_global() -> None:
    env = {**DC, "HTTPS_PROXY": "http://p:3128", "NO_PROXY": "acme.internal"}
    assert jira(env).proxy is None
    assert jira({**env, "JIRA_NO_PROXY": "other.example"}).proxy == "http://p:3128"


# --- headers, filters, tools --------------------------------------------------------------------------------


def test_custom_headers() -> None:
    product = jira({**DC, "JIRA_CUSTOM_HEADERS": " X-Team = blue ,X-Trace=a=b,"})
    assert product.custom_headers == {"X-Team": "blue", "X-Trace": "a=b"}


@pytest.mark.parametrize("value", ["X-Team", "=blue", "Bad Name=1", "ok=1,secret-no-equals"])
def test_bad_custom_headers(value: str) -> None:
    message = error({**DC, "JIRA_CUSTOM_HEADERS": value})
    assert message.startswith("JIRA_CUSTOM_HEADERS entry ")
    assert message.endswith("is not a valid name=value pair (format: k=v,k=v)")
    assert "secret-no-equals" not in message


def test_filters() -> None:
    settings = load(
        {**DC, "CONFLUENCE_URL": "https://wiki.example", "JIRA_PROJECTS_FILTER": " proj, Ops ,,PROJ"},
        CONFLUENCE_SPACES_FILTER="DEV,~alice ",
    )
    assert settings.jira is not None and settings.jira.filter == ("PROJ", "OPS")
    assert settings.confluence is not None and settings.confluence.filter == ("DEV", "~alice")
    assert jira(DC).filter == ()


def test_toolsets_and_enabled_tools() -> None:
    settings = load({"TOOLSETS": "all", "ENABLED_TOOLS": "jira_get_issue, confluence_search"})
    assert settings.toolsets == ("all",)
    assert settings.enabled_tools == ("jira_get_issue", "confluence_search")
    assert load(TOOLSETS="jira_issues,made_up").toolsets == ("jira_issues", "made_up")  # names unchecked here
    assert error({"ENABLED_TOOLS": " , "}) == "ENABLED_TOOLS is set but names nothing: ','"


@pytest.mark.parametrize(
    ("env", "count", "expected"),
    [({}, None, 0), ({"MCP_VERBOSE": "true"}, None, 1), ({"MCP_VERY_VERBOSE": "1"}, None, 2), ({}, 5, 2)],
)
def test_verbosity(env: dict[str, str], count: int | None, expected: int) -> None:
    assert load(env, VERBOSITY=count).verbosity == expected


def test_verbosity_flag_beats_environment() -> None:
    assert load({"MCP_VERY_VERBOSE": "true"}, VERBOSITY=1).verbosity == 1


# --- auth and client options --------------------------------------------------------------------------------


def authorization(auth: httpx.Auth | None) -> str | None:
    assert auth is not None
    request = next(auth.auth_flow(httpx.Request("GET", "https://x.example/")))
    value: str | None = request.headers.get("Authorization")
    return value


def test_basic_auth() -> None:
    expected = "Basic " + base64.b64encode(b"me@acme.com:tok-123456").decode()
    assert authorization(jira(JIRA).auth()) == expected


def test_bearer_auth_for_pat_even_with_username() -> None:
    assert authorization(jira({**DC, "JIRA_USERNAME": "me"}).auth()) == "Bearer pat-abcdef"


def test_client_options_drive_a_working_sync_client() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    product = jira({**JIRA, "JIRA_CUSTOM_HEADERS": "X-Team=blue", "JIRA_TIMEOUT": "12"})
    with jira_sdk.Client(product.url, **product.client_options(), transport=httpx.MockTransport(handler)) as client:
        response = client.get_httpx_client().get("/rest/api/3/myself")
    assert response.json() == {"ok": True}
    (request,) = seen
    assert str(request.url) == "https://acme.atlassian.net/rest/api/3/myself"
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"me@acme.com:tok-123456").decode()
    assert request.headers["X-Team"] == "blue"
    assert request.extensions["timeout"] == {"connect": 12.0, "read": 12.0, "write": 12.0, "pool": 12.0}


async def test_client_options_drive_a_working_async_client() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    product = jira(DC)
    options = product.client_options()
    assert options["verify_ssl"] is True and options["timeout"] == 75.0
    async with jira_sdk.Client(product.url, **options, async_transport=httpx.MockTransport(handler)) as client:
        await client.get_async_httpx_client().get("/rest/api/2/myself")
    (request,) = seen
    assert request.headers["Authorization"] == "Bearer pat-abcdef"
    assert request.extensions["timeout"]["read"] == 75.0


class _Proxy(http.server.BaseHTTPRequestHandler):
    """A forward proxy stand-in: answers 503 once, then 200, and records what it was asked for."""

    calls: list[tuple[str, str | None]] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.calls.append((self.path, self.headers.get("Authorization")))
        status = 503 if len(self.calls) == 1 else 200
        self.send_response(status)
        self.send_header("Retry-After", "0")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def proxy_server() -> Iterator[str]:
    _Proxy.calls = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_proxy_is_used_and_sdk_retries_still_apply(proxy_server: str) -> None:
    product = jira({**DC, "JIRA_URL": "http://jira.acme.internal", "HTTP_PROXY": proxy_server, "NO_PROXY": "x.org"})
    assert product.proxy == proxy_server
    with jira_sdk.Client(product.url, **product.client_options()) as client:
        response = client.get_httpx_client().get("/rest/api/2/myself")
    assert response.status_code == 200  # the 503 was retried through the SDK's retry transport
    assert _Proxy.calls == [("http://jira.acme.internal/rest/api/2/myself", "Bearer pat-abcdef")] * 2


# --- secrets, masking, logging ------------------------------------------------------------------------------


def record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("t", logging.INFO, __file__, 1, msg, args or None, None)


def test_secrets_lists_tokens_and_their_encodings() -> None:
    env = {**JIRA, "CONFLUENCE_URL": "https://wiki.example", "CONFLUENCE_PERSONAL_TOKEN": "conf-pat"}
    env |= {"HTTPS_PROXY": "http://user:p%40ss@proxy:3128", "JIRA_CUSTOM_HEADERS": "X-Api-Key=k-999,X-Team=blue"}
    found = secrets(load(env))
    basic = base64.b64encode(b"me@acme.com:tok-123456").decode()
    assert set(found) == {"tok-123456", basic, "conf-pat", "p%40ss", "p@ss", "k-999"}
    assert secrets(load()) == ()


def test_filter_masks_secrets_in_args() -> None:
    rec = record("calling with %s and %r", "tok-123456", {"token": "tok-123456"})
    assert SecretMaskingFilter(["tok-123456"]).filter(rec) is True
    assert rec.getMessage() == "calling with **** and {'token': '****'}"


def test_filter_masks_basic_credential_and_authorization_headers() -> None:
    settings = load(JIRA)
    basic = base64.b64encode(b"me@acme.com:tok-123456").decode()
    masking = SecretMaskingFilter(secrets(settings))
    assert masking.mask(f"sent {basic}") == "sent ****"
    assert masking.mask("Authorization: Bearer unknown-oauth-token x") == "Authorization: Bearer **** x"
    assert masking.mask("{'authorization': 'Token abc', 'x': 1}") == "{'authorization': 'Token ****', 'x': 1}"
    assert masking.mask("[(b'Authorization', b'Basic Zm9vOmJhcg==')]") == "[(b'Authorization', b'Basic ****')]"


def test_filter_masks_tracebacks_and_survives_bad_format() -> None:
    masking = SecretMaskingFilter(["tok-123456"])
    try:
        raise RuntimeError("bad token tok-123456")
    except RuntimeError:
        rec = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    masking.filter(rec)
    assert rec.exc_text is not None and "tok-123456" not in rec.exc_text and "bad token ****" in rec.exc_text
    broken = record("%s %s", "tok-123456")
    assert masking.filter(broken) is True
    assert "tok-123456" not in broken.getMessage()


@pytest.fixture
def root_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.usefixtures("root_logging")
def test_configure_logging_masks_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(load(JIRA))
    configure_logging(load(JIRA))  # idempotent: still one handler
    logging.getLogger("adapter.test").warning("token is %s", "tok-123456")
    logging.getLogger("adapter.test").info("not shown at verbosity 0")
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("token is ****") == 1 and "tok-123456" not in err
    assert "not shown" not in err


@pytest.mark.usefixtures("root_logging")
def test_configure_logging_stdout_and_level(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(load({"MCP_LOGGING_STDOUT": "true"}, TRANSPORT="sse", VERBOSITY=2))
    assert logging.getLogger().level == logging.DEBUG
    logging.getLogger("adapter.test").debug("to stdout")
    out, err = capsys.readouterr()
    assert "to stdout" in out and err == ""


@pytest.mark.usefixtures("root_logging")
def test_configure_logging_never_uses_stdout_for_stdio(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(load({"MCP_LOGGING_STDOUT": "true", "MCP_VERBOSE": "1"}))
    assert logging.getLogger().level == logging.INFO
    logging.getLogger("adapter.test").info("to stderr")
    out, err = capsys.readouterr()
    assert out == "" and "to stderr" in err
