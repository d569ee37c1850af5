"""Many users on one HTTP server: each request may bring its own Atlassian credentials.

`RequestAuth` (an ASGI middleware) reads the request's `Authorization` and `X-Atlassian-*` headers, refuses bad
ones with 401/403 before any upstream call, and leaves the parsed `Credential` in the ASGI scope. The tool call
finds it through the SDK's request context (`ctx.request.scope`), which is the POST that carried the call for
streamable HTTP (stateful or not) and for SSE's `/messages/`. `Pools` keeps one set of SDK clients per credential
and site, so nothing one user's client holds is ever used for another user.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import ipaddress
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .config import ConfigError, MultiUser, Product, ProductConfig, _check_url

if TYPE_CHECKING:
    import httpx

    from .server import Site

log = logging.getLogger("atlassian_mcp.multiuser")

SCOPE_KEY = "atlassian_mcp.credential"
"""Where `RequestAuth` leaves the request's `Credential` in the ASGI scope (None: use the server's own)."""
PRODUCTS: tuple[Product, ...] = ("jira", "confluence")
_URL_HEADER = {"jira": "x-atlassian-jira-url", "confluence": "x-atlassian-confluence-url"}
_PAT_HEADER = {"jira": "x-atlassian-jira-personal-token", "confluence": "x-atlassian-confluence-personal-token"}
RESOURCES_TTL = 300.0  # seconds an accessible-resources answer is trusted for one token


class Refused(Exception):
    """A request's credentials cannot be used: `status` 401 (who are you) or 403 (not there); never the secret."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Credential:
    """One request's credentials. `scheme` is how the Authorization header came (bearer, token, basic)."""

    scheme: str
    secret: str = field(repr=False)  # the token; for basic, "email:token"
    cloud_id: str | None = None
    urls: Mapping[Product, str] = field(default_factory=dict)  # product -> Data Center URL from X-Atlassian-*-Url
    tokens: Mapping[Product, str] = field(default_factory=dict, repr=False)  # product -> X-Atlassian-*-Personal-Token

    def config(self, product: Product, base: ProductConfig | None, settings: MultiUser) -> ProductConfig:
        """Where and as whom this user reaches `product`: a Data Center URL they named, the Cloud gateway for an
        OAuth bearer with a cloud id, else the server's own site with the user's credentials."""
        url, token = self.urls.get(product), self.tokens.get(product)
        cloud_id = self.cloud_id or settings.oauth_cloud_id
        if url is not None:
            if token is None and self.scheme == "basic":
                username, _, secret = self.secret.partition(":")
                return _user_site(product, base, url, "datacenter", username=username, api_token=secret)
            return _user_site(product, base, url, "datacenter", personal_token=token or self.secret)
        if self.scheme == "bearer" and cloud_id and (base is None or base.per_request or base.deployment == "cloud"):
            gateway = f"{settings.oauth_api_url}/ex/{product}/{cloud_id}"
            return _user_site(
                product, base, gateway, "cloud", personal_token=self.secret, cloud_id=cloud_id,
                api_gateway=settings.oauth_api_url,
            )  # fmt: skip
        if base is None or base.per_request:
            hint = "X-Atlassian-Cloud-Id with a Bearer token" if base else f"{_URL_HEADER[product]}"
            raise Refused(400, f"no {product.capitalize()} site for this request: send {hint}")
        site_id = self.cloud_id or base.cloud_id  # the user may name their site's cloud id (X-Atlassian-Cloud-Id)
        if self.scheme == "basic":
            username, _, secret = self.secret.partition(":")
            return replace(base, username=username, api_token=secret, personal_token=None, oauth=None, cloud_id=site_id)
        return replace(
            base, username=None, api_token=None, personal_token=token or self.secret, oauth=None, cloud_id=site_id
        )

    def key(self, config: ProductConfig) -> str:
        """The pool key: sha256 of the secret and the site, so a pool never outlives or crosses its owner."""
        material = json.dumps([config.product, config.url, self.scheme, self.secret, config.username,
                               config.api_token, config.personal_token, config.cloud_id])  # fmt: skip
        return hashlib.sha256(material.encode()).hexdigest()


