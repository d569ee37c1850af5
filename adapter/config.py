"""Server configuration: CLI flags, the process environment and a `.env` file, merged and checked once at startup.

Everything the server needs to reach Jira and Confluence is decided here, so a mistake is reported as one
line before the server starts (the CLI prints `ConfigError` and exits with code 2), not on the first tool call.

Precedence: CLI flag > process environment (what the MCP client passed) > `.env`. Unlike the server we
replace, the `.env` file never overrides a variable that is already in the environment. A variable set to an
empty string counts as not set, and still hides the layers below it.
"""

from __future__ import annotations

import base64
import importlib.util
import ipaddress
import logging
import math
import os
import re
import ssl
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit

from dotenv import dotenv_values

from .files import FilePolicy, policy_from

if TYPE_CHECKING:  # httpx and the SDK load on first use, not at start-up
    import httpx

Product = Literal["jira", "confluence"]
Deployment = Literal["cloud", "datacenter"]
Transport = Literal["stdio", "sse", "streamable-http"]

DEFAULT_TIMEOUT = 75.0
"""Seconds, as in the server we replace: slow DC instances and big JQL searches need it."""
MASK = "****"
TRANSPORTS: tuple[Transport, ...] = ("stdio", "sse", "streamable-http")

_PREFIX: dict[Product, str] = {"jira": "JIRA", "confluence": "CONFLUENCE"}
_FILTER_VAR: dict[Product, str] = {"jira": "JIRA_PROJECTS_FILTER", "confluence": "CONFLUENCE_SPACES_FILTER"}
_PRODUCT_VARS = (
    *("URL", "USERNAME", "API_TOKEN", "PERSONAL_TOKEN", "SSL_VERIFY", "TIMEOUT", "CUSTOM_HEADERS", "DEPLOYMENT"),
    *("HTTP_PROXY", "HTTPS_PROXY", "SOCKS_PROXY", "NO_PROXY"),
    *(
        "OAUTH_CLIENT_ID",
        "OAUTH_CLIENT_SECRET",
        "OAUTH_ACCESS_TOKEN",
        "CLIENT_CERT",
        "CLIENT_KEY",
        "CLIENT_KEY_PASSWORD",
    ),
)
OAUTH_VARS = ("CLIENT_ID", "CLIENT_SECRET", "REDIRECT_URI", "SCOPE", "CLOUD_ID", "ACCESS_TOKEN")
"""The `ATLASSIAN_OAUTH_*` variables (and `--oauth-*` flags) of the server we replace."""
_GLOBAL_VARS = (
    *(f"ATLASSIAN_OAUTH_{name}" for name in OAUTH_VARS),
    "ATLASSIAN_OAUTH_API_URL",  # Atlassian's API host; the sandbox plays it
    *("TRANSPORT", "HOST", "PORT", "STREAMABLE_HTTP_PATH", "STATELESS"),
    *("READ_ONLY_MODE", "ENABLED_TOOLS", "TOOLSETS", "MCP_VERBOSE", "MCP_VERY_VERBOSE", "MCP_LOGGING_STDOUT"),
    *("HTTP_PROXY", "HTTPS_PROXY", "SOCKS_PROXY", "NO_PROXY"),
)
VERBOSITY_OVERRIDE = "VERBOSITY"
"""The one override key that is not a variable: the `-v` count (1 info, 2+ debug)."""
OVERRIDE_KEYS = frozenset(
    [f"{p}_{v}" for p in _PREFIX.values() for v in _PRODUCT_VARS]
    + list(_FILTER_VAR.values())
    + list(_GLOBAL_VARS)
    + [VERBOSITY_OVERRIDE]
)

