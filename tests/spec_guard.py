"""SpecGuard: every request the sandbox receives is validated against Atlassian's published spec of its operation.

Wrap the sandbox app (``SpecGuard(create_app(flavor), flavor)``) and hand the guard to ``httpx.ASGITransport``. For
each HTTP request the guard finds the spec and operation from the path prefix, validates the path, query, headers and
body with openapi-core, records what breaks the spec in ``violations``, and passes the request on to the app
unchanged. ``assert_clean()`` at the end of a test fails it for any violation.

Authentication is not checked here: ``security`` is stripped from the loaded specs (the sandbox checks credentials
itself, and the tests provoke 401s on purpose). Only the short ``ALLOWED`` list of spec defects passes, each one a
place where the spec rejects what the real product accepts; requests a test sends on purpose to break the spec
(to provoke the sandbox's 400/404) are exempted one by one with ``guard.exempt(...)``.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl

from openapi_core import Config, OpenAPI
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.paths.finders import APICallPathFinder
from openapi_core.testing import MockRequest
from starlette.applications import Starlette
from starlette.types import Message, Receive, Scope, Send

SPEC_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "specs"
HOST = "http://sandbox"  # requests are matched on their path; the host only has to agree with SERVERS
SERVERS = {  # the server URL each spec is given so that the sandbox's paths resolve against its `paths`
    "jira-platform": HOST,  # paths carry /rest/api/3
    "jira-software": HOST,  # paths carry /rest/agile/1.0
    "jsm": HOST,  # paths carry /rest/servicedeskapi (Cloud's spec; JSM Data Center serves the same paths)
    "confluence-v2": f"{HOST}/wiki/api/v2",
    "confluence-v1": HOST,  # paths carry /wiki/rest/api
    "confluence-dc@wiki": f"{HOST}/wiki",  # Cloud v1 content operations the Cloud v1 spec dropped (moved to v2)
    "jira-dc": f"{HOST}/jira/rest",  # the spec's server is http://{baseurl}/rest
    "confluence-dc": f"{HOST}/confluence",
    "jira-forms": HOST,  # the sandbox plays api.atlassian.com; /jira/forms/cloud/{cloudId} is cut off (specs_for)
}
FORMS_ROOT = re.compile(r"^/jira/forms/cloud/[^/]+(?=/)")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
Flavor = Literal["cloud", "datacenter"]


def specs_for(flavor: str, path: str) -> tuple[list[str], str]:
    """Which specs describe a sandbox path (tried in order), and the path to look it up as."""
    if flavor == "cloud":
        if path.startswith("/rest/api/2/"):  # Cloud REST v2 has no spec of its own: v3 has the same operations
            return ["jira-platform"], "/rest/api/3/" + path.removeprefix("/rest/api/2/")
        if path.startswith("/rest/api/3/"):
            return ["jira-platform"], path
        if path.startswith("/rest/agile/1.0/"):
            return ["jira-software"], path
        if path.startswith(("/rest/dev-status/", "/_edge/")):  # undocumented: see add_undocumented_paths
            return ["jira-platform"], path
        if FORMS_ROOT.match(path):  # the Forms API's paths are relative to its server .../cloud/{cloudId}
            return ["jira-forms"], FORMS_ROOT.sub("", path)
        if path.startswith("/wiki/api/v2/"):
            return ["confluence-v2"], path
        if path.startswith("/wiki/rest/api/"):
            return ["confluence-v1", "confluence-dc@wiki"], path
        if path.startswith("/rest/servicedeskapi/"):
            return ["jsm"], path
    elif path.startswith("/jira/rest/servicedeskapi/"):
        return ["jsm"], path.removeprefix("/jira")
    elif path.startswith("/jira/rest/"):
        return ["jira-dc"], path
    elif path.startswith("/confluence/"):
        return ["confluence-dc"], path
    return [], path


@cache
def api(name: str) -> OpenAPI:
    """The spec behind `name` ("spec" or "spec@server"), read once per process, with its servers set and no security."""
    spec = described(name) or raw_spec(SPEC_DIR / f"{name.partition('@')[0]}.json")
    return OpenAPI.from_dict(without_security(spec, SERVERS[name]), config=Config(spec_validator_cls=None))


def described(name: str) -> dict[str, Any] | None:
    """A described API's spec (not pinned: no published document in reach), which is its overrides alone."""
    from codegen.overrides import apply_overrides
    from codegen.specs import described_skeleton, load_lock

    pin = load_lock().get(name)
    if pin is None or not pin.described:
        return None
    spec = described_skeleton(pin)
    apply_overrides(spec, name)
    return spec


