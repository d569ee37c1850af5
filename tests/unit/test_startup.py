"""Start-up stays near the mcp SDK's floor: the compiled manifest cache, and no HTTP stack of ours on stdio.

Timings and memory are measured by tests/benchmarks/bench_compare.py (`nox -s bench`), not asserted here.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from adapter import catalogue, manifest_cache
from adapter.manifest import load_tools


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ATLASSIAN_MCP_CACHE_DIR", str(tmp_path))
    return tmp_path


def described(tools: list) -> list:  # type: ignore[type-arg]
    return [(t.name, t.toolset, t.input_schema(), t.annotations, t.view, sorted(t.bindings)) for t in tools]


def test_cached_tools_are_the_checked_tools(cache: Path) -> None:
    fresh = load_tools()
    built = manifest_cache.load_tools_cached()
    (compiled,) = cache.glob("tools-*.pickle")
    again = manifest_cache.load_tools_cached()
    assert described(built) == described(again) == described(fresh) and len(fresh) == 99
    assert compiled.stat().st_mode & 0o077 == 0, "the compiled file is the user's alone"


def test_a_current_cache_reads_no_yaml_and_no_catalogue(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest_cache.load_tools_cached()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(manifest_cache, "load_tools", refuse)
    catalogue.catalogue.cache_clear()
    monkeypatch.setattr(catalogue, "catalogue", refuse)
    tools = manifest_cache.load_tools_cached()
    issue = next(t for t in tools if t.name == "jira_get_issue")
    assert {op.method for op in issue.operations("cloud")} == {"GET"}
    assert catalogue.header("jira-platform")["api"] == "jira-platform"


def test_any_changed_input_is_a_new_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = manifest_cache.inputs_digest()
    shipped = manifest_cache.shipped_manifests()
    monkeypatch.setattr(manifest_cache, "shipped_manifests", lambda: [*shipped[:-1], (shipped[-1][0], "tools: []")])
    assert manifest_cache.inputs_digest() != before
    monkeypatch.undo()
    from adapter.handlers import HANDLERS

    monkeypatch.setitem(HANDLERS, "a_new_handler", HANDLERS["jira_update_issue"])
    assert manifest_cache.inputs_digest() != before


def test_a_broken_cache_file_is_rebuilt(cache: Path) -> None:
    manifest_cache.load_tools_cached()
    (compiled,) = cache.glob("tools-*.pickle")
    compiled.write_bytes(b"half a pickle")
    assert len(manifest_cache.load_tools_cached()) == 99
    tools, headers, entries = pickle.loads(compiled.read_bytes())
    assert len(tools) == 99 and "jira-platform/getIssue" in entries and "jira-dc" in headers


def test_no_writable_cache_still_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("ATLASSIAN_MCP_CACHE_DIR", str(blocked / "cache"))
    assert len(manifest_cache.load_tools_cached()) == 99


def test_extra_manifests_are_always_checked(cache: Path, tmp_path: Path) -> None:
    extra = tmp_path / "mine.yaml"
    extra.write_text("tools: []\n")
    assert len(manifest_cache.load_tools_cached([extra])) == 99
    assert not list(cache.glob("tools-*.pickle")), "only the shipped manifests are compiled"


PROBE = """
import json, sys
import mcp.server.lowlevel
floor = set(sys.modules)
sys.modules.setdefault("httpx._main", None)
from adapter.cli import app
from adapter.config import load_settings
from adapter.manifest_cache import load_tools_cached
from adapter.server import AtlassianServer
from adapter import transports
site = {"JIRA_URL": "https://x.atlassian.net", "JIRA_USERNAME": "a", "JIRA_API_TOKEN": "b"}
settings = load_settings({}, environ=site, read_dotenv=False)
server = AtlassianServer(settings, load_tools_cached())
server.lowlevel().create_initialization_options()
server.list_tools()
print(json.dumps(sorted(set(sys.modules) - floor)))
"""
HTTP_STACK = ("starlette", "uvicorn", "sse_starlette", "mcp.server.sse", "mcp.server.streamable_http", "yaml")


def test_stdio_start_loads_no_http_stack_and_no_yaml(cache: Path) -> None:
    """Beyond what `import mcp` itself loads: nothing of the HTTP stack, and no YAML once the cache is current."""
    manifest_cache.load_tools_cached()
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60)
    added = json.loads(done.stdout)
    assert [m for m in added if m.startswith(HTTP_STACK)] == []
    assert "adapter.server" in added
