"""Jira wiki markup (Jira Data Center / Server REST v2 descriptions and comments) <-> Markdown.

Markdown follows CONVENTIONS.md. Reading runs jira2markdown's pyparsing grammar with most elements replaced, because
its own output breaks our conventions (every ordered item is `1.`, `{code}` becomes Java with no way back, `{info}`
is ignored, mentions lose their id, `text\\n----` turns into a setext heading, only `*` is escaped). Writing walks
markdown-it's syntax tree, since jira2markdown only goes one way.

Decisions beyond CONVENTIONS.md (all round-trip unless listed at the end):
- Code/noformat blocks and macros we do not map are cut out before parsing and put back at the end, so nothing
  inside them is touched. `{code}` without a language is Java in Jira and reads as ```java; a fence without a
  language writes `{noformat}`. Macros or parameters Markdown cannot hold become ```jira-wiki blocks (an inline
  `jira-wiki:` code span inside a line); so do tables with header cells outside the first row or blocks in cells.
- Jira's own reading decides (CONVENTIONS.md, "Jira wiki markup"): a newline is a hard break and a soft break is
  written as a space; colours are hex spans; `??cite??` <-> `*— cite*`; emoticons <-> emoji; panels by their
  colours (`{info}` & co. are read, never written); code parameters ride in the fence info string; `{*}` inside words.
  `+u+`, `^sup^`, `~sub~` <-> `<u>`, `<sup>`, `<sub>`.
- Status lozenge (wiki has none): `{color:green}*\\[DONE\\]*{color}`; neutral -> gray, yellow -> orange (legible).
- Issue link `[PROJ-1]` <-> `[PROJ-1](jira:PROJ-1)`; attachment link `[^f.txt]`; anchor `[#a]` <-> `[a](#a)`.
- Images: the default alt is the file name for attachments and empty for URLs; another alt is the `alt=` attribute;
  the other image attributes (`thumbnail`, `width=300`) ride in the Markdown title.
- Task items (wiki has none) are list items starting with an escaped box: `* \\[ ] todo`, `* \\[x] done`.
- `{panel:title=T}` <-> `> [!PANEL] T`, `{info:title=T}` <-> `> [!INFO] T`; SUCCESS / ERROR are panels with fixed
  green / red colours; `<details><summary>T</summary>` is `{panel:title=T|borderStyle=dashed}` (`{expand}` needs a
  plugin on Data Center). `[TOC]` <-> `{toc}`. A table without header cells gets an empty Markdown header row.
- Escaping is minimal both ways: writing backslashes `*_-+^~?!{[` only where they could open markup that something
  later on the line closes (plus `|` in tables and `*`, `-`, `#`, `|`, `h1.`, `bq.` starting a line); reading does
  the same for Markdown's specials, so plain prose stays plain.
Wiki -> Markdown -> wiki normalises: `bq.` to `{quote}`, `-` bullets to `*`, `{code}` to `{code:java}`, code and
panels onto their own lines, `--`/`---` to dashes, `[alias|~user]` to `[~user]`, `[www.x]` to `[https://www.x]`,
escapes, blank lines and indentation, named colours to hex, `\\\\` to a newline, ragged tables, skipped list levels
and empty items; two lists of one kind kept apart only by a blank line read as one Markdown list.
Markdown -> wiki -> Markdown loses: a mention's display name (wiki holds only the user: `[@bob](mention:~bob)`),
dates (plain text), table alignment, list start numbers, looseness and empty items, blocks other than lists and code
inside list items, raw HTML other than the tags above, a panel inside a panel (Jira cannot nest them), `:)` typed as
text (an emoticon), an image glued to a word, text glued to the end of a bare URL, a backslash right
before punctuation, a block nested in a block of the same kind.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from contextvars import ContextVar
from functools import cache, lru_cache
from urllib.parse import unquote

from jira2markdown.elements import MarkupElements
from jira2markdown.markup.text_breaks import Mdash, Ndash
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.tasklists import tasklists_plugin
from pyparsing import Forward, ParserElement, ParseResults, Regex

__all__ = ["markdown_to_wiki", "wiki_to_markdown"]

_ALERTS = {"info": "INFO", "note": "NOTE", "warning": "WARNING", "tip": "TIP"}  # Confluence macros, read only
# Panels as Jira writes them (the colours of Atlassian's ADF panel types); the first entry of a kind is written.
_PANELS: list[tuple[str, dict[str, str]]] = [
    ("INFO", {"bgColor": "#deebff"}),
    ("NOTE", {"bgColor": "#eae6ff"}),
    ("WARNING", {"bgColor": "#fffae6"}),
    ("TIP", {"bgColor": "#e3fcef", "borderColor": "#abf5d1"}),
    ("SUCCESS", {"bgColor": "#e3fcef"}),
    ("ERROR", {"bgColor": "#ffebe6"}),
    ("ERROR", {"bgColor": "#ffebe6", "borderColor": "#ffbdad"}),  # what we wrote before
    ("DETAILS", {"borderStyle": "dashed"}),
]
# Jira's emoticons and the emoji Atlassian's transformer makes of them; the first emoticon of an emoji is written.
_EMOTICONS = {
    ":)": "slight_smile", ":-)": "slight_smile", ":(": "disappointed", ":-(": "disappointed",
    ":P": "stuck_out_tongue", ":-P": "stuck_out_tongue", ":p": "stuck_out_tongue", ":-p": "stuck_out_tongue",
    ":D": "smiley", ":-D": "smiley", ";)": "wink", ";-)": "wink", "(y)": "thumbsup", "(n)": "thumbsdown",
    "(i)": "info", "(/)": "check_mark", "(x)": "cross_mark", "(!)": "warning", "(+)": "plus", "(-)": "minus",
    "(?)": "question", "(on)": "light_bulb_on", "(off)": "light_bulb_off", "(*)": "yellow_star",
    "(*y)": "yellow_star", "(*r)": "red_star", "(*g)": "green_star", "(*b)": "blue_star", "(flag)": "flag_on",
    "(flagoff)": "flag_off",
}  # fmt: skip
_EMOTICON_OF = {name: e for e, name in reversed(_EMOTICONS.items())} | {"+1": "(y)", "-1": "(n)"}
_EMOTICON = re.compile("(?:" + "|".join(map(re.escape, sorted(_EMOTICONS, key=len, reverse=True))) + ")(?![^\\W_])")
_CSS_COLOURS = dict(  # CSS named colours (what Jira and Atlassian's transformer accept), name + 6 hex digits
    (w[:-6], "#" + w[-6:])
    for w in re.findall(
        r"\S+",
        "alicebluef0f8ff antiquewhitefaebd7 aqua00ffff aquamarine7fffd4 azuref0ffff beigef5f5dc bisqueffe4c4 "
        "black000000 blanchedalmondffebcd blue0000ff blueviolet8a2be2 browna52a2a burlywooddeb887 cadetblue5f9ea0 "
        "chartreuse7fff00 chocolated2691e coralff7f50 cornflowerblue6495ed cornsilkfff8dc crimsondc143c "
        "cyan00ffff darkblue00008b darkcyan008b8b darkgoldenrodb8860b darkgraya9a9a9 darkgreen006400 "
        "darkgreya9a9a9 darkkhakibdb76b darkmagenta8b008b darkolivegreen556b2f darkorangeff8c00 darkorchid9932cc "
        "darkred8b0000 darksalmone9967a darkseagreen8fbc8f darkslateblue483d8b darkslategray2f4f4f "
        "darkslategrey2f4f4f darkturquoise00ced1 darkviolet9400d3 deeppinkff1493 deepskyblue00bfff dimgray696969 "
        "dimgrey696969 dodgerblue1e90ff firebrickb22222 floralwhitefffaf0 forestgreen228b22 fuchsiaff00ff "
        "gainsborodcdcdc ghostwhitef8f8ff goldffd700 goldenroddaa520 gray808080 green008000 greenyellowadff2f "
        "grey808080 honeydewf0fff0 hotpinkff69b4 indianredcd5c5c indigo4b0082 ivoryfffff0 khakif0e68c "
        "lavendere6e6fa lavenderblushfff0f5 lawngreen7cfc00 lemonchiffonfffacd lightblueadd8e6 lightcoralf08080 "
        "lightcyane0ffff lightgoldenrodyellowfafad2 lightgrayd3d3d3 lightgreen90ee90 lightgreyd3d3d3 "
        "lightpinkffb6c1 lightsalmonffa07a lightseagreen20b2aa lightskyblue87cefa lightslategray778899 "
        "lightslategrey778899 lightsteelblueb0c4de lightyellowffffe0 lime00ff00 limegreen32cd32 linenfaf0e6 "
        "magentaff00ff maroon800000 mediumaquamarine66cdaa mediumblue0000cd mediumorchidba55d3 mediumpurple9370db "
        "mediumseagreen3cb371 mediumslateblue7b68ee mediumspringgreen00fa9a mediumturquoise48d1cc "
        "mediumvioletredc71585 midnightblue191970 mintcreamf5fffa mistyroseffe4e1 moccasinffe4b5 "
        "navajowhiteffdead navy000080 oldlacefdf5e6 olive808000 olivedrab6b8e23 orangeffa500 orangeredff4500 "
        "orchidda70d6 palegoldenrodeee8aa palegreen98fb98 paleturquoiseafeeee palevioletreddb7093 "
        "papayawhipffefd5 peachpuffffdab9 perucd853f pinkffc0cb plumdda0dd powderblueb0e0e6 purple800080 "
        "rebeccapurple663399 redff0000 rosybrownbc8f8f royalblue4169e1 saddlebrown8b4513 salmonfa8072 "
        "sandybrownf4a460 seagreen2e8b57 seashellfff5ee siennaa0522d silverc0c0c0 skyblue87ceeb slateblue6a5acd "
        "slategray708090 slategrey708090 snowfffafa springgreen00ff7f steelblue4682b4 tand2b48c teal008080 "
        "thistled8bfd8 tomatoff6347 turquoise40e0d0 violetee82ee wheatf5deb3 whiteffffff whitesmokef5f5f5 "
        "yellowffff00 yellowgreen9acd32",
    )
)
_STATUS = {"neutral": "gray", "purple": "purple", "blue": "blue", "red": "red", "yellow": "orange", "green": "green"}
_HTML_MARKS = {"u": "+", "sup": "^", "sub": "~", "cite": "??"}
_URL = re.compile(r"(?:https?|ftp)://[^\s\\|\[\]{}<>!\ue000-\ue003]+", re.IGNORECASE)  # bare URLs stay verbatim
_ISSUE_KEY = re.compile(r"[A-Z][A-Z0-9_]+-\d+")


def _hex(colour: str) -> str | None:
    """A colour as `#rrggbb` (from a name, `#rgb`, `#RRGGBB` or `rgb(r, g, b)`), as Atlassian normalises it."""
    c = colour.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", c):
        return "#" + "".join(x * 2 for x in c[1:])
    if re.fullmatch(r"#[0-9a-f]{6}", c):
        return c
    rgb = re.fullmatch(r"rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)", c)
    if rgb and all(int(x) < 256 for x in rgb.groups()):
        return "#" + "".join(f"{int(x):02x}" for x in rgb.groups())
    return _CSS_COLOURS.get(c)


# --- reading: placeholders ---------------------------------------------------------------------------------------

# Code, noformat and unknown macros wait outside the parser as (markdown, original wiki, text put in its place).
_STORE: ContextVar[list[tuple[str, str, str]]] = ContextVar("wiki_store")
_PH = re.compile(r"\ue000(\d+)\ue001|\ue002(\d+)\ue003")
_PH_LINE = re.compile(r"^(.*?)\ue000(\d+)\ue001[ \t]*$", re.MULTILINE)
_SCAN = re.compile(r"\\.|\{\{[^\n]*?\}\}|\{([A-Za-z][\w-]*)(:[^{}\n]*)?\}", re.DOTALL)
_KNOWN = {"quote", "panel", "info", "note", "warning", "tip", "color"}


def _fence(body: str, info: str = "") -> str:
    """A fenced block longer than any backtick run inside it."""
    ticks = "`" * max(3, max(map(len, re.findall("`+", body)), default=0) + 1)
    return f"{ticks}{info}\n{body}\n{ticks}" if body else f"{ticks}{info}\n{ticks}"


def _code_span(body: str) -> str:
    """An inline code span that survives backticks and edge spaces inside."""
    ticks = "`" * (max(map(len, re.findall("`+", body)), default=0) + 1)
    pad = " " if body.strip() and (body[:1] in "` " or body[-1:] in "` ") else ""
    return f"{ticks}{pad}{body}{pad}{ticks}"


def _keep(md: str, wiki: str, block: bool, before: str = "", after: str = "") -> str:
    """Park converted text out of the parser's reach and return its placeholder."""
    store = _STORE.get()
    ph = before + ("\ue000{}\ue001" if block else "\ue002{}\ue003").format(len(store)) + after
    store.append((md, wiki, ph))
    return ph


