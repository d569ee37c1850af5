"""ADF <-> Markdown (adapter/content/adf.py): per-construct and whole-document round trips, escaping, real data.

The round-trip contract: ``norm(markdown_to_adf(adf_to_markdown(doc))) == norm(doc)`` where ``norm`` is the
normalisation documented in the module (ids, empty/null attrs, layout-only attrs); and canonical Markdown
survives ``adf_to_markdown(markdown_to_adf(md)) == md``.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from adapter.content.adf import adf_to_markdown, markdown_to_adf

SITE = "https://acme.atlassian.net"
REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata" / "jira-cloud-jira-cli"
RANK = ["link", "em", "strong", "textColor", "strike", "subsup", "underline", "code"]
Node = dict[str, Any]


# ---------------------------------------------------------------- helpers: builders, normaliser, validator


def t(text: str, *marks: Any) -> Node:
    node: Node = {"type": "text", "text": text}
    if marks:
        node["marks"] = [{"type": m} if isinstance(m, str) else m for m in marks]
    return node


def p(*content: Node) -> Node:
    return {"type": "paragraph", "content": list(content)}


def doc(*content: Node) -> Node:
    return {"type": "doc", "version": 1, "content": list(content)}


def li(*content: Node) -> Node:
    return {"type": "listItem", "content": list(content)}


def ul(*items: Node) -> Node:
    return {"type": "bulletList", "content": list(items)}


def ol(*items: Node, order: int = 1) -> Node:
    return {"type": "orderedList", "attrs": {"order": order}, "content": list(items)}


def link(href: str, **extra: str) -> Node:
    return {"type": "link", "attrs": {"href": href, **extra}}


def task(state: str, *content: Node) -> Node:
    node: Node = {"type": "taskItem", "attrs": {"localId": "t-" + state, "state": state}}
    return node | ({"content": list(content)} if content else {})


def tasks(*items: Node) -> Node:
    return {"type": "taskList", "attrs": {"localId": "tl"}, "content": list(items)}


def cell(kind: str, *content: Node, **attrs: Any) -> Node:
    return {"type": kind, "attrs": attrs, "content": list(content) or [{"type": "paragraph"}]}


def row(*cells: Node) -> Node:
    return {"type": "tableRow", "content": list(cells)}


def table(*rows: Node, **attrs: Any) -> Node:
    return {
        "type": "table",
        "attrs": {"isNumberColumnEnabled": False, "layout": "default", **attrs},
        "content": list(rows),
    }


def media(**attrs: Any) -> Node:
    return {"type": "media", "attrs": attrs}


def norm(node: Any) -> Any:
    """The documented normalisation (see the module docstring); applied to both sides of a round trip."""
    if isinstance(node, list):
        return [norm(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: norm(v) for k, v in node.items() if k not in ("attrs", "content", "marks")}
    kind = node.get("type")
    attrs = {k: v for k, v in (node.get("attrs") or {}).items() if k != "localId" and v not in (None, "")}
    if kind == "emoji":
        attrs = {"shortName": attrs["shortName"]}
    elif kind == "mention":
        attrs = {k: v for k, v in attrs.items() if k in ("id", "text")}
    elif kind == "hardBreak":
        attrs = {}
    elif kind == "table":
        attrs = {k: v for k, v in attrs.items() if k not in ("layout", "width", "displayMode")}
        attrs = {k: v for k, v in attrs.items() if (k, v) != ("isNumberColumnEnabled", False)}
    elif kind in ("tableCell", "tableHeader"):
        attrs = {k: v for k, v in attrs.items() if k != "colwidth" and (k, v) not in (("colspan", 1), ("rowspan", 1))}
    elif kind == "mediaSingle":
        attrs = {"layout": "center"} | attrs
    elif kind == "media":
        attrs = {k: v for k, v in attrs.items() if k not in ("width", "height")}
    elif kind == "orderedList":
        attrs = {"order": 1} | attrs
    if attrs:
        out["attrs"] = attrs
    if node.get("content"):
        out["content"] = norm(node["content"])
    if node.get("marks"):
        out["marks"] = sorted(norm(node["marks"]), key=lambda m: RANK.index(m["type"]) if m["type"] in RANK else 99)
    return out


def roundtrip(document: Node) -> tuple[str, Node]:
    md = adf_to_markdown(document, site_url=SITE)
    back = markdown_to_adf(md, site_url=SITE)
    validate(back)
    assert norm(back) == norm(document), md
    assert adf_to_markdown(back, site_url=SITE) == md  # and the Markdown is stable
    return md, back


INLINE = {"text", "hardBreak", "mention", "emoji", "date", "status", "inlineCard", "mediaInline", "inlineExtension"}
BLOCK_IN = {
    "doc": None,  # anything block-level
    "paragraph": INLINE,
    "heading": INLINE,
    "taskItem": INLINE,
    "decisionItem": INLINE,
    "bulletList": {"listItem"},
    "orderedList": {"listItem"},
    "taskList": {"taskItem", "taskList"},
    "decisionList": {"decisionItem"},
    "listItem": {"paragraph", "bulletList", "orderedList", "taskList", "codeBlock", "mediaSingle", "extension"},
    "blockquote": {"paragraph", "bulletList", "orderedList", "codeBlock", "mediaSingle", "mediaGroup", "extension"},
    "panel": {"paragraph", "heading", "bulletList", "orderedList", "taskList", "decisionList", "codeBlock", "rule"}
    | {"mediaSingle", "mediaGroup", "blockCard", "extension"},
    "table": {"tableRow"},
    "tableRow": {"tableHeader", "tableCell"},
    "codeBlock": {"text"},
    "mediaSingle": {"media"},
    "mediaGroup": {"media"},
}
LEAVES = {"text", "hardBreak", "mention", "emoji", "date", "status", "inlineCard", "blockCard", "rule", "media"}
BLOCKS = {"paragraph", "heading", "bulletList", "orderedList", "taskList", "decisionList", "blockquote", "panel"}
BLOCKS |= {
    "codeBlock",
    "rule",
    "table",
    "expand",
    "mediaSingle",
    "mediaGroup",
    "blockCard",
    "extension",
    "bodiedExtension",
}
MARKS = set(RANK) | {"annotation", "backgroundColor"}


def validate(node: Any, parent: str = "doc", path: str = "doc") -> None:
    """A small structural ADF validator: the rules Jira's validator rejects most often."""
    assert isinstance(node, dict) and isinstance(node.get("type"), str), path
    kind = node["type"]
    if path == "doc":
        assert kind == "doc" and node.get("version") == 1 and isinstance(node.get("content"), list), node
    content = node.get("content", [])
    assert isinstance(content, list), path
    if "marks" in node:
        assert kind == "text" and node["marks"], f"{path}: marks only on text nodes"
        assert all(m.get("type") in MARKS for m in node["marks"]), path
        assert len({m["type"] for m in node["marks"]}) == len(node["marks"]), f"{path}: duplicate mark"
    attrs = node.get("attrs", {})
    if kind == "text":
        assert isinstance(node.get("text"), str) and node["text"], f"{path}: empty text node"
    if kind in LEAVES:
        assert not content, f"{path}: {kind} takes no content"
    if kind == "heading":
        assert attrs.get("level") in range(1, 7), path
    if kind == "panel":
        assert attrs.get("panelType") in ("info", "note", "warning", "tip", "success", "error", "custom"), path
    if kind == "mediaSingle":
        assert attrs.get("layout"), path
    if kind == "media":
        assert attrs.get("type") in ("file", "external", "link"), path
        assert ("id" in attrs and "collection" in attrs) if attrs["type"] == "file" else "url" in attrs, path
    if kind in ("taskList", "taskItem"):
        assert attrs.get("localId"), f"{path}: tasks need localId"
    if kind == "taskItem":
        assert attrs.get("state") in ("TODO", "DONE"), path
    if kind == "taskList":
        assert content and content[0]["type"] == "taskItem", f"{path}: a task list starts with an item"
    if kind == "listItem":
        assert content and content[0]["type"] not in ("bulletList", "orderedList", "taskList"), path
    if kind in ("mention", "emoji", "date", "status", "inlineCard", "blockCard"):
        need = {"mention": "id", "emoji": "shortName", "date": "timestamp", "status": "color"}.get(kind, "url")
        assert isinstance(attrs.get(need), str), f"{path}: {kind} needs {need}"
    if kind == "orderedList":
        assert isinstance(attrs.get("order"), int), path
    if kind in ("bulletList", "orderedList", "taskList", "table", "tableRow", "blockquote", "panel", "expand"):
        assert content, f"{path}: {kind} needs content"
    allowed = BLOCK_IN.get(kind)
    for i, child in enumerate(content):
        where = f"{path}.{kind}[{i}]"
        assert isinstance(child, dict) and isinstance(child.get("type"), str), where
        if allowed is not None:
            assert child["type"] in allowed, f"{where}: {child['type']} not allowed in {kind}"
        elif kind in ("doc", "expand", "nestedExpand", "tableCell", "tableHeader"):
            assert child["type"] not in INLINE | {"listItem", "tableRow"}, f"{where}: {child['type']} is not a block"
        validate(child, kind, where)


