"""The sandbox's OAuth 2.0 authorization server and Cloud API gateway, wrapped around a sandbox site app.

`OAuthSandbox(inner, sandbox)` is an ASGI app. It answers, as Atlassian does:

* `GET /authorize` (Cloud) and `GET .../rest/oauth2/latest/authorize` (Data Center): no login page, it
  redirects straight back to `redirect_uri` with a code and the state; PKCE (S256) is required;
* `POST /oauth/token` and `.../rest/oauth2/latest/token`: `authorization_code` (the PKCE verifier is checked)
  and `refresh_token` with rotation: each refresh returns a new refresh token and kills the old one;
* `GET /oauth/token/accessible-resources`: two Cloud sites, so that picking one matters;
* `/ex/{jira|confluence}/{cloudId}/...`: the API gateway, routed to the same site app with the rest of the path.

Everything else goes to `inner` unchanged. Issued access tokens are put in `sandbox.oauth_tokens`, which
`app.credential()` accepts as `oauth <user>`. `revoke()` kills every token; `token_requests` counts grants.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .app import Sandbox

CLIENT_ID = "sandbox-client"
CLIENT_SECRET = "sandbox-client-secret"
SITES = [
    {"id": "11111111-aaaa-4aaa-8aaa-111111111111", "name": "sandbox-one", "url": "https://sandbox-one.atlassian.net"},
    {"id": "22222222-bbbb-4bbb-8bbb-222222222222", "name": "sandbox-two", "url": "https://sandbox-two.atlassian.net"},
]
SCOPES = ["read:jira-work", "write:jira-work", "read:jira-user", "read:confluence-content.all", "offline_access"]
DC_SUFFIX = "/rest/oauth2/latest"


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    scope: str


class OAuthSandbox:
    def __init__(self, inner: ASGIApp, sandbox: Sandbox, *, expires_in: int = 3600) -> None:
        self.inner, self.sandbox, self.expires_in = inner, sandbox, expires_in
        self.codes: dict[str, Grant] = {}
        self.refresh_tokens: dict[str, str] = {}  # live refresh token -> scope
        self.token_requests: Counter[str] = Counter()  # grant_type -> count
        self.gateway_calls: list[tuple[str, str]] = []  # (product, cloudId) of each API call through /ex/
        self.secrets_seen: list[str] = []  # every code, verifier and token it handled: for tests that scan logs

    def revoke(self) -> None:
        """The person revoked the app: every refresh and access token stops working."""
        self.refresh_tokens.clear()
        self.sandbox.oauth_tokens.clear()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        request = Request(scope, receive)
        if path == "/authorize" or path.endswith(f"{DC_SUFFIX}/authorize"):
            response = self.authorize(request)
        elif path == "/oauth/token" or path.endswith(f"{DC_SUFFIX}/token"):
            response = await self.token(request)
        elif path == "/oauth/token/accessible-resources":
            response = self.resources(request)
        elif path.startswith("/ex/"):
            await self.gateway(scope, receive, send)
            return
        else:
            await self.inner(scope, receive, send)
            return
        await response(scope, receive, send)

    def authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != CLIENT_ID or not q.get("redirect_uri") or q.get("response_type") != "code":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return JSONResponse({"error": "invalid_request", "error_description": "PKCE S256 required"}, 400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = Grant(CLIENT_ID, q["redirect_uri"], q["code_challenge"], q.get("scope", ""))
        back = {"code": code, **({"state": q["state"]} if "state" in q else {})}
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode(back)}", status_code=302)

    async def token(self, request: Request) -> Response:
        raw = (await request.body()).decode()
        form: dict[str, Any] = (
            json.loads(raw) if "json" in request.headers.get("content-type", "") else dict(parse_qsl(raw))
        )
        client_id, secret = form.get("client_id"), form.get("client_secret")
        basic = request.headers.get("authorization", "")
        if basic.lower().startswith("basic "):
            client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        grant_type = str(form.get("grant_type"))
        self.token_requests[grant_type] += 1
        if client_id != CLIENT_ID or secret != CLIENT_SECRET:
            return _refused("invalid_client", 401)
        if grant_type == "authorization_code":
            grant = self.codes.pop(str(form.get("code")), None)  # a code works once
            if grant is None or grant.redirect_uri != form.get("redirect_uri"):
                return _refused("invalid_grant")
            verifier = str(form.get("code_verifier", ""))
            self.secrets_seen += [str(form.get("code")), verifier]
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if digest != grant.challenge:
                return _refused("invalid_grant", description="PKCE verification failed")
            return self._issue(grant.scope)
        if grant_type == "refresh_token":
            scope = self.refresh_tokens.pop(str(form.get("refresh_token")), None)  # rotation: the old one dies
            if scope is None:
                return _refused("invalid_grant", description="Unknown or invalid refresh token.")
            return self._issue(scope)
        return _refused("unsupported_grant_type")

    def _issue(self, scope: str) -> Response:
        return JSONResponse(self.grant(scope))

    def grant(self, scope: str = " ".join(SCOPES)) -> dict[str, Any]:
        """Issue tokens as the token endpoint does (tests use it to start from a signed-in state)."""
        access, refresh = "sbx-at-" + secrets.token_urlsafe(24), "sbx-rt-" + secrets.token_urlsafe(24)
        self.secrets_seen += [access, refresh]
        self.sandbox.oauth_tokens[access] = self.sandbox.me.key
        answer: dict[str, Any] = {"access_token": access, "token_type": "Bearer", "expires_in": self.expires_in,
                                  "scope": scope}  # fmt: skip
        if "offline_access" in scope.split() or "WRITE" in scope.split():  # Cloud needs offline_access for one
            self.refresh_tokens[refresh] = scope
            answer["refresh_token"] = refresh
        return answer

    def _bearer_ok(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and token in self.sandbox.oauth_tokens

    def resources(self, request: Request) -> Response:
        if not self._bearer_ok(request):
            return JSONResponse({"code": 401, "message": "Unauthorized"}, status_code=401)
        return JSONResponse([{**site, "scopes": SCOPES, "avatarUrl": ""} for site in SITES])

    async def gateway(self, scope: Scope, receive: Receive, send: Send) -> None:
        """`/ex/{product}/{cloudId}/rest/...` -> `/rest/...` on the site app, for a known cloud id only."""
        parts = scope["path"].split("/", 4)  # "", "ex", product, cloudId, rest
        if len(parts) < 5 or parts[2] not in ("jira", "confluence") or parts[3] not in {s["id"] for s in SITES}:
            await JSONResponse({"code": 404, "message": "Not Found"}, status_code=404)(scope, receive, send)
            return
        self.gateway_calls.append((parts[2], parts[3]))
        rest = "/" + parts[4]
        await self.inner({**scope, "path": rest, "raw_path": rest.encode()}, receive, send)


def _refused(error: str, status: int = 400, description: str = "") -> Response:
    return JSONResponse({"error": error, "error_description": description or error}, status_code=status)
