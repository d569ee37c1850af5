"""The Confluence page tools through mcp.Client against the sandbox (behind the spec guard), on both flavours."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.harness import ok, sandboxed

FLAVORS = ["cloud", "datacenter"]


def _err(result: object) -> str:
    assert result.is_error, result  # type: ignore[attr-defined]
    return str(result.content[0].text)  # type: ignore[attr-defined]


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_children_tree_history_diff(flavor: str) -> None:
    async with sandboxed(flavor) as (_, client):
        kids = ok(await client.call_tool("confluence_get_page_children", {"parent_id": "65537", "limit": 2}))
        assert [p["title"] for p in kids["pages"]] == ["Guides", "Architecture overview"]
        assert kids["next_start"] == 2 and kids["is_last"] is False
        rest = ok(await client.call_tool("confluence_get_page_children", {"parent_id": "65537", "start": 2}))
        assert [p["id"] for p in rest["pages"]] == ["65542", "65543", "65544"] and rest["is_last"] is True
        body = ok(
            await client.call_tool("confluence_get_page_children", {"parent_id": "65538", "include_content": True})
        )
        assert body["pages"][0]["body"].startswith("[TOC]\n\n# Deploy guide")

        tree = ok(await client.call_tool("confluence_get_space_page_tree", {"space_key": "DEV"}))
        assert [(p["id"], p["depth"]) for p in tree["pages"][:4]] == [
            ("65537", 0), ("65538", 1), ("65539", 2), ("65540", 2)
        ]  # fmt: skip
        assert tree["more"] is False
        short = ok(await client.call_tool("confluence_get_space_page_tree", {"space_key": "DEV", "limit": 3}))
        assert len(short["pages"]) == 3 and short["more"] is True and "raise limit" in short["hint"]

        old = ok(await client.call_tool("confluence_get_page_history", {"page_id": "65539", "version": 2}))
        assert old["version"] == 2 and "Checklist" not in old["body"] and "# Deploy guide" in old["body"]
        diff = ok(
            await client.call_tool("confluence_get_page_diff", {"page_id": "65539", "from_version": 3, "to_version": 4})
        )
        assert diff["diff"].startswith("--- v3\n+++ v4\n") and "+## Known issues" in diff["diff"]
        missing = await client.call_tool("confluence_get_page_history", {"page_id": "65539", "version": 9})
        assert _err(missing).startswith("Confluence answered 404")


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_section_update_keeps_every_other_byte(flavor: str) -> None:
    async with sandboxed(flavor) as (sandbox, client):
        before = sandbox.pages[65539].body
        done = ok(await client.call_tool("confluence_update_page_section", {
            "page_id": "65539", "heading_text": "Steps", "new_content": "1. Merge\n2. Deploy", "version_comment": "s",
        }))  # fmt: skip
        assert (done["version"], done["section"]) == (5, "Steps")
        after = sandbox.pages[65539].body
        head, tail = before.split("<h2>Steps</h2>")[0], before[before.index("<h2>Environments</h2>") :]
        assert after == head + "<h2>Steps</h2><ol><li>Merge</li><li>Deploy</li></ol>" + tail
        diff = ok(
            await client.call_tool("confluence_get_page_diff", {"page_id": "65539", "from_version": 4, "to_version": 5})
        )
        assert "-./deploy.sh --env production --version 2.4.0" in diff["diff"]
        nope = await client.call_tool(
            "confluence_update_page_section", {"page_id": "65539", "heading_text": "Nope", "new_content": "x"}
        )
        assert "heading_text: no heading 'Nope'" in _err(nope) and "Known issues" in _err(nope)


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_move_copy_delete(flavor: str) -> None:
    async with sandboxed(flavor) as (sandbox, client):
        moved = ok(await client.call_tool("confluence_move_page", {"page_id": "65542", "target_parent_id": "65538"}))
        assert moved["id"] == "65542" and sandbox.pages[65542].parent == 65538
        if flavor == "cloud":
            ok(await client.call_tool("confluence_move_page", {"page_id": "65542", "target_parent_id": "65539",
                                                               "position": "before"}))  # fmt: skip
            assert sandbox.pages[65542].parent == 65538
        else:
            refused = await client.call_tool(
                "confluence_move_page", {"page_id": "65542", "target_parent_id": "65539", "position": "before"}
            )
            assert _err(refused).startswith("position:")
        copied = ok(await client.call_tool("confluence_copy_page", {
            "source_page_id": "65540", "destination_space_key": "OPS", "new_title": "Runbook copy",
            "destination_parent_id": "65546",
        }))  # fmt: skip
        new = sandbox.pages[int(copied["id"])]
        assert (new.space, new.parent, new.body) == ("OPS", 65546, sandbox.pages[65540].body)
        gone = ok(await client.call_tool("confluence_delete_page", {"page_id": copied["id"]}))
        assert gone["done"] == "moved to the trash" and new.status == "trashed"
        again = await client.call_tool("confluence_delete_page", {"page_id": copied["id"]})
        assert _err(again).startswith("Confluence answered 404")


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_restrictions(flavor: str) -> None:
    async with sandboxed(flavor) as (sandbox, client):
        alice = next(u.account_id if flavor == "cloud" else u.key for u in sandbox.users if u.key == "alice")
        empty = ok(await client.call_tool("confluence_get_page_restrictions", {"page_id": "65539"}))
        assert empty["read"] == {"users": [], "groups": []}
        ok(await client.call_tool("confluence_set_page_restrictions", {
            "page_id": "65539", "edit_users": [alice], "edit_groups": ["developers"],
        }))  # fmt: skip
        got = ok(await client.call_tool("confluence_get_page_restrictions", {"page_id": "65539"}))
        assert got["update"] == {"users": [{"id": alice, "name": "Alice Anders"}], "groups": ["developers"]}
        ok(
            await client.call_tool(
                "confluence_set_page_restrictions", {"page_id": "65539", "read_groups": ["developers"]}
            )
        )
        got = ok(await client.call_tool("confluence_get_page_restrictions", {"page_id": "65539"}))
        assert got["read"]["groups"] == ["developers"] and got["update"]["groups"] == ["developers"]
        bad = await client.call_tool("confluence_set_page_restrictions", {"page_id": "65539", "read_users": ["nobody"]})
        assert _err(bad).startswith("Confluence answered 400: User not found")


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_create_and_update_extras(flavor: str, tmp_path: Path) -> None:
    body = tmp_path / "body.md"
    body.write_text("# Intro\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    async with sandboxed(flavor) as (sandbox, client):
        empty = ok(await client.call_tool("confluence_create_page", {"space_key": "OPS", "title": "Empty"}))
        assert sandbox.pages[int(empty["id"])].body == ""
        made = ok(await client.call_tool("confluence_create_page", {
            "space_key": "OPS", "title": "From file", "content_file": str(body), "enable_heading_anchors": True,
            "table_layout": "wide", "include_content": True,
        }))  # fmt: skip
        stored = sandbox.pages[int(made["id"])].body
        assert '<ac:parameter ac:name="">intro</ac:parameter>' in stored and '<table data-layout="wide">' in stored
        assert "| a | b |" in made["body"]
        missing = await client.call_tool(
            "confluence_create_page", {"space_key": "OPS", "title": "x", "content_file": str(tmp_path / "nope.md")}
        )
        assert _err(missing).startswith("content_file: no such file")
        styled = await client.call_tool(
            "confluence_update_page", {"page_id": made["id"], "title": "From file", "content": "hi", "emoji": "📝",
                                       "page_width": "full-width"}
        )  # fmt: skip
        if flavor == "cloud":
            assert ok(styled)["properties_set"] == ["content-appearance-published", "emoji-title-published"]
            props = sandbox.extra["confluence_pages"]["properties"][int(made["id"])]
            assert props["emoji-title-published"]["value"] == "1f4dd"
            again = ok(await client.call_tool(
                "confluence_update_page", {"page_id": made["id"], "title": "From file", "page_width": "fixed-width"}
            ))  # fmt: skip
            assert again["version"] == 3 and props["content-appearance-published"]["version"]["number"] == 2
            live = ok(await client.call_tool(
                "confluence_create_page", {"space_key": "OPS", "title": "Live", "subtype": "live"}
            ))  # fmt: skip
            assert live["id"]
        else:
            assert _err(styled).startswith("emoji, page_width: title emoji and page width exist on Confluence Cloud")


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_spaces_filter_is_a_hard_limit(flavor: str) -> None:
    async with sandboxed(flavor, CONFLUENCE_SPACES_FILTER="OPS") as (sandbox, client):
        for tool, args in [
            ("confluence_delete_page", {"page_id": "65539"}),
            ("confluence_get_page_children", {"parent_id": "65537"}),
            ("confluence_get_space_page_tree", {"space_key": "DEV"}),
            ("confluence_copy_page", {"source_page_id": "65539", "destination_space_key": "OPS", "new_title": "x"}),
            ("confluence_move_page", {"page_id": "65547", "target_parent_id": "65537"}),
            ("confluence_update_page_section", {"page_id": "65539", "heading_text": "Steps", "new_content": "x"}),
        ]:
            assert "outside this server's spaces" in _err(await client.call_tool(tool, args)), tool
        assert sandbox.pages[65539].status == "current" and sandbox.pages[65547].parent == 65546
