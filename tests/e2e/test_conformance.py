"""The official MCP conformance suite (npm @modelcontextprotocol/conformance) against the CLI-started server over
streamable HTTP, stateful and stateless: every server scenario it lists, compared with conformance_expected.yaml.

That file records, per scenario, what each run observed (the ids of failed and warned checks), a verdict and,
unless the verdict is `conforms`, the reason. Any difference fails: a scenario that starts passing, newly fails or
is new. After a change (e.g. resources or prompts land), one command rewrites it:

    CONFORMANCE_UPDATE=1 uv run --frozen pytest tests/e2e/test_conformance.py -p no:cacheprovider

It keeps verdicts and reasons, turns a `not-served` scenario that changed and now passes everywhere into `conforms`,
and marks a new scenario that fails `TODO`, which fails until someone writes its verdict and reason. Review the
diff: a pass can be vacuous (the suite calls a fixture tool, and our "unknown tool" error satisfies its check).
`nox -s tests` installs the suite into .ci/conformance (npm); running pytest alone needs that step first.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.test_transports import http_server
from tests.sandbox_server import LoopbackSandbox

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / ".ci" / "conformance" / "node_modules" / "@modelcontextprotocol" / "conformance"
NODE20_SHIM = Path(__file__).with_name("conformance_node20.mjs")
EXPECTED = Path(__file__).with_name("conformance_expected.yaml")
UPDATE = os.environ.get("CONFORMANCE_UPDATE") == "1"
# 2025-03-26 has one scenario of its own (session lifecycle); these are also run at its wire, with --force
AT_2025_03_26 = ("server-initialize", "server-session-lifecycle", "ping", "logging-set-level", "tools-list",
                 "tools-call-error", "server-sse-multiple-streams")  # fmt: skip
RUNS = {  # run -> the suite's CLI arguments, one list per invocation
    "all": [["--suite", "all"]],  # every server scenario (extensions, pending, drafts too), each at its newest wire
    "2025-03-26": [["--spec-version", "2025-03-26", "--force", "--scenario", name] for name in AT_2025_03_26],
    "2025-06-18": [["--spec-version", "2025-06-18"]],  # the active scenarios at that protocol version's wire
    "2026-07-28": [["--spec-version", "2026-07-28"]],
}
VERDICTS = {
    "conforms": "passes, and exercises our server",
    "fixture": "needs a tool, prompt or resource of the suite's reference server (a pass is vacuous)",
    "not-served": "exercises a feature this server does not serve nor advertise",
    "extension": "an extension this server does not declare",
}
HEADER = """\
# What the official MCP conformance suite observes of our server: see tests/e2e/test_conformance.py.
# Per scenario: verdict (conforms | fixture | not-served | extension), reason, and per mode (stateful, stateless)
# and run (all | <protocol version>) "passed" or "failed: <check ids>", with "; warnings: <check ids>".
# Rewrite: CONFORMANCE_UPDATE=1 uv run --frozen pytest tests/e2e/test_conformance.py -p no:cacheprovider
"""


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSandbox]:
    if not (PACKAGE / "package.json").exists():
        pytest.fail(f"{PACKAGE} is missing: run `nox -s tests` (it installs the MCP conformance suite with npm)")
    with LoopbackSandbox("datacenter") as running:
        yield running
    running.guard.assert_clean()  # every request the server sent follows Atlassian's spec


def conformance(*args: str) -> subprocess.CompletedProcess[str]:
    command = ["node", "--import", str(NODE20_SHIM), str(PACKAGE / "dist" / "index.js"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)


def listed_scenarios() -> set[str]:
    done = conformance("list", "--server")
    assert done.returncode == 0, done.stderr
    return {m.group(1) for m in re.finditer(r"^\s+- (\S+) \[", done.stdout, re.MULTILINE)}


def outcome(checks: list[dict[str, Any]]) -> str:
    """`passed`, or `failed: <ids>`, then `; warnings: <ids>`: SKIPPED and INFO checks say nothing of us."""
    failed = sorted({c["id"] for c in checks if c["status"] == "FAILURE"})
    warned = sorted({c["id"] for c in checks if c["status"] == "WARNING"})
    text = f"failed: {', '.join(failed)}" if failed else "passed"
    return text + (f"; warnings: {', '.join(warned)}" if warned else "")


def run_suite(url: str, invocations: list[list[str]], out: Path) -> dict[str, str]:
    for args in invocations:
        done = conformance("server", "--url", url, *args, "-o", str(out))
        assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr[-2000:]  # 1: some scenario failed
    results: dict[str, str] = {}
    for checks in sorted(out.glob("server-*/checks.json")):
        name = re.sub(r"^server-(.+)-\d{4}-\d\d-\d\dT.*$", r"\1", checks.parent.name)
        assert name not in results, f"{name} ran twice"
        results[name] = outcome(json.loads(checks.read_text()))
    assert results, done.stdout[-2000:] + done.stderr[-2000:]
    return results


def installed_package() -> str:
    version = json.loads((PACKAGE / "package.json").read_text())["version"]
    return f"@modelcontextprotocol/conformance@{version}"


def update(expected: dict[str, Any], mode: str, observed: dict[str, dict[str, str]]) -> None:
    """Record what ran, keep verdicts and reasons; a not-served scenario that changed and now passes conforms."""
    names = sorted({name for results in observed.values() for name in results})
    scenarios = expected.setdefault("scenarios", {})
    for name in list(scenarios):
        if name not in names:
            scenarios[name].pop(mode, None)
            if not any(m in scenarios[name] for m in ("stateful", "stateless")):
                del scenarios[name]
    for name in names:
        entry = scenarios.setdefault(name, {})
        got = {run: results[name] for run, results in observed.items() if name in results}
        changed, entry[mode] = entry.get(mode) != got, got
        runs = [r for m in ("stateful", "stateless") for r in entry.get(m, {}).values()]
        passing = all(r.startswith("passed") for r in runs)
        if "verdict" not in entry or (entry["verdict"] == "not-served" and changed and passing):
            entry["verdict"] = "conforms" if passing else "TODO"
            entry.pop("reason", None)
        scenarios[name] = {k: entry[k] for k in ("verdict", "reason", "stateful", "stateless") if k in entry}
    expected["scenarios"] = dict(sorted(scenarios.items()))
    EXPECTED.write_text(HEADER + yaml.safe_dump(expected, sort_keys=False, width=120, allow_unicode=True))


@pytest.mark.parametrize("mode", ["stateful", "stateless"])
def test_conformance_suite(site: LoopbackSandbox, mode: str, tmp_path: Path) -> None:
    args = ["--transport", "streamable-http", *(["--stateless"] if mode == "stateless" else [])]
    with http_server(site, *args) as base:
        observed = {run: run_suite(f"{base}/mcp", run_args, tmp_path / run) for run, run_args in RUNS.items()}
    assert set(observed["all"]) == listed_scenarios(), "the suite must run every server scenario it lists"

    expected: dict[str, Any] = yaml.safe_load(EXPECTED.read_text()) if EXPECTED.exists() else {}
    if UPDATE:
        expected["package"] = installed_package()
        update(expected, mode, observed)
    assert expected.get("package") == installed_package(), "the expected results are for another suite version"
    scenarios: dict[str, Any] = expected.get("scenarios", {})
    problems = []
    for name in sorted(set(scenarios) | set(observed["all"])):
        entry = scenarios.get(name, {})
        got = {run: results[name] for run, results in observed.items() if name in results}
        if entry.get(mode) != got:
            problems.append(f"{name} ({mode}): expected {entry.get(mode)}, observed {got}")
        verdict = entry.get("verdict")
        if verdict not in VERDICTS:
            problems.append(f"{name}: verdict {verdict!r}, want one of {', '.join(VERDICTS)}")
        elif verdict == "conforms" and not all(r.startswith("passed") for r in got.values()):
            problems.append(f"{name}: verdict conforms, but {got}")
        elif verdict != "conforms" and not entry.get("reason"):
            problems.append(f"{name}: verdict {verdict} needs a reason")
    assert not problems, "conformance differs from tests/e2e/conformance_expected.yaml:\n" + "\n".join(problems)


def summary(expected: dict[str, Any]) -> str:
    """Per mode: scenarios run, passed, failed, and by verdict (`python -m tests.e2e.test_conformance`)."""
    lines = []
    for mode in ("stateful", "stateless"):
        entries = {n: e for n, e in expected["scenarios"].items() if mode in e}
        passed = [n for n, e in entries.items() if e[mode]["all"].startswith("passed")]
        verdicts = {v: sum(e["verdict"] == v for e in entries.values()) for v in VERDICTS}
        counts = f"{len(entries)} scenarios run, {len(passed)} passed, {len(entries) - len(passed)} failed"
        lines.append(f"{mode}: {counts}; " + ", ".join(f"{v} {n}" for v, n in verdicts.items()))
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(yaml.safe_load(EXPECTED.read_text())))