def operation_id(name: str, method: str, path: str) -> str:
    """The operationId the request was validated against (found as openapi-core's request validator finds it)."""
    operation = APICallPathFinder(api(name).spec).find(method.lower(), HOST + path).operation
    return (operation / "operationId").read_str() if "operationId" in operation else "-"


@cache
def raw_spec(file: Path) -> dict[str, Any]:
    if not file.is_file():
        raise FileNotFoundError(f"SpecGuard: Atlassian spec {file} is missing (expected in {SPEC_DIR})")
    spec: dict[str, Any] = json.loads(file.read_text())
    return add_undocumented_paths(spec, file.stem)


def add_undocumented_paths(spec: dict[str, Any], api: str) -> dict[str, Any]:
    """Atlassian's spec plus the endpoints it documents nowhere (e.g. Jira's /rest/dev-status), which codegen adds
    with whole-path `add` entries of specs/overrides/<api>.yaml, each with its reason. Only those: every other
    override corrects Atlassian's text, and requests are checked against Atlassian's text as published."""
    import jsonpatch

    from codegen.overrides import load_overrides

    for entry in load_overrides(api)[1]:
        pointer = str(entry["path"])
        if entry["op"] == "add" and pointer.startswith("/paths/") and pointer.count("/") == 2:
            jsonpatch.apply_patch(spec, [{k: v for k, v in entry.items() if k != "reason"}], in_place=True)
    return spec


def without_security(spec: dict[str, Any], server: str) -> dict[str, Any]:
    """A copy of the spec on `server` whose operations ask for no authentication."""
    spec = {**spec, "servers": [{"url": server}], "paths": copy.deepcopy(spec["paths"])}
    spec.pop("security", None)
    for item in spec["paths"].values():
        for method in METHODS:
            if isinstance(item.get(method), dict):
                item[method].pop("security", None)
    return spec


@dataclass(frozen=True)
class Allowance:
    """A known defect of a spec: it rejects a request the real product accepts (and our client sends so)."""

    spec: str  # regex (fullmatch) on the spec name
    operation: str  # regex (fullmatch) on the operationId
    where: str  # regex (fullmatch) on the error's location: "query fields", "body fields/summary", "body"...
    message: str  # regex (search) on the validator's message
    why: str


