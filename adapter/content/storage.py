"""Confluence storage format (XHTML with ``ac:``/``ri:`` elements) <-> Markdown in the style of CONVENTIONS.md.

Why: the model reads and writes Markdown while Confluence stores XHTML.  Every construct either maps onto the
shared Markdown conventions or survives as a ```` ```confluence ```` block holding its exact XML, which
``markdown_to_storage`` writes back verbatim, so an edit by the model never drops a macro it cannot see.

Conventions this module adds to CONVENTIONS.md:
- Page link ``[text](page:SPACE/Title)``; ``page:/Title`` when the link names no space (``page:Title`` is read
  the same way).  Attachment link ``[text](attachment:file.pdf)``.  Destinations with spaces use ``<...>``.
  The link text is the link body; a text equal to the title (file name) means "no body".
- Mentions: ``ri:account-id`` -> ``mention:ID``, ``ri:username`` -> ``mention:~name``, ``ri:userkey`` ->
  ``mention:userkey:KEY``; without a link body the text is ``@`` + the id, a body becomes the display name.
- ``<u>``, ``<sub>``, ``<sup>`` stay inline HTML; a line break is a backslash hard break, or ``<br>`` where
  Markdown cannot hold one (end of a paragraph, headings, table cells).  Bold, italic and strike whose
  ``**``/``*``/``~~`` would not parse (CommonMark flanking rules) are written ``<strong>``/``<em>``/``<s>``.
- Every alert marker may carry the macro title: ``> [!INFO] Title``.  ``[!SUCCESS]``/``[!ERROR]`` become the
  tip/warning macros (storage has no such panels) and so come back as ``[!TIP]``/``[!WARNING]``.
- Code macro parameters other than the language ride in the fence info: ```` ```python title="a b" ````.
  status/jira parameters beyond title/colour/key ride in the link title: ``[X](jira:X "server=S; serverId=1")``.
  Status colours are lower case; ``Grey`` or no colour is ``neutral`` (written back without a colour).
- A GFM table whose header cells are all empty stands for a table without a header row.
- An unknown inline element is a code span `` `confluence:<xml/>` `` when its XML fits on one line; otherwise
  the whole paragraph becomes a ```` ```confluence ```` block.  A storage string that is not well-formed XML
  becomes one block holding the raw input.
- Layouts (``ac:layout``/``ac:layout-section``/``ac:layout-cell``) are flattened to the cells' blocks in order.
  Flattening never loses content (everything inside a cell converts or falls back), so no layout is ever kept
  as a fallback; the section types and column boundaries are lost and the page comes back single-column.
Dropped as presentation or ids (see the module's tests for the exact list of what does not round-trip): HTML
attributes other than ``ol start``, ``a href/title``; ``ac:image`` size/alignment; table ``colgroup``, widths,
alignment and thead-vs-tbody; ``span`` styling (a span is transparent unless it strikes or underlines); macro
ids, schema versions, local ids, task ids; Cloud emoji ids and fallbacks (the shortname is kept); empty
paragraphs; parameter order.
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from dataclasses import dataclass
from html.entities import html5
from typing import Any

from lxml import etree
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.tasklists import tasklists_plugin

__all__ = ["markdown_to_storage", "storage_to_markdown"]

_NS = {
    "ac": "http://atlassian.com/content",
    "ri": "http://atlassian.com/resource/identifier",
    "at": "http://atlassian.com/template",
}
_PREFIX = {uri: p for p, uri in _NS.items()}
_DECLS = [f' xmlns:{p}="{uri}"' for p, uri in _NS.items()]
_ROOT = "<root" + "".join(_DECLS) + ">"
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_CDATA = re.compile(r"(<!\[CDATA\[.*?\]\]>)", re.S)
_WS = re.compile(r"[ \t\r\n]+")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_INLINE = {
    *("strong", "b", "em", "i", "u", "s", "del", "strike", "code", "sub", "sup", "a", "span", "br", "time"),
    *("font", "small", "big", "ins", "kbd", "img", "abbr", "cite", "q", "mark", "var", "samp"),
    *("ac:link", "ac:image", "ac:emoticon", "ac:inline-comment-marker", "ac:placeholder"),
}
_ALERTS = {"info", "note", "warning", "tip", "panel"}
_ALERT_IN = {"success": "tip", "error": "warning"}
_LEGACY_EMOTICONS = {
    *("smile", "sad", "cheeky", "laugh", "wink", "thumbs-up", "thumbs-down", "information", "tick", "cross"),
    *("warning", "plus", "minus", "question", "light-on", "light-off", "yellow-star", "red-star", "green-star"),
    *("blue-star", "heart", "broken-heart"),
}
_EMOJI_NAME = r"(?:\+1|-1|100|1234|[a-z0-9_+-]*[a-z][a-z0-9_+-]*)"
_EMOJI = re.compile(rf":({_EMOJI_NAME}):(?![^\W_])")
_MD_ESCAPE = re.compile(
    rf"[\\`*\[\]<|]|~(?=~)|(?<=~)~|(?<![^\W_])_|_(?![^\W_])|&(?=#?\w+;)|:(?={_EMOJI_NAME}:(?![^\W_]))|\u00a0"
)
_LINE_START = re.compile(
    r"^(?:(#{1,6}(?=[ \t]|$)|[-+](?=[ \t]|$)|>|=+(?=[ \t]*$)|-(?=[- \t]*$))|(\d{1,9})([.)])(?=[ \t]|$))"
)
_AUTOLINK = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>\x00-\x1f]*")
_ALERT = re.compile(r"\[!(INFO|NOTE|WARNING|TIP|SUCCESS|ERROR|PANEL)\](?=\s|$)", re.I)
_DETAILS_OPEN = re.compile(r"\s*<details(?:\s[^>]*)?>\s*(?:<summary(?:\s[^>]*)?>(.*?)</summary>)?(.*)", re.S | re.I)
_DETAILS_CLOSE = re.compile(r"\s*</details>(.*)", re.S | re.I)
_INFO = re.compile(r'([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)|(\S+)')
_HTML_PAIR = re.compile(r"<(/?)(u|sub|sup|s|del|strike|strong|b|em|i|code)\s*>", re.I)
_HTML_RENAME = {"b": "strong", "i": "em", "del": "s", "strike": "s"}
_BR = "\x00"  # stands for <br/> until the paragraph knows whether a hard break fits there


def _md_parser() -> MarkdownIt:
    """The conventions' parser; text_join off so escaped characters stay separate (no emoji from ``\\:``)."""
    md = MarkdownIt("commonmark").enable("table").enable("strikethrough").use(tasklists_plugin)
    md.disable("text_join")
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]  # keep destinations exactly as written
    md.normalizeLinkText = lambda link: link  # type: ignore[method-assign]
    return md


