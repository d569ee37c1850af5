"""Issue 12, storage side: one test class per class of construct Confluence's editors really write.

Each case is (storage as the editor writes it, the Markdown the model must read). The write-back check is the
canonical XML of tests/unit/test_content_storage.py (ids, attribute order and whitespace do not count), so
every parameter, attribute and element the Markdown claims to carry must come back.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from adapter.content.storage import markdown_to_storage, storage_to_markdown
from tests.unit.test_content_storage import canon

NATIVE = Path(__file__).resolve().parents[1] / "fidelity" / "native" / "storage"
RAW = ("```confluence", "<ac:", "<ri:", "`confluence:")
M = 'ac:schema-version="1" ac:macro-id="5a1b2c3d-0000-4e5f-8a9b-0c1d2e3f4a5b"'


def _check(storage: str, md: str, exact: bool = True) -> None:
    got = storage_to_markdown(storage)
    assert got == md
    assert not any(r in got for r in RAW)
    back = markdown_to_storage(got)
    if exact:
        assert canon(back) == canon(storage)
    assert storage_to_markdown(back) == md


class TestEmoticons:
    LEGACY = {
        "tick": "white_check_mark",
        "cross": "x",
        "warning": "warning",
        "information": "information_source",
        "question": "question",
        "smile": "slightly_smiling_face",
        "sad": "slightly_frowning_face",
        "cheeky": "stuck_out_tongue",
        "laugh": "grinning",
        "wink": "wink",
        "thumbs-up": "thumbsup",
        "thumbs-down": "thumbsdown",
        "light-on": "bulb",
        "light-off": "light_bulb_off",
        "yellow-star": "star",
        "red-star": "red_star",
        "green-star": "green_star",
        "blue-star": "blue_star",
        "plus": "heavy_plus_sign",
        "minus": "heavy_minus_sign",
        "heart": "heart",
        "broken-heart": "broken_heart",
    }

    @pytest.mark.parametrize("name", LEGACY)
    def test_legacy_emoticon(self, name: str) -> None:
        _check(f'<p>a <ac:emoticon ac:name="{name}"/> b</p>', f"a :{self.LEGACY[name]}: b")

    def test_new_editor_atlassian_emoji_become_standard(self) -> None:
        storage = (
            '<p><ac:emoticon ac:name="tick" ac:emoji-shortname=":check_mark:" ac:emoji-id="atlassian-check_mark" '
            'ac:emoji-fallback=":check_mark:"/> <ac:emoticon ac:name="cross" ac:emoji-shortname=":cross_mark:" '
            'ac:emoji-id="atlassian-cross_mark" ac:emoji-fallback=":cross_mark:"/></p>'
        )
        assert storage_to_markdown(storage) == ":white_check_mark: :x:"
        assert markdown_to_storage(":white_check_mark: :x:") == (
            '<p><ac:emoticon ac:name="tick"/> <ac:emoticon ac:name="cross"/></p>'
        )

    def test_new_editor_unicode_emoji(self) -> None:
        storage = (
            '<p><ac:emoticon ac:name="blue-star" ac:emoji-shortname=":rocket:" ac:emoji-id="1f680" '
            'ac:emoji-fallback="\U0001f680"/> <ac:emoticon ac:name="blue-star" ac:emoji-id="1f389" '
            'ac:emoji-fallback="\U0001f389"/></p>'
        )
        assert storage_to_markdown(storage) == ":rocket: \U0001f389"

    def test_no_invented_shortcode(self) -> None:
        md = storage_to_markdown('<p><ac:emoticon ac:name="unicorn-dance"/></p>')
        assert ":unicorn-dance:" not in md
        assert markdown_to_storage(md) == '<p><ac:emoticon ac:name="unicorn-dance"/></p>'


class TestInlineRoundtrip:
    @pytest.mark.parametrize(
        "md",
        [
            "***bold italic*** and more",
            "mail <mail@example.com> and <https://x.io>",
            "| a | b | c |\n| :--- | :---: | ---: |\n| 1 | 2 | 3 |",
            "| a | b |\n| --- | ---: |\n| 1 | 2 |",
            'a <span style="color: #ff5630">red **bold**</span> b',
        ],
    )
    def test_markdown_roundtrip(self, md: str) -> None:
        assert storage_to_markdown(markdown_to_storage(md)) == md

    def test_bold_italic_from_storage(self) -> None:
        _check("<p><em><strong>both</strong></em></p>", "***both***")

    def test_mailto_autolink_from_storage(self) -> None:
        _check('<p><a href="mailto:ops@example.com">ops@example.com</a></p>', "<ops@example.com>")

    def test_alignment_is_written_as_confluence_does(self) -> None:
        out = markdown_to_storage("| a |\n| :---: |\n| 1 |")
        assert '<th style="text-align: center;">' in out and '<td style="text-align: center;">' in out

    def test_cloud_paragraph_alignment_in_cells(self) -> None:
        storage = (
            '<table data-layout="default"><tbody><tr><th><p>a</p></th><th><p style="text-align: right;">b</p></th>'
            '</tr><tr><td><p>1</p></td><td><p style="text-align: right;">2</p></td></tr></tbody></table>'
        )
        assert storage_to_markdown(storage) == "| a | b |\n| --- | ---: |\n| 1 | 2 |"

    def test_colour(self) -> None:
        storage = (
            '<p><span style="color: rgb(255,86,48);">red</span> <span style="color: #0052CC">blue</span> '
            '<span style="color: green">green</span></p>'
        )
        md = (
            '<span style="color: #ff5630">red</span> <span style="color: #0052cc">blue</span> '
            '<span style="color: #008000">green</span>'
        )
        assert storage_to_markdown(storage) == md
        back = markdown_to_storage(md)
        assert "&lt;span" not in back and storage_to_markdown(back) == md


class TestMacros:
    def test_info_panel_without_icon_and_title(self) -> None:
        _check(
            f'<ac:structured-macro ac:name="info" {M}><ac:parameter ac:name="icon">false</ac:parameter>'
            '<ac:parameter ac:name="title">Heads up</ac:parameter><ac:rich-text-body><p>Read this.</p>'
            "</ac:rich-text-body></ac:structured-macro>",
            "> [!INFO icon=false] Heads up\n> Read this.",
        )

    def test_panel_with_colours(self) -> None:
        _check(
            f'<ac:structured-macro ac:name="panel" {M}><ac:parameter ac:name="bgColor">#deebff</ac:parameter>'
            '<ac:parameter ac:name="borderColor">#0052cc</ac:parameter><ac:parameter ac:name="borderStyle">dashed'
            '</ac:parameter><ac:parameter ac:name="borderWidth">2</ac:parameter><ac:parameter ac:name="titleBGColor">'
            '#0052cc</ac:parameter><ac:parameter ac:name="titleColor">#ffffff</ac:parameter><ac:parameter '
            'ac:name="title">Release 2.4</ac:parameter><ac:rich-text-body><ul><li>one</li></ul></ac:rich-text-body>'
            "</ac:structured-macro>",
            "> [!PANEL bgColor=#deebff borderColor=#0052cc borderStyle=dashed borderWidth=2 titleBGColor=#0052cc "
            "titleColor=#ffffff] Release 2.4\n>\n> - one",
        )

    def test_cloud_custom_panel(self) -> None:
        _check(
            f'<ac:structured-macro ac:name="panel" {M}><ac:parameter ac:name="panelIcon">:rocket:</ac:parameter>'
            '<ac:parameter ac:name="panelIconId">1f680</ac:parameter><ac:parameter ac:name="panelIconText">'
            '\U0001f680</ac:parameter><ac:parameter ac:name="bgColor">#E3FCEF</ac:parameter><ac:rich-text-body>'
            "<p>Shipped</p></ac:rich-text-body></ac:structured-macro>",
            "> [!PANEL panelIcon=:rocket: panelIconId=1f680 panelIconText=\U0001f680 bgColor=#E3FCEF]\n> Shipped",
        )

    def test_param_values_with_spaces_are_quoted(self) -> None:
        _check(
            '<ac:structured-macro ac:name="note"><ac:parameter ac:name="title">Mind</ac:parameter>'
            '<ac:parameter ac:name="label">two words</ac:parameter><ac:rich-text-body><p>x</p></ac:rich-text-body>'
            "</ac:structured-macro>",
            '> [!NOTE label="two words"] Mind\n> x',
        )

    def test_jira_jql(self) -> None:
        _check(
            f'<ac:structured-macro ac:name="jira" {M}><ac:parameter ac:name="server">System Jira</ac:parameter>'
            '<ac:parameter ac:name="columnIds">issuekey,summary,status</ac:parameter><ac:parameter ac:name="columns">'
            'key,summary,status</ac:parameter><ac:parameter ac:name="maximumIssues">20</ac:parameter>'
            '<ac:parameter ac:name="jqlQuery">project = DEMO AND status != Done ORDER BY created DESC</ac:parameter>'
            '<ac:parameter ac:name="serverId">a1b2-c3</ac:parameter></ac:structured-macro>',
            "[project = DEMO AND status != Done ORDER BY created DESC](<jql:project = DEMO AND status != Done ORDER "
            'BY created DESC> "server=System Jira; columnIds=issuekey,summary,status; columns=key,summary,status; '
            'maximumIssues=20; serverId=a1b2-c3")',
        )

    def test_jira_jql_written_as_a_block_macro(self) -> None:
        out = markdown_to_storage("[x](jql:project=A)")
        assert out == (
            '<ac:structured-macro ac:name="jira"><ac:parameter ac:name="jqlQuery">project=A</ac:parameter>'
            "</ac:structured-macro>"
        )

    def test_toc_with_parameters(self) -> None:
        _check(
            f'<ac:structured-macro ac:name="toc" {M} data-layout="default"><ac:parameter ac:name="minLevel">1'
            '</ac:parameter><ac:parameter ac:name="maxLevel">3</ac:parameter><ac:parameter ac:name="outline">false'
            '</ac:parameter><ac:parameter ac:name="style">none</ac:parameter><ac:parameter ac:name="type">list'
            "</ac:parameter></ac:structured-macro><h1>A</h1>",
            "[TOC minLevel=1 maxLevel=3 outline=false style=none type=list]\n\n# A",
        )

    def test_excerpt(self) -> None:
        _check(
            f'<ac:structured-macro ac:name="excerpt" {M}><ac:parameter ac:name="hidden">true</ac:parameter>'
            '<ac:parameter ac:name="atlassian-macro-output-type">BLOCK</ac:parameter><ac:rich-text-body>'
            "<p>The <strong>summary</strong>.</p></ac:rich-text-body></ac:structured-macro>",
            "> [!EXCERPT hidden=true atlassian-macro-output-type=BLOCK]\n> The **summary**.",
        )

    def test_excerpt_include(self) -> None:
        _check(
            f'<ac:structured-macro ac:name="excerpt-include" {M}><ac:parameter ac:name="nopanel">true'
            '</ac:parameter><ac:parameter ac:name=""><ac:link><ri:page ri:space-key="DOC" '
            'ri:content-title="Release notes"/></ac:link></ac:parameter></ac:structured-macro>',
            '[Release notes](<excerpt-include:DOC/Release notes> "nopanel=true")',
        )

    def test_anchor_in_heading_and_links_to_it(self) -> None:
        _check(
            f'<h2><ac:structured-macro ac:name="anchor" {M}><ac:parameter ac:name="">setup</ac:parameter>'
            '</ac:structured-macro>Setup</h2><p><ac:link ac:anchor="setup"><ac:plain-text-link-body><![CDATA[Go to '
            'setup]]></ac:plain-text-link-body></ac:link> or <ac:link ac:anchor="faq"><ri:page ri:space-key="DOC" '
            'ri:content-title="Help"/><ac:plain-text-link-body><![CDATA[the FAQ]]></ac:plain-text-link-body>'
            "</ac:link></p>",
            '## <a id="setup"></a>Setup\n\n[Go to setup](#setup) or [the FAQ](page:DOC/Help#faq)',
        )


class TestLinksAndImages:
    def test_rich_link_body(self) -> None:
        _check(
            '<p><ac:link><ri:page ri:content-title="Home" ri:version-at-save="3"/><ac:link-body><strong>Home</strong>'
            ' page <ac:emoticon ac:name="smile"/></ac:link-body></ac:link></p>',
            "[**Home** page :slightly_smiling_face:](page:/Home)",
        )

    def test_linked_image(self) -> None:
        _check(
            '<p><ac:link><ri:page ri:content-title="Home"/><ac:link-body><ac:image ac:width="50"><ri:attachment '
            'ri:filename="logo.png"/></ac:image></ac:link-body></ac:link></p>',
            '[![logo.png](attachment:logo.png "width=50")](page:/Home)',
        )

    def test_image_with_caption_width_alignment(self) -> None:
        _check(
            '<ac:image ac:align="center" ac:layout="center" ac:original-height="600" ac:original-width="1200" '
            'ac:custom-width="true" ac:width="480"><ri:attachment ri:filename="diagram.png" ri:version-at-save="2"/>'
            "<ac:caption><p>System <strong>overview</strong></p></ac:caption></ac:image>",
            '![diagram.png](attachment:diagram.png "align=center; layout=center; original-height=600; '
            'original-width=1200; custom-width=true; width=480; caption=System **overview**")',
        )

    def test_image_of_another_page(self) -> None:
        _check(
            '<p><ac:image ac:height="120"><ri:attachment ri:filename="chart.png"><ri:page ri:space-key="OPS" '
            'ri:content-title="Metrics 2024"/></ri:attachment></ac:image> <ac:link><ri:attachment '
            'ri:filename="report.pdf"><ri:page ri:content-title="Reports"/></ri:attachment></ac:link></p>',
            '![chart.png](<attachment:OPS/Metrics 2024/chart.png> "height=120") '
            "[report.pdf](attachment:/Reports/report.pdf)",
        )

    def test_external_image_with_width(self) -> None:
        _check(
            '<p><ac:image ac:width="200" ac:alt="Logo"><ri:url ri:value="https://example.com/l.png"/></ac:image></p>',
            '![Logo](https://example.com/l.png "width=200")',
        )


class TestTables:
    def test_header_column(self) -> None:
        _check(
            '<table data-layout="default" ac:local-id="t1"><colgroup><col style="width: 200.0px;"/><col '
            'style="width: 400.0px;"/></colgroup><tbody><tr><th><p><strong>Owner</strong></p></th><td><p>Ops</p>'
            "</td></tr><tr><th><p>Status</p></th><td><p>Live</p></td></tr></tbody></table>",
            '<table data-layout="default" ac:local-id="t1">\n<colgroup>\n<col style="width: 200.0px;"/>\n'
            '<col style="width: 400.0px;"/>\n</colgroup>\n<tr>\n<th>**Owner**</th>\n<td>Ops</td>\n</tr>\n<tr>\n'
            "<th>Status</th>\n<td>Live</td>\n</tr>\n</table>",
        )

    def test_spans_and_cell_attributes(self) -> None:
        _check(
            '<table class="confluenceTable"><tbody><tr><th colspan="2" class="confluenceTh" '
            'data-highlight-colour="#deebff">Quarter</th></tr><tr><td rowspan="2" class="confluenceTd">Q1</td>'
            '<td class="confluenceTd">Jan</td></tr><tr><td class="confluenceTd">Feb</td></tr></tbody></table>',
            '<table class="confluenceTable">\n<tr>\n<th colspan="2" class="confluenceTh" '
            'data-highlight-colour="#deebff">Quarter</th>\n</tr>\n<tr>\n<td rowspan="2" class="confluenceTd">Q1</td>'
            '\n<td class="confluenceTd">Jan</td>\n</tr>\n<tr>\n<td class="confluenceTd">Feb</td>\n</tr>\n</table>',
        )

    def test_blocks_and_nested_table_in_cells(self) -> None:
        _check(
            "<table><thead><tr><th>Step</th><th>Details</th></tr></thead><tbody><tr><td>1</td><td><ul><li>a</li>"
            "<li>b</li></ul><table><tbody><tr><th>k</th><th>v</th></tr><tr><td>x</td><td>y</td></tr></tbody>"
            "</table></td></tr></tbody></table>",
            "<table>\n<thead>\n<tr>\n<th>Step</th>\n<th>Details</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n"
            "<td>\n\n- a\n- b\n\n| k | v |\n| --- | --- |\n| x | y |\n\n</td>\n</tr>\n</tbody>\n</table>",
        )

    def test_classes_confluence_writes_stay_gfm(self) -> None:
        storage = (
            '<table class="wrapped confluenceTable"><tbody><tr><th class="confluenceTh">a</th></tr><tr>'
            '<td class="confluenceTd">1</td></tr></tbody></table>'
        )
        assert storage_to_markdown(storage) == "| a |\n| --- |\n| 1 |"


class TestLayouts:
    LAYOUT = (
        '<ac:layout><ac:layout-section ac:type="two_equal" ac:breakout-mode="default"><ac:layout-cell><h2>Left</h2>'
        "<p>l</p></ac:layout-cell><ac:layout-cell><p>r</p></ac:layout-cell></ac:layout-section>"
        '<ac:layout-section ac:type="single" ac:breakout-mode="default"><ac:layout-cell><p>end</p></ac:layout-cell>'
        "</ac:layout-section></ac:layout>"
    )
    MD = (
        "<!-- layout-section two_equal breakout-mode=default -->\n\n## Left\n\nl\n\n<!-- layout-cell -->\n\nr\n\n"
        "<!-- layout-section single breakout-mode=default -->\n\nend\n\n<!-- /layout -->"
    )

    def test_layout_read_and_written_back(self) -> None:
        _check(self.LAYOUT, self.MD)

    def test_layout_survives_an_edit_elsewhere(self) -> None:
        md = storage_to_markdown("<p>Intro</p>" + self.LAYOUT)
        back = markdown_to_storage(md.replace("Intro", "Introduction").replace("\n\nr\n\n", "\n\nright\n\n"))
        assert canon(back) == canon("<p>Introduction</p>" + self.LAYOUT.replace("<p>r</p>", "<p>right</p>"))

    def test_three_columns_with_an_empty_cell(self) -> None:
        storage = (
            '<ac:layout><ac:layout-section ac:type="three_equal"><ac:layout-cell><p>a</p></ac:layout-cell>'
            "<ac:layout-cell><p /></ac:layout-cell><ac:layout-cell><p>c</p></ac:layout-cell></ac:layout-section>"
            "</ac:layout>"
        )
        _check(storage, "<!-- layout-section three_equal -->\n\na\n\n<!-- layout-cell -->\n\n<!-- layout-cell -->"
               "\n\nc\n\n<!-- /layout -->")  # fmt: skip


class TestByteExact:
    """What the reader does not understand comes back as it was written, byte for byte."""

    MACRO = (
        '<ac:structured-macro ac:name="recently-updated" ac:schema-version="1" ac:macro-id="9f">'
        '<ac:parameter ac:name="spaces"><ri:space ri:space-key="DOC" /></ac:parameter>'
        '<ac:parameter ac:name="label">a>b &amp; c</ac:parameter></ac:structured-macro>'
    )

    def test_unknown_macro(self) -> None:
        md = storage_to_markdown("<p>Intro</p>" + self.MACRO)
        assert self.MACRO in md
        assert markdown_to_storage(md.replace("Intro", "Hello")) == "<p>Hello</p>" + self.MACRO

    def test_unknown_inline(self) -> None:
        marker = '<ac:inline-comment-marker ac:ref="c1" >x &rarr; y</ac:inline-comment-marker>'
        md = storage_to_markdown(f"<p>a {marker} b</p>")
        assert markdown_to_storage(md) == f"<p>a {marker} b</p>"

    def test_paragraph_fallback_keeps_entities(self) -> None:
        para = (
            '<p>a &rarr; <ac:structured-macro ac:name="x">\n<ac:parameter ac:name="y" >1</ac:parameter>\n'
            "</ac:structured-macro></p>"
        )
        assert markdown_to_storage(storage_to_markdown(para)) == para

    def test_inside_a_layout_cell(self) -> None:
        cell = f"<ac:layout-cell>{self.MACRO}</ac:layout-cell>"
        storage = f'<ac:layout><ac:layout-section ac:type="single">{cell}</ac:layout-section></ac:layout>'
        assert self.MACRO in markdown_to_storage(storage_to_markdown(storage))


# ------------------------------------------------------------------------------ real-shaped documents


def _names(storage: str) -> Counter[str]:
    found = Counter(re.findall(r"<((?:ac|ri):[\w-]+)", storage))
    found.update("macro:" + n for n in re.findall(r'<ac:structured-macro[^>]*\bac:name="([^"]*)"', storage))
    return found


DOCS = sorted(p.stem for p in NATIVE.glob("*.xml"))


def test_native_documents_exist() -> None:
    assert len(DOCS) >= 12


@pytest.mark.parametrize("stem", DOCS)
def test_native_document(stem: str) -> None:
    storage = (NATIVE / f"{stem}.xml").read_text()
    expected = (NATIVE / f"{stem}.md").read_text().rstrip("\n")
    md = storage_to_markdown(storage)
    assert md == expected  # read
    assert not any(r in md for r in RAW) or any(r in expected for r in RAW)  # clean
    back = markdown_to_storage(md)
    assert storage_to_markdown(back) == expected  # write-back reads the same
    lost = set(_names(storage)) - set(_names(back))
    assert not lost, f"lost on write-back: {sorted(lost)}"
