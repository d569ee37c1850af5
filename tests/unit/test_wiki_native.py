"""Wiki documents as Jira writes them (tests/fidelity/native/wiki): read, clean and write-back checks of the shared
native-fidelity convention, until the shared loader (tests/fidelity/native.py) runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapter.content.wiki import markdown_to_wiki, wiki_to_markdown

DOCS = sorted((Path(__file__).resolve().parents[1] / "fidelity" / "native" / "wiki").glob("*.wiki"))
RAW = ("```jira-wiki", "`jira-wiki:", "```adf", "```confluence", "<ac:", "<ri:")


def test_there_are_documents() -> None:
    assert len(DOCS) >= 8


@pytest.mark.parametrize("doc", DOCS, ids=[d.stem for d in DOCS])
def test_native_wiki_document(doc: Path) -> None:
    expected = doc.with_suffix(".md").read_text().removesuffix("\n")
    md = wiki_to_markdown(doc.read_text())
    assert md == expected  # read
    assert not any(raw in md and raw not in expected for raw in RAW)  # clean
    assert wiki_to_markdown(markdown_to_wiki(md)) == expected  # write-back
