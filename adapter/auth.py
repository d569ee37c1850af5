"""OAuth 2.0 tokens for one user: kept in the OS keyring (or a private file), refreshed shortly before they expire.

The wizard (`oauth_setup.py`) saves the first tokens; `OAuthAuth` then signs every request of a site with the
access token it holds in memory, and refreshes it only when it is about to expire: no network check per call.
Parallel calls that find it expiring share one refresh, and a rotated refresh token is saved before it is used.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from .config import OAuthConfig, register_secret
from .handlers import ToolError

log = logging.getLogger("atlassian_mcp.auth")

SERVICE = "atlassian-mcp-oauth"
"""The keyring service our tokens are saved under (not mcp-atlassian's, whose entries we never touch)."""
REFRESH_MARGIN = 300.0
"""Seconds before expiry at which a token is refreshed, so that no call starts with a token about to lapse."""
SETUP_HINT = "run `atlassian-mcp oauth-setup` again to sign in"


class SignInError(ToolError):
    """The OAuth sign-in cannot give a token (none saved, revoked, expired): the person must run the wizard."""


@dataclass
class Tokens:
    access_token: str
    refresh_token: str | None
    expires_at: float  # seconds since the epoch
    scope: str | None = None

    @classmethod
    def from_response(cls, answer: dict[str, Any], previous: Tokens | None = None, now: float | None = None) -> Tokens:
        """Tokens from a token endpoint's answer; a refresh that does not rotate keeps the old refresh token."""
        now = time.time() if now is None else now
        tokens = cls(
            access_token=str(answer["access_token"]),
            refresh_token=answer.get("refresh_token") or (previous.refresh_token if previous else None),
            expires_at=now + float(answer.get("expires_in") or 3600),
            scope=answer.get("scope") or (previous.scope if previous else None),
        )
        register_secret(tokens.access_token)
        register_secret(tokens.refresh_token)
        return tokens


def token_dir() -> Path:
    return Path.home() / ".atlassian-mcp"


class TokenStore:
    """One sign-in's tokens: in the OS keyring when it works, else in `~/.atlassian-mcp/` (0700) as a 0600 file.

    The file is replaced atomically (temporary file, fsync, `os.replace`), so a crash mid-write leaves the old
    tokens, never a half-written file without the refresh token.
    """

    def __init__(self, key: str, directory: Path | None = None) -> None:
        self.key = key
        self.directory = directory or token_dir()

    @property
    def path(self) -> Path:
        return self.directory / (re.sub(r"[^A-Za-z0-9._-]+", "_", self.key) + ".json")

    def load(self) -> Tokens | None:
        text: str | None = None
        try:
            import keyring

            text = keyring.get_password(SERVICE, self.key)
        except Exception as exc:  # no usable backend (headless Linux, containers): the file is the fallback
            log.debug("keyring unavailable (%s); reading the token file", type(exc).__name__)
        if text is None and self.path.is_file():
            text = self.path.read_text(encoding="utf-8")
        if text is None:
            return None
        try:
            tokens = Tokens(**json.loads(text))
        except (ValueError, TypeError):
            return None
        register_secret(tokens.access_token)
        register_secret(tokens.refresh_token)
        return tokens

    def save(self, tokens: Tokens) -> str:
        """Save; returns where ("the system keyring" or the file path), for the wizard to tell the person."""
        text = json.dumps(asdict(tokens))
        try:
            import keyring

            keyring.set_password(SERVICE, self.key, text)
            return "the system keyring"
        except Exception as exc:
            log.debug("keyring unavailable (%s); writing the token file", type(exc).__name__)
        self._write_file(text)
        return str(self.path)

    def _write_file(self, text: str) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tokens-", suffix=".tmp")  # created 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


async def token_request(
    url: str, form: dict[str, str | None], transport: httpx.AsyncBaseTransport | None = None
) -> dict[str, Any]:
    """POST to a token endpoint; the JSON answer, or `{"error": ...}` for a refusal or an unreachable endpoint.

    Plain httpx rather than authlib's client: authlib binds to httpx2 when it is installed (mcp brings it),
    which cannot use this server's httpx transports.
    """
    client = httpx.AsyncClient(transport=transport, timeout=30) if transport else httpx.AsyncClient(timeout=30)
    try:
        response = await client.post(url, data={k: v for k, v in form.items() if v is not None},
                                     headers={"Accept": "application/json"})  # fmt: skip
        answer = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        return {"error": f"token endpoint unreachable: {type(exc).__name__}"}
    finally:
        if transport is None:  # a shared transport belongs to the site, which closes it
            await client.aclose()
    if not isinstance(answer, dict) or (response.status_code != 200 and "error" not in answer):
        return {"error": f"HTTP {response.status_code}"}
    if "error" not in answer and "access_token" not in answer:
        return {"error": "no access_token in the answer"}
    return answer


class OAuthAuth(httpx.Auth):
    """Bearer auth from a refreshing OAuth 2.0 sign-in, shared by every client that uses the same sign-in."""

    def __init__(
        self,
        oauth: OAuthConfig,
        store: TokenStore,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.oauth, self.store, self.clock = oauth, store, clock
        self._transport = transport
        self._tokens: Tokens | None = None
        self._lock: asyncio.Lock | None = None
        self.refreshes = 0

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("OAuthAuth refreshes tokens asynchronously: use the async client")

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.access_token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:  # revoked early: one fresh token, one retry
            fresh = await self.access_token(stale=token)
            if fresh != token:
                request.headers["Authorization"] = f"Bearer {fresh}"
                yield request

    async def access_token(self, stale: str | None = None) -> str:
        """The current access token; refreshed when it expires within REFRESH_MARGIN (or is the `stale` one)."""
        tokens = self._tokens
        if tokens is not None and tokens.access_token != stale and not self._expiring(tokens):
            return tokens.access_token
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:  # single flight: whoever waited here finds the refreshed token
            tokens = self._tokens
            if tokens is None or tokens.access_token == stale or self._expiring(tokens):
                stored = await asyncio.to_thread(self.store.load)  # another process may have refreshed already
                if stored is not None and (tokens is None or stored.expires_at > tokens.expires_at):
                    tokens = stored
            if tokens is None:
                raise SignInError(f"no saved OAuth sign-in for client {self.oauth.client_id}: {SETUP_HINT}")
            if tokens.access_token == stale or self._expiring(tokens):
                tokens = await self._refresh(tokens)
            self._tokens = tokens
            return tokens.access_token

    def _expiring(self, tokens: Tokens) -> bool:
        return tokens.expires_at - self.clock() <= REFRESH_MARGIN

    async def _refresh(self, tokens: Tokens) -> Tokens:
        if not tokens.refresh_token:
            raise SignInError(f"the OAuth access token has expired and there is no refresh token: {SETUP_HINT}")
        self.refreshes += 1
        form = {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token,
                "client_id": self.oauth.client_id, "client_secret": self.oauth.client_secret}  # fmt: skip
        answer = await token_request(self.oauth.token_url, form, self._transport)
        if "error" in answer:  # invalid_grant: revoked, expired, or already rotated away
            raise SignInError(f"the OAuth sign-in was refused ({answer['error']}); it may be revoked or expired: "
                              f"{SETUP_HINT}")  # fmt: skip
        fresh = Tokens.from_response(dict(answer), tokens, self.clock())
        try:
            await asyncio.to_thread(self.store.save, fresh)  # at once: the old refresh token is dead after rotation
        except OSError as exc:
            log.warning("could not save the refreshed OAuth tokens (%s); they stay in memory", type(exc).__name__)
        log.info("refreshed the OAuth access token for client %s", self.oauth.client_id)
        return fresh
