"""Load: many MCP clients over streamable HTTP against one server process; no errors, and memory stays flat.

LOAD_CLIENTS x LOAD_CALLS (default 32 x 500 = 16,000 tool calls, a mix of reads and searches) run against the
CLI-started server (stateless streamable HTTP, the mode replicas run in) on a Data Center sandbox on loopback.
The server's resident memory is sampled throughout; the mean of the last tenth of the run may exceed the mean of
the first tenth by less than 10%. The figures are printed.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from mcp import Client

from tests.e2e.test_transports import free_port, server_env
from tests.sandbox_server import LoopbackSandbox

CLIENTS = int(os.environ.get("LOAD_CLIENTS", "32"))
CALLS = int(os.environ.get("LOAD_CALLS", "500"))
MIX = [
    ("jira_get_issue", {"issue_key": "PROJ-1"}),
    ("jira_search", {"jql": "project = PROJ ORDER BY key", "limit": 5}),
    ("jira_get_issue", {"issue_key": "PROJ-2", "comment_limit": 2}),
    ("jira_get_issue", {"issue_key": "PROJ-404"}),  # an upstream 404: a tool error, not a failure
]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSandbox]:
    with LoopbackSandbox("datacenter", guarded=False) as running:
        yield running


async def test_many_clients_no_errors_and_flat_memory(site: LoopbackSandbox) -> None:
    import subprocess
    import sys

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "adapter", "--transport", "streamable-http", "--stateless", "--port", str(port)],
        env=server_env(site),
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                await asyncio.sleep(0.1)
        samples: list[tuple[int, float]] = []  # (calls done so far, RSS MB)
        done = 0
        errors: list[str] = []

        async def sample() -> None:
            while True:
                samples.append((done, rss_mb(process.pid)))
                await asyncio.sleep(0.2)

        async def one_client(index: int) -> None:
            nonlocal done
            async with Client(f"{base}/mcp") as client:
                for call in range(CALLS):
                    tool, args = MIX[(index + call) % len(MIX)]
                    result = await client.call_tool(tool, args)
                    expected_error = args.get("issue_key") == "PROJ-404"
                    if result.is_error != expected_error:
                        errors.append(f"{tool} {args}: {result.content[0]}")
                    done += 1

        sampler = asyncio.create_task(sample())
        started = time.monotonic()
        await asyncio.gather(*(one_client(i) for i in range(CLIENTS)))
        seconds = time.monotonic() - started
        sampler.cancel()
    finally:
        process.terminate()
        process.wait(timeout=10)
    total = CLIENTS * CALLS
    first = [rss for calls, rss in samples if calls <= total / 10]
    last = [rss for calls, rss in samples if calls >= total * 9 / 10]
    growth = statistics.mean(last) / statistics.mean(first) - 1
    print(f"\n[load] {CLIENTS} clients x {CALLS} calls = {total} in {seconds:.1f}s ({total / seconds:.0f} calls/s); "
          f"server RSS first tenth {statistics.mean(first):.1f} MB, last tenth {statistics.mean(last):.1f} MB "
          f"({growth:+.1%}), peak {max(r for _, r in samples):.1f} MB")  # fmt: skip
    assert not errors, errors[:5]
    assert done == total
    assert growth < 0.10
