"""Every ADF document we emit validates against Atlassian's published schema (@atlaskit/adf-schema, adf_schema.py).

What is checked: the Markdown corpus written as ADF; the native ADF documents (as given, and after a round trip);
the ADF of realdata and the sandbox seed after a round trip; random Markdown and random ADF from hypothesis; every
ADF body in the recorded cassettes (what the tools sent on Cloud in the replay tests); and the bodies the Cloud
write tools send in the sandbox when given the whole corpus. A document the schema rejects is one Jira rejects.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapter.content.adf import adf_to_markdown, markdown_to_adf
from tests.e2e.harness import ok, sandboxed

from . import native
from .adf_schema import problems
from .fidelity import FORMATS, corpus, realdata_bodies, sandbox_bodies

ADF = FORMATS["adf"]
CORPUS = corpus()
CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"


def docs_in(value: Any) -> Iterator[dict[str, Any]]:
    """Every ADF document inside a JSON value."""
    if isinstance(value, dict):
        if value.get("type") == "doc" and isinstance(value.get("content"), list):
            yield value
            return
        for item in value.values():
            yield from docs_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from docs_in(item)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_written_as_adf_is_valid(name: str) -> None:
    assert problems(ADF.write(CORPUS[name])) == []


ADF_NATIVE = [d for d in native.documents() if d.fmt == "adf"]


@pytest.mark.parametrize("doc", ADF_NATIVE, ids=[d.id for d in ADF_NATIVE])
def test_native_documents_and_their_round_trip_are_valid(doc: native.Native) -> None:
    assert problems(doc.source) == [], "the document itself must be what an editor could save"
    assert problems(ADF.write(ADF.read(doc.source))) == []


def test_realdata_and_seed_round_trips_are_valid() -> None:
    bodies = [body for found in (realdata_bodies(), sandbox_bodies()) for _, body in found["adf"]]
    assert len(bodies) >= 20
    invalid = [(body, p) for body in bodies if (p := problems(ADF.write(ADF.read(body))))]
    assert invalid == []


# hypothesis: Markdown a model might write, built from pieces of every construct we give a meaning
PIECES = [
    *"ab #>-*_`[]()<>|!:~\\\n1.",
    "\n\n",
    "> ",
    "- ",
    "1. ",
    "- [ ] ",
    "# ",
    "---\n",
    "| a | b |\n| :-: | --: |\n",
]
PIECES += ["| x | y |\n", "<details>", "<summary>T</summary>", "</details>", "```\n", "> [!INFO]\n", "> [!DECISION]\n"]
PIECES += ['<table>\n<tr>\n<th colspan="2">', "</th>\n", '<td rowspan="2" bgcolor="#deebff">', "</td>\n</tr>\n"]
PIECES += ["</table>\n", "<!-- layout-section two_equal -->\n\n", "<!-- layout-cell -->\n\n", "<!-- /layout -->\n"]
PIECES += ['<span style="color: red">', '<span style="color: #abc">', "</span>", "<mail@example.com>", "<br>"]
PIECES += ["[PROJ-1](https://x.atlassian.net/browse/PROJ-1)", "[@Jo](mention:abc)", "[OK](status:green)", ":smile:"]
PIECES += ["[2024-05-01](date:2024-05-01)", '![a](media:id "coll; layout=wide; width=50")', "![b](https://e.com/i.png)"]
PIECES += ["<u>", "</u>", "<sub>", "</sub>", "**", "~~", "\n\n  ", "    "]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=40).map("".join))
def test_any_markdown_gives_valid_adf(md: str) -> None:
    adf = markdown_to_adf(md)
    assert problems(adf) == [], md
    again = markdown_to_adf(adf_to_markdown(adf))
    assert problems(again) == [], md


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_random_adf_documents_round_trip_into_valid_adf(rng: random.Random) -> None:
    from tests.unit.test_content_adf import doc, random_block

    document = doc(*[random_block(rng, 0) for _ in range(rng.randint(1, 4))])
    assert problems(document) == []
    assert problems(ADF.write(ADF.read(document))) == [], ADF.read(document)


def cassette_bodies() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(CASSETTES.rglob("*.yaml")):
        for interaction in (yaml.safe_load(path.read_text()) or {}).get("interactions", []):
            body = interaction["request"].get("body") or ""
            if "doc" not in body:
                continue
            try:
                value = json.loads(body)
            except ValueError:
                continue
            found += [(f"{path.parent.name}/{path.stem}", d) for d in docs_in(value)]
    return found


def test_every_adf_body_in_the_cassettes_is_valid() -> None:
    bodies = cassette_bodies()
    assert len(bodies) >= 10  # the replay tests write comments, descriptions and worklogs on Cloud
    invalid = [(where, p) for where, body in bodies if (p := problems(body))]
    assert invalid == []


async def test_every_adf_body_the_cloud_write_tools_send_is_valid() -> None:
    names = sorted(CORPUS)
    async with sandboxed("cloud", TOOLSETS="all") as (sandbox, client):
        fields = {"project_key": "OPS", "summary": "Corpus", "issue_type": "Task", "description": CORPUS[names[0]]}
        created = ok(await client.call_tool("jira_create_issue", fields))
        key = created["key"]
        for name in names:
            markdown = CORPUS[name]
            ok(await client.call_tool("jira_add_comment", {"issue_key": key, "body": markdown}))
            ok(await client.call_tool("jira_update_issue", {"issue_key": key, "fields": {"description": markdown}}))
        ok(
            await client.call_tool(
                "jira_add_worklog", {"issue_key": key, "time_spent": "1h", "comment": CORPUS[names[1]]}
            )
        )
        sent = [d for request in sandbox.requests if request.method in ("POST", "PUT") for d in docs_in(request.body)]
    assert len(sent) >= 2 * len(names)
    invalid = [p for d in sent if (p := problems(d))]
    assert invalid == []
