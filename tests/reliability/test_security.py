"""Security: read-only mode, project/space filters as hard limits, request-body size limit, no secret in logs.

(DNS rebinding is tested in tests/e2e/test_transports.py; secrets in cassettes in tests/replay.)
"""

from __future__ import annotations

import base64
import json
import os
import shlex
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from mcp import Client, StdioServerParameters

from adapter.manifest import ToolSpec, load_tools
from tests.e2e.harness import sandboxed
from tests.e2e.test_transports import http_server
from tests.sandbox_server import LoopbackSandbox

TOOLS = [t for t in load_tools() if t.toolset != "catalog"]
CALLS = [  # a success, a 404, a 400 and a Confluence 404
    ("jira_get_issue", {"issue_key": "PROJ-1"}),
    ("jira_get_issue", {"issue_key": "NO-9"}),
    ("jira_search", {"jql": "project = ((("}),
    ("confluence_get_page", {"page_id": "1"}),
]
FLAVORS = ["cloud", "datacenter"]


def minimal_arguments(tool: ToolSpec, **given: Any) -> dict[str, Any]:
    """Schema-valid placeholders for the required parameters, then `given`."""
    args: dict[str, Any] = {}
    for name in tool.input_schema().get("required", []):
        schema = tool.input_schema()["properties"][name]
        kind = schema["type"][0] if isinstance(schema["type"], list) else schema["type"]
        placeholder = {"string": "x", "integer": 1, "number": 1, "boolean": False, "array": [], "object": {}}[kind]
        args[name] = schema["enum"][0] if "enum" in schema else schema.get("minimum", placeholder)
    return {**args, **given}


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_read_only_refuses_every_write_tool_at_list_and_call(flavor: str) -> None:
    writes = [t for t in TOOLS if not t.annotations["readOnlyHint"] and flavor in t.bindings]
    assert len(writes) >= 5
    async with sandboxed(flavor, READ_ONLY_MODE="true", TOOLSETS="all") as (sandbox, client):
        listed = {t.name for t in (await client.list_tools()).tools}
        assert not listed & {t.name for t in writes}
        for tool in writes:
            result = await client.call_tool(tool.name, minimal_arguments(tool))
            assert result.is_error and "unknown tool" in result.content[0].text, tool.name
        assert [r for r in sandbox.requests if r.method != "GET"] == []


def scoped_cases() -> list[Any]:
    cases = []
    for tool in TOOLS:
        params = tool.input_schema()["properties"]
        for flavor in tool.bindings:
            if tool.product == "jira" and "issue_key" in params:
                cases.append(pytest.param(tool, flavor, {"issue_key": "OPS-1"}, id=f"{tool.name}-{flavor}"))
            elif tool.product == "jira" and "project_key" in params:
                cases.append(pytest.param(tool, flavor, {"project_key": "OPS"}, id=f"{tool.name}-{flavor}"))
            elif tool.product == "confluence" and "space_key" in params:
                cases.append(pytest.param(tool, flavor, {"space_key": "OPS"}, id=f"{tool.name}-{flavor}"))
    return cases


@pytest.mark.parametrize(("tool", "flavor", "outside"), scoped_cases())
async def test_filters_refuse_keys_outside_them_before_any_request(
    tool: ToolSpec, flavor: str, outside: dict[str, str]
) -> None:
    async with sandboxed(flavor, TOOLSETS="all", JIRA_PROJECTS_FILTER="PROJ", CONFLUENCE_SPACES_FILTER="DEV") as (
        sandbox,
        client,
    ):
        result = await client.call_tool(tool.name, minimal_arguments(tool, **outside))
        assert result.is_error and "outside this server's" in result.content[0].text, result.content[0].text
        assert sandbox.requests == []


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_searches_never_return_results_outside_the_filters(flavor: str) -> None:
    async with sandboxed(flavor, TOOLSETS="all", JIRA_PROJECTS_FILTER="PROJ", CONFLUENCE_SPACES_FILTER="DEV") as (
        _,
        client,
    ):
        for jql in ("project = OPS", "project in (OPS, PROJ) ORDER BY key", 'text ~ "a" OR project = OPS'):
            found = await client.call_tool("jira_search", {"jql": jql, "limit": 50})
            keys = [i["key"] for i in (found.structured_content or {}).get("issues", [])]
            assert all(k.startswith("PROJ-") for k in keys), (jql, keys)
        for cql in ("space = OPS", 'type = page OR space = "OPS"'):
            found = await client.call_tool("confluence_search", {"query": cql, "limit": 50})
            spaces = {r.get("space_key") for r in (found.structured_content or {}).get("results", [])}
            assert spaces <= {"DEV", None}, (cql, spaces)


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSandbox]:
    with LoopbackSandbox("datacenter") as running:
        yield running


def test_request_bodies_over_the_limit_are_refused(site: LoopbackSandbox) -> None:
    big = b'{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"pad":"' + b"x" * (17 * 1024 * 1024) + b'"}}'
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    with http_server(site, "--transport", "streamable-http") as base:
        declared = httpx.post(f"{base}/mcp", content=big, headers=headers, timeout=30)
        assert declared.status_code == 413
        chunked = httpx.post(f"{base}/mcp", content=iter([big[i : i + 65536] for i in range(0, len(big), 65536)]),
                             headers=headers, timeout=30)  # fmt: skip
        assert chunked.status_code == 413
        assert httpx.get(f"{base}/healthz").status_code == 200  # and the server still serves


async def test_no_secret_in_logs_or_errors_at_very_verbose(site: LoopbackSandbox) -> None:
    """-vv logs every request; neither the token nor the Authorization value may appear, even on failures."""
    token = site.sandbox.token
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env = {**keep, **site.env(confluence=True), "JIRA_USERNAME": "sandbox", "CONFLUENCE_USERNAME": "sandbox"}
    with tempfile.NamedTemporaryFile("r", suffix=".log") as log:
        command = f"exec {shlex.quote(sys.executable)} -m adapter -vv 2>>{shlex.quote(log.name)}"
        params = StdioServerParameters(command="sh", args=["-c", command], env=env)
        texts = []
        async with Client(params) as client:
            for tool, args in CALLS:
                result = await client.call_tool(tool, args)
                texts.append(json.dumps(result.model_dump(mode="json")))
        logged = log.read()
    assert "GET" in logged or "HTTP" in logged, "nothing was logged at -vv: the test would prove nothing"
    secrets = [token, base64.b64encode(f"sandbox:{token}".encode()).decode()]
    for secret in secrets:
        assert secret not in logged
        assert not any(secret in text for text in texts)
