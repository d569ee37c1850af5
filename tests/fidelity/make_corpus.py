"""Writes the generated part of the fidelity corpus: each feature alone, and features inside containers.

`uv run python -m tests.fidelity.make_corpus` rewrites `corpus/gen-*.md` (the hand-written `corpus/doc-*.md` are
real-world shaped documents and are not touched). Every file is canonical Markdown as adapter/content/CONVENTIONS.md
defines it, so converting it to a format and back must give the same text.
"""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"

BLOCKS = {
    "heading": "## A second-level heading\n\n### A third-level heading",
    "bullets": "- one\n- two\n- three",
    "ordered": "1. first\n2. second\n3. third",
    "nested-bullets": "- outer\n  - inner\n    - innermost\n- outer again",
    "nested-ordered": "1. step\n   1. sub-step\n   2. sub-step\n2. step",
    "mixed-lists": "1. numbered\n   - bullet under it\n   - another\n2. numbered again",
    "tasks": "- [ ] open task\n- [x] done task",
    "table": "| Name | Value |\n| --- | --- |\n| alpha | 1 |\n| beta | 2 |",
    "code-python": '```python\ndef greet(name):\n    return f"hi {name}"\n```',
    "code-plain": "```\nplain text block\n  indented line\n```",
    "info": "> [!INFO]\n> For your information.",
    "note": "> [!NOTE]\n> Take note.",
    "warning": "> [!WARNING]\n> Careful here.",
    "tip": "> [!TIP]\n> A useful tip.",
    "success": "> [!SUCCESS]\n> It worked.",
    "error": "> [!ERROR]\n> It failed.",
    "panel-title": "> [!PANEL] Deployment notes\n> Roll out on Monday.",
    "expand": "<details><summary>More details</summary>\n\nHidden until opened.\n\n</details>",
    "quote": "> A plain quotation.",
    "rule": "Above the line.\n\n---\n\nBelow the line.",
    "toc": "[TOC]",
    "image-attachment": "![architecture diagram](attachment:diagram.png)",
    "image-external": "![logo](https://example.com/logo.png)",
    "media": '![screenshot.png](media:5a3c0f2e-77f1-4b8e-9d2a-0c1e2f3a4b5c "contentId-10001")',
}
INLINES = {
    "marks": "**bold**, *italic*, ~~struck~~ and `code`",
    "link": "[the docs](https://example.com/docs)",
    "status": "[IN PROGRESS](status:blue)",
    "mention": "[@Ana Lima](mention:5b10ac8d82e05b22cc7d4ef5)",
    "date": "[2024-05-01](date:2024-05-01)",
    "emoji": ":smile:",
    "jira-issue": "[PROJ-1](jira:PROJ-1)",
}
INLINE_CONTEXTS = {
    "paragraph": "Before {x} after.",
    "table-cell": "| Item | Detail |\n| --- | --- |\n| one | Before {x} after. |",
    "list-item": "- Before {x} after.\n- second item",
    "panel": "> [!INFO]\n> Before {x} after.",
}
BLOCK_CONTEXTS = {
    "panel": ("> [!NOTE]\n> Intro line.\n>\n", "> "),
    "expand": ("<details><summary>Open me</summary>\n\n", ""),
}
NESTABLE = ("bullets", "ordered", "tasks", "code-python", "table")


def document(title: str, body: str) -> str:
    return f"# {title}\n\nAn opening paragraph.\n\n{body}\n\nA closing paragraph.\n"


def nest(container: str, block: str) -> str:
    head, prefix = BLOCK_CONTEXTS[container]
    if container == "expand":
        return f"{head}{block}\n\n</details>"
    return head + "\n".join(prefix + line if line else ">" for line in block.split("\n"))


def generated() -> dict[str, str]:
    docs = {f"gen-block-{name}": document(name, body) for name, body in BLOCKS.items()}
    for name, snippet in INLINES.items():
        for where, template in INLINE_CONTEXTS.items():
            docs[f"gen-inline-{name}-in-{where}"] = document(f"{name} in {where}", template.format(x=snippet))
    for container in BLOCK_CONTEXTS:
        for name in NESTABLE:
            docs[f"gen-{name}-in-{container}"] = document(f"{name} in {container}", nest(container, BLOCKS[name]))
    return docs


def main() -> None:
    for old in CORPUS.glob("gen-*.md"):
        old.unlink()
    for name, text in generated().items():
        (CORPUS / f"{name}.md").write_text(text)
    print(f"wrote {len(generated())} generated documents to {CORPUS}")


if __name__ == "__main__":
    main()
