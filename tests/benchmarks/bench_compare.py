"""Side-by-side benchmark against sooperset/mcp-atlassian 0.23.1, printed (never asserted).

Run: `.venv/bin/python tests/benchmarks/bench_compare.py` (BENCH_RUNS, default 5; MCP_ATLASSIAN_VENV, default
/tmp/bench-mcp-atlassian). mcp-atlassian is installed once into its own venv (`uv venv` + `uv pip install`), never
into the project's; matplotlib goes there too and draws the PNG.

Both servers run over stdio against one LoopbackSandbox("cloud") with the same JIRA_*/CONFLUENCE_* variables; the
client is this project's `mcp` package for both. Per server: process start to the `tools/list` answer (A B A B
interleaved fresh processes), peak RSS (VmHWM of the server process after tools/list and one jira_get_issue),
tools/list bytes and model-visible bytes (name + description + inputSchema) for TOOLSETS unset, `default` and `all`,
and for five tools 20 calls each in one session: latency median/p90, upstream REST calls per call (the sandbox's
request log), result text bytes, and errors. mcp-atlassian takes a loopback URL for Server/Data Center, so its calls
use Server-style endpoints; where the cloud sandbox refuses them this shows as errors/4xx in the table.
The sandbox runs in a thread of this process, so timings include its share of this process's GIL (same for both).
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

import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
CALLS = 20
VERSION = "0.23.1"
VENV = Path(os.environ.get("MCP_ATLASSIAN_VENV", "/tmp/bench-mcp-atlassian"))
REPORTS = ROOT / "reports"

from mcp import Client, StdioServerParameters  # noqa: E402

from tests.sandbox_server import LoopbackSandbox  # noqa: E402

# The same arguments for both servers (their parameter names are shared by design).
TOOL_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("jira_get_issue", {"issue_key": "PROJ-1"}),
    ("jira_search", {"jql": "project = PROJ", "limit": 10}),
    ("confluence_get_page", {"page_id": "65539"}),
    ("confluence_search", {"query": "deploy"}),
    ("jira_create_issue", {"project_key": "PROJ", "summary": "Bench issue", "issue_type": "Task"}),
]

CHART = """
import json, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
data = json.load(open(sys.argv[1]))
fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
tools = list(data["calls"]["ours"])
xs = range(len(tools))
for i, (who, label) in enumerate((("ours", "atlassian-mcp"), ("theirs", "mcp-atlassian " + data["version"]))):
    meds = [data["calls"][who][t]["median_ms"] for t in tools]
    left.bar([x + (i - 0.5) * 0.4 for x in xs], meds, width=0.4, label=label)