def text_of(node: Any) -> str:
    if isinstance(node, list):
        return "".join(text_of(n) for n in node)
    return node.get("text", "") + text_of(node.get("content", [])) if isinstance(node, dict) else ""


# ---------------------------------------------------------------- nothing in, nothing out


@pytest.mark.parametrize("value", [None, {}, "", [], 5, {"type": "doc"}, {"type": "doc", "content": "x"}, doc()])
def test_empty_or_odd_documents_give_empty_markdown(value: Any) -> None:
    assert adf_to_markdown(value) == ""


def test_empty_markdown_gives_empty_doc() -> None:
    assert markdown_to_adf("") == doc()
    assert markdown_to_adf("   \n\n") == doc()


# ---------------------------------------------------------------- each construct, ADF -> Markdown -> ADF

CASES: list[tuple[str, Node, str]] = [
    ("paragraphs", doc(p(t("one")), p(t("two"))), "one\n\ntwo"),
    ("hard break", doc(p(t("a"), {"type": "hardBreak"}, t("b"))), "a\\\nb"),
    ("hard break at end", doc(p(t("a"), {"type": "hardBreak"})), "a<br>"),
    ("hard breaks only", doc(p({"type": "hardBreak"}, {"type": "hardBreak"}, t("x"))), "\\\n\\\nx"),
    ("lone hard break", doc(ul(li(p({"type": "hardBreak"})), li(p(t("b"))))), '- `adf:{"type":"hardBreak"}`\n- b'),
    *[
        (f"heading {n}", doc({"type": "heading", "attrs": {"level": n}, "content": [t("Title")]}), "#" * n + " Title")
        for n in range(1, 7)
    ],
    (
        "strong em code strike",
        doc(p(t("b", "strong"), t(" "), t("i", "em"), t(" "), t("c", "code"), t(" "), t("s", "strike"))),
        "**b** *i* `c` ~~s~~",
    ),
    ("nested marks", doc(p(t("a", "strong"), t("b", "strong", "em"), t("c", "strong"))), "**a*b*c**"),
    ("underline", doc(p(t("u", "underline"))), "<u>u</u>"),
    (
        "sub and sup",
        doc(
            p(
                t("H"),
                t("2", {"type": "subsup", "attrs": {"type": "sub"}}),
                t("O x"),
                t("2", {"type": "subsup", "attrs": {"type": "sup"}}),
            )
        ),
        "H<sub>2</sub>O x<sup>2</sup>",
    ),
    (
        "text colour kept",
        doc(p(t("red", {"type": "textColor", "attrs": {"color": "#ff5630"}}))),
        '<span style="color: #ff5630">red</span>',
    ),
    ("link", doc(p(t("site", link("https://example.com/a?b=c&d=e")))), "[site](https://example.com/a?b=c&d=e)"),
    (
        "link with title and parens",
        doc(p(t("x", link("https://e.com/a_(b)", title='say "hi"')))),
        '[x](https://e.com/a_\\(b\\) "say \\"hi\\"")',
    ),
    ("link with space", doc(p(t("x", link("https://e.com/a b")))), "[x](<https://e.com/a b>)"),
    (
        "bold link",
        doc(p(t("a ", link("https://e.com")), t("b", link("https://e.com"), "strong"))),
        "[a **b**](https://e.com)",
    ),
    ("code link", doc(p(t("f()", link("https://e.com"), "code"))), "[`f()`](https://e.com)"),
    ("code with backticks", doc(p(t("a `b` c", "code"))), "``a `b` c``"),
    ("code with edge backtick", doc(p(t("`x", "code"))), "`` `x ``"),
    ("code with edge spaces", doc(p(t(" x ", "code"))), "`  x  `"),
    ("bullet list", doc(ul(li(p(t("a"))), li(p(t("b"))))), "- a\n- b"),
    ("nested lists", doc(ul(li(p(t("a")), ul(li(p(t("b")), ol(li(p(t("c"))))))))), "- a\n  - b\n    1. c"),
    ("ordered start kept", doc(ol(li(p(t("x"))), li(p(t("y"))), order=7)), "7. x\n8. y"),
    ("ordered start in item", doc(ul(li(p(t("a")), ol(li(p(t("b"))), order=3)))), "- a\n\n  3. b"),
    (
        "item with paragraphs and code",
        doc(ul(li(p(t("a")), p(t("b")), {"type": "codeBlock", "content": [t("x\n  y")]}))),
        "- a\n\n  b\n\n  ```\n  x\n    y\n  ```",
    ),
    ("item starting with a list", doc(ul(li({"type": "paragraph"}, ul(li(p(t("x"))))))), "-\n  - x"),
    (
        "adjacent lists stay apart",
        doc(ul(li(p(t("a")))), ul(li(p(t("b")))), ol(li(p(t("c")))), ol(li(p(t("d")))), tasks(task("TODO", t("e")))),
        "- a\n\n* b\n\n1. c\n\n1) d\n\n- [ ] e",
    ),
    (
        "task list",
        doc(tasks(task("TODO", t("buy")), task("DONE", t("sell"), t("!", "strong")))),
        "- [ ] buy\n- [x] sell<strong>!</strong>",
    ),
    (
        "nested and empty tasks",
        doc(tasks(task("TODO", t("a")), tasks(task("DONE", t("b")), task("TODO")), task("TODO"))),
        "- [ ] a\n  - [x] b\n  - [ ]\n- [ ]",
    ),
    ("blockquote", doc({"type": "blockquote", "content": [p(t("q")), ul(li(p(t("x"))))]}), "> q\n>\n> - x"),
    (
        "code block",
        doc({"type": "codeBlock", "attrs": {"language": "python"}, "content": [t("print(1)\n\nx = '```'")]}),
        "````python\nprint(1)\n\nx = '```'\n````",
    ),
    ("empty code block", doc({"type": "codeBlock"}), "```\n```"),
    ("code block keeps trailing newline", doc({"type": "codeBlock", "content": [t("a\n")]}), "```\na\n\n```"),
    ("rule", doc(p(t("a")), {"type": "rule"}, p(t("b"))), "a\n\n---\n\nb"),
    (
        "table",
        doc(
            table(
                row(cell("tableHeader", p(t("H", "strong"))), cell("tableHeader", p(t("a|b")))),
                row(cell("tableCell", p(t("1"), {"type": "hardBreak"}, t("2"))), cell("tableCell")),
            )
        ),
        "| **H** | a\\|b |\n| --- | --- |\n| 1<br>2 |  |",
    ),
    ("table code with pipe", doc(table(row(cell("tableHeader", p(t("x|y", "code")))))), "| `x\\|y` |\n| --- |"),
    (
        "expand",
        doc({"type": "expand", "attrs": {"title": "More <b> & co"}, "content": [p(t("hidden"))]}),
        "<details><summary>More &lt;b&gt; &amp; co</summary>\n\nhidden\n\n</details>",
    ),
    ("expand without title", doc({"type": "expand", "content": [p(t("x"))]}), "<details>\n\nx\n\n</details>"),
    (
        "nested expand",
        doc(
            {
                "type": "expand",
                "attrs": {"title": "A"},
                "content": [{"type": "nestedExpand", "attrs": {"title": "B"}, "content": [p(t("x"))]}],
            }
        ),
        "<details><summary>A</summary>\n\n<details><summary>B</summary>\n\nx\n\n</details>\n\n</details>",
    ),
    (
        "mention",
        doc(
            p(
                t("hi "),
                {
                    "type": "mention",
                    "attrs": {"id": "557058:f5-8d", "text": "@Ann Lee", "accessLevel": "", "userType": "DEFAULT"},
                },
            )
        ),
        "hi [@Ann Lee](mention:557058:f5-8d)",
    ),
    ("mention without name", doc(p({"type": "mention", "attrs": {"id": "abc"}})), "[@abc](mention:abc)"),
    (
        "emoji",
        doc(
            p(
                t("ok "),
                {"type": "emoji", "attrs": {"shortName": ":smile:", "id": "1f604", "text": "😄"}},
                {"type": "emoji", "attrs": {"shortName": ":+1:"}},
            )
        ),
        "ok :smile::+1:",
    ),
    (
        "date at midnight",
        doc(p({"type": "date", "attrs": {"timestamp": "1714521600000"}})),
        "[2024-05-01](date:2024-05-01)",
    ),
    (
        "date with time",
        doc(p({"type": "date", "attrs": {"timestamp": "1714552200123"}})),
        "[2024-05-01](date:2024-05-01T08:30:00.123Z)",
    ),
    (
        "status",
        doc(p({"type": "status", "attrs": {"text": "IN PROGRESS", "color": "blue", "localId": "s1", "style": ""}})),
        "[IN PROGRESS](status:blue)",
    ),
    (
        "issue card",
        doc(p(t("see "), {"type": "inlineCard", "attrs": {"url": SITE + "/browse/PROJ-12"}})),
        "see [PROJ-12](jira:PROJ-12)",
    ),
    (
        "other card",
        doc(p(t("see "), {"type": "inlineCard", "attrs": {"url": "https://example.com/x_y"}}, t(" "))),
        "see <https://example.com/x_y>&#32;",
    ),
    (
        "block card",
        doc({"type": "blockCard", "attrs": {"url": "https://example.com/page"}}),
        "<https://example.com/page>",
    ),
    (
        "media single",
        doc(
            {
                "type": "mediaSingle",
                "attrs": {"layout": "center", "width": 50},
                "content": [
                    media(type="file", id="6e7c-1", collection="jira-2", alt="shot.png", width=800, height=600)
                ],
            }
        ),
        '![shot.png](media:6e7c-1 "jira-2; width=50")',  # the mediaSingle's layout and width ride in the title
    ),
    (
        "media external",
        doc(
            {
                "type": "mediaSingle",
                "attrs": {"layout": "center"},
                "content": [media(type="external", url="https://e.com/a.png", alt="logo")],
            }
        ),
        "![logo](https://e.com/a.png)",
    ),
    (
        "media group",
        doc(
            {
                "type": "mediaGroup",
                "content": [media(type="file", id="f1", collection="c"), media(type="file", id="f2", collection="")],
            }
        ),
        '[](media:f1 "c") [](media:f2)',
    ),
    (
        "one-file media group",
        doc({"type": "mediaGroup", "content": [media(type="file", id="f1", collection="c", alt="a.pdf")]}),
        '[a.pdf](media:f1 "c")',
    ),
]
PANELS = [
    (
        f"panel {kind}",
        doc({"type": "panel", "attrs": {"panelType": kind}, "content": [p(t("Body"))]}),
        f"> [!{kind.upper()}]\n> Body",
    )
    for kind in ("info", "note", "warning", "tip", "success", "error")
]
PANELS.append(
    (
        "panel starting with a list",
        doc({"type": "panel", "attrs": {"panelType": "note"}, "content": [ul(li(p(t("x"))))]}),
        "> [!NOTE]\n>\n> - x",
    )
)