_MD = _md_parser()


class _Fallback(Exception):
    """An inline element whose XML cannot sit in a code span: the enclosing paragraph falls back."""


# ---------------------------------------------------------------------------------------------- XML helpers


def _parse(xhtml: str) -> Any:
    """Parse a storage fragment strictly; None when it is not well-formed (the caller keeps the raw text)."""

    def entity(m: re.Match[str]) -> str:
        if m.group(1) in ("amp", "lt", "gt", "quot", "apos"):
            return m.group(0)
        chars = html5.get(m.group(1) + ";")
        return "".join(f"&#{ord(c)};" for c in chars) if chars else m.group(0)

    text = "".join(p if p.startswith("<![CDATA[") else _ENTITY.sub(entity, p) for p in _CDATA.split(xhtml))
    parser = etree.XMLParser(strip_cdata=False, resolve_entities=False, huge_tree=True)
    try:
        return etree.fromstring(_ROOT + text + "</root>", parser)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _qname(name: str) -> str:
    """``{uri}local`` -> ``ac:local``."""
    if name.startswith("{"):
        uri, _, local = name[1:].partition("}")
        return f"{_PREFIX.get(uri, uri)}:{local}"
    return name


def _tag(el: Any) -> str:
    """``ac:name`` style tag; "" for comments and processing instructions."""
    return _qname(el.tag) if isinstance(el.tag, str) else ""


def _get(el: Any, name: str) -> str | None:
    prefix, _, local = name.rpartition(":")
    value = el.get(f"{{{_NS[prefix]}}}{local}" if prefix else local)
    return value if value is None else str(value)


def _attr_names(el: Any) -> set[str]:
    return {_qname(k) for k in el.attrib}


def _items(el: Any) -> list[Any]:
    """Children interleaved with text: [text, child, tail, child, tail, ...] without empty strings."""
    out: list[Any] = [el.text] if el.text else []
    for child in el:
        out.append(child)
        if child.tail:
            out.append(child.tail)
    return out


def _blank(text: str) -> bool:
    """XML whitespace only (a no-break space is content)."""
    return not text.strip(" \t\r\n")


def _elements(el: Any) -> list[Any] | None:
    """Element children, or None when the element also holds non-blank text."""
    if any(isinstance(i, str) and not _blank(i) for i in _items(el)):
        return None
    return list(el)


def _xml(el: Any) -> str:
    """The element's XML as written, minus the namespace declarations our wrapper added."""
    text = str(etree.tostring(el, encoding="unicode", with_tail=False))
    head, sep, rest = text.partition(">")
    for decl in _DECLS:
        head = head.replace(decl, "")
    return head + sep + rest


def _x(text: str) -> str:
    return _BAD_XML_CHARS.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xa(text: str) -> str:
    return _x(text).replace('"', "&quot;")


