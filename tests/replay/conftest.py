"""Cassette (recorded HTTP) fixtures: where the server under test points, how recordings are made and scrubbed.

Three ways to run `tests/replay`:

* Replay (the default, what CI runs): `pytest tests/replay --record-mode=none --block-network`. Nothing is
  started; JIRA_URL/CONFLUENCE_URL point at `http://sandbox.invalid` (never contacted) and vcrpy answers every
  request from `cassettes/<test module>/<test name>.yaml`. A request that matches no recording fails the test,
  and so does a recording that the test never asked for.
* Record against the sandbox: `pytest tests/replay --record-mode=rewrite -p no:cacheprovider`. A session fixture
  serves `create_app("cloud")` and `create_app("datacenter")` with uvicorn on 127.0.0.1 (random ports) and every
  test starts from freshly seeded data, so a re-recording changes nothing (except that the two concurrent writes
  of the 409 test may be saved in either order; replay matches them by body, so either order replays).
* Record against a real site: add `--live`. The site comes from the environment: JIRA_URL with JIRA_USERNAME and
  JIRA_API_TOKEN (Cloud) or JIRA_PERSONAL_TOKEN (Data Center), and the CONFLUENCE_* twins (JIRA_DEPLOYMENT /
  CONFLUENCE_DEPLOYMENT if the URL does not tell). Only tests marked `live` run, and only for the site's
  deployment: the others assert the sandbox's seed data (PROJ-4, OPS-1, page 65539, ...) and write to it, which a
  real site cannot be expected to match. So live recording covers 4 of the 23 tests per deployment, the ones that
  need no data and write nothing: a missing issue (PROJ-999999, `jira_get_issue`), a missing page (id 999999999,
  `confluence_get_page`), malformed JQL (`jira_search`) and malformed CQL (`confluence_search`); no happy path
  and no write. Their asserts should hold on any site, but were only checked against the sandbox's imitation of
  Atlassian's messages, never against a real site: expect to loosen one if Atlassian words it differently.
  A live recording replaces the sandbox one of the same test (the other flavour's stays).

Matching is on method, path, query and body (JSON compared parsed), never on host or port, so a cassette
replays whatever port or site it was recorded on. Scrubbing happens before anything is written:

* request headers: only Content-Type and Accept are kept, Authorization becomes `REDACTED` (Cookie and the rest
  are dropped); response headers: only Content-Type, Link, Location, Retry-After and WWW-Authenticate are kept
  (no Set-Cookie, no trace or account ids);
* in URIs, kept headers and bodies: the sandbox token and any live token become `REDACTED`; e-mail addresses
  other than @example.com become `user@example.com`; the loopback `127.0.0.1:<port>` becomes `sandbox.invalid`;
  a live site's URLs become the replay URLs (`http://sandbox.invalid`, plus `/jira` and `/confluence` on Data
  Center, so the paths match on replay) and any other `*.atlassian.net` host becomes `example.atlassian.net`.

Not scrubbed on a live recording: display names, account ids, usernames and whatever the site's issues and pages
say. `test_cassette_secrets.py` checks every cassette for what must never be committed.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn

from adapter.cli import sandbox_overrides
from adapter.config import load_settings
from adapter.sandbox.app import SANDBOX_TOKEN, create_app

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = ROOT / "cassettes"
REPLAY_HOST = "http://sandbox.invalid"
FLAVORS = ("cloud", "datacenter")
LIVE_KEYS = re.compile(r"(JIRA|CONFLUENCE)_(URL|USERNAME|API_TOKEN|PERSONAL_TOKEN|DEPLOYMENT|SSL_VERIFY)")
KEEP_REQUEST_HEADERS = ("content-type", "accept")
KEEP_RESPONSE_HEADERS = ("content-type", "link", "location", "retry-after", "www-authenticate")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+(@|%40)([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
LOOPBACK = re.compile(r"(?:127\.0\.0\.1|localhost):\d+")
ATLASSIAN_NET = re.compile(r"(?<![\w.-])[a-z0-9][a-z0-9.-]*\.atlassian\.net\b", re.IGNORECASE)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--live",
        action="store_true",
        default=False,
        help="Record the `live` replay tests against the site in JIRA_*/CONFLUENCE_* (needs --record-mode)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "live: a replay test whose recording also works against a real site (--live)")
    if config.getoption("--live", False) and not recording(config):
        raise pytest.UsageError("--live records from a real site: add --record-mode=rewrite (or once/new_episodes)")


def recording(config: pytest.Config) -> bool:
    return (config.getoption("--record-mode", None) or "none") != "none"


def live_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if LIVE_KEYS.fullmatch(k) and v}


def live_flavor() -> str:
    settings = load_settings({}, environ=live_env(), read_dotenv=False)
    deployments = {p.deployment for p in (settings.jira, settings.confluence) if p is not None}
    if len(deployments) != 1:
        raise pytest.UsageError("--live needs JIRA_URL and/or CONFLUENCE_URL of one deployment (cloud or datacenter)")
    return deployments.pop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The secret scan runs last, so a recording run scans what it just wrote. With --live, skip what cannot be
    recorded live before any fixture runs (rewrite mode deletes a cassette as its test sets up)."""
    items.sort(key=lambda item: item.path.name == "test_cassette_secrets.py")
    if not config.getoption("--live", False):
        return
    flavor = live_flavor()
    here = Path(__file__).parent
    for item in items:
        params = getattr(item, "callspec", None)
        if params is None or "flavor" not in params.params or here not in item.path.parents:
            continue
        product = item.name.split("_")[1]  # test_<product>_<tool>...
        if item.get_closest_marker("live") is None:
            item.add_marker(pytest.mark.skip(reason="asserts the sandbox's seed data: recorded against the sandbox"))
        elif params.params["flavor"] != flavor:
            item.add_marker(pytest.mark.skip(reason=f"the live site is {flavor}"))
        elif f"{product.upper()}_URL" not in live_env():
            item.add_marker(pytest.mark.skip(reason=f"no {product.upper()}_URL"))