def _original(text: str) -> str:
    """Undo the placeholders in a piece of pre-processed wiki text."""
    for _, wiki, ph in reversed(_STORE.get()):
        text = text.replace(ph, wiki)
    return text


def _fallback(wiki: str, inline: bool = False) -> str:
    """Wiki Markdown cannot hold, kept verbatim in a ```jira-wiki block (or a `jira-wiki:` code span)."""
    wiki = _original(wiki)
    if inline and "\n" not in wiki:
        return _keep(_code_span("jira-wiki:" + wiki), wiki, block=False)
    return "\n\n" + _keep(_fence(wiki, "jira-wiki"), wiki, block=True) + "\n\n"


def _code(name: str, params: str, body: str) -> str | None:
    """Markdown for {code}/{noformat}: language, then the other parameters in the info string (```java title="A");
    None when they cannot go there (the fallback keeps them)."""
    parts = [p.strip() for p in params.split("|")] if params else []
    lang = parts.pop(0) if parts and "=" not in parts[0] else ""
    pairs = [p.partition("=")[::2] for p in parts]
    if (name == "noformat" and params) or not re.fullmatch(r"[\w#+.-]*", lang):
        return None
    if any(not re.fullmatch(r"\w+", k) or not v or re.search(r'["`\s]', v) and (k != "title" or '"' in v or "`" in v)
           for k, v in pairs):  # fmt: skip
        return None
    info = ((lang or "java") if name == "code" else "") + "".join(  # Jira highlights an unnamed {code} as Java
        f' {k}="{v}"' if k == "title" else f" {k}={v}" for k, v in pairs
    )
    return _fence(body.removeprefix("\n").removesuffix("\n"), info)


