"""The jira_issues handlers' own logic: the field cache (per site and credential, bounded lifetime), field
matching, attachment paths, and display-name keys of custom fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapter.files import FilePolicy
from adapter.handlers import HandlerContext, ToolError, principal_of
from adapter.handlers import jira_issues as handlers
from adapter.views import ViewContext, get_view


def context(calls: list[str], principal: str, site: str = "https://a.atlassian.net") -> HandlerContext:
    async def call(ref: str, body: Any = None, **kwargs: Any) -> Any:
        calls.append(ref)
        return [{"id": "customfield_1", "name": "Severity", "schema": {"type": "option"}}]

    return HandlerContext("cloud", site, (), call, principal=principal)


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    handlers._FIELDS.clear()


async def test_field_cache_is_per_credential_and_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    clock = [1000.0]
    monkeypatch.setattr(handlers.time, "monotonic", lambda: clock[0])
    alice, bob = principal_of("alice", "t1", None), principal_of("bob", "t2", None)
    assert alice != bob and "t1" not in alice
    await handlers.jira_fields(context(calls, alice))
    await handlers.jira_fields(context(calls, alice))
    assert calls == ["jira-platform/getFields"]  # cached
    await handlers.jira_fields(context(calls, bob))
    assert len(calls) == 2  # another user never gets alice's entry
    clock[0] += handlers.FIELD_TTL + 1
    await handlers.jira_fields(context(calls, alice))
    assert len(calls) == 3  # expired
    await handlers.jira_fields(context(calls, alice), refresh=True)
    assert len(calls) == 4


async def test_field_cache_stays_small() -> None:
    calls: list[str] = []
    for n in range(handlers.FIELD_CACHE_SIZE + 5):
        await handlers.jira_fields(context(calls, f"user{n}"))
    assert len(handlers._FIELDS) == handlers.FIELD_CACHE_SIZE


def test_field_scores_prefer_exact_then_prefix_then_fuzzy() -> None:
    fields = [{"id": "customfield_1", "name": "Story Points"}, {"id": "summary", "name": "Summary"},
              {"id": "environment", "name": "Environment"}]  # fmt: skip
    assert handlers._score("summary", fields[1]) > handlers._score("story", fields[0]) > 0
    assert handlers._score("stroy points", fields[0]) > 0  # a typo still matches
    assert handlers._score("severity", fields[2]) == 0


def test_attachment_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    ctx = HandlerContext("datacenter", "https://x", (), None, files=FilePolicy((tmp_path,)))  # type: ignore[arg-type]
    assert handlers._attachment_files(ctx, '["a.txt", "b.txt"]') == [("a.txt", b"a"), ("b.txt", b"b")]
    assert handlers._attachment_files(ctx, "a.txt, b.txt") == [("a.txt", b"a"), ("b.txt", b"b")]
    with pytest.raises(ToolError, match="attachments: .* outside the directories this server may read"):
        handlers._attachment_files(ctx, "../x.txt")
    with pytest.raises(ToolError, match="attachments: .*missing.txt: No such file"):
        handlers._attachment_files(ctx, "missing.txt")


def test_display_names_keep_ids_apart_when_names_clash() -> None:
    issue = {"key": "P-1", "fields": {"customfield_1": 3, "customfield_2": "x", "customfield_3": "y"},
             "names": {"customfield_1": "Points", "customfield_2": "Team", "customfield_3": "Team"}}  # fmt: skip
    view = get_view("jira_issue").project(issue, ViewContext("https://s", "cloud", {"use_display_names": True}))
    assert view["custom_fields"] == {"Points": 3, "Team (customfield_2)": "x", "Team (customfield_3)": "y"}
    assert "custom_field_names" not in view