@pytest.mark.parametrize(("name", "document", "markdown"), CASES + PANELS, ids=[c[0] for c in CASES + PANELS])
def test_construct_round_trips(name: str, document: Node, markdown: str) -> None:
    md, _ = roundtrip(document)
    assert md == markdown


FALLBACKS: list[tuple[str, Node]] = [
    (
        "extension",
        {"type": "extension", "attrs": {"extensionType": "com.atlassian.confluence.macro.core", "extensionKey": "toc"}},
    ),
    (
        "bodied extension",
        {"type": "bodiedExtension", "attrs": {"extensionKey": "x", "extensionType": "y"}, "content": [p(t("in"))]},
    ),
    (
        "custom panel",
        {
            "type": "panel",
            "attrs": {"panelType": "custom", "panelColor": "#abcdef", "panelIcon": ":smile:"},
            "content": [p(t("x"))],
        },
    ),
    # decision lists, layouts, aligned paragraphs, tables GFM cannot hold: see test_content_adf_classes.py
    ("code block named adf", {"type": "codeBlock", "attrs": {"language": "adf"}, "content": [t("{}")]}),
    (
        "media with caption",
        {
            "type": "mediaSingle",
            "attrs": {"layout": "center"},
            "content": [media(type="file", id="x", collection="c"), {"type": "caption", "content": [t("cap")]}],
        },
    ),
]