_CLOUD_HOSTS = ("api.atlassian.com",)
_CLOUD_SUFFIXES = (".atlassian.net", ".jira.com", ".jira-dev.com", ".atlassian-us-gov-mod.net", ".atlassian-us-gov.net")
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_SENSITIVE_HEADER = re.compile(r"auth|token|key|secret|cookie|session|passw", re.IGNORECASE)
_AUTH_VALUE = re.compile(
    r"""(authorization['"]?\s*[:=,]\s*(?:b?['"])?(?:(?:basic|bearer|token)\s+)?)[^\s'",;)}\]]+""", re.IGNORECASE
)
_OAUTH_VALUE = re.compile(
    r"""((?:access_token|refresh_token|client_secret|code_verifier|[?&]code)['"]?\s*[:=]\s*['"]?)[^\s'",&;)}\]]+""",
    re.IGNORECASE,
)
CLOUD_AUTHORIZE_URL = "https://auth.atlassian.com/authorize"
CLOUD_TOKEN_URL = "https://auth.atlassian.com/oauth/token"
CLOUD_API_URL = "https://api.atlassian.com"
DC_OAUTH_PATH = "/rest/oauth2/latest"


class ConfigError(Exception):
    """A configuration mistake, described in one line for the person starting the server (exit code 2)."""


@dataclass(frozen=True)
class OAuthConfig:
    """OAuth 2.0 for one product: a client that refreshes stored tokens, or a bring-your-own access token.

    Cloud calls go through the API gateway (`{api_url}/ex/{product}/{cloud_id}`); Data Center (application
    links) signs in at the instance's own `/rest/oauth2/latest/{authorize,token}`.
    """

    client_id: str | None
    client_secret: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)  # bring your own: used as given, never refreshed
    cloud_id: str | None = None
    scope: str | None = None
    redirect_uri: str | None = None
    authorize_url: str = CLOUD_AUTHORIZE_URL
    token_url: str = CLOUD_TOKEN_URL
    api_url: str = CLOUD_API_URL

    def store_key(self, site_url: str) -> str:
        """Where the wizard saved this sign-in's tokens: one entry per client and Cloud site (or DC instance)."""
        return f"oauth-{self.client_id}-{self.cloud_id or site_url}"


