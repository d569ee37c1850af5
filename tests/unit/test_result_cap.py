"""Results over the size cap are cut with a note that says what was left out and how to get it, never silently."""

from __future__ import annotations

import json
from typing import Any

from adapter.server import cap_size
from tests.e2e.harness import ok, sandboxed


def render(data: dict[str, Any]) -> str:
    return "\n".join(f"{k}: {v}" for k, v in data.items())


def test_small_results_pass_unchanged() -> None:
    data = {"issues": [{"key": "A-1"}], "total": 1}
    assert cap_size(data, render, 10_000) == (data, render(data))


def test_the_longest_list_is_cut_and_the_cut_is_recorded() -> None:
    data = {"issues": [{"key": f"A-{i}", "summary": "x" * 80} for i in range(500)], "total": 500}
    structured, text = cap_size(data, render, 5_000)
    shown = len(structured["issues"])
    assert 0 < shown < 500 and structured["issues"] == data["issues"][:shown]
    assert structured["truncated"]["omitted"] == 500 - shown and structured["truncated"]["list"] == "issues"
    assert len(text) <= 5_000 and len(json.dumps(structured)) <= 5_000
    assert f"[truncated: {shown} of 500 issues shown" in text


def test_a_long_text_is_cut_when_there_is_no_list() -> None:
    data = {"id": "1", "content": "word " * 10_000}
    structured, text = cap_size(data, render, 4_000)
    assert structured["truncated"] == {"field": "content", "shown_chars": len(structured["content"]),
                                       "total_chars": 50_000}  # fmt: skip
    assert data["content"].startswith(structured["content"]) and len(text) <= 4_200
    assert "[truncated: content cut at" in text


async def test_a_search_over_the_cap_says_so_through_mcp() -> None:
    async with sandboxed("cloud", ATLASSIAN_MCP_MAX_RESULT_CHARS="1500") as (_, client):
        result = await client.call_tool("jira_search", {"jql": "project = PROJ ORDER BY key", "limit": 50})
        data = ok(result)
        assert data["truncated"]["list"] == "issues" and data["truncated"]["omitted"] > 0
        assert "[truncated:" in result.content[0].text


async def test_catalog_results_over_the_cap_say_so() -> None:
    async with sandboxed("cloud", TOOLSETS="catalog", ATLASSIAN_MCP_MAX_RESULT_CHARS="1500") as (_, client):
        result = await client.call_tool("atlassian_call_operation", {"operation": "jira-platform/getFields"})
        data = ok(result)
        assert data["truncated"]["list"] == "result" and data["truncated"]["omitted"] > 0
        assert len(result.content[0].text) < 2_000 and "[truncated:" in result.content[0].text
