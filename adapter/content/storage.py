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
- Layouts, panels' parameters, tables, images, emoticons, anchors, JQL: see the storage section of CONVENTIONS.md.
Dropped as presentation or ids (see the module's tests for the exact list of what does not round-trip): HTML
attributes other than ``ol start``, ``a href/title``; for GFM tables ``colgroup`` and table attributes;
``span`` styling other than colour, strike and underline; paragraph alignment outside tables; macro ids,
schema versions, local ids, task ids; Cloud emoji ids and fallbacks (the shortname is kept); empty paragraphs;
parameter order; ``ac:alt`` equal to the file name.
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
_ALERTS = {"info", "note", "warning", "tip", "panel", "excerpt"}
_ALERT_IN = {"success": "tip", "error": "warning"}
# Legacy emoticon -> a standard (gemoji) shortcode; the four with no Unicode emoji keep Atlassian's own shortname.
_EMOTICONS = {
    **{"tick": "white_check_mark", "cross": "x", "warning": "warning", "information": "information_source"},
    **{"question": "question", "smile": "slightly_smiling_face", "sad": "slightly_frowning_face"},
    **{"cheeky": "stuck_out_tongue", "laugh": "grinning", "wink": "wink", "thumbs-up": "thumbsup"},
    **{"thumbs-down": "thumbsdown", "light-on": "bulb", "light-off": "light_bulb_off", "yellow-star": "star"},
    **{"red-star": "red_star", "green-star": "green_star", "blue-star": "blue_star", "plus": "heavy_plus_sign"},
    **{"minus": "heavy_minus_sign", "heart": "heart", "broken-heart": "broken_heart"},
}
# Atlassian's own emoji (ac:emoji-id "atlassian-...") that have a standard equivalent
_ATLASSIAN_EMOJI = {
    **{"check_mark": "white_check_mark", "cross_mark": "x", "info": "information_source", "plus": "heavy_plus_sign"},
    **{"question_mark": "question", "light_bulb_on": "bulb", "yellow_star": "star", "minus": "heavy_minus_sign"},
}
_EMOTICON_IN = {v: k for k, v in _EMOTICONS.items()}
# shortcodes written with the nearest legacy name (so Data Center, which ignores the shortname, shows that one)
_NEAREST = {"smile": "smile", "slight_smile": "smile", "+1": "thumbs-up", "-1": "thumbs-down", "laughing": "laugh"}
_CSS_COLOURS = dict(
    c.split(":")
    for c in (  # noqa: SIM905 - data, kept compact
        "aliceblue:f0f8ff antiquewhite:faebd7 aqua:00ffff aquamarine:7fffd4 azure:f0ffff beige:f5f5dc bisque:ffe4c4 "
        "black:000000 blanchedalmond:ffebcd blue:0000ff blueviolet:8a2be2 brown:a52a2a burlywood:deb887 "
        "cadetblue:5f9ea0 chartreuse:7fff00 chocolate:d2691e coral:ff7f50 cornflowerblue:6495ed cornsilk:fff8dc "
        "crimson:dc143c cyan:00ffff darkblue:00008b darkcyan:008b8b darkgoldenrod:b8860b darkgray:a9a9a9 "
        "darkgreen:006400 darkgrey:a9a9a9 darkkhaki:bdb76b darkmagenta:8b008b darkolivegreen:556b2f darkorange:ff8c00 "
        "darkorchid:9932cc darkred:8b0000 darksalmon:e9967a darkseagreen:8fbc8f darkslateblue:483d8b "
        "darkslategray:2f4f4f darkslategrey:2f4f4f darkturquoise:00ced1 darkviolet:9400d3 deeppink:ff1493 "
        "deepskyblue:00bfff dimgray:696969 dimgrey:696969 dodgerblue:1e90ff firebrick:b22222 floralwhite:fffaf0 "
        "forestgreen:228b22 fuchsia:ff00ff gainsboro:dcdcdc ghostwhite:f8f8ff gold:ffd700 goldenrod:daa520 "
        "gray:808080 green:008000 greenyellow:adff2f grey:808080 honeydew:f0fff0 hotpink:ff69b4 indianred:cd5c5c "
        "indigo:4b0082 ivory:fffff0 khaki:f0e68c lavender:e6e6fa lavenderblush:fff0f5 lawngreen:7cfc00 "
        "lemonchiffon:fffacd lightblue:add8e6 lightcoral:f08080 lightcyan:e0ffff lightgoldenrodyellow:fafad2 "
        "lightgray:d3d3d3 lightgreen:90ee90 lightgrey:d3d3d3 lightpink:ffb6c1 lightsalmon:ffa07a lightseagreen:20b2aa "
        "lightskyblue:87cefa lightslategray:778899 lightslategrey:778899 lightsteelblue:b0c4de lightyellow:ffffe0 "
        "lime:00ff00 limegreen:32cd32 linen:faf0e6 magenta:ff00ff maroon:800000 mediumaquamarine:66cdaa "
        "mediumblue:0000cd mediumorchid:ba55d3 mediumpurple:9370db mediumseagreen:3cb371 mediumslateblue:7b68ee "
        "mediumspringgreen:00fa9a mediumturquoise:48d1cc mediumvioletred:c71585 midnightblue:191970 mintcream:f5fffa "
        "mistyrose:ffe4e1 moccasin:ffe4b5 navajowhite:ffdead navy:000080 oldlace:fdf5e6 olive:808000 olivedrab:6b8e23 "
        "orange:ffa500 orangered:ff4500 orchid:da70d6 palegoldenrod:eee8aa palegreen:98fb98 paleturquoise:afeeee "
        "palevioletred:db7093 papayawhip:ffefd5 peachpuff:ffdab9 peru:cd853f pink:ffc0cb plum:dda0dd "
        "powderblue:b0e0e6 purple:800080 red:ff0000 rosybrown:bc8f8f royalblue:4169e1 saddlebrown:8b4513 "
        "salmon:fa8072 sandybrown:f4a460 seagreen:2e8b57 seashell:fff5ee sienna:a0522d silver:c0c0c0 skyblue:87ceeb "
        "slateblue:6a5acd slategray:708090 slategrey:708090 snow:fffafa springgreen:00ff7f steelblue:4682b4 "
        "tan:d2b48c teal:008080 thistle:d8bfd8 tomato:ff6347 turquoise:40e0d0 violet:ee82ee wheat:f5deb3 white:ffffff "
        "whitesmoke:f5f5f5 yellow:ffff00 yellowgreen:9acd32 "
    ).split()
)
_COLOUR = re.compile(
    r"\s*(?:#([0-9a-f]{6})|#([0-9a-f]{3})|rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)|([a-z]+))\s*", re.I
)
_EMOJI_NAME = r"(?:\+1|-1|100|1234|[a-z0-9_+-]*[a-z][a-z0-9_+-]*)"
_EMOJI = re.compile(rf":({_EMOJI_NAME}):(?![^\W_])")
_MD_ESCAPE = re.compile(
    rf"[\\`*\[\]<|]|~(?=~)|(?<=~)~|(?<![^\W_])_|_(?![^\W_])|&(?=#?\w+;)|:(?={_EMOJI_NAME}:(?![^\W_]))|\u00a0"
)
_LINE_START = re.compile(
    r"^(?:(#{1,6}(?=[ \t]|$)|[-+](?=[ \t]|$)|>|=+(?=[ \t]*$)|-(?=[- \t]*$))|(\d{1,9})([.)])(?=[ \t]|$))"
)
_AUTOLINK = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>\x00-\x1f]*")
_PARAM_WORDS = r"((?:[ \t]+[^\s=\]\"]+=(?:\"[^\"]*\"|[^\s\]\"]*))*)"
_ALERT = re.compile(rf"\[!(INFO|NOTE|WARNING|TIP|SUCCESS|ERROR|PANEL|EXCERPT){_PARAM_WORDS}\](?=\s|$)", re.I)
_TOC = re.compile(rf"\[TOC{_PARAM_WORDS}\]")
_LAYOUT_MARK = re.compile(r"<!--[ \t]*(layout-section|layout-cell|/layout)\b(.*?)-->\s*", re.S)
_IMAGE_KEYS = (
    *("align", "layout", "width", "height", "original-width", "original-height", "custom-width", "thumbnail"),
    *("border", "class", "style", "title", "vspace", "hspace", "queryparams", "caption"),
)
_IMAGE_PARAMS = re.compile("; (?=(?:" + "|".join(_IMAGE_KEYS) + ")=)")
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*")
_TABLE_TAG = re.compile(
    r"<(/?)(table|thead|tbody|tfoot|tr|th|td|colgroup|col)\b((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>",
    re.I,
)
_TOKEN = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|</([\w:.-]+)\s*>"
    r"|<([\w:.-]+)(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*(/?)>",
    re.S,
)
_DETAILS_OPEN = re.compile(r"\s*<details(?:\s[^>]*)?>\s*(?:<summary(?:\s[^>]*)?>(.*?)</summary>)?(.*)", re.S | re.I)
_DETAILS_CLOSE = re.compile(r"\s*</details>(.*)", re.S | re.I)
_INFO = re.compile(r'([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)|(\S+)')
_HTML_PAIR = re.compile(r"<(/?)(u|sub|sup|s|del|strike|strong|b|em|i|code)\s*>", re.I)
_HTML_RENAME = {"b": "strong", "i": "em", "del": "s", "strike": "s"}
_SPAN_OPEN = re.compile(r"<span((?:\s+[\w:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*>", re.I)
_ANCHOR_OPEN = re.compile(r"<a\s+id\s*=\s*\"([^\"]*)\"\s*>", re.I)
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


