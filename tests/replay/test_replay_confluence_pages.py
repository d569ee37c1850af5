"""The Confluence page tools on Cloud and Data Center against recorded HTTP (see conftest.py for recording)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .test_replay_tools import NOT_FOUND_HINT, call, connect, error, ok, page_url, run

if TYPE_CHECKING:
    from .conftest import Site

pytestmark = pytest.mark.vcr

ALICE = {"cloud": "5d5f7a1b2c3d4e5f60718291", "datacenter": "alice"}


async def test_confluence_get_page_children(site: Site) -> None:
    first = ok(await run(site, "confluence_get_page_children", parent_id="65537", limit=2))
    assert [(p["id"], p["title"]) for p in first["pages"]] == [("65538", "Guides"), ("65541", "Architecture overview")]
    assert (first["next_start"], first["is_last"]) == (2, False)
    rest = ok(await run(site, "confluence_get_page_children", parent_id="65538", include_content=True))
    assert [p["id"] for p in rest["pages"]] == ["65539", "65540"] and rest["is_last"] is True
    assert rest["pages"][1]["body"].startswith("## When the order worker is OOM-killed")


async def test_confluence_get_page_children_not_found(site: Site) -> None:
    text = error(await run(site, "confluence_get_page_children", parent_id="999999999"))
    assert text.startswith("Confluence answered 404: ") and text.endswith(NOT_FOUND_HINT)


async def test_confluence_get_space_page_tree(site: Site) -> None:
    tree = ok(await run(site, "confluence_get_space_page_tree", space_key="DEV"))
    assert [(p["id"], p["depth"]) for p in tree["pages"]] == [
        ("65537", 0), ("65538", 1), ("65539", 2), ("65540", 2), ("65541", 1), ("65542", 1), ("65543", 1),
        ("65544", 1),
    ]  # fmt: skip
    assert tree["pages"][2] == {"id": "65539", "title": "Deploy guide", "parent_id": "65538", "depth": 2}
    assert tree["more"] is False


async def test_confluence_get_space_page_tree_unknown_space(site: Site) -> None:
    text = error(await run(site, "confluence_get_space_page_tree", space_key="NOPE"))
    if site.flavor == "cloud":
        assert text == "space NOPE not found (or not visible to this account)"
    else:
        assert text.startswith("Confluence answered 404: No space with key : NOPE")


async def test_confluence_update_page_section(site: Site) -> None:
    done = ok(
        await run(
            site,
            "confluence_update_page_section",
            page_id="65539",
            heading_text="Steps",
            new_content="1. Merge\n2. Ship",
            version_comment="steps",
        )
    )
    assert done == {
        "id": "65539",
        "title": "Deploy guide",
        "version": 5,
        "url": page_url(site, "DEV", "65539", "Deploy+guide"),
        "section": "Steps",
    }


async def test_confluence_update_page_section_no_such_heading(site: Site) -> None:
    text = error(
        await run(site, "confluence_update_page_section", page_id="65540", heading_text="Deploy", new_content="x")
    )
    assert text == "heading_text: no heading 'Deploy' on the page (headings: When the order worker is OOM-killed)"


async def test_confluence_delete_page(site: Site) -> None:
    async with connect(site) as client:
        assert ok(await call(client, "confluence_delete_page", page_id="65544")) == {
            "id": "65544",
            "done": "moved to the trash",
        }
        text = error(await call(client, "confluence_get_page", page_id="65544"))
    assert text.startswith("Confluence answered 404: ")


async def test_confluence_delete_page_not_found(site: Site) -> None:
    text = error(await run(site, "confluence_delete_page", page_id="999999999"))
    assert text.startswith("Confluence answered 404: ") and text.endswith(NOT_FOUND_HINT)


async def test_confluence_move_page(site: Site) -> None:
    async with connect(site) as client:
        moved = ok(await call(client, "confluence_move_page", page_id="65542", target_parent_id="65538"))
        assert moved == {"id": "65542", "done": "moved append 65538", "position": "append", "target_id": "65538"}
        page = ok(await call(client, "confluence_get_page", page_id="65542"))
    assert page["parent_id"] == "65538"


async def test_confluence_move_page_not_found(site: Site) -> None:
    text = error(await run(site, "confluence_move_page", page_id="999999999", target_parent_id="65538"))
    assert text.startswith("Confluence answered 404: ") and text.endswith(NOT_FOUND_HINT)


async def test_confluence_get_page_history(site: Site) -> None:
    old = ok(await run(site, "confluence_get_page_history", page_id="65539", version=3))
    assert (old["id"], old["title"], old["version"]) == ("65539", "Deploy guide", 3)
    assert "## Checklist" in old["body"] and "## Known issues" not in old["body"]


async def test_confluence_get_page_history_no_such_version(site: Site) -> None:
    text = error(await run(site, "confluence_get_page_history", page_id="65539", version=7))
    assert text.startswith("Confluence answered 404: ") and text.endswith(NOT_FOUND_HINT)


async def test_confluence_get_page_diff(site: Site) -> None:
    diff = ok(await run(site, "confluence_get_page_diff", page_id="65539", from_version=2, to_version=4))
    assert diff["diff"].startswith("--- v2\n+++ v4\n@@ ")
    assert "+## Checklist\n" in diff["diff"] and "+## Known issues\n" in diff["diff"]
    assert "-" + "# Deploy guide" not in diff["diff"]


async def test_confluence_get_page_diff_not_found(site: Site) -> None:
    text = error(await run(site, "confluence_get_page_diff", page_id="999999999", from_version=1, to_version=2))
    assert text.startswith("Confluence answered 404: ")


async def test_confluence_get_page_restrictions(site: Site) -> None:
    found = ok(await run(site, "confluence_get_page_restrictions", page_id="65539"))
    assert found == {"page_id": "65539", "read": {"users": [], "groups": []}, "update": {"users": [], "groups": []}}


async def test_confluence_get_page_restrictions_not_found(site: Site) -> None:
    text = error(await run(site, "confluence_get_page_restrictions", page_id="999999999"))
    assert text.startswith("Confluence answered 404: ")


async def test_confluence_set_page_restrictions(site: Site) -> None:
    alice = ALICE[site.flavor]
    async with connect(site) as client:
        done = ok(await call(client, "confluence_set_page_restrictions", page_id="65539", edit_users=[alice],
                             edit_groups=["developers"], read_users=[], read_groups=[]))  # fmt: skip
        assert done["update"] == {"users": [{"id": alice}], "groups": ["developers"]}
        found = ok(await call(client, "confluence_get_page_restrictions", page_id="65539"))
    assert found["update"] == {"users": [{"id": alice, "name": "Alice Anders"}], "groups": ["developers"]}


async def test_confluence_set_page_restrictions_unknown_user(site: Site) -> None:
    text = error(await run(site, "confluence_set_page_restrictions", page_id="65539", read_users=["nobody"]))
    assert text.startswith("Confluence answered 400: User not found: nobody")


async def test_confluence_copy_page(site: Site) -> None:
    copied = ok(
        await run(
            site,
            "confluence_copy_page",
            source_page_id="65540",
            destination_space_key="OPS",
            new_title="Runbook copy",
        )
    )
    assert copied == {
        "id": "65549",
        "title": "Runbook copy",
        "version": 1,
        "url": page_url(site, "OPS", "65549", "Runbook+copy"),
    }


async def test_confluence_copy_page_title_taken(site: Site) -> None:
    text = error(
        await run(site, "confluence_copy_page", source_page_id="65540", destination_space_key="DEV", new_title="Guides")
    )
    assert text.startswith("Confluence answered 400: A page with this title already exists")
