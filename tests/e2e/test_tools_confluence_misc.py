"""Every confluence_misc tool through mcp.Client against the sandbox: comment, reply and label flows read back."""

from __future__ import annotations

import pytest

from tests.e2e.harness import ok, sandboxed

FLAVORS = ["cloud", "datacenter"]
ALICE = "5d5f7a1b2c3d4e5f60718291"


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_comment_reply_and_read_back(flavor: str) -> None:
    async with sandboxed(flavor, TOOLSETS="all") as (_, client):
        added = ok(await client.call_tool("confluence_add_comment", {"page_id": "65540", "body": "Looks **good**"}))
        assert added["page_id"] == "65540" and "url" in added
        reply = ok(await client.call_tool("confluence_reply_to_comment", {"comment_id": added["id"], "body": "Thanks"}))
        assert reply["parent_id"] == added["id"]
        read = ok(await client.call_tool("confluence_get_comments", {"page_id": "65540"}))
        assert [(c["id"], c.get("parent_id"), c["body"]) for c in read["comments"]] == [
            (added["id"], None, "Looks **good**"),
            (reply["id"], added["id"], "Thanks"),
        ]
        assert read["more"] is False


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_inline_comment_flow(flavor: str) -> None:
    async with sandboxed(flavor, TOOLSETS="all") as (_, client):
        seeded = ok(await client.call_tool("confluence_get_inline_comments", {"page_id": "65539"}))
        assert [c["selection"] for c in seeded["comments"]] == ["frozen on Fridays"]
        added = ok(await client.call_tool("confluence_add_inline_comment", {
            "page_id": "65539", "body": "Why *Fridays*?", "text_selection": "Fridays"}))  # fmt: skip
        assert added["selection"] == "Fridays"
        read = ok(await client.call_tool("confluence_get_inline_comments", {"page_id": "65539"}))
        assert [c["body"] for c in read["comments"]][-1] == "Why *Fridays*?"
        wrong = await client.call_tool("confluence_add_inline_comment", {
            "page_id": "65539", "body": "x", "text_selection": "not on the page"})  # fmt: skip
        assert wrong.is_error and "400" in wrong.content[0].text


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_labels_and_user_search(flavor: str) -> None:
    async with sandboxed(flavor, TOOLSETS="all") as (_, client):
        added = ok(await client.call_tool("confluence_add_label", {"page_id": "65541", "name": "Reviewed"}))
        assert added == {"page_id": "65541", "added": "reviewed", "labels": ["architecture", "reviewed"], "more": False}
        read = ok(await client.call_tool("confluence_get_labels", {"page_id": "65541"}))
        assert read["labels"] == ["architecture", "reviewed"]
        users = ok(await client.call_tool("confluence_search_user", {"query": "alice"}))
        assert [u["display_name"] for u in users["users"]] == ["Alice Anders"]
        if flavor == "datacenter":
            group = ok(
                await client.call_tool("confluence_search_user", {"query": "brown", "group_name": "confluence-users"})
            )
            assert [u["name"] for u in group["users"]] == ["bob"]


@pytest.mark.parametrize("flavor", ["cloud"])
async def test_cloud_only_tools(flavor: str) -> None:
    async with sandboxed(flavor, TOOLSETS="all") as (_, client):
        views = ok(await client.call_tool("confluence_get_page_views", {"page_id": "65539", "include_title": True}))
        assert views["title"] == "Deploy guide" and views["views"] > 0
        listed = ok(await client.call_tool("confluence_list_page_templates", {"space_key": "DEV"}))
        assert [t["name"] for t in listed["templates"]] == ["Runbook"]
        template = ok(await client.call_tool("confluence_get_page_template", {"template_id": "1002"}))
        assert template["body"].startswith("## Symptoms")
        page = ok(await client.call_tool("confluence_create_page_from_template", {
            "space_key": "DEV", "title": "Runbook: billing", "template_id": "1002", "parent_id": "65538"}))  # fmt: skip
        assert page["title"] == "Runbook: billing" and page["version"] == 1
        check = ok(await client.call_tool("confluence_check_content_permissions", {
            "content_id": "65539", "user_identifier": ALICE, "operation": "delete"}))  # fmt: skip
        assert check["has_permission"] is False and check["reasons"]
        first = ok(await client.call_tool("confluence_get_space_permissions", {"space_id": "98305", "limit": 4}))
        following = ok(await client.call_tool("confluence_get_space_permissions", {
            "space_id": "98305", "limit": 50, "cursor": first["next_cursor"]}))  # fmt: skip
        assert "next_cursor" not in following and following["permissions"]


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_spaces_filter_is_a_hard_limit(flavor: str) -> None:
    async with sandboxed(flavor, TOOLSETS="all", CONFLUENCE_SPACES_FILTER="OPS") as (_, client):
        refused = await client.call_tool("confluence_add_comment", {"page_id": "65539", "body": "x"})
        assert refused.is_error and "outside this server's spaces" in refused.content[0].text
        allowed = ok(await client.call_tool("confluence_get_labels", {"page_id": "65547"}))
        assert allowed["labels"] == ["oncall"]