@pytest.mark.parametrize(("name", "node"), FALLBACKS, ids=[f[0] for f in FALLBACKS])
def test_what_markdown_cannot_hold_comes_back_verbatim(name: str, node: Node) -> None:
    md = adf_to_markdown(doc(node))
    assert md == "```adf\n" + json.dumps(node, separators=(",", ":"), ensure_ascii=False) + "\n```"
    assert markdown_to_adf(md)["content"] == [node]  # exact, localId and all


INLINE_FALLBACKS: list[tuple[str, Node]] = [
    ("inline extension", {"type": "inlineExtension", "attrs": {"extensionKey": "k", "extensionType": "t"}}),
    ("annotation mark", t("noted", {"type": "annotation", "attrs": {"id": "a1", "annotationType": "inlineComment"}})),
    ("background colour", t("hl", {"type": "backgroundColor", "attrs": {"color": "#fedec8"}})),
    ("link to our scheme", t("x", link("mention:123"))),
    ("javascript link", t("x", link("javascript:alert(1)"))),
    ("code that looks like a fallback", t("adf:{}", "code")),
    ("mediaInline", {"type": "mediaInline", "attrs": {"id": "m", "collection": "c", "type": "file"}}),
    ("unknown inline", {"type": "placeholder", "attrs": {"text": "Type here"}}),
]


@pytest.mark.parametrize(("name", "node"), INLINE_FALLBACKS, ids=[f[0] for f in INLINE_FALLBACKS])
def test_inline_nodes_markdown_cannot_hold_stay_inline(name: str, node: Node) -> None:
    document = doc(p(t("before "), node, t(" after")))
    md = adf_to_markdown(document)
    assert md.startswith("before `adf:{") and md.endswith("}` after"), md
    assert markdown_to_adf(md) == document


def test_a_lone_inline_card_is_not_mistaken_for_a_block_card() -> None:
    card = {"type": "inlineCard", "attrs": {"url": "https://example.com"}}
    md, back = roundtrip(doc(p(card)))
    assert md.startswith("`adf:") and back["content"][0]["type"] == "paragraph"
    assert markdown_to_adf("<https://example.com>")["content"] == [
        {"type": "blockCard", "attrs": {"url": "https://example.com"}}
    ]


def test_adjacent_fallbacks_share_one_span() -> None:
    ext = {"type": "inlineExtension", "attrs": {"extensionKey": "k", "extensionType": "t"}}
    md, _ = roundtrip(doc(p(t("a"), ext, ext, t("b"))))
    assert md.count("`adf:[") == 1


def test_emphasis_that_cannot_close_next_to_a_word_uses_html() -> None:
    md, _ = roundtrip(doc(p(t("a"), t("(b)", "strong"), t("c"))))
    assert md == "a<strong>(b)</strong>c"
    md, _ = roundtrip(doc(p(t("x"), t("'q'", "em"), t("y"))))
    assert md == "x<em>'q'</em>y"


# ---------------------------------------------------------------- normalisation that is documented, not lost


def test_whitespace_moves_out_of_emphasis() -> None:
    """`**Hello **world` would not be bold in Markdown: the space moves outside, the words keep their marks."""
    md = adf_to_markdown(doc(p(t("Hello ", "strong"), t("world"), t(" it", "em", "strong"))))
    assert md == "**Hello** world ***it***"
    assert markdown_to_adf(md) == doc(p(t("Hello", "strong"), t(" world "), t("it", "em", "strong")))


def test_empty_paragraphs_and_text_nodes_are_dropped() -> None:
    md = adf_to_markdown(doc(p(t("a")), {"type": "paragraph", "content": []}, p(t("")), p(t("b"))))
    assert md == "a\n\nb"


def test_adjacent_texts_merge_and_marks_sort() -> None:
    md = adf_to_markdown(doc(p(t("a"), t("b"), t("c", "strong", "em"))))
    assert md == "ab***c***"
    assert markdown_to_adf(md) == doc(p(t("ab"), t("c", "em", "strong")))


def test_markdown_output_carries_ids_only_where_adf_requires_them() -> None:
    back = markdown_to_adf("- [ ] a\n- [x] b")
    task_list = back["content"][0]
    ids = [task_list["attrs"]["localId"]] + [i["attrs"]["localId"] for i in task_list["content"]]
    assert len(set(ids)) == 3
    assert markdown_to_adf("- [ ] a")["content"][0]["attrs"]["localId"] != task_list["attrs"]["localId"]


# ---------------------------------------------------------------- one big document