def _extract(text: str) -> str:
    """Swap code/noformat blocks and unknown macros for placeholders: their insides must stay untouched."""
    out: list[str] = []
    pos = 0
    for m in _SCAN.finditer(text):
        name, params = m.group(1), (m.group(2) or "")[1:]
        if m.start() < pos or not name or name in _KNOWN or (name == "toc" and not params):
            continue
        close = text.find("{" + name + "}", m.end())
        code = name in ("code", "noformat")
        if code and close < 0:
            continue
        end = close + len(name) + 2 if close >= 0 else m.end()
        wiki = text[m.start() : end]
        md = _code(name, params, text[m.end() : close]) if code else None
        before = text[text.rfind("\n", 0, m.start()) + 1 : m.start()].strip()
        after = text[end:].split("\n", 1)[0].strip()
        out.append(text[pos : m.start()])
        if md is None and (before or after) and "\n" not in wiki:
            out.append(_keep(_code_span("jira-wiki:" + wiki), wiki, block=False))
        else:
            md = md if md is not None else _fence(wiki, "jira-wiki")
            out.append(_keep(md, wiki, True, "\n" if before else "", "\n" if after else ""))
        pos = end
    return "".join(out) + text[pos:]


def _restore(md: str) -> str:
    """Put placeholders back, block ones indented like the list or quote their line sits in."""
    store = _STORE.get()

    def block(m: re.Match[str]) -> str:
        prefix, lines = m.group(1), store[int(m.group(2))][0].split("\n")
        cont = re.sub(r"\d+[.)]|[-*+]", lambda x: " " * len(x.group()), prefix)
        return "\n".join([prefix + lines[0]] + [cont + line if line else cont.rstrip() for line in lines[1:]])

    return _PH.sub(lambda m: store[int(m.group(1) or m.group(2))][0], _PH_LINE.sub(block, md))


def _tidy(md: str, separate: bool = True) -> str:
    """Trailing spaces off, one blank line between blocks (code stays parked, so its blank lines are safe)."""
    if separate:  # code blocks get blank lines around them, except inside list items
        md = re.sub(r"(?m)^\ue000\d+\ue001[ \t]*$", "\n\\g<0>\n", md)
    md = re.sub(r"(?<!\\)((?:\\\\)*)(?:\\\n)+(?=\n|$)", r"\1\n", md)  # hard breaks ending a block go
    md = re.sub(r"(?:^|(?<=\n\n))(?:[ \t]*\\\n)+", "", md)  # and those starting one
    md = re.sub(r"[ \t]+$", "", md, flags=re.MULTILINE)
    return re.sub(r"\n{3,}", "\n\n", md).strip("\n")


# --- reading: Markdown escaping ----------------------------------------------------------------------------------


def _md_char(c: str, prev: str, nxt: str, rest: str) -> str:
    """A literal character as Markdown, escaped only where Markdown would read it as syntax."""
    if c in "*`[\\~":
        return "\\" + c
    if c == "_":
        return c if prev.isalnum() and nxt.isalnum() else "\\_"
    if c == "<":
        return "\\<" if re.match(r"\\?[A-Za-z/!?]", rest) else c
    if c == "&":
        return "\\&" if re.match(r"#?\w+;", rest) else c
    if c == "!":
        return "\\!" if re.match(r"\\?\[", rest) else c
    return c


def _md_escape(text: str) -> str:
    """Escape a plain string (names, file names, alt text, URLs) for Markdown link text."""
    return "".join(
        "\\]" if c == "]" else _md_char(c, text[i - 1 : i], text[i + 1 : i + 2], text[i + 1 :])
        for i, c in enumerate(text)
    )


def _md_link(text: str, url: str, title: str = "") -> str:
    """`[text](url "title")`, the destination in angle brackets when it holds spaces or brackets."""
    dest = f"<{url}>" if re.search(r"[\s()<>]", url) else url
    title = ' "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"' if title else ""
    return f"[{text}]({dest}{title})"


def _quoted(md: str, head: str = "") -> str:
    """Markdown lines prefixed with `> ` (a rule right under the head line would underline it as a heading)."""
    head = head + "\n>" * (md.startswith("---") and bool(head))
    lines = ([head] if head else []) + [f"> {line}" if line else ">" for line in md.split("\n") if md]
    return "\n\n" + "\n".join(lines) + "\n\n"


# --- reading: grammar elements (jira2markdown's element protocol) ------------------------------------------------


class _Element:
    """A regex element; jira2markdown builds it with the grammar so nested wiki can be converted."""

    is_inline_element = True
    RE = re.compile(r"(?!)")

    def __init__(self, inline_markup: ParserElement, markup: ParserElement, usernames: dict[str, str]) -> None:
        self.inline_markup, self.markup = inline_markup, markup

    @property
    def expr(self) -> ParserElement:
        return Regex(self.RE).leave_whitespace().set_parse_action(self._action)

    def _action(self, s: str, loc: int, toks: ParseResults) -> str:
        m = self.RE.match(s, loc)
        assert m is not None
        return self.render(m, s)

    def render(self, m: re.Match[str], s: str) -> str:
        raise NotImplementedError

    def inline(self, wiki: str) -> str:
        return str(self.inline_markup.transform_string(wiki))

    def blocks(self, wiki: str, separate: bool = True) -> str:
        return _tidy(str(self.markup.transform_string(wiki)), separate)


class _Block(_Element):
    is_inline_element = False