@dataclass(frozen=True)
class ProductConfig:
    """How to reach one product (Jira or Confluence): where, as whom, and through which network path."""

    product: Product
    url: str
    deployment: Deployment
    username: str | None = None
    api_token: str | None = field(default=None, repr=False)
    personal_token: str | None = field(default=None, repr=False)
    ssl_verify: bool = True
    timeout: float = DEFAULT_TIMEOUT
    custom_headers: dict[str, str] = field(default_factory=dict)
    proxy: str | None = field(default=None, repr=False)
    filter: tuple[str, ...] = ()
    oauth: OAuthConfig | None = None
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)  # with an mTLS client cert

    @property
    def verify(self) -> bool | ssl.SSLContext:
        """What the transports verify TLS with: the mTLS context when a client certificate is configured."""
        return self.ssl_context if self.ssl_context is not None else self.ssl_verify

    per_request: bool = False  # ATLASSIAN_OAUTH_ENABLE without a configured site: only request credentials reach it
    # A Cloud site's id (ATLASSIAN_OAUTH_CLOUD_ID, or X-Atlassian-Cloud-Id); unset, it is asked of the site when an
    # API addressed by cloud id (the Forms API) is first used
    cloud_id: str | None = None
    api_gateway: str = CLOUD_API_URL  # ATLASSIAN_OAUTH_API_URL: Atlassian's API host (OAuth gateway, Forms API)

    def auth(self) -> httpx.Auth | None:
        """Static credentials as an `httpx.Auth`; a refreshing OAuth client is `auth.OAuthAuth`, built by the Site."""
        import jira_sdk

        if self.oauth is not None:
            return jira_sdk.bearer_auth(self.oauth.access_token) if self.oauth.access_token else None
        if self.personal_token:
            return jira_sdk.bearer_auth(self.personal_token)
        if self.username and self.api_token:  # Cloud API token, or the password on an old DC
            return jira_sdk.basic_auth(self.username, self.api_token)
        return None

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for `jira_sdk.Client` / `confluence_sdk.Client` (after `base_url`).

        A proxy is set on the inner transports rather than through `httpx_args`: httpx mounts a proxy
        transport ahead of the client's own, which would skip the SDK's retry wrapper and `verify_ssl`.
        """
        options: dict[str, Any] = {
            "auth": self.auth(),
            "headers": dict(self.custom_headers),
            "timeout": self.timeout,
            "verify_ssl": self.verify,
        }
        if self.proxy:
            import httpx

            options["transport"] = httpx.HTTPTransport(proxy=self.proxy, verify=self.verify)
            options["async_transport"] = httpx.AsyncHTTPTransport(proxy=self.proxy, verify=self.verify)
        return options


@dataclass(frozen=True)
class Settings:
    """Everything the server is started with; `warnings` are for the CLI to show, not errors."""

    jira: ProductConfig | None = None
    confluence: ProductConfig | None = None
    transport: Transport = "stdio"
    host: str = "127.0.0.1"  # the server we replace binds 0.0.0.0; exposing it must be explicit
    port: int = 8000
    path: str = "/mcp"
    stateless: bool = False
    read_only: bool = False
    enabled_tools: tuple[str, ...] | None = None
    toolsets: tuple[str, ...] = ("default",)
    verbosity: int = 0
    log_to_stdout: bool = False
    max_result_chars: int = 40_000  # about 10k tokens: bigger results are cut, with a note saying how to get the rest
    schema_profile: str = "default"  # ATLASSIAN_MCP_SCHEMA_PROFILE: input schemas as a picky provider wants them
    multiuser: MultiUser = field(default_factory=lambda: MultiUser())
    files: FilePolicy = field(default_factory=FilePolicy)  # the host's files tools may read and write: none
    warnings: tuple[str, ...] = ()


DEFAULT_OAUTH_API_URL = "https://api.atlassian.com"


@dataclass(frozen=True)
class MultiUser:
    """How HTTP requests may bring their own credentials (see adapter/multiuser.py and the README)."""

    header_auth: bool = True  # False: IGNORE_HEADER_AUTH=true, request credentials are never read
    global_fallback: bool = False  # ALLOW_GLOBAL_CRED_FALLBACK: a request without credentials uses the server's
    oauth_enable: bool = False  # ATLASSIAN_OAUTH_ENABLE: no server credentials; every request brings its own
    oauth_api_url: str = DEFAULT_OAUTH_API_URL  # ATLASSIAN_OAUTH_API_URL: the gateway, /ex/{product}/{cloudId}
    oauth_cloud_id: str | None = None  # ATLASSIAN_OAUTH_CLOUD_ID: the site when a request names none
    allowed_domains: tuple[str, ...] = ()  # MCP_ALLOWED_URL_DOMAINS: hosts X-Atlassian-*-Url may name
    allow_private: bool = False  # MCP_ALLOW_PRIVATE_URLS: allow loopback/private/link-local addresses there
    pool_size: int = 256  # MCP_USER_POOL_SIZE: per-credential client pools kept (least recently used go)
    pool_idle: float = 1800.0  # MCP_USER_POOL_IDLE_SECONDS: a pool unused this long is closed
    resource_url: str | None = None  # MCP_OAUTH_RESOURCE_URL: act as an OAuth resource server with this URL
    issuer_url: str = "https://auth.atlassian.com"  # MCP_OAUTH_ISSUER_URL: the authorization server advertised


def detect_deployment(url: str) -> Deployment:
    """Cloud for Atlassian-hosted sites; anything else (company hosts, localhost, IPs) is Data Center."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if host in _CLOUD_HOSTS or host.endswith(_CLOUD_SUFFIXES):
        return "cloud"
    return "datacenter"


class _Source:
    """Looks a variable up in the three layers; a layer that has the name hides the ones below it."""

    def __init__(
        self, overrides: Mapping[str, object], environ: Mapping[str, str], dotenv: Mapping[str, str | None]
    ) -> None:
        self._layers = (overrides, environ, dotenv)

    def raw(self, name: str) -> object | None:
        for layer in self._layers:
            if name in layer and layer[name] is not None:
                value = layer[name]
                if isinstance(value, str):
                    return value.strip() or None
                return value
        return None

    def text(self, name: str) -> str | None:
        value = self.raw(name)
        return None if value is None else str(value)

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        word = str(value).lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise ConfigError(f"{name} must be true or false (or 1/0, yes/no, on/off), got {value!r}")

    def number(self, name: str, default: float) -> float:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = math.nan if isinstance(value, bool) else float(str(value))
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or number <= 0:
            raise ConfigError(f"{name} must be a positive number, got {value!r}")
        return number

    def whole(self, name: str, default: int) -> int:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return int(str(value))
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {value!r}") from None

    def names(self, name: str) -> tuple[str, ...] | None:
        """A comma-separated list, trimmed, without empty entries or repeats; None when not set."""
        value = self.text(name)
        if value is None:
            return None
        items = tuple(dict.fromkeys(item.strip() for item in value.split(",") if item.strip()))
        if not items:
            raise ConfigError(f"{name} is set but names nothing: {value!r}")
        return items


