"""Scale-out: three stateless server processes behind nginx (round robin), serving a mixed run of MCP 2026-07-28
and 2025-11-25 clients with no errors. This is how replicas run behind any load balancer (deploy/README.md).

nginx comes from Debian (`apt-get install nginx-light`; .ci/run installs it when missing).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from mcp import Client

from tests.e2e.test_transports import free_port, http_server
from tests.sandbox_server import LoopbackSandbox

REPLICAS = 3
NGINX_CONF = """
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format upstream '$upstream_addr $status $request_uri';
    access_log {prefix}/access.log upstream;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream mcp {{ {servers} }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://mcp;
            proxy_http_version 1.1;
            proxy_set_header Host $host:$server_port;
            proxy_set_header Connection "";
            proxy_buffering off;
        }}
    }}
}}
"""


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSandbox]:
    with LoopbackSandbox("datacenter") as running:
        yield running


@pytest.fixture
def balancer(site: LoopbackSandbox) -> Iterator[tuple[str, Path]]:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.fail("nginx is not installed: apt-get install nginx-light (.ci/run does this)")
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="nginx-") as prefix:
        bases = [
            stack.enter_context(http_server(site, "--transport", "streamable-http", "--stateless"))
            for _ in range(REPLICAS)
        ]
        port = free_port()
        servers = " ".join(f"server {base.removeprefix('http://')};" for base in bases)
        conf = Path(prefix) / "nginx.conf"
        conf.write_text(NGINX_CONF.format(prefix=prefix, servers=servers, port=port))
        process = subprocess.Popen([nginx, "-c", str(conf), "-p", prefix, "-g", "daemon off;"],
                                   stderr=subprocess.PIPE)  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{url}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                raise AssertionError(f"nginx did not start: {process.stderr.read() if process.stderr else ''}")
            yield url, Path(prefix) / "access.log"
        finally:
            process.terminate()
            process.wait(timeout=10)


async def test_replicas_behind_nginx_serve_old_and_new_clients(balancer: tuple[str, Path]) -> None:
    url, access_log = balancer
    modes = ["auto", "legacy"] * 6  # 2026-07-28 and 2025-11-25 clients, at once
    versions: list[str | None] = []

    async def session(mode: str) -> None:
        async with Client(f"{url}/mcp", mode=mode) as client:
            versions.append(client.protocol_version)
            names = [t.name for t in (await client.list_tools()).tools]
            assert "jira_get_issue" in names
            for key in ("PROJ-1", "PROJ-2", "PROJ-1"):
                result = await client.call_tool("jira_get_issue", {"issue_key": key})
                assert not result.is_error, result.content
                assert result.structured_content["key"] == key

    await asyncio.gather(*(session(mode) for mode in modes))
    assert Counter(versions) == {"2026-07-28": 6, "2025-11-25": 6}
    served = Counter(line.split()[0] for line in access_log.read_text().splitlines() if "/healthz" not in line)
    assert len(served) == REPLICAS, served  # every replica answered part of the run
    failed = [line for line in access_log.read_text().splitlines() if line.split()[1] not in ("200", "202")]
    assert not failed, failed
