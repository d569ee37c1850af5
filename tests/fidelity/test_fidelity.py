"""Rich text round trips on the corpus (tests/fidelity/corpus, 72 documents), real bodies and the sandbox's seed.

* Markdown -> ADF / storage / wiki -> Markdown gives the same text; where the format cannot hold a feature
  (fidelity.LIMITS, each with its reason) the result must at least be stable on a second round trip.
* ADF / storage / wiki -> Markdown -> the same format keeps every node, mark and macro (with its meaning-carrying
  attributes): the signature of the document is unchanged. That covers ../shared/realdata and the seed data.
"""

from __future__ import annotations

from collections import Counter

import pytest

from . import native
from .fidelity import (
    FORMATS,
    LIMITS,
    adf_signature,
    corpus,
    features,
    realdata_bodies,
    sandbox_bodies,
    storage_signature,
    wiki_signature,
)

CORPUS = corpus()
SIGNATURES = {"adf": adf_signature, "storage": storage_signature, "wiki": wiki_signature}


def test_corpus_has_at_least_60_documents_covering_every_feature() -> None:
    assert len(CORPUS) >= 60
    covered = Counter(f for text in CORPUS.values() for f in features(text))
    wanted = {"heading", "marks", "link", "bullets", "ordered", "nested-list", "tasks", "table", "code", "panel",
              "panel-title", "status", "mention", "date", "emoji", "expand", "image", "media", "jira-issue", "toc",
              "quote", "rule", "panel-success-error", "table-in-quote"}  # fmt: skip
    assert wanted <= set(covered), sorted(wanted - set(covered))
    assert all(covered[f] >= 2 for f in wanted), covered


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_markdown_round_trips(name: str, fmt: str) -> None:
    markdown = CORPUS[name]
    convert = FORMATS[fmt]
    once = convert.read(convert.write(markdown))
    limited = [f for f in features(markdown) if (fmt, f) in LIMITS]
    if not limited:
        assert once.strip() == markdown.strip()
    else:  # the format cannot hold these; what it keeps must be stable
        assert convert.read(convert.write(once)).strip() == once.strip(), limited


@pytest.mark.parametrize(("fmt", "feature"), sorted(LIMITS))
def test_each_limit_is_real(fmt: str, feature: str) -> None:
    """A limit is listed only while some corpus document really changes because of it."""
    convert = FORMATS[fmt]
    changed = [
        name
        for name, markdown in CORPUS.items()
        if feature in features(markdown) and convert.read(convert.write(markdown)).strip() != markdown.strip()
    ]
    assert changed, f"{fmt} now holds {feature}: remove it from LIMITS"


def native_cases() -> list[object]:
    cases = []
    for source, bodies in (("realdata", realdata_bodies()), ("sandbox", sandbox_bodies())):
        for fmt, items in bodies.items():
            for index, (where, body) in enumerate(items):
                cases.append(pytest.param(fmt, body, id=f"{source}-{fmt}-{index}-{where}"))
    return cases


@pytest.mark.parametrize(("fmt", "body"), native_cases())
def test_native_documents_keep_every_node(fmt: str, body: object) -> None:
    convert = FORMATS[fmt]
    again = convert.write(convert.read(body))
    assert SIGNATURES[fmt](again) == SIGNATURES[fmt](body)  # type: ignore[operator]


# --- real-shaped native documents (tests/fidelity/native, see native.py): read, clean, write-back ---------------

NATIVE_DOCS = native.documents()


def test_native_documents_exist_for_every_format() -> None:
    have = {d.fmt for d in NATIVE_DOCS}
    assert "adf" in have, have
    assert all(d.expected is not None for d in NATIVE_DOCS), [d.id for d in NATIVE_DOCS if d.expected is None]


@pytest.mark.parametrize("doc", NATIVE_DOCS, ids=[d.id for d in NATIVE_DOCS])
def test_native_document_reads_cleanly_and_survives_a_write_back(doc: native.Native) -> None:
    result = native.check(doc)
    assert result.read, f"read: got\n{result.markdown}\n--- expected\n{doc.expected}"
    assert result.clean, f"clean: raw fallback in\n{result.markdown}"
    assert result.write_back, f"write-back: got\n{result.again}\n--- lost {result.lost}"