def load_settings(
    overrides: Mapping[str, object],
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = None,
    *,
    read_dotenv: bool = True,
) -> Settings:
    """Merge CLI flags (keyed by the variable they override; None = not given), environment and `.env`, and check them.

    `env_file` must exist when given; otherwise `.env` in the working directory is read if present.
    """
    unknown = sorted(set(overrides) - OVERRIDE_KEYS)
    if unknown:
        raise ValueError(f"unknown override keys: {', '.join(unknown)}")
    if env_file is not None and not env_file.is_file():
        raise ConfigError(f"--env-file {env_file}: no such file")
    dotenv_path = env_file if env_file is not None else Path(".env")
    dotenv = dotenv_values(dotenv_path) if read_dotenv and dotenv_path.is_file() else {}
    src = _Source(overrides, os.environ if environ is None else environ, dotenv)
    warnings: list[str] = []

    transport_name = (src.text("TRANSPORT") or "stdio").lower()
    transport = next((t for t in TRANSPORTS if t == transport_name), None)
    if transport is None:
        raise ConfigError(f"TRANSPORT must be one of {', '.join(TRANSPORTS)}, got {transport_name!r}")
    stateless = src.flag("STATELESS", False)
    if stateless and transport != "streamable-http":
        raise ConfigError("--stateless needs --transport streamable-http")
    port = src.whole("PORT", 8000)
    if not 1 <= port <= 65535:
        raise ConfigError(f"PORT must be between 1 and 65535, got {port}")
    path = "/" + (src.text("STREAMABLE_HTTP_PATH") or ("/sse" if transport == "sse" else "/mcp")).strip("/")

    verbosity = _verbosity(src)
    log_to_stdout = src.flag("MCP_LOGGING_STDOUT", False)
    if log_to_stdout and transport == "stdio":
        warnings.append("MCP_LOGGING_STDOUT is ignored with the stdio transport (stdout carries the protocol)")

    jira = _product("jira", src, warnings)
    confluence = _product("confluence", src, warnings)
    multiuser = _multiuser(src, transport)
    if multiuser.oauth_enable:  # per-request OAuth: the products without a configured site are served as Cloud
        gateway = multiuser.oauth_api_url
        jira = jira or ProductConfig("jira", gateway, "cloud", per_request=True, api_gateway=gateway)
        confluence = confluence or ProductConfig("confluence", gateway, "cloud", per_request=True, api_gateway=gateway)
    if jira is None and confluence is None:
        warnings.append("neither JIRA_URL nor CONFLUENCE_URL is set: no tools are available")
    try:
        files = policy_from(src.text("ATLASSIAN_MCP_UPLOAD_DIRS"), src.text("ATLASSIAN_MCP_DOWNLOAD_DIR"),
                            transport=transport)  # fmt: skip
    except ValueError as exc:
        raise ConfigError(str(exc)) from None

    return Settings(
        jira=jira,
        confluence=confluence,
        transport=transport,
        host=src.text("HOST") or "127.0.0.1",
        port=port,
        path=path,
        stateless=stateless,
        read_only=src.flag("READ_ONLY_MODE", False),
        enabled_tools=src.names("ENABLED_TOOLS"),
        toolsets=src.names("TOOLSETS") or ("default",),
        max_result_chars=max(1_000, src.whole("ATLASSIAN_MCP_MAX_RESULT_CHARS", 40_000)),
        schema_profile=_schema_profile(src),
        verbosity=verbosity,
        log_to_stdout=log_to_stdout,
        multiuser=multiuser,
        files=files,
        warnings=tuple(warnings),
    )


