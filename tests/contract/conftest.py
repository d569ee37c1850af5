"""Prism mock servers of Atlassian's pinned specs, one per API the shipped tools use, started once per session.

Prism (npm `@stoplight/prism-cli` 5.14.2, in `.ci/prism`; `nox -s contract` installs it) validates every request
against the operation it routes to and reports request violations in the `sl-violations` response header (a JSON
list of {location, severity, code, message}; `location` starts with "request" or "response"), or in the body of
its own `422 application/problem+json` answer when the spec has no 400/422 response to give.

Specs. Each is the pinned spec (`codegen.specs.load_spec`: the bytes Atlassian serves, sha256-checked against
specs/specs.lock, without codegen's overrides but for endpoints no spec documents, see
`tests.spec_guard.add_undocumented_paths`), rewritten into a temporary directory, never under the repo:

* `example` strings that hold JSON are decoded (the Jira specs store most examples as JSON-encoded strings), so
  Prism answers with objects rather than with a JSON string.
* Only the paths the shipped tools use are kept (every method on them), with the components they reference and
  all security schemes: Prism resolves every path at start-up, and on 2 busy cores the whole confluence-v1 spec
  took 18-50 s alone against 6 s reduced. Validation is the same (same operation objects, same components); the
  whole specs (CONTRACT_FULL_SPECS=1) gave the same verdicts.
* 4xx/5xx responses lose their bodies: for an invalid request Prism answers the spec's 400/422 response, and when
  it cannot generate that body it answers `500 SCHEMA_TOO_COMPLEX` and the violations are lost. Without bodies,
  an invalid request always comes back as a 4xx; a 5xx can only mean Prism could not fake a success body.
* The path of the spec's server URL is prepended to every path and `servers` becomes `/`: Prism routes on the
  paths alone (it reads `servers` only for a `__server` query parameter), so each route is the full path a
  real site serves.

URL mapping. The server sends  product URL path + SDK base path (specs.lock `base_path`) + operation path,  and
a Prism route is  server path + operation path, so the product URL is the Prism origin + (server path minus SDK
base path), `Prism.site_url`:

    API            spec server URL                    SDK base path  a route                       product URL
    jira-platform  https://your-domain.atlassian.net  ""             /rest/api/3/issue/{key}       :P
    jira-dc        http://{baseurl}/rest              /rest          /rest/api/2/issue/{key}       :P
    confluence-v2  https://{your-domain}/wiki/api/v2  /wiki/api/v2   /wiki/api/v2/pages/{id}       :P/wiki
    confluence-v1  //your-domain.atlassian.net        ""             /wiki/rest/api/search         (the v2 site)
    confluence-dc  http://{baseurl}/confluence        ""             /confluence/rest/api/content  :P/confluence

(:P stands for http://127.0.0.1:P, P the port of that API's Prism; the product URL is JIRA_URL or CONFLUENCE_URL.)
(A Confluence Cloud URL is given with /wiki; the server strips it for the site root.) Confluence Cloud is one site
with two APIs (v2; v1 for CQL search) while one Prism serves one spec, so the tests' recording transport sends
`/wiki/rest/...` to the confluence-v1 mock: only the port changes. The URLs are forced to their deployment with
JIRA_DEPLOYMENT / CONFLUENCE_DEPLOYMENT (a loopback URL would otherwise mean Data Center).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from adapter import catalogue
from adapter.manifest import load_tools, operation_refs
from adapter.server import TENANT_INFO
from codegen.specs import load_lock, load_spec
from tests.spec_guard import add_undocumented_paths, described

PRISM = Path(__file__).resolve().parents[2] / ".ci" / "prism" / "node_modules" / ".bin" / "prism"
START_TIMEOUT = 120.0
REPORT = pytest.StashKey[list[str]]()


@dataclass
class Prism:
    """One running `prism mock` for one API."""

    api: str
    port: int
    server_path: str  # the path of the spec's server URL, now the prefix of every route
    process: subprocess.Popen[bytes]
    log: Path
    started: float = field(default_factory=time.monotonic)
    ready_after: float = 0.0

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def site_url(self) -> str:
        """The product URL at which the server's requests for this API land on this Prism's routes."""
        base_path = catalogue.catalogue(self.api)["base_path"]
        assert self.server_path.endswith(base_path), (self.api, self.server_path, base_path)
        return self.origin + self.server_path.removesuffix(base_path)

    @cached_property
    def _routes(self) -> list[tuple[int, str, str, re.Pattern[str]]]:
        routes = []
        for operation_id, entry in catalogue.catalogue(self.api)["operations"].items():
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(self.server_path + entry["path"]))
            routes.append(
                (entry["path"].count("{"), entry["method"], f"{self.api}/{operation_id}", re.compile(pattern))
            )
        return sorted(routes)  # literal segments win over templated ones, as in Prism's router

    def operation(self, method: str, path: str) -> str:
        """`<api>/<operationId>` of the generated operation whose method and path template match a request."""
        for _params, wanted, ref, pattern in self._routes:
            if wanted == method and pattern.fullmatch(path):
                return ref
        return f"{self.api}/? (no operation for {method} {path})"

    def log_tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])


CLOUD_ID = "5c0b8a1e-3d7f-4e2a-9b6c-1f0e2d3c4b5a"  # ATLASSIAN_OAUTH_CLOUD_ID of the Cloud cases: the Forms API's


def used_refs() -> set[str]:
    """Every operation a shipped tool calls or its handler uses, on either deployment, and the server's own."""
    refs = {TENANT_INFO}
    for tool in load_tools():
        for binding in tool.bindings.values():
            refs |= set(operation_refs(binding))
    return refs