def _words(params: dict[str, str]) -> str | None:
    """Macro parameters as `` k=v k2="v 2"`` (alert markers, [TOC ...], layout markers); None when a value
    cannot be written so that Markdown reads it back unchanged."""
    out = ""
    for k, v in params.items():
        if not re.fullmatch(r'[^\s=\]"\\`*<>&\[|~]+', k) or re.search(r'["\n\]\\`*<>&\[|~]', v):
            return None
        out += f" {k}=" + (v if re.fullmatch(r"\S+", v) else f'"{v}"')
    return out if not out or "".join(t.content for t in _MD.parseInline(out)[0].children or []) == out else None


def _parse_words(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2).strip('"') for m in re.finditer(r'([^\s=]+)=("[^"]*"|\S*)', text)}


def _hex(colour: str) -> str | None:
    """A CSS colour (hex, rgb(...) or a name) as lower-case #rrggbb; None when it is none of these."""
    m = _COLOUR.fullmatch(colour)
    if m is None:
        return None
    if m.group(1) or m.group(2):
        h = (m.group(1) or "".join(c * 2 for c in m.group(2))).lower()
    elif m.group(6):
        h = _CSS_COLOURS.get(m.group(6).lower(), "")
    else:
        rgb = [int(m.group(i)) for i in (3, 4, 5)]
        h = "".join(f"{c:02x}" for c in rgb) if max(rgb) < 256 else ""
    return "#" + h if h else None


