"""Jira wiki markup as Jira itself reads and writes it (issue 17, the wiki parts of issue 12).

Expected values follow Atlassian's own wiki-markup transformer (@atlaskit/editor-wikimarkup-transformer; the oracle
test in tests/unit/test_wiki_oracle.py runs it) and Jira's renderer: a newline is a line break, colours are hex,
emoticons are emoji, panels carry their meaning in parameters, emphasis inside a word needs `{*}`."""

from __future__ import annotations

import pytest

from adapter.content.wiki import markdown_to_wiki, wiki_to_markdown

EMOTICONS = "(/) (x) (!) (?) (i) (y) (n) :) :( ;) :D (on) (off) (*) (flag)"
EMOJI = (
    ":check_mark: :cross_mark: :warning: :question: :info: :thumbsup: :thumbsdown: :slight_smile: :disappointed: "
    ":wink: :smiley: :light_bulb_on: :light_bulb_off: :yellow_star: :flag_on:"
)

READ = [
    ("newline is a line break", "Line one\nLine two", "Line one\\\nLine two"),
    ("named colour", "{color:red}HTTP 500{color}", '<span style="color: #ff0000">HTTP 500</span>'),
    ("hex colour lower-cased", "{color:#FF0000}x{color}", '<span style="color: #ff0000">x</span>'),
    ("short hex colour", "{color:#f00}x{color}", '<span style="color: #ff0000">x</span>'),
    ("citation", "??Guide??", "*— Guide*"),
    ("emoticons", EMOTICONS, EMOJI),
    ("emoticon glued to a word", "f(x) = 1", "f:cross_mark: = 1"),
    ("escaped emoticon", "\\(x) marks", "(x) marks"),
    ("panel as Jira writes it", "{panel:bgColor=#deebff}\nhi\n{panel}", "> [!INFO]\n> hi"),
    ("note panel with title", "{panel:title=T|bgColor=#eae6ff}\nhi\n{panel}", "> [!NOTE] T\n> hi"),
    ("warning panel", "{panel:bgColor=#fffae6}\nhi\n{panel}", "> [!WARNING]\n> hi"),
    ("panel with style", "{panel:title=T|borderStyle=solid}\nhi\n{panel}", "> [!PANEL] T {borderStyle=solid}\n> hi"),
    ("panel unknown colour", "{panel:bgColor=#fff}\nhi\n{panel}", "> [!PANEL] {bgColor=#fff}\n> hi"),
    ("code with title", "{code:title=A.java}\nx\n{code}", '```java title="A.java"\nx\n```'),
    (
        "code with title and line numbers",
        "{code:title=x|linenumbers=true}\nx\n{code}",
        '```java title="x" linenumbers=true\nx\n```',
    ),
    ("code with language and title", "{code:python|title=a.py}\nx\n{code}", '```python title="a.py"\nx\n```'),
    ("intraword bold", "un{*}believ{*}able", "un**believ**able"),
    ("cjk bold", "今週は{*}ログイン{*}のバグ", "今週は**ログイン**のバグ"),
    ("intraword italic", "a{_}b{_}c", "a*b*c"),
    ("image alt in quotes", '!a.png|alt="Arch"!', "![Arch](attachment:a.png)"),
    ("smart link", "[https://x.com/a|https://x.com/a|smart-link]", "<https://x.com/a>"),
    ("bare link is a link", "[https://x.com]", "[https://x.com](https://x.com)"),
    ("mail link as Atlassian writes it", "[a@b.com|mailto:a@b.com]", "<a@b.com>"),
    ("subscript", "H ~2~ O", "H <sub>2</sub> O"),
    ("toc as written", "\\[TOC\\]", "[TOC]"),
]


@pytest.mark.parametrize(("wiki", "md"), [c[1:] for c in READ], ids=[c[0] for c in READ])
def test_read_as_jira(wiki: str, md: str) -> None:
    assert wiki_to_markdown(wiki) == md