SERVLETS = (  # where Jira and Confluence serve attachment files, linked from their REST answers
    r"(/jira)?/secure/attachment/\d+/[^/]+",
    r"(/wiki|/confluence)/download/attachments/\d+/[^/]+",
)
ALLOWED = [  # each one checked against the spec text: the spec is wrong, our request is what the product takes
    Allowance(
        "jira-dc",
        "search_1",
        "query fields",
        r"^ParameterValidationError: Query parameter error: fields \(CastError: Failed to cast value to object type: ",
        "jira-dc spec: search_1's `fields` is `{type: array, items: StringList}` and StringList is `{type: object}`, "
        "so no field name (fields=summary,status) can be sent; Jira DC takes a comma-separated list of names.",
    ),
    Allowance(
        "jira-software|jira-dc",
        "getIssuesForBoard|getIssuesForSprint(_1)?",
        "query fields",
        r"^ParameterValidationError: Query parameter error: fields \(CastError: Failed to cast value to object type: ",
        "jira-software and jira-dc specs: the agile issue lists' `fields` is an array of `{type: object}` (jira-dc: "
        "StringList), so no field name can be sent; Jira takes a comma-separated list of names.",
    ),
    Allowance(
        "jira-dc",
        "search_1",
        "query expand",
        r"^ParameterValidationError: Query parameter error: expand \(DeserializeError: ",
        "jira-dc spec: search_1's `expand` is StringList, `{type: object}`, so expand=names cannot be sent; Jira DC "
        "takes a comma-separated list.",
    ),
    Allowance(
        "jira-software|jira-dc",
        "getAllSprints",
        "query state",
        r"^ParameterValidationError: Query parameter error: state \(DeserializeError: ",
        "jira-software and jira-dc specs: getAllSprints' `state` is `{type: object}` (jira-dc: StringList), yet the "
        "spec's own text says 'state=active,closed'; Jira takes that comma-separated string.",
    ),
    Allowance(
        "jira-dc",
        "createIssue|editIssue|createIssues",
        r"body (issueUpdates/\d+/)?fields/\w+",
        r" is not of type 'object'$",
        "jira-dc spec: IssueUpdateBean.fields is `additionalProperties: {type: object}`, so every field given as "
        "text, number or list (summary, description, labels, components) breaks it; Jira DC takes them so.",
    ),
    Allowance(
        "jira-dc",
        "createVersion|updateVersion",
        r"body (releaseDate|startDate)",
        r" is not a 'date-time'$",
        "jira-dc spec: VersionBean.releaseDate/startDate say `format: date-time`, but Jira DC takes and sends dates "
        "('2026-01-31'), as specs/overrides/jira-dc.yaml records.",
    ),
    Allowance(
        "jira-platform",
        "addAttachment",
        "body",
        r" is not of type 'array'$",
        "jira-platform spec: addAttachment's multipart body is `{type: array, items: MultipartFile}`, which no form "
        "(an object of parts) can match; Jira takes the files in parts named `file`.",
    ),
    Allowance(
        "jira-dc",
        "addAttachment",
        "body",
        r" is not of type 'string'$",
        "jira-dc spec: addAttachment's multipart body is `{type: string, format: binary}`, which no form (an object "
        "of parts) can match; Jira takes the files in parts named `file`.",
    ),
    Allowance(
        "confluence-dc",
        "createAttachments",
        "body minorEdit",
        r"^'(true|false)' is not of type 'boolean'$",
        "confluence-dc spec + openapi-core: MockAttachmentRequest.minorEdit is a boolean, but a multipart part is "
        "text and openapi-core does not cast form parts by their schema; Confluence reads 'true'/'false'.",
    ),
    Allowance(
        "confluence-v2",
        "createPage|updatePage|createFooterComment|createInlineComment",
        "body body",
        r" is valid under each of ",
        "confluence-v2 spec: the page body is `oneOf: [PageBodyWrite, PageNestedBodyWrite]` (a comment's "
        "`oneOf: [CommentBodyWrite, CommentNestedBodyWrite]`), two objects with no required properties that any "
        "object matches both of, so no body can match exactly one.",
    ),
    Allowance(
        "jira-platform|jira-dc",
        "assignIssue|assign",
        "body (accountId|name)",
        r"^None (for not nullable|is not of type 'string')$",
        "jira specs: the assign operation's own description says `accountId`/`name: null` unassigns the issue, but "
        "its body schema makes it a non-nullable string.",
    ),
    Allowance(
        "jira-platform",
        "submitBulkMove",
        r"body( targetToSourcesMapping/.+)?",
        r"^'(targetToMultipleSourceMapping|issueIdOrKeys)' is a required property$",
        "jira-platform spec: IssueBulkMovePayload and targetToSourcesMapping require `targetToMultipleSourceMapping` "
        "and `issueIdOrKeys`, names that are not among their properties (typos of the documented "
        "`targetToSourcesMapping` and `issueIdsOrKeys` that the spec's own example uses).",
    ),
    Allowance(
        "jira-dc",
        "search_1",
        "query expand",
        r"^ParameterValidationError: Query parameter error: expand \(DeserializeError: ",
        "jira-dc spec: search_1's `expand` is StringList, `{type: object}`, so `expand=names` cannot be sent; Jira DC "
        "takes a comma-separated list.",
    ),
    Allowance(
        "jira-dc",
        "addComment",
        r"body properties/\d+/value",
        r" is not of type 'string'$",
        "jira-dc spec: EntityPropertyBean.value is a string, but a property value is JSON; JSM's documented "
        '`sd.public.comment` property is `{"internal": true}`.',
    ),
    Allowance(
        "jira-platform|jira-dc",
        "addAttachment",
        "body",
        r" is not of type '(array|string)'$",
        "jira specs: the multipart/form-data upload body is given as an array of files (Cloud) or one binary string "
        "(Data Center), neither a form; Jira takes a form with one or more `file` parts.",
    ),
    Allowance(
        "jira-platform",
        "addWorklog",
        "body started",
        r" is not a 'date-time'$",
        "jira-platform spec: Worklog.started is `format: date-time` (RFC 3339), but Jira takes only "
        "yyyy-MM-dd'T'HH:mm:ss.SSSZ (+0100, no colon) and answers 400 'Invalid date format' to RFC 3339 offsets.",
    ),
]


@dataclass(frozen=True)
class Problem:
    """One way a request breaks its operation's spec."""

    spec: str
    operation: str
    method: str
    path: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.spec} {self.operation} {self.method} {self.path}: {self.where}: {self.message[:300]}"


@dataclass
class Exemption:
    """Requests a test breaks the spec with on purpose (to provoke the sandbox's 400/404)."""

    request: str  # regex (fullmatch) on "METHOD /path"
    problem: str  # regex (search) on "where: message" of the problem
    why: str
    used: int = 0

    def covers(self, problem: Problem) -> bool:
        return bool(
            re.fullmatch(self.request, f"{problem.method} {problem.path}")
            and re.search(self.problem, f"{problem.where}: {problem.message}")
        )