def _style(style: str) -> dict[str, str]:
    pairs = (p.partition(":") for p in style.split(";") if p.strip())
    return {k.strip().lower(): v.strip() for k, _, v in pairs}


def _spans(src: str, root: Any) -> dict[int, tuple[int, int, int, int]]:
    """(start, end of start tag, start of end tag, end) of every node, by id, located in the source text; {}
    when the tokens do not line up with the parsed tree (then fallbacks are re-serialised)."""
    nodes = list(root.iter())[1:]
    found: list[list[int]] = []
    stack: list[int] = []
    for m in _TOKEN.finditer(src):
        if m.group(0).startswith("<![CDATA["):
            continue
        if m.group(1):
            if not stack:
                return {}
            el = found[stack.pop()]
            el[2], el[3] = m.start(), m.end()
            continue
        found.append([m.start(), m.end(), m.end(), m.end()])
        if m.group(2) and not m.group(3):
            stack.append(len(found) - 1)
    if stack or len(found) != len(nodes):
        return {}
    return {id(n): (a, b, c, d) for n, (a, b, c, d) in zip(nodes, found, strict=True)}


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
        ok = m not in (prev, nxt) and not (len(solid) == 1 and nested[0] and p.mark == "**")  # ***x*** is em(strong)
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

    def __init__(self, src: str = "", root: Any = None) -> None:
        self.cell = False
        self.src, self.root = src, root
        self.keep = list(root.iter()) if root is not None else []  # ids in spans stay valid while kept
        self.spans = _spans(src, root) if root is not None else {}

    def xml(self, el: Any) -> str:
        """The element exactly as the page holds it (source text), so what we do not understand comes back
        byte for byte."""
        span = self.spans.get(id(el))
        return self.src[span[0] : span[3]] if span else _xml(el)

    def fence(self, el: Any) -> list[_Block]:
        return [("x", _fence(self.xml(el), "confluence"))]

    def start_tag(self, el: Any) -> str:
        span = self.spans.get(id(el))
        if span is None:
            return f"<{_tag(el)}" + "".join(f' {_qname(k)}="{_xa(str(v))}"' for k, v in el.attrib.items()) + ">"
        tag = self.src[span[0] : span[1]]
        return tag[:-2].rstrip() + ">" if tag.endswith("/>") else tag

    # blocks -------------------------------------------------------------------------------------------

    def blocks(self, el: Any) -> list[_Block]:
        out: list[_Block] = []
        run: list[Any] = []
        prev = None
        for item in _items(el):
            if isinstance(item, str) or _is_inline(item):
                run.append(item)
                continue
            self.flush(run, out, (el, prev, item))
            run, prev = [], item
            out.extend(b for b in self.block(item) if b[1])
        self.flush(run, out, (el, prev, None))
        return out

    def flush(self, run: list[Any], out: list[_Block], where: tuple[Any, Any, Any]) -> None:
        if all(isinstance(i, str) and _blank(i) for i in run):
            return
        try:
            text = self.para(run)
        except _Fallback:
            parent, prev, nxt = where
            ends = [self.spans.get(id(e)) for e in (parent, prev, nxt) if e is not None and e is not self.root]
            if all(ends) and self.spans:
                pspan = self.spans.get(id(parent), (0, 0, len(self.src), 0))
                start = self.spans[id(prev)][3] if prev is not None else pspan[1]
                xml = self.src[start : self.spans[id(nxt)][0] if nxt is not None else pspan[2]]
            else:
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
        if tag == "ac:layout":
            return self.layout(el)
        if tag == "ac:structured-macro":
            macro = self.macro(el)
            if macro is not None:
                return macro
        return self.fence(el)

    def layout(self, el: Any) -> list[_Block]:
        """Layout markers (HTML comments) around the cells' blocks; see CONVENTIONS.md."""
        out: list[_Block] = []
        for section in _elements(el) or [None]:
            cells = _elements(section) if _tag(section) == "ac:layout-section" else None
            if not cells or any(_tag(c) != "ac:layout-cell" or c.attrib for c in cells):
                return self.fence(el)
            attrs = {_qname(k): str(v) for k, v in section.attrib.items()}
            kind = attrs.pop("ac:type", "")
            words = _words({k[3:]: v for k, v in attrs.items() if k.startswith("ac:")})
            if words is None or any(not k.startswith("ac:") for k in attrs) or not re.fullmatch(r"[\w-]*", kind):
                return self.fence(el)
            out.append(("x", f"<!-- layout-section {kind}{words} -->".replace("  ", " ")))
            for n, cell in enumerate(cells):
                out.extend([("x", "<!-- layout-cell -->")] if n else [])
                out.extend(self.blocks(cell))
        return [*out, ("x", "<!-- /layout -->")]

    def guarded(self, el: Any, kind: str, ctx: str, prefix: str) -> list[_Block]:
        """A paragraph or heading, or its exact XML when an inline element in it cannot be Markdown."""
        try:
            text = self.para(_items(el), ctx)
        except _Fallback:
            return self.fence(el)
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
                return self.fence(el)
        if not entries or (ordered and not start.isdigit()):
            return self.fence(el)
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
                    return self.fence(el)
                if status not in ("complete", "incomplete"):
                    return self.fence(el)
                body = parts.get("ac:task-body")
                entries.append((status == "complete", self.blocks(body) if body is not None else []))
            elif tag == "ac:task-list" and entries:  # nested task lists follow their parent task
                entries[-1][1].extend(self.block(it))
            else:
                return self.fence(el)
        if not entries:
            return self.fence(el)
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
        """A GFM table when the shape fits (one header row or none, no spans, inline cells, attributes no more
        than Confluence's own classes and a column alignment); otherwise an HTML table whose cells hold
        Markdown; None (the table falls back) when its structure is not a table's."""
        rows: list[Any] = []
        kids = _elements(el)
        if kids is None:
            return None
        for child in kids:
            tag = _tag(child)
            group = _elements(child) if tag in ("thead", "tbody", "tfoot") else None
            if tag == "colgroup" and all(_tag(c) == "col" and len(c) == 0 for c in _elements(child) or [None]):
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
            if cells is None or any(_tag(c) not in ("th", "td") for c in cells):
                return None
            grid.append(cells)
        return (None if any(r.attrib for r in rows) else self.gfm(grid)) or self.html_table(el)

    def gfm(self, grid: list[list[Any]]) -> str | None:
        if not grid or len({len(r) for r in grid}) != 1 or not grid[0]:
            return None
        aligns = [[_cell_align(c) for c in r] for r in grid]
        columns = [{r[i] for r in aligns} for i in range(len(grid[0]))]
        if any(None in col or len(col) != 1 for col in columns):
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
        rule = [{"": "---", "left": ":---", "center": ":---:", "right": "---:"}[str(next(iter(c)))] for c in columns]
        lines = [head, rule, *(md[1:] if header else md)]
        return "\n".join("| " + " | ".join(r) + " |" for r in lines)

    def html_table(self, el: Any) -> str:
        """Structure tags as written (attributes kept), one per line; a cell's Markdown on the tag's line when
        it is one line, else between blank lines (so Markdown parses it).  A lone tbody is implied."""
        lines: list[str] = []

        def walk(node: Any) -> None:
            tag = _tag(node)
            if tag in ("th", "td"):
                md = self.join(self.blocks(node))
                if "\n" in md or _TABLE_TAG.search(md):
                    lines.extend([self.start_tag(node), "", md, "", f"</{tag}>"])
                else:
                    lines.append(f"{self.start_tag(node)}{md}</{tag}>")
                return
            if tag == "col":
                lines.append(self.start_tag(node)[:-1] + "/>")
                return
            groups = [k for k in node if _tag(k) in ("thead", "tbody", "tfoot")]
            implied = tag == "table" and len(groups) == 1 and _tag(groups[0]) == "tbody" and not groups[0].attrib
            lines.append(self.start_tag(node))
            for child in node:
                if implied and child is groups[0]:
                    for row in child:
                        walk(row)
                elif isinstance(child.tag, str):
                    walk(child)
            lines.append(f"</{tag}>")

        walk(el)
        return "\n".join(lines)

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
        if plain is not None:
            return None
        if name == "toc" and rich is None:
            words = _words(params)
            return None if words is None else [("x", f"[TOC{words}]")]
        title = _WS.sub(" ", params["title"]).strip(" ") if "title" in params else None
        words = _words({k: v for k, v in params.items() if k != "title"}) if name in _ALERTS else ""
        if words is None or (set(params) - {"title"} and name not in _ALERTS):
            return None
        body = self.blocks(rich) if rich is not None else []
        if name in _ALERTS:
            marker = f"[!{name.upper()}{words}]" + (f" {_esc(title)}" if title else "")
            if body and body[0][0] == "p":
                return [("x", _quote(marker + "\n" + self.join(body)))]
            return [("x", _quote(self.join([("x", marker), *body])))]
        if name == "expand":
            summary = "" if title is None else f"<summary>{html.escape(title, quote=False)}</summary>"
            inner = self.join(body)
            return [("x", f"<details>{summary}\n\n" + (inner + "\n\n" if inner else "") + "</details>")]
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
            emoticon = not isinstance(items[i - 1], str) and _tag(items[i - 1]) == "ac:emoticon"
            if glued and emoticon and isinstance(out[-1], str) and out[-1].startswith(":"):
                out[-1] = _code_span("confluence:" + self.xml(items[i - 1]), self.cell)  # ":smile:a" is no emoji
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
            style = _style(el.get("style") or "")
            deco = style.get("text-decoration", "").lower()
            inner: list[str | _Em] = self.inline(kids)
            if "line-through" in deco:
                inner = [_Em("~~", "s", inner)]
            if "underline" in deco:
                inner = ["<u>", *inner, "</u>"]
            colour = _hex(style.get("color", ""))
            return [f'<span style="color: {colour}">', *inner, "</span>"] if colour else inner
        if tag == "br":
            return [_BR]
        if tag == "code" and len(el) == 0:
            return [_code_span(el.text or "", self.cell)]
        nested_link = any(_tag(d) in ("a", "ac:link", "time", "ac:structured-macro") for d in el.iterdescendants())
        if tag == "a" and el.get("href") is not None and not nested_link:
            href, text = str(el.get("href")), "".join(el.itertext())
            if len(el) == 0 and el.get("title") is None:
                if text == href and _AUTOLINK.fullmatch(href):
                    return [f"<{href}>"]
                if href == "mailto:" + text and _EMAIL.fullmatch(text):
                    return [f"<{text}>"]
            return ["[", *self.inline(kids), f"]({_dest(href)}{_title(el.get('title'))})"]
        if tag == "time" and el.get("datetime") and len(el) == 0 and not (el.text or "").strip():
            date = str(el.get("datetime"))
            return [f"[{_esc(date)}]({_dest('date:' + date)})"]
        if tag == "ac:emoticon":
            short = (_get(el, "ac:emoji-shortname") or "").strip(":")
            fallback = _get(el, "ac:emoji-fallback") or ""
            if short:
                short = _ATLASSIAN_EMOJI.get(short, short)
            elif fallback and not fallback.startswith(":"):
                return [_esc(fallback)]
            else:
                short = _EMOTICONS.get(_get(el, "ac:name") or "", "")
            if re.fullmatch(_EMOJI_NAME, short):
                return [f":{short}:"]
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
        xml = self.xml(el)
        if "\n" in xml or "\r" in xml:
            raise _Fallback
        return [_code_span("confluence:" + xml, self.cell)]

    def ac_link(self, el: Any) -> list[str | _Em] | None:
        kids = _elements(el)
        if not kids or len(kids) > 2 or _attr_names(el) - {"ac:card-appearance", "ac:anchor"}:
            return None
        anchor = _get(el, "ac:anchor")
        body = kids[-1] if _tag(kids[-1]) in ("ac:plain-text-link-body", "ac:link-body") else None
        targets = kids[:-1] if body is not None else kids
        if len(targets) > 1 or (not targets and not anchor):
            return None
        text: list[str | _Em] | None = None
        if body is not None:
            plain = _tag(body) == "ac:plain-text-link-body"
            if plain and len(body):
                return None
            text = [_esc(body.text or "")] if plain else self.inline(_items(body))
        if not targets:
            return ["[", *(text if text is not None else [_esc(anchor or "")]), f"]({_dest('#' + (anchor or ''))})"]
        target = targets[0]
        kind, attrs = _tag(target), _attr_names(target)
        if kind == "ri:user" and not anchor and not len(target):
            ids = [(a, _get(target, a)) for a in ("ri:account-id", "ri:username", "ri:userkey") if a in attrs]
            if len(ids) != 1 or attrs - {"ri:account-id", "ri:username", "ri:userkey", "ri:local-id"}:
                return None
            name, raw = ids[0][0], ids[0][1] or ""
            dest = "mention:" + {"ri:account-id": "", "ri:username": "~", "ri:userkey": "userkey:"}[name] + raw
            text = ["@", *(text if text is not None else [_esc(raw)])]
        elif kind == "ri:page" and (page := _page_dest(target)) is not None:
            dest = page + ("#" + anchor if anchor is not None else "")
            text = text if text is not None else [_esc(_get(target, "ri:content-title") or "")]
        elif kind == "ri:attachment" and not anchor and (found := _attachment_dest(target)) is not None:
            dest, filename = found
            text = text if text is not None else [_esc(filename)]
        else:
            return None
        return ["[", *text, f"]({_dest(dest)})"]

    def image(self, el: Any) -> str | None:
        kids = _elements(el)
        caption = kids.pop() if kids and _tag(kids[-1]) == "ac:caption" else None
        if not kids or len(kids) != 1:
            return None
        target = kids[0]
        if _tag(target) == "ri:attachment" and (found := _attachment_dest(target)) is not None:
            src, default = found
        elif _tag(target) == "ri:url" and _attr_names(target) == {"ri:value"} and not len(target):
            src, default = _get(target, "ri:value") or "", ""
        else:
            return None
        attrs = {_qname(k): str(v) for k, v in el.attrib.items()}
        alt = attrs.pop("ac:alt", None)
        params = {k[3:]: v for k, v in attrs.items()}
        if any(not k.startswith("ac:") or k[3:] not in _IMAGE_KEYS or k == "ac:caption" for k in attrs):
            return None
        if caption is not None:
            inner = _elements(caption)
            items = _items(inner[0]) if inner and len(inner) == 1 and _tag(inner[0]) == "p" else _items(caption)
            if any(not isinstance(i, str) and not _is_inline(i) for i in items) or caption.attrib:
                return None
            params["caption"] = self.para(items, "cell")
        title = params.get("title") if list(params) == ["title"] else None
        if title is None or _image_params(title) is not None:
            title = "; ".join(f"{k}={v}" for k, v in params.items()) if params else None
            if params and (_image_params(title or "") != params or "\n" in (title or "")):
                return None
        return f"![{_esc(default if alt is None else alt)}]({_dest(src)}{_title(title)})"


