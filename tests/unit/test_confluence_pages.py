"""The section splice of confluence_update_page_section: one heading's section changes, every other byte stays."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapter.content.storage import _parse
from adapter.handlers import ToolError
from adapter.handlers.confluence_pages import replace_section
from adapter.sandbox.seed import build

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
MARK = "<p>@@NEW@@</p>"


def _split(original: str, result: str) -> tuple[str, str]:
    """(kept before, kept after): the result is before + MARK + after, both cut from the original unchanged."""
    before, after = result.split(MARK)
    assert original.startswith(before) and original.endswith(after)
    assert len(before) + len(after) <= len(original)
    return before, after


def _headings(xhtml: str) -> list[tuple[int, str]]:
    return [(int(m.group(1)), re.sub(r"<[^>]+>", "", m.group(2))) for m in re.finditer(r"<h([1-6])>(.*?)</h\1>", xhtml)]


def _seeded_bodies() -> Iterator[str]:
    for flavor in ("cloud", "datacenter"):
        for page in build(flavor).pages:  # type: ignore[arg-type]
            yield page.body


@pytest.mark.parametrize("body", sorted(set(_seeded_bodies())))
def test_every_section_of_every_seeded_page(body: str) -> None:
    for level, text in _headings(body):
        before, after = _split(body, replace_section(body, text, MARK))
        assert before.endswith(f"{text}</h{level}>")
        following = re.match(r"<h([1-6])>", after)
        assert after == "" or (following is not None and int(following.group(1)) <= level)


def test_the_section_ends_at_the_next_heading_of_the_same_or_higher_level() -> None:
    body = "<h1>A</h1><p>a</p><h2>B</h2><p>b&nbsp;&amp;</p><h3>C</h3><p>c</p><h2>D</h2><p>d</p>"
    assert replace_section(body, "B", "<p>x</p>") == "<h1>A</h1><p>a</p><h2>B</h2><p>x</p><h2>D</h2><p>d</p>"
    assert (
        replace_section(body, "c", "") == "<h1>A</h1><p>a</p><h2>B</h2><p>b&nbsp;&amp;</p><h3>C</h3><h2>D</h2><p>d</p>"
    )
    assert replace_section(body, "## A", "<p>x</p>") == "<h1>A</h1><p>x</p>"


def test_bytes_outside_the_section_are_never_reserialised() -> None:
    body = (
        "<p class=\"x\"  data-a='1 > 0'>&hellip; <br/>keep</p>\n<!-- a comment <h2>not a heading</h2> -->"
        '<h2> Steps  </h2><p>old</p><ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[<h2>in code</h2>'
        "]]></ac:plain-text-body></ac:structured-macro>\n<h2>Next</h2>"
        '<ac:layout><ac:layout-section ac:type="two_equal"><ac:layout-cell><h3>Cell</h3><p>c</p></ac:layout-cell>'
        "<ac:layout-cell><p>other</p></ac:layout-cell></ac:layout-section></ac:layout><ri:user ri:account-id='1' />"
    )
    result = replace_section(body, "steps", MARK)
    before, after = _split(body, result)
    assert before == body[: body.index("<h2> Steps  </h2>") + len("<h2> Steps  </h2>")]
    assert after == body[body.index("<h2>Next</h2>") :]
    inside = replace_section(body, "Cell", MARK)
    _, after = _split(body, inside)
    assert after.startswith("</ac:layout-cell><ac:layout-cell><p>other</p>")  # the section ends with its cell


def test_unknown_heading_lists_the_headings() -> None:
    with pytest.raises(ToolError, match=r"heading_text: no heading 'Nope' on the page \(headings: A; B\)"):
        replace_section("<h1>A</h1><h2>B</h2>", "Nope", "")


def test_malformed_storage_is_refused_not_mangled() -> None:
    with pytest.raises(ToolError, match="not well-formed"):
        replace_section("<h1>A</h1><p>open", "A", "")


def _storage_values(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("storage", "editor") and isinstance(value, dict) and isinstance(value.get("value"), str):
                yield value["value"]
            else:
                yield from _storage_values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _storage_values(value)


def test_realdata_storage_bodies_around_a_section_stay_byte_identical() -> None:
    files = sorted((REALDATA / "confluence-cloud-go-atlassian").glob("*.json"))
    if not files:
        pytest.fail(f"{REALDATA} is missing: restore ../shared/realdata next to the checkout")
    bodies = set()
    for path in files:
        try:
            bodies |= set(_storage_values(json.loads(path.read_text())))
        except ValueError:
            continue
    assert bodies
    for real in bodies:
        real = real if _parse(real) is not None else html.escape(real)  # placeholders like "<string>"
        page = real + "<h2>Edit me</h2><p>old</p>" + real + "<h2>After</h2>" + real
        before, after = _split(page, replace_section(page, "Edit me", MARK))
        assert before == real + "<h2>Edit me</h2>" and after == "<h2>After</h2>" + real


def test_table_layout_never_doubles_an_attribute() -> None:
    from adapter.handlers import _storage

    gfm = _storage({"content": "| a |\n|---|\n| b |", "table_layout": "wide"})
    assert gfm.count('data-layout="wide"') == 1
    html = '<table data-layout="full-width">\n<tr>\n<td>x</td>\n<td>y</td>\n</tr>\n</table>'
    kept = _storage({"content": f"{html}\n\n| a |\n|---|\n| b |", "table_layout": "wide"})
    assert 'data-layout="full-width"' in kept and 'data-layout="full-width" data-layout' not in kept
    assert kept.count("data-layout=") == 2
