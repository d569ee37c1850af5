"""Real-shaped native documents (tests/fidelity/native/<format>/<feature>-<name>.<ext>) and the three checks on each.

A document is what Atlassian's own editors write: ``adf/*.json`` (an ADF document of Jira or Confluence Cloud),
``storage/*.xml`` (a Confluence storage body), ``wiki/*.wiki`` (Jira wiki markup as Jira writes it). Beside each,
``<same stem>.md`` is the exact Markdown our reader must give (what the model reads). The feature is the part of
the name before the first ``-``. Every file present is picked up; nothing is registered by hand.

Checks (asserted in test_fidelity.py, counted per format and feature by report.py):

* read: native -> Markdown equals the ``.md``;
* clean: that Markdown holds no raw fallback (```` ```adf ````, ```` ```confluence ````, ```` ```jira-wiki ````,
  ``<ac:``, ``<ri:``) that the ``.md`` does not itself expect;
* write-back: native -> Markdown -> native -> Markdown equals the ``.md`` again, and nothing of the original is
  lost: for ADF every node type with the attributes that carry meaning (:func:`adf_meaning`), for storage every
  ``ac:``/``ri:`` element and macro name (:func:`storage_meaning`, page layouts and unknown macros included), for
  wiki its macros, headings, lists, table rows, mentions and images (``fidelity.wiki_signature``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from .fidelity import FORMATS, wiki_signature

NATIVE = Path(__file__).parent / "native"
EXTENSIONS = {"adf": ".json", "storage": ".xml", "wiki": ".wiki"}
RAW = ("```adf", "`adf:", "```confluence", "```jira-wiki", "<ac:", "<ri:")

# ADF attributes that are layout or identity, not meaning (adapter/content/adf.py documents each normalisation)
NOT_MEANING = {
    "*": {"localId"},
    "hardBreak": {"text"},
    "emoji": {"id", "text"},
    "mention": {"accessLevel", "userType"},
    "table": {"layout", "width", "displayMode"},
    "tableCell": {"colwidth"},
    "tableHeader": {"colwidth"},
    "media": {"width", "height"},
}
# attribute values that say what their absence says
DEFAULTS = {
    ("orderedList", "order"): 1,
    ("table", "isNumberColumnEnabled"): False,
    ("mediaSingle", "widthType"): "percentage",
}
DEFAULTS |= {(cell, span): 1 for cell in ("tableCell", "tableHeader") for span in ("colspan", "rowspan")}


@dataclass(frozen=True)
class Native:
    fmt: str
    name: str  # the file stem
    source: Any  # the parsed ADF document, or the storage / wiki text
    expected: str | None  # the .md beside it (None if missing)

    @property
    def feature(self) -> str:
        return self.name.split("-", 1)[0]

    @property
    def id(self) -> str:
        return f"{self.fmt}/{self.name}"


@dataclass(frozen=True)
class Result:
    read: bool
    clean: bool
    write_back: bool
    markdown: str  # what the reader gave
    again: str  # the Markdown after a write-back
    lost: list[str]  # what the write-back lost of the original

    @property
    def ok(self) -> bool:
        return self.read and self.clean and self.write_back


def documents(root: Path = NATIVE) -> list[Native]:
    """Every native document present, in name order, for every format."""
    out = []
    for fmt, ext in EXTENSIONS.items():
        for path in sorted((root / fmt).glob(f"*{ext}")):
            text = path.read_text()
            md = path.with_suffix(".md")
            source = json.loads(text) if fmt == "adf" else text
            out.append(Native(fmt, path.stem, source, md.read_text() if md.exists() else None))
    return out


def check(doc: Native) -> Result:
    convert = FORMATS[doc.fmt]
    expected = (doc.expected or "").rstrip("\n")
    markdown = convert.read(doc.source).rstrip("\n")
    written = convert.write(markdown)
    again = convert.read(written).rstrip("\n")
    clean = not [raw for raw in RAW if raw in markdown and raw not in expected]
    lost = MEANING[doc.fmt](doc.source) - MEANING[doc.fmt](written)
    return Result(
        read=doc.expected is not None and markdown == expected,
        clean=clean,
        write_back=doc.expected is not None and again == expected and not lost,
        markdown=markdown,
        again=again,
        lost=sorted(lost.elements()),
    )


def adf_meaning(node: Any) -> Counter[str]:
    """Each node type with its meaning-carrying attributes, and each mark with its attributes."""
    counts: Counter[str] = Counter()
    if isinstance(node, list):
        for value in node:
            counts += adf_meaning(value)
    elif isinstance(node, dict) and isinstance(node.get("type"), str):
        kind = node["type"]
        skip = NOT_MEANING["*"] | NOT_MEANING.get(kind, set())
        attrs = {k: v for k, v in (node.get("attrs") or {}).items() if k not in skip and v not in (None, "")}
        attrs = {k: v for k, v in attrs.items() if DEFAULTS.get((kind, k), ()) != v}
        if kind == "mention" and attrs.get("text") == f"@{attrs.get('id')}":
            del attrs["text"]  # Jira's display cache of a name it does not know: the same mention
        counts[f"{kind}{json.dumps(attrs, sort_keys=True)}" if attrs else kind] += 1
        for mark in node.get("marks") or []:
            if isinstance(mark, dict):
                counts[f"mark:{mark.get('type')}{json.dumps(mark.get('attrs') or {}, sort_keys=True)}"] += 1
        counts += adf_meaning(node.get("content"))
    return counts


_AC, _RI = "http://atlassian.com/content", "http://atlassian.com/resource/identifier"
_WRAP = f'<root xmlns:ac="{_AC}" xmlns:ri="{_RI}">{{}}</root>'
_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)([A-Za-z][A-Za-z0-9]*);")


_EMOJI_CHAR = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


def storage_meaning(xhtml: str) -> Counter[str]:
    """Every ac:/ri: element (by qualified name) and every macro by name; HTML entities such as &nbsp; allowed."""
    text = _ENTITY.sub(lambda m: f"&amp;{m.group(1)};", xhtml)  # HTML named entities are not XML's
    parser = etree.XMLParser(recover=True, resolve_entities=False, huge_tree=True)
    root = etree.fromstring(_WRAP.format(text).encode(), parser)
    counts: Counter[str] = Counter()
    if root is None:
        return counts
    prefixes = {_AC: "ac", _RI: "ri"}
    for element in root.iter():
        if not isinstance(element.tag, str) or element is root:
            continue
        qname = etree.QName(element)
        for piece in (element.text, element.tail):  # an emoji as text is content, however it is stored
            counts.update(f"emoji:{char}" for char in _EMOJI_CHAR.findall(piece or ""))
        fallback = element.get(f"{{{_AC}}}emoji-fallback") or ""
        if (
            qname.localname == "emoticon"
            and not element.get(f"{{{_AC}}}emoji-shortname")
            and _EMOJI_CHAR.fullmatch(fallback)
        ):
            counts[f"emoji:{fallback}"] += 1  # Cloud's emoji with no shortname: read as its character, kept as text
            continue
        if qname.namespace in prefixes:
            counts[f"{prefixes[qname.namespace]}:{qname.localname}"] += 1
            if qname.localname in ("structured-macro", "macro"):
                counts[f"macro:{element.get(f'{{{_AC}}}name')}"] += 1
    return counts


MEANING: dict[str, Callable[[Any], Counter[str]]] = {
    "adf": adf_meaning,
    "storage": storage_meaning,
    "wiki": wiki_signature,
}