def _page_dest(page: Any) -> str | None:
    """ri:page -> ``page:SPACE/Title`` (``#`` in a title as ``%23``); None when it carries more."""
    attrs = _attr_names(page)
    if "ri:content-title" not in attrs or attrs - {"ri:content-title", "ri:space-key", "ri:version-at-save"}:
        return None
    title = (_get(page, "ri:content-title") or "").replace("#", "%23")
    return None if len(page) else f"page:{_get(page, 'ri:space-key') or ''}/{title}"


def _attachment_dest(att: Any) -> tuple[str, str] | None:
    """ri:attachment (optionally of another page) -> (``attachment:[SPACE/Title/]file``, file name)."""
    attrs = _attr_names(att)
    if "ri:filename" not in attrs or attrs - {"ri:filename", "ri:version-at-save"} or len(att) > 1:
        return None
    filename = _get(att, "ri:filename") or ""
    if not len(att):
        return "attachment:" + filename, filename
    page = _page_dest(att[0]) if _tag(att[0]) == "ri:page" else None
    return None if page is None else (f"attachment:{page[5:]}/{filename}", filename)


def _image_params(title: str) -> dict[str, str] | None:
    """``width=480; align=center; caption=...`` -> the ac:image parameters; None for a plain title."""
    params: dict[str, str] = {}
    for part in _IMAGE_PARAMS.split(title):
        key, eq, value = part.partition("=")
        if not eq or key not in _IMAGE_KEYS or key in params:
            return None
        params[key] = value
    return params