# --- where the server under test points -------------------------------------------------------------------


def urls(base: str, flavor: str) -> tuple[str, str]:
    """(JIRA_URL, CONFLUENCE_URL) of a site in the sandbox's layout."""
    return (base, f"{base}/wiki") if flavor == "cloud" else (f"{base}/jira", f"{base}/confluence")


class SandboxServer:
    """`create_app(flavor)` served by uvicorn on 127.0.0.1 in a thread; `reset()` reseeds it for the next test."""

    def __init__(self, flavor: str) -> None:
        self.flavor = flavor
        self.app = create_app(flavor)  # type: ignore[arg-type]
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(self.asgi, interface="asgi3", lifespan="off", log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"the {flavor} sandbox did not start")
            time.sleep(0.01)

    async def asgi(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)

    def reset(self) -> None:
        self.app = create_app(self.flavor)  # type: ignore[arg-type]

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class Site:
    """What one test's server is configured with; `reset` reseeds the sandbox behind it (a no-op on replay)."""

    flavor: str
    jira_url: str
    confluence_url: str
    env: dict[str, str]
    reset: Callable[[], None] = lambda: None
    replacements: list[tuple[str, str]] = field(default_factory=list)  # live URL or host -> replay URL or host


def sandbox_site(flavor: str, base: str, reset: Callable[[], None] = lambda: None) -> Site:
    jira_url, confluence_url = urls(base, flavor)
    env = {k: str(v) for k, v in sandbox_overrides(flavor).items()} | {
        "JIRA_URL": jira_url,
        "CONFLUENCE_URL": confluence_url,
    }
    if flavor == "cloud":  # the sandbox also plays Atlassian's API host (the Forms API)
        env["ATLASSIAN_OAUTH_API_URL"] = base
    return Site(flavor, jira_url, confluence_url, env, reset)


def live_site() -> Site:
    env = live_env()
    flavor = live_flavor()
    replay_jira, replay_confluence = urls(REPLAY_HOST, flavor)
    pairs: list[tuple[str, str]] = []
    for key, replay in (("JIRA_URL", replay_jira), ("CONFLUENCE_URL", replay_confluence)):
        url = env.get(key, "").rstrip("/")
        if url:
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
            pairs.append((origin, REPLAY_HOST) if flavor == "cloud" else (url, replay))
            pairs.append((urlsplit(url).netloc, urlsplit(REPLAY_HOST).netloc))
    pairs.sort(key=lambda pair: len(pair[0]), reverse=True)  # longest first: a host's context paths before it
    tokens = [v for k, v in env.items() if k.endswith("TOKEN") and len(v) >= 8]  # shorter would mangle text
    return Site(flavor, env.get("JIRA_URL", ""), env.get("CONFLUENCE_URL", ""), env,
                replacements=[(t, "REDACTED") for t in tokens] + pairs)  # fmt: skip


