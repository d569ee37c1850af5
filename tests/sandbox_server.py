"""The sandbox site served over real HTTP on loopback, for MCP servers running in a subprocess.

`LoopbackSandbox(flavor)` runs uvicorn on 127.0.0.1 (a free port) in a thread, serving `create_app(flavor)` wrapped
in a `SpecGuard`. `.url` is the site's root, `.env()` the variables that point a server at it (the flavour's layout
and the sandbox's credentials), `.sandbox` its state and request log, and `.guard` the spec validator.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Literal

import uvicorn

from adapter.sandbox.app import SANDBOX_EMAIL, SANDBOX_TOKEN, Sandbox, create_app
from tests.spec_guard import SpecGuard


class LoopbackSandbox:
    def __init__(
        self,
        flavor: Literal["cloud", "datacenter"] = "datacenter",
        *,
        guarded: bool = True,
        wrap: Callable[[Any], Any] | None = None,
    ) -> None:
        """`guarded=False` skips the spec validation of every request (for load: it costs milliseconds each);
        `wrap` puts an ASGI app in front (e.g. a stand-in for the api.atlassian.com gateway)."""
        self.flavor = flavor
        app = create_app(flavor)
        self.guard = SpecGuard(app, flavor)
        self.sandbox: Sandbox = self.guard.state.sandbox
        served = self.guard if guarded else app
        served = wrap(served) if wrap else served
        self.server = uvicorn.Server(uvicorn.Config(served, host="127.0.0.1", port=0, log_level="error"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LoopbackSandbox:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        if not self.server.started:
            raise RuntimeError("the loopback sandbox did not start")
        return self

    def __exit__(self, *args: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    @property
    def url(self) -> str:
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    @property
    def jira_url(self) -> str:
        return self.url if self.flavor == "cloud" else f"{self.url}/jira"

    @property
    def confluence_url(self) -> str:
        return f"{self.url}/wiki" if self.flavor == "cloud" else f"{self.url}/confluence"

    def env(self, *, confluence: bool = False, token: str = SANDBOX_TOKEN) -> dict[str, str]:
        """JIRA_* (and CONFLUENCE_* when asked) settings for this site, as a server's environment takes them."""
        products = ["JIRA", "CONFLUENCE"] if confluence else ["JIRA"]
        out: dict[str, str] = {}
        for product in products:
            out[f"{product}_URL"] = self.jira_url if product == "JIRA" else self.confluence_url
            if self.flavor == "cloud":  # loopback URLs are taken for Data Center unless told otherwise
                out |= {f"{product}_DEPLOYMENT": "cloud", f"{product}_USERNAME": SANDBOX_EMAIL,
                        f"{product}_API_TOKEN": token}  # fmt: skip
            else:
                out[f"{product}_PERSONAL_TOKEN"] = token
        return out
