"""Base of the generated per-API facades (`JiraCloud`, `AsyncConfluenceCloud`, ...)."""

from __future__ import annotations

from typing import Any

import httpx

from .client import Client


class ApiFacade:
    """Holds one `Client`; generated subclasses add one cached attribute per spec tag."""

    BASE_PATH = ""

    def __init__(
        self,
        url: str | None = None,
        *,
        auth: httpx.Auth | None = None,
        client: Client | None = None,
        **client_options: Any,
    ) -> None:
        """`url` is the site (e.g. `https://acme.atlassian.net`, a Data Center base URL with its context
        path, or `oauth_site_url(...)`); the API's own path is added. Or pass a ready `client`."""
        if client is None:
            if not url:
                raise ValueError("pass the site URL, or a ready `client=`")
            client = Client(base_url=url.rstrip("/") + self.BASE_PATH, auth=auth, **client_options)
        elif url or auth or client_options:
            raise ValueError("pass either `client=` or the URL and its options, not both")
        self.http = client

    def close(self) -> None:
        self.http.close()

    async def aclose(self) -> None:
        await self.http.aclose()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.aclose()