left.set_xticks(list(xs), tools, rotation=20, ha="right")
left.set_ylabel("median latency per call, ms (20 calls)")
left.set_title("Per-call latency, loopback cloud sandbox")
left.legend()
names = [r[0] for r in data["ratios"]]
ratios = [r[1] for r in data["ratios"]]
right.barh(names, ratios, color=["tab:green" if r <= 1 else "tab:red" for r in ratios])
right.axvline(1, color="black", linewidth=0.8)
right.set_xscale("log")
right.invert_yaxis()
right.set_xlabel("ours / theirs (log scale, < 1 is better for ours)")
right.set_title("Ratios")
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
"""


def ensure_venv() -> Path:
    """The venv holding mcp-atlassian (and matplotlib), created once and reused."""
    exe = VENV / "bin" / "mcp-atlassian"
    python = VENV / "bin" / "python"
    marker = VENV / f".bench-mcp-atlassian-{VERSION}"
    if not (exe.exists() and marker.exists()):
        if not python.exists():
            subprocess.run(["uv", "venv", "--python", "3.11", str(VENV)], check=True)
        subprocess.run(["uv", "pip", "install", "--python", str(python), f"mcp-atlassian=={VERSION}", "matplotlib"],
                       check=True)  # fmt: skip
        marker.write_text(VERSION)
    return exe


FLOOR = Path(__file__).with_name("floor_server.py")


def server_params(who: str, env: dict[str, str], theirs_exe: Path, cwd: str) -> StdioServerParameters:
    if who == "ours":
        return StdioServerParameters(command=sys.executable, args=["-m", "adapter"], env=env, cwd=str(ROOT))
    if who == "floor":
        return StdioServerParameters(command=sys.executable, args=[str(FLOOR)], env=env, cwd=str(ROOT))
    # An empty cwd: mcp-atlassian reads a .env from its working directory.
    return StdioServerParameters(command=str(theirs_exe), args=[], env=env, cwd=cwd)


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def tool_payload(tools: Any) -> list[dict[str, Any]]:
    return [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools.tools]


def sizes(tools: list[dict[str, Any]]) -> tuple[int, int]:
    full = len(json.dumps({"tools": tools}, separators=(",", ":")))
    visible = sum(
        len(json.dumps({k: t[k] for k in ("name", "description", "inputSchema") if k in t}, separators=(",", ":")))
        for t in tools
    )
    return full, visible


def text_bytes(result: Any) -> int:
    return sum(len(c.text.encode()) for c in result.content if getattr(c, "text", None) is not None)


async def start_once(params: StdioServerParameters) -> dict[str, Any]:
    """One fresh process: seconds to the tools/list answer, and peak RSS after one jira_get_issue."""
    me = psutil.Process()
    before = {p.pid for p in me.children()}
    started = time.perf_counter()
    async with Client(params) as client:
        tools = await client.list_tools()
        listed = time.perf_counter() - started
        await client.call_tool("jira_get_issue", {"issue_key": "PROJ-1"})  # the floor answers any call
        new = [p for p in me.children() if p.pid not in before]
        rss = max(vm_hwm_mb(p.pid) for p in new) if new else float("nan")
    return {"listed_s": listed, "rss_mb": rss, "tools": tool_payload(tools)}


async def list_only(params: StdioServerParameters) -> list[dict[str, Any]]:
    async with Client(params) as client:
        return tool_payload(await client.list_tools())


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def call_series(site: LoopbackSandbox, params: dict[str, StdioServerParameters]) -> dict[str, Any]:
    """Both servers live at once; per tool, 20 calls on ours then 20 on theirs."""
    out: dict[str, dict[str, Any]] = {"ours": {}, "theirs": {}}
    async with Client(params["ours"]) as ours, Client(params["theirs"]) as theirs:
        clients = {"ours": ours, "theirs": theirs}
        for name, args in TOOL_CALLS:
            for who, client in clients.items():
                times, rest, sizes_, errors, statuses = [], [], [], 0, set()
                first_error = ""
                for _ in range(CALLS):
                    n = len(site.sandbox.requests)
                    t0 = time.perf_counter()
                    result = await client.call_tool(name, args)
                    times.append((time.perf_counter() - t0) * 1000)
                    seen = site.sandbox.requests[n:]
                    rest.append(len(seen))
                    statuses |= {f"{r.method} {r.path.split('?')[0]} -> {r.status}" for r in seen if r.status >= 400}
                    sizes_.append(text_bytes(result))
                    if result.is_error:
                        errors += 1
                        first_error = first_error or " ".join(
                            getattr(c, "text", "") for c in result.content)[:200]  # fmt: skip
                out[who][name] = {
                    "median_ms": statistics.median(times), "p90_ms": pct(times, 0.9),
                    "rest_calls": statistics.median(rest), "rest_min": min(rest), "rest_max": max(rest),
                    "text_bytes": statistics.median(sizes_), "errors": errors, "http_errors": sorted(statuses),
                    "first_error": first_error,
                    "paths": sorted({f"{r.method} {r.path.split('?')[0]}" for r in seen}),
                }  # fmt: skip
    return out


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def main() -> None:
    theirs_exe = ensure_venv()
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    quiet = {"FASTMCP_SHOW_SERVER_BANNER": "false", "FASTMCP_CHECK_FOR_UPDATES": "off"}
    with LoopbackSandbox("cloud") as site, tempfile.TemporaryDirectory(prefix="bench-compare-") as cwd:
        env = {**base, **site.env(confluence=True), **quiet}

        def params(who: str, extra: dict[str, str] | None = None) -> StdioServerParameters:
            return server_params(who, {**env, **(extra or {})}, theirs_exe, cwd)

        starts: dict[str, list[dict[str, Any]]] = {"ours": [], "theirs": [], "floor": []}
        for who in starts:  # warm-up: bytecode caches
            asyncio.run(start_once(params(who)))
        for _ in range(RUNS):
            for who in starts:
                starts[who].append(asyncio.run(start_once(params(who))))
        listings = {
            (who, ts): asyncio.run(list_only(params(who, {"TOOLSETS": ts} if ts else None)))
            for who in ("ours", "theirs")
            for ts in ("", "default", "all")
        }
        calls = asyncio.run(call_series(site, {w: params(w) for w in ("ours", "theirs")}))

    rows: list[tuple[str, str, str, str]] = []
    ratios: list[tuple[str, float]] = []

    def add(figure: str, ours: float, theirs: float, fmt: str = "{:.0f}", chart: bool = False) -> None:
        rows.append((figure, fmt.format(ours), fmt.format(theirs), ratio(ours, theirs)))
        if chart and theirs:
            ratios.append((figure, ours / theirs))

    listed = {w: [float(r["listed_s"]) for r in starts[w]] for w in starts}
    rss = {w: [float(r["rss_mb"]) for r in starts[w]] for w in starts}
    rows.append((f"start to tools/list answer, s (median of {RUNS}; min–max)",
                 f"{statistics.median(listed['ours']):.2f} ({min(listed['ours']):.2f}–{max(listed['ours']):.2f})",
                 f"{statistics.median(listed['theirs']):.2f} ({min(listed['theirs']):.2f}–"
                 f"{max(listed['theirs']):.2f})",
                 ratio(statistics.median(listed["ours"]), statistics.median(listed["theirs"]))))  # fmt: skip
    ratios.append(("start to tools/list", statistics.median(listed["ours"]) / statistics.median(listed["theirs"])))
    add("peak RSS of the server, MB (median VmHWM)", statistics.median(rss["ours"]), statistics.median(rss["theirs"]),
        chart=True)  # fmt: skip
    floor_s, floor_mb = statistics.median(listed["floor"]), statistics.median(rss["floor"])
    rows.append(("floor: the mcp SDK's low-level server, no tools (floor_server.py): start s / RSS MB",
                 f"{floor_s:.2f} / {floor_mb:.0f}", "", ""))  # fmt: skip
    above = {w: f"+{statistics.median(listed[w]) - floor_s:.2f} s / +{statistics.median(rss[w]) - floor_mb:.0f} MB"
             for w in ("ours", "theirs")}  # fmt: skip
    rows.append(("above the floor (goal: at most +0.15 s and +15 MB)", above["ours"], above["theirs"], ""))
    for ts, label in (("", "TOOLSETS unset"), ("default", "TOOLSETS=default"), ("all", "TOOLSETS=all")):
        o, t = listings[("ours", ts)], listings[("theirs", ts)]
        (of, ov), (tf, tv) = sizes(o), sizes(t)
        rows.append((f"tools listed, {label}", str(len(o)), str(len(t)), ratio(len(o), len(t))))
        add(f"tools/list bytes, {label}", of, tf, chart=ts != "")
        add(f"model-visible bytes, {label} (~tokens = /4)", ov, tv, chart=ts != "")
    for name, _ in TOOL_CALLS:
        o, t = calls["ours"][name], calls["theirs"][name]
        add(f"{name}: latency median, ms", o["median_ms"], t["median_ms"], "{:.1f}", chart=True)
        add(f"{name}: latency p90, ms", o["p90_ms"], t["p90_ms"], "{:.1f}")
        add(f"{name}: REST calls per call", o["rest_calls"], t["rest_calls"], "{:g}", chart=True)
        failed = " (an error result: not comparable)" if o["errors"] or t["errors"] else ""
        add(f"{name}: result text bytes{failed}", o["text_bytes"], t["text_bytes"], chart=not failed)
        rows.append((f"{name}: error results / HTTP ≥400 upstream", f"{o['errors']}/{CALLS}; "
                     + (", ".join(o["http_errors"]) or "none"), f"{t['errors']}/{CALLS}; "
                     + (", ".join(t["http_errors"]) or "none"), ""))  # fmt: skip

    header = (f"## atlassian-mcp vs mcp-atlassian {VERSION} (stdio, LoopbackSandbox('cloud'), {RUNS} A/B runs, "
              f"{CALLS} calls per tool)\n")  # fmt: skip
    table = ["| figure | ours | mcp-atlassian | ours / theirs |", "|---|---:|---:|---:|"]
    table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    notes = ["", "Upstream paths per tool (last call):", ""]
    for name, _ in TOOL_CALLS:
        for who in ("ours", "theirs"):
            entry = calls[who][name]
            notes.append(f"- {who} `{name}`: {'; '.join(entry['paths']) or '(none)'}"
                         + (f" — error: {entry['first_error']!r}" if entry["first_error"] else ""))  # fmt: skip
    text = "\n".join([header, *table, *notes]) + "\n"
    print(text)
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "bench_compare.md").write_text(text)
    data = {"version": VERSION, "runs": RUNS, "listed_s": listed, "rss_mb": rss, "calls": calls, "ratios": ratios,
            "rows": rows}  # fmt: skip
    json_path = REPORTS / "bench_compare.json"
    json_path.write_text(json.dumps(data, indent=1))
    png = REPORTS / "bench_compare.png"
    drawn = subprocess.run([str(VENV / "bin" / "python"), "-c", CHART, str(json_path), str(png)],
                           capture_output=True, text=True)  # fmt: skip
    print(f"chart: {png}" if drawn.returncode == 0 else f"chart skipped: {drawn.stderr.strip()[-300:]}")


if __name__ == "__main__":
    main()