BIG = doc(
    {"type": "heading", "attrs": {"level": 1, "localId": "h1"}, "content": [t("Release 2.0 #1")]},
    p(
        t("Shipped by "),
        {"type": "mention", "attrs": {"id": "5b10ac8d82e05b22cc7d4ef5", "text": "@Jo Doe", "accessLevel": ""}},
        t(" on "),
        {"type": "date", "attrs": {"timestamp": "1717200000000"}},
        t(": "),
        {"type": "status", "attrs": {"text": "DONE", "color": "green", "localId": "st"}},
        t(" "),
        {"type": "emoji", "attrs": {"shortName": ":tada:", "id": "1f389", "text": "🎉"}},
    ),
    p(
        t("Mixed "),
        t("bold", "strong"),
        t(", "),
        t("italic", "em"),
        t(", "),
        t("both", "strong", "em"),
        t(", "),
        t("code()", "code"),
        t(", "),
        t("gone", "strike"),
        t(", "),
        t("under", "underline"),
        t(", H"),
        t("2", {"type": "subsup", "attrs": {"type": "sub"}}),
        t("O, "),
        t("red", {"type": "textColor", "attrs": {"color": "#bf2600"}}),
        t(", "),
        t("docs", link("https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/")),
        t(" and "),
        {"type": "inlineCard", "attrs": {"url": SITE + "/browse/REL-42"}},
        t("."),
    ),
    p(t("Literal *stars*, _under_scores_, [brackets](x), `ticks`, <b>tags</b>, &amp; :not-emoji: | pipes ~~ #hash")),
    p(t("1. not a list"), {"type": "hardBreak"}, t("- not a bullet"), {"type": "hardBreak"}, t("> not a quote")),
    ul(
        li(p(t("first")), ul(li(p(t("nested")), ol(li(p(t("deep"))), order=2)))),
        li(p(t("second")), {"type": "codeBlock", "attrs": {"language": "bash"}, "content": [t("make test")]}),
    ),
    ol(li(p(t("one"))), li(p(t("two"))), order=5),
    tasks(task("DONE", t("write tests")), tasks(task("TODO", t("sub-task"))), task("TODO", t("ship it"))),
    {
        "type": "decisionList",
        "attrs": {"localId": "dl"},
        "content": [{"type": "decisionItem", "attrs": {"localId": "di", "state": "DECIDED"}, "content": [t("Go")]}],
    },
    {"type": "blockquote", "content": [p(t("Quoted "), t("text", "em"))]},
    *[
        {"type": "panel", "attrs": {"panelType": k}, "content": [p(t(k.title() + " panel"))]}
        for k in ("info", "note", "warning", "tip", "success", "error")
    ],
    {"type": "codeBlock", "attrs": {"language": "python"}, "content": [t('def f():\n    return "```"\n')]},
    {"type": "rule"},
    table(
        row(cell("tableHeader", p(t("Key")), colwidth=[120]), cell("tableHeader", p(t("Value")), colspan=1, rowspan=1)),
        row(cell("tableCell", p(t("a|b", "code"))), cell("tableCell", p(t("x"), {"type": "hardBreak"}, t("y")))),
        width=760,
        layout="center",
        localId="tbl",
    ),
    table(row(cell("tableHeader", ul(li(p(t("list in cell"))))))),
    {
        "type": "expand",
        "attrs": {"title": "Details"},
        "content": [p(t("Inside")), {"type": "nestedExpand", "attrs": {"title": "Deeper"}, "content": [p(t("x"))]}],
    },
    {
        "type": "mediaSingle",
        "attrs": {"layout": "center"},
        "content": [media(type="file", id="8f1e-2", collection="jira-10001-10002", alt="diagram.png")],
    },
    {
        "type": "mediaSingle",
        "attrs": {"layout": "center"},
        "content": [media(type="external", url="https://example.com/logo.png")],
    },
    {
        "type": "mediaGroup",
        "content": [
            media(type="file", id="a1", collection="c1", alt="spec.pdf"),
            media(type="file", id="a2", collection="c1"),
        ],
    },
    {"type": "blockCard", "attrs": {"url": "https://example.com/roadmap"}},
    {
        "type": "extension",
        "attrs": {
            "extensionType": "com.atlassian.jira",
            "extensionKey": "issue-list",
            "parameters": {"jql": "project = X"},
        },
    },
    {"type": "bodiedExtension", "attrs": {"extensionType": "t", "extensionKey": "k"}, "content": [p(t("body"))]},
    {"type": "someFutureNode", "attrs": {"x": 1}},
    p(t("End with "), {"type": "inlineExtension", "attrs": {"extensionType": "t", "extensionKey": "k"}}, t(" inline.")),
)


def test_big_document_round_trips() -> None:
    md, back = roundtrip(BIG)
    for expected in (
        "# Release 2.0 #1",
        "[@Jo Doe](mention:5b10ac8d82e05b22cc7d4ef5)",
        "[2024-06-01](date:2024-06-01)",
        "[DONE](status:green) :tada:",
        "**bold**, *italic*, ***both***, `code()`, ~~gone~~, <u>under</u>, H<sub>2</sub>O",
        '<span style="color: #bf2600">red</span>',
        "[REL-42](jira:REL-42)",
        "Literal \\*stars\\*, \\_under_scores\\_, \\[brackets\\](x), \\`ticks\\`, "
        "\\<b>tags\\</b>, \\&amp; \\:not-emoji: | pipes \\~\\~ #hash",
        "1\\. not a list\\\n\\- not a bullet\\\n\\> not a quote",
        "- first\n  - nested\n\n    2. deep\n- second\n\n  ```bash\n  make test\n  ```",
        "5. one\n6. two",
        "- [x] write tests\n  - [ ] sub-task\n- [ ] ship it",
        "> Quoted *text*",
        "> [!SUCCESS]\n> Success panel",
        '````python\ndef f():\n    return "```"\n\n````',
        "| Key | Value |\n| --- | --- |\n| `a\\|b` | x<br>y |",
        "<details><summary>Details</summary>",
        '![diagram.png](media:8f1e-2 "jira-10001-10002")',
        '[spec.pdf](media:a1 "c1") [](media:a2 "c1")',
        "<https://example.com/roadmap>",
        '```adf\n{"type":"someFutureNode","attrs":{"x":1}}\n```',
        "End with `adf:{",
    ):
        assert expected in md, expected
    assert md.count("```adf") == 3  # extension, bodied extension, unknown


# ---------------------------------------------------------------- canonical Markdown -> ADF -> Markdown

