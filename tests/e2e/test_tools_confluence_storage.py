"""A page written the way Confluence's editor writes it, read and edited through the MCP tools: the layout, an
unknown macro (byte for byte) and the panel parameters survive an edit elsewhere in the page."""

from __future__ import annotations

import pytest

from tests.e2e.harness import ok, sandboxed

UNKNOWN = (
    '<ac:structured-macro ac:name="recently-updated" ac:schema-version="1" ac:macro-id="77d0"><ac:parameter '
    'ac:name="spaces"><ri:space ri:space-key="DEV" /></ac:parameter><ac:parameter ac:name="label">a>b</ac:parameter>'
    "</ac:structured-macro>"
)
PAGE = (
    '<ac:layout><ac:layout-section ac:type="two_equal" ac:breakout-mode="default"><ac:layout-cell><p>Intro</p>'
    '</ac:layout-cell><ac:layout-cell><ac:structured-macro ac:name="info" ac:schema-version="1"><ac:parameter '
    'ac:name="icon">false</ac:parameter><ac:rich-text-body><p>Note</p></ac:rich-text-body></ac:structured-macro>'
    f'</ac:layout-cell></ac:layout-section><ac:layout-section ac:type="single"><ac:layout-cell>{UNKNOWN}'
    "</ac:layout-cell></ac:layout-section></ac:layout>"
)


@pytest.mark.parametrize("flavor", ["cloud", "datacenter"])
async def test_layout_and_unknown_macro_survive_an_edit(flavor: str) -> None:
    async with sandboxed(flavor) as (sandbox, client):
        sandbox.pages[65537].body = PAGE
        page = ok(await client.call_tool("confluence_get_page", {"page_id": "65537"}))
        md = page["body"]
        assert "<!-- layout-section two_equal breakout-mode=default -->" in md and "[!INFO icon=false]" in md
        ok(await client.call_tool("confluence_update_page", {
            "page_id": "65537", "title": page["title"], "content": md.replace("Intro", "Introduction"),
        }))  # fmt: skip
        after = sandbox.pages[65537].body
        assert "<p>Introduction</p>" in after and UNKNOWN in after
        assert after.count("<ac:layout-section") == 2 and after.count("<ac:layout-cell>") == 3
        assert 'ac:type="two_equal"' in after and 'ac:breakout-mode="default"' in after
        assert '<ac:parameter ac:name="icon">false</ac:parameter>' in after
