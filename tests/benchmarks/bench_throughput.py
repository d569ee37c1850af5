"""Throughput over streamable HTTP (1, 8, 32 concurrent clients), ours beside mcp-atlassian 0.23.1, and the
adapter's own cost beside the bare SDK call of the same operation. Printed and written to reports/; never asserted.

Run: `uv run python tests/benchmarks/bench_throughput.py` (BENCH_CALLS per client, default 25). Both servers
are started by their CLIs with `--transport streamable-http --stateless` against one sandbox (`atlassian-mcp
sandbox`, Data Center flavour, its own process; loopback URLs are Data Center for both); each client is one
keep-alive connection posting `tools/call` for jira_get_issue BENCH_CALLS times; the clients of one level run
at once, in this process. Levels alternate A B.
On 2 cores the clients, the sandbox and the server share the CPU: the figures are the whole loop's. Then, in
this process against a sandbox in a thread: the median of 200 `jira_get_issue` tool calls (validation, request
building, SDK call, view, rendering) beside 200 bare `jira_sdk.datacenter` getIssue calls (`asyncio_raw`, same
fields) on one pooled client.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


from tests.benchmarks.bench_compare import REPORTS, VERSION, ensure_venv  # noqa: E402
from tests.e2e.test_transports import free_port  # noqa: E402
from tests.sandbox_server import LoopbackSandbox  # noqa: E402

CALLS = int(os.environ.get("BENCH_CALLS", "25"))
LEVELS = (1, 8, 32)
ARGS = {"issue_key": "PROJ-1"}
QUIET = {
    "FASTMCP_SHOW_SERVER_BANNER": "false",
    "FASTMCP_CHECK_FOR_UPDATES": "off",
    "ALLOW_GLOBAL_CRED_FALLBACK": "true",
}  # theirs refuses HTTP requests without own credentials otherwise


async def wait_ready(url: str) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            try:
                async with http.stream("GET", url):  # any status line means it listens (GET may open a stream)
                    return
            except httpx.TransportError:
                await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


CALL = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "jira_get_issue", "arguments": ARGS}}
HEADERS = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"}


def rpc_result(response: httpx.Response) -> dict[str, Any]:
    """The JSON-RPC answer, sent as JSON or as one server-sent event."""
    text = response.text
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        text = next(line[5:] for line in text.splitlines() if line.startswith("data:"))
    answer: dict[str, Any] = json.loads(text)
    return answer


async def level(url: str, clients: int) -> tuple[float, int]:
    """Calls per second with `clients` clients at once, and how many failed. A client is one keep-alive HTTP
    connection posting tools/call (stateless servers need no session): light, so the servers are what is timed."""
    failures = 0

    async def one() -> None:
        nonlocal failures
        async with httpx.AsyncClient(timeout=60) as http:
            for _ in range(CALLS):
                answer = rpc_result(await http.post(url, json=CALL, headers=HEADERS))
                failures += "error" in answer or bool(answer.get("result", {}).get("isError"))

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(clients)))
    return clients * CALLS / (time.perf_counter() - started), failures


async def throughput() -> dict[str, dict[int, tuple[float, int]]]:
    """The sandbox in a process of its own, so this process (the clients) is not also serving Jira."""
    from adapter.sandbox.app import SANDBOX_TOKEN

    theirs_exe = ensure_venv()
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    sandbox_port = free_port()
    sandbox = subprocess.Popen([sys.executable, "-m", "adapter", "--flavor", "datacenter", "--port", str(sandbox_port),
                                "sandbox"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    await wait_ready(f"http://127.0.0.1:{sandbox_port}/")
    site = {"JIRA_URL": f"http://127.0.0.1:{sandbox_port}/jira", "JIRA_PERSONAL_TOKEN": SANDBOX_TOKEN}
    env = {**keep, **site, **QUIET}  # QUIET lets one user's server answer requests without own credentials
    ours_port, theirs_port = free_port(), free_port()
    commands = {
        "ours": [
            sys.executable,
            "-m",
            "adapter",
            "--transport",
            "streamable-http",
            "--stateless",
            "--port",
            str(ours_port),
        ],
        "theirs": [str(theirs_exe), "--transport", "streamable-http", "--stateless", "--port", str(theirs_port)],
    }
    urls = {"ours": f"http://127.0.0.1:{ours_port}/mcp", "theirs": f"http://127.0.0.1:{theirs_port}/mcp"}
    out: dict[str, dict[int, tuple[float, int]]] = {"ours": {}, "theirs": {}}
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as cwd:
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        processes = [subprocess.Popen(commands[w], env=env, cwd=cwd if w == "theirs" else str(ROOT), **quiet)
                     for w in commands]  # fmt: skip
        try:
            for url in urls.values():
                await wait_ready(url)
            for who in urls:  # warm-up
                await level(urls[who], 1)
            for clients in LEVELS:
                for who in ("ours", "theirs"):
                    out[who][clients] = await level(urls[who], clients)
        finally:
            for process in [*processes, sandbox]:
                process.terminate()
                process.wait(timeout=10)
    return out


async def overhead(site: LoopbackSandbox, n: int = 200) -> tuple[float, float]:
    """Median ms of a jira_get_issue tool call and of the bare SDK call it makes."""
    from jira_sdk import Client as SdkClient
    from jira_sdk.datacenter.api.issue import get_issue

    from adapter.config import load_settings
    from adapter.manifest import load_tools
    from adapter.server import AtlassianServer

    server = AtlassianServer(load_settings({}, environ=site.env(), read_dotenv=False), load_tools())
    tool = server.tools["jira_get_issue"]
    fields = tool.parameters["fields"].default
    sdk = SdkClient(base_url=f"{site.jira_url}/rest", headers={"Authorization": f"Bearer {site.sandbox.token}"})
    tool_ms: list[float] = []
    sdk_ms: list[float] = []
    try:
        for _ in range(10):  # warm-up both paths
            await server.call_tool("jira_get_issue", dict(ARGS))
            await get_issue.asyncio_raw(client=sdk, issue_id_or_key="PROJ-1", fields=fields)
        for _ in range(n):
            t0 = time.perf_counter()
            await server.call_tool("jira_get_issue", dict(ARGS))
            t1 = time.perf_counter()
            await get_issue.asyncio_raw(client=sdk, issue_id_or_key="PROJ-1", fields=fields)
            t2 = time.perf_counter()
            tool_ms.append((t1 - t0) * 1000)
            sdk_ms.append((t2 - t1) * 1000)
    finally:
        await server.aclose()
        await sdk.aclose()
    return statistics.median(tool_ms), statistics.median(sdk_ms)


def main() -> None:
    levels = asyncio.run(throughput())
    with LoopbackSandbox("datacenter", guarded=False) as site:
        tool_ms, sdk_ms = asyncio.run(overhead(site))
    lines = [f"## Throughput over streamable HTTP (jira_get_issue, {CALLS} calls per client, Data Center sandbox)\n",
             "| concurrent clients | ours, calls/s | mcp-atlassian " + VERSION + ", calls/s | ours / theirs | "
             "failed calls (ours / theirs) |", "|---:|---:|---:|---:|---|"]  # fmt: skip
    for clients in LEVELS:
        (ours, ours_failed), (theirs, theirs_failed) = levels["ours"][clients], levels["theirs"][clients]
        lines.append(
            f"| {clients} | {ours:.1f} | {theirs:.1f} | {ours / theirs:.2f} | {ours_failed} / {theirs_failed} |"
        )
    lines += ["", "## The adapter's own cost (in process, same sandbox, median of 200)\n",
              "| path | median ms |", "|---|---:|",
              f"| jira_get_issue tool call (validate, build, call, project, render) | {tool_ms:.2f} |",
              f"| bare SDK getIssue (`asyncio_raw`) | {sdk_ms:.2f} |",
              f"| adapter overhead | {tool_ms - sdk_ms:.2f} ({tool_ms / sdk_ms:.2f}x) |"]  # fmt: skip
    text = "\n".join(lines) + "\n"
    print(text)
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "bench_throughput.md").write_text(text)


if __name__ == "__main__":
    main()