@pytest.fixture(scope="session")
def sites(pytestconfig: pytest.Config) -> Iterator[dict[str, Site]]:
    """The sites tests run against: a live one, two running sandboxes (recording), or the replay host."""
    if pytestconfig.getoption("--live", False):
        site = live_site()
        yield {site.flavor: site}
    elif recording(pytestconfig):
        servers = [SandboxServer(flavor) for flavor in FLAVORS]
        try:
            yield {s.flavor: sandbox_site(s.flavor, s.base, s.reset) for s in servers}
        finally:
            for server in servers:
                server.stop()
    else:
        yield {flavor: sandbox_site(flavor, REPLAY_HOST) for flavor in FLAVORS}


@pytest.fixture(params=FLAVORS)
def flavor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def site(sites: dict[str, Site], flavor: str) -> Site:
    """This test's site, reseeded: a recording never depends on what an earlier test wrote."""
    chosen = sites[flavor]
    chosen.reset()
    return chosen


# --- recording: where cassettes go, how requests match, what gets scrubbed ---------------------------------


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(CASSETTES / request.path.stem)


def scrub_text(text: str, replacements: list[tuple[str, str]]) -> str:
    for secret, placeholder in [(SANDBOX_TOKEN, "REDACTED"), *replacements]:
        text = text.replace(secret, placeholder)
    text = EMAIL.sub(lambda m: m[0] if m[2].lower() == "example.com" else f"user{m[1]}example.com", text)
    text = LOOPBACK.sub("sandbox.invalid", text)
    return ATLASSIAN_NET.sub("example.atlassian.net", text)


def scrub_body(body: Any, replacements: list[tuple[str, str]]) -> Any:
    if isinstance(body, bytes):
        try:
            return scrub_text(body.decode(), replacements).encode()
        except UnicodeDecodeError:
            return body
    return scrub_text(body, replacements) if isinstance(body, str) else body


def request_scrubber(replacements: list[tuple[str, str]]) -> Callable[[Any], Any]:
    """vcrpy runs this on every request it records, and on every request it looks up (so both match)."""

    def scrub(request: Any) -> Any:
        request.uri = scrub_text(request.uri, replacements)
        headers = {k: scrub_text(v, replacements) for k, v in request.headers.items()
                   if k.lower() in KEEP_REQUEST_HEADERS}  # fmt: skip
        if any(k.lower() == "authorization" for k in request.headers):
            headers["Authorization"] = "REDACTED"
        request.headers = headers
        request.body = scrub_body(request.body, replacements)
        return request

    return scrub


def response_scrubber(replacements: list[tuple[str, str]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def scrub(response: dict[str, Any]) -> dict[str, Any]:
        response["headers"] = {
            name: [scrub_text(v, replacements) for v in values]
            for name, values in response["headers"].items()
            if name.lower() in KEEP_RESPONSE_HEADERS
        }
        response["body"]["string"] = scrub_body(response["body"]["string"], replacements)
        return response

    return scrub


@pytest.fixture
def vcr_config(sites: dict[str, Site]) -> dict[str, Any]:
    replacements = [pair for site in sites.values() for pair in site.replacements]
    return {
        "match_on": ["method", "path", "query", "body"],  # not host/port: replays work on any base URL
        "decode_compressed_response": True,
        "before_record_request": request_scrubber(replacements),
        "before_record_response": response_scrubber(replacements),
    }


@pytest.fixture(autouse=True)
def every_recording_played(request: pytest.FixtureRequest, vcr: Any) -> Iterator[None]:
    """On replay a cassette must be used up: a recording the test no longer makes is a stale cassette."""
    yield
    if vcr is not None and not recording(request.config) and not vcr.all_played:
        unplayed = [f"{r.method} {r.path}" for i, r in enumerate(vcr.requests) if not vcr.play_counts[i]]
        pytest.fail(f"{vcr.path}: recorded but never requested: {unplayed}; re-record (nox -s record)")
