"""Issue 12, ADF classes: what fell back to a raw ```adf block or lost meaning, now readable and lossless.

Each class is checked on several documents: ADF -> Markdown holds no raw fallback and says what it should; Markdown
-> ADF gives back the document (ids aside) and every ADF we emit validates against Atlassian's schema.
"""

from __future__ import annotations

from typing import Any

import pytest

from adapter.content.adf import adf_to_markdown, markdown_to_adf
from tests.fidelity.adf_schema import problems

Node = dict[str, Any]
OTHER = "https://acme.atlassian.net"  # the Markdown side does not know the site (the tools pass none)


def t(text: str, *marks: Any) -> Node:
    return {"type": "text", "text": text} | (
        {"marks": [{"type": m} if isinstance(m, str) else m for m in marks]} if marks else {}
    )


def p(*content: Node, align: str | None = None) -> Node:
    node: Node = {"type": "paragraph", "content": list(content)}
    return node | ({"marks": [{"type": "alignment", "attrs": {"align": align}}]} if align else {})


def doc(*content: Node) -> Node:
    return {"type": "doc", "version": 1, "content": list(content)}


def c(*content: Node, kind: str = "tableCell", **attrs: Any) -> Node:
    return (
        {"type": kind, "attrs": attrs, "content": list(content) or [p()]}
        if attrs
        else {"type": kind, "content": list(content) or [p()]}
    )


def h(*content: Node, **attrs: Any) -> Node:
    return c(*content, kind="tableHeader", **attrs)


def tr(*cells: Node) -> Node:
    return {"type": "tableRow", "content": list(cells)}


def table(*rows: Node, **attrs: Any) -> Node:
    return {"type": "table", "content": list(rows)} | ({"attrs": attrs} if attrs else {})


