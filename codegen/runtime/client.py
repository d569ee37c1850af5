"""The HTTP client every generated operation takes, plus the auth and base-URL helpers.

One `Client` holds one pooled `httpx.Client` and one `httpx.AsyncClient`, both with retries (see
`retry.py`) unless `retry=None`.
"""

from __future__ import annotations

import base64
import ssl
from collections.abc import Generator
from typing import Any, Literal

import httpx
from attrs import define, field

from .retry import AsyncRetryTransport, RetryPolicy, RetryTransport

USER_AGENT = "atlassian-python-sdk"


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>`: Data Center personal access tokens and OAuth 2.0 access tokens."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


def basic_auth(email: str, api_token: str) -> httpx.Auth:
    """Atlassian Cloud API token: HTTP basic with the account e-mail (also DC username + password)."""
    return httpx.BasicAuth(email, api_token)


def bearer_auth(token: str) -> httpx.Auth:
    """A Data Center personal access token, or an OAuth 2.0 (3LO) access token."""
    return BearerAuth(token)


def oauth_site_url(product: Literal["jira", "confluence"], cloud_id: str) -> str:
    """The site URL that OAuth 2.0 (3LO) calls must use: `https://api.atlassian.com/ex/<product>/<cloudId>`."""
    if product not in ("jira", "confluence"):
        raise ValueError(f"product must be 'jira' or 'confluence', not {product!r}")
    if not cloud_id or "/" in cloud_id:
        raise ValueError(f"invalid cloud id {cloud_id!r}")
    return f"https://api.atlassian.com/ex/{product}/{cloud_id}"


@define
class Client:
    """Connection settings shared by every operation call.

    Attributes:
        base_url: the API root, e.g. `https://your-site.atlassian.net` (Jira Cloud) or
            `https://your-site.atlassian.net/wiki/api/v2` (Confluence v2). The facades add the API's path.
        auth: an `httpx.Auth`, e.g. `basic_auth(email, token)` or `bearer_auth(token)`.
        retry: the retry policy for 429/503 and connection failures; None turns retries off.
        raise_on_unexpected_status: raise `UnexpectedStatus` on a success code the spec does not document.
            Error statuses (>= 400) always raise a typed `AtlassianError`.
    """

    base_url: str
    auth: httpx.Auth | None = field(default=None, kw_only=True)
    headers: dict[str, str] = field(factory=dict, kw_only=True)
    cookies: dict[str, str] = field(factory=dict, kw_only=True)
    timeout: httpx.Timeout | float | None = field(default=30.0, kw_only=True)
    verify_ssl: str | bool | ssl.SSLContext = field(default=True, kw_only=True)
    follow_redirects: bool = field(default=False, kw_only=True)
    retry: RetryPolicy | None = field(factory=RetryPolicy, kw_only=True)
    raise_on_unexpected_status: bool = field(default=False, kw_only=True)
    transport: httpx.BaseTransport | None = field(default=None, kw_only=True)
    async_transport: httpx.AsyncBaseTransport | None = field(default=None, kw_only=True)
    httpx_args: dict[str, Any] = field(factory=dict, kw_only=True)
    _client: httpx.Client | None = field(default=None, init=False)
    _async_client: httpx.AsyncClient | None = field(default=None, init=False)

    def _common(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "auth": self.auth,
            "headers": {"User-Agent": USER_AGENT, "Accept": "application/json", **self.headers},
            "cookies": self.cookies,
            "timeout": self.timeout,
            "follow_redirects": self.follow_redirects,
            **self.httpx_args,
        }

    def get_httpx_client(self) -> httpx.Client:
        if self._client is None:
            inner = self.transport or httpx.HTTPTransport(verify=self.verify_ssl)
            transport = RetryTransport(inner, self.retry) if self.retry else inner
            self._client = httpx.Client(transport=transport, **self._common())
        return self._client

    def set_httpx_client(self, client: httpx.Client) -> Client:
        self._client = client
        return self

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        if self._async_client is None:
            inner = self.async_transport or httpx.AsyncHTTPTransport(verify=self.verify_ssl)
            transport = AsyncRetryTransport(inner, self.retry) if self.retry else inner
            self._async_client = httpx.AsyncClient(transport=transport, **self._common())
        return self._async_client

    def set_async_httpx_client(self, client: httpx.AsyncClient) -> Client:
        self._async_client = client
        return self

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    async def aclose(self) -> None:
        if self._async_client is not None:
            await self._async_client.aclose()
            self._async_client = None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.aclose()


AuthenticatedClient = Client
"""openapi-python-client's name for a client with credentials; here the same class (auth is a field)."""


def basic_token(email: str, api_token: str) -> str:
    """The `Authorization: Basic` credential for an e-mail and API token (for callers building headers)."""
    return base64.b64encode(f"{email}:{api_token}".encode()).decode()