def _user_site(product: Product, base: ProductConfig | None, url: str, deployment: Any, **auth: Any) -> ProductConfig:
    """A site the user named: the server's network settings (proxy, TLS, timeout) apply, its credentials do not."""
    if base is None:
        return ProductConfig(product, url, deployment, **auth)
    cleared = {
        "username": None,
        "api_token": None,
        "personal_token": None,
        "per_request": False,
        "oauth": None,
        "ssl_context": None,
        "cloud_id": None,
    }  # the server's sign-in, client certificate and cloud id belong to its own site
    return replace(base, url=url, deployment=deployment, **(cleared | auth))


def parse(headers: Mapping[str, str]) -> Credential | None:
    """The credentials in these headers (lower-case names), or None when there are none. Raises `Refused`."""
    raw = headers.get("authorization", "").strip()
    urls = {p: headers[_URL_HEADER[p]].strip() for p in PRODUCTS if headers.get(_URL_HEADER[p], "").strip()}
    tokens = {p: headers[_PAT_HEADER[p]].strip() for p in PRODUCTS if headers.get(_PAT_HEADER[p], "").strip()}
    cloud_id = headers.get("x-atlassian-cloud-id", "").strip() or None
    if not raw and not tokens:
        if urls or cloud_id:
            raise Refused(401, "X-Atlassian-*-Url and X-Atlassian-Cloud-Id need credentials (Authorization header)")
        return None
    scheme, secret = "token", ""
    if raw:
        scheme, _, secret = raw.partition(" ")
        scheme, secret = scheme.lower(), secret.strip()
        if scheme not in ("bearer", "token", "basic"):
            raise Refused(401, "unsupported Authorization scheme: use Bearer <OAuth token>, Token <PAT> or Basic")
        if not secret or any(c.isspace() for c in secret):
            raise Refused(401, f"malformed Authorization header: {scheme.capitalize()} needs one credential")
        if scheme == "basic":
            try:
                secret = base64.b64decode(secret, validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                raise Refused(401, "malformed Authorization header: Basic needs base64(email:token)") from None
            if ":" not in secret or not all(secret.partition(":")[::2]):
                raise Refused(401, "malformed Authorization header: Basic needs base64(email:token)")
    for product in tokens:
        if product not in urls:
            raise Refused(401, f"{_PAT_HEADER[product]} needs {_URL_HEADER[product]}")
    if not secret:  # only per-product tokens: the first one stands for the credential
        secret = next(iter(tokens.values()))
    return Credential(scheme, secret, cloud_id, urls, tokens)


async def check_urls(credential: Credential, settings: MultiUser) -> Credential:
    """The SSRF guard: a URL header must be http(s), on an allowed domain, and (unless allowed) resolve only to
    public addresses. Every address the host resolves to is checked, so one private answer is enough to refuse."""
    checked: dict[Product, str] = {}
    for product, url in credential.urls.items():
        try:
            url = _check_url(_URL_HEADER[product], url)
        except ConfigError as exc:
            raise Refused(403, str(exc)) from None
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
        if not any(host == d or host.endswith("." + d) for d in settings.allowed_domains):
            raise Refused(403, f"{_URL_HEADER[product]}: host {host} is not in MCP_ALLOWED_URL_DOMAINS")
        if not settings.allow_private:
            for address in await _addresses(host):
                if not address.is_global:
                    raise Refused(403, f"{_URL_HEADER[product]}: host {host} is a private or loopback address")
        checked[product] = url
    return replace(credential, urls=checked)


async def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None)
    except OSError:
        raise Refused(403, f"host {host} does not resolve") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


