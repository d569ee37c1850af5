"""Atlassian Document Format (ADF, Jira Cloud v3 and Confluence) <-> Markdown, in the conventions of CONVENTIONS.md.

The ADF walker is hand-written: no maintained Python library converts ADF to Markdown and back faithfully.
Markdown is read with markdown-it-py's token stream and syntax tree, never with regexes over lines.

Choices beyond the shared conventions, each made so that an ADF document survives an edit unchanged:

- underline ``<u>x</u>``, sub/superscript ``<sub>``/``<sup>``, text colour ``<span style="color: #rrggbb">x</span>``
  (colour kept, not dropped); where ``**``/``*``/``~~`` cannot open or close (punctuation next to a word)
  ``<strong>``/``<em>``/``<s>`` are written instead.
- hard break: backslash + newline; ``<br>`` in headings, table cells and at the very end of a paragraph.
- inline card ``<url>`` (an issue URL ``[KEY-1](url)``, or ``[KEY-1](jira:KEY-1)`` on ``site_url``); block card: a
  paragraph holding only ``<url>``. Tables GFM cannot hold, layouts, decisions, aligned paragraphs and image
  layouts have the forms of CONVENTIONS.md ("ADF" section).
- media: ``mediaSingle`` is ``![alt](media:ID "collection")`` (or ``![alt](url)``) alone in a paragraph;
  ``mediaGroup`` is a paragraph of links ``[alt](media:ID "collection")`` (file cards, not embedded images).
- a non-midnight date keeps its time: ``[2024-05-01](date:2024-05-01T08:30:00.000Z)``.
- two adjacent lists alternate markers (``-``/``*``, ``.``/``)``) so Markdown does not merge them.
- expand at the top level, nestedExpand inside another container; a ``[!PANEL] Title`` alert becomes an info
  panel whose first paragraph is the bold title (ADF panels have no title).
- a code block whose language is ``adf``, link hrefs with our own schemes (``mention:``...) and any node or
  mark Markdown cannot hold go into the ``adf`` fallback (fenced block, or inline ``adf:`` code span; a JSON
  list when several inline nodes fall back together) and come back verbatim. So do two forms Markdown would
  misread: a paragraph holding only a non-issue inline card (it would read as a block card) and a hard break
  alone on a line (``<br>`` there opens an HTML block).
- every inline run is read back before it is used; if it does not come back unchanged, its emphasis is
  written as HTML tags, and failing that the run is one ``adf:`` span.
- ``jira:KEY`` needs the site: ``markdown_to_adf(md, site_url=...)`` (without it the key stays plain text);
  ``adf_to_markdown(doc, site_url=...)`` then writes ``jira:`` only for that site's issues.
- Markdown nests what ADF forbids (a heading, table, rule, quote, panel or details inside a list item or a
  quote; a table in a panel): headings become bold paragraphs, cards inline, rules go, containers give up
  their content, so the output stays valid ADF.
- A string is taken as Confluence's JSON string of a document, or else as plain text (Jira REST v2).

Normalisation (what ADF -> Markdown -> ADF does not keep): ``localId`` and attrs that are null or "";
empty attrs/content/marks; empty paragraphs (except where ADF needs one) and empty text nodes; adjacent text
nodes with equal marks are merged, marks sorted in schema order (link, em, strong, textColor, strike, subsup,
underline, code); whitespace at the edge of a strong/em/strike run moves outside the mark; emoji keep only
shortName; mention only id and text (text "@id" reads back as none); hardBreak drops its ``text`` attr; a GFM
table drops its layout attrs (layout, width, displayMode) and cell colwidth (an HTML table keeps them); colspan
and rowspan 1; mediaSingle widthType percentage, media width/height; an orderedList without ``order`` gets 1;
textColor is lower-case; emphasis beside inline code goes (ADF forbids it); task and decision ids are new.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.tasklists import tasklists_plugin

Node = dict[str, Any]


class _Parser(MarkdownIt):
    """CommonMark + GFM that keeps link targets verbatim (no percent-encoding), so URLs round-trip."""

    def normalizeLink(self, url: str) -> str:
        return url

    def normalizeLinkText(self, link: str) -> str:
        return link


_MD = _Parser("commonmark").enable(["table", "strikethrough"]).use(tasklists_plugin)
_MD.disable("text_join")  # escapes stay separate tokens, so `\:smile:` is not read as an emoji

_RANK = {"link": 0, "em": 1, "strong": 2, "textColor": 3, "strike": 4, "subsup": 5, "underline": 6, "code": 7}
_DELIM = {"em": ("*", "em"), "strong": ("**", "strong"), "strike": ("~~", "s")}
_TAGS = {"u": "underline", "sub": "subsup", "sup": "subsup", "span": "textColor"}
_TAGS |= {"strong": "strong", "b": "strong", "em": "em", "i": "em", "s": "strike", "del": "strike", "strike": "strike"}
_PANELS = ("info", "note", "warning", "tip", "success", "error")
_ALERTS = {p.upper(): p for p in _PANELS} | {"PANEL": "info", "IMPORTANT": "note", "CAUTION": "error"}
_SCHEMES = ("mention:", "status:", "date:", "jira:", "media:")
_LISTS = ("bulletList", "orderedList", "taskList")
_RAW = "_adf"  # inline nodes Markdown cannot hold, written as an `adf:` code span

_EMOJI = re.compile(r"(?<![\w:])(?::[\w+\-]+:)+(?![\w:])")
_ONE_EMOJI = re.compile(r":[\w+\-]+:")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_BOL = re.compile(r"#{1,6}(?=[ \t]|$)|[-+=](?=[-+= \t]|$)|[>|]|\d{1,9}(?=[.)](?:[ \t]|$))")
_BROWSE = re.compile(r"(https?://[^/?#\s]+(?:/[^?#\s]*?)?)/browse/([A-Z][A-Z0-9_]*-[1-9]\d*)")
_AUTOLINK = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\x00-\x20]*")
_LANG = re.compile(r"[^\s`\\&](?:[^`\\&\n\r]*[^\s`\\&])?")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)(\s[^>]*?)?\s*/?>", re.S)
_HEX = re.compile(r"#[0-9a-fA-F]{6}")  # what Atlassian's schema allows in a textColor mark
_COLOR = re.compile(r'\s+style="\s*color:\s*(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|rgb\([\d\s,]+\)|[a-z]+)\s*;?\s*"', re.I)
_NAMED = {"red": "#ff0000", "green": "#008000", "blue": "#0000ff", "black": "#000000", "white": "#ffffff"}
_NAMED |= {"gray": "#808080", "grey": "#808080", "orange": "#ffa500", "purple": "#800080", "yellow": "#ffff00"}
_MARK_ATTRS = {"link": {"href", "title"}, "subsup": {"type"}, "textColor": {"color"}}
_DETAILS = re.compile(r"\s*<details(?:\s[^>]*)?>\s*(?:<summary>(.*?)</summary>)?(.*)", re.S | re.I)
_CLOSE_DETAILS = re.compile(r"\s*</details>", re.I)
_EMAIL = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)
_CELL_TAG = re.compile(r"<(/?)(table|thead|tbody|tr|th|td)((?:\s+[\w:-]+=\"[^\"]*\")*)\s*>", re.I)
_ALIGNED = re.compile(r'\s*<(p|h[1-6]) align="(center|right)">([^\n]*)</\1>\s*', re.I)
_HTML_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')
_LAYOUT = re.compile(r"\s*<!--\s*(layout-section|layout-cell|/layout)\b([^>]*?)\s*-->\s*", re.S)
_ALIGN = {"center": "center", "end": "right"}  # ADF alignment mark -> GFM column alignment (left is the default)
# Confluence's layout types and the column widths its editor gives them in ADF
_LAYOUTS = {
    (100,): "single",
    (50, 50): "two_equal",
    (33.33, 66.66): "two_left_sidebar",
    (66.66, 33.33): "two_right_sidebar",
    (33.33, 33.33, 33.33): "three_equal",
    (25, 50, 25): "three_with_sidebars",
    (25, 25, 25, 25): "four_equal",
    (20, 20, 20, 20, 20): "five_equal",
}
_MEDIA_ATTR = re.compile(r"(layout|width|widthType)=(\S+)")
_SINGLE_LAYOUTS = ("wide", "full-width", "center", "wrap-right", "wrap-left", "align-end", "align-start")
_WIDTH_TYPES = ("percentage", "pixel")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_MS = 86_400_000


def adf_to_markdown(doc: dict[str, Any] | str | None, *, site_url: str | None = None) -> str:
    """ADF document (or Confluence's JSON string of one) as Markdown; "" for nothing, never raises."""
    if isinstance(doc, str):
        if not doc.lstrip().startswith("{"):  # a plain-text body (Jira REST v2): keep it as text
            paras = [p for p in re.split(r"\n[ \t]*\n", doc.strip()) if p]
            doc = {"type": "doc", "content": [{"type": "paragraph", "content": _lines(p)} for p in paras]}
        else:
            try:
                doc = json.loads(doc)
            except (ValueError, RecursionError):
                return ""
    if not isinstance(doc, dict) or not isinstance(doc.get("type"), str):
        return ""
    nodes = _nodes(doc.get("content")) if doc.get("type") == "doc" else [doc]
    try:
        return _Writer(site_url).blocks(nodes)
    except Exception:  # a safety net: a bug must not lose the document, so hand it over whole
        return _fence("adf", _json(doc))


def markdown_to_adf(text: str, *, site_url: str | None = None) -> dict[str, Any]:
    """Markdown as an ADF document (``{"type": "doc", "version": 1, ...}``); never raises."""
    text = text if isinstance(text, str) else ""
    try:
        content = _Reader(site_url).blocks(SyntaxTreeNode(_MD.parse(text)).children, 0)
    except Exception:  # a safety net: keep the words rather than fail the write
        content = [{"type": "paragraph", "content": _lines(text)}] if text.strip() else []
    return {"type": "doc", "version": 1, "content": content}


# ---------------------------------------------------------------- helpers


def _nodes(value: Any) -> list[Node]:
    return [n for n in value if isinstance(n, dict)] if isinstance(value, list) else []


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _lines(text: str) -> list[Node]:
    out: list[Node] = []
    for i, line in enumerate(text.split("\n")):
        out += ([{"type": "hardBreak"}] if i else []) + ([{"type": "text", "text": line}] if line else [])
    return out


def _clean(node: Node) -> dict[str, Any]:
    """A node's attrs without localId and null or "" values (the documented normalisation)."""
    attrs = node.get("attrs")
    return (
        {k: v for k, v in attrs.items() if k != "localId" and v is not None and v != ""}
        if isinstance(attrs, dict)
        else {}
    )


def _attrs(node: Node, allowed: frozenset[str] | set[str] = frozenset()) -> dict[str, Any] | None:
    """The attrs Markdown carries, or None if the node holds marks or attrs that Markdown cannot."""
    a = _clean(node)
    return None if node.get("marks") or not a.keys() <= allowed else a


def _fence(info: str, body: str) -> str:
    ticks = "`" * max(3, max((len(r) for r in re.findall(r"`+", body)), default=0) + 1)
    return f"{ticks}{info}\n{body}{chr(10) if body else ''}{ticks}"


def _code_span(text: str, cell: bool) -> str:
    ticks = "`" * (max((len(r) for r in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if "`" in (text[0], text[-1]) or (text[0] == text[-1] == " " and text.strip(" ")) else ""
    return f"{ticks}{pad}{text.replace('|', chr(92) + '|') if cell else text}{pad}{ticks}"


def _bs(text: str, chars: str) -> str:
    """Backslash-escape ``chars`` and anything that would read as an HTML entity."""
    return "".join("\\" + c if c in chars or (c == "&" and _ENTITY.match(text, i)) else c for i, c in enumerate(text))


def _dest(url: str) -> str:
    if not url or re.search(r"[\x00-\x20<>]", url):
        return f"<{_bs(url, '<>' + chr(92))}>"
    return _bs(url, "()<>\\")


def _link_ok(url: Any) -> bool:
    return isinstance(url, str) and "\n" not in url and "\r" not in url and _MD.validateLink(url)


def _prefix(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else prefix.rstrip() for line in text.split("\n"))


def _indent(marker: str, body: str) -> str:
    first, *rest = body.split("\n")
    pad = " " * len(marker)
    return "\n".join([marker + first if first else marker.rstrip(), *(pad + x if x else "" for x in rest)])


def _has(node: Node, mark: str) -> bool:
    return any(m.get("type") == mark for m in node.get("marks", ()))


def _entity(ch: str) -> str:
    return f"&#{ord(ch)};"


def _esc(text: str, ctx: str, bol: bool = False, eol: bool = False, emoji: tuple[bool, bool] = (False, False)) -> str:
    """Text as Markdown that reads back as exactly this text, wherever it stands (line start, cell, heading)."""
    out: list[str] = []
    for i, c in enumerate(text):
        prev, nxt = text[i - 1 : i], text[i + 1 : i + 2]
        markup = (
            c in "\\`*[]"
            or (c == "|" and ctx == "cell")
            or (c == "_" and not (prev.isalnum() and nxt.isalnum()))  # snake_case stays readable
            or (c == "~" and "~" in (prev or "~", nxt or "~"))
            or (c == "<" and bool(re.match(r"[A-Za-z/!?]", nxt)))
            or (c == "&" and bool(_ENTITY.match(text, i)))
        )
        out.append("\\" + c if markup else _entity(c) if c in "\n\r" else c)
    if bol:  # a line start must not begin a block (heading, list, quote, indented code...)
        m = _BOL.match(text)
        if text[0].isspace():
            out[0] = _entity(text[0])
        elif m:
            at = m.end() if text[0].isdigit() else 0
            out[at] = "\\" + text[at]
    if eol and text[-1].isspace():
        out[-1] = _entity(text[-1])
    if ctx == "heading" and eol and text[-1] == "#":
        out[-1] = "\\#"
    for at, near in ((0, emoji[0]), (-1, emoji[1])):  # a word next to an emoji would hide its colons
        if near and len(out[at]) == 1 and re.match(r"[\w:]", out[at]):
            out[at] = "\\:" if out[at] == ":" else _entity(out[at])
    while m := _EMOJI.search("".join(p if len(p) == 1 else "\x00" for p in out)):
        out[m.start()] = "\\:"
    return "".join(out)


def _hex(color: str) -> str | None:
    """A CSS colour (#rgb, #rrggbb, rgb(r, g, b), a few names) as the lower-case #rrggbb ADF requires."""
    color = color.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", color):
        return "#" + "".join(c * 2 for c in color[1:])
    if m := re.fullmatch(r"rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)", color):
        return (
            "#" + "".join(f"{min(int(x), 255):02x}" for x in m.groups())
            if all(int(x) < 256 for x in m.groups())
            else None
        )
    return color if re.fullmatch(r"#[0-9a-f]{6}", color) else _NAMED.get(color)


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _alignment(para: Node) -> str | None:
    """ "" (none), "center" or "end" for a block whose only mark is an alignment; None if it holds others."""
    marks = para.get("marks") or []
    if not isinstance(marks, list) or len(marks) > 1:
        return None
    if not marks:
        return ""
    a = _attrs(marks[0], {"align"}) if isinstance(marks[0], dict) else None
    ok = marks[0].get("type") == "alignment" and a is not None and a.get("align") in _ALIGN
    return str(marks[0]["attrs"]["align"]) if ok else None


def _date_md(ts: Any) -> str | None:
    if not isinstance(ts, str) or not re.fullmatch(r"0|[1-9]\d{0,12}", ts):
        return None
    ms = int(ts)
    at = _EPOCH + timedelta(milliseconds=ms)
    iso = at.date().isoformat() if ms % _DAY_MS == 0 else at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return f"[{at.date().isoformat()}](date:{iso})"


def _date_ts(value: str) -> str | None:
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return str((at - _EPOCH) // timedelta(milliseconds=1))


def _restore(src: str) -> list[Node] | None:
    """The nodes of an ``adf`` fallback, or None when it is not ADF JSON (then it stays code)."""
    try:
        value = json.loads(src)
    except (ValueError, RecursionError):
        return None
    items = value if isinstance(value, list) else [value]
    ok = items and all(isinstance(x, dict) and isinstance(x.get("type"), str) for x in items)
    return items if ok else None


# ---------------------------------------------------------------- ADF -> Markdown


class _Writer:
    """Walks ADF and writes Markdown; anything it cannot write faithfully becomes an ``adf`` fallback."""

    def __init__(self, site_url: str | None) -> None:
        self.site = site_url.rstrip("/") if site_url else None
        self.check = _Reader(self.site or "https://jira.invalid")  # reads our own output back (self-check)
        self.handlers: dict[str, Callable[[Node], str | None]] = {
            "paragraph": self.paragraph,
            "heading": self.heading,
            "blockquote": self.quote,
            "panel": self.panel,
            "codeBlock": self.code,
            "rule": lambda n: "---" if _attrs(n) is not None else None,
            "table": self.table,
            "expand": self.expand,
            "nestedExpand": self.expand,
            "mediaSingle": self.media_single,
            "mediaGroup": self.media_group,
            "blockCard": self.block_card,
            "layoutSection": self.layout,
            "decisionList": self.decisions,
        }

    def blocks(self, nodes: list[Node], tight: bool = False) -> str:
        return self.join(self.parts(nodes), tight)

    def parts(self, nodes: list[Node]) -> list[tuple[str, str, str]]:
        """(type, Markdown, list marker) of each block that renders to something."""
        out: list[tuple[str, str, str]] = []
        for node in nodes:
            md, marker = self.block(node, out[-1][2] if out else "")
            if md:
                out.append((str(node.get("type")), md, marker))
        return out

    @staticmethod
    def join(parts: list[tuple[str, str, str]], tight: bool) -> str:
        out = ""
        for i, (_, md, marker) in enumerate(parts):
            # inside a list item, a list may follow its paragraph directly (if it can interrupt a paragraph)
            join = tight and i and parts[i - 1][0] == "paragraph" and marker and re.match(r"(?:[-*]|1[.)]) \S", md)
            out += ("\n" if join else "\n\n" if i else "") + md
        return out

    def block(self, node: Node, prev_marker: str) -> tuple[str, str]:
        kind, marker = node.get("type"), ""
        md: str | None = None
        if kind in ("bulletList", "taskList"):
            marker = "*" if prev_marker == "-" else "-"
            md = self.items(node, marker) if kind == "bulletList" else self.tasks(node, marker)
        elif kind == "orderedList":
            marker = ")" if prev_marker == "." else "."
            md = self.items(node, marker)
        elif isinstance(kind, str) and kind in self.handlers:
            md = self.handlers[kind](node)
        return (md, marker) if md is not None else (_fence("adf", _json(node)), "")

    def paragraph(self, node: Node) -> str | None:
        content = _nodes(node.get("content"))
        if (
            _alignment(node) and _attrs(node | {"marks": None}) is not None
        ):  # centred or right-aligned: an HTML paragraph, as GitHub renders it
            return f'<p align="{_ALIGN[str(_alignment(node))]}">{self.inline(content, "cell")}</p>' if content else None
        if _attrs(node) is None:
            return None
        if len(content) == 1 and content[0].get("type") == "inlineCard" and not self.issue(content[0]):
            return _code_span("adf:" + _json(content[0]), False)  # alone, `<url>` would read as a block card
        return self.inline(content, "para")

    def heading(self, node: Node) -> str | None:
        align = _alignment(node)
        a = _attrs(node | {"marks": None}, {"level"}) if align else _attrs(node, {"level"})
        level = a.get("level") if a else None
        if type(level) is not int or not 1 <= level <= 6:
            return None
        if align:
            return f'<h{level} align="{_ALIGN[align]}">{self.inline(_nodes(node.get("content")), "cell")}</h{level}>'
        text = self.inline(_nodes(node.get("content")), "heading")
        return "#" * level + (" " + text if text else "")

    def items(self, node: Node, marker: str) -> str | None:
        ordered = node.get("type") == "orderedList"
        a, items = _attrs(node, {"order"} if ordered else set()), _nodes(node.get("content"))
        start = a.get("order", 1) if a is not None else None
        if type(start) is not int or not 0 <= start < 10**9 - len(items) or not items:
            return None
        out = []
        for i, item in enumerate(items):
            kids = _nodes(item.get("content"))
            if item.get("type") != "listItem" or _attrs(item) is None:
                return None
            parts = self.parts(kids)
            body = ("\n" if parts and parts[0][0] in _LISTS else "") + self.join(parts, True)  # `-` then the list
            out.append(_indent(f"{start + i}{marker} " if ordered else f"{marker} ", body))
        return "\n".join(out)

    def tasks(self, node: Node, marker: str) -> str | None:
        kids = _nodes(node.get("content"))
        if _attrs(node) is None or not kids or kids[0].get("type") != "taskItem":
            return None
        out: list[str] = []
        sub_marker = ""
        for kid in kids:
            if kid.get("type") == "taskList":
                sub_marker = "*" if sub_marker == "-" else "-"
                sub = self.tasks(kid, sub_marker)
                if sub is None:
                    return None
                out[-1] += "\n" + _prefix(sub, "  ")
                continue
            a = _attrs(kid, {"state"})
            if kid.get("type") != "taskItem" or a is None or a.get("state") not in ("TODO", "DONE"):
                return None
            text = self.inline(_nodes(kid.get("content")), "para")
            box = "[x]" if a["state"] == "DONE" else "[ ]"
            out.append(_indent(f"{marker} ", f"{box} {text}" if text else box))
            sub_marker = ""
        return "\n".join(out)

    def quote(self, node: Node) -> str | None:
        return None if _attrs(node) is None else _prefix(self.blocks(_nodes(node.get("content"))), "> ")

    def panel(self, node: Node) -> str | None:
        a, kids = _attrs(node, {"panelType"}), _nodes(node.get("content"))
        if a is None or a.get("panelType") not in _PANELS:
            return None
        parts = self.parts(kids)
        head = f"[!{a['panelType'].upper()}]"  # a first paragraph may share the marker's Markdown paragraph
        sep = "\n" if parts and parts[0][0] == "paragraph" else "\n\n"
        return _prefix(head + sep + self.join(parts, False) if parts else head, "> ")

    def code(self, node: Node) -> str | None:
        a, kids = _attrs(node, {"language"}), _nodes(node.get("content"))
        lang = a.get("language", "") if a is not None else None
        if not isinstance(lang, str) or lang == "adf" or (lang and not _LANG.fullmatch(lang)):
            return None
        if any(k.get("type") != "text" or k.get("marks") or not isinstance(k.get("text"), str) for k in kids):
            return None
        return _fence(lang, "".join(k["text"] for k in kids))

    def table(self, node: Node) -> str | None:
        """A GFM table when it can hold the table, otherwise an HTML table whose cells hold Markdown."""
        a, rows = _attrs(node, {"layout", "width", "displayMode", "isNumberColumnEnabled"}), _nodes(node.get("content"))
        if a is None or not rows or any(r.get("type") != "tableRow" or _attrs(r) is None for r in rows):
            return None
        gfm = None if a.get("isNumberColumnEnabled") else self.gfm_table(rows)
        return gfm if gfm is not None else self.html_table(a, rows)

    def gfm_table(self, rows: list[Node]) -> str | None:
        width = len(_nodes(rows[0].get("content")))
        aligns: list[str | None] = [None] * width
        lines: list[str] = []
        for r, row in enumerate(rows):
            cells, texts = _nodes(row.get("content")), []
            if len(cells) != width:
                return None
            for col, cell in enumerate(cells):
                ca, paras = _attrs(cell, {"colwidth", "colspan", "rowspan"}), _nodes(cell.get("content"))
                if ca is None or cell.get("type") != ("tableHeader" if r == 0 else "tableCell"):
                    return None  # GFM needs exactly one header row
                if ca.get("colspan", 1) != 1 or ca.get("rowspan", 1) != 1 or len(paras) != 1:
                    return None
                align = _alignment(paras[0])
                plain = _attrs(paras[0] | {"marks": None}) is not None
                if paras[0].get("type") != "paragraph" or align is None or not plain or (r and align != aligns[col]):
                    return None
                aligns[col] = align
                texts.append(self.inline(_nodes(paras[0].get("content")), "cell"))
            lines.append("| " + " | ".join(texts) + " |")
            if r == 0:
                marks = {"": "---", "center": ":-:", "end": "--:"}
                lines.append("| " + " | ".join(marks[x or ""] for x in aligns) + " |")
        return "\n".join(lines)

    def html_table(self, a: dict[str, Any], rows: list[Node]) -> str | None:
        names = {"layout": "data-layout", "width": "data-width", "displayMode": "data-display-mode"}
        shown = {k: v for k, v in a.items() if k in names and (k, v) != ("layout", "default")}
        attrs = "".join(f' {names[k]}="{html.escape(_num(v) if k == "width" else str(v))}"' for k, v in shown.items())
        attrs += ' data-number-column="true"' if a.get("isNumberColumnEnabled") else ""
        lines = [f"<table{attrs}>"]
        for row in rows:
            lines.append("<tr>")
            for cell in _nodes(row.get("content")):
                md = self.html_cell(cell)
                if md is None:
                    return None
                lines.append(md)
            lines.append("</tr>")
        return "\n".join([*lines, "</table>"])

    def html_cell(self, cell: Node) -> str | None:
        tag = {"tableHeader": "th", "tableCell": "td"}.get(str(cell.get("type")))
        ca = _attrs(cell, {"colwidth", "colspan", "rowspan", "background", "valign"})
        if tag is None or ca is None:
            return None
        attrs = ""
        for key, name in (("colspan", "colspan"), ("rowspan", "rowspan"), ("colwidth", "data-colwidth")):
            value = ca.get(key)
            if key != "colwidth" and value not in (None, 1):
                if type(value) is not int or value < 1:
                    return None
                attrs += f' {name}="{value}"'
            elif key == "colwidth" and value is not None:
                if not isinstance(value, list) or not all(type(v) in (int, float) for v in value):
                    return None
                attrs += f' {name}="{",".join(_num(v) for v in value)}"'
        for key, name in (("background", "bgcolor"), ("valign", "valign")):
            if key in ca:
                if not isinstance(ca[key], str) or '"' in ca[key]:
                    return None
                attrs += f' {name}="{html.escape(ca[key])}"'
        kids = _nodes(cell.get("content"))
        one = kids[0] if len(kids) == 1 and kids[0].get("type") == "paragraph" else None
        one = one if one is not None and _attrs(one | {"marks": None}) is not None else None
        align = _alignment(one) if one is not None else None
        if one is not None and align is not None:  # one paragraph: the cell on one line
            attrs += f' align="{_ALIGN[align]}"' if align else ""
            return f"<{tag}{attrs}>{self.inline(_nodes(one.get('content')), 'cell')}</{tag}>"
        return f"<{tag}{attrs}>\n\n{self.blocks(kids)}\n\n</{tag}>"

    def layout(self, node: Node) -> str | None:
        """Confluence page layouts, in the storage converter's comment form (CONVENTIONS.md)."""
        cols = _nodes(node.get("content"))
        marks = node.get("marks") or []
        if _attrs(node | {"marks": None}) is None or not cols or not isinstance(marks, list):
            return None
        widths = []
        for col in cols:
            ca = _attrs(col, {"width"})
            if col.get("type") != "layoutColumn" or ca is None or type(ca.get("width")) not in (int, float):
                return None
            widths.append(ca["width"])
        name = _LAYOUTS.get(tuple(widths)) or "widths=" + ",".join(_num(w) for w in widths)
        for mark in marks:
            ma = _attrs(mark, {"mode", "width"})
            if not isinstance(mark, dict) or mark.get("type") != "breakout" or ma is None or "mode" not in ma:
                return None
            name += "".join(f" breakout-{k}={_num(v) if k == 'width' else v}" for k, v in ma.items())
        if not re.fullmatch(r"[\w=,. -]+", name):
            return None
        parts = [f"<!-- layout-section {name} -->"]
        for i, col in enumerate(cols):
            body = self.blocks(_nodes(col.get("content")))
            parts += (["<!-- layout-cell -->"] if i else []) + ([body] if body else [])
        return "\n\n".join([*parts, "<!-- /layout -->"])

    def decisions(self, node: Node) -> str | None:
        """A decision list: ``> [!DECISION]`` and a bullet per decided item."""
        items, out = _nodes(node.get("content")), []
        if _attrs(node) is None or not items:
            return None
        for item in items:
            a = _attrs(item, {"state"})
            text = self.inline(_nodes(item.get("content")), "para")
            if item.get("type") != "decisionItem" or a is None or a.get("state") != "DECIDED" or not text:
                return None
            out.append(_indent("- ", text))
        return _prefix("[!DECISION]\n" + "\n".join(out), "> ")

    def expand(self, node: Node) -> str | None:
        a = _attrs(node, {"title"})
        if a is None or not isinstance(a.get("title", ""), str):
            return None
        title = re.sub(r"[\r\n]", lambda m: _entity(m.group()), html.escape(a.get("title", ""), quote=False))
        head = "<details>" + (f"<summary>{title}</summary>" if "title" in a else "")
        body = self.blocks(_nodes(node.get("content")))
        return f"{head}\n\n{body}\n\n</details>" if body else f"{head}\n\n</details>"

    def media_single(self, node: Node) -> str | None:
        kids = _nodes(node.get("content"))
        a = _attrs(node, {"layout", "width", "widthType"})
        if a is None or len(kids) != 1 or kids[0].get("type") != "media":
            return None
        if a.get("layout", "center") not in _SINGLE_LAYOUTS or a.get("widthType", "percentage") not in _WIDTH_TYPES:
            return None
        if "width" in a and (type(a["width"]) not in (int, float) or a["width"] < 0):
            return None
        shown = {k: v for k, v in a.items() if (k, v) not in (("layout", "center"), ("widthType", "percentage"))}
        return self.media(kids[0], True, [f"{k}={_num(v) if k == 'width' else v}" for k, v in shown.items()])

    def media_group(self, node: Node) -> str | None:
        kids = _nodes(node.get("content"))
        if _attrs(node) is None or not kids or any(k.get("type") != "media" for k in kids):
            return None
        parts = [self.media(k, False) for k in kids]
        return " ".join(p for p in parts if p) if all(parts) else None

    def media(self, node: Node, image: bool, single: list[str] | None = None) -> str | None:
        a = _attrs(node, {"type", "id", "collection", "alt", "url", "width", "height"})
        if a is None or not isinstance(alt := a.get("alt", ""), str) or "\n" in alt:
            return None
        label = ("!" if image else "") + f"[{_esc(alt, 'label')}]"
        coll, ident, url = a.get("collection", ""), a.get("id"), a.get("url")
        if isinstance(coll, str) and (_MEDIA_ATTR.match(coll) or "; " in coll):
            return None  # it would read as a layout attribute
        title = "; ".join(x for x in [coll if isinstance(coll, str) else "", *(single or [])] if x)
        title = f' "{_bs(title, chr(34) + chr(92))}"' if title else ""
        if a.get("type") == "file" and isinstance(ident, str) and isinstance(coll, str) and url is None:
            return f"{label}({_dest('media:' + ident)}{title})" if _link_ok(ident + coll) else None
        external = image and a.get("type") == "external" and ident is None and isinstance(url, str)
        if external and isinstance(url, str) and _link_ok(url) and not url.startswith(_SCHEMES):
            return f"{label}({_dest(url)}{title})"
        return None

    def block_card(self, node: Node) -> str | None:
        a = _attrs(node, {"url"})
        url = a.get("url") if a is not None else None
        return f"<{url}>" if isinstance(url, str) and _AUTOLINK.fullmatch(url) and _link_ok(url) else None

    def issue(self, node: Node) -> str | None:
        """The issue key of an inline card that points at an issue (``.../browse/KEY``), on any site."""
        url = _clean(node).get("url")
        m = _BROWSE.fullmatch(url) if isinstance(url, str) else None
        return m.group(2) if m else None

    # ------------------------------------------------------------ inline

    def inline(self, nodes: list[Node], ctx: str) -> str:
        """Inline nodes as Markdown, checked by reading it back; what does not survive falls back to `adf:`."""
        if not nodes:
            return ""
        items = self.prepare(nodes)
        for tags in (False, True):
            md = self.render(items, ctx, tags)
            src = re.sub(r"\\\|", "|", md) if ctx == "cell" else md  # what the table parser does to cells
            if self.render(self.prepare(self.check.inline_md(src)), ctx, tags) == md:
                return md
        return _code_span("adf:" + _json(nodes), ctx == "cell")

    def prepare(self, nodes: list[Node]) -> list[Node]:
        """Normalise: validate, sort marks, merge texts, move whitespace out of emphasis; mark fallbacks."""
        items: list[Node] = []
        for n in nodes:
            if n.get("type") == "text" and n.get("text") == "":
                continue
            if n.get("type") == "text" and self.text_ok(n) and (kind := _link_form(n)):
                items.append({"type": kind, "text": n["text"], "href": n["marks"][0]["attrs"]["href"]})
            elif n.get("type") == "text" and self.text_ok(n):
                marks = [{"type": m["type"]} | ({"attrs": a} if (a := _clean(m)) else {}) for m in n.get("marks") or []]
                items.append(
                    {"type": "text", "text": n["text"], "marks": sorted(marks, key=lambda m: _RANK[m["type"]])}
                )
            elif n.get("type") != "text" and self.leaf(n, "para") is not None:
                items.append(n)
            else:
                items.append({"type": _RAW, "nodes": [n]})
        return _merge(_shift(_merge(items)))

    def text_ok(self, node: Node) -> bool:
        """A text node whose marks all have a Markdown form (else it goes to the inline fallback)."""
        text, marks = node.get("text"), node.get("marks") or []
        if not isinstance(text, str) or not isinstance(marks, list) or _attrs(node | {"marks": None}) is None:
            return False
        if not all(isinstance(m, dict) for m in marks) or len({m.get("type") for m in marks}) != len(marks):
            return False
        for m in marks:
            kind = m.get("type")
            a = _attrs(m, _MARK_ATTRS.get(kind, set())) if isinstance(kind, str) else None
            if a is None or kind not in _RANK or (kind == "code" and re.search(r"[\r\n]", text)):
                return False
            href, title, color = a.get("href"), a.get("title", ""), a.get("color")
            plain_title = isinstance(title, str) and not re.search(r"[\r\n]", title)
            link_ok = isinstance(href, str) and _link_ok(href) and not href.startswith(_SCHEMES) and plain_title
            if kind == "link" and not link_ok:
                return False
            if (kind == "subsup" and a.get("type") not in ("sub", "sup")) or (
                kind == "textColor" and not (isinstance(color, str) and _HEX.fullmatch(color))
            ):
                return False
        return True

    def render(self, items: list[Node], ctx: str, tags: bool) -> str:
        out: list[str] = []
        stack: list[Node] = []
        bol = True
        for i, item in enumerate(items):
            marks = [m for m in item.get("marks", []) if m["type"] != "code"] if item["type"] == "text" else []
            keep = 0
            while keep < len(stack) and stack[keep] in marks:
                keep += 1
            out += [self.close(m, tags) for m in reversed(stack[keep:])]
            del stack[keep:]
            opened = sorted((m for m in marks if m not in stack), key=lambda m: (-_run(items, i, m), _RANK[m["type"]]))
            out += [self.open(m, tags) for m in opened]
            stack += opened
            bol = bol and not opened
            near = tuple(0 <= j < len(items) and items[j]["type"] == "emoji" and not marks for j in (i - 1, i + 1))
            out.append(self.leaf(item, ctx, bol, i == len(items) - 1, (near[0], near[1])) or "")
            bol = item["type"] == "hardBreak" and out[-1].endswith("\n")
        out += [self.close(m, tags) for m in reversed(stack)]
        return "".join(out)

    def open(self, mark: Node, tags: bool) -> str:
        kind, a = mark["type"], mark.get("attrs") or {}
        if kind in _DELIM:
            return f"<{_DELIM[kind][1]}>" if tags else _DELIM[kind][0]
        if kind == "link":
            return "["
        if kind == "subsup":
            return f"<{a['type']}>"
        return "<u>" if kind == "underline" else f'<span style="color: {a["color"].lower()}">'

    def close(self, mark: Node, tags: bool) -> str:
        kind, a = mark["type"], mark.get("attrs") or {}
        if kind in _DELIM:
            return f"</{_DELIM[kind][1]}>" if tags else _DELIM[kind][0]
        if kind == "link":
            title = f' "{_bs(a["title"], chr(34) + chr(92))}"' if a.get("title") else ""
            return f"]({_dest(a['href'])}{title})"
        if kind == "subsup":
            return f"</{a['type']}>"
        return "</u>" if kind == "underline" else "</span>"

    def leaf(
        self, node: Node, ctx: str, bol: bool = False, eol: bool = False, emoji: tuple[bool, bool] = (False, False)
    ) -> str | None:
        kind = node.get("type")
        if kind == "text":
            text = node["text"]
            return _code_span(text, ctx == "cell") if _has(node, "code") else _esc(text, ctx, bol, eol, emoji)
        if kind == "_email":
            return f"<{node['text']}>"
        if kind == "_issue_link":  # `[KEY](issue url)` reads as a card: an escape keeps it a link
            return f"[{_esc(node['text'], 'label').replace('-', chr(92) + '-', 1)}]({_dest(node['href'])})"
        if kind == _RAW:
            return _code_span(
                "adf:" + _json(node["nodes"][0] if len(node["nodes"]) == 1 else node["nodes"]), ctx == "cell"
            )
        if kind == "hardBreak" and _attrs(node, {"text"}) is not None:
            if ctx == "para" and eol and bol:  # a line of just `<br>` would open an HTML block
                return _code_span('adf:{"type":"hardBreak"}', False)
            return "\\\n" if ctx == "para" and not eol else "<br>"
        if kind == "mention" and (a := _attrs(node, {"id", "text", "accessLevel", "userType"})) is not None:
            ident, text = a.get("id"), a.get("text", "")
            # text must start with "@" (the label's form) and differ from the no-name label "@id"
            named = isinstance(text, str) and "\n" not in text and (not text or text.startswith("@"))
            if isinstance(ident, str) and _link_ok(ident) and named:  # text "@id" reads back as no text
                return f"[{_esc(text or '@' + ident, 'label')}]({_dest('mention:' + ident)})"
        if kind == "emoji" and (a := _attrs(node, {"shortName", "id", "text"})) is not None:
            name = a.get("shortName")
            return name if isinstance(name, str) and _ONE_EMOJI.fullmatch(name) else None
        if kind == "date" and (a := _attrs(node, {"timestamp"})) is not None:
            return _date_md(a.get("timestamp"))
        if kind == "status" and (a := _attrs(node, {"text", "color"})) is not None:
            text, color = a.get("text"), a.get("color")
            if isinstance(text, str) and "\n" not in text and isinstance(color, str) and _link_ok(color):
                return f"[{_esc(text, 'label')}]({_dest('status:' + color)})"
        if kind == "inlineCard" and (a := _attrs(node, {"url"})) is not None:
            url, key = a.get("url"), self.issue(node)
            if key and self.site and url == f"{self.site}/browse/{key}":
                return f"[{key}](jira:{key})"  # the reader rebuilds this URL from the same site
            if key and isinstance(url, str) and _link_ok(url):
                return f"[{key}]({_dest(url)})"  # the key to read, the URL to write back
            if isinstance(url, str) and _AUTOLINK.fullmatch(url) and _link_ok(url):
                return f"<{url}>"
        return None


def _link_form(node: Node) -> str | None:
    """A text node that is only a link Markdown has a special form for: an email autolink, or a link whose
    text is the key of the issue it points at (which would read back as an inline card)."""
    marks = node.get("marks") or []
    if len(marks) != 1 or marks[0].get("type") != "link" or set(marks[0].get("attrs") or {}) != {"href"}:
        return None
    text, href = node["text"], marks[0]["attrs"]["href"]
    if href == "mailto:" + text and _EMAIL.fullmatch(text):
        return "_email"
    m = _BROWSE.fullmatch(href) if isinstance(href, str) else None
    return "_issue_link" if m and m.group(2) == text and _link_ok(href) else None


def _run(items: list[Node], start: int, mark: Node) -> int:
    end = start
    while end < len(items) and items[end]["type"] == "text" and mark in items[end]["marks"]:
        end += 1
    return end - start


def _merge(items: list[Node]) -> list[Node]:
    out: list[Node] = []
    for item in items:
        last = out[-1] if out else None
        if last and last["type"] == item["type"] == "text" and last["marks"] == item["marks"]:
            out[-1] = last | {"text": last["text"] + item["text"]}
        elif last and last["type"] == item["type"] == _RAW:
            out[-1] = {"type": _RAW, "nodes": last["nodes"] + item["nodes"]}
        else:
            out.append(item)
    return out


def _shift(items: list[Node]) -> list[Node]:
    """Whitespace at the edge of a strong/em/strike run moves outside it: `**a **b` would not read as bold."""
    changed = True
    while changed:
        changed = False
        for i, item in enumerate(items):
            if item["type"] != "text" or _has(item, "code"):
                continue
            for kind in ("strong", "em", "strike"):
                text, without = item["text"], [m for m in item["marks"] if m["type"] != kind]
                if not _has(item, kind):
                    continue
                if (i == 0 or not _has(items[i - 1], kind)) and text[0].isspace():
                    body = text.lstrip()
                    new = [{"type": "text", "text": text[: len(text) - len(body)], "marks": without}]
                    items[i : i + 1] = new + ([item | {"text": body}] if body else [])
                elif (i == len(items) - 1 or not _has(items[i + 1], kind)) and text[-1].isspace():
                    body = text.rstrip()
                    new = [{"type": "text", "text": text[len(body) :], "marks": without}]
                    items[i : i + 1] = ([item | {"text": body}] if body else []) + new
                else:
                    continue
                changed = True
                break
            if changed:
                break
    return items


# ---------------------------------------------------------------- Markdown -> ADF


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value == int(value) else value


def _uid() -> str:
    return str(uuid.uuid4())


def _toks(node: SyntaxTreeNode) -> list[Token]:
    """The inline tokens of a paragraph, heading or table cell."""
    for child in node.children:
        if child.type == "inline" and child.token is not None:
            return child.token.children or []
    return []


def _plain(tokens: list[Token]) -> str:
    kinds = ("text", "text_special", "code_inline")
    return "".join(t.content if t.type in kinds else " " if t.type == "softbreak" else "" for t in tokens)


def _add(out: list[Node], text: str, marks: list[Node]) -> None:
    if not text:
        return
    unique = {m["type"]: m for m in marks}  # the innermost mark of a kind wins
    node: Node = {"type": "text", "text": text}
    if unique:
        node["marks"] = sorted(unique.values(), key=lambda m: _RANK[m["type"]])
    last = out[-1] if out else None
    if last and _text(last) is not None and last.get("marks") == node.get("marks"):
        last["text"] += text
    else:
        out.append(node)


def _text(node: Node) -> str | None:
    """The text of a text node; None for other nodes (and for broken ones restored from an `adf` block)."""
    return node["text"] if node.get("type") == "text" and isinstance(node.get("text"), str) else None


def _pop(marks: list[Node], kind: str) -> None:
    for i in range(len(marks) - 1, -1, -1):
        if marks[i]["type"] == kind:
            del marks[i]
            return


def _para(content: list[Node]) -> Node:
    return {"type": "paragraph", "content": content} if content else {"type": "paragraph"}


def _media_title(title: str) -> tuple[str, dict[str, Any]]:
    """An image title: the media collection, then ``; layout=...; width=...; widthType=...`` of its mediaSingle."""
    parts, single = title.split("; ") if title else [], {}
    for part in list(parts):
        m = _MEDIA_ATTR.fullmatch(part)
        if m and (m[1] != "width" or re.fullmatch(r"\d+(?:\.\d+)?", m[2])):
            single[m[1]] = _number(m[2]) if m[1] == "width" else m[2]
            parts.remove(part)
    return "; ".join(parts), single


def _single(node: Node) -> Node:
    """A `_image` placeholder alone in its paragraph as a mediaSingle."""
    single = _media_title(node.get("title") or "")[1]
    if (
        single.get("layout", "center") not in _SINGLE_LAYOUTS
        or single.get("widthType", "percentage") not in _WIDTH_TYPES
    ):
        single = {}
    if single.get("widthType", "percentage") == "percentage" and single.get("width", 0) > 100:
        single.pop("width")
    return {"type": "mediaSingle", "attrs": {"layout": "center"} | single, "content": [_media(node)]}


def _media(node: Node) -> Node:
    """A `_image`/`_media` placeholder as an ADF media node."""
    src, alt = node["src"], node["alt"]
    if src.startswith("media:"):
        attrs = {"type": "file", "id": src[6:], "collection": _media_title(node.get("title") or "")[0]}
    else:
        attrs = {"type": "external", "url": src}
    return {"type": "media", "attrs": attrs | ({"alt": alt} if alt else {})}


# What ADF lets a container hold; Markdown nests anything, so _fit flattens the rest into the container.
_HOLDS = {
    "listItem": {"paragraph", "bulletList", "orderedList", "taskList", "codeBlock", "mediaSingle"},
    "blockquote": {"paragraph", "bulletList", "orderedList", "codeBlock", "mediaSingle", "mediaGroup"},
    "panel": {"paragraph", "heading", "bulletList", "orderedList", "taskList", "codeBlock", "rule"}
    | {"mediaSingle", "mediaGroup", "blockCard"},
    "nestedExpand": {"paragraph", "heading", "bulletList", "orderedList", "taskList", "codeBlock", "rule"}
    | {"mediaSingle", "mediaGroup", "panel", "blockquote"},
}
_HOLDS["tableCell"] = _HOLDS["nestedExpand"] | {"decisionList", "blockCard", "nestedExpand"}
_CONTAINERS = {"blockquote", "panel", "expand", "nestedExpand", "table", "taskList"}


def _bold(node: Node) -> Node:
    if (
        node.get("type") != "text"
        or not isinstance(node.get("marks", []), list)
        or _has(node, "code")
        or _has(node, "strong")
    ):
        return node
    return node | {"marks": [*node.get("marks", []), {"type": "strong"}]}


def _fit(kids: list[Node], parent: str) -> list[Node]:
    """Keep what ADF allows in ``parent``: a heading becomes a bold paragraph, a block card an inline one,
    a rule goes, and a nested container (quote, panel, details, table, task list) gives up its content."""
    out: list[Node] = []
    for kid in kids:
        kind = kid.get("type")
        if kind in _HOLDS[parent] or kind not in _CONTAINERS | {"heading", "blockCard", "mediaGroup", "rule"}:
            out.append(kid)  # allowed, or restored verbatim from an `adf` block
        elif kind == "heading":
            out.append(_para([_bold(x) for x in _nodes(kid.get("content"))]))
        elif kind == "blockCard":
            out.append(_para([{"type": "inlineCard", "attrs": _clean(kid)}]))
        elif kind == "mediaGroup":
            out += [
                {"type": "mediaSingle", "attrs": {"layout": "center"}, "content": [m]}
                for m in _nodes(kid.get("content"))
            ]
        elif kind in _CONTAINERS:  # nodes restored from an `adf` block may be odd: read them defensively
            title = _clean(kid).get("title")
            inner = (
                [_para([{"type": "text", "text": title, "marks": [{"type": "strong"}]}])]
                if isinstance(title, str)
                else []
            )
            for part in _nodes(kid.get("content")):
                if part.get("type") == "tableRow":
                    cells = [block for c in _nodes(part.get("content")) for block in _nodes(c.get("content"))]
                    inner += [{k: v for k, v in b.items() if k != "marks"} for b in cells]  # alignment stays in cells
                elif part.get("type") == "taskItem":
                    box = "[x] " if _clean(part).get("state") == "DONE" else "[ ] "
                    words = [{"type": "text", "text": box}, *_nodes(part.get("content"))]
                    if len(words) > 1 and words[1].get("type") == "text" and "marks" not in words[1]:
                        words[:2] = [{"type": "text", "text": box + str(words[1].get("text", ""))}]
                    inner.append(_para(words))
                else:
                    inner.append(part)
            out += _fit(inner, parent)
    return out


class _Reader:
    """Turns markdown-it's syntax tree into ADF (placeholders `_image`, `_media`, `_card` resolved per paragraph)."""

    def __init__(self, site_url: str | None) -> None:
        self.site = site_url.rstrip("/") if site_url else None

    def blocks(self, nodes: list[SyntaxTreeNode], depth: int) -> list[Node]:
        out: list[Node] = []
        i = 0
        while i < len(nodes):
            n = nodes[i]
            if n.type == "paragraph":
                out += self.paragraph(self.inline(_toks(n)))
            elif n.type == "heading":
                content = self.finish(self.inline(_toks(n)))
                out.append(
                    {"type": "heading", "attrs": {"level": int(n.tag[1])}} | ({"content": content} if content else {})
                )
            elif n.type in ("bullet_list", "ordered_list"):
                out.append(self.list_(n, depth))
            elif n.type == "blockquote":
                out += self.quote(n, depth)
            elif n.type in ("fence", "code_block"):
                out += self.code(n)
            elif n.type == "hr":
                out.append({"type": "rule"})
            elif n.type == "table":
                out.append(self.table(n))
            elif n.type == "html_block":
                nodes_, i = self.html_block(nodes, i, depth)
                out += nodes_
            i += 1
        return out

    def paragraph(self, nodes: list[Node]) -> list[Node]:
        real = [x for x in nodes if not ((_text(x) or "x").isspace() and "marks" not in x)]
        if len(nodes) == 1 and nodes[0]["type"] == "_image":
            return [_single(nodes[0])]
        if len(nodes) == 1 and nodes[0]["type"] == "_card":
            return [{"type": "blockCard", "attrs": {"url": nodes[0]["url"]}}]
        if real and all(x["type"] == "_media" for x in real):
            return [{"type": "mediaGroup", "content": [_media(x) for x in real]}]
        content = self.finish(nodes)
        return [_para(content)] if content else []

    def finish(self, nodes: list[Node]) -> list[Node]:
        """Placeholders that stand inside text: a card is an inlineCard, an image a link."""
        out: list[Node] = []
        for x in nodes:
            if x["type"] == "_card":
                out.append({"type": "inlineCard", "attrs": {"url": x["url"]}})
            elif x["type"] in ("_image", "_media"):
                _add(out, x["alt"] or x["src"], [{"type": "link", "attrs": {"href": x["src"]}}])
            elif out and _text(x) is not None and _text(out[-1]) is not None and out[-1].get("marks") == x.get("marks"):
                out[-1] = out[-1] | {"text": f"{out[-1]['text']}{x['text']}"}
            else:
                out.append(x)
        return out

    def inline_md(self, src: str) -> list[Node]:
        tokens = _MD.parseInline(src)
        return self.finish(self.inline(tokens[0].children or [])) if tokens else []

    def inline(self, toks: list[Token]) -> list[Node]:
        out: list[Node] = []
        marks: list[Node] = []
        i = 0
        while i < len(toks):
            tok, kind = toks[i], toks[i].type
            if kind == "text":
                self.text(out, tok.content, marks)
            elif kind == "text_special":
                _add(out, tok.content, marks)
            elif kind == "softbreak":
                _add(out, " ", marks)
            elif kind == "hardbreak":
                out.append({"type": "hardBreak"})
            elif kind == "code_inline":
                restored = _restore(tok.content[4:]) if tok.content.startswith("adf:") else None
                if restored is not None:
                    out += restored
                else:
                    # ADF's code mark takes no other mark but a link: emphasis around code is dropped
                    _add(out, tok.content, [*(m for m in marks if m["type"] == "link"), {"type": "code"}])
            elif kind in ("strong_open", "em_open", "s_open"):
                marks.append({"type": "strike" if kind == "s_open" else kind[:-5]})
            elif kind in ("strong_close", "em_close", "s_close"):
                _pop(marks, "strike" if kind == "s_close" else kind[:-6])
            elif kind == "link_open":
                end = next((j for j in range(i + 1, len(toks)) if toks[j].type == "link_close"), len(toks))
                special = self.link(tok, _plain(toks[i + 1 : end]), toks[i + 1 : end])
                if special is None:
                    title = tok.attrGet("title")
                    marks.append(
                        {
                            "type": "link",
                            "attrs": {"href": str(tok.attrGet("href"))} | ({"title": str(title)} if title else {}),
                        }
                    )
                else:
                    out += special
                    i = end
            elif kind == "link_close":
                _pop(marks, "link")
            elif kind == "image":
                title = tok.attrGet("title")
                out.append(
                    {
                        "type": "_image",
                        "src": str(tok.attrGet("src")),
                        "alt": _plain(tok.children or []),
                        "title": str(title or ""),
                    }
                )
            elif kind == "html_inline":
                self.html(out, tok.content, marks)
            i += 1
        return out

    def text(self, out: list[Node], text: str, marks: list[Node]) -> None:
        pos = 0
        for m in _EMOJI.finditer(text):
            _add(out, text[pos : m.start()], marks)
            out += [{"type": "emoji", "attrs": {"shortName": e}} for e in _ONE_EMOJI.findall(m.group())]
            pos = m.end()
        _add(out, text[pos:], marks)

    def link(self, tok: Token, label: str, inner: list[Token]) -> list[Node] | None:
        """Our own link forms (mention, status, date, jira, issue and autolink cards, media); None for a link."""
        href = str(tok.attrGet("href") or "")
        scheme, _, rest = href.partition(":")
        issue = _BROWSE.fullmatch(href)
        if issue and not tok.attrGet("title") and [(t.type, t.content) for t in inner] == [("text", issue[2])]:
            return [{"type": "inlineCard", "attrs": {"url": href}}]
        if tok.markup == "autolink":
            return (
                None
                if href.startswith("mailto:") and not label.startswith("mailto:")
                else [{"type": "_card", "url": href}]
            )
        if scheme == "mention" and rest:
            text = label if label.startswith("@") else "@" + label
            return [{"type": "mention", "attrs": {"id": rest} | ({"text": text} if text != "@" + rest else {})}]
        if scheme == "status" and rest and label:
            return [{"type": "status", "attrs": {"text": label, "color": rest}}]
        if scheme == "date" and rest:
            ts = _date_ts(rest)
            return [{"type": "date", "attrs": {"timestamp": ts}}] if ts else [{"type": "text", "text": label or rest}]
        if scheme == "jira" and rest:
            if self.site:
                return [{"type": "inlineCard", "attrs": {"url": f"{self.site}/browse/{rest}"}}]
            return [{"type": "text", "text": label or rest}]
        if scheme == "media" and rest:
            return [{"type": "_media", "src": href, "alt": label, "title": str(tok.attrGet("title") or "")}]
        return None

    def html(self, out: list[Node], raw: str, marks: list[Node]) -> None:
        m = _TAG.fullmatch(raw.strip())
        name, rest, closing = (m.group(2).lower(), m.group(3) or "", m.group(1) == "/") if m else ("", "", False)
        kind = _TAGS.get(name)
        if name == "br" and not closing:
            out.append({"type": "hardBreak"})
        elif name == "input" and "checkbox" in rest:  # a task box in a list that is not a task list
            _add(out, "[x]" if "checked" in rest else "[ ]", marks)
        elif kind and closing:
            _pop(marks, kind)
        elif kind == "textColor" and (color := _COLOR.fullmatch(rest)) and (hexa := _hex(color.group(1))):
            marks.append({"type": "textColor", "attrs": {"color": hexa}})
        elif kind and kind != "textColor" and not rest.strip():
            marks.append({"type": kind} | ({"attrs": {"type": name}} if kind == "subsup" else {}))
        else:
            _add(out, raw, marks)

    def task_head(self, item: SyntaxTreeNode) -> tuple[str, list[Token]] | None:
        """(state, inline tokens) of a task item whose nested lists are all task lists, else None."""
        kids = item.children
        if not kids or kids[0].type != "paragraph" or not all(self.is_tasks(k) for k in kids[1:]):
            return None
        toks = _toks(kids[0])
        if toks and toks[0].type == "html_inline" and "checkbox" in toks[0].content:
            rest = list(toks[1:])
            if rest and rest[0].type == "text" and rest[0].content.startswith(" "):
                rest[0] = rest[0].copy(content=rest[0].content[1:])
            return ("DONE" if "checked" in toks[0].content else "TODO"), rest
        if len(toks) == 1 and toks[0].type == "text" and toks[0].content in ("[ ]", "[x]", "[X]"):
            return ("TODO" if toks[0].content == "[ ]" else "DONE"), []  # an empty task: `- [ ]`
        return None

    def is_tasks(self, node: SyntaxTreeNode) -> bool:
        return node.type == "bullet_list" and bool(node.children) and all(self.task_head(i) for i in node.children)

    def tasks(self, node: SyntaxTreeNode) -> Node:
        content: list[Node] = []
        for item in node.children:
            state, toks = self.task_head(item) or ("TODO", [])
            inline = self.finish(self.inline(toks))
            content.append(
                {"type": "taskItem", "attrs": {"localId": _uid(), "state": state}}
                | ({"content": inline} if inline else {})
            )
            content += [self.tasks(sub) for sub in item.children[1:]]
        return {"type": "taskList", "attrs": {"localId": _uid()}, "content": content}

    def list_(self, node: SyntaxTreeNode, depth: int) -> Node:
        if self.is_tasks(node):
            return self.tasks(node)
        items = []
        for item in node.children:
            content = _fit(self.blocks(item.children, depth + 1), "listItem")
            if not content or content[0]["type"] in _LISTS:
                content.insert(0, {"type": "paragraph"})  # ADF: a list item cannot start with a list
            items.append({"type": "listItem", "content": content})
        if node.type == "ordered_list":
            return {"type": "orderedList", "attrs": {"order": int(node.attrs.get("start", 1))}, "content": items}
        return {"type": "bulletList", "content": items}

    def quote(self, node: SyntaxTreeNode, depth: int) -> list[Node]:
        kids = node.children
        toks = _toks(kids[0]) if kids and kids[0].type == "paragraph" else []
        m = re.match(r"\[!([A-Za-z]+)\]", toks[0].content) if toks and toks[0].type == "text" else None
        if m and m.group(1).upper() == "DECISION" and (decided := self.decisions(kids, toks[0].content[m.end() :])):
            return decided
        if not m or m.group(1).upper() not in _ALERTS:
            return [{"type": "blockquote", "content": _fit(self.blocks(kids, depth + 1), "blockquote") or [_para([])]}]
        first, rest = toks[0].content[m.end() :], toks[1:]
        lead: list[Node] = []
        if m.group(1).upper() == "PANEL":  # ADF panels have no title: it becomes a bold first line
            cut = next((j for j, t in enumerate(rest) if t.type in ("softbreak", "hardbreak")), len(rest))
            title = (first + _plain(rest[:cut])).strip()
            first, rest = "", rest[cut + 1 :]
            lead = [_para([{"type": "text", "text": title, "marks": [{"type": "strong"}]}])] if title else []
        elif not first.strip() and rest and rest[0].type == "softbreak":
            rest = rest[1:]
        body = self.inline([Token("text", "", 0, content=first.lstrip())] + rest if first.strip() else rest)
        content = _fit(lead + self.paragraph(body) + self.blocks(kids[1:], depth + 1), "panel")
        return [
            {"type": "panel", "attrs": {"panelType": _ALERTS[m.group(1).upper()]}, "content": content or [_para([])]}
        ]

    def decisions(self, kids: list[SyntaxTreeNode], rest: str) -> list[Node] | None:
        """``> [!DECISION]`` and one bullet list of one-paragraph items: a decision list."""
        if rest.strip() or len(kids) != 2 or kids[1].type != "bullet_list" or len(_toks(kids[0])) != 1:
            return None
        items = []
        for item in kids[1].children:
            if len(item.children) != 1 or item.children[0].type != "paragraph":
                return None
            content = self.finish(self.inline(_toks(item.children[0])))
            attrs = {"localId": _uid(), "state": "DECIDED"}
            items.append({"type": "decisionItem", "attrs": attrs} | ({"content": content} if content else {}))
        return [{"type": "decisionList", "attrs": {"localId": _uid()}, "content": items}]

    def code(self, node: SyntaxTreeNode) -> list[Node]:
        info = unescapeAll(node.info).strip() if node.type == "fence" else ""
        body = node.content[:-1] if node.content.endswith("\n") else node.content
        restored = _restore(body.strip()) if info == "adf" else None
        if restored is not None:
            return restored
        attrs = {"attrs": {"language": info}} if info else {}
        return [{"type": "codeBlock"} | attrs | ({"content": [{"type": "text", "text": body}]} if body else {})]

    def table(self, node: SyntaxTreeNode) -> Node:
        rows = []
        for section in node.children:
            for tr in section.children:
                cells = []
                for c in tr.children:
                    para = _para(self.finish(self.inline(_toks(c))))
                    align = {"text-align:center": "center", "text-align:right": "end"}.get(str(c.attrs.get("style")))
                    para |= {"marks": [{"type": "alignment", "attrs": {"align": align}}]} if align else {}
                    cells.append({"type": "tableHeader" if c.type == "th" else "tableCell", "content": [para]})
                rows.append({"type": "tableRow", "content": cells})
        return {"type": "table", "content": rows}

    def html_block(self, nodes: list[SyntaxTreeNode], i: int, depth: int) -> tuple[list[Node], int]:
        """`<details>`...`</details>` as expand, `<br>` as a break, other HTML as text; also the last index used."""
        raw = nodes[i].content
        if re.match(r"\s*<table[\s>]", raw) and (found := self.html_table(nodes, i, depth)):
            return found
        if _LAYOUT.match(raw) and (found := self.layouts(nodes, i, depth)):
            return found
        if aligned := _ALIGNED.fullmatch(raw):
            tag, align, inner = aligned.group(1).lower(), aligned.group(2), aligned.group(3)
            marks = [{"type": "alignment", "attrs": {"align": {"center": "center", "right": "end"}[align]}}]
            content = self.inline_md(inner)
            if tag == "p" and content:
                return [{"type": "paragraph", "content": content, "marks": marks}], i
            if tag != "p":
                return [{"type": "heading", "attrs": {"level": int(tag[1])}, "content": content, "marks": marks}], i
        m = _DETAILS.match(raw)
        if not m:
            if _CLOSE_DETAILS.match(raw) and not raw.strip()[len("</details>") :].strip():
                return [], i
            if re.fullmatch(r"\s*<br\s*/?>\s*", raw):
                return [_para([{"type": "hardBreak"}])], i
            return [_para([{"type": "text", "text": raw.strip("\n")}])] if raw.strip() else [], i
        title, rest = m.group(1), m.group(2)
        close = re.search(r"</details>", rest, re.I)
        inner = self.blocks(SyntaxTreeNode(_MD.parse(rest[: close.start()] if close else rest)).children, depth + 1)
        j = i
        if not close:
            level, j = 1, i + 1
            while j < len(nodes):
                if nodes[j].type == "html_block":
                    c = nodes[j].content
                    level += (
                        1 if _DETAILS.match(c) and "</details>" not in c.lower() else -bool(_CLOSE_DETAILS.match(c))
                    )
                    if level == 0:
                        break
                j += 1
            inner += self.blocks(nodes[i + 1 : j], depth + 1)
        inner = inner if depth == 0 else _fit(inner, "nestedExpand")
        node: Node = {"type": "expand" if depth == 0 else "nestedExpand", "content": inner or [_para([])]}
        node |= {"attrs": {}} if depth else {}  # ADF: a nestedExpand always has attrs
        if title is not None:
            node = {"type": node["type"], "attrs": {"title": html.unescape(title)}, "content": node["content"]}
        return [node], j

    def html_table(self, nodes: list[SyntaxTreeNode], i: int, depth: int) -> tuple[list[Node], int] | None:
        """Our HTML table form: tags in HTML blocks, a cell's Markdown on its line or as the blocks between."""
        table: Node = {"type": "table", "content": []}
        row: list[Node] | None = None
        cell: Node | None = None
        for j in range(i, len(nodes)):
            if nodes[j].type != "html_block" or not _CELL_TAG.search(nodes[j].content):
                if cell is None or cell["inline"].strip():
                    return None
                cell["blocks"].append(nodes[j])
                continue
            text, pos = nodes[j].content, 0
            for m in _CELL_TAG.finditer(text):
                between, pos = text[pos : m.start()], m.end()
                if between.strip():
                    if cell is None or cell["blocks"]:
                        return None
                    cell["inline"] += between
                close, tag, attrs = m.group(1) == "/", m.group(2).lower(), dict(_HTML_ATTR.findall(m.group(3)))
                if tag == "table" and not close:
                    names = {"data-layout": "layout", "data-width": "width", "data-display-mode": "displayMode"}
                    a: dict[str, Any] = {names[k]: v for k, v in attrs.items() if k in names}
                    a |= {"width": _number(a["width"])} if "width" in a else {}
                    a |= {"isNumberColumnEnabled": True} if attrs.get("data-number-column") == "true" else {}
                    table = table | ({"attrs": a} if a else {})
                elif tag == "tr":
                    if close and row is not None:
                        table["content"].append({"type": "tableRow", "content": row})
                    row = None if close else []
                elif tag in ("th", "td") and not close:
                    cell = {"kind": tag, "attrs": attrs, "inline": "", "blocks": []}
                elif tag in ("th", "td") and cell is not None and row is not None:
                    row.append(self.html_cell(cell, depth))
                    cell = None
                elif tag == "table" and close:
                    return ([table] if table["content"] else []), j
            if text[pos:].strip():
                if cell is None:
                    return None
                cell["inline"] += text[pos:]
        return None

    def html_cell(self, cell: dict[str, Any], depth: int) -> Node:
        attrs, a = cell["attrs"], dict[str, Any]()
        for name in ("colspan", "rowspan"):
            if str(attrs.get(name, "")).isdigit():
                a[name] = int(attrs[name])
        if re.fullmatch(r"\d+(?:\.\d+)?(?:,\d+(?:\.\d+)?)*", attrs.get("data-colwidth", "")):
            a["colwidth"] = [_number(x) for x in attrs["data-colwidth"].split(",")]
        a |= {"background": attrs["bgcolor"]} if attrs.get("bgcolor") else {}
        a |= {"valign": attrs["valign"]} if attrs.get("valign") in ("top", "middle", "bottom") else {}
        if cell["blocks"]:
            content = _fit(self.blocks(cell["blocks"], depth + 1), "tableCell")
        else:
            content = [_para(self.inline_md(cell["inline"].strip("\n")))]
            align = {"center": "center", "right": "end"}.get(attrs.get("align", ""))
            content[0] |= {"marks": [{"type": "alignment", "attrs": {"align": align}}]} if align else {}
        kind = "tableHeader" if cell["kind"] == "th" else "tableCell"
        return {"type": kind} | ({"attrs": a} if a else {}) | {"content": content or [_para([])]}

    def layouts(self, nodes: list[SyntaxTreeNode], i: int, depth: int) -> tuple[list[Node], int] | None:
        """``<!-- layout-section TYPE -->`` ... ``<!-- layout-cell -->`` ... ``<!-- /layout -->``: layoutSections."""
        sections: list[Node] = []
        columns: list[list[SyntaxTreeNode]] = []
        widths: list[float] = []
        marks: list[Node] = []

        def close() -> None:
            if columns:
                sizes = widths if len(widths) == len(columns) else [round(100 / len(columns), 2)] * len(columns)
                cols: list[Node] = [
                    {"type": "layoutColumn", "attrs": {"width": w}, "content": self.blocks(c, 0) or [_para([])]}
                    for w, c in zip(sizes, columns, strict=True)
                ]
                if 2 <= len(cols) <= 3:
                    sections.append({"type": "layoutSection", "content": cols} | ({"marks": marks} if marks else {}))
                else:  # ADF's layouts have two or three columns: keep the content of any other
                    sections.extend(b for col in cols for b in col["content"])

        for j in range(i, len(nodes)):
            m = _LAYOUT.fullmatch(nodes[j].content) if nodes[j].type == "html_block" else None
            if m is None:
                if not columns:
                    return None
                columns[-1].append(nodes[j])
            elif m.group(1) == "layout-section":
                close()
                words = m.group(2).split()
                kind = next((w for w in words if "=" not in w), "")
                params = dict(w.split("=", 1) for w in words if "=" in w)
                by_name: dict[str, list[float]] = {v: list(k) for k, v in _LAYOUTS.items()}
                try:
                    widths = by_name.get(kind) or [_number(x) for x in params.get("widths", "").split(",")]
                except ValueError:
                    return None
                breakout: dict[str, Any] = {"mode": params["breakout-mode"]} if params.get("breakout-mode") else {}
                if breakout and params.get("breakout-width", "").replace(".", "", 1).isdigit():
                    breakout["width"] = _number(params["breakout-width"])
                marks = [{"type": "breakout", "attrs": breakout}] if breakout else []
                columns = [[]]
            elif m.group(1) == "layout-cell":
                if not columns:
                    return None
                columns.append([])
            else:
                close()
                if depth:  # ADF has layouts at the top level only: keep their content
                    flat = [
                        [b for c in x["content"] for b in c["content"]] if x["type"] == "layoutSection" else [x]
                        for x in sections
                    ]
                    return [b for part in flat for b in part], j
                return sections, j
        return None
