"""SDK benchmarks, printed (never asserted): `nox -s bench`.

1. Generating all seven specs: wall time and peak RSS (of the generator process and its ruff children).
2. Fresh-process time to import one operation and call it (MockTransport, no network), per API, as the
   median of 7 processes; beside it, in the same run, the cost of importing every model of that API
   (what the stock, eager `models/__init__.py` makes every endpoint import pay), and the ratio.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNS = int(os.environ.get("BENCH_RUNS", "7"))

# (API, package, operation module, call arguments as Python source)
CALLS = [
    ("jira-platform", "jira_sdk.cloud", "api.issues.get_issue", '"ED-1"'),
    ("jira-software", "jira_sdk.software", "api.board.get_board", "1"),
    ("jsm", "jira_sdk.service_management", "api.servicedesk.get_service_desks", ""),
    ("jira-dc", "jira_sdk.datacenter", "api.issue.get_issue", '"ED-1"'),
    ("jira-forms", "jira_sdk.forms", "api.forms_on_issue.get_issue_form", '"ED-1", "f-1"'),
    ("confluence-v2", "confluence_sdk.cloud", "api.page.get_page_by_id", "1"),
    ("confluence-v1", "confluence_sdk.cloud_v1", "api.search.search_by_cql", ""),
    ("confluence-dc", "confluence_sdk.datacenter", "api.content_resource.get_content_by_id", '"1"'),
]

CALL_SCRIPT = """
import time
t0 = time.perf_counter()
import httpx
from {root}.{module_path} import {module}
from {root} import Client
client = Client(base_url="https://x.example", transport=httpx.MockTransport(
    lambda request: httpx.Response(200, json={{"id": "1", "key": "ED-1", "title": "t", "results": []}})))
{module}.sync_detailed({args}client=client{extra})
t1 = time.perf_counter()
import sys
print(t1 - t0, len([m for m in sys.modules if m.startswith("{root}")]))
"""

MODELS_SCRIPT = """
import time
t0 = time.perf_counter()
import {package}.models as models
for name in models.__all__:
    getattr(models, name)
print(time.perf_counter() - t0, len(models.__all__))
"""


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # users get cached bytecode


def _python(source: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", source], check=True, capture_output=True, text=True, cwd=ROOT, env=ENV)
    return out.stdout.split()


def bench_generation() -> tuple[float, float]:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-c",
                f"from codegen.generate import build_tree; from pathlib import Path; "
                f"build_tree(Path({tmp!r}) / 'g', None, None)",
            ],
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
    wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, peak_mb


def bench_calls() -> list[dict[str, object]]:
    rows = []
    for api, package, op_path, args in CALLS:
        root = package
        module_path, module = op_path.rsplit(".", 1)
        extra = ', cql="type=page"' if module == "search_by_cql" else ""
        script = CALL_SCRIPT.format(
            root=root, module_path=module_path, module=module, args=f"{args}, " if args else "", extra=extra
        )
        lazy: list[float] = []
        eager: list[float] = []
        modules = models = 0
        _python(script), _python(MODELS_SCRIPT.format(package=package))  # warm-up: writes the bytecode cache
        for _ in range(RUNS):  # interleaved: lazy, eager, lazy, eager...
            seconds, modules_s = _python(script)
            lazy.append(float(seconds))
            modules = int(modules_s)
            seconds, models_s = _python(MODELS_SCRIPT.format(package=package))
            eager.append(float(seconds))
            models = int(models_s)
        rows.append(
            {
                "api": api,
                "call_s": statistics.median(lazy),
                "call_spread": max(lazy) - min(lazy),
                "modules": modules,
                "all_models_s": statistics.median(eager),
                "models": models,
            }
        )
    return rows


def main() -> None:
    os.environ.setdefault("ATLASSIAN_SPECS_MIRROR", str(ROOT.parent / "shared" / "specs"))
    wall, peak = bench_generation()
    print("## Generation (all seven specs)\n")
    print("| wall s | peak RSS MB |\n|---:|---:|")
    print(f"| {wall:.1f} | {peak:.0f} |\n")
    print(f"## Fresh process: import one operation and call it (median of {RUNS})\n")
    print("| API | import + call s | spread s | package modules loaded | import every model s | models | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    rows = bench_calls()
    for row in rows:
        ratio = float(row["all_models_s"]) / float(row["call_s"])  # type: ignore[arg-type]
        print(
            f"| {row['api']} | {row['call_s']:.3f} | {row['call_spread']:.3f} | {row['modules']} | "
            f"{row['all_models_s']:.3f} | {row['models']} | {ratio:.1f}x |"
        )
    reports = ROOT / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "bench_sdk.json").write_text(
        json.dumps({"generation_s": wall, "peak_mb": peak, "calls": rows}, indent=1)
    )


if __name__ == "__main__":
    main()