def _cell_align(cell: Any) -> str | None:
    """A cell's text alignment ("" for none) when its attributes say no more than that; None otherwise."""
    attrs = {_qname(k): str(v) for k, v in cell.attrib.items()}
    if attrs.get("class") in ("confluenceTh", "confluenceTd"):
        del attrs["class"]
    for span in ("colspan", "rowspan"):
        if attrs.get(span) == "1":
            del attrs[span]
    kids = _elements(cell)
    inner = kids[0] if kids is not None and len(kids) == 1 and _tag(kids[0]) == "p" else None
    style = attrs.pop("style", None)
    if style is None and inner is not None and set(inner.attrib) == {"style"}:
        style = str(inner.get("style"))
    if attrs:
        return None
    found = _style(style or "")
    align = found.pop("text-align", "").lower()
    return None if found or align not in ("", "left", "center", "right") else align


def _macro_link(el: Any) -> str | None:
    """status/jira macro -> ``[DONE](status:green)`` / ``[KEY](jira:KEY)``; None when it does not fit."""
    name = _get(el, "ac:name")
    if name == "excerpt-include":
        return _excerpt_include(el)
    parts = _ToMarkdown.parts(el)
    if parts is None or parts[1] is not None or parts[2] is not None:
        return None
    params = dict(parts[0])
    if name == "anchor" and set(params) == {""}:
        return f'<a id="{html.escape(params[""])}"></a>'
    if name == "jira" and params.get("jqlQuery") and "key" not in params:
        text = params.pop("jqlQuery")
        extra = _params_title(params) if params else None
        if params and extra is None:
            return None
        return f"[{_esc(text)}]({_dest('jql:' + text)}{_title(extra)})"
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


