"""MCP server benchmarks, printed (never asserted): `nox -s bench`.

- Process start to the first `tools/list` answer over stdio (median of 7 fresh processes), and peak RSS.
- `tools/list` size for the default toolsets and for all tools, and its model-visible part (name,
  description, input schema) in bytes and estimated tokens (bytes / 4).
The server runs against the sandbox site on loopback (Data Center Jira + Confluence, seeded data).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
RUNS = int(os.environ.get("BENCH_RUNS", "7"))

from tests.sandbox_server import LoopbackSandbox  # noqa: E402

DRIVER = """
import asyncio, json, resource, sys, time
from mcp import Client, StdioServerParameters
async def main():
    env = json.loads(sys.argv[1])
    started = time.perf_counter()
    async with Client(StdioServerParameters(command=sys.executable, args=["-m", "adapter"], env=env)) as client:
        tools = await client.list_tools()
        listed = time.perf_counter() - started
        await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})
        payload = [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools.tools]
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"listed_s": listed, "rss_mb": rss_mb, "tools": payload}))
asyncio.run(main())
"""


def run_once(env: dict[str, str]) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(env)], capture_output=True, text=True, check=True,
                         cwd=ROOT)  # fmt: skip
    result: dict[str, object] = json.loads(out.stdout)
    return result


def sizes(tools: list[dict[str, object]]) -> tuple[int, int]:
    full = len(json.dumps({"tools": tools}, separators=(",", ":")))
    visible = sum(
        len(json.dumps({k: t[k] for k in ("name", "description", "inputSchema") if k in t}, separators=(",", ":")))
        for t in tools
    )
    return full, visible


def main() -> None:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    with LoopbackSandbox("datacenter") as site:
        env = {**base, **site.env(confluence=True)}
        run_once(env)  # warm-up: bytecode cache
        runs = [run_once(env) for _ in range(RUNS)]
        everything = run_once({**env, "TOOLSETS": "all"})
    failed = [f"{r.method} {r.path} -> {r.status}" for r in site.sandbox.requests if r.status >= 400]
    if failed or not site.sandbox.requests:  # each run must really have read PROJ-1 from the sandbox
        raise SystemExit(f"bench: the sandbox answered errors or was never called: {failed[:5]}")
    listed = [float(r["listed_s"]) for r in runs]  # type: ignore[arg-type]
    rss = [float(r["rss_mb"]) for r in runs]  # type: ignore[arg-type]
    default_full, default_visible = sizes(runs[0]["tools"])  # type: ignore[arg-type]
    all_full, all_visible = sizes(everything["tools"])  # type: ignore[arg-type]
    print(f"## MCP server (stdio, median of {RUNS} fresh processes)\n")
    print("| figure | value | mcp-atlassian 0.23.1 (reference §8, not this run) |\n|---|---:|---:|")
    print(f"| start to tools/list answer, s | {statistics.median(listed):.2f} (min {min(listed):.2f}, "
          f"max {max(listed):.2f}) | 1.6 |")  # fmt: skip
    print(f"| peak RSS, MB | {statistics.median(rss):.0f} | 130 |")
    print(f"| tools/list bytes, default toolsets ({len(runs[0]['tools'])} tools) | {default_full} | |")  # type: ignore[arg-type]
    print(f"| model-visible bytes / ~tokens, default | {default_visible} / {default_visible // 4} | |")
    print(f"| tools/list bytes, all tools ({len(everything['tools'])} tools) | {all_full} | 115,000 (98 tools) |")  # type: ignore[arg-type]
    print(f"| model-visible bytes / ~tokens, all | {all_visible} / {all_visible // 4} | 82,000 / 28,800 |")
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "bench_server.json").write_text(
        json.dumps(
            {
                "listed_s": listed,
                "rss_mb": rss,
                "default": [default_full, default_visible],
                "all": [all_full, all_visible],
            },
            indent=1,
        )  # fmt: skip
    )


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    main()
