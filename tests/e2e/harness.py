"""The end-to-end harness: the real server, in process, on the sandbox (behind the spec guard), and an MCP client.

`async with sandboxed("cloud") as (sandbox, client)`: `sandbox` is the site's state (data, request log, faults).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from mcp import Client

from adapter.cli import sandbox_overrides
from adapter.config import OVERRIDE_KEYS, load_settings
from adapter.manifest import load_tools
from adapter.sandbox.app import create_app
from adapter.server import AtlassianServer
from tests.spec_guard import SpecGuard


@asynccontextmanager
async def sandboxed(flavor: str, **extra: str) -> AsyncIterator[tuple[Any, Client]]:
    guard = SpecGuard(create_app(flavor), flavor)  # type: ignore[arg-type]
    flags = {k: v for k, v in extra.items() if k in OVERRIDE_KEYS}  # the rest are plain environment variables
    environ = {k: v for k, v in extra.items() if k not in OVERRIDE_KEYS}
    settings = load_settings({**sandbox_overrides(flavor), **flags}, environ=environ, read_dotenv=False)
    server = AtlassianServer(settings, load_tools(), transport=httpx.ASGITransport(guard))
    async with Client(server.lowlevel()) as client:
        yield guard.state.sandbox, client
    await server.aclose()
    guard.assert_clean()  # every request the test made through the server follows Atlassian's spec


def ok(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content[0].text
    data: dict[str, Any] = result.structured_content
    return data