CANONICAL = [
    "Plain paragraph.",
    "# One\n\n## Two\n\n###### Six",
    "**bold** *italic* `code` ~~strike~~ <u>under</u> H<sub>2</sub>O x<sup>2</sup>",
    '<span style="color: #ff5630">red</span> and [a link](https://example.com "Title")',
    "line one\\\nline two",
    "- a\n- b\n  - c\n    1. d",
    "3. three\n4. four",
    "- [ ] todo\n- [x] done\n  - [ ] nested",
    "> quoted\n>\n> - item",
    "> [!INFO]\n> Info body",
    "> [!WARNING]\n> Careful\n>\n> ```sh\n> rm -rf /\n> ```",
    "```python\nprint('hi')\n```",
    "---",
    "| A | B |\n| --- | --- |\n| 1 | **2** |\n| 3<br>4 |  |",
    "<details><summary>More</summary>\n\nHidden\n\n</details>",
    "[@Ann](mention:557058:abc) [@557058:def](mention:557058:def) :smile: [DONE](status:green)",
    "[2024-05-01](date:2024-05-01) and [PROJ-1](jira:PROJ-1) and <https://example.com/x>",
    '![diagram](media:abc-1 "coll")',
    "![logo](https://example.com/logo.png)",
    '[a.pdf](media:f1 "c") [](media:f2)',
    "<https://example.com/card>",
    '```adf\n{"type":"extension","attrs":{"extensionKey":"toc","extensionType":"x"}}\n```',
    "Escaped \\*stars\\*, \\_x\\_, \\[x\\], \\`t\\`, \\<div>, \\:smile:, 1. ok, snake_case",
]


@pytest.mark.parametrize("md", CANONICAL)
def test_canonical_markdown_round_trips(md: str) -> None:
    adf = markdown_to_adf(md, site_url=SITE)
    validate(adf)
    assert adf_to_markdown(adf, site_url=SITE) == md


def test_canonical_document_round_trips() -> None:
    md = "\n\n".join(CANONICAL)
    adf = markdown_to_adf(md, site_url=SITE)
    validate(adf)
    assert adf_to_markdown(adf, site_url=SITE) == md


def test_markdown_reads_into_the_expected_adf() -> None:
    adf = markdown_to_adf(
        "[@Ann](mention:acc-1) [DONE](status:green) [2024-05-01](date:2024-05-01) [P-1](jira:P-1) :smile:",
        site_url=SITE + "/",
    )
    assert adf["content"][0]["content"] == [
        {"type": "mention", "attrs": {"id": "acc-1", "text": "@Ann"}},
        t(" "),
        {"type": "status", "attrs": {"text": "DONE", "color": "green"}},
        t(" "),
        {"type": "date", "attrs": {"timestamp": "1714521600000"}},
        t(" "),
        {"type": "inlineCard", "attrs": {"url": SITE + "/browse/P-1"}},
        t(" "),
        {"type": "emoji", "attrs": {"shortName": ":smile:"}},
    ]
    panel = markdown_to_adf("> [!TIP]\n> Use it")["content"][0]
    assert panel == {"type": "panel", "attrs": {"panelType": "tip"}, "content": [p(t("Use it"))]}
    code = markdown_to_adf("```js\nx()\n```")["content"][0]
    assert code == {"type": "codeBlock", "attrs": {"language": "js"}, "content": [t("x()")]}


# ---------------------------------------------------------------- Markdown the model may write (not canonical)


MODEL_WRITTEN = [
    (
        "setext and underscores",
        "Title\n=====\n\n__bold__ _em_",
        doc(
            {"type": "heading", "attrs": {"level": 1}, "content": [t("Title")]},
            p(t("bold", "strong"), t(" "), t("em", "em")),
        ),
    ),
    ("soft breaks are spaces", "a\nb", doc(p(t("a b")))),
    ("star bullets", "* a\n+ b", doc(ul(li(p(t("a")))), ul(li(p(t("b")))))),
    ("heading in a list becomes bold", "- # Big", doc(ul(li(p(t("Big", "strong")))))),
    ("heading in a quote becomes bold", "> ## Note", doc({"type": "blockquote", "content": [p(t("Note", "strong"))]})),
    ("nested quote flattens", "> a\n>\n> > b", doc({"type": "blockquote", "content": [p(t("a")), p(t("b"))]})),
    ("list starting with a list", "- - x", doc(ul(li({"type": "paragraph"}, ul(li(p(t("x")))))))),
    (
        "titled panel",
        "> [!PANEL] Heads up\n> body",
        doc({"type": "panel", "attrs": {"panelType": "info"}, "content": [p(t("Heads up", "strong")), p(t("body"))]}),
    ),
    (
        "github alert names",
        "> [!CAUTION]\n> hot",
        doc({"type": "panel", "attrs": {"panelType": "error"}, "content": [p(t("hot"))]}),
    ),
    ("jira link without a site", "[P-1](jira:P-1)", doc(p(t("P-1")))),
    (
        "html tags",
        "<b>b</b> <i>i</i> <del>d</del> <kbd>k</kbd>",
        doc(p(t("b", "strong"), t(" "), t("i", "em"), t(" "), t("d", "strike"), t(" <kbd>k</kbd>"))),
    ),
    (
        "details written loosely",
        "<details>\n<summary>T</summary>\nbody\n</details>",
        doc({"type": "expand", "attrs": {"title": "T"}, "content": [p(t("body"))]}),
    ),
    ("indented code", "    x = 1", doc({"type": "codeBlock", "content": [t("x = 1")]})),
    ("mixed task list", "- [ ] a\n- b", doc(ul(li(p(t("[ ] a"))), li(p(t("b")))))),
    (
        "broken adf block stays code",
        "```adf\n{not json\n```",
        doc({"type": "codeBlock", "attrs": {"language": "adf"}, "content": [t("{not json")]}),
    ),
    (
        "image inside text",
        "see ![x](https://e.com/x.png) here",
        doc(p(t("see "), t("x", link("https://e.com/x.png")), t(" here"))),
    ),
    ("email autolink", "<a@b.co>", doc(p(t("a@b.co", link("mailto:a@b.co"))))),
    ("bare date", "[1 May](date:2024-05-01)", doc(p({"type": "date", "attrs": {"timestamp": "1714521600000"}}))),
    ("mention without @", "[Ann](mention:x1)", doc(p({"type": "mention", "attrs": {"id": "x1", "text": "@Ann"}}))),
    ("table in a list flattens", "- a\n\n  | H |\n  | --- |\n  | c |", doc(ul(li(p(t("a")), p(t("H")), p(t("c")))))),
    (
        "details in a quote flattens",
        "> <details><summary>T</summary>\n>\n> x\n>\n> </details>",
        doc({"type": "blockquote", "content": [p(t("T", "strong")), p(t("x"))]}),
    ),
    ("rule in a quote goes", "> a\n>\n> ---\n>\n> b", doc({"type": "blockquote", "content": [p(t("a")), p(t("b"))]})),
    ("tasks in a quote keep their boxes", "> - [x] done", doc({"type": "blockquote", "content": [p(t("[x] done"))]})),
    (
        "card in a list is inline",
        "- <https://e.com>",
        doc(ul(li(p({"type": "inlineCard", "attrs": {"url": "https://e.com"}})))),
    ),
]