class _Heading(_Block):
    RE = re.compile(r"(?<![^\n])[ \t]*h([1-6])\.[ \t]([^\n]*)")

    def render(self, m: re.Match[str], s: str) -> str:
        text = re.sub(r"(^|[ \t])(#+)$", r"\1\\\2", self.inline(m.group(2).strip()).replace("\\\n", "<br>"))
        return "\n\n" + "#" * int(m.group(1)) + " " + text + "\n\n"


class _Rule(_Block):
    RE = re.compile(r"(?<![^\n])[ \t]*----[ \t]*(?=\n|$)")

    def render(self, m: re.Match[str], s: str) -> str:
        return "\n\n---\n\n"


class _Toc(_Block):
    RE = re.compile(r"(?<![^\n])[ \t]*(?:\{toc\}|\\\[TOC\\\])[ \t]*(?=\n|$)")  # what we write: `\\[TOC\\]`

    def render(self, m: re.Match[str], s: str) -> str:
        return "\n\n[TOC]\n\n"


class _Bq(_Block):
    RE = re.compile(r"(?<![^\n])[ \t]*bq\.[ \t]([^\n]*)")

    def render(self, m: re.Match[str], s: str) -> str:
        return _quoted(_tidy(self.inline(m.group(1).strip())))


class _Quote(_Block):
    RE = re.compile(r"\{quote\}((?:\\.|[^\\])*?)\{quote\}", re.DOTALL)

    def render(self, m: re.Match[str], s: str) -> str:
        return _quoted(self.blocks(m.group(1)))


class _Panel(_Block):
    RE = re.compile(r"\{(panel|info|note|warning|tip)(?::([^}\n]*))?\}((?:\\.|[^\\])*?)\{\1\}", re.DOTALL)

    def render(self, m: re.Match[str], s: str) -> str:
        params = dict(p.partition("=")[::2] for p in (m.group(2) or "").split("|") if p)
        params = {k.strip(): v.strip() for k, v in params.items()}
        title, rest = params.pop("title", ""), ""
        if m.group(1) == "panel":
            low = {k: v.lower() if k.endswith("Color") else v for k, v in params.items()}
            kind = next((k for k, v in _PANELS if v == low), "")
            if not kind:  # a kind by its colour, the other parameters after the title: `{borderStyle=solid}`
                kind = next((k for k, v in _PANELS if v == {"bgColor": low.get("bgColor")}), "PANEL")
                rest = "|".join(f"{k}={v}" for k, v in params.items() if kind == "PANEL" or k != "bgColor")
        else:
            kind = "" if params else _ALERTS[m.group(1)]
        if not kind or "" in params.values() or re.search(r"[{}]", "".join(params.values())):
            return _fallback(m.group(0))
        body = self.blocks(m.group(3))
        if kind == "DETAILS":
            summary = f"<summary>{html.escape(title, quote=False)}</summary>" if title else ""
            body = f"\n\n{body}" if body else ""
            return f"\n\n<details>{summary}{body}\n\n</details>\n\n"
        head = f"> [!{kind}]" + (f" {_md_escape(title)}" if title else "") + (f" {{{rest}}}" if rest else "")
        return _quoted(body, head)


_ITEM = re.compile(r"[ \t]*([*#]+|-)[ \t]+(.*)", re.DOTALL)
_TASK = re.compile(r"\\?\[([ xX])\\?\][ \t]+")


class _List(_Block):
    """Nested `*`/`#`/`-` lists numbered 1., 2., 3., mixed nesting (`#*`) and task boxes."""

    RE = re.compile(
        r"(?<![^\n])[ \t]*(?:[*#]+|-)[ \t][^\n]*"
        r"(?:\n(?![ \t]*(?:\n|$|h[1-6]\.[ \t]|bq\.[ \t]|\||----[ \t]*(?:\n|$)))[^\n]*)*"
    )

    def render(self, m: re.Match[str], s: str) -> str:
        items: list[list[str]] = []
        for line in m.group(0).split("\n"):
            item = _ITEM.fullmatch(line)
            if item:
                items.append([item.group(1).replace("-", "*"), item.group(2)])
            else:
                items[-1][1] += "\n" + line
        levels: list[tuple[str, int]] = []  # (kind, number) of the open item at each depth
        out: list[str] = []
        for markers, text in items:
            task = _TASK.match(text)
            head, _, tail = text[task.end() if task else 0 :].strip().partition("\n")
            md, more = self.inline(head.strip()), self.blocks(tail, separate=False) if tail.strip() else ""
            if more:  # a continuation line is a line break in the item, unless a block starts there
                block = re.match(r"[\ue000>#|<]|[-*+] |\d+[.)] |---", more) or not _tidy(md)
                md += ("\n" if block else "\\\n") + more
            if not (_tidy(md) or task):
                continue  # an empty item: Markdown has none that can follow a paragraph
            depth = min(len(markers), len(levels) + 1)  # a level cannot be skipped in Markdown
            kind, number = markers[-1], 1
            if len(levels) >= depth and levels[depth - 1][0] == kind:
                number = levels[depth - 1][1] + 1
            if depth == 1 and levels and number == 1:
                out.append("")  # a new top-level list of the other kind: kept apart, as Markdown reads it
            levels[depth - 1 :] = [(kind, number)]
            indent = "".join(" " * (2 if k == "*" else len(f"{n}. ")) for k, n in levels[:-1])
            marker = "-" if kind == "*" else f"{number}."
            box = ("[x] " if task.group(1) in "xX" else "[ ] ") if task else ""
            lines = _tidy(box + md, separate=False).split("\n")
            out.append(f"{indent}{marker} {lines[0]}".rstrip())
            out += [indent + " " * (len(marker) + 1) + line if line else "" for line in lines[1:]]
        return "\n\n" + "\n".join(out) + "\n\n"


_CELL_ATOM = re.compile(r"\\.|\[[^\]\n]*\]|\{\{.*?\}\}|!(?!\s)[^!|\n]+(?:\|[^!\n]*)?!", re.DOTALL)


def _cells(row: str) -> list[tuple[bool, str]]:
    """Split a table row into (is_header, wiki) cells, keeping links, images and monospace whole."""
    cells: list[tuple[bool, str]] = []
    buf, header, i = "", False, row.index("|")
    while i < len(row):
        atom = _CELL_ATOM.match(row, i)
        if atom:
            buf, i = buf + atom.group(0), atom.end()
        elif row[i] == "|":
            if i > row.index("|"):
                cells.append((header, buf))
            header, buf = row.startswith("||", i), ""
            i += 2 if header else 1
        else:
            buf, i = buf + row[i], i + 1
    return cells + [(header, buf)] if buf.strip() else cells


