"""Atlassian's wiki-markup transformer as an independent oracle: Jira wiki -> ADF through Atlassian's code must render
like our wiki -> Markdown -> ADF. Installed by `nox -s tests` into .ci/wikimarkup; without it this test fails."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from adapter.content.adf import markdown_to_adf
from adapter.content.wiki import wiki_to_markdown

ROOT = Path(__file__).resolve().parents[2]
MODULES = ROOT / ".ci" / "wikimarkup" / "node_modules"
SNIPPETS = [
    "Line one\nLine two",
    "{color:red}HTTP 500{color} and {color:#FF991F}x{color}",
    "??Guide??",
    "(/) (x) (!) (?) (i) (y) (n) :) :( ;) :D (on) (off) (*) (flag)",
    "un{*}believ{*}able 今週は{*}ログイン{*}のバグ 2{_}3{_}4",
    "H ~2~ O and x ^2^",
    "See [https://x.com/a|https://x.com/a|smart-link] now",
    "[docs|https://x.com] [https://y.com] [mailto:a@b.com]",
    "{panel:bgColor=#deebff}\nhi\n{panel}",
    "{panel:bgColor=#eae6ff}\nhi\n{panel}",
    "{code:python}\nx = 1\n{code}",
    "{code}\nx++;\n{code}",
    "{noformat}\nraw\n{noformat}",
    "{quote}\nq\n{quote}",
    "h2. Title\n\n* a\n* b\n\n# one\n# two",
    "a\\\\b",
    "----",
    "*bold* _it_ -strike- +under+ {{mono}}",
]
DOCS = sorted((ROOT / "tests" / "fidelity" / "native" / "wiki").glob("*.wiki"))


def atlassian(texts: list[str]) -> list[dict[str, Any]]:
    if not (MODULES / "@atlaskit" / "editor-wikimarkup-transformer").is_dir():
        pytest.fail("Atlassian's transformer is not installed: run `nox -s tests` (it installs .ci/wikimarkup)")
    env = dict(os.environ, NODE_PATH=str(MODULES))
    out = subprocess.run(
        ["node", str(ROOT / "tests" / "oracle" / "wikimarkup.js")],
        input=json.dumps(texts), capture_output=True, text=True, env=env, check=True, timeout=120,
    )  # fmt: skip
    return list(json.loads(out.stdout))


def rendering(node: Any) -> Any:
    """What a reader sees: node types, text with its marks, emoji, cards, breaks; ids and layout attributes go,
    adjacent text runs with the same marks merge."""
    if isinstance(node, list):
        out: list[Any] = []
        for kid in map(rendering, node):
            if out and kid[0] == "text" and out[-1][0] == "text" and out[-1][2] == kid[2]:
                out[-1] = ("text", out[-1][1] + kid[1], kid[2])
            elif kid != ("text", "", ()):
                out.append(kid)
        return out
    kind, attrs = node["type"], node.get("attrs") or {}
    if kind == "text":
        marks = tuple(sorted(json.dumps(m, sort_keys=True) for m in node.get("marks", [])))
        return ("text", node["text"], marks)
    keep = {"emoji": ("shortName",), "inlineCard": ("url",), "heading": ("level",), "panel": ("panelType",)}
    kept = tuple(attrs.get(k) for k in keep.get(kind, ()))
    if kind == "codeBlock":
        kept = (attrs.get("language") or None,)
    return (kind, kept, rendering(node.get("content", [])))


def ours(wiki: str) -> Any:
    return rendering(markdown_to_adf(wiki_to_markdown(wiki))["content"])


def test_snippets_render_as_atlassian_renders_them() -> None:
    theirs = atlassian(SNIPPETS)
    differ = [w for w, t in zip(SNIPPETS, theirs, strict=True) if rendering(t["content"]) != ours(w)]
    assert not differ, differ


def test_native_documents_render_as_atlassian_renders_them() -> None:
    texts = [d.read_text() for d in DOCS]
    theirs = atlassian(texts)
    same = [d.stem for d, w, t in zip(DOCS, texts, theirs, strict=True) if rendering(t["content"]) == ours(w)]
    # Known, reasoned differences, each listed document must really differ and the rest must match:
    # - code-title, panel-bgcolor: Atlassian turns code and panel titles into bold paragraphs; we keep them (in the
    #   fence info string and the alert line), and adf.py takes the whole info string as the language and shows the
    #   `{borderStyle=...}` parameters in the panel title (to be reconciled in adf.py);
    # - table-status: Atlassian makes header text bold; mention-attachment: it makes attachments media nodes
    #   (ids it cannot know) where we keep `attachment:` links;
    # - link-smart: without a site it leaves `[PROJ-12]` as text; text-linebreak: it starts a new paragraph after
    #   a list's last line break, where Jira's renderer shows a line break.
    expected_differences = {"code-title", "link-smart", "mention-attachment", "panel-bgcolor", "table-status"}
    expected_differences |= {"text-linebreak"}
    assert sorted(set(d.stem for d in DOCS) - set(same)) == sorted(expected_differences)
