"""The MCP Inspector CLI (npm @modelcontextprotocol/inspector) against our server, over stdio and HTTP.

`nox -s tests` installs the Inspector into .ci/inspector (npm); running pytest alone needs that step first.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_transports import http_server
from tests.sandbox_server import LoopbackSandbox

INSPECTOR = Path(__file__).resolve().parents[2] / ".ci" / "inspector" / "node_modules" / ".bin" / "mcp-inspector"


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSandbox]:
    if not INSPECTOR.exists():
        pytest.fail(f"{INSPECTOR} is missing: run `nox -s tests` (it installs the MCP Inspector CLI with npm)")
    with LoopbackSandbox("datacenter") as running:
        yield running
    running.guard.assert_clean()  # every request the server sent follows Atlassian's spec


def inspect(*args: str) -> dict[str, object]:
    done = subprocess.run([str(INSPECTOR), "--cli", *args, "--format", "json", "-q"], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_inspector_over_stdio(site: LoopbackSandbox) -> None:
    env = [arg for name, value in site.env().items() for arg in ("-e", f"{name}={value}")]
    listed = inspect(sys.executable, "-m", "adapter", *env, "--method", "tools/list")
    names = [tool["name"] for tool in listed["result"]["tools"]]  # type: ignore[index]
    assert "jira_get_issue" in names
    called = inspect(sys.executable, "-m", "adapter", *env, "--method", "tools/call", "--tool-name", "jira_get_issue",
                     "--tool-arg", "issue_key=PROJ-1")  # fmt: skip
    assert called["result"]["structuredContent"]["summary"] == "Checkout revamp"  # type: ignore[index]


def test_inspector_over_streamable_http(site: LoopbackSandbox) -> None:
    with http_server(site, "--transport", "streamable-http") as base:
        called = inspect(f"{base}/mcp", "--method", "tools/call", "--tool-name", "jira_get_issue",
                         "--tool-arg", "issue_key=PROJ-1")  # fmt: skip
        assert called["result"]["structuredContent"]["key"] == "PROJ-1"  # type: ignore[index]
        assert called["result"]["structuredContent"]["summary"] == "Checkout revamp"  # type: ignore[index]


def test_inspector_resources_and_prompts(site: LoopbackSandbox) -> None:
    env = [arg for name, value in site.env().items() for arg in ("-e", f"{name}={value}")]
    server = [sys.executable, "-m", "adapter", *env]
    templates = inspect(*server, "--method", "resources/templates/list")
    uris = [t["uriTemplate"] for t in templates["result"]["resourceTemplates"]]  # type: ignore[index]
    assert "jira://issue/{issue_key}" in uris
    read = inspect(*server, "--method", "resources/read", "--uri", "jira://issue/PROJ-1")
    markdown, data = read["result"]["contents"]  # type: ignore[index]
    assert "Checkout revamp" in markdown["text"] and json.loads(data["text"])["key"] == "PROJ-1"
    with http_server(site, "--transport", "streamable-http") as base:
        prompts = inspect(f"{base}/mcp", "--method", "prompts/list")
        assert "triage_issue" in [p["name"] for p in prompts["result"]["prompts"]]  # type: ignore[index]
        got = inspect(f"{base}/mcp", "--method", "prompts/get", "--prompt-name", "triage_issue",
                      "--prompt-args", "issue_key=PROJ-1")  # fmt: skip
        assert "PROJ-1" in got["result"]["messages"][0]["content"]["text"]  # type: ignore[index]