def strip(node: Any) -> Any:
    """Ids are new on every write (documented); everything else must come back."""
    if isinstance(node, list):
        return [strip(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: strip(v) for k, v in node.items() if k != "localId"}
    if out.get("attrs") == {}:
        del out["attrs"]
    return out


def check(document: Node, *, contains: tuple[str, ...] = (), site: str | None = None) -> str:
    assert problems(document) == [], "the test document itself must be valid ADF"
    md = adf_to_markdown(document, site_url=site)
    assert "```adf" not in md and "adf:" not in md, md
    for part in contains:
        assert part in md, md
    back = markdown_to_adf(md, site_url=site)
    assert problems(back) == [], (md, problems(back))
    assert strip(back) == strip(document), md
    assert adf_to_markdown(back, site_url=site) == md
    return md


LIST = {
    "type": "bulletList",
    "content": [{"type": "listItem", "content": [p(t("one"))]}, {"type": "listItem", "content": [p(t("two"))]}],
}
PANEL = {"type": "panel", "attrs": {"panelType": "warning"}, "content": [p(t("careful"))]}
CODE = {"type": "codeBlock", "attrs": {"language": "python"}, "content": [t("print(1)")]}
NESTED = {"type": "nestedExpand", "attrs": {"title": "More"}, "content": [p(t("hidden "), t("bold", "strong"))]}

SPANS = [
    pytest.param(
        table(tr(h(p(t("Quarter")), colspan=2)), tr(c(p(t("Q1")), rowspan=2), c(p(t("Jan")))), tr(c(p(t("Feb"))))),
        id="colspan-rowspan",
    ),
    pytest.param(table(tr(h(p(t("a"))), h(p(t("b")))), tr(c(p(t("wide")), colspan=2))), id="colspan-body"),
    pytest.param(table(tr(h(p(t("k"))), c(p(t("v")))), tr(h(p(t("k2"))), c(p(t("v2"))))), id="header-column"),
    pytest.param(
        table(tr(h(p(t("a")), background="#deebff", colwidth=[120]), h(p(t("b")), colwidth=[240]))),
        id="background-colwidth",
    ),
    pytest.param(table(tr(c(p(t("no header")))), isNumberColumnEnabled=True, layout="wide"), id="numbered-no-header"),
]
BLOCK_CELLS = [
    pytest.param(table(tr(h(p(t("Step"))), h(p(t("Details")))), tr(c(p(t("1"))), c(LIST))), id="list"),
    pytest.param(table(tr(h(p(t("Step"))), h(p(t("Details")))), tr(c(p(t("2"))), c(PANEL))), id="panel"),
    pytest.param(table(tr(h(p(t("Step"))), h(p(t("Details")))), tr(c(p(t("3"))), c(CODE))), id="code"),
    pytest.param(table(tr(h(p(t("Step"))), h(p(t("Details")))), tr(c(p(t("4"))), c(NESTED))), id="nested-expand"),
    pytest.param(
        table(tr(h(p(t("Step"))), h(p(t("Details")))), tr(c(p(t("5"))), c(p(t("a")), p(t("b"))))), id="two-paragraphs"
    ),
]


@pytest.mark.parametrize("document", SPANS + BLOCK_CELLS)
def test_tables_markdown_cannot_hold_as_gfm_are_html_tables(document: Node) -> None:
    md = check(doc(document), contains=("<table", "<t"))
    assert md.startswith("<table")


def test_cell_words_are_readable_in_the_html_table() -> None:
    md = check(doc(table(tr(h(p(t("Quarter")), colspan=2)), tr(c(p(t("x ")), p(t("y", "strong"))), c(p(t("z")))))))
    assert '<th colspan="2">Quarter</th>' in md
    assert "**y**" in md


def test_a_table_after_and_inside_an_expand() -> None:
    spans = table(tr(h(p(t("a")), colspan=2)), tr(c(p(t("b"))), c(p(t("c")))))
    check(doc(p(t("before")), spans, p(t("after"))))
    check(doc({"type": "expand", "attrs": {"title": "T"}, "content": [spans]}))


ALIGNED = [
    "| a | b | c |\n| --- | :-: | --: |\n| 1 | 2 | 3 |",
    "| Name | Price |\n| --- | --: |\n| tea | 1.50 |\n| cake | 3.00 |",
    "| centred |\n| :-: |\n| x |",
]


@pytest.mark.parametrize("md", ALIGNED)
def test_gfm_column_alignment_survives(md: str) -> None:
    adf = markdown_to_adf(md)
    assert problems(adf) == []
    assert '"alignment"' in str(adf).replace("'", '"')
    assert adf_to_markdown(adf) == md


def test_alignment_is_the_adf_alignment_mark_on_cell_paragraphs() -> None:
    adf = markdown_to_adf("| a | b |\n| :-: | --: |\n| 1 | 2 |")
    body = adf["content"][0]["content"][1]["content"]
    assert body[0]["content"][0]["marks"] == [{"type": "alignment", "attrs": {"align": "center"}}]
    assert body[1]["content"][0]["marks"] == [{"type": "alignment", "attrs": {"align": "end"}}]


@pytest.mark.parametrize("md", ["<mail@example.com>", "Write to <ops@example.org> today.", "- <a.b+c@x.io>"])
def test_email_autolinks_come_back_as_autolinks(md: str) -> None:
    adf = markdown_to_adf(md)
    assert problems(adf) == []
    assert adf_to_markdown(adf) == md


ISSUES = [
    (f"{OTHER}/browse/PROJ-42", None),
    (f"{OTHER}/browse/PROJ-42", "https://example.atlassian.net"),  # an issue of another site
    ("https://jira.example.com/browse/OPS-7", None),
]


@pytest.mark.parametrize(("url", "site"), ISSUES)
def test_inline_card_to_an_issue_keeps_its_url_and_node(url: str, site: str | None) -> None:
    key = url.rsplit("/", 1)[1]
    card = {"type": "inlineCard", "attrs": {"url": url}}
    md = check(doc(p(t("See "), card, t(" now."))), contains=(f"[{key}]({url})",), site=site)
    assert "jira:" not in md


def test_a_plain_link_named_like_its_issue_stays_a_link() -> None:
    check(doc(p(t("PROJ-42", {"type": "link", "attrs": {"href": f"{OTHER}/browse/PROJ-42"}}))))


def test_layouts_are_readable_and_come_back() -> None:
    def col(width: float, *content: Node) -> Node:
        return {"type": "layoutColumn", "attrs": {"width": width}, "content": list(content)}

    two = {"type": "layoutSection", "content": [col(50, p(t("left"))), col(50, p(t("right")), LIST)]}
    three = {"type": "layoutSection", "content": [col(33.33, p(t("a"))), col(33.33, p(t("b"))), col(33.33, p(t("c")))]}
    md = check(doc(p(t("intro")), two, three, p(t("end"))), contains=("left", "right", "- one"))
    assert "<!-- layout-section" in md


def test_decisions_are_readable_and_come_back() -> None:
    item = {"type": "decisionItem", "attrs": {"localId": "d1", "state": "DECIDED"}, "content": [t("Ship it")]}
    md = check(
        doc({"type": "decisionList", "attrs": {"localId": "dl"}, "content": [item, item]}), contains=("Ship it",)
    )
    assert "{" not in md


MEDIA = {"type": "media", "attrs": {"type": "file", "id": "6e7c-1", "collection": "contentId-42", "alt": "shot.png"}}


@pytest.mark.parametrize(
    "attrs",
    [
        {"layout": "wrap-left", "width": 50},
        {"layout": "wide"},
        {"layout": "center", "width": 640, "widthType": "pixel"},
    ],
)
def test_media_single_keeps_its_layout_and_width(attrs: dict[str, Any]) -> None:
    md = check(doc({"type": "mediaSingle", "attrs": attrs, "content": [MEDIA]}))
    assert md.startswith('![shot.png](media:6e7c-1 "contentId-42; ')


@pytest.mark.parametrize(
    ("written", "color"),
    [("red", "#ff0000"), ("rgb(255, 86, 48)", "#ff5630"), ("#FFF", "#ffffff"), ("#BF2600", "#bf2600")],
)
def test_text_colour_is_the_shared_span_form_with_six_digit_hex(written: str, color: str) -> None:
    adf = markdown_to_adf(f'a <span style="color: {written}">word</span>')
    assert problems(adf) == []
    assert adf["content"][0]["content"][1]["marks"] == [{"type": "textColor", "attrs": {"color": color}}]
    assert adf_to_markdown(adf) == f'a <span style="color: {color}">word</span>'


@pytest.mark.parametrize(
    "md",
    [
        "*a `code` b*",  # ADF's code mark allows no emphasis beside it
        "**[`x`](https://e.com)**",
        "<details><summary>T</summary>\n\n<details>\n\nx\n\n</details>\n\n</details>",  # a nestedExpand has attrs
        "<details><details>)<",
    ],
)
def test_markdown_atlassian_would_reject_is_written_valid(md: str) -> None:
    assert problems(markdown_to_adf(md)) == []


def test_an_aligned_table_flattened_into_an_expand_keeps_no_cell_marks() -> None:
    md = "<details><summary>T</summary>\n\n<details>\n\n| a | b |\n| :-: | --: |\n| 1 | 2 |\n\n</details>\n\n</details>"
    assert problems(markdown_to_adf(md)) == []


def test_cell_text_that_looks_like_entities_stays_text() -> None:
    check(doc(table(tr(h(p(t("a &amp; b &#32; <x>")), colspan=2)), tr(c(p(t("1 | 2"))), c(p(t("*")))))))


def test_aligned_paragraphs_and_headings_are_html_with_align() -> None:
    heading = {"type": "heading", "attrs": {"level": 2}, "content": [t("Title")]}
    heading |= {"marks": [{"type": "alignment", "attrs": {"align": "center"}}]}
    md = check(
        doc(heading, p(t("centred "), t("bold", "strong"), align="center"), p(t("right"), align="end"), p(t("x")))
    )
    assert md.startswith('<h2 align="center">Title</h2>\n\n<p align="center">centred **bold**</p>')
