"""What the fidelity test and report share: the corpus, feature detection, the three formats, node signatures.

A feature is something a document can contain (a heading, a task list, a status lozenge, ...), detected in the
canonical Markdown of adapter/content/CONVENTIONS.md with markdown-it-py's token stream (so code blocks and inline
code do not count). Round trip Markdown -> format -> Markdown must give the same text, except where a format
cannot hold a feature at all (LIMITS): then the text must be stable after one round trip, and nothing else in the
document may change.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin

from adapter.content.adf import adf_to_markdown, markdown_to_adf
from adapter.content.storage import markdown_to_storage, storage_to_markdown
from adapter.content.wiki import markdown_to_wiki, wiki_to_markdown

CORPUS = Path(__file__).parent / "corpus"
REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
SITE = "https://example.atlassian.net"  # ADF issue links are URLs: the site decides which become `jira:` links


@dataclass(frozen=True)
class Format:
    name: str
    write: Callable[[str], Any]  # Markdown -> format
    read: Callable[[Any], str]  # format -> Markdown


FORMATS = {
    "adf": Format(
        "adf", lambda md: markdown_to_adf(md, site_url=SITE), lambda doc: adf_to_markdown(doc, site_url=SITE)
    ),
    "storage": Format("storage", markdown_to_storage, storage_to_markdown),
    "wiki": Format("wiki", markdown_to_wiki, wiki_to_markdown),
}

# (format, feature) -> why that format cannot hold it. What is lost is named; everything else must survive.
LIMITS: dict[tuple[str, str], str] = {
    ("adf", "toc"): "Jira's ADF has no table-of-contents node (Confluence's is an extension with no Jira renderer)",
    ("adf", "panel-title"): "ADF panels have no title: the title becomes the panel's first, bold line",
    ("adf", "table-in-quote"): "ADF panels and quotes cannot contain tables (schema): the cells become paragraphs",
    (
        "storage",
        "panel-success-error",
    ): "storage has info/note/warning/tip macros only: success -> tip, error -> warning",
    ("wiki", "mention"): "wiki mentions are [~id] with no display name: the name is lost, the id kept",
    ("wiki", "date"): "Jira wiki markup has no date node: the date stays as text",
    ("wiki", "media"): "wiki markup has no media-id reference: the file name is kept as an attachment image",
}

_MD = MarkdownIt("commonmark").enable("table").enable("strikethrough").use(tasklists_plugin)
_LINK_FEATURES = {"status:": "status", "mention:": "mention", "date:": "date", "jira:": "jira-issue"}
_ALERT = re.compile(r"^\[!(INFO|NOTE|WARNING|TIP|SUCCESS|ERROR|PANEL)\]")


def corpus() -> dict[str, str]:
    return {path.stem: path.read_text() for path in sorted(CORPUS.glob("*.md"))}


def features(markdown: str) -> set[str]:
    """The features a canonical Markdown document uses."""
    found: set[str] = set()
    quotes = alerts = depth = 0
    for token in _walk(_MD.parse(markdown)):
        kind = token.type
        depth += {"blockquote_open": 1, "blockquote_close": -1}.get(kind, 0)
        if kind == "heading_open":
            found.add("heading")
        elif kind in ("strong_open", "em_open", "s_open", "code_inline"):
            found.add("marks")
        elif kind == "bullet_list_open":
            found.add("tasks" if "contains-task-list" in str(token.attrs.get("class", "")) else "bullets")
        elif kind == "ordered_list_open":
            found.add("ordered")
        elif kind == "table_open":
            found.add("table-in-quote" if depth else "table")
        elif kind == "fence":
            found.add("code")
        elif kind == "hr":
            found.add("rule")
        elif kind == "html_block" and "<details>" in token.content:
            found.add("expand")
        elif kind == "blockquote_open":
            quotes += 1
        elif kind == "image":
            src = str(token.attrs.get("src", ""))
            found.add("media" if src.startswith("media:") else "image")
        elif kind == "link_open":
            href = str(token.attrs.get("href", ""))
            found.add(next((f for prefix, f in _LINK_FEATURES.items() if href.startswith(prefix)), "link"))
        elif kind == "text" and re.search(r":[a-z0-9_+-]+:", token.content):
            found.add("emoji")
        elif kind == "inline" and token.content == "[TOC]":
            found.add("toc")
        if kind == "inline":
            alert = _ALERT.match(token.content)
            if alert:
                alerts += 1
                kinds = {"PANEL": "panel-title", "SUCCESS": "panel-success-error", "ERROR": "panel-success-error"}
                found.add(kinds.get(alert[1], "panel"))
    if quotes > alerts:
        found.add("quote")
    if re.search(r"^\s*(?:[-*]|\d+\.) .*\n\s{2,}(?:[-*]|\d+\.) ", markdown, re.MULTILINE):
        found.add("nested-list")
    return found


def _walk(tokens: list[Any]) -> Iterator[Any]:
    for token in tokens:
        yield token
        yield from _walk(token.children or [])


# --- native documents: what a format -> Markdown -> format round trip must keep ------------------------------


def adf_signature(node: Any) -> Counter[str]:
    """Node types, marks, and the attributes that carry meaning (panel type, status, mention id, language, ...)."""
    counts: Counter[str] = Counter()
    keep = ("panelType", "language", "level", "text", "id", "color", "timestamp", "shortName", "url", "state", "order")
    if isinstance(node, dict):
        if "type" in node:
            attrs = node.get("attrs") or {}
            defaults = {"order": 1}  # an ordered list starting at 1 says so or not: the same list
            detail = ",".join(f"{k}={attrs[k]}" for k in keep if attrs.get(k) not in (None, "", defaults.get(k)))
            counts[f"{node['type']}({detail})" if node["type"] not in ("text", "doc") else node["type"]] += 1
            for mark in node.get("marks") or []:
                counts[f"mark:{mark.get('type')}"] += 1
        for value in node.values():
            if isinstance(value, dict | list):
                counts += adf_signature(value)
    elif isinstance(node, list):
        for value in node:
            counts += adf_signature(value)
    return counts


_STORAGE_WRAP = (
    '<root xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier">{}</root>'
)


def storage_signature(xhtml: str) -> Counter[str]:
    """Elements, and each macro by name with its parameters: what a page must keep."""
    parser = etree.XMLParser(recover=True, resolve_entities=False)
    root = etree.fromstring(_STORAGE_WRAP.format(xhtml).encode(), parser)
    counts: Counter[str] = Counter()
    for element in root.iter():
        if not isinstance(element.tag, str) or element is root:
            continue
        tag = etree.QName(element).localname
        if tag == "structured-macro":
            name = element.get("{http://atlassian.com/content}name")
            params = sorted(
                f"{p.get('{http://atlassian.com/content}name')}={(p.text or '').strip()}"
                for p in element
                if isinstance(p.tag, str) and etree.QName(p).localname == "parameter"
            )
            counts[f"macro:{name}({','.join(params)})"] += 1
        else:
            counts[tag] += 1
    return counts


_WIKI_MACRO = re.compile(r"\{(code|noformat|panel|info|note|warning|tip|quote|color|status|expand)[:}]")


def wiki_signature(text: str) -> Counter[str]:
    """Macros, headings, list and table markers, links, mentions and images of wiki markup."""
    # {info}/{note}/{warning}/{tip} are Confluence macros Jira does not render: written back as the {panel} they mean
    counts: Counter[str] = Counter(
        "macro:" + ("panel" if m in ("info", "note", "warning", "tip") else m) for m in _WIKI_MACRO.findall(text)
    )
    counts.update(f"h{m}" for m in re.findall(r"^h([1-6])\. ", text, re.MULTILINE))
    counts.update("list" for _ in re.findall(r"^[*#-]+ ", text, re.MULTILINE))
    counts.update("table-row" for _ in re.findall(r"^\|", text, re.MULTILINE))
    counts.update("mention" for _ in re.findall(r"\[~[^\]]+\]", text))
    counts.update("image" for _ in re.findall(r"![^!\s][^!\n]*!", text))
    return counts


def realdata_bodies() -> dict[str, list[tuple[str, Any]]]:
    """Rich bodies of ../shared/realdata by format: ADF documents, storage XHTML, Jira Server wiki markup."""
    found: dict[str, list[tuple[str, Any]]] = {"adf": [], "storage": [], "wiki": []}
    for path in sorted(REALDATA.rglob("*.json")):
        try:
            data = json.loads(path.read_text())
        except ValueError:
            continue  # a few recordings are empty on purpose
        where = str(path.relative_to(REALDATA))
        server = "jira-server" in where or "jira-go-jira" in where
        for key, value in _items(data):
            if isinstance(value, dict) and value.get("type") == "doc" and isinstance(value.get("content"), list):
                found["adf"].append((where, value))
            elif key == "storage" and isinstance(value, dict) and isinstance(value.get("value"), str):
                found["storage"].append((where, value["value"]))
            elif server and key in ("description", "body", "environment") and isinstance(value, str) and value:
                found["wiki"].append((where, value))
    return found


def _items(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _items(value)
    elif isinstance(node, list):
        for value in node:
            yield from _items(value)


def sandbox_bodies() -> dict[str, list[tuple[str, Any]]]:
    """The sandbox's seeded rich text, written the way each flavour's API serves it."""
    from adapter.sandbox import seed

    found: dict[str, list[tuple[str, Any]]] = {"adf": [], "storage": [], "wiki": []}
    for flavor in ("cloud", "datacenter"):
        data = seed.build(flavor, seed.BASE_NOW)
        if flavor == "cloud":
            found["storage"] += [(f"page {page.id}", page.body) for page in data.pages]
        for issue in data.issues:
            texts = [("description", issue.description), *[(f"comment {c.id}", c.body) for c in issue.comments]]
            for what, rich in texts:
                if rich:
                    found["adf" if isinstance(rich, dict) else "wiki"].append((f"{flavor} {issue.key} {what}", rich))
    return found