def oauth_setup_config(
    overrides: Mapping[str, object], environ: Mapping[str, str] | None = None, env_file: Path | None = None
) -> tuple[OAuthConfig, str | None, str]:
    """The wizard's client: (OAuth settings, Data Center instance URL or None for Cloud, variable prefix).

    Data Center when JIRA_URL (or else CONFLUENCE_URL) points at a Data Center instance; Cloud otherwise.
    A missing client id or secret is not an error here: the wizard asks for it.
    """
    dotenv = dotenv_values(env_file) if env_file is not None and env_file.is_file() else {}
    src = _Source(overrides, os.environ if environ is None else environ, dotenv)
    instance, prefix = None, "ATLASSIAN"
    for product in ("jira", "confluence"):
        p = _PREFIX[product]
        url = src.text(f"{p}_URL")
        forced = (src.text(f"{p}_DEPLOYMENT") or "").lower()
        if url and (forced or detect_deployment(url)) == "datacenter":
            instance, prefix = _check_url(f"{p}_URL", url), p
            break

    def pick(name: str) -> str | None:
        return (src.text(f"{prefix}_OAUTH_{name}") if instance else None) or src.text(f"ATLASSIAN_OAUTH_{name}")

    oauth = OAuthConfig(
        client_id=pick("CLIENT_ID"),
        client_secret=pick("CLIENT_SECRET"),
        cloud_id=None if instance else src.text("ATLASSIAN_OAUTH_CLOUD_ID"),
        scope=pick("SCOPE"),
        redirect_uri=pick("REDIRECT_URI"),
        **oauth_endpoints(instance, src),
    )
    return oauth, instance, prefix


def _multiuser(src: _Source, transport: Transport) -> MultiUser:
    """The multi-user settings; MCP_OAUTH_RESOURCE_URL needs streamable HTTP (the SDK's bearer middleware)."""
    resource_url = src.text("MCP_OAUTH_RESOURCE_URL")
    if resource_url is not None:
        if transport != "streamable-http":
            raise ConfigError("MCP_OAUTH_RESOURCE_URL needs --transport streamable-http")
        resource_url = _check_url("MCP_OAUTH_RESOURCE_URL", resource_url)
    domains = tuple(d.lower().strip(".") for d in src.names("MCP_ALLOWED_URL_DOMAINS") or ())
    api_url = src.text("ATLASSIAN_OAUTH_API_URL") or DEFAULT_OAUTH_API_URL
    return MultiUser(
        header_auth=not src.flag("IGNORE_HEADER_AUTH", False),
        global_fallback=src.flag("ALLOW_GLOBAL_CRED_FALLBACK", False),
        oauth_enable=src.flag("ATLASSIAN_OAUTH_ENABLE", False),
        oauth_api_url=_check_url("ATLASSIAN_OAUTH_API_URL", api_url),
        oauth_cloud_id=src.text("ATLASSIAN_OAUTH_CLOUD_ID"),
        allowed_domains=domains,
        allow_private=src.flag("MCP_ALLOW_PRIVATE_URLS", False),
        pool_size=max(1, src.whole("MCP_USER_POOL_SIZE", 256)),
        pool_idle=src.number("MCP_USER_POOL_IDLE_SECONDS", 1800.0),
        resource_url=resource_url,
        issuer_url=_check_url("MCP_OAUTH_ISSUER_URL", src.text("MCP_OAUTH_ISSUER_URL") or "https://auth.atlassian.com"),
    )


def _schema_profile(src: _Source) -> str:
    from .schema_profiles import PROFILES

    profile = (src.text("ATLASSIAN_MCP_SCHEMA_PROFILE") or "default").lower()
    if profile not in PROFILES:
        raise ConfigError(f"ATLASSIAN_MCP_SCHEMA_PROFILE must be one of {', '.join(PROFILES)}, got {profile!r}")
    return profile


def _verbosity(src: _Source) -> int:
    """The `-v` count wins over MCP_VERY_VERBOSE (2) and MCP_VERBOSE (1)."""
    count = src.raw(VERBOSITY_OVERRIDE)
    if isinstance(count, int) and not isinstance(count, bool) and count > 0:
        return min(count, 2)
    if src.flag("MCP_VERY_VERBOSE", False):
        return 2
    return 1 if src.flag("MCP_VERBOSE", False) else 0


