"""Developer sessions. Every session uses the uv-locked environment (`uv sync`), so versions match CI."""

from __future__ import annotations

import os

import nox

nox.options.default_venv_backend = "none"
nox.options.sessions = ["lint", "check_generated", "tests", "contract"]

SPECS_MIRROR = os.environ.setdefault("ATLASSIAN_SPECS_MIRROR", "../shared/specs")
UV_RUN = ("uv", "run", "--frozen")


# Test tooling from npm, pinned: what each installs into .ci/<name>/, and a file that shows it is there.
NPM_TOOLS = {
    "inspector": ("node_modules/.bin/mcp-inspector", ["@modelcontextprotocol/inspector@2.12.0"]),
    # the conformance suite 0.2.0-alpha.12: 0.1.16 (npm's "latest") has no 2026-07-28 scenarios
    "conformance": ("node_modules/.bin/conformance", ["@modelcontextprotocol/conformance@0.2.0-alpha.12"]),
    # Atlassian's wiki markup -> ADF, the oracle of tests/unit/test_wiki_oracle.py
    "wikimarkup": ("node_modules/@atlaskit/editor-wikimarkup-transformer",
                   ["@atlaskit/editor-wikimarkup-transformer@12.2.2", "@atlaskit/editor-json-transformer@9.8.2"]),
    # Atlassian's ADF JSON schema, the oracle of tests/fidelity/test_adf_schema.py (pinned as in adf_schema.py)
    "adf-schema": ("node_modules/@atlaskit/adf-schema/dist/json-schema/v1/full.json", ["@atlaskit/adf-schema@57.7.22"]),
    "prism": ("node_modules/.bin/prism", ["@stoplight/prism-cli@5.14.2"]),
}  # fmt: skip


def npm_tool(session: nox.Session, name: str) -> None:
    marker, packages = NPM_TOOLS[name]
    if not os.path.exists(f".ci/{name}/{marker}"):
        session.run("npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", f".ci/{name}", *packages,
                    external=True)  # fmt: skip


@nox.session
def tests(session: nox.Session) -> None:
    """Unit, end-to-end (mcp.Client, MCP Inspector CLI, the official MCP conformance suite) and replay tests."""
    for name in ("inspector", "conformance", "wikimarkup", "adf-schema"):
        npm_tool(session, name)
    session.run(*UV_RUN, "pytest", *session.posargs, external=True)


@nox.session
def reliability(session: nox.Session) -> None:
    """Fuzzing, injected faults, load (32 clients x 500 calls, memory flat) and security (also part of `tests`)."""
    session.run(*UV_RUN, "pytest", "tests/reliability", "-s", *session.posargs, external=True)


@nox.session
def contract(session: nox.Session) -> None:
    """Every request the shipped tools send, validated by Prism mocks of Atlassian's specs (tests/contract)."""
    npm_tool(session, "prism")
    session.run(*UV_RUN, "pytest", "-m", "contract", "tests/contract", *session.posargs, external=True)


@nox.session
def record(session: nox.Session) -> None:
    """Re-record cassettes/ from the sandbox (`-- --live`: the site in JIRA_*/CONFLUENCE_*), then replay offline."""
    pytest = (*UV_RUN, "pytest", "tests/replay", "-p", "no:cacheprovider")
    session.run(*pytest, "--record-mode=rewrite", *session.posargs, external=True)
    session.run(*pytest, "--record-mode=none", "--block-network", external=True)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint + format check) and mypy on the hand-written code."""
    session.run(*UV_RUN, "ruff", "check", ".", external=True)
    session.run(*UV_RUN, "ruff", "format", "--check", ".", external=True)
    session.run(*UV_RUN, "mypy", external=True)


@nox.session
def generate(session: nox.Session) -> None:
    """Regenerate generated/ from the pinned specs (args: API names)."""
    session.run(*UV_RUN, "python", "-m", "codegen", "generate", *session.posargs, external=True)


@nox.session
def check_generated(session: nox.Session) -> None:
    """Fail unless generated/ equals a fresh generation."""
    session.run(*UV_RUN, "python", "-m", "codegen", "check", external=True)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: SDK generation and import-and-call time; the MCP server alone and beside mcp-atlassian 0.23.1
    (stdio figures, then throughput over streamable HTTP at 1/8/32 clients and the adapter's cost over the SDK)."""
    session.run(*UV_RUN, "python", "tests/benchmarks/bench_sdk.py", *session.posargs, external=True)
    session.run(*UV_RUN, "python", "tests/benchmarks/bench_server.py", *session.posargs, external=True)
    session.run(*UV_RUN, "python", "tests/benchmarks/bench_compare.py", *session.posargs, external=True)
    session.run(*UV_RUN, "python", "tests/benchmarks/bench_throughput.py", *session.posargs, external=True)


@nox.session
def fidelity(session: nox.Session) -> None:
    """Rich-text round trips per feature and format on the corpus, ours beside mcp-atlassian 0.23.1's converters."""
    npm_tool(session, "adf-schema")
    session.run(*UV_RUN, "python", "-m", "tests.fidelity.report", *session.posargs, external=True)