WRITE = [
    ("hard break is a newline", "Line one\\\nLine two", "Line one\nLine two"),
    ("soft break is a space", "Line one\nLine two", "Line one Line two"),
    ("hard break in a table cell", "| a |\n| --- |\n| x<br>y |", "||a||\n|x\\\\y|"),
    ("colour", '<span style="color: #ff0000">x</span>', "{color:#ff0000}x{color}"),
    ("citation", "*— Guide*", "??Guide??"),
    ("emoji with an emoticon", ":check_mark: :slight_smile: :thumbsup: :+1: :flag_off:", "(/) :) (y) (y) (flagoff)"),
    ("other emoji stay", ":tada: done", ":tada: done"),
    ("emoticon text escaped", "f(x) and (/)", "f\\(x) and \\(/)"),
    ("info", "> [!INFO]\n> body", "{panel:bgColor=#deebff}\nbody\n{panel}"),
    ("note titled", "> [!NOTE] Heads up\n> body", "{panel:title=Heads up|bgColor=#eae6ff}\nbody\n{panel}"),
    ("warning", "> [!WARNING]\n> body", "{panel:bgColor=#fffae6}\nbody\n{panel}"),
    ("tip", "> [!TIP]\n> body", "{panel:bgColor=#e3fcef|borderColor=#abf5d1}\nbody\n{panel}"),
    ("success", "> [!SUCCESS]\n> ok", "{panel:bgColor=#e3fcef}\nok\n{panel}"),
    ("error", "> [!ERROR]\n> no", "{panel:bgColor=#ffebe6}\nno\n{panel}"),
    ("panel params", "> [!PANEL] T {borderStyle=solid}\n> b", "{panel:title=T|borderStyle=solid}\nb\n{panel}"),
    ("toc", "[TOC]", "\\[TOC\\]"),
    ("intraword bold", "un**believ**able", "un{*}believ{*}able"),
    ("cjk bold", "今週は**ログイン**のバグ", "今週は{*}ログイン{*}のバグ"),
    ("intraword italic", "2*3*4", "2{_}3{_}4"),
    ("intraword strike", "a~~b~~c", "a{-}b{-}c"),
    ("code with title", '```java title="A.java"\nx\n```', "{code:java|title=A.java}\nx\n{code}"),
    ("inline card", "<https://x.com/a>", "[https://x.com/a|https://x.com/a|smart-link]"),
    ("link showing its url", "[https://x.com](https://x.com)", "[https://x.com]"),
    ("mail autolink", "<mail@example.com>", "[mailto:mail@example.com]"),
]


@pytest.mark.parametrize(("md", "wiki"), [c[1:] for c in WRITE], ids=[c[0] for c in WRITE])
def test_write_as_jira(md: str, wiki: str) -> None:
    assert markdown_to_wiki(md) == wiki


MD_ROUND = [
    "Line one\\\nLine two",
    '<span style="color: #ff0000">red</span> and <span style="color: #00875a">green</span>',
    "*— Guide* said so",
    EMOJI,
    "> [!INFO]\n> i",
    "> [!NOTE] T\n> n",
    "> [!TIP]\n> t",
    "> [!SUCCESS]\n> s",
    "> [!ERROR]\n> e",
    "> [!WARNING] W\n> w",
    "> [!PANEL] T {borderStyle=solid|borderColor=#cccccc}\n> p",
    '```java title="A.java" linenumbers=true\nx\n```',
    "un**believ**able, 今週は**ログイン**のバグ, 2*3*4, a~~b~~c",
    "<https://x.com/a> and [https://x.com](https://x.com) and <mail@example.com>",
    "[TOC]",
    "f(x) = 1",
]


@pytest.mark.parametrize("md", MD_ROUND)
def test_markdown_round_trip_as_jira(md: str) -> None:
    assert wiki_to_markdown(markdown_to_wiki(md)) == md


WIKI_ROUND = [
    "Line one\nLine two",
    "{color:#ff0000}HTTP 500{color}",
    "??Guide??",
    "(/) (x) (!) (?) (i) (y) (n) :) :( ;) :D (on) (off) (*) (flag)",
    "{panel:bgColor=#deebff}\nhi\n{panel}",
    "{panel:title=T|bgColor=#eae6ff}\nhi\n{panel}",
    "{panel:title=T|borderStyle=solid}\nhi\n{panel}",
    "{code:java|title=A.java}\nx\n{code}",
    "un{*}believ{*}able",
    "[https://x.com|https://x.com|smart-link]",
]


@pytest.mark.parametrize("wiki", WIKI_ROUND)
def test_wiki_round_trip_as_jira(wiki: str) -> None:
    assert markdown_to_wiki(wiki_to_markdown(wiki)) == wiki


@pytest.mark.parametrize(
    ("wiki", "normal"),
    [
        ("{color:red}x{color}", "{color:#ff0000}x{color}"),
        ("(*y) (*)", "(*) (*)"),
        ("{info}\nx\n{info}", "{panel:bgColor=#deebff}\nx\n{panel}"),
        ("{code:title=A.java}\nx\n{code}", "{code:java|title=A.java}\nx\n{code}"),
        ("a\\\\b", "a\nb"),
        ("[a@b.com|mailto:a@b.com]", "[mailto:a@b.com]"),
    ],
)
def test_wiki_normalises_to_what_jira_writes(wiki: str, normal: str) -> None:
    assert markdown_to_wiki(wiki_to_markdown(wiki)) == normal