def _product(product: Product, src: _Source, warnings: list[str]) -> ProductConfig | None:
    """One product's settings, or None when its URL is not set."""
    p = _PREFIX[product]
    url = src.text(f"{p}_URL")
    username = src.text(f"{p}_USERNAME")
    api_token = src.text(f"{p}_API_TOKEN")
    personal_token = src.text(f"{p}_PERSONAL_TOKEN")
    if url is None:
        if username or api_token or personal_token:
            warnings.append(f"{p} credentials are set but {p}_URL is not: {product.capitalize()} is off")
        return None
    url = _check_url(f"{p}_URL", url)

    if api_token and personal_token:
        raise ConfigError(f"both {p}_API_TOKEN and {p}_PERSONAL_TOKEN are set: keep only one")
    if api_token and not username:
        raise ConfigError(
            f"{p}_API_TOKEN needs {p}_USERNAME (a personal access token goes in {p}_PERSONAL_TOKEN instead)"
        )
    if username and not (api_token or personal_token):
        raise ConfigError(f"{p}_USERNAME is set without {p}_API_TOKEN (or {p}_PERSONAL_TOKEN)")

    deployment = detect_deployment(url)
    forced = src.text(f"{p}_DEPLOYMENT")
    if forced is not None:
        if forced.lower() not in ("cloud", "datacenter"):
            raise ConfigError(f"{p}_DEPLOYMENT must be cloud or datacenter, got {forced!r}")
        deployment = "cloud" if forced.lower() == "cloud" else "datacenter"

    ssl_verify = src.flag(f"{p}_SSL_VERIFY", True)
    oauth = _oauth(p, url, deployment, src)
    if oauth is not None and (api_token or personal_token):
        warnings.append(f"{p}: OAuth is configured, so {p}_API_TOKEN / {p}_PERSONAL_TOKEN are not used")
    if not (api_token or personal_token or oauth):
        warnings.append(f"{p}_URL is set without credentials: requests are anonymous")
    if personal_token and deployment == "cloud":
        warnings.append(f"{p}_PERSONAL_TOKEN is set for a Cloud site, which takes {p}_USERNAME + {p}_API_TOKEN")
    if not ssl_verify:
        warnings.append(f"{p}_SSL_VERIFY is off: TLS certificates of {url} are not checked")

    filter_var = _FILTER_VAR[product]
    keys = src.names(filter_var) or ()
    return ProductConfig(
        product=product,
        url=url,
        deployment=deployment,
        username=username,
        api_token=api_token,
        personal_token=personal_token,
        ssl_verify=ssl_verify,
        timeout=src.number(f"{p}_TIMEOUT", DEFAULT_TIMEOUT),
        custom_headers=_headers(f"{p}_CUSTOM_HEADERS", src.text(f"{p}_CUSTOM_HEADERS")),
        proxy=_proxy(p, url, src),
        filter=tuple(dict.fromkeys(k.upper() for k in keys)) if product == "jira" else keys,
        oauth=oauth,
        ssl_context=_client_cert(p, ssl_verify, src),
        cloud_id=src.text("ATLASSIAN_OAUTH_CLOUD_ID") if deployment == "cloud" else None,
        api_gateway=oauth.api_url if oauth is not None else _api_gateway(src),
    )


def _api_gateway(src: _Source) -> str:
    api_url = src.text("ATLASSIAN_OAUTH_API_URL")
    return _check_url("ATLASSIAN_OAUTH_API_URL", api_url) if api_url else CLOUD_API_URL


def _oauth(p: str, url: str, deployment: Deployment, src: _Source) -> OAuthConfig | None:
    """OAuth for one product, in the order of the server we replace: a client id and secret (refreshed
    tokens), then a bring-your-own access token. `{p}_OAUTH_*` override `ATLASSIAN_OAUTH_*`."""

    def pick(name: str) -> str | None:
        return src.text(f"{p}_OAUTH_{name}") or src.text(f"ATLASSIAN_OAUTH_{name}")

    client_id, secret, access_token = pick("CLIENT_ID"), pick("CLIENT_SECRET"), pick("ACCESS_TOKEN")
    if bool(client_id) != bool(secret):
        have, need = ("CLIENT_ID", "CLIENT_SECRET") if client_id else ("CLIENT_SECRET", "CLIENT_ID")
        raise ConfigError(f"OAuth {have} is set for {p} without {need} (ATLASSIAN_OAUTH_{need} or {p}_OAUTH_{need})")
    if not (client_id or access_token):
        return None
    cloud_id = src.text("ATLASSIAN_OAUTH_CLOUD_ID")
    if deployment == "cloud" and not cloud_id:
        raise ConfigError(
            f"OAuth for the Cloud site {p}_URL needs ATLASSIAN_OAUTH_CLOUD_ID (`atlassian-mcp oauth-setup` prints it)"
        )
    endpoints = oauth_endpoints(url if deployment == "datacenter" else None, src)
    return OAuthConfig(
        client_id=client_id,
        client_secret=secret,
        access_token=None if client_id else access_token,
        cloud_id=cloud_id if deployment == "cloud" else None,
        scope=pick("SCOPE"),
        redirect_uri=pick("REDIRECT_URI"),
        **endpoints,
    )


