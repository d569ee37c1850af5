"""The CLI as a new user meets it: every `--help` works whatever the environment holds; `tools` as table and JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from adapter.cli import COMMANDS

# An empty environment, and one whose every setting is broken: help must not read either.
EMPTY = {"PATH": os.environ["PATH"]}
BROKEN = EMPTY | {"TRANSPORT": "bogus", "PORT": "abc", "JIRA_URL": "not a url", "TOOLSETS": "nope",
                  "ATLASSIAN_OAUTH_CLIENT_ID": "", "READ_ONLY_MODE": "maybe"}  # fmt: skip


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "adapter", *args], capture_output=True, text=True, timeout=60,
                          env=env, stdin=subprocess.DEVNULL, cwd=os.getcwd())  # fmt: skip


@pytest.mark.parametrize("env", [EMPTY, BROKEN], ids=["empty-env", "broken-env"])
@pytest.mark.parametrize("command", ["", *COMMANDS])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_help_prints_help_and_exits_0(command: str, flag: str, env: dict[str, str]) -> None:
    done = cli(*filter(None, [command, flag]), env=env)
    assert done.returncode == 0, done.stderr
    assert "Usage: atlassian-mcp" in done.stdout and done.stderr == ""
    if command:
        assert f"atlassian-mcp {command}" in done.stdout


def test_oauth_setup_help_names_what_it_needs() -> None:
    done = cli("oauth-setup", "--help", env=EMPTY)
    assert "--oauth-client-id" in done.stdout and "--oauth-client-secret" in done.stdout


SANDBOX = ("--sandbox", "--toolsets", "all")


def test_tools_table_keeps_long_names_in_their_column() -> None:
    done = cli("tools", *SANDBOX, env=EMPTY)
    assert done.returncode == 0, done.stderr
    header, *rows, total = done.stdout.rstrip("\n").splitlines()
    assert header.split() == ["tool", "toolset", "kind", "bytes", "~tokens"]
    assert len(rows) == 99 and total.startswith("99 tools, ")
    starts = {line.index(word) for line in rows for word in line.split()[1:2]}
    assert len(starts) == 1, "the toolset column starts at one place on every row"
    assert all(len(line.split()) == 5 for line in rows), "no cell wraps or runs into the next"


def test_tools_json_matches_the_table() -> None:
    listed = json.loads(cli("tools", "--json", *SANDBOX, env=EMPTY).stdout)
    assert listed["count"] == len(listed["tools"]) == 99
    assert listed["bytes"] == sum(tool["bytes"] for tool in listed["tools"])
    assert {tool["kind"] for tool in listed["tools"]} == {"read", "write"}
    table = cli("tools", *SANDBOX, env=EMPTY).stdout
    assert f"99 tools, {listed['bytes']} bytes" in table
    same = json.loads(cli("--sandbox", "--toolsets", "all", "tools", "--json", env=EMPTY).stdout)
    assert same == listed, "the command before or after the options: one answer"
