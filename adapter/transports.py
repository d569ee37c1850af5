"""Run the server over stdio, SSE (`/sse`) or streamable HTTP (`/mcp`), with `/healthz` on HTTP.

The HTTP stack (starlette, uvicorn, the SDK's HTTP transports) is imported by the HTTP paths only, so a stdio
server does not load it for itself (mcp 2.3.0's own package import still brings starlette; that is the SDK's floor).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio

from .config import Settings
from .server import AtlassianServer

if TYPE_CHECKING:
    from mcp.server.transport_security import TransportSecuritySettings
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
MAX_REQUEST_BYTES = 16 * 1024 * 1024  # a JSON-RPC message; base64 uploads are the biggest: about 12 MB of file


class BodySizeLimit:
    """Refuse request bodies over `limit` bytes with 413, by Content-Length or while streaming, before parsing."""

    def __init__(self, app: Any, limit: int = MAX_REQUEST_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen = 0

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Any) -> None:
        from starlette.responses import JSONResponse

        response = JSONResponse({"error": f"request body over {self.limit} bytes"}, status_code=413)
        await response({"type": "http"}, _no_body, send)


class _TooLarge(Exception):
    pass


async def _no_body() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def healthz(request: Request) -> JSONResponse:
    from starlette.responses import JSONResponse

    return JSONResponse({"status": "ok"})


def security(settings: Settings) -> TransportSecuritySettings | None:
    """DNS-rebinding protection on loopback (the SDK's default); other hosts bind where the person said."""
    from mcp.server.transport_security import TransportSecuritySettings

    if settings.host in LOCAL_HOSTS:
        return None  # the SDK enables protection for loopback hosts itself
    return TransportSecuritySettings(enable_dns_rebinding_protection=False)


def streamable_http_app(server: AtlassianServer, settings: Settings) -> Starlette:
    """With MCP_OAUTH_RESOURCE_URL the SDK serves RFC 9728 metadata and checks bearer tokens (against Atlassian)."""
    from starlette.routing import Route

    from .multiuser import AtlassianTokenVerifier

    auth: dict[str, Any] = {}
    resource = settings.multiuser.resource_url
    if resource is not None:
        from mcp.server.auth.settings import AuthSettings

        auth = {
            "auth": AuthSettings(
                issuer_url=settings.multiuser.issuer_url,  # type: ignore[arg-type]  # pydantic parses the str
                resource_server_url=resource,  # type: ignore[arg-type]
                validate_token_resource=False,  # Atlassian tokens carry no resource indicator for this server
            ),
            "token_verifier": AtlassianTokenVerifier(server.resources),
        }
    return server.lowlevel().streamable_http_app(
        streamable_http_path=settings.path,
        stateless_http=settings.stateless,
        json_response=settings.stateless,
        host=settings.host,
        transport_security=security(settings),
        custom_starlette_routes=[Route("/healthz", healthz)],
        **auth,
    )


def http_app(server: AtlassianServer, settings: Settings) -> Any:
    """The HTTP app with its guards: body size, then (unless IGNORE_HEADER_AUTH) the request's own credentials."""
    app: Any = (
        streamable_http_app(server, settings) if settings.transport == "streamable-http" else sse_app(server, settings)
    )
    if settings.multiuser.header_auth:
        from .multiuser import RequestAuth

        app = RequestAuth(app, settings.multiuser, server.resources, open_paths=("/healthz",))
    return BodySizeLimit(app)


def sse_app(server: AtlassianServer, settings: Settings) -> Starlette:
    from mcp.server.sse import SseServerTransport
    from mcp.server.transport_security import TransportSecuritySettings
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Mount, Route

    lowlevel = server.lowlevel()
    guard = security(settings)
    if guard is None:
        guard = TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
            allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
        )
    sse = SseServerTransport("/messages/", security_settings=guard)

    async def handle_sse(request: Request) -> Response:
        async with sse.connect_sse(request.scope, request.receive, request._send) as (read, write):
            await lowlevel.run(read, write, lowlevel.create_initialization_options())
        return Response()

    return Starlette(
        routes=[
            Route(settings.path, endpoint=handle_sse, methods=["GET"]),
            Mount("/messages/", app=sse.handle_post_message),
            Route("/healthz", healthz),
        ]
    )


async def run_stdio(server: AtlassianServer) -> None:
    from mcp.server.stdio import stdio_server

    lowlevel = server.lowlevel()
    async with stdio_server() as (read, write):
        await lowlevel.run(read, write, lowlevel.create_initialization_options())
    await server.aclose()


def run(server: AtlassianServer, settings: Settings) -> None:
    if settings.transport == "stdio":
        anyio.run(run_stdio, server)
        return
    import uvicorn

    uvicorn.run(http_app(server, settings), host=settings.host, port=settings.port, log_level="warning")