def oauth_endpoints(instance_url: str | None, src: _Source) -> dict[str, str]:
    """Cloud's authorization server and API gateway (overridable: ATLASSIAN_OAUTH_AUTHORIZE_URL / _TOKEN_URL /
    _API_URL, for tests and proxies), or a Data Center instance's own OAuth 2.0 endpoints."""
    if instance_url is not None:
        base = instance_url.rstrip("/") + DC_OAUTH_PATH
        return {"authorize_url": f"{base}/authorize", "token_url": f"{base}/token", "api_url": instance_url}
    defaults = {"AUTHORIZE": CLOUD_AUTHORIZE_URL, "TOKEN": CLOUD_TOKEN_URL, "API": CLOUD_API_URL}
    return {
        f"{kind.lower()}_url": _check_url(f"ATLASSIAN_OAUTH_{kind}_URL", src.text(f"ATLASSIAN_OAUTH_{kind}_URL") or url)
        for kind, url in defaults.items()
    }


def _client_cert(p: str, ssl_verify: bool, src: _Source) -> ssl.SSLContext | None:
    """The mTLS context for `{p}_CLIENT_CERT` / `_CLIENT_KEY` (and `_CLIENT_KEY_PASSWORD` for an encrypted key),
    built at start-up so that a wrong file or password is a one-line error, not a failed tool call."""
    cert, key, password = (src.text(f"{p}_CLIENT_{n}") for n in ("CERT", "KEY", "KEY_PASSWORD"))
    if cert is None:
        if key or password:
            raise ConfigError(f"{p}_CLIENT_KEY is set without {p}_CLIENT_CERT")
        return None
    import certifi

    context = ssl.create_default_context(cafile=certifi.where())
    if not ssl_verify:
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    try:
        context.load_cert_chain(cert, key, password)
    except FileNotFoundError as exc:
        raise ConfigError(f"{p}_CLIENT_CERT / {p}_CLIENT_KEY: no such file: {exc.filename}") from None
    except (ssl.SSLError, OSError):
        raise ConfigError(
            f"{p}_CLIENT_CERT / {p}_CLIENT_KEY could not be loaded (wrong file or key password?)"
        ) from None
    return context


def _check_url(name: str, url: str) -> str:
    """An http(s) URL with a host and no embedded credentials, without trailing slashes."""
    shown = repr(url) if "@" not in url else "(not shown: it contains '@')"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ConfigError(f"{name} is not a valid URL: {shown}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name} must be an http:// or https:// URL with a host, got {shown}")
    if parts.username is not None or parts.password is not None:
        prefix = name.removesuffix("_URL")
        raise ConfigError(f"{name} must not contain credentials: use {prefix}_USERNAME and {prefix}_API_TOKEN")
    return url.rstrip("/")


def _headers(name: str, value: str | None) -> dict[str, str]:
    """`k=v,k=v` into a dict; values are never echoed in errors (they may be secrets)."""
    headers: dict[str, str] = {}
    for number, pair in enumerate((value or "").split(","), start=1):
        if not pair.strip():
            continue
        key, sep, val = pair.partition("=")
        key = key.strip()
        if not sep or not _HEADER_NAME.match(key):
            raise ConfigError(f"{name} entry {number} is not a valid name=value pair (format: k=v,k=v)")
        headers[key] = val.strip()
    return headers


