"""No cassette may carry a credential: every file under cassettes/ is scanned, whoever recorded it.

What counts: Authorization / Cookie / Set-Cookie header values other than REDACTED, `Basic <base64>`,
`Bearer <token>` (placeholders such as REDACTED or <TOKEN> are fine), the sandbox's token, e-mail addresses
outside example.com, *.atlassian.net hosts other than example.atlassian.net, Atlassian API tokens (ATATT...),
AWS access keys, JWTs and private keys. Findings name the file, line and kind, never the whole secret.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from adapter.sandbox.app import SANDBOX_TOKEN

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"

Check = Callable[[re.Match[str]], bool]  # True when the match is a finding


def _header_value_not_redacted(match: re.Match[str]) -> bool:
    return match["value"].strip(" \t'\"[],") not in ("REDACTED", "")


def _not_example_email(match: re.Match[str]) -> bool:
    return match["domain"].lower() != "example.com"


def _not_example_site(match: re.Match[str]) -> bool:
    return match[0].lower() != "example.atlassian.net"


def _always(match: re.Match[str]) -> bool:
    return True


RULES: list[tuple[str, re.Pattern[str], Check]] = [
    # YAML (`Authorization:` then `- value` on the next line), JSON (`"Authorization": ["value"]`) or raw HTTP
    ("secret header",
     re.compile(r"""^[ \t]*['"]?(?:proxy-authorization|authorization|cookie|set-cookie)['"]?[ \t]*:[ \t]*"""
                r"(?:\n[ \t]*-[ \t]*)?(?P<value>.*)$", re.IGNORECASE | re.MULTILINE), _header_value_not_redacted),
    ("basic credentials", re.compile(r"\bBasic\s+[A-Za-z0-9+/]{8,}={0,2}"), _always),
    ("bearer token", re.compile(r"\bBearer\s+(?!REDACTED\b)[A-Za-z0-9._~+/-]{8,}=*"), _always),
    ("sandbox token", re.compile(re.escape(SANDBOX_TOKEN)), _always),
    ("e-mail address",
     re.compile(r"[A-Za-z0-9._%+-]+(?:@|%40)(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"),
     _not_example_email),
    ("atlassian.net host", re.compile(r"(?<![\w.-])[a-z0-9][a-z0-9.-]*\.atlassian\.net\b", re.IGNORECASE),
     _not_example_site),
    ("Atlassian API token", re.compile(r"\bATATT[A-Za-z0-9_=-]{20,}"), _always),
    ("AWS access key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), _always),
    ("JWT", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"), _always),
    ("private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), _always),
]  # fmt: skip


def scan(path: Path) -> list[str]:
    """What in one file looks like a credential, as `file:line: kind: first characters...`."""
    text = path.read_text(encoding="utf-8", errors="replace")
    findings = []
    for kind, pattern, is_finding in RULES:
        for match in pattern.finditer(text):
            if is_finding(match):
                line = text.count("\n", 0, match.start()) + 1
                findings.append(f"{path.name}:{line}: {kind}: {match[0].strip()[:12]}...")
    return findings


def cassette_files() -> list[Path]:
    return sorted(p for p in CASSETTES.rglob("*") if p.is_file())


def test_cassettes_exist() -> None:
    assert any(p.suffix == ".yaml" for p in cassette_files()), f"no cassettes under {CASSETTES}: record them first"


def test_no_cassette_carries_a_secret() -> None:
    findings = [finding for path in cassette_files() for finding in scan(path)]
    assert not findings, "credentials in cassettes (re-record, or fix the scrubbing in conftest.py):\n" + "\n".join(
        findings
    )


CLEAN = """\
interactions:
- request:
    body: '{"jql":"reporter = \\"alice@example.com\\""}'
    headers:
      Authorization:
      - REDACTED
      content-type:
      - application/json
    method: POST
    uri: https://example.atlassian.net/rest/api/3/search/jql
  response:
    body:
      string: '{"self":"http://sandbox.invalid/rest/api/3/issue/1","emailAddress":"bob@example.com","nextPageToken":"eyJvZmZzZXQiOiAxMH0"}'
    headers:
      content-type:
      - application/json
      www-authenticate:
      - Basic realm="sandbox"
    status:
      code: 200
      message: OK
version: 1
"""

PLANTED = {
    "secret header": "      Authorization:\n      - token-from-somewhere\n",
    "basic credentials": "      - Basic c2FuZGJveEBleGFtcGxlLmNvbTpzYW5kYm94LXRva2Vu\n",
    "bearer token": '    body: \'{"note":"Bearer 9f8e7d6c5b4a39281706"}\'\n',
    "sandbox token": '      string: \'{"token":"' + SANDBOX_TOKEN + "\"}'\n",
    "e-mail address": '      string: \'{"emailAddress":"jane.doe@acme-corp.com"}\'\n',
    "atlassian.net host": "    uri: https://acme.atlassian.net/rest/api/3/myself\n",
    "Atlassian API token": "      string: ATATT3xFfGF0T5kZ1q2w3e4r5t6y7u8i9o0p\n",
    "AWS access key": "      string: AKIAIOSFODNN7EXAMPLE\n",
    "JWT": "      string: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9Pl\n",
    "private key": "      string: '-----BEGIN RSA PRIVATE KEY-----'\n",
}


def test_scan_passes_a_scrubbed_cassette(tmp_path: Path) -> None:
    path = tmp_path / "clean.yaml"
    path.write_text(CLEAN)
    assert scan(path) == []


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_scan_finds_a_planted_secret(tmp_path: Path, kind: str) -> None:
    lines = CLEAN.splitlines(keepends=True)
    path = tmp_path / "planted.yaml"
    path.write_text("".join(lines[:10]) + PLANTED[kind] + "".join(lines[10:]))
    findings = scan(path)
    assert [f for f in findings if f": {kind}: " in f], findings