def _excerpt_include(el: Any) -> str | None:
    """``[Title](<excerpt-include:SPACE/Title> "k=v")``: the page rides as a page destination."""
    params: dict[str, str] = {}
    page = None
    for child in _elements(el) or []:
        name = _get(child, "ac:name")
        link = _elements(child)
        if _tag(child) != "ac:parameter" or name is None or name in params:
            return None
        if name == "" and link and len(link) == 1 and _tag(link[0]) == "ac:link" and not link[0].attrib:
            target = _elements(link[0]) or []
            attrs = _attr_names(target[0]) if len(target) == 1 else set()
            if _tag(target[0]) != "ri:page" or len(target[0]) or attrs - {"ri:content-title", "ri:space-key"}:
                return None
            page = target[0]
        elif len(child) == 0:
            params[name] = child.text or ""
        else:
            return None
    extra = _params_title(params) if params else None
    if page is None or (params and extra is None):
        return None
    title = _get(page, "ri:content-title") or ""
    dest = f"excerpt-include:{_get(page, 'ri:space-key') or ''}/{title}"
    return f"[{_esc(title)}]({_dest(dest)}{_title(extra)})"


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
        return _ToMarkdown.join(_ToMarkdown(xhtml, root).blocks(root))
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


def _span(opening: str, inner: str) -> str:
    """``<span style="color: #rrggbb">`` -> the span as Confluence writes it (``rgb(r,g,b)``); other attributes
    pass as written."""
    attrs = {m[1]: html.unescape(m[2][1:-1]) for m in re.finditer(r'([\w:-]+)\s*=\s*("[^"]*"|\'[^\']*\')', opening)}
    style = _style(attrs.get("style", ""))
    colour = _hex(style.get("color", ""))
    if colour:
        style["color"] = "rgb(" + ",".join(str(int(colour[i : i + 2], 16)) for i in (1, 3, 5)) + ")"
        attrs["style"] = "; ".join(f"{k}: {v}" for k, v in style.items()) + ";"
    return "<span" + "".join(f' {k}="{_xa(v)}"' for k, v in attrs.items()) + f">{inner}</span>"