def used_paths() -> dict[str, set[str]]:
    """API -> spec paths of the used operations."""
    paths: dict[str, set[str]] = {}
    for ref in used_refs():
        op = catalogue.find(ref)
        paths.setdefault(op.api, set()).add(op.entry["path"])
    return paths


def decode_examples(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "example" and isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
                with contextlib.suppress(ValueError):
                    node[key] = json.loads(value)
            else:
                decode_examples(value)
    elif isinstance(node, list):
        for item in node:
            decode_examples(item)


def local_refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(local_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(local_refs(item) for item in node))
    return set()


def referenced_components(spec: dict[str, Any]) -> dict[str, Any]:
    components = spec.get("components", {})
    kept: dict[str, dict[str, Any]] = {"securitySchemes": components.get("securitySchemes", {})}
    todo, seen = local_refs(spec["paths"]), set()
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        _hash, _components, kind, pointer = ref.split("/", 3)
        name = pointer.replace("~1", "/").replace("~0", "~")
        node = components[kind][name]
        kept.setdefault(kind, {})[name] = node
        todo |= local_refs(node)
    return kept


def prepare(spec: dict[str, Any], paths: set[str], full: bool) -> tuple[dict[str, Any], str]:
    """The spec as Prism serves it here (see the module docstring), and its server path."""
    decode_examples(spec)
    missing = sorted(paths - set(spec["paths"]))
    assert not missing, f"operations of the shipped tools missing from the spec: {missing}"
    server_path = urlsplit(spec["servers"][0]["url"]).path.rstrip("/").replace("{cloudId}", CLOUD_ID)
    kept = spec["paths"] if full else {path: spec["paths"][path] for path in sorted(paths)}
    for item in kept.values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                for code in operation["responses"]:
                    if code[0] in "45":
                        operation["responses"][code] = {"description": "body removed for the contract tests"}
    spec["paths"] = {server_path + path: item for path, item in kept.items()}
    spec["servers"] = [{"url": "/"}]
    if not full:
        spec["components"] = referenced_components(spec)
    return spec, server_path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_serving(prisms: dict[str, Prism]) -> None:
    """Until each Prism answers HTTP at all (its 404 for `/` will do)."""
    pending = dict(prisms)
    deadline = time.monotonic() + START_TIMEOUT
    while pending:
        for api, prism in list(pending.items()):
            if prism.process.poll() is not None:
                raise RuntimeError(f"Prism for {api} exited with {prism.process.returncode}:\n{prism.log_tail()}")
            try:
                httpx.get(prism.origin + "/", timeout=2)
            except httpx.TransportError:
                continue
            prism.ready_after = time.monotonic() - prism.started
            del pending[api]
        if pending and time.monotonic() > deadline:
            tails = "\n".join(f"{api}:\n{prism.log_tail()}" for api, prism in pending.items())
            raise RuntimeError(f"Prism not serving after {START_TIMEOUT:.0f} s:\n{tails}")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def prisms(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Iterator[dict[str, Prism]]:
    """API name -> its running Prism; all started in parallel, stopped at the end of the session."""
    if not PRISM.exists():
        pytest.skip(f"Prism is not installed at {PRISM}: run `nox -s contract`")
    full = os.environ.get("CONTRACT_FULL_SPECS") == "1"
    work = tmp_path_factory.mktemp("prism")
    pins = load_lock()
    started: dict[str, Prism] = {}
    try:
        for api, paths in sorted(used_paths().items()):
            spec, server_path = prepare(
                described(api) or add_undocumented_paths(load_spec(pins[api]), api), paths, full
            )
            spec_file, log = work / f"{api}.json", work / f"{api}.log"
            spec_file.write_text(json.dumps(spec))
            port = free_port()
            command = [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(spec_file)]
            with log.open("wb") as out:
                process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
            started[api] = Prism(api, port, server_path, process, log)
        wait_until_serving(started)
        summary = ", ".join(f"{api} {p.ready_after:.1f} s" for api, p in started.items())
        pytestconfig.stash.setdefault(REPORT, []).insert(
            0, f"Prism serving ({'whole' if full else 'reduced'} specs): {summary}"
        )
        yield started
    finally:
        for prism in started.values():
            prism.process.terminate()
        for prism in started.values():
            try:
                prism.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                prism.process.kill()
                prism.process.wait()


@pytest.fixture
def report(pytestconfig: pytest.Config) -> Callable[[str], None]:
    """Adds a line to the summary printed at the end of the run (what was validated, what the tools answered)."""
    return pytestconfig.stash.setdefault(REPORT, []).append


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    lines = config.stash.get(REPORT, [])
    if lines:
        terminalreporter.section("contract: the requests each case sent (Prism's status) and what the tool answered")
        for line in lines:
            terminalreporter.write_line(line)
