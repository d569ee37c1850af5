"""The native-document loader and its checks (native.py) on files of all three formats, written to a temp folder."""

from __future__ import annotations

import json
from pathlib import Path

from . import native

LAYOUT = (
    '<ac:layout><ac:layout-section ac:type="two_equal" ac:breakout-mode="default"><ac:layout-cell><p>l&nbsp;</p>'
    '</ac:layout-cell><ac:layout-cell><ac:structured-macro ac:name="someFutureMacro" ac:schema-version="1" '
    'ac:macro-id="abc"><ac:parameter ac:name="x">1 &gt; 0</ac:parameter></ac:structured-macro></ac:layout-cell>'
    "</ac:layout-section></ac:layout>"
)


def write(root: Path, fmt: str, name: str, body: str, md: str | None) -> None:
    (root / fmt).mkdir(parents=True, exist_ok=True)
    (root / fmt / f"{name}{native.EXTENSIONS[fmt]}").write_text(body)
    if md is not None:
        (root / fmt / f"{name}.md").write_text(md)


def test_every_file_of_every_format_is_picked_up(tmp_path: Path) -> None:
    doc = {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": "hi"}]}]}
    write(tmp_path, "adf", "para-plain", json.dumps(doc), "hi\n")
    write(tmp_path, "storage", "layout-two", LAYOUT, None)
    write(tmp_path, "wiki", "emoticon-all", "(y) ok", "x")
    (tmp_path / "wiki" / "notes.txt").write_text("not a document")
    found = native.documents(tmp_path)
    assert [(d.fmt, d.name, d.feature) for d in found] == [
        ("adf", "para-plain", "para"),
        ("storage", "layout-two", "layout"),
        ("wiki", "emoticon-all", "emoticon"),
    ]
    assert found[0].source == doc and found[0].expected == "hi\n" and found[1].expected is None
    assert native.check(found[0]).ok
    assert not native.check(found[1]).read  # no .md: never counted as read


def test_storage_meaning_counts_layouts_and_unknown_macros_despite_html_entities() -> None:
    counts = native.storage_meaning(LAYOUT)
    assert counts["ac:layout"] == 1 and counts["ac:layout-section"] == 1 and counts["ac:layout-cell"] == 2
    assert counts["macro:someFutureMacro"] == 1 and counts["ac:parameter"] == 1
    lost = native.storage_meaning(LAYOUT) - native.storage_meaning("<p>l</p>")
    assert lost["ac:layout"] == 1


def test_adf_meaning_sees_a_lost_url_or_span_and_ignores_ids() -> None:
    def card(url: str) -> dict[str, object]:
        return {"type": "inlineCard", "attrs": {"url": url, "localId": url[-1]}}

    assert native.adf_meaning(card("https://a/browse/X-1")) != native.adf_meaning(card("https://b/browse/X-1"))
    cell = {"type": "tableCell", "attrs": {"colspan": 2}, "content": []}
    assert native.adf_meaning(cell) != native.adf_meaning({**cell, "attrs": {"colspan": 1}})
    assert native.adf_meaning({**cell, "attrs": {"colspan": 1, "localId": "z"}}) == native.adf_meaning(
        {"type": "tableCell", "content": []}
    )


def test_a_raw_fallback_is_unclean_unless_expected(tmp_path: Path) -> None:
    ext = {
        "type": "extension",
        "attrs": {"extensionKey": "toc", "extensionType": "com.atlassian.confluence.macro.core"},
    }
    doc = {"type": "doc", "version": 1, "content": [ext]}
    write(tmp_path, "adf", "ext-toc", json.dumps(doc), "whatever")
    result = native.check(native.documents(tmp_path)[0])
    assert not result.clean and not result.read
    expected = result.markdown + "\n"
    write(tmp_path, "adf", "ext-toc", json.dumps(doc), expected)
    assert native.check(native.documents(tmp_path)[0]).ok  # the .md expects the fallback: clean