def _anchor(opening: str, inner: list[str]) -> str:
    """``<a id="x"></a>`` -> the anchor macro (the text after it, if any, stays text)."""
    name = html.unescape(_ANCHOR_OPEN.fullmatch(opening.strip())[1])  # type: ignore[index]
    return _macro("anchor", {"": name}) + "".join(inner)


def _ri_page(rest: str) -> str:
    """``SPACE/Title`` (or ``/Title``, ``Title``) -> ri:page; ``%23`` in a title is ``#``."""
    space, slash, page = rest.partition("/")
    space, page = (space, page) if slash else ("", rest)
    page = page.replace("%23", "#")
    return "<ri:page" + (f' ri:space-key="{_xa(space)}"' if space else "") + f' ri:content-title="{_xa(page)}"/>'


def _ri_attachment(rest: str) -> tuple[str, str]:
    """``file`` or ``SPACE/Page title/file`` (an attachment of another page) -> (ri:attachment, file name)."""
    page, slash, filename = rest.rpartition("/")
    inner = _ri_page(page) if slash else ""
    attr = f'<ri:attachment ri:filename="{_xa(filename)}"'
    return (attr + f">{inner}</ri:attachment>" if inner else attr + "/>"), filename


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
            if node.type == "html_block" and re.match(r"\s*<table\b", node.content, re.I):
                i = self.html_table(nodes, i, out)
                continue
            mark = _LAYOUT_MARK.fullmatch(node.content) if node.type == "html_block" else None
            if mark and mark[1] == "layout-section":
                i = self.layout(nodes, i, out)
                continue
            out.append(self.block(node))
            i += 1
        return "".join(out)

    def html_table(self, nodes: list[SyntaxTreeNode], i: int, out: list[str]) -> int:
        """An HTML table (see the reader): structure tags pass, text between them and the Markdown blocks
        between its HTML blocks become the cells' content.  Returns the index after the table."""
        parts: list[str] = []
        stack: list[str] = []
        while i < len(nodes):
            node = nodes[i]
            i += 1
            if node.type != "html_block":
                parts.append(self.block(node))
                continue
            pos = 0
            for m in _TABLE_TAG.finditer(node.content):
                if node.content[pos : m.start()].strip():
                    parts.append(self.fragment(node.content[pos : m.start()].strip()))
                pos = m.end()
                close, tag = m[1], m[2].lower()
                if not close and tag == "tr" and stack and stack[-1] == "table":
                    parts.append("<tbody>")
                    stack.append("tbody*")
                if close and tag == "table" and stack and stack[-1] == "tbody*":
                    parts.append("</tbody>")
                    stack.pop()
                if tag == "col":
                    parts.append(m[0] if m[0].endswith("/>") else m[0][:-1].rstrip() + "/>")
                elif close:
                    stack = stack[:-1] if stack else stack
                    parts.append(m[0])
                else:
                    stack.append(tag)
                    parts.append(m[0])
            rest = node.content[pos:]
            if not stack:
                parts.append(self.fragment(rest) if rest.strip() else "")
                break
            if rest.strip():
                parts.append(self.fragment(rest.strip()))
        xml = "".join(parts)
        out.append(xml if _parse(xml) is not None else f"<p>{_x(xml)}</p>")
        return i

    def layout(self, nodes: list[SyntaxTreeNode], i: int, out: list[str]) -> int:
        """``<!-- layout-section TYPE k=v -->`` ... ``<!-- layout-cell -->`` ... ``<!-- /layout -->``."""
        sections: list[tuple[str, list[list[SyntaxTreeNode]]]] = []
        while i < len(nodes):
            node = nodes[i]
            i += 1
            mark = _LAYOUT_MARK.fullmatch(node.content) if node.type == "html_block" else None
            if mark and mark[1] == "/layout":
                break
            if mark and mark[1] == "layout-section":
                sections.append((mark[2], [[]]))
            elif mark:
                sections[-1][1].append([])
            else:
                sections[-1][1][-1].append(node)
        xml = "<ac:layout>"
        for words, cells in sections:
            kind, _, rest = words.strip().partition(" ")
            attrs = f' ac:type="{_xa(kind)}"' if kind else ""
            attrs += "".join(f' ac:{_xa(k)}="{_xa(v)}"' for k, v in _parse_words(rest).items())
            xml += f"<ac:layout-section{attrs}>"
            xml += "".join(f"<ac:layout-cell>{self.blocks(c) or '<p/>'}</ac:layout-cell>" for c in cells)
            xml += "</ac:layout-section>"
        out.append(xml + "</ac:layout>")
        return i

    def fragment(self, text: str) -> str:
        return self.blocks(SyntaxTreeNode(_MD.parse(text)).children) if text.strip() else ""

    def block(self, node: SyntaxTreeNode) -> str:
        t = node.type
        if t == "paragraph":
            inl = _inl(node)
            toc = _TOC.fullmatch(_plain(inl).strip()) if inl and inl[0].type == "text" else None
            if toc and inl[0].content.startswith("[TOC") and all(n.type in ("text", "text_special") for n in inl):
                return _macro("toc", _parse_words(toc[1]))
            inner = self.inline(inl)
            links = [n for n in inl if n.type == "link"]
            alone = len(links) == 1 and all(n.type == "link" or not _plain([n]).strip() for n in inl)
            if alone and re.match(r"(jql|excerpt-include):", str(links[0].attrs.get("href", ""))):
                return inner.strip()  # a block macro
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
        brk = next((i for i, n in enumerate(inl) if n.type in ("softbreak", "hardbreak")), len(inl))
        first = _plain(inl[:brk])
        literal = inl and inl[0].type == "text" and inl[0].content.startswith("[!")
        marker = _ALERT.match(first) if literal else None
        if marker is None:
            return f"<blockquote>{self.blocks(kids)}</blockquote>"
        name = marker.group(1).lower()
        title = first[marker.end() :].strip(" \t")
        rest = self.inline(inl[brk + 1 :])
        body = ("" if _blank(rest) else f"<p>{rest}</p>") + self.blocks(kids[1:])
        params = {**_parse_words(marker.group(2)), **({"title": title} if title else {})}
        return _macro(_ALERT_IN.get(name, name), params, f"<ac:rich-text-body>{body}</ac:rich-text-body>")

    def table(self, node: SyntaxTreeNode) -> str:
        rows = [tr for group in node.children for tr in group.children]
        out = []
        for r, tr in enumerate(rows):
            cells = [self.inline(_inl(c)) for c in tr.children]
            if r == 0 and not any(cells):
                continue  # an all-empty header row stands for "no header row"
            tag = "th" if r == 0 else "td"
            styles = [
                re.sub(r"text-align:\s*(\w+)", r' style="text-align: \1;"', str(c.attrs.get("style", "")))
                for c in tr.children
            ]
            out.append("<tr>" + "".join(f"<{tag}{a}>{c}</{tag}>" for a, c in zip(styles, cells, strict=True)) + "</tr>")
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
                span = _SPAN_OPEN.fullmatch(raw.strip())
                anchor = _ANCHOR_OPEN.fullmatch(raw.strip())
                if pair and not pair.group(1):
                    stack.append((pair.group(2).lower(), raw, []))
                elif span or anchor:
                    stack.append(("span" if span else "a", raw, []))
                elif (close := re.fullmatch(r"</(span|a)\s*>", raw.strip(), re.I)) and stack[-1][0] == close[1].lower():
                    tag, opening, inner = stack.pop()
                    stack[-1][2].append(_span(opening, "".join(inner)) if tag == "span" else _anchor(opening, inner))
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
            if name in _EMOTICON_IN:
                out.append(f'<ac:emoticon ac:name="{_EMOTICON_IN[name]}"/>')
            else:
                near = _NEAREST.get(name, "blue-star")
                out.append(f'<ac:emoticon ac:name="{near}" ac:emoji-shortname=":{_xa(name)}:"/>')
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
        if colon and scheme == "jql":
            return _macro("jira", {**extra, "jqlQuery": rest})
        if colon and scheme == "excerpt-include":
            page = _ri_page(rest)
            body = f'<ac:parameter ac:name=""><ac:link>{page}</ac:link></ac:parameter>'
            return _macro("excerpt-include", extra, body)
        if href.startswith("#") and len(href) > 1:
            body = "" if text == href[1:] else self.body(n.children, text)
            return f'<ac:link ac:anchor="{_xa(href[1:])}">{body}</ac:link>'
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
            rest, hash_, anchor = rest.partition("#")
            page = rest.partition("/")[2].replace("%23", "#") if "/" in rest else rest.replace("%23", "#")
            body = "" if text == _WS.sub(" ", page) else self.body(n.children, text)
            attr = f' ac:anchor="{_xa(anchor)}"' if hash_ else ""
            return f"<ac:link{attr}>{_ri_page(rest)}{body}</ac:link>"
        if colon and scheme == "attachment":
            target, filename = _ri_attachment(rest)
            body = "" if text == _WS.sub(" ", filename) else self.body(n.children, text)
            return f"<ac:link>{target}{body}</ac:link>"
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
            target, filename = _ri_attachment(src[11:])
            alt = "" if alt == _WS.sub(" ", filename) else alt
        else:
            target = f'<ri:url ri:value="{_xa(src)}"/>'
        params = _image_params(str(title)) if title is not None else {}
        params = {"title": str(title)} if params is None else params
        caption = params.pop("caption", None)
        if caption:
            target += (
                f"<ac:caption><p>{self.inline(_inl(SyntaxTreeNode(_MD.parse(caption)).children[0]))}</p></ac:caption>"
            )
        attrs = (f' ac:alt="{_xa(alt)}"' if alt else "") + "".join(f' ac:{k}="{_xa(v)}"' for k, v in params.items())
        return f"<ac:image{attrs}>{target}</ac:image>"


def markdown_to_storage(text: str) -> str:
    """Markdown -> Confluence storage XHTML; ```confluence blocks are written back verbatim.  Never raises."""
    if not text or not text.strip():
        return ""
    try:
        return _ToStorage().blocks(SyntaxTreeNode(_MD.parse(text)).children)
    except Exception:  # noqa: BLE001 - never lose the model's text: keep it as one escaped paragraph
        return f"<p>{_x(text)}</p>"
