"""`nox -s fidelity`: per feature and per format, how many corpus documents round-trip (ours, and mcp-atlassian's).

Markdown -> format -> Markdown on every corpus document, counted per feature the document uses; a document counts
as kept when the text comes back identical (trailing whitespace aside). mcp-atlassian 0.23.1's converters run in
their own virtual environment (the one tests/benchmarks/bench_compare.py installs) on the same documents:
`markdown_to_adf` + `adf_to_text` (Jira Cloud), `markdown_to_confluence_storage` + `process_html_content`
(Confluence), `markdown_to_jira` + `jira_to_markdown` (Jira Data Center). Theirs are judged on the same text: for
the CommonMark rows (heading, marks, lists, table, code, quote, rule, link, image) that is a fair comparison; the
other rows use our conventions (adapter/content/CONVENTIONS.md), which their converters do not know.
Then the native round trip (format -> Markdown -> format keeps every node) on realdata and the sandbox seed, the
real-shaped native documents of tests/fidelity/native per format and feature (read, clean, write-back: see
native.py), and how many ADF documents we emit Atlassian's schema accepts (when .ci/adf-schema is installed).
Printed, never asserted: tests/fidelity/test_fidelity.py asserts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter, defaultdict

from tests.benchmarks.bench_compare import VENV, ensure_venv

from . import native
from .fidelity import FORMATS, corpus, features, realdata_bodies, sandbox_bodies
from .test_fidelity import SIGNATURES

THEIRS = r"""
import json, sys
from mcp_atlassian.models.jira.adf import adf_to_text, markdown_to_adf
from mcp_atlassian.preprocessing.confluence import ConfluencePreprocessor
from mcp_atlassian.preprocessing.jira import JiraPreprocessor

jira, wiki = JiraPreprocessor("https://example.atlassian.net"), ConfluencePreprocessor("https://example.atlassian.net")
trips = {
    "adf": lambda md: adf_to_text(markdown_to_adf(md)) or "",
    "storage": lambda md: wiki.process_html_content(wiki.markdown_to_confluence_storage(md))[1],
    "wiki": lambda md: jira.jira_to_markdown(jira.markdown_to_jira(md)),
}
out = {}
for name, md in json.load(sys.stdin).items():
    out[name] = {}
    for fmt, trip in trips.items():
        try:
            out[name][fmt] = trip(md)
        except Exception as exc:
            out[name][fmt] = f"<error {type(exc).__name__}: {exc}>"
print(json.dumps(out))
"""


def theirs(docs: dict[str, str]) -> dict[str, dict[str, str]] | None:
    try:
        ensure_venv()
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"(mcp-atlassian could not be installed, their column is empty: {exc})")
        return None
    run = subprocess.run([str(VENV / "bin" / "python"), "-c", THEIRS], input=json.dumps(docs), capture_output=True,
                         text=True, check=True)  # fmt: skip
    result: dict[str, dict[str, str]] = json.loads(run.stdout)
    return result


def same(a: str, b: str) -> bool:
    return a.strip() == b.strip()


def main() -> None:
    docs = corpus()
    their = theirs(docs) if "--ours-only" not in sys.argv else None
    total: Counter[str] = Counter()
    ours_kept: dict[str, Counter[str]] = defaultdict(Counter)
    their_kept: dict[str, Counter[str]] = defaultdict(Counter)
    for name, markdown in docs.items():
        found = features(markdown) | {"(whole document)"}
        for fmt, convert in FORMATS.items():
            ours_ok = same(convert.read(convert.write(markdown)), markdown)
            theirs_ok = their is not None and same(their[name][fmt], markdown)
            for feature in found:
                ours_kept[fmt][feature] += ours_ok
                their_kept[fmt][feature] += theirs_ok
        total.update(found)
    fmts = list(FORMATS)
    print(f"## Markdown -> format -> Markdown, {len(docs)} corpus documents (identical text; ours / mcp-atlassian)\n")
    print("| feature | documents | " + " | ".join(fmts) + " |")
    print("|---|---:|" + "---:|" * len(fmts))
    for feature in sorted(total, key=lambda f: (f.startswith("("), f)):
        cells = [
            f"{ours_kept[fmt][feature]} / {their_kept[fmt][feature] if their is not None else '-'}" for fmt in fmts
        ]
        print(f"| {feature} | {total[feature]} | " + " | ".join(cells) + " |")
    print("\n## format -> Markdown -> format keeps every node and macro (realdata and sandbox seed)\n")
    print("| source | format | documents | kept |\n|---|---|---:|---:|")
    for source, bodies in (("realdata", realdata_bodies()), ("sandbox", sandbox_bodies())):
        for fmt, items in bodies.items():
            convert, signature = FORMATS[fmt], SIGNATURES[fmt]
            kept = sum(signature(convert.write(convert.read(body))) == signature(body) for _, body in items)
            print(f"| {source} | {fmt} | {len(items)} | {kept} |")
    native_report()
    schema_report(docs)


def native_report() -> None:
    rows: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for doc in native.documents():
        result = native.check(doc)
        for key in ((doc.fmt, doc.feature), (doc.fmt, "(all)")):
            rows[key].update(
                documents=1, read=int(result.read), clean=int(result.clean), write_back=int(result.write_back)
            )
    print("\n## native documents (tests/fidelity/native): read / clean / write-back\n")
    print("| format | feature | documents | read | clean | write-back |\n|---|---|---:|---:|---:|---:|")
    for (fmt, feature), c in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1].startswith("("), kv[0][1])):
        print(f"| {fmt} | {feature} | {c['documents']} | {c['read']} | {c['clean']} | {c['write_back']} |")


def schema_report(docs: dict[str, str]) -> None:
    from .adf_schema import ADF_SCHEMA, problems

    if not ADF_SCHEMA.exists():
        print(f"\n(ADF schema not installed at {ADF_SCHEMA}: `nox -s tests` installs it)")
        return
    adf = FORMATS["adf"]
    emitted = [adf.write(md) for md in docs.values()]
    emitted += [adf.write(adf.read(d.source)) for d in native.documents() if d.fmt == "adf"]
    emitted += [
        adf.write(adf.read(body)) for bodies in (realdata_bodies(), sandbox_bodies()) for _, body in bodies["adf"]
    ]
    valid = sum(not problems(doc) for doc in emitted)
    print(f"\n## ADF we emit, against @atlaskit/adf-schema: {valid} of {len(emitted)} documents valid")


if __name__ == "__main__":
    main()