@pytest.mark.parametrize(("name", "md", "expected"), MODEL_WRITTEN, ids=[m[0] for m in MODEL_WRITTEN])
def test_model_written_markdown(name: str, md: str, expected: Node) -> None:
    adf = markdown_to_adf(md)
    validate(adf)
    assert norm(adf) == norm(expected)


def test_edited_fallback_blocks_in_odd_places_do_not_break_the_document() -> None:
    md = '- a\n\n  ```adf\n  {"type":"table","content":[1,{"type":"tableRow"},{"content":[]}]}\n  ```\n- [x] b'
    adf = markdown_to_adf(md)
    assert adf["content"][0]["type"] == "bulletList" and text_of(adf) == "a[x] b"
    quoted = markdown_to_adf(
        '> ```adf\n> {"type":"taskList","content":[{"type":"taskItem"},{"type":"heading"}]}\n> ```'
    )
    assert quoted["content"][0]["type"] == "blockquote"


def test_site_url_decides_which_issue_links_become_jira_links() -> None:
    card = doc(p({"type": "inlineCard", "attrs": {"url": "https://other.atlassian.net/browse/X-1"}}, t(" ")))
    url_form = "[X-1](https://other.atlassian.net/browse/X-1)&#32;"  # the URL is kept (issue 12)
    assert adf_to_markdown(card) == url_form
    assert adf_to_markdown(card, site_url=SITE) == url_form
    assert adf_to_markdown(card, site_url="https://other.atlassian.net") == "[X-1](jira:X-1)&#32;"
    roundtrip(card)
    assert markdown_to_adf(url_form) == card


def test_confluence_json_string_and_plain_text_bodies() -> None:
    assert adf_to_markdown(json.dumps(doc(p(t("x", "strong"))))) == "**x**"
    assert adf_to_markdown("plain *text*\nline two\n\nnext") == "plain \\*text\\*\\\nline two\n\nnext"
    assert adf_to_markdown("{broken json") == ""


# ---------------------------------------------------------------- escaping: any text stays text

SPECIAL = ["*", "_", "`", "[", "]", "(", ")", "<", ">", "#", "|", "~", "&", ";", ":", "!", "\\", "-", "+", "=", "."]
SPECIAL += ["1", "a", "é", " ", "\t", "\n", "\u00a0", "amp", "smile", "x:y:", "```", "---", "<div>", "&#32;", "1."]


def test_any_text_survives_in_paragraph_heading_cell_and_task() -> None:
    rng = random.Random(1)
    for text in ("".join(rng.choices(SPECIAL, k=rng.randint(1, 14))) for _ in range(400)):
        check_text(text)


def check_text(text: str) -> None:
    for node in (
        p(t(text)),
        {"type": "heading", "attrs": {"level": 3}, "content": [t(text)]},
        table(row(cell("tableHeader", p(t(text))))),
        tasks(task("TODO", t(text))),
        ul(li(p(t(text)))),
    ):
        md = adf_to_markdown(doc(node))
        assert "adf" not in md, md  # written as Markdown, not as a fallback
        assert norm(markdown_to_adf(md)) == norm(doc(node)), md


MARK_CHOICES = [
    [],
    ["strong"],
    ["em"],
    ["strong", "em"],
    ["strike"],
    ["code"],
    ["underline"],
    [link("https://e.com/a")],
    [link("https://e.com/b"), "strong"],
    ["em", {"type": "textColor", "attrs": {"color": "#00ff00"}}],
    [{"type": "subsup", "attrs": {"type": "sup"}}],
]


def char_marks(nodes: list[Node]) -> list[tuple[str, frozenset[str]]]:
    """Each character with its marks: what a reader sees, however the text nodes are split."""
    out = []
    for n in nodes:
        if n["type"] == "text":
            marks = frozenset(json.dumps(m, sort_keys=True) for m in n.get("marks", []))
            out += [(c, marks) for c in n["text"]]
        else:
            out.append((json.dumps(n, sort_keys=True), frozenset()))
    return out


def test_any_mark_combination_keeps_every_characters_marks() -> None:
    for seed in range(300):
        check_marks(random.Random(seed))


def check_marks(rng: random.Random) -> None:
    words = ["a", "b c", " x", "y ", "(", ")", ".", ":", "_", "*", "~"]
    parts = [(rng.choice(words), rng.randrange(len(MARK_CHOICES))) for _ in range(rng.randint(1, 6))]
    nodes = [t(text, *MARK_CHOICES[k]) for text, k in parts]
    nodes += [{"type": "emoji", "attrs": {"shortName": ":x:"}}] if len(parts) % 2 else []
    md = adf_to_markdown(doc(p(*nodes)))
    back = markdown_to_adf(md)
    validate(back)
    got = back["content"][0]["content"] if back["content"] else []
    want, have = char_marks(norm(nodes)), char_marks(got)
    assert [c for c, _ in want] == [c for c, _ in have], md
    emphasis = {json.dumps({"type": k}) for k in ("strong", "em", "strike")}
    for (c, w), (_, h) in zip(want, have, strict=True):
        assert (w - emphasis if c.isspace() else w) == (h - emphasis if c.isspace() else h), md
    assert adf_to_markdown(back) == md


WORDS = ["a", "b c", "(", ".", ":", "_", "*", "~", "`", "[", "\\", "1.", "#", "-", "|", "<", "&amp;", ":x:", "\u00a0"]


def random_inline(rng: random.Random, breaks: bool = True) -> list[Node]:
    out: list[Node] = []
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if roll < 0.6:
            marks = rng.choice(MARK_CHOICES)
            text = "".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
            text = text.strip() or "z" if any(m in ("strong", "em", "strike") for m in marks) else text
            out.append(t(text, *marks))
        elif roll < 0.7 and breaks:
            out.append({"type": "hardBreak"})
        else:
            out.append(
                rng.choice(
                    [
                        {"type": "mention", "attrs": {"id": "557058:x-y", "text": "@Ann B"}},
                        {"type": "emoji", "attrs": {"shortName": ":+1:"}},
                        {"type": "status", "attrs": {"text": "a*b", "color": "red"}},
                        {"type": "date", "attrs": {"timestamp": "1714552200123"}},
                        {"type": "inlineCard", "attrs": {"url": rng.choice([SITE + "/browse/A-1", "https://e.com"])}},
                    ]
                )
            )
    merged: list[Node] = []
    for n in out:  # adjacent texts with equal marks merge (documented)
        if merged and n["type"] == merged[-1]["type"] == "text" and n.get("marks") == merged[-1].get("marks"):
            merged[-1] = merged[-1] | {"text": merged[-1]["text"] + n["text"]}
        else:
            merged.append(n)
    return merged