def _cdata(text: str) -> str:
    return "<![CDATA[" + _BAD_XML_CHARS.sub("", text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _is_inline(el: Any) -> bool:
    tag = _tag(el)
    return tag in _INLINE or (tag == "ac:structured-macro" and _macro_link(el) is not None)


# ----------------------------------------------------------------------------------------- Markdown helpers


def _esc(text: str) -> str:
    """Escape Markdown syntax in plain text (whitespace collapsed as XHTML renders it)."""
    return _MD_ESCAPE.sub(lambda m: "&nbsp;" if m.group() == "\u00a0" else "\\" + m.group(), _WS.sub(" ", text))


def _fence(body: str, info: str) -> str:
    ticks = "`" * max(3, max((len(r) for r in re.findall("`+", body)), default=0) + 1)
    return f"{ticks}{info}\n{body}\n{ticks}"


def _code_span(text: str, pipes: bool) -> str:
    text = text.replace("\n", " ")
    if pipes:
        text = text.replace("|", "\\|")
    if not text:
        return ""
    ticks = "`" * (max((len(r) for r in re.findall("`+", text)), default=0) + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" or (text[0] == text[-1] == " " and text.strip()) else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _dest(url: str) -> str:
    if url and re.fullmatch(r"[^\s()<>\\]+", url):
        return _ENTITY_LIKE.sub(r"\\&", url)
    return "<" + _ENTITY_LIKE.sub(r"\\&", re.sub(r"([\\<>])", r"\\\1", url)).replace("\n", " ") + ">"


def _title(title: str | None) -> str:
    return "" if title is None else ' "' + _ENTITY_LIKE.sub(r"\\&", re.sub(r'([\\"])', r"\\\1", title)) + '"'


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.split("\n"))


def _bullet(marker: str, body: str) -> str:
    first, *rest = body.split("\n")
    pad = " " * (len(marker) + 1)
    if re.fullmatch(r"([-*])( *\1){2,} *", f"{marker} {first}"):  # "- - -" is a rule: start on the next line
        first, rest = "", [first, *rest]
    return "\n".join([f"{marker} {first}".rstrip()] + [pad + line if line else "" for line in rest])


def _punct(c: str) -> bool:
    return c in string.punctuation or unicodedata.category(c).startswith("P")


def _space(c: str) -> bool:
    return c == "" or c.isspace() or c == _BR


def _params_title(params: dict[str, str]) -> str | None:
    """Extra macro parameters as a link title ``k=v; k2=v2``; None when they cannot be written unambiguously."""
    if any(";" in k + v or "=" in k or "\n" in k + v for k, v in params.items()):
        return None
    return "; ".join(f"{k}={v}" for k, v in params.items())


@dataclass
class _Em:
    """Bold/italic/strike whose delimiters depend on the neighbouring characters."""

    mark: str
    tag: str
    inner: list[str | _Em]


def _first_char(pieces: list[str | _Em], start: int = 0) -> str:
    for j in range(start, len(pieces)):
        p = pieces[j]
        if isinstance(p, _Em):
            inner = _resolve(p.inner)
            if inner[:1] in (" ", _BR) or not inner:  # leading whitespace moves out of the mark
                p = inner
            else:
                return p.mark[0]
        if p:
            return p[0]
    return ""


def _ends_with_tick(pieces: list[str | _Em]) -> bool:
    """Whether the joined pieces end in a backtick (a mark never does: its delimiters close it)."""
    last = next((p for p in reversed(pieces) if p != ""), "")
    return isinstance(last, str) and last.endswith("`")


def _contains(pieces: list[str | _Em], mark: str) -> bool:
    return any(isinstance(p, _Em) and (p.mark == mark or _contains(p.inner, mark)) for p in pieces)


def _resolve(pieces: list[str | _Em]) -> str:
    """Join inline pieces, choosing ``**x**`` or ``<strong>x</strong>`` so that the Markdown parses back."""
    out: list[str] = []
    last = ""
    for i, p in enumerate(pieces):
        if isinstance(p, str):
            out.append(p)
            last = p[-1:] or last
            continue
        inner = _resolve(p.inner)
        core = inner.strip(" " + _BR)
        if not core:
            out.append(inner)
            last = inner[-1:] or last
            continue
        lead = inner[: len(inner) - len(inner.lstrip(" " + _BR))]
        trail = inner[len(inner.rstrip(" " + _BR)) :]
        after = _first_char(pieces, i + 1)
        lead = lead.replace(" ", "") if last == " " else lead  # moved-out spaces must not double up
        trail = trail.replace(" ", "") if after == " " else trail
        prev, nxt = (lead or last)[-1:], (trail or after)[:1]
        m = p.mark[0]
        solid = [q for q in p.inner if not (isinstance(q, str) and not q.strip(" " + _BR))]
        nested = [isinstance(q, _Em) and q.mark[0] == m and q.mark != p.mark for q in (solid[0], solid[-1])]
        ok = m not in (prev, nxt) and not (len(solid) == 1 and nested[0])  # ***x*** would nest the other way
        ok = ok and not _contains(p.inner, p.mark)  # **a **b** c** does not nest
        ok = ok and (core[0] != m or nested[0]) and (core[-1] != m or nested[1])
        ok = ok and (not _punct(core[0]) or _space(prev) or _punct(prev))
        ok = ok and (not _punct(core[-1]) or _space(nxt) or _punct(nxt))
        out.append(lead + (f"{p.mark}{core}{p.mark}" if ok else f"<{p.tag}>{core}</{p.tag}>") + trail)
        last = out[-1][-1:]
    return "".join(out)


def _escape_line_start(m: re.Match[str]) -> str:
    return m.group(2) + "\\" + m.group(3) if m.group(2) else "\\" + m.group(0)


def _finish(text: str, ctx: str) -> str:
    """Place line breaks and escape what would start a block at the beginning of a line."""
    if ctx != "block":
        return text.replace(_BR, "<br>").strip()
    text = re.sub(f"{_BR}(?=[{_BR}\\s]*$)", "<br>", text.strip(" ")).replace(_BR, "\\\n")
    return "\n".join(_LINE_START.sub(_escape_line_start, line.strip()) for line in text.split("\n")).strip()


# ---------------------------------------------------------------------------------------- storage -> Markdown

_Block = tuple[str, str]  # (kind, markdown); kind "p" paragraph, "ul"/"ol1" lists that may follow a paragraph


class _ToMarkdown:
    """Walks the parsed storage tree and renders Markdown blocks."""

    def __init__(self) -> None:
        self.cell = False

    # blocks -------------------------------------------------------------------------------------------

    def blocks(self, el: Any) -> list[_Block]:
        out: list[_Block] = []
        run: list[Any] = []
        for item in _items(el):
            if isinstance(item, str) or _is_inline(item):
                run.append(item)
                continue
            self.flush(run, out)
            run = []
            out.extend(b for b in self.block(item) if b[1])
        self.flush(run, out)
        return out

    def flush(self, run: list[Any], out: list[_Block]) -> None:
        if all(isinstance(i, str) and _blank(i) for i in run):
            return
        try:
            text = self.para(run)
        except _Fallback:
            xml = "".join(_x(i) if isinstance(i, str) else _xml(i) for i in run)
            out.append(("x", _fence(xml.strip(), "confluence")))
            return
        if text:
            out.append(("p", text))

    def block(self, el: Any) -> list[_Block]:
        tag = _tag(el)
        if tag == "p":
            kids = _elements(el)
            if (
                kids is not None
                and len(kids) == 1
                and _tag(kids[0]) == "ac:structured-macro"
                and not _is_inline(kids[0])
            ):
                return self.block(kids[0])
            return self.guarded(el, "p", "block", "")
        if re.fullmatch("h[1-6]", tag):
            return self.guarded(el, "x", "heading", "#" * int(tag[1]))
        if tag in ("ul", "ol"):
            return self.lists(el)
        if tag == "ac:task-list":
            return self.tasks(el)
        if tag == "blockquote":
            return [("x", _quote(self.join(self.blocks(el))))]
        if tag == "hr":
            return [("x", "---")]
        if tag == "table":
            table = self.table(el)
            if table is not None:
                return [("x", table)]
        if tag == "pre" and len(el) == 0:
            return [("x", _fence(el.text or "", ""))]
        if tag in ("ac:layout", "ac:layout-section", "ac:layout-cell"):
            return self.blocks(el)
        if tag == "ac:structured-macro":
            macro = self.macro(el)
            if macro is not None:
                return macro
        return [("x", _fence(_xml(el), "confluence"))]

    def guarded(self, el: Any, kind: str, ctx: str, prefix: str) -> list[_Block]:
        """A paragraph or heading, or its exact XML when an inline element in it cannot be Markdown."""
        try:
            text = self.para(_items(el), ctx)
        except _Fallback:
            return [("x", _fence(_xml(el), "confluence"))]
        if ctx == "heading":
            text = re.sub(r"(^|\s)(#+)$", r"\1\\\2", text)
        return [(kind, f"{prefix} {text}".strip() if prefix else text)]

    @staticmethod
    def join(blocks: list[_Block], sep: str = "\n\n") -> str:
        """Join blocks; a list right after a list of the same kind switches marker (``*``, ``1)``) so the
        two stay two lists instead of merging."""
        out: list[str] = []
        alt, prev = False, ""
        for kind, text in blocks:
            family = {"ul": "ul", "ol": "ol", "ol1": "ol"}.get(kind, "")
            alt = bool(family) and family == prev and not alt
            prev = family
            if alt:
                text = re.sub(r"^-(?= |$)", "*", text, flags=re.M) if family == "ul" else text
                text = re.sub(r"^(\d+)\.(?= |$)", r"\1)", text, flags=re.M) if family == "ol" else text
            out.append(text)
        return sep.join(out)

    def item(self, blocks: list[_Block]) -> str:
        """A list item body: tight when it is a paragraph plus lists that may interrupt a paragraph (not
        when the list opens with an empty item: ``a`` + ``-`` would be a heading)."""
        tight = blocks and blocks[0][0] == "p" and blocks[0][1] != "<br>"  # a lone <br> line opens an HTML block
        tight = tight and all(k in ("ul", "ol1") and not re.match(r"(-|\*|\d+[.)])(\n|$)", b) for k, b in blocks[1:])
        return self.join(blocks, "\n" if tight else "\n\n")

    def lists(self, el: Any) -> list[_Block]:
        ordered = _tag(el) == "ol"
        start = el.get("start") or "1"
        entries: list[list[_Block]] = []
        for it in _items(el):
            tag = "" if isinstance(it, str) else _tag(it)
            if isinstance(it, str) and _blank(it):
                continue
            if tag == "li":
                entries.append(self.blocks(it))
            elif tag in ("ul", "ol", "ac:task-list") and entries:  # a list nested without its <li>
                entries[-1].extend(self.block(it))
            else:
                return [("x", _fence(_xml(el), "confluence"))]
        if not entries or (ordered and not start.isdigit()):
            return [("x", _fence(_xml(el), "confluence"))]
        first = int(start)
        lines = [_bullet(f"{first + i}." if ordered else "-", self.item(b)) for i, b in enumerate(entries)]
        return [(("ol1" if first == 1 else "ol") if ordered else "ul", "\n".join(lines))]

    def tasks(self, el: Any) -> list[_Block]:
        entries: list[tuple[bool, list[_Block]]] = []
        for it in _items(el):
            tag = "" if isinstance(it, str) else _tag(it)
            if isinstance(it, str) and _blank(it):
                continue
            kids = _elements(it) if tag == "ac:task" else None
            if kids is not None:
                parts = {_tag(k): k for k in kids}
                status = "".join(parts["ac:task-status"].itertext()).strip() if "ac:task-status" in parts else ""
                if len(parts) != len(kids) or set(parts) - {
                    "ac:task-id",
                    "ac:task-uuid",
                    "ac:task-status",
                    "ac:task-body",
                }:
                    return [("x", _fence(_xml(el), "confluence"))]
                if status not in ("complete", "incomplete"):
                    return [("x", _fence(_xml(el), "confluence"))]
                body = parts.get("ac:task-body")
                entries.append((status == "complete", self.blocks(body) if body is not None else []))
            elif tag == "ac:task-list" and entries:  # nested task lists follow their parent task
                entries[-1][1].extend(self.block(it))
            else:
                return [("x", _fence(_xml(el), "confluence"))]
        if not entries:
            return [("x", _fence(_xml(el), "confluence"))]
        lines = []
        for done, blocks in entries:
            box = "[x]" if done else "[ ]"
            if blocks and blocks[0][0] == "p":
                blocks = [("p", f"{box} {blocks[0][1]}"), *blocks[1:]]
            else:
                blocks = [("p", box), *blocks]
            lines.append(_bullet("-", self.item(blocks)))
        return [("ul", "\n".join(lines))]

    def table(self, el: Any) -> str | None:
        """A GFM table when every cell is inline-only and the shape fits; None -> the table falls back."""
        rows: list[Any] = []
        kids = _elements(el)
        for child in kids or []:
            tag = _tag(child)
            group = _elements(child) if tag in ("thead", "tbody") else None
            if tag == "colgroup":
                continue
            if tag == "tr":
                rows.append(child)
            elif group is not None and all(_tag(r) == "tr" for r in group):
                rows.extend(group)
            else:
                return None
        grid: list[list[Any]] = []
        for row in rows:
            cells = _elements(row)
            if not cells or any(_tag(c) not in ("th", "td") or (c.get("colspan") or "1") != "1" for c in cells):
                return None
            if any((c.get("rowspan") or "1") != "1" for c in cells):
                return None
            grid.append(cells)
        if kids is None or not grid or len({len(r) for r in grid}) != 1:
            return None
        tags = [[_tag(c) for c in r] for r in grid]
        header = all(t == "th" for t in tags[0]) and all(t == "td" for r in tags[1:] for t in r)
        if not header and any(t != "td" for r in tags for t in r):
            return None
        self.cell = True
        try:
            md = [[self.cell_md(c) for c in r] for r in grid]
        except _Fallback:
            return None
        finally:
            self.cell = False
        if header and not any(md[0]):
            return None  # an empty header row would read as "no header row"
        head = md[0] if header else [""] * len(md[0])
        lines = [head, ["---"] * len(head), *(md[1:] if header else md)]
        return "\n".join("| " + " | ".join(r) + " |" for r in lines)

    def cell_md(self, cell: Any) -> str:
        items = _items(cell)
        kids = _elements(cell)
        if kids is not None and len(kids) == 1 and _tag(kids[0]) == "p":
            items = _items(kids[0])
        if any(not isinstance(i, str) and not _is_inline(i) for i in items):
            raise _Fallback
        return self.para(items, "cell")

    # macros -------------------------------------------------------------------------------------------

    @staticmethod
    def parts(el: Any) -> tuple[dict[str, str], Any, str | None] | None:
        """(parameters, rich-text-body, plain-text-body) of a macro; None when it holds anything else."""
        params: dict[str, str] = {}
        rich, plain = None, None
        for child in _elements(el) or []:
            tag = _tag(child)
            if tag == "ac:parameter" and len(child) == 0:
                name = _get(child, "ac:name") or ""
                if name in params:
                    return None
                params[name] = child.text or ""
            elif tag == "ac:rich-text-body" and rich is None:
                rich = child
            elif tag == "ac:plain-text-body" and plain is None and len(child) == 0:
                plain = child.text or ""
            else:
                return None
        if _elements(el) is None:
            return None
        return params, rich, plain

    def macro(self, el: Any) -> list[_Block] | None:
        name = _get(el, "ac:name") or ""
        parts = self.parts(el)
        if parts is None:
            return None
        params, rich, plain = parts
        if rich is not None and plain is not None:
            return None
        if name == "code" and rich is None:
            info = _code_info(params)
            return None if info is None else [("x", _fence(plain or "", info))]
        if plain is not None or set(params) - {"title"}:
            return None
        title = _WS.sub(" ", params["title"]).strip(" ") if "title" in params else None
        body = self.blocks(rich) if rich is not None else []
        if name in _ALERTS:
            marker = f"[!{name.upper()}]" + (f" {_esc(title)}" if title else "")
            if body and body[0][0] == "p":
                return [("x", _quote(marker + "\n" + self.join(body)))]
            return [("x", _quote(self.join([("x", marker), *body])))]
        if name == "expand":
            summary = "" if title is None else f"<summary>{html.escape(title, quote=False)}</summary>"
            inner = self.join(body)
            return [("x", f"<details>{summary}\n\n" + (inner + "\n\n" if inner else "") + "</details>")]
        if name == "toc" and not params and rich is None:
            return [("x", "[TOC]")]
        return None

    # inline -------------------------------------------------------------------------------------------

    def para(self, items: list[Any], ctx: str = "block") -> str:
        return _finish(_resolve(self.inline(items)), ctx)

    def inline(self, items: list[Any]) -> list[str | _Em]:
        out: list[str | _Em] = []
        for i, it in enumerate(items):
            pieces = [_esc(it)] if isinstance(it, str) else self.inline_el(it)
            if pieces and isinstance(pieces[0], str) and pieces[0][:1] == "`" and _ends_with_tick(out):
                if _tag(it) != "code":  # two code spans in a row would merge: the second one is HTML
                    raise _Fallback
                pieces = ["<code>", _esc(it.text or ""), "</code>"]
            if pieces and isinstance(pieces[0], str) and pieces[0][:1] == "[" and out and isinstance(out[-1], str):
                out[-1] = re.sub("!$", "\\\\!", out[-1])  # text "!" before a link would make it an image
            glued = i and isinstance(pieces[0], str) and pieces[0][:1].isalnum()
            if glued and not isinstance(items[i - 1], str) and _tag(items[i - 1]) == "ac:emoticon":
                out[-1] = _code_span("confluence:" + _xml(items[i - 1]), self.cell)  # ":smile:a" is no emoji
                if _ends_with_tick(out[:-1]):
                    raise _Fallback
            out.extend(pieces)
        return out

    def inline_el(self, el: Any) -> list[str | _Em]:
        tag = _tag(el)
        kids = list(_items(el))
        if tag in ("strong", "b", "em", "i", "s", "del", "strike"):
            mark, name = {"strong": ("**", "strong"), "b": ("**", "strong"), "em": ("*", "em"), "i": ("*", "em")}.get(
                tag, ("~~", "s")
            )
            return [_Em(mark, name, self.inline(kids))]
        if tag in ("u", "sub", "sup"):
            return [f"<{tag}>", *self.inline(kids), f"</{tag}>"]
        if tag == "span":
            style = (el.get("style") or "").replace(" ", "").lower()
            if "line-through" in style:
                return [_Em("~~", "s", self.inline(kids))]
            return ["<u>", *self.inline(kids), "</u>"] if "underline" in style else self.inline(kids)
        if tag == "br":
            return [_BR]
        if tag == "code" and len(el) == 0:
            return [_code_span(el.text or "", self.cell)]
        nested_link = any(_tag(d) in ("a", "ac:link", "time", "ac:structured-macro") for d in el.iterdescendants())
        if tag == "a" and el.get("href") is not None and not nested_link:
            href, text = str(el.get("href")), "".join(el.itertext())
            if len(el) == 0 and text == href and el.get("title") is None and _AUTOLINK.fullmatch(href):
                return [f"<{href}>"]
            return ["[", *self.inline(kids), f"]({_dest(href)}{_title(el.get('title'))})"]
        if tag == "time" and el.get("datetime") and len(el) == 0 and not (el.text or "").strip():
            date = str(el.get("datetime"))
            return [f"[{_esc(date)}]({_dest('date:' + date)})"]
        if tag == "ac:emoticon":
            name = (_get(el, "ac:emoji-shortname") or "").strip(":") or _get(el, "ac:name") or ""
            if re.fullmatch(_EMOJI_NAME, name):
                return [f":{name}:"]
        if tag == "ac:link" and not nested_link:
            link = self.ac_link(el)
            if link is not None:
                return link
        if tag == "ac:image":
            image = self.image(el)
            if image is not None:
                return [image]
        if tag == "ac:structured-macro":
            macro = _macro_link(el)
            if macro is not None:
                return [macro]
        xml = _xml(el)
        if "\n" in xml or "\r" in xml:
            raise _Fallback
        return [_code_span("confluence:" + xml, self.cell)]

    def ac_link(self, el: Any) -> list[str | _Em] | None:
        kids = _elements(el)
        if not kids or len(kids) > 2 or _attr_names(el) - {"ac:card-appearance"}:
            return None
        target, body = kids[0], kids[1] if len(kids) == 2 else None
        if len(target) or (body is not None and _tag(body) not in ("ac:plain-text-link-body", "ac:link-body")):
            return None
        text: list[str | _Em] | None = None
        if body is not None:
            plain = _tag(body) == "ac:plain-text-link-body"
            if plain and len(body):
                return None
            text = [_esc(body.text or "")] if plain else self.inline(_items(body))
        kind, attrs = _tag(target), _attr_names(target)
        if kind == "ri:user":
            ids = [(a, _get(target, a)) for a in ("ri:account-id", "ri:username", "ri:userkey") if a in attrs]
            if len(ids) != 1 or attrs - {"ri:account-id", "ri:username", "ri:userkey", "ri:local-id"}:
                return None
            name, raw = ids[0][0], ids[0][1] or ""
            dest = "mention:" + {"ri:account-id": "", "ri:username": "~", "ri:userkey": "userkey:"}[name] + raw
            text = ["@", *(text if text is not None else [_esc(raw)])]
        elif (
            kind == "ri:page"
            and "ri:content-title" in attrs
            and not attrs
            - {
                "ri:content-title",
                "ri:space-key",
                "ri:version-at-save",
            }
        ):
            title = _get(target, "ri:content-title") or ""
            dest = f"page:{_get(target, 'ri:space-key') or ''}/{title}"
            text = text if text is not None else [_esc(title)]
        elif kind == "ri:attachment" and "ri:filename" in attrs and not attrs - {"ri:filename", "ri:version-at-save"}:
            filename = _get(target, "ri:filename") or ""
            dest, text = "attachment:" + filename, text if text is not None else [_esc(filename)]
        else:
            return None
        return ["[", *text, f"]({_dest(dest)})"]

    def image(self, el: Any) -> str | None:
        kids = _elements(el)
        if not kids or len(kids) != 1 or len(kids[0]):
            return None
        target, attrs = kids[0], _attr_names(kids[0])
        if (
            _tag(target) == "ri:attachment"
            and "ri:filename" in attrs
            and not attrs - {"ri:filename", "ri:version-at-save"}
        ):
            src = default = _get(target, "ri:filename") or ""
            src = "attachment:" + src
        elif _tag(target) == "ri:url" and attrs == {"ri:value"}:
            src, default = _get(target, "ri:value") or "", ""
        else:
            return None
        alt = _get(el, "ac:alt")
        return f"![{_esc(default if alt is None else alt)}]({_dest(src)}{_title(_get(el, 'ac:title'))})"


def _macro_link(el: Any) -> str | None:
    """status/jira macro -> ``[DONE](status:green)`` / ``[KEY](jira:KEY)``; None when it does not fit."""
    name = _get(el, "ac:name")
    parts = _ToMarkdown.parts(el)
    if parts is None or parts[1] is not None or parts[2] is not None:
        return None
    params = dict(parts[0])
    if name == "status":
        text = params.pop("title", "")
        colour = params.pop("colour", "").lower()
        dest = "status:" + ("neutral" if colour in ("", "grey") else colour)
    elif name == "jira" and params.get("key"):
        text = params.pop("key")
        dest = "jira:" + text
    else:
        return None
    extra = _params_title(params) if params else None
    if params and extra is None:
        return None
    return f"[{_esc(text)}]({_dest(dest)}{_title(extra)})"


def _code_info(params: dict[str, str]) -> str | None:
    """Fence info for a code macro: the language, then the other parameters as ``key=value``."""
    words: list[str] = []
    rest = dict(params)
    lang = rest.get("language")
    if lang is not None and re.fullmatch(r'[^\s="`|\\]+', lang) and lang != "confluence":
        words.append(rest.pop("language"))
    for key, value in rest.items():
        if not re.fullmatch(r"[\w.-]+", key) or re.search(r"[`|\n]", value):
            return None
        quoted = value if re.fullmatch(r'[^\s"\\]+', value) else '"' + re.sub(r'([\\"])', r"\\\1", value) + '"'
        words.append(f"{key}={quoted}")
    return " ".join(words)


def storage_to_markdown(xhtml: str) -> str:
    """Confluence storage XHTML -> Markdown; never raises (unparseable input becomes a ```confluence block)."""
    xhtml = (xhtml or "").replace("\r\n", "\n")
    if _blank(xhtml):
        return ""
    root = _parse(xhtml)
    if root is None:
        return _fence(xhtml, "confluence")
    try:
        return _ToMarkdown.join(_ToMarkdown().blocks(root))
    except Exception:  # noqa: BLE001 - a converter bug must not lose the page: keep the raw input instead
        return _fence(xhtml, "confluence")


# ---------------------------------------------------------------------------------------- Markdown -> storage


def _inl(node: SyntaxTreeNode) -> list[SyntaxTreeNode]:
    """Inline children of a paragraph, heading or table cell."""
    return node.children[0].children if node.children else []


def _plain(nodes: list[SyntaxTreeNode]) -> str:
    out = ""
    for n in nodes:
        if n.type in ("text", "text_special", "code_inline"):
            out += n.content
        elif n.type in ("softbreak", "hardbreak"):
            out += " "
        else:
            out += _plain(n.children)
    return out


def _parse_info(info: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for i, m in enumerate(_INFO.finditer(info)):
        if m.group(3) is not None:
            if i == 0:
                params["language"] = m.group(3)
            continue
        value = m.group(2)
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        params[m.group(1)] = value
    return params


def _macro(name: str, params: dict[str, str], body: str = "") -> str:
    ps = "".join(f'<ac:parameter ac:name="{_xa(k)}">{_x(v)}</ac:parameter>' for k, v in params.items())
    return f'<ac:structured-macro ac:name="{_xa(name)}">{ps}{body}</ac:structured-macro>'


def _task_state(item: SyntaxTreeNode) -> bool | None:
    """True/False for a checked/open task item (also an empty ``- [ ]``), None for an ordinary item."""
    inl = _inl(item.children[0]) if item.children and item.children[0].type == "paragraph" else []
    if "task-list-item" in str(item.attrs.get("class", "")) and inl and inl[0].type == "html_inline":
        return "checked" in inl[0].content
    if len(inl) == 1 and inl[0].type == "text" and inl[0].content.strip() in ("[ ]", "[x]", "[X]"):
        return inl[0].content.strip() != "[ ]"
    return None


class _ToStorage:
    """Walks the markdown-it syntax tree and renders storage XHTML."""

    def __init__(self) -> None:
        self.task_id = 0

    def blocks(self, nodes: list[SyntaxTreeNode]) -> str:
        out: list[str] = []
        i = 0
        while i < len(nodes):
            node = nodes[i]
            opened = _DETAILS_OPEN.fullmatch(node.content) if node.type == "html_block" else None
            if opened:
                end, depth, after = len(nodes), 0, ""
                rest = opened.group(2)
                if re.search(r"</details>\s*$", rest, re.I):
                    end, rest = i, re.sub(r"</details>\s*$", "", rest, flags=re.I)
                else:
                    for j in range(i + 1, len(nodes)):
                        if nodes[j].type != "html_block":
                            continue
                        if _DETAILS_OPEN.fullmatch(nodes[j].content) and not re.search(
                            r"</details>\s*$", nodes[j].content, re.I
                        ):
                            depth += 1
                        elif closed := _DETAILS_CLOSE.fullmatch(nodes[j].content):
                            if depth == 0:
                                end, after = j, closed.group(1)
                                break
                            depth -= 1
                body = self.fragment(rest) + self.blocks(nodes[i + 1 : end])
                title = opened.group(1)
                title = None if title is None else html.unescape(re.sub(r"<[^>]*>", "", title)).strip(" \t\n")
                params = {} if title is None else {"title": title}
                out.append(_macro("expand", params, f"<ac:rich-text-body>{body}</ac:rich-text-body>"))
                out.append(self.fragment(after))
                i = end + 1
                continue
            out.append(self.block(node))
            i += 1
        return "".join(out)

    def fragment(self, text: str) -> str:
        return self.blocks(SyntaxTreeNode(_MD.parse(text)).children) if text.strip() else ""

    def block(self, node: SyntaxTreeNode) -> str:
        t = node.type
        if t == "paragraph":
            inl = _inl(node)
            if len(inl) == 1 and inl[0].type == "text" and inl[0].content.strip() == "[TOC]":
                return _macro("toc", {})
            inner = self.inline(inl)
            return "" if _blank(inner) else f"<p>{inner}</p>"
        if t == "heading":
            return f"<{node.tag}>{self.inline(_inl(node))}</{node.tag}>"
        if t in ("bullet_list", "ordered_list"):
            return self.lists(node)
        if t == "blockquote":
            return self.blockquote(node)
        if t == "fence" and node.info.strip().split(" ")[0] == "confluence":
            return node.content[:-1] if node.content.endswith("\n") else node.content
        if t in ("fence", "code_block"):
            content = node.content[:-1] if node.content.endswith("\n") else node.content
            body = f"<ac:plain-text-body>{_cdata(content)}</ac:plain-text-body>"
            return _macro("code", _parse_info(node.info if t == "fence" else ""), body)
        if t == "hr":
            return "<hr/>"
        if t == "table":
            return self.table(node)
        if t == "html_block":
            raw = node.content.strip()
            if re.fullmatch(r"<br\s*/?>", raw, re.I):  # a paragraph holding only a line break
                return "<p><br/></p>"
            return raw if _parse(raw) is not None else f"<p>{_x(raw)}</p>"
        return f"<p>{_x(node.content)}</p>" if node.content.strip() else ""

    def lists(self, node: SyntaxTreeNode) -> str:
        """Runs of task items become ac:task-list, the other runs ul/ol (storage cannot mix them)."""
        ordered = node.type == "ordered_list"
        start = int(str(node.attrs.get("start", 1)))
        out: list[str] = []
        runs: list[tuple[bool, list[tuple[int, SyntaxTreeNode]]]] = []
        for i, item in enumerate(node.children):
            is_task = _task_state(item) is not None
            if runs and runs[-1][0] == is_task:
                runs[-1][1].append((i, item))
            else:
                runs.append((is_task, [(i, item)]))
        for is_task, items in runs:
            if is_task:
                out.append("<ac:task-list>" + "".join(self.task(item) for _, item in items) + "</ac:task-list>")
                continue
            tag = "ol" if ordered else "ul"
            first = start + items[0][0]
            attr = f' start="{first}"' if ordered and first != 1 else ""
            out.append(
                f"<{tag}{attr}>" + "".join(f"<li>{self.item(it.children)}</li>" for _, it in items) + f"</{tag}>"
            )
        return "".join(out)

    def item(self, kids: list[SyntaxTreeNode]) -> str:
        """A lone leading paragraph is written bare (``<li>text<ul>..``), as Confluence does."""
        first = self.block(kids[0]) if kids and kids[0].type == "paragraph" else ""
        if first.startswith("<p>") and sum(k.type == "paragraph" for k in kids) == 1:
            return first[3:-4] + self.blocks(kids[1:])
        return self.blocks(kids)

    def task(self, item: SyntaxTreeNode) -> str:
        done = _task_state(item)
        kids = list(item.children)
        inl = _inl(kids[0])
        if inl and inl[0].type == "html_inline":
            inl = inl[1:]
            head = self.inline(inl)
            head = head[1:] if head.startswith(" ") else head
        else:
            head = ""
        nested = [
            k for k in kids[1:] if k.type == "bullet_list" and all(_task_state(i) is not None for i in k.children)
        ]
        others = [k for k in kids[1:] if k not in nested]
        self.task_id += 1
        status = "complete" if done else "incomplete"
        body = head + self.blocks(others)
        task = (
            f"<ac:task><ac:task-id>{self.task_id}</ac:task-id><ac:task-status>{status}</ac:task-status>"
            f"<ac:task-body>{body}</ac:task-body></ac:task>"
        )
        return task + "".join(self.lists(n) for n in nested)

    def blockquote(self, node: SyntaxTreeNode) -> str:
        kids = node.children
        inl = _inl(kids[0]) if kids and kids[0].type == "paragraph" else []
        marker = _ALERT.match(inl[0].content) if inl and inl[0].type == "text" else None
        if marker is None:
            return f"<blockquote>{self.blocks(kids)}</blockquote>"
        name = marker.group(1).lower()
        brk = next((i for i, n in enumerate(inl) if n.type in ("softbreak", "hardbreak")), len(inl))
        title = (inl[0].content[marker.end() :] + _plain(inl[1:brk])).strip(" \t")
        rest = self.inline(inl[brk + 1 :])
        body = ("" if _blank(rest) else f"<p>{rest}</p>") + self.blocks(kids[1:])
        params = {"title": title} if title else {}
        return _macro(_ALERT_IN.get(name, name), params, f"<ac:rich-text-body>{body}</ac:rich-text-body>")

    def table(self, node: SyntaxTreeNode) -> str:
        rows = [tr for group in node.children for tr in group.children]
        out = []
        for r, tr in enumerate(rows):
            cells = [self.inline(_inl(c)) for c in tr.children]
            if r == 0 and not any(cells):
                continue  # an all-empty header row stands for "no header row"
            tag = "th" if r == 0 else "td"
            out.append("<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>")
        return "<table><tbody>" + "".join(out) + "</tbody></table>"

    # inline -------------------------------------------------------------------------------------------

    def inline(self, nodes: list[SyntaxTreeNode]) -> str:
        stack: list[tuple[str, str, list[str]]] = [("", "", [])]  # (tag, raw opening tag, output)
        for n in nodes:
            t = n.type
            out = stack[-1][2]
            if t == "html_inline":
                raw = n.content
                pair = _HTML_PAIR.fullmatch(raw.strip())
                if pair and not pair.group(1):
                    stack.append((pair.group(2).lower(), raw, []))
                elif pair and stack[-1][0] == pair.group(2).lower():
                    tag, _, inner = stack.pop()
                    tag = _HTML_RENAME.get(tag, tag)
                    stack[-1][2].append(f"<{tag}>{''.join(inner)}</{tag}>")
                elif re.fullmatch(r"<br\s*/?>", raw.strip(), re.I):
                    out.append("<br/>")
                else:
                    out.append(_x(raw))
            elif t == "text":
                out.append(self.text(n.content))
            elif t == "text_special":
                out.append(_x(n.content))
            elif t == "softbreak":
                out.append("" if out and out[-1] == "<br/>" else " ")
            elif t == "hardbreak":
                out.append("<br/>")
            elif t in ("strong", "em", "s"):
                out.append(f"<{t}>{self.inline(n.children)}</{t}>")
            elif t == "code_inline":
                raw = n.content[len("confluence:") :] if n.content.startswith("confluence:<") else ""
                out.append(raw if raw and _parse(raw) is not None else f"<code>{_x(n.content)}</code>")
            elif t == "link":
                out.append(self.link(n))
            elif t == "image":
                out.append(self.image(n))
            else:
                out.append(_x(n.content))
        while len(stack) > 1:  # an unclosed <u> etc. is literal text
            _, raw, inner = stack.pop()
            stack[-1][2].append(_x(raw) + "".join(inner))
        return "".join(stack[0][2])

    @staticmethod
    def text(text: str) -> str:
        out, pos = [], 0
        for m in _EMOJI.finditer(text):
            name = m.group(1)
            out.append(_x(text[pos : m.start()]))
            if name in _LEGACY_EMOTICONS:
                out.append(f'<ac:emoticon ac:name="{name}"/>')
            else:
                out.append(f'<ac:emoticon ac:name="blue-star" ac:emoji-shortname=":{_xa(name)}:"/>')
            pos = m.end()
        return "".join(out) + _x(text[pos:])

    def link(self, n: SyntaxTreeNode) -> str:
        href = str(n.attrs.get("href", ""))
        title = n.attrs.get("title")
        scheme, colon, rest = href.partition(":")
        text = _plain(n.children)
        pairs = [p.partition("=") for p in str(title or "").split(";")]
        extra = {k.strip(): v.strip() for k, eq, v in pairs if eq}
        if colon and scheme == "status":
            params = {"title": text}
            if rest.lower() not in ("", "neutral"):
                params["colour"] = rest[:1].upper() + rest[1:].lower()
            return _macro("status", {**params, **extra})
        if colon and scheme == "jira":
            return _macro("jira", {**extra, "key": rest})
        if colon and scheme == "date":
            return f'<time datetime="{_xa(rest)}"/>'
        if colon and scheme == "mention":
            attr, ident = (
                ("ri:username", rest[1:])
                if rest.startswith("~")
                else ("ri:userkey", rest[8:])
                if rest.startswith("userkey:")
                else ("ri:account-id", rest)
            )
            body = (
                "" if text == "@" + _WS.sub(" ", ident) else self.body([], text[1:] if text.startswith("@") else text)
            )
            return f'<ac:link><ri:user {attr}="{_xa(ident)}"/>{body}</ac:link>'
        if colon and scheme == "page":
            space, slash, page = rest.partition("/")
            space, page = (space, page) if slash else ("", rest)
            attrs = (f' ri:space-key="{_xa(space)}"' if space else "") + f' ri:content-title="{_xa(page)}"'
            body = "" if text == _WS.sub(" ", page) else self.body(n.children, text)
            return f"<ac:link><ri:page{attrs}/>{body}</ac:link>"
        if colon and scheme == "attachment":
            body = "" if text == _WS.sub(" ", rest) else self.body(n.children, text)
            return f'<ac:link><ri:attachment ri:filename="{_xa(rest)}"/>{body}</ac:link>'
        attrs = f' href="{_xa(href)}"' + ("" if title is None else f' title="{_xa(str(title))}"')
        return f"<a{attrs}>{self.inline(n.children)}</a>"

    def body(self, kids: list[SyntaxTreeNode], text: str) -> str:
        if all(k.type in ("text", "text_special", "softbreak") for k in kids):
            return f"<ac:plain-text-link-body>{_cdata(text)}</ac:plain-text-link-body>"
        return f"<ac:link-body>{self.inline(kids)}</ac:link-body>"

    def image(self, n: SyntaxTreeNode) -> str:
        src = str(n.attrs.get("src", ""))
        alt, title = _plain(n.children), n.attrs.get("title")
        if src.startswith("attachment:"):
            target = f'<ri:attachment ri:filename="{_xa(src[11:])}"/>'
            alt = "" if alt == _WS.sub(" ", src[11:]) else alt
        else:
            target = f'<ri:url ri:value="{_xa(src)}"/>'
        attrs = (f' ac:alt="{_xa(alt)}"' if alt else "") + ("" if title is None else f' ac:title="{_xa(str(title))}"')
        return f"<ac:image{attrs}>{target}</ac:image>"


def markdown_to_storage(text: str) -> str:
    """Markdown -> Confluence storage XHTML; ```confluence blocks are written back verbatim.  Never raises."""
    if not text or not text.strip():
        return ""
    try:
        return _ToStorage().blocks(SyntaxTreeNode(_MD.parse(text)).children)
    except Exception:  # noqa: BLE001 - never lose the model's text: keep it as one escaped paragraph
        return f"<p>{_x(text)}</p>"