class _Table(_Block):
    RE = re.compile(  # rows start with a bar; a row whose last cell is open continues on the next line
        r"(?<![^\n])[ \t]*(?=\|(?:[^\n]*[^|\s]|[ \t]+\|))\|[^\n]*"
        r"(?:\n[ \t]*\|[^\n]*|(?<!\|)\n(?![ \t]*(?:\n|$))[^\n]+)*"
    )

    def render(self, m: re.Match[str], s: str) -> str:
        rows: list[str] = []
        for line in m.group(0).split("\n"):
            if line.lstrip().startswith("|") or not rows:
                rows.append(line.strip())
            else:
                rows[-1] += "\n" + line
        grid = [_cells(row) for row in rows]
        heads = [[h for h, _ in row] for row in grid]
        has_head = all(heads[0]) and not any(any(h) for h in heads[1:])
        if not has_head and any(any(h) for h in heads):
            return _fallback(m.group(0))
        width = max(map(len, grid))
        md_rows = [[""] * width] if not has_head else []
        for row in grid:
            cells = [self.blocks(cell.strip()) for _, cell in row]
            if any("\ue000" in c or re.search(r"(?m)^(?:[-+>] |\d+\. |#|```|\|)", c) for c in cells):
                return _fallback(m.group(0))  # blocks in cells: Markdown tables hold one line per cell
            cells = [re.sub(r"(?<!\\)\|", r"\\|", c.replace("\\\n", "<br>").replace("\n", "<br>")) for c in cells]
            md_rows.append(cells + [""] * (width - len(cells)))
        lines = ["| " + " | ".join(r) + " |" for r in md_rows]
        return "\n\n" + "\n".join([lines[0], "|" + " --- |" * width, *lines[1:]]) + "\n\n"


class _Status(_Element):
    RE = re.compile(rf"\{{color:({'|'.join(_STATUS.values())})\}}\*\\\[((?:\\.|[^\\\n])+?)\\\]\*\{{color\}}")

    def render(self, m: re.Match[str], s: str) -> str:
        colour = next(k for k, v in _STATUS.items() if v == m.group(1))
        return "[" + _md_escape(re.sub(r"\\(.)", r"\1", m.group(2))) + f"](status:{colour})"


class _Color(_Element):
    RE = re.compile(r"\{color:([^}\n]+)\}((?:\\.|[^\\])*?)\{color\}", re.DOTALL)

    def render(self, m: re.Match[str], s: str) -> str:
        text, colour = self.inline(m.group(2)), _hex(m.group(1))
        if not text.strip() or "\n\n" in text or not colour:  # nothing to colour, paragraphs, or no colour
            return _fallback(m.group(0), inline=not text.strip() or not colour)
        return f'<span style="color: {colour}">{text}</span>'


class _Mono(_Element):
    RE = re.compile(r"\{\{((?:\\.|[^\\\n])+?)\}\}")

    def render(self, m: re.Match[str], s: str) -> str:
        return _code_span(re.sub(r"\\([{}])", r"\1", m.group(1)))


class _Mention(_Element):
    RE = re.compile(r"\[(?:([^|\]\[\n]*)\|)?~(accountid:)?([^\]\s|]+)\]", re.IGNORECASE)

    def render(self, m: re.Match[str], s: str) -> str:
        user = m.group(3)
        name = (m.group(1) or "").strip() or user
        return _md_link("@" + _md_escape(name), "mention:" + (user if m.group(2) else "~" + user))


class _Link(_Element):
    RE = re.compile(r"\[(?:([^|\]\[\n]*)\|)?([^|\]\[\n]+)(?:\|([^|\]\[\n]*))?\]")

    def render(self, m: re.Match[str], s: str) -> str:
        alias, target, tip = m.group(1), m.group(2).strip(), (m.group(3) or "").strip()
        text = self.inline(alias) if alias is not None else ""
        if target[:1] in ("^", "#"):
            url = "attachment:" + target[1:] if target[0] == "^" else target
            return _md_link(text or _md_escape(target[1:]), url, tip)
        if _ISSUE_KEY.fullmatch(target):
            return _md_link(text or target, "jira:" + target, tip)
        if target.lower().startswith("www."):
            target = "https://" + target
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", target):
            mail = target.lower().startswith("mailto:")
            if tip == "smart-link" or (mail and (alias or "").strip() in ("", target[7:])):
                return f"<{target[7:] if mail else target}>"  # an inline card, or a mail address shown as itself
            return _md_link(text or _md_escape(target), target, tip)
        return _md_link(text, target, tip) if alias else _fallback(m.group(0), inline=True)