@dataclass
class SpecGuard:
    """ASGI middleware: validates each request against its operation in the spec, then runs the app on it."""

    app: Starlette
    flavor: Flavor
    violations: list[str] = field(default_factory=list)
    validated: Counter[str] = field(default_factory=Counter)  # requests checked, per spec
    allowed: Counter[str] = field(default_factory=Counter)  # problems the allow-list absorbed, per reason
    exempted: list[str] = field(default_factory=list)  # problems of requests a test broke on purpose
    _exemptions: list[Exemption] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not SPEC_DIR.is_dir():
            raise FileNotFoundError(f"SpecGuard: the Atlassian specs are missing: no directory {SPEC_DIR}")

    @property
    def state(self) -> Any:
        """The wrapped app's state (`guard.state.sandbox` is the sandbox), so the guard stands in for the app."""
        return self.app.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        self.check(scope["method"], scope["path"], scope["query_string"].decode("latin-1"), headers, body)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def check(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> None:
        """Validate one request and record its problems (all but the allowed and exempted ones become violations)."""
        problems = list(self.problems(method, path, query, headers, body))
        for problem in problems:
            reason = next((a.why for a in ALLOWED if allows(a, problem)), None)
            exemption = next((e for e in self._exemptions if e.covers(problem)), None)
            if reason:
                self.allowed[reason] += 1
            elif exemption:
                exemption.used += 1
                self.exempted.append(f"{problem} (exempt: {exemption.why})")
            else:
                self.violations.append(str(problem))

    def problems(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> Iterator[Problem]:
        names, lookup = specs_for(self.flavor, path)
        if method == "GET" and any(re.fullmatch(servlet, path) for servlet in SERVLETS):
            return  # file downloads outside the REST APIs: no spec describes them
        if not names:
            yield Problem("-", "-", method, path, "<operation>", "no spec describes this path")
            return
        args: dict[str, list[str]] = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            args.setdefault(key, []).append(value)
        content_type = headers.get("content-type", "application/json")
        if not content_type.startswith("multipart/"):  # multipart needs its boundary parameter to be parsed
            content_type = content_type.split(";")[0].strip()
        for index, name in enumerate(names):
            request = MockRequest(
                HOST, method, lookup, args=args, headers=headers, data=body or None, content_type=content_type
            )
            errors = list(api(name).iter_request_errors(request))
            missing = next((e for e in errors if isinstance(e, PathError)), None)
            if missing and index + 1 < len(names):
                continue  # not in this spec: try the next one
            if missing:
                yield Problem(name, "-", method, path, "<operation>", f"{type(missing).__name__}: {missing}")
                return
            self.validated[name] += 1
            operation = operation_id(name, method, lookup) if errors else ""  # only named when something is wrong
            for error in errors:
                for where, message in describe(error):
                    yield Problem(name, operation, method, path, where, message)
            return

    def exempt(self, request: str, problem: str, *, why: str) -> None:
        """From now on, `problem` (regex on "where: message") in requests matching `request` (regex on "METHOD /path")
        is expected: the test breaks the spec on purpose. assert_clean() fails if the exemption was never used."""
        self._exemptions.append(Exemption(request, problem, why))

    def assert_clean(self) -> None:
        """Fail if any request broke its spec beyond the allow-list and the test's exemptions."""
        unused = [
            f"  exempt({e.request!r}, {e.problem!r}) matched nothing: drop it" for e in self._exemptions if not e.used
        ]
        if self.violations or unused:
            listed = "\n".join([f"  {v}" for v in self.violations[:40]] + unused)
            raise AssertionError(f"{len(self.violations)} request problem(s) against Atlassian's spec:\n{listed}")


def allows(allowance: Allowance, problem: Problem) -> bool:
    return bool(
        re.fullmatch(allowance.spec, problem.spec)
        and re.fullmatch(allowance.operation, problem.operation)
        and re.fullmatch(allowance.where, problem.where)
        and re.search(allowance.message, problem.message)
    )


def describe(error: Exception) -> Iterator[tuple[str, str]]:
    """(where, message) for each schema error under an openapi-core request error; the error itself otherwise."""
    name = getattr(error, "name", None)
    location = getattr(error, "location", None)
    where = f"{location} {name}" if name and location else "body" if "body" in type(error).__name__.lower() else ""
    schema_errors = list(getattr(error.__cause__, "schema_errors", None) or [])
    if not schema_errors:
        cause = f" ({type(error.__cause__).__name__}: {error.__cause__})" if error.__cause__ else ""
        yield where or "<request>", f"{type(error).__name__}: {error}{cause}"
        return
    for sub in schema_errors:
        inner = "/".join(str(p) for p in getattr(sub, "absolute_path", ()))
        yield f"{where} {inner}".strip() if inner else where, str(getattr(sub, "message", sub))
