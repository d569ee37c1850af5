"""Every Python example in README.md runs, against a MockTransport standing in for the sites."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
EXAMPLES = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)

BODIES = {
    "/rest/api/3/issue/PROJ-1": (200, {"id": "1", "key": "PROJ-1", "fields": {"summary": "First"}}),
    "/rest/api/3/issue/NOPE-1": (404, {"errorMessages": ["Issue does not exist"], "errors": {}}),
    "/rest/api/3/project/search": (
        200,
        {
            "startAt": 0,
            "maxResults": 50,
            "isLast": True,
            "values": [{"key": "PD", "projectTypeKey": "product_discovery"}],
        },
    ),
    "/ex/confluence/YOUR-CLOUD-ID/wiki/api/v2/pages/123": (200, {"id": "123", "title": "Home"}),
    "/ex/confluence/YOUR-CLOUD-ID/wiki/api/v2/pages": (
        200,
        {"results": [{"id": "124", "title": "Child"}], "_links": {}},
    ),
    "/jira/rest/api/2/issue/PROJ-1": (200, {"id": "1", "key": "PROJ-1"}),
}


def answer(request: httpx.Request) -> httpx.Response:
    status, body = BODIES[request.url.path]
    return httpx.Response(status, json=body)


@pytest.fixture(autouse=True)
def offline_sites(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK's default transports are swapped for MockTransports answering from BODIES."""
    for package in ("jira_sdk", "confluence_sdk"):
        module = __import__(f"{package}._runtime.client", fromlist=["httpx"])
        fake = type("httpx", (), {})()
        for name in dir(httpx):
            setattr(fake, name, getattr(httpx, name))
        fake.HTTPTransport = lambda **kw: httpx.MockTransport(answer)
        fake.AsyncHTTPTransport = lambda **kw: httpx.MockTransport(answer)
        monkeypatch.setattr(module, "httpx", fake)


def test_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 4


def test_readme_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, object] = {}
    for example in EXAMPLES:
        exec(compile(example, str(README), "exec"), namespace)
    out = capsys.readouterr().out
    assert "PROJ-1 First" in out
    assert "PD product_discovery" in out
    assert "404 ['Issue does not exist']" in out
    assert "Home" in out and "124 Child" in out
    assert "200 application/json PROJ-1" in out
