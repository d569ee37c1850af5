"""confluence_misc tools (comments, labels, users, analytics, templates, permissions) against recorded HTTP.

Happy path and at least one error per tool and deployment; Cloud-only tools run on Cloud only.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pytest

from .test_replay_tools import NOT_FOUND_HINT, error, ok
from .test_replay_tools import run as run_default

if TYPE_CHECKING:
    from mcp.types import CallToolResult

    from .conftest import Site

pytestmark = pytest.mark.vcr

ALICE = "5d5f7a1b2c3d4e5f60718291"


async def run(site: Site, tool: str, **arguments: Any) -> CallToolResult:
    """As test_replay_tools.run, with every toolset on (these tools are outside the default ones)."""
    return await run_default(dataclasses.replace(site, env={**site.env, "TOOLSETS": "all"}), tool, **arguments)


def alice(site: Site) -> dict[str, str]:
    if site.flavor == "cloud":
        return {"account_id": ALICE}  # v2 comments name their author by account id only
    return {"display_name": "Alice Anders", "name": "alice", "key": "2c9180827a1b2c3d017a1b2c3d4e0001"}


# --- comments ------------------------------------------------------------------------------------------------


async def test_confluence_get_comments(site: Site) -> None:
    found = ok(await run(site, "confluence_get_comments", page_id="65539"))
    assert found["page_id"] == "65539" and found["more"] is False
    first, reply = found["comments"]
    assert first["author"] == alice(site) and first["body"] == "Should we add the **rollback** steps here?"
    assert reply["parent_id"] == first["id"] and reply["body"] == "Yes, I will add them this week."
    assert first["url"].endswith(f"focusedCommentId={first['id']}#comment-{first['id']}")


async def test_confluence_get_comments_not_found(site: Site) -> None:
    assert NOT_FOUND_HINT in error(await run(site, "confluence_get_comments", page_id="999999999"))


async def test_confluence_get_comments_bad_id(site: Site) -> None:
    assert "page_id: expected a numeric id" in error(await run(site, "confluence_get_comments", page_id="abc"))


async def test_confluence_add_comment(site: Site) -> None:
    added = ok(await run(site, "confluence_add_comment", page_id="65540", body="Ship it **today**"))
    assert set(added) == {"id", "page_id", "url"} and added["page_id"] == "65540"


async def test_confluence_add_comment_not_found(site: Site) -> None:
    assert NOT_FOUND_HINT in error(await run(site, "confluence_add_comment", page_id="999999999", body="x"))


async def test_confluence_reply_to_comment(site: Site) -> None:
    # the seeded comments are numbered from 30001 on both flavours; 30001 is the first on page 65539
    reply = ok(await run(site, "confluence_reply_to_comment", comment_id="30001", body="Done"))
    assert reply["parent_id"] == "30001" and reply["page_id"] == "65539"


async def test_confluence_reply_to_comment_not_found(site: Site) -> None:
    assert NOT_FOUND_HINT in error(await run(site, "confluence_reply_to_comment", comment_id="39999", body="x"))


async def test_confluence_get_inline_comments(site: Site) -> None:
    found = ok(await run(site, "confluence_get_inline_comments", page_id="65539"))
    [comment] = found["comments"]
    assert comment["selection"] == "frozen on Fridays" and comment["resolution"] == "open"
    assert comment["body"] == "Is this still true?"


async def test_confluence_get_inline_comments_not_found(site: Site) -> None:
    assert NOT_FOUND_HINT in error(await run(site, "confluence_get_inline_comments", page_id="999999999"))


async def test_confluence_add_inline_comment(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("adapter.handlers.confluence_misc._now_ms", lambda: "1793610000000")  # recorded in the body
    added = ok(
        await run(site, "confluence_add_inline_comment", page_id="65539", body="Since when?", text_selection="Fridays")
    )
    assert added["selection"] == "Fridays" and added["page_id"] == "65539"


async def test_confluence_add_inline_comment_text_missing(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("adapter.handlers.confluence_misc._now_ms", lambda: "1793610000000")
    text = error(await run(site, "confluence_add_inline_comment", page_id="65539", body="x", text_selection="Mondays"))
    assert "Confluence answered 400" in text and "text selection" in text


async def test_confluence_add_inline_comment_bad_index(site: Site) -> None:
    text = error(await run(site, "confluence_add_inline_comment", page_id="65539", body="x", text_selection="a",
                           text_selection_match_index=1))  # fmt: skip
    assert text == "text_selection_match_index must be lower than text_selection_match_count"


# --- labels ----------------------------------------------------------------------------------------------------


async def test_confluence_get_labels(site: Site) -> None:
    assert ok(await run(site, "confluence_get_labels", page_id="65539")) == {
        "page_id": "65539", "labels": ["deploy", "howto"], "more": False}  # fmt: skip


async def test_confluence_get_labels_not_found(site: Site) -> None:
    assert NOT_FOUND_HINT in error(await run(site, "confluence_get_labels", page_id="65548"))  # a hidden space


async def test_confluence_add_label(site: Site) -> None:
    added = ok(await run(site, "confluence_add_label", page_id="65539", name="Reviewed"))
    assert added == {"page_id": "65539", "added": "reviewed", "labels": ["deploy", "howto", "reviewed"], "more": False}


async def test_confluence_add_label_bad_name(site: Site) -> None:
    text = error(await run(site, "confluence_add_label", page_id="65539", name="two words"))
    assert text.startswith("name: a label is one word")


# --- users -----------------------------------------------------------------------------------------------------


async def test_confluence_search_user(site: Site) -> None:
    found = ok(await run(site, "confluence_search_user", query="brown"))
    [bob] = found["users"]
    assert bob["display_name"] == "Bob Brown"
    assert bob.get("account_id" if site.flavor == "cloud" else "name") == (
        "5d5f7a1b2c3d4e5f60718292" if site.flavor == "cloud" else "bob"
    )


async def test_confluence_search_user_bad_cql(site: Site) -> None:
    assert "Confluence answered 400" in error(await run(site, "confluence_search_user", query="user.fullname = "))


@pytest.mark.parametrize("flavor", ["datacenter"])
async def test_confluence_search_user_group_not_found(site: Site) -> None:
    text = error(await run(site, "confluence_search_user", query="bob", group_name="no-such-group"))
    assert NOT_FOUND_HINT in text


# --- analytics, templates, permissions (Cloud only) -----------------------------------------------------------


@pytest.mark.parametrize("flavor", ["cloud"])
async def test_confluence_get_page_views(site: Site) -> None:
    views = ok(await run(site, "confluence_get_page_views", page_id="65539", include_title=True))
    assert views["page_id"] == "65539" and views["title"] == "Deploy guide" and views["views"] > 0


@pytest.mark.parametrize("flavor", ["cloud"])
async def test_confluence_get_page_views_not_found(site: Site) -> None:
    assert NOT_FOUND_HINT in error(await run(site, "confluence_get_page_views", page_id="999999999"))


@pytest.mark.parametrize("flavor", ["cloud"])
async def test_confluence_list_page_templates(site: Site) -> None:
    listed = ok(await run(site, "confluence_list_page_templates"))
    assert listed == {"templates": [{"id": "1001", "name": "Meeting notes",
                                     "description": "Date, attendees, notes, actions.", "labels": ["meeting-notes"]}],
                      "more": False}  # fmt: skip


@pytest.mark.parametrize("flavor", ["cloud"])
async def test_confluence_list_page_templates_no_space(site: Site) -> None:
    assert NOT_FOUND_HINT in error(await run(site, "confluence_list_page_templates", space_key="NOPE"))


@pytest.mark.parametrize("flavor", ["cloud"])
async def test_confluence_get_page_template(site: Site) -> None:
    template = ok(await run(site, "confluence_get_page_template", template_id="1002"))
    assert template["space"] == "DEV" and template["name"] == "Runbook"
    assert template["body"] == "## Symptoms\n\nWhat you see.\n\n## Fix\n\n1. First step"


@pytest.mark.parametrize("flavor", ["cloud"])
async def test_confluence_get_page_template_not_found(site: Site) -> None:
    assert NOT_FOUND_HINT in error(await run(site, "confluence_get_page_template", template_id="1003"))


@pytest.mark.parametrize("flavor", ["cloud"])
async def test_confluence_create_page_from_template(site: Site) -> None:
    page = ok(await run(site, "confluence_create_page_from_template", space_key="DEV", title="Runbook: billing",
                        template_id="1002"))  # fmt: skip
    assert page["title"] == "Runbook: billing" and page["version"] == 1 and "/spaces/DEV/pages/" in page["url"]


@pytest.mark.parametrize("flavor", ["cloud"])
async def test_confluence_create_page_from_template_title_taken(site: Site) -> None:
    text = error(await run(site, "confluence_create_page_from_template", space_key="DEV", title="Guides",
                           template_id="1002"))  # fmt: skip
    assert "A page with this title already exists" in text


@pytest.mark.parametrize("flavor", ["cloud"])
async def test_confluence_check_content_permissions(site: Site) -> None:
    check = ok(await run(site, "confluence_check_content_permissions", content_id="65539", user_identifier=ALICE,
                         operation="update"))  # fmt: skip
    assert check == {"content_id": "65539", "subject": f"user:{ALICE}", "operation": "update", "has_permission": True}
    denied = ok(await run(site, "confluence_check_content_permissions", content_id="65539", user_identifier=ALICE,
                          operation="delete"))  # fmt: skip
    assert denied["has_permission"] is False and denied["reasons"] == ["User does not have permission to the content"]


@pytest.mark.parametrize("flavor", ["cloud"])
async def test_confluence_check_content_permissions_bad_operation(site: Site) -> None:
    text = error(await run(site, "confluence_check_content_permissions", content_id="65539", user_identifier=ALICE,
                           operation="purge"))  # fmt: skip
    assert text.startswith("operation: 'purge' is not one of")


@pytest.mark.parametrize("flavor", ["cloud"])
async def test_confluence_get_space_permissions(site: Site) -> None:
    first = ok(await run(site, "confluence_get_space_permissions", space_id="98305", limit=3))
    assert first["permissions"] == [{"principal": "group:b1f0c5a2-7e6d-4c1b-9a3e-000000000001",
                                     "operations": ["read space", "create page", "create comment"]}]  # fmt: skip
    rest = ok(await run(site, "confluence_get_space_permissions", space_id="98305", limit=100,
                        cursor=first["next_cursor"]))  # fmt: skip
    assert "next_cursor" not in rest
    assert {"principal": f"user:{ALICE}", "operations": ["read space", "create page", "administer space"]} in rest[
        "permissions"
    ]


@pytest.mark.parametrize("flavor", ["cloud"])
async def test_confluence_get_space_permissions_hidden_space(site: Site) -> None:
    assert NOT_FOUND_HINT in error(await run(site, "confluence_get_space_permissions", space_id="98307"))
