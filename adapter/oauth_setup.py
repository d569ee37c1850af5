"""`atlassian-mcp oauth-setup`: sign in once with OAuth 2.0 (3LO) and save the tokens for the server.

Authorization code with PKCE (S256) and a random state; the code comes back to a local callback server on the
redirect URI's port (or, for a redirect URI that is not local, the person pastes the URL they landed on). For
Cloud, the sites the sign-in can reach are listed and the person picks one (or `--cloud-id` / `--site` does);
never silently the first of several. For Data Center (`--jira-url` / `--confluence-url` with the
`{SERVICE}_OAUTH_*` client), the instance's own endpoints are used. Secrets are never printed.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

from .auth import Tokens, TokenStore, token_request
from .config import OAuthConfig

DEFAULT_CLOUD_SCOPE = (
    "read:jira-work write:jira-work read:jira-user read:confluence-content.all write:confluence-content "
    "read:confluence-space.summary search:confluence offline_access"
)
DEFAULT_DC_SCOPE = "WRITE"
DEFAULT_REDIRECT = "http://localhost:8080/callback"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class SetupRequest:
    """What the wizard runs with: the OAuth client, and for Data Center the instance and its product prefix."""

    oauth: OAuthConfig
    instance_url: str | None = None  # None: Cloud
    prefix: str = "ATLASSIAN"  # JIRA / CONFLUENCE for Data Center
    site: str | None = None  # --site: a Cloud site URL or name to pick
    timeout: float = 300.0
    open_browser: bool = True


class SetupError(Exception):
    """The sign-in did not complete; the message says why and what to do."""


def run(
    setup: SetupRequest,
    *,
    say: Callable[[str], None],
    stdin: IO[str],
    browser: Callable[[str], Any] | None = None,
) -> dict[str, str]:
    """Sign in, save the tokens, and return the variables for the MCP configuration (without the secret)."""
    from authlib.common.security import generate_token
    from authlib.common.urls import add_params_to_uri
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    oauth = setup.oauth
    scope = oauth.scope or (DEFAULT_DC_SCOPE if setup.instance_url else DEFAULT_CLOUD_SCOPE)
    if setup.instance_url is None and "offline_access" not in scope.split():
        raise SetupError("--oauth-scope must include offline_access: without it Atlassian gives no refresh token")
    redirect_uri = oauth.redirect_uri or DEFAULT_REDIRECT
    verifier, state = generate_token(64), generate_token(32)
    params = [("response_type", "code"), ("client_id", str(oauth.client_id)), ("redirect_uri", redirect_uri),
              ("scope", scope), ("state", state), ("code_challenge", create_s256_code_challenge(verifier)),
              ("code_challenge_method", "S256")]  # fmt: skip
    if setup.instance_url is None:
        params += [("audience", "api.atlassian.com"), ("prompt", "consent")]
    url = add_params_to_uri(oauth.authorize_url, params)

    target = urlsplit(redirect_uri)
    local = (target.hostname or "") in LOCAL_HOSTS
    callback = _Callback(target.hostname or "localhost", target.port or 80, target.path or "/") if local else None
    try:
        say(f"Open this URL to sign in (waiting up to {setup.timeout:.0f} s):\n{url}")
        if browser is not None:
            browser(url)
        if callback is not None:
            answer = callback.wait(setup.timeout)
        else:
            say("Paste the URL your browser was redirected to:")
            answer = {k: v[0] for k, v in parse_qs(urlsplit(stdin.readline().strip()).query).items()}
    finally:
        if callback is not None:
            callback.close()
    if "error" in answer:
        raise SetupError(f"the sign-in was refused: {answer['error']}")
    if answer.get("state") != state:
        raise SetupError("the callback's state does not match this sign-in (a stale or forged redirect); try again")
    if not answer.get("code"):
        raise SetupError("the callback carried no authorization code")
    form = {"grant_type": "authorization_code", "code": answer["code"], "redirect_uri": redirect_uri,
            "client_id": oauth.client_id, "client_secret": oauth.client_secret, "code_verifier": verifier}  # fmt: skip
    token = asyncio.run(token_request(oauth.token_url, form))
    if "error" in token:
        raise SetupError(
            f"the code exchange was refused ({token['error']}); check the client id, secret and redirect URI"
        )
    tokens = Tokens.from_response(token)
    if setup.instance_url is None and not tokens.refresh_token:
        raise SetupError("Atlassian returned no refresh token: add offline_access to the app's scopes")

    if setup.instance_url is None:
        site = _pick_site(_sites(oauth.api_url, tokens.access_token), oauth.cloud_id, setup.site, say, stdin)
        chosen = OAuthConfig(oauth.client_id, cloud_id=site["id"])
        where = TokenStore(chosen.store_key("")).save(tokens)
        say(f"Signed in to {site['name']} ({site['url']}); tokens saved in {where}.")
        return {
            "JIRA_URL": site["url"],
            "CONFLUENCE_URL": f"{site['url']}/wiki",
            "ATLASSIAN_OAUTH_CLIENT_ID": str(oauth.client_id),
            "ATLASSIAN_OAUTH_CLIENT_SECRET": "<your client secret>",
            "ATLASSIAN_OAUTH_REDIRECT_URI": redirect_uri,
            "ATLASSIAN_OAUTH_SCOPE": scope,
            "ATLASSIAN_OAUTH_CLOUD_ID": site["id"],
        }
    where = TokenStore(oauth.store_key(setup.instance_url)).save(tokens)
    say(f"Signed in to {setup.instance_url}; tokens saved in {where}.")
    p = setup.prefix
    return {
        f"{p}_URL": setup.instance_url,
        f"{p}_OAUTH_CLIENT_ID": str(oauth.client_id),
        f"{p}_OAUTH_CLIENT_SECRET": "<your client secret>",
    }


def _sites(api_url: str, access_token: str) -> list[dict[str, Any]]:
    import httpx

    answer = httpx.get(
        f"{api_url.rstrip('/')}/oauth/token/accessible-resources",
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        timeout=30,
    )
    if answer.status_code != 200:
        raise SetupError(f"listing the accessible sites failed: HTTP {answer.status_code}")
    sites: list[dict[str, Any]] = answer.json()
    if not sites:
        raise SetupError("this sign-in reaches no Atlassian site: check the app's scopes and that it was granted")
    return sites


def _pick_site(
    sites: list[dict[str, Any]], cloud_id: str | None, wanted: str | None, say: Callable[[str], None], stdin: IO[str]
) -> dict[str, Any]:
    """The site named by --cloud-id / --site, the only one, or the one the person types the number of."""
    if cloud_id or wanted:
        key = (cloud_id or wanted or "").rstrip("/").lower()
        for site in sites:
            if key in (site["id"].lower(), site["url"].rstrip("/").lower(), site["name"].lower()):
                return site
        names = ", ".join(f"{s['name']} ({s['id']})" for s in sites)
        raise SetupError(f"{cloud_id or wanted} is not among the sites this sign-in reaches: {names}")
    if len(sites) == 1:
        return sites[0]
    say("This sign-in reaches several sites:")
    for number, site in enumerate(sites, start=1):
        say(f"  {number}. {site['name']}  {site['url']}  ({site['id']})")
    say(f"Which one? [1-{len(sites)}]")
    line = stdin.readline().strip()
    if not line:
        raise SetupError("several sites and no answer on stdin: pass --cloud-id or --site to pick one")
    if line.isascii() and line.isdigit() and 1 <= int(line) <= len(sites):
        return sites[int(line) - 1]
    raise SetupError(f"{line!r} is not a number between 1 and {len(sites)}")


class _Callback:
    """A one-shot HTTP server on the redirect URI's host and port that catches the authorization response."""

    def __init__(self, host: str, port: int, path: str) -> None:
        self.answer: dict[str, str] = {}
        self.done = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                parts = urlsplit(self.path)
                if parts.path != path:
                    self.send_error(404)
                    return
                outer.answer = {k: v[0] for k, v in parse_qs(parts.query).items()}
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.end_headers()
                self.wfile.write(b"atlassian-mcp: signed in. You can close this window.")
                outer.done.set()

            def log_message(self, format: str, *args: Any) -> None:  # the query holds the code: never logged
                pass

        try:
            self.server = HTTPServer((host, port), Handler)
        except OSError as exc:
            raise SetupError(f"cannot listen on {host}:{port} for the OAuth callback: {exc.strerror}") from None
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    def wait(self, timeout: float) -> dict[str, str]:
        if not self.done.wait(timeout):
            raise SetupError(f"no sign-in arrived within {timeout:.0f} s; run `atlassian-mcp oauth-setup` again")
        return self.answer

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