class _Image(_Element):
    RE = re.compile(r"(?<![^\W_])!((?!\s)[^!|\n<>\[\]\\{}]+?)(?<!\s)(?:\|([^!\n]*))?!")

    def render(self, m: re.Match[str], s: str) -> str:
        src = m.group(1)
        external = bool(re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", src))
        alt, attrs = ("" if external else src), []
        for part in m.group(2).split(",") if m.group(2) else []:
            key, eq, value = part.partition("=")
            if eq and key.strip().lower() == "alt":
                alt = re.sub(r'^"(.*)"$', r"\1", value.strip())
            else:
                attrs.append(part)
        return "!" + _md_link(_md_escape(alt), src if external else "attachment:" + src, ",".join(attrs))


class _Url(_Element):
    RE = _URL

    def render(self, m: re.Match[str], s: str) -> str:
        return _md_escape(m.group(0))


class _LineStart(_Element):
    """At a line start (also after `\\\\` or a block) spaces go and Markdown block markers get escaped (`>`, `1.`)."""

    MARK = (
        r"\\?([>#=|])|\\?([+-])(?=[ \t]|$|\n)"  # quote, heading, setext, table, bullet
        r"|\\?(-)(?=(?:\\?-)*[ \t]*(?:\\\\[ \t]*)?(?:\n|$|\ue000))"  # a line of dashes: rule or setext
        r"|(\d{1,9})\\?([.)])(?=[ \t]|$|\n)"  # ordered item
    )
    # Never an empty match: pyparsing would skip the character without trying the other elements.
    AHEAD = re.sub(r"[(](?![?])", "(?:", MARK)
    AFTER = "|".join(rf"(?<=\{{{name}\}})" for name in ("quote", "panel", *_ALERTS))  # text after a block
    RE = re.compile(rf"(?:(?<![^\n])|(?<=\\\\)|{AFTER})(?=[ \t]|{AHEAD})[ \t]*(?:{MARK})?")

    def render(self, m: re.Match[str], s: str) -> str:
        mark = m.group(1) or m.group(2) or m.group(3) or m.group(5)
        return (m.group(4) or "") + "\\" + mark if mark else ""


class _Plain(_Element):
    """Runs of letters, digits and inner spaces, which start no markup: consumed whole, for speed."""

    RE = re.compile(r"(?:(?!(?:https?|ftp)://)[^\W_])+(?: +(?:(?!(?:https?|ftp)://)[^\W_])+)*")

    def render(self, m: re.Match[str], s: str) -> str:
        return m.group(0)


class _LineBreak(_Element):
    """`\\\\` is a hard break; a newline typed after it belongs to it (a break ending a block goes in `_tidy`)."""

    RE = re.compile(r"\\\\(?:[ \t]*\n)?")

    def render(self, m: re.Match[str], s: str) -> str:
        return "\\\n"


class _Newline(_Element):
    """A newline inside a paragraph is a line break in Jira: a hard break (one leading a block goes in `_tidy`)."""

    RE = re.compile(r"(?<![\n \t\ue001])[ \t]*\n(?![ \t]*(?:\n|$|\ue000))")  # not beside a parked block

    def render(self, m: re.Match[str], s: str) -> str:
        return "\\\n"


class _Emoticon(_Element):
    """`(/)`, `:)`... as the emoji Atlassian's transformer makes of them, wherever they stand (as Jira does)."""

    RE = _EMOTICON

    def render(self, m: re.Match[str], s: str) -> str:
        return f":{_EMOTICONS[m.group(0)]}:"


class _WikiEscape(_Element):
    RE = re.compile(r"\\([!-/:-@\[-`{-~])")

    def render(self, m: re.Match[str], s: str) -> str:
        i = m.start(1)
        return _md_char(m.group(1), s[i - 2 : i - 1], s[i + 1 : i + 2], s[i + 1 :])


class _MdEscape(_Element):
    RE = re.compile(r"[*_`\[<&~]|!(?=\\?\[)|\\(?=[ \t]*(?:\n|$))")

    def render(self, m: re.Match[str], s: str) -> str:
        i = m.start()
        return _md_char(m.group(0), s[i - 1 : i], s[i + 1 : i + 2], s[i + 1 :])


def _effect(token: str, start: str, end: str = "") -> type[_Element]:
    """A text effect (`*bold*`, or `{*}bold{*}` inside a word): jira2markdown's rules as one regex, since its
    PrecededBy rebuilds parsers per call."""
    t, b = re.escape(token), re.escape("{" + token + "}")

    class Effect(_Element):
        # one way only to match each character (an escape, a [link] or one character): no runaway backtracking
        body = r"(?:\\[^\n\\]|\[[^\]\n]*\]|\[(?![^\]\n]*\])|[^\n\\\[])+?"
        RE = re.compile(rf"(?<!\w){t}(?!\s|{t})({body})(?<!\s){t}(?!\w)|{b}(?!\s)({body})(?<!\s){b}")

        def render(self, m: re.Match[str], s: str) -> str:
            return start + self.inline(m.group(1) or m.group(2)) + (end or start)

    return Effect


_ELEMENTS = MarkupElements(
    [
        *(_Table, _List, _Heading, _Rule, _Toc, _Bq, _Quote, _Panel),
        *(_Status, _Color, _Mono, _Mention, _Link, _Image, _Url, Mdash, Ndash, _LineStart, _Plain, _LineBreak),
        *(_Newline, _Emoticon),
        _WikiEscape,
        _effect("*", "**"),
        _effect("_", "*"),
        _effect("-", "~~"),
        _effect("+", "<u>", "</u>"),
        _effect("??", "*— ", "*"),  # a citation, as Jira renders it and Atlassian's transformer reads it
        _effect("^", "<sup>", "</sup>"),
        _effect("~", "<sub>", "</sub>"),
        _MdEscape,
    ]
)


@cache
def _grammar() -> ParserElement:
    """jira2markdown's `convert` wiring, built once: building it takes longer than converting most texts."""
    inline, markup = Forward(), Forward()
    inline <<= _ELEMENTS.expr(inline, markup, {}, [e for e in _ELEMENTS if e.is_inline_element])
    markup <<= _ELEMENTS.expr(inline, markup, {}, _ELEMENTS)
    return markup


@lru_cache(maxsize=512)
def wiki_to_markdown(text: str) -> str:
    """Jira wiki markup -> Markdown in the shared conventions; never raises (unparseable input is kept verbatim).

    Memoized (a pure function of the text): jira2markdown's grammar takes milliseconds per body, and models
    read the same issue again and again."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return ""
    token = _STORE.set([])
    try:
        return _restore(_tidy(str(_grammar().transform_string(_extract(text)))))
    except Exception:  # a grammar failure must not lose the text
        return _fence(text, "jira-wiki")
    finally:
        _STORE.reset(token)


# --- writing -----------------------------------------------------------------------------------------------------

_MD = MarkdownIt("commonmark").enable("table").enable("strikethrough").use(tasklists_plugin)
_MD.normalizeLink = lambda url: url  # type: ignore[method-assign]  # keep destinations as written, not %-encoded
_MD.validateLink = lambda url: not re.match(r"(?i)\s*(?:javascript|vbscript|data):", url)  # type: ignore[method-assign]
_ALERT = re.compile(r"\[!(INFO|NOTE|WARNING|TIP|SUCCESS|ERROR|PANEL)\](?:[ \t]+(.*))?", re.IGNORECASE | re.DOTALL)
_DETAILS = re.compile(r"<details>\s*(?:<summary>(.*?)</summary>\s*)?", re.DOTALL)
_SPAN = re.compile(r'<span style="color:\s*([^";]+?);?\s*">')


_MARKS = "*_-+^~?!{["
_CLOSER = {"!": "!", "{": "}", "[": "]"}


def _word(c: str) -> bool:
    return c.isalnum() or c == "_"


def _wiki_text(text: str, prev: str, pipes: bool, last: bool = False) -> str:
    """Plain text as wiki: a special gets a backslash only where it could open markup that something on the line
    closes (the line may go on past this text unless `last`), or where it starts a line; bare URLs stay."""

    def word(c: str) -> bool:
        return c.isalnum() or c == "_"

    def closes(j: int, c: str) -> bool:
        p, n = text[j - 1 : j] or prev[-1:], text[j + 1 : j + 2]
        if c in _CLOSER.values() or c == "!":
            return True
        return (c != "?" or "?" in (p, n)) and p.strip() != "" and not word(n)

    def closing(a: int, b: int) -> dict[str, int]:  # closing character -> its last index in text[a:b]
        return {text[j]: j for j in range(a, b) if text[j] in "*_-+^~?!}]" and closes(j, text[j])}

    urls = [m.span() for m in _URL.finditer(text)]
    out, i, line_end, last_close = "", 0, -1, {}
    while i < len(text):
        if i > line_end:
            line_end = text.find("\n", i) % (len(text) + 1)  # -1 (no newline) becomes len(text)
            last_close = closing(i, line_end)
        c, p, nxt = text[i], (text[i - 1] if i else prev[-1:]), text[i + 1 : i + 2]
        if any(a <= i < b for a, b in urls):
            out, i = out + c, i + 1
            continue
        line_start = p in ("", "\n")
        heading = re.match(r"(?:h[1-6]|bq)(?=\.[ \t])", text[i:]) if line_start else None
        if heading:  # `h1\. ` stays text
            out, i = out + heading.group(0) + "\\.", i + heading.end() + 1
            continue
        esc = (
            (c == "|" and (pipes or line_start))
            or (line_start and c in "*-#")
            or (c == "(" and bool(_EMOTICON.match(text, i)))
        )
        opens = c in _MARKS and (c in "{[" or (not (p.isalnum() if c == "!" else word(p)) and not nxt.isspace()))
        if not esc and opens and (c != "?" or nxt == "?"):
            esc = (line_end == len(text) and not last) or last_close.get(_CLOSER.get(c, c), -1) > i
        out, i = out + ("\\" + c if esc else c), i + 1
    return out


def _plain(nodes: Sequence[SyntaxTreeNode]) -> str:
    """The text of inline nodes, markup dropped."""
    return "".join(
        n.content if n.type in ("text", "code_inline") else "\n" if "break" in n.type else _plain(n.children)
        for n in nodes
    )


def _macro(opener: str, body: str) -> str:
    """`{name:params}` body `{name}`, each on its own lines."""
    body = body + "\n" if body else ""
    return f"{{{opener}}}\n{body}{{{opener.split(':')[0]}}}"


class _Writer:
    """Markdown syntax tree -> wiki markup."""

    def __init__(self) -> None:
        self.html: list[str | None] = []  # wiki closers of open inline HTML tags (None: the tag was written as text)

    def blocks(self, nodes: Sequence[SyntaxTreeNode]) -> str:
        out: list[tuple[str, str]] = []  # (node type, wiki)
        i = 0
        while i < len(nodes):
            opened = _DETAILS.fullmatch(nodes[i].content) if nodes[i].type == "html_block" else None
            if not opened:
                out.append((nodes[i].type, self.block(nodes[i])))
                i += 1
                continue
            depth, j = 1, i + 1
            while j < len(nodes) and depth:
                if nodes[j].type == "html_block":
                    depth += bool(_DETAILS.fullmatch(nodes[j].content))
                    depth -= bool(re.fullmatch(r"</details>\s*", nodes[j].content))
                j += 1
            title = f"title={html.unescape(opened.group(1))}|" if opened.group(1) else ""
            inner = self.blocks(nodes[i + 1 : j - 1 if not depth else j])
            out.append(("details", _macro(f"panel:{title}borderStyle=dashed", inner)))
            i = j
        out = [(t, w) for t, w in out if w]
        # Adjacent Markdown lists are of different kinds; a blank line between them would read as a new list.
        return "".join(
            ("\n" if out[k - 1][0].endswith("_list") and t.endswith("_list") else "\n\n") * (k > 0) + w
            for k, (t, w) in enumerate(out)
        )

    def block(self, node: SyntaxTreeNode) -> str:
        t = node.type
        inline = node.children[0].children if t in ("paragraph", "heading") and node.children else []
        if t == "paragraph":
            # Jira has no table of contents: the marker is written as the text it is
            return "\\[TOC\\]" if _plain(inline).strip() == "[TOC]" and len(inline) == 1 else self.inline(inline)
        if t == "heading":
            return f"h{node.tag[1]}. " + self.inline(inline).replace("\n", "\\\\")  # a newline would end it
        if t in ("bullet_list", "ordered_list"):
            return self.list(node, "")
        if t == "blockquote":
            return self.quote(node)
        if t in ("fence", "code_block"):
            lang, _, rest = (node.info.strip() if t == "fence" else "").partition(" ")
            lang = lang if re.fullmatch(r"[\w#+.-]*", lang) else ""  # what `{code:...}` takes as a language
            if lang == "jira-wiki":
                return node.content.removesuffix("\n")
            params = "".join(f"|{k}={v or w}" for k, v, w in re.findall(r'(\w+)=(?:"([^"|{}]*)"|([^\s"|{}]+))', rest))
            if ("{code}" if lang else "{noformat}") in node.content or (params and not lang):
                lang = lang or "none"  # the body would close the macro early, or the parameters need {code}
            if not lang:
                return f"{{noformat}}\n{node.content}{{noformat}}"
            return f"{{code:{lang}{params}}}\n{node.content}{{code}}"
        if t == "hr":
            return "----"
        if t == "table":
            return self.table(node)
        if t == "html_block":
            return _wiki_text(node.content.rstrip("\n"), "", False, True)
        return self.blocks(node.children)

    def list(self, node: SyntaxTreeNode, prefix: str) -> str:
        marker = prefix + ("#" if node.type == "ordered_list" else "*")
        lines: list[str] = []
        for item in node.children:
            kids = list(item.children)
            inline = list(kids.pop(0).children[0].children) if kids and kids[0].type == "paragraph" else []
            box = ""
            if inline and inline[0].type == "html_inline" and "task-list-item" in str(item.attrs.get("class")):
                box = "\\[x] " if "checked" in inline.pop(0).content else "\\[ ] "
            head = self.inline(inline)
            lines.append(f"{marker} {box}{head.removeprefix(' ') if box else head}")
            lines += [self.list(k, marker) if k.type.endswith("_list") else self.block(k) for k in kids]
        return "\n".join(lines)

    def quote(self, node: SyntaxTreeNode) -> str:
        kids = list(node.children)
        inline = list(kids[0].children[0].children) if kids and kids[0].type == "paragraph" else []
        cut = next((k for k, n in enumerate(inline) if "break" in n.type), len(inline))
        alert = _ALERT.fullmatch(_plain(inline[:cut]).strip()) if inline else None
        if not alert:
            return _macro("quote", self.blocks(kids))
        kind, title = alert.group(1).upper(), (alert.group(2) or "").strip()
        title, extra = re.fullmatch(r"(.*?)[ \t]*(?:\{([^{}]*=[^{}]*)\})?", title, re.DOTALL).groups()  # type: ignore[union-attr]
        body = ([self.inline(inline[cut + 1 :])] if inline[cut + 1 :] else []) + [self.blocks(kids[1:])]
        params = [f"title={title}"] * bool(title) + [
            f"{k}={v}" for k, v in next((v for k, v in _PANELS if k == kind), {}).items()
        ]
        params += [p.strip() for p in (extra or "").split("|") if p.strip()]
        return _macro("panel" + (":" + "|".join(params) if params else ""), "\n\n".join(b for b in body if b))

    def table(self, node: SyntaxTreeNode) -> str:
        out = []
        for section in node.children:
            for tr in section.children:
                cells = [
                    self.inline(td.children[0].children if td.children else [], pipes=True).replace("\n", "\\\\")
                    for td in tr.children
                ]
                sep = "||" if section.type == "thead" else "|"
                if sep == "|" or any(c.strip() for c in cells):  # an empty header row stands for none
                    # a space keeps an empty cell from reading as `||` and a final backslash off the bar
                    out.append(sep + sep.join(c + " " * (not c.strip() or c.endswith("\\")) for c in cells) + sep)
        return "\n".join(out)

    def inline(self, nodes: Sequence[SyntaxTreeNode], prev: str = "", pipes: bool = False, ends: bool = True) -> str:
        """Inline nodes; `ends`: the line ends after them (so text at the end can open nothing)."""
        out = ""
        for k, node in enumerate(nodes):
            last = (ends and k == len(nodes) - 1) or (k + 1 < len(nodes) and nodes[k + 1].type == "hardbreak")
            nxt = " " if k + 1 == len(nodes) else _plain(nodes[k + 1 : k + 2])[:1] or " "
            out += self.span(node, (prev + out)[-1:], pipes, last, nxt)
        return out

    def span(self, node: SyntaxTreeNode, prev: str, pipes: bool, last: bool, nxt: str = " ") -> str:
        t = node.type
        if t == "text":
            return self.text(node.content, prev, pipes, last)
        if t in ("softbreak", "hardbreak"):  # Jira shows a newline as a break; a soft break is a space
            return "\n" if t == "hardbreak" else " "
        if t in ("em", "strong", "s"):
            kids = list(node.children)
            if t == "em" and kids and kids[0].type == "text" and kids[0].content.startswith("— "):
                head = self.text(kids[0].content[2:], "?", pipes, False)  # `*— Guide*` is how a citation reads
                return "??" + head + self.inline(kids[1:], head[-1:] or "?", pipes, ends=False) + "??"
            mark = {"em": "_", "strong": "*", "s": "-"}[t]
            inner = self.inline(kids, mark, pipes, ends=False)
            # Jira opens an effect only after a non-word character and closes it before one; `{*}` works anywhere
            if _word(prev) or _word(nxt) or inner[:1].isspace() or inner[-1:].isspace():
                return "{" + mark + "}" + inner + "{" + mark + "}"
            return mark + inner + mark
        if t == "code_inline":
            if node.content.startswith("jira-wiki:"):
                return node.content.removeprefix("jira-wiki:")
            return "{{" + re.sub(r"[{}]", r"\\\g<0>", node.content) + "}}"
        if t == "link":
            return self.link(node)
        if t == "image":
            return self.image(node)
        if t == "html_inline":
            return self.tag(node.content, prev, pipes, last)
        return self.inline(node.children, prev, pipes, ends=False)

    def text(self, text: str, prev: str, pipes: bool, last: bool) -> str:
        """Text, with `:shortname:` emoji written as Jira's emoticon where there is one."""
        out, pos = "", 0
        for m in re.finditer(r"(?<![\w:]):([\w+-]+):(?![\w:])", text):
            if m.group(1) in _EMOTICON_OF:
                out += _wiki_text(text[pos : m.start()], (prev + out)[-1:], pipes) + _EMOTICON_OF[m.group(1)]
                pos = m.end()
        return (
            out + _wiki_text(text[pos:], (prev + out)[-1:], pipes, last) if out else _wiki_text(text, prev, pipes, last)
        )

    def link(self, node: SyntaxTreeNode) -> str:
        href, text = str(node.attrs.get("href", "")), _plain(node.children)
        scheme, _, rest = href.partition(":")
        if scheme == "mention":
            return f"[~{rest[1:]}]" if rest.startswith("~") else f"[~accountid:{rest}]"
        if scheme == "status":  # every punctuation character escaped, so the status text stays plain
            text = re.sub(r"[!-/:-@\[-`{-~]", r"\\\g<0>", text)
            return f"{{color:{_STATUS.get(rest, rest)}}}*\\[{text}\\]*{{color}}"
        if scheme == "date":
            return _wiki_text(text, "", True)
        if node.markup == "autolink":  # a mail address, or an inline card (Jira's smart link)
            return f"[{href}]" if scheme == "mailto" else f"[{href}|{href}|smart-link]"
        target = {"jira": rest, "attachment": "^" + unquote(rest)}.get(scheme, href)
        default = {"jira": rest, "attachment": unquote(rest)}.get(scheme, href[1:] if href[:1] == "#" else href)
        tip = "|" + str(node.attrs["title"]) if node.attrs.get("title") else ""
        if text == default and len(node.children) == 1 and not tip:
            return f"[{target}]"
        return "[" + self.inline(node.children, "[", True, ends=False) + "|" + target + tip + "]"

    def image(self, node: SyntaxTreeNode) -> str:
        src, alt = str(node.attrs.get("src", "")), _plain(node.children)
        attachment = src.startswith("attachment:")
        src = unquote(src.removeprefix("attachment:")) if attachment else src
        attrs = [str(node.attrs["title"])] if node.attrs.get("title") else []
        attrs += [f"alt={alt}"] if alt != (src if attachment else "") else []
        return f"!{src}|{','.join(attrs)}!" if attrs else f"!{src}!"

    def tag(self, raw: str, prev: str, pipes: bool, last: bool) -> str:
        """Inline HTML we map (colour span, u/sup/sub/cite, br); other tags are written as text."""
        name = re.fullmatch(r"<(/?)(\w+)\s*/?>", raw)
        span = _SPAN.fullmatch(raw)
        if raw.startswith('<input class="task-list-item-checkbox"'):
            return ""
        if name and name.group(2) == "br":
            return "\n"
        if span or (name and not name.group(1) and name.group(2) in _HTML_MARKS):
            wiki = (
                f"{{color:{_hex(span.group(1)) or span.group(1)}}}"
                if span
                else _HTML_MARKS[name.group(2)]
                if name
                else ""
            )
            self.html.append("{color}" if span else wiki)
            return wiki
        if re.match(r"<span\b", raw):
            self.html.append(None)
        elif name and name.group(1) and name.group(2) in ("span", *_HTML_MARKS) and self.html:
            closer = self.html.pop()
            if closer is not None:
                return closer
        return _wiki_text(raw, prev, pipes, last)


def markdown_to_wiki(text: str) -> str:
    """Markdown in the shared conventions -> Jira wiki markup; never raises (worst case the text goes as-is)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return ""
    try:
        return _Writer().blocks(SyntaxTreeNode(_MD.parse(text)).children).strip("\n")
    except Exception:  # a writer failure must not lose the text
        return "{noformat}\n" + text.rstrip("\n") + "\n{noformat}"