class AccessibleResources:
    """Which Cloud sites an OAuth token may use (Atlassian's accessible-resources), cached per token hash."""

    def __init__(self, api_url: str, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.url = f"{api_url}/oauth/token/accessible-resources"
        self.transport = transport
        self._cache: OrderedDict[str, tuple[float, list[dict[str, Any]] | None]] = OrderedDict()

    async def sites(self, token: str) -> list[dict[str, Any]] | None:
        """The token's sites, or None when Atlassian does not accept the token."""
        import httpx

        key = hashlib.sha256(token.encode()).hexdigest()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        async with httpx.AsyncClient(transport=self.transport, timeout=20) as client:
            response = await client.get(self.url, headers={"Authorization": f"Bearer {token}"})
        if response.status_code in (401, 403):
            found = None
        else:
            response.raise_for_status()
            body = response.json()
            found = [s for s in body if isinstance(s, dict)] if isinstance(body, list) else []
        self._cache[key] = (time.monotonic() + RESOURCES_TTL, found)
        while len(self._cache) > 1024:
            self._cache.popitem(last=False)
        return found

    async def check(self, credential: Credential, settings: MultiUser) -> None:
        """An OAuth bearer with a cloud id (header or ATLASSIAN_OAUTH_CLOUD_ID) must name one of its own sites."""
        cloud_id = credential.cloud_id or settings.oauth_cloud_id
        if credential.scheme != "bearer" or not cloud_id or credential.urls:
            return
        try:
            sites = await self.sites(credential.secret)
        except Exception as exc:  # noqa: BLE001 - the gateway is down: say so, not a stack trace
            raise Refused(503, f"could not check the token's sites: {type(exc).__name__}") from None
        if sites is None:
            raise Refused(401, "Atlassian does not accept this OAuth token")
        if cloud_id not in {str(s.get("id")) for s in sites}:
            raise Refused(403, f"cloud id {cloud_id} is not among this token's sites")


class Pools:
    """Per-credential `Site`s, least recently used first; bounded in number and idle time, closed when dropped."""

    def __init__(self, size: int, idle: float, make: Callable[[ProductConfig], Site]) -> None:
        self.size, self.idle, self.make = size, idle, make
        self._sites: OrderedDict[str, tuple[float, Site]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._sites)

    def get(self, key: str, config: ProductConfig) -> tuple[Site, list[Site]]:
        """The site for `key` (made on first use), and the sites evicted meanwhile, for the caller to close."""
        now = time.monotonic()
        hit = self._sites.pop(key, None)
        site = hit[1] if hit else self.make(config)
        self._sites[key] = (now, site)
        evicted = []
        while len(self._sites) > self.size:
            evicted.append(self._sites.popitem(last=False)[1][1])
        for old_key, (used, old) in list(self._sites.items()):
            if now - used <= self.idle:
                break  # ordered by last use: the rest are fresher
            del self._sites[old_key]
            evicted.append(old)
        return site, evicted

    async def aclose(self) -> None:
        sites = [site for _, site in self._sites.values()]
        self._sites.clear()
        for site in sites:
            await site.aclose()


class RequestAuth:
    """ASGI middleware: parse and check the request's credentials, refuse bad or missing ones before any call."""

    def __init__(self, app: Any, settings: MultiUser, resources: AccessibleResources, open_paths: tuple[str, ...]):
        self.app, self.settings, self.resources, self.open_paths = app, settings, resources, open_paths

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] in self.open_paths or scope["path"].startswith("/.well-known/"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
        try:
            credential = parse(headers)
            if credential is None and not (self.settings.global_fallback or self.settings.resource_url):
                # with the resource-server option on, the SDK's bearer check answers (with its metadata URL)
                raise Refused(401, "this server needs your credentials: send Authorization (Bearer, Token or Basic)"
                              " or ask for ALLOW_GLOBAL_CRED_FALLBACK=true")  # fmt: skip
            if credential is not None:
                credential = await check_urls(credential, self.settings)
                await self.resources.check(credential, self.settings)
        except Refused as exc:
            log.info("refused %s %s: %s", scope.get("method"), scope["path"], exc)
            await _json(send, exc.status, {"error": "unauthorized" if exc.status == 401 else "forbidden",
                                           "error_description": str(exc)})  # fmt: skip
            return
        scope[SCOPE_KEY] = credential
        await self.app(scope, receive, send)


async def _json(send: Callable[[Any], Awaitable[None]], status: int, body: dict[str, str]) -> None:
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="atlassian-mcp"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def request_credential(request: Any) -> Credential | None:
    """The credential `RequestAuth` found for the HTTP request behind a tool call (None: stdio, or fallback)."""
    scope = getattr(request, "scope", None)
    return scope.get(SCOPE_KEY) if isinstance(scope, dict) else None


class AtlassianTokenVerifier:
    """The mcp SDK's TokenVerifier for the resource-server option: a token is good when Atlassian lists sites
    for it (accessible-resources, cached per token hash), so a bad token is refused before any tool runs."""

    def __init__(self, resources: AccessibleResources) -> None:
        self.resources = resources

    async def verify_token(self, token: str) -> Any:
        from mcp.server.auth.provider import AccessToken

        try:
            sites = await self.resources.sites(token)
        except Exception:  # noqa: BLE001 - unreachable gateway: the token is not verified
            log.warning("could not verify a bearer token: accessible-resources unreachable")
            return None
        if not sites:
            return None
        scopes = sorted({s for site in sites for s in site.get("scopes", []) if isinstance(s, str)})
        return AccessToken(token=token, client_id="atlassian", scopes=scopes)