def random_block(rng: random.Random, depth: int, where: str = "doc") -> Node:
    roll = rng.random()
    if depth > 2 or roll < 0.3:
        return p(*random_inline(rng))
    if roll < 0.4 and where != "listItem":
        return {"type": "heading", "attrs": {"level": rng.randint(1, 6)}, "content": random_inline(rng, False)}
    if roll < 0.55:
        items = [
            li(p(*random_inline(rng)), *[random_block(rng, depth + 1, "listItem") for _ in range(rng.randint(0, 2))])
        ]
        return rng.choice([ul(*items), ol(*items, order=rng.choice([1, 4]))])
    if roll < 0.6:
        return tasks(*[task(rng.choice(["TODO", "DONE"]), *random_inline(rng)) for _ in range(rng.randint(1, 3))])
    if roll < 0.65 and where == "doc":
        return {"type": "blockquote", "content": [p(*random_inline(rng)), ul(li(p(*random_inline(rng))))]}
    if roll < 0.72 and where == "doc":
        inner = [random_block(rng, depth + 1, "panel") for _ in range(rng.randint(1, 2))]
        return {"type": "panel", "attrs": {"panelType": rng.choice(["info", "error"])}, "content": inner}
    if roll < 0.78:
        return {"type": "codeBlock", "attrs": {"language": "py"}, "content": [t(rng.choice(["x", "a\n\n b", "```"]))]}
    if roll < 0.86 and where == "doc":
        width = rng.randint(1, 3)
        head = row(*[cell("tableHeader", p(*random_inline(rng, False))) for _ in range(width)])
        return table(head, *[row(*[cell("tableCell", p(*random_inline(rng))) for _ in range(width)])])
    if roll < 0.92 and where == "doc":
        return {"type": "expand", "attrs": {"title": "a <b>"}, "content": [random_block(rng, depth + 1, "expand")]}
    if roll < 0.96 and where != "listItem":
        return {"type": "rule"}
    return {
        "type": "mediaSingle",
        "attrs": {"layout": "center"},
        "content": [media(type="file", id="m1", collection="c")],
    }


def test_random_documents_round_trip_exactly() -> None:
    rng = random.Random(7)
    for _ in range(300):
        roundtrip(doc(*[random_block(rng, 0) for _ in range(rng.randint(1, 4))]))


# ---------------------------------------------------------------- real Jira Cloud data


def adf_values(value: Any) -> list[Node]:
    """Every ADF document inside a JSON body (descriptions, comment bodies, rich custom fields)."""
    if isinstance(value, dict):
        if value.get("type") == "doc":
            return [value]
        return [d for v in value.values() for d in adf_values(v)]
    return [d for v in value for d in adf_values(v)] if isinstance(value, list) else []


def test_real_issue_description_converts_and_round_trips() -> None:
    issue = json.loads((REALDATA / "issue.json").read_text())  # fails, not skips, if the file is missing
    description = issue["fields"]["description"]
    assert adf_to_markdown(description) == "Test description"
    roundtrip(description)
    docs = adf_values(issue)
    assert docs == [description]
    for document in docs + [c["body"] for c in (issue["fields"].get("comment") or {}).get("comments", [])]:
        roundtrip(document)


def test_real_issue_with_a_v2_string_description() -> None:
    issue = json.loads((REALDATA / "issue-2.json").read_text())
    description = issue["fields"]["description"]
    assert isinstance(description, str)
    md = adf_to_markdown(description)
    assert md == "Test description"
    assert markdown_to_adf(md) == doc(p(t("Test description")))
    assert adf_values(issue) == []


# ---------------------------------------------------------------- never raise


def garbage(rng: random.Random, depth: int = 0) -> Any:
    kinds = ["paragraph", "text", "bulletList", "listItem", "table", "tableRow", "tableCell", "panel", "mention"]
    kinds += [
        "codeBlock",
        "heading",
        "media",
        "mediaSingle",
        "expand",
        "taskList",
        "taskItem",
        "status",
        "date",
        None,
        3,
    ]
    choice = rng.random()
    if depth > 4 or choice < 0.15:
        return rng.choice([None, "x", 1, [], {}, {"type": "text", "text": rng.choice(["", "*", "a\nb", "`"])}])
    node: dict[str, Any] = {"type": rng.choice(kinds)}
    if rng.random() < 0.6:
        node["content"] = [garbage(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if rng.random() < 0.4:
        node["attrs"] = rng.choice(
            [None, "x", {}, {"level": 9}, {"panelType": "odd"}, {"timestamp": "nope"}, {"id": None}]
        )
    if rng.random() < 0.3:
        node["marks"] = rng.choice([None, "x", [{}], [{"type": "strong"}], [{"type": "link", "attrs": {}}]])
    if rng.random() < 0.3:
        node["text"] = rng.choice([None, 5, "", "t"])
    return node


def test_odd_adf_never_raises_and_loses_nothing_structural() -> None:
    rng = random.Random(20241122)
    for _ in range(500):
        document = {"type": "doc", "version": 1, "content": [garbage(rng) for _ in range(rng.randint(0, 4))]}
        before = copy.deepcopy(document)
        md = adf_to_markdown(document)
        assert document == before  # input untouched
        assert isinstance(md, str)
        assert isinstance(markdown_to_adf(md), dict)


MD_PIECES = [*"ab #>-*_`[]()<>|!:~\\\n1.\t", "\n\n", "> ", "- ", "1. ", "- [ ] ", "# ", "---\n", "| a |\n| --- |\n"]
MD_PIECES += ["<details>", "<summary>T</summary>", "</details>", "```\n", "```adf\n", "{}", "> [!INFO]\n", "  ", "<br>"]


def test_any_markdown_gives_valid_adf() -> None:
    rng = random.Random(3)
    for _ in range(1000):
        md = "".join(rng.choices(MD_PIECES, k=rng.randint(0, 30)))
        adf = markdown_to_adf(md)
        validate(adf)
        assert isinstance(adf_to_markdown(adf), str), md