def _proxy(prefix: str, url: str, src: _Source) -> str | None:
    """The proxy for `url`: the product's own variables first, then the global ones; NO_PROXY as curl reads it."""
    scheme = urlsplit(url).scheme.lower()
    chosen: tuple[str, str] | None = None
    for tier in (f"{prefix}_", ""):
        for kind in (scheme.upper(), "SOCKS"):
            name = f"{tier}{kind}_PROXY"
            value = src.text(name) or (src.text(name.lower()) if not tier else None)
            if value:
                chosen = (name, value)
                break
        if chosen:
            break
    if chosen is None:
        return None
    no_proxy = src.text(f"{prefix}_NO_PROXY") or src.text("NO_PROXY") or src.text("no_proxy")
    if no_proxy and _bypasses(url, no_proxy):
        return None
    name, proxy = chosen
    if "://" not in proxy:
        proxy = ("socks5://" if name.endswith("SOCKS_PROXY") else "http://") + proxy
    parts = urlsplit(proxy)
    if parts.scheme not in ("http", "https", "socks5", "socks5h") or not parts.hostname:
        raise ConfigError(f"{name} must be an http://, https:// or socks5:// proxy URL with a host")
    if parts.scheme.startswith("socks") and not _socks_available():
        raise ConfigError(f"{name} is a SOCKS proxy, which needs the socksio package (httpx[socks])")
    return proxy


def _bypasses(url: str, no_proxy: str) -> bool:
    """True when NO_PROXY exempts `url`: `*`, a host, a domain suffix (leading dot optional), an IP or a CIDR."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    for entry in re.split(r"[\s,]+", no_proxy.lower()):
        entry = entry.strip("[]").lstrip(".")
        if not entry:
            continue
        if entry == "*" or entry in (host, f"{host}:{port}") or host.endswith("." + entry):
            return True
        if ip is not None and "/" in entry:
            try:
                if ip in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
    return False


def _socks_available() -> bool:
    """httpx speaks SOCKS only with the optional socksio package."""
    return importlib.util.find_spec("socksio") is not None


def secrets(settings: Settings) -> tuple[str, ...]:
    """Every secret value configured, plus the forms it travels in (basic credential, proxy password)."""
    found: list[str] = []
    for product in (settings.jira, settings.confluence):
        if product is None:
            continue
        found += [product.api_token or "", product.personal_token or ""]
        if product.username and product.api_token:
            found.append(base64.b64encode(f"{product.username}:{product.api_token}".encode()).decode())
        password = urlsplit(product.proxy).password if product.proxy else None
        if password:
            found += [password, unquote(password)]
        found += [v for k, v in product.custom_headers.items() if _SENSITIVE_HEADER.search(k)]
        if product.oauth is not None:
            found += [product.oauth.client_secret or "", product.oauth.access_token or ""]
    return tuple(sorted({s for s in found if s}, key=len, reverse=True))


RUNTIME_SECRETS: set[str] = set()
"""Secrets learnt while running (OAuth access and refresh tokens): masked like the configured ones."""


def register_secret(value: str | None) -> None:
    if value:
        RUNTIME_SECRETS.add(value)


class SecretMaskingFilter(logging.Filter):
    """Replaces secrets and `Authorization` header values in log records with `****` before they are written."""

    def __init__(self, values: Iterable[str]) -> None:
        super().__init__()
        self._values = tuple(sorted({v for v in values if v}, key=len, reverse=True))

    def mask(self, text: str) -> str:
        for value in (*self._values, *sorted(RUNTIME_SECRETS, key=len, reverse=True)):
            text = text.replace(value, MASK)
        text = _OAUTH_VALUE.sub(lambda m: m.group(1) + MASK, text)
        return _AUTH_VALUE.sub(lambda m: m.group(1) + MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the args from masking, nor raise here
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = self.mask(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


_HANDLER_NAME = "atlassian-mcp"
_LEVELS = (logging.WARNING, logging.INFO, logging.DEBUG)


def configure_logging(settings: Settings) -> None:
    """One masked handler on the root logger; stdout only when asked and not the stdio protocol channel."""
    stream = sys.stdout if settings.log_to_stdout and settings.transport != "stdio" else sys.stderr
    handler = logging.StreamHandler(stream)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(SecretMaskingFilter(secrets(settings)))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(_LEVELS[max(0, min(settings.verbosity, 2))])
