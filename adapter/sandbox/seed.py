"""The sandbox's one data set, and the rich-text renderers that show it as each product and flavour would.

One logical site (users, projects, issues, boards, spaces, pages) is built per flavour: Cloud stores Jira rich
text as ADF and names users by accountId, Data Center stores wiki markup and names users by username, and
Confluence bodies are storage XHTML on both. Every timestamp is an offset from `now`, so with the default
clock the data is byte-for-byte the same on every run, and relative JQL (`updated >= -7d`) keeps its meaning.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

Flavor = Literal["cloud", "datacenter"]
JSON = Any

BASE_NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
"""The default clock: a fixed Monday morning, so seeded data and new timestamps are deterministic."""

# --- the model -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    """A person; `key` is the logical id and also the Data Center username."""

    key: str
    display_name: str
    email: str
    account_id: str  # Cloud
    jira_key: str  # Data Center user key
    confluence_key: str  # Confluence Data Center userKey
    time_zone: str = "Europe/Berlin"


@dataclass(frozen=True)
class IssueType:
    id: int
    name: str
    description: str
    subtask: bool = False
    hierarchy: int = 0


@dataclass(frozen=True)
class Status:
    id: int
    name: str
    category: Literal["new", "indeterminate", "done"]


@dataclass(frozen=True)
class Transition:
    """A workflow edge; ids are stable and the same on both flavours (available only from `source`)."""

    id: str
    name: str
    source: str
    target: str


@dataclass(frozen=True)
class Version:
    id: int
    name: str
    released: bool
    release_date: date | None = None


@dataclass
class Project:
    id: int
    key: str
    name: str
    type_key: Literal["software", "service_desk", "business"]
    lead: str
    issue_types: list[str]
    description: str = ""
    components: list[str] = field(default_factory=list)
    versions: list[Version] = field(default_factory=list)
    visible: bool = True  # False: the sandbox user cannot browse it (404 everywhere, never in search)
    writable: bool = True  # False: reads work, writes answer 403


@dataclass
class Board:
    id: int
    name: str
    type: Literal["scrum", "kanban"]
    project: str


@dataclass
class Sprint:
    id: int
    name: str
    state: Literal["closed", "active", "future"]
    board: int
    goal: str = ""
    start: datetime | None = None
    end: datetime | None = None
    complete: datetime | None = None


RichText = dict[str, Any] | str
"""Jira rich text as written: an ADF document (dict) or wiki markup (str)."""


@dataclass
class Comment:
    id: int
    author: str
    body: RichText
    created: datetime
    updated: datetime
    update_author: str
    visibility: dict[str, str] | None = None


@dataclass
class Worklog:
    id: int
    author: str
    seconds: int
    started: datetime
    created: datetime
    comment: RichText | None = None


@dataclass
class Attachment:
    id: int
    filename: str
    author: str
    created: datetime
    size: int
    mime_type: str


@dataclass
class Issue:
    id: int
    key: str
    project: str
    issue_type: str
    summary: str
    status: str
    priority: str
    reporter: str
    created: datetime
    updated: datetime
    assignee: str | None = None
    description: RichText | None = None
    labels: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    fix_versions: list[str] = field(default_factory=list)
    resolution: str | None = None
    resolution_date: datetime | None = None
    due: date | None = None
    parent: str | None = None  # the epic or, for subtasks, the parent issue
    sprints: list[int] = field(default_factory=list)
    story_points: float | None = None
    environment: RichText | None = None
    comments: list[Comment] = field(default_factory=list)
    worklogs: list[Worklog] = field(default_factory=list)
    watchers: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


@dataclass
class IssueLink:
    """`source` <type.outward> `target`, e.g. PROJ-4 blocks PROJ-3 (the request's inwardIssue is the source)."""

    id: int
    type: str
    source: str
    target: str


@dataclass(frozen=True)
class LinkType:
    id: int
    name: str
    inward: str
    outward: str


@dataclass
class Space:
    id: int
    key: str
    name: str
    description: str
    homepage: int | None
    created: datetime
    author: str
    visible: bool = True


@dataclass
class PageAttachment:
    id: int
    title: str
    media_type: str
    size: int


@dataclass
class Page:
    """A Confluence page or blog post; `body` is storage XHTML."""

    id: int
    type: Literal["page", "blogpost"]
    space: str
    title: str
    body: str
    created: datetime
    author: str
    modified: datetime
    modifier: str
    parent: int | None = None
    version: int = 1
    version_message: str = ""
    labels: list[str] = field(default_factory=list)
    attachments: list[PageAttachment] = field(default_factory=list)
    status: str = "current"


@dataclass
class SeedData:
    flavor: Flavor
    now: datetime
    users: list[User]
    issue_types: list[IssueType]
    statuses: list[Status]
    transitions: list[Transition]
    priorities: list[str]
    resolutions: list[str]
    link_types: list[LinkType]
    projects: list[Project]
    boards: list[Board]
    sprints: list[Sprint]
    issues: list[Issue]
    links: list[IssueLink]
    spaces: list[Space]
    pages: list[Page]


# --- the data --------------------------------------------------------------------------------------------

USERS = [
    User("sandbox", "Sandbox User", "sandbox@example.com", "5d5f7a1b2c3d4e5f60718290", "JIRAUSER10000",
         "2c9180827a1b2c3d017a1b2c3d4e0000", "UTC"),
    User("alice", "Alice Anders", "alice@example.com", "5d5f7a1b2c3d4e5f60718291", "JIRAUSER10100",
         "2c9180827a1b2c3d017a1b2c3d4e0001"),
    User("bob", "Bob Brown", "bob@example.com", "5d5f7a1b2c3d4e5f60718292", "JIRAUSER10101",
         "2c9180827a1b2c3d017a1b2c3d4e0002", "America/New_York"),
]  # fmt: skip

ISSUE_TYPES = [
    IssueType(10000, "Epic", "A big user story that needs to be broken down.", hierarchy=1),
    IssueType(10001, "Story", "Functionality or a feature expressed as a user goal."),
    IssueType(10002, "Task", "A small, distinct piece of work."),
    IssueType(10003, "Bug", "A problem or error."),
    IssueType(10004, "Subtask", "A small piece of work that's part of a larger task.", subtask=True, hierarchy=-1),
    IssueType(10005, "Service Request", "Ask for help or for something to be set up."),
    IssueType(10006, "Incident", "A system or service is down or degraded."),
]

STATUSES = [Status(10000, "To Do", "new"), Status(3, "In Progress", "indeterminate"), Status(10001, "Done", "done")]

TRANSITIONS = [
    Transition("21", "Start Progress", "To Do", "In Progress"),
    Transition("31", "Done", "To Do", "Done"),
    Transition("11", "Stop Progress", "In Progress", "To Do"),
    Transition("31", "Done", "In Progress", "Done"),
    Transition("41", "Reopen", "Done", "To Do"),
]

PRIORITIES = ["Highest", "High", "Medium", "Low", "Lowest"]  # ids 1..5
RESOLUTIONS = ["Done", "Won't Do", "Duplicate"]  # ids 10000..

LINK_TYPES = [
    LinkType(10000, "Blocks", "is blocked by", "blocks"),
    LinkType(10001, "Cloners", "is cloned by", "clones"),
    LinkType(10002, "Duplicate", "is duplicated by", "duplicates"),
    LinkType(10003, "Relates", "relates to", "relates to"),
]


def _projects() -> list[Project]:
    software = ["Epic", "Story", "Task", "Bug", "Subtask"]
    return [
        Project(10000, "PROJ", "Sandbox Project", "software", "alice", software, "The web shop: checkout and orders.",
                ["Backend", "Frontend", "API"], [Version(10000, "1.0", True, date(2026, 9, 30)),
                                                 Version(10001, "1.1", False, date(2026, 12, 15))]),
        Project(10001, "SUP", "Support Desk", "service_desk", "bob", ["Service Request", "Incident", "Task"],
                "Internal IT help desk."),
        Project(10002, "OPS", "Operations", "business", "sandbox", ["Task", "Subtask"], "Infrastructure chores."),
        Project(10003, "READONLY", "Read-only Archive", "software", "alice", ["Task", "Bug"],
                "Archived project: browse only.", writable=False),
        Project(10004, "SECRET", "Secret Project", "software", "alice", ["Task"], "Not for your eyes.", visible=False),
    ]  # fmt: skip


# ADF builders (the seed is written once, in ADF, and rendered to wiki markup for Data Center).


def doc(*blocks: JSON) -> JSON:
    return {"type": "doc", "version": 1, "content": list(blocks)}


def para(*inlines: JSON | str) -> JSON:
    return {"type": "paragraph", "content": [txt(i) if isinstance(i, str) else i for i in inlines]}


def txt(text: str, *marks: str) -> JSON:
    node: JSON = {"type": "text", "text": text}
    if marks:
        node["marks"] = [{"type": m} for m in marks]
    return node


def link(text: str, href: str) -> JSON:
    return {"type": "text", "text": text, "marks": [{"type": "link", "attrs": {"href": href}}]}


def mention(user: str) -> JSON:
    """A mention by logical user key; `build` swaps in the flavour's user reference."""
    return {"type": "mention", "attrs": {"id": user, "text": "@" + user}}


def heading(level: int, text: str) -> JSON:
    return {"type": "heading", "attrs": {"level": level}, "content": [txt(text)]}


def bullets(*items: str | JSON, ordered: bool = False) -> JSON:
    return {
        "type": "orderedList" if ordered else "bulletList",
        "content": [{"type": "listItem", "content": [para(i) if isinstance(i, str) else i]} for i in items],
    }


def code(language: str, text: str) -> JSON:
    return {"type": "codeBlock", "attrs": {"language": language}, "content": [txt(text)]}


def panel(kind: str, *blocks: JSON) -> JSON:
    return {"type": "panel", "attrs": {"panelType": kind}, "content": list(blocks)}


def table(header: list[str], *rows: list[str]) -> JSON:
    def row(cells: list[str], cell_type: str) -> JSON:
        return {"type": "tableRow", "content": [{"type": cell_type, "content": [para(c)]} for c in cells]}

    return {"type": "table", "content": [row(header, "tableHeader"), *(row(r, "tableCell") for r in rows)]}


def media(filename: str) -> JSON:
    """An image attachment shown inline (ADF media nodes carry an opaque file id; `alt` keeps the file name)."""
    file_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "sandbox:" + filename))
    node = {"type": "media", "attrs": {"type": "file", "id": file_id, "collection": "", "alt": filename}}
    return {"type": "mediaSingle", "attrs": {"layout": "center"}, "content": [node]}


@dataclass
class _IssueSeed:
    """One issue as written down: offsets in days before `now`, rich text in ADF."""

    key: str
    issue_type: str
    summary: str
    status: str
    priority: str
    assignee: str | None
    reporter: str
    age: float
    touched: float
    description: JSON | None = None
    labels: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    fix_versions: list[str] = field(default_factory=list)
    parent: str | None = None
    sprints: list[int] = field(default_factory=list)
    points: float | None = None
    due: int | None = None  # days after now
    comments: list[tuple[str, float, JSON]] = field(default_factory=list)
    worklogs: list[tuple[str, float, int, str]] = field(default_factory=list)
    watchers: list[str] = field(default_factory=list)
    attachments: list[tuple[str, str, int, str]] = field(default_factory=list)


def _issue_seeds() -> list[_IssueSeed]:
    S = _IssueSeed  # noqa: N806
    return [
        S("PROJ-1", "Epic", "Checkout revamp", "In Progress", "High", "alice", "sandbox", 40, 2,
          doc(heading(2, "Goal"),
              para("Make checkout ", txt("fast", "strong"), " and ", txt("boring", "em"), ": fewer steps, more payment "
                   "methods, no surprises."),
              heading(3, "Scope"),
              bullets("Apple Pay and Google Pay", "Saved cards for returning customers", "One-page checkout on mobile"),
              panel("info", para("Design doc: ", link("Checkout v2", "https://example.com/docs/checkout-v2"))),
              para("Owner: ", mention("alice"))),
          labels=["checkout", "q4"], components=["Frontend", "Backend"], fix_versions=["1.1"],
          comments=[("bob", 30, doc(para("Do we keep PayPal in scope? ", mention("alice"))))],
          watchers=["sandbox", "alice"]),
        S("PROJ-2", "Story", "Add Apple Pay to checkout", "In Progress", "High", "alice", "sandbox", 20, 1,
          doc(heading(2, "User story"),
              para("As a shopper on iOS I want to ", txt("pay with Apple Pay", "strong"),
                   " so that I do not type my card number."),
              heading(3, "Acceptance criteria"),
              bullets("The button shows only on supported devices", "Payment sheet lists the order total",
                      "Failures fall back to the card form", ordered=True),
              table(["Environment", "Merchant id", "Status"], ["staging", "merchant.com.example.staging", "ready"],
                    ["production", "merchant.com.example", "pending"]),
              code("javascript", "const session = new ApplePaySession(3, request);\nsession.begin();"),
              panel("warning", para("Domain verification file must be served from ", txt("/.well-known/", "code"))),
              para("Backend work: ", mention("bob"), ". See ",
                   link("Apple Pay JS", "https://developer.apple.com/documentation/apple_pay_on_the_web"), "."),
              media("applepay-sheet.png")),
          labels=["checkout", "payments"], components=["Frontend"], fix_versions=["1.1"], parent="PROJ-1",
          sprints=[2], points=5,
          comments=[("bob", 6, doc(para("Merchant validation endpoint is up on staging."))),
                    ("alice", 4, doc(para("Thanks! Wiring the button now."),
                                     code("bash", "curl -X POST https://staging.example.com/applepay/validate"))),
                    ("sandbox", 1, doc(para("Demo went well, ", mention("alice"), ".")))],
          worklogs=[("alice", 5, 3 * 3600, "Button and payment sheet"), ("bob", 6, 5400, "Merchant validation")],
          watchers=["sandbox", "alice", "bob"],
          attachments=[("applepay-sheet.png", "alice", 48213, "image/png"),
                       ("merchant-cert.txt", "bob", 1204, "text/plain")]),
        S("PROJ-3", "Story", "Save cards for returning customers", "To Do", "Medium", "bob", "alice", 18, 3,
          doc(para("Store a token, never the card number."),
              bullets("Opt-in checkbox", "Delete saved card from profile")),
          labels=["checkout"], components=["Backend"], parent="PROJ-1", sprints=[2], points=8),
        S("PROJ-4", "Bug", "Checkout button unresponsive on Safari 17", "To Do", "Highest", "sandbox", "bob", 9, 2,
          doc(heading(3, "Steps to reproduce"),
              bullets("Open the cart in Safari 17", "Click *Checkout*", "Nothing happens", ordered=True),
              heading(3, "Console"),
              code("text", "TypeError: undefined is not an object (evaluating 'window.PaymentRequest.prototype')\n"
                           "    at checkout.js:212:18"),
              panel("error", para("Blocks the Apple Pay rollout."))),
          labels=["bug-bash", "safari"], components=["Frontend"], parent="PROJ-1", sprints=[2], points=2,
          comments=[("alice", 8, doc(para("Reproduced on macOS 14.4."))),
                    ("sandbox", 2, doc(para("Looks like a polyfill ordering issue.")))],
          watchers=["sandbox"]),
        S("PROJ-5", "Task", "Upgrade payment SDK to v5", "Done", "Medium", "sandbox", "alice", 35, 15,
          doc(para("Bump ", txt("payments-sdk", "code"), " from 4.8 to 5.2 and drop the deprecated calls.")),
          labels=["payments", "tech-debt"], components=["Backend"], fix_versions=["1.0"], sprints=[1], points=3,
          worklogs=[("sandbox", 16, 4 * 3600, "Upgrade and fix call sites")]),
        S("PROJ-6", "Bug", "Tax rounding off by one cent", "Done", "High", "bob", "sandbox", 33, 16,
          doc(para("Totals such as 19.995 round down instead of half-up."),
              code("python", "Decimal('19.995').quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)")),
          labels=["billing"], components=["Backend"], fix_versions=["1.0"], sprints=[1], points=2),
        S("PROJ-7", "Story", "Order history page", "To Do", "Medium", None, "alice", 12, 12,
          doc(para("List past orders with status and a re-order button.")),
          labels=["frontend"], components=["Frontend"], sprints=[3], points=5),
        S("PROJ-8", "Task", "Write API docs for the orders endpoint", "To Do", "Low", "alice", "alice", 25, 10,
          doc(para("OpenAPI description plus examples for ", txt("GET /orders/{id}", "code"), ".")),
          components=["API"]),
        S("PROJ-9", "Subtask", "Apple Pay: merchant validation endpoint", "In Progress", "High", "bob", "alice", 15, 3,
          doc(para("POST /applepay/validate proxies to Apple with the merchant certificate.")), parent="PROJ-2"),
        S("PROJ-10", "Subtask", "Apple Pay: payment button component", "To Do", "Medium", "alice", "alice", 15, 5,
          None, parent="PROJ-2"),
        S("PROJ-11", "Epic", "Observability", "To Do", "Medium", "bob", "bob", 30, 7,
          doc(para("Traces, metrics and alerts for the order pipeline.")), labels=["q1"]),
        S("PROJ-12", "Bug", "Memory leak in order worker", "In Progress", "High", "sandbox", "bob", 6, 0.5,
          doc(para("RSS grows ~40 MB/hour until the pod is OOM-killed."),
              table(["Build", "RSS after 6h"], ["2.3.0", "310 MB"], ["2.4.0", "540 MB"]),
              code("text", "Killed process 4242 (order-worker) total-vm:2097152kB")),
          labels=["performance"], components=["Backend"], parent="PROJ-11", sprints=[2], points=3,
          comments=[("bob", 1, doc(para("Heap dump attached to the incident.")))],
          watchers=["bob"]),
        S("PROJ-13", "Task", "Flaky test: test_checkout_total", "To Do", "Lowest", None, "sandbox", 4, 4,
          doc(para("Fails about 1 in 20 runs on CI.")), labels=["flaky", "ci"], due=10),
        S("SUP-1", "Service Request", "Reset VPN access for new hire", "To Do", "Medium", "bob", "alice", 3, 3,
          doc(para("New hire starts Monday; needs VPN and Jira access."))),
        S("SUP-2", "Incident", "Customers report 502 on checkout", "Done", "Highest", "sandbox", "bob", 11, 9,
          doc(para("Load balancer returned 502 for 14 minutes."),
              bullets("Detected 09:12 UTC", "Mitigated 09:26 UTC")),
          labels=["incident"],
          comments=[("sandbox", 10, doc(para("Root cause: a bad config push; rolled back."))),
                    ("bob", 9, doc(para("Post-mortem scheduled.")))]),
        S("SUP-3", "Service Request", "Add Alice to the finance group", "In Progress", "Low", "sandbox", "alice", 2, 1,
          None),
        S("OPS-1", "Task", "Rotate TLS certificates", "To Do", "High", "sandbox", "sandbox", 8, 8,
          doc(para("Certificates expire soon; rotate on all load balancers.")), labels=["security"], due=5),
        S("OPS-2", "Task", "Increase worker memory limits", "In Progress", "Medium", "bob", "sandbox", 5, 2,
          doc(para("Temporary mitigation for the order worker leak."))),
        S("OPS-3", "Task", "Quarterly disaster recovery drill", "Done", "Medium", "alice", "alice", 45, 20,
          doc(para("Restore the database from backup into the DR region.")),
          worklogs=[("alice", 21, 6 * 3600, "Drill")]),
        S("READONLY-1", "Task", "Legacy migration notes", "Done", "Low", "alice", "alice", 300, 200,
          doc(para("Notes from the 2025 migration."))),
        S("READONLY-2", "Bug", "Old reporting bug", "To Do", "Low", "bob", "bob", 280, 250,
          doc(para("Monthly report misses the last day."))),
        S("SECRET-1", "Task", "Acquisition shortlist", "To Do", "High", "alice", "alice", 14, 1,
          doc(para("Confidential."))),
        S("SECRET-2", "Task", "Board meeting prep", "In Progress", "Medium", "alice", "alice", 7, 1, None),
    ]  # fmt: skip


def _page_bodies() -> dict[str, str]:
    """Storage XHTML; `@@user:KEY@@` becomes the flavour's user reference."""
    return {
        "home": "<p>Welcome to the <strong>Development</strong> space.</p>"
        '<ac:structured-macro ac:name="toc" ac:schema-version="1"><ac:parameter ac:name="maxLevel">2'
        "</ac:parameter></ac:structured-macro><h2>Start here</h2><ul><li>Guides</li><li>Meeting notes</li></ul>",
        "guides": "<p>How we build, ship and run things.</p>"
        '<ac:structured-macro ac:name="children" ac:schema-version="2" />',
        "deploy": '<ac:structured-macro ac:name="toc" ac:schema-version="1" />'
        "<h1>Deploy guide</h1>"
        '<p>Status: <ac:structured-macro ac:name="status" ac:schema-version="1">'
        '<ac:parameter ac:name="colour">Green</ac:parameter><ac:parameter ac:name="title">CURRENT</ac:parameter>'
        "</ac:structured-macro> Owner: <ac:link>@@user:alice@@</ac:link></p>"
        '<ac:structured-macro ac:name="info" ac:schema-version="1"><ac:rich-text-body>'
        "<p>Deploys are frozen on Fridays after 14:00.</p></ac:rich-text-body></ac:structured-macro>"
        "<h2>Steps</h2><ol><li>Merge to <code>main</code></li><li>Wait for the pipeline</li>"
        "<li>Run the deploy script</li></ol>"
        '<ac:structured-macro ac:name="code" ac:schema-version="1"><ac:parameter ac:name="language">bash'
        "</ac:parameter><ac:plain-text-body><![CDATA[./deploy.sh --env production --version 2.4.0]]>"
        "</ac:plain-text-body></ac:structured-macro>"
        "<h2>Environments</h2><table><tbody><tr><th>Environment</th><th>URL</th></tr>"
        "<tr><td>staging</td><td>https://staging.example.com</td></tr>"
        "<tr><td>production</td><td>https://shop.example.com</td></tr></tbody></table>"
        "<h2>Checklist</h2><ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete"
        "</ac:task-status><ac:task-body>Announce in #deploys</ac:task-body></ac:task><ac:task><ac:task-id>2"
        "</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body>Watch the dashboards for 30 minutes"
        "</ac:task-body></ac:task></ac:task-list>"
        "<h2>Known issues</h2><p>"
        '<ac:structured-macro ac:name="jira" ac:schema-version="1"><ac:parameter ac:name="server">Sandbox Jira'
        '</ac:parameter><ac:parameter ac:name="key">PROJ-4</ac:parameter></ac:structured-macro></p>'
        '<p><ac:image ac:alt="Pipeline"><ri:attachment ri:filename="pipeline.png" /></ac:image></p>',
        "runbook": "<h2>When the order worker is OOM-killed</h2>"
        '<ac:structured-macro ac:name="warning" ac:schema-version="1"><ac:rich-text-body><p>Page the on-call '
        "first.</p></ac:rich-text-body></ac:structured-macro>"
        '<ac:structured-macro ac:name="code" ac:schema-version="1"><ac:parameter ac:name="language">bash'
        "</ac:parameter><ac:plain-text-body><![CDATA[kubectl -n shop rollout restart deploy/order-worker]]>"
        "</ac:plain-text-body></ac:structured-macro><p>Escalate to <ac:link>@@user:bob@@</ac:link>.</p>",
        "architecture": "<p>The shop is a set of services behind one gateway.</p>"
        "<table><tbody><tr><th>Service</th><th>Owner</th></tr><tr><td>checkout</td><td>Alice</td></tr>"
        "<tr><td>orders</td><td>Bob</td></tr></tbody></table>",
        "standards": "<p>Python: ruff and mypy. JavaScript: eslint and prettier.</p>",
        "notes": "<p>Attendees: <ac:link>@@user:alice@@</ac:link>, <ac:link>@@user:bob@@</ac:link></p>"
        "<ul><li>Apple Pay demo</li><li>Order worker leak</li></ul>",
        "blog": "<p>Release <strong>2.4</strong> ships Apple Pay on staging and fixes tax rounding.</p>",
        "ops-home": "<p>Runbooks and on-call for the operations team.</p>",
        "oncall": "<table><tbody><tr><th>Week</th><th>Primary</th></tr><tr><td>45</td><td>Bob</td></tr>"
        "<tr><td>46</td><td>Alice</td></tr></tbody></table>",
        "secret": "<p>Nothing to see here.</p>",
    }


# --- building a flavour ----------------------------------------------------------------------------------


def user_by_any(users: Iterable[User], ref: str) -> User | None:
    """The user a reference names: logical key, accountId, username, Jira key, Confluence key or e-mail."""
    for user in users:
        if ref in (user.key, user.account_id, user.jira_key, user.confluence_key, user.email):
            return user
    return None


def build(flavor: Flavor, now: datetime = BASE_NOW) -> SeedData:
    """The whole data set for one flavour, with timestamps counted back from `now`."""

    def ago(days: float) -> datetime:
        return (now - timedelta(days=days)).replace(microsecond=0)

    def rich(value: JSON) -> RichText:
        resolved = _map_mentions(value, lambda key: _mention_id(flavor, key))
        return resolved if flavor == "cloud" else adf_to_wiki(resolved, flavor)

    sprints = [
        Sprint(1, "PROJ Sprint 1", "closed", 1, "Payments groundwork", ago(28), ago(14), ago(14)),
        Sprint(2, "PROJ Sprint 2", "active", 1, "Ship Apple Pay on staging", ago(7), ago(-7)),
        Sprint(3, "PROJ Sprint 3", "future", 1, ""),
    ]
    issues: list[Issue] = []
    comment_id, worklog_id, attachment_id = 10100, 10200, 10400
    for number, seed in enumerate(_issue_seeds(), start=10001):
        issue = Issue(
            id=number, key=seed.key, project=seed.key.split("-")[0], issue_type=seed.issue_type,
            summary=seed.summary, status=seed.status, priority=seed.priority, reporter=seed.reporter,
            created=ago(seed.age), updated=ago(seed.touched), assignee=seed.assignee,
            description=rich(seed.description) if seed.description is not None else None,
            labels=list(seed.labels), components=list(seed.components), fix_versions=list(seed.fix_versions),
            resolution="Done" if seed.status == "Done" else None,
            resolution_date=ago(seed.touched) if seed.status == "Done" else None,
            due=(now + timedelta(days=seed.due)).date() if seed.due is not None else None,
            parent=seed.parent, sprints=list(seed.sprints), story_points=seed.points,
            watchers=list(seed.watchers) or [seed.reporter],
        )  # fmt: skip
        for author, days, body in seed.comments:
            comment_id += 1
            issue.comments.append(Comment(comment_id, author, rich(body), ago(days), ago(days), author))
        for author, days, seconds, text in seed.worklogs:
            worklog_id += 1
            issue.worklogs.append(Worklog(worklog_id, author, seconds, ago(days), ago(days), rich(doc(para(text)))))
        for filename, author, size, mime in seed.attachments:
            attachment_id += 1
            issue.attachments.append(Attachment(attachment_id, filename, author, ago(seed.age - 1), size, mime))
        issues.append(issue)
    links = [
        IssueLink(10300, "Blocks", "PROJ-4", "PROJ-3"),
        IssueLink(10301, "Relates", "PROJ-12", "OPS-2"),
        IssueLink(10302, "Relates", "SUP-2", "PROJ-4"),
    ]
    users = {u.key: u for u in USERS}

    def storage(name: str) -> str:
        def ref(match: re.Match[str]) -> str:
            user = users[match.group(1)]
            if flavor == "cloud":
                return f'<ri:user ri:account-id="{user.account_id}" />'
            return f'<ri:user ri:userkey="{user.confluence_key}" />'

        return re.sub(r"@@user:(\w+)@@", ref, _page_bodies()[name])

    def page(pid: int, kind: Literal["page", "blogpost"], space: str, title: str, body: str, age: float,
             parent: int | None = None, version: int = 1, labels: Iterable[str] = (),
             author: str = "alice", modifier: str = "alice") -> Page:  # fmt: skip
        return Page(pid, kind, space, title, storage(body), ago(age), author, ago(max(age - version + 1, 0.25)),
                    modifier, parent, version, labels=list(labels))  # fmt: skip

    pages = [
        page(65537, "page", "DEV", "Development Home", "home", 120, version=3, labels=["home"]),
        page(65538, "page", "DEV", "Guides", "guides", 100, 65537, labels=["howto"]),
        page(65539, "page", "DEV", "Deploy guide", "deploy", 90, 65538, version=4, labels=["deploy", "howto"],
             modifier="bob"),
        page(65540, "page", "DEV", "Runbook: order worker", "runbook", 20, 65538, version=2,
             labels=["runbook", "howto"], author="bob", modifier="bob"),
        page(65541, "page", "DEV", "Architecture overview", "architecture", 80, 65537, labels=["architecture"]),
        page(65542, "page", "DEV", "Coding standards", "standards", 70, 65537, labels=["howto"], author="sandbox",
             modifier="sandbox"),
        page(65543, "page", "DEV", "Meeting notes 2026-10-19", "notes", 14, 65537, labels=["meeting-notes"]),
        page(65544, "page", "DEV", "Meeting notes 2026-10-26", "notes", 7, 65537, labels=["meeting-notes"]),
        page(65545, "blogpost", "DEV", "Release 2.4 is out", "blog", 3, labels=["release"], author="sandbox",
             modifier="sandbox"),
        page(65546, "page", "OPS", "Operations Home", "ops-home", 110, version=2, author="bob", modifier="bob"),
        page(65547, "page", "OPS", "On-call rotation", "oncall", 30, 65546, labels=["oncall"], author="bob",
             modifier="bob"),
        page(65548, "page", "SECRET", "Secret plans", "secret", 10, author="alice"),
    ]  # fmt: skip
    pages[2].attachments.append(PageAttachment(65601, "pipeline.png", "image/png", 73211))
    pages[2].version_message = "Add the checklist"
    spaces = [
        Space(98305, "DEV", "Development", "Guides, runbooks and notes of the dev team.", 65537, ago(120), "alice"),
        Space(98306, "OPS", "Operations", "Operations team space.", 65546, ago(110), "bob"),
        Space(98307, "SECRET", "Secret", "Restricted space.", 65548, ago(10), "alice", visible=False),
    ]
    return SeedData(
        flavor=flavor, now=now, users=list(USERS), issue_types=list(ISSUE_TYPES), statuses=list(STATUSES),
        transitions=list(TRANSITIONS), priorities=list(PRIORITIES), resolutions=list(RESOLUTIONS),
        link_types=list(LINK_TYPES), projects=_projects(),
        boards=[Board(1, "PROJ board", "scrum", "PROJ"), Board(2, "OPS board", "kanban", "OPS"),
                Board(3, "SECRET board", "kanban", "SECRET")],
        sprints=sprints, issues=issues, links=links, spaces=spaces, pages=pages,
    )  # fmt: skip


def _mention_id(flavor: Flavor, key: str) -> str:
    user = user_by_any(USERS, key)
    if user is None:
        return key
    return user.account_id if flavor == "cloud" else user.key


def _map_mentions(node: JSON, ref: Callable[[str], str]) -> JSON:
    if isinstance(node, list):
        return [_map_mentions(n, ref) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _map_mentions(v, ref) for k, v in node.items()}
    if node.get("type") == "mention":
        user = user_by_any(USERS, node["attrs"]["id"])
        out["attrs"] = {
            "id": ref(node["attrs"]["id"]),
            "text": "@" + (user.display_name if user else node["attrs"]["id"]),
        }
    return out


# --- rich text: ADF <-> wiki markup, and to HTML and plain text ------------------------------------------

_PANELS_TO_WIKI = {"info": "info", "note": "note", "warning": "warning", "error": "warning", "success": "tip"}
_WIKI_TO_PANELS = {"info": "info", "note": "note", "warning": "warning", "tip": "success"}
_MARKS_TO_WIKI = {"strong": "*", "em": "_", "strike": "-", "underline": "+"}


def wiki_mention(flavor: Flavor, ref: str) -> str:
    """`[~accountid:ID]` on Cloud, `[~username]` on Data Center."""
    user = user_by_any(USERS, ref)
    if flavor == "cloud":
        return f"[~accountid:{user.account_id if user else ref}]"
    return f"[~{user.key if user else ref}]"


def adf_to_wiki(node: JSON, flavor: Flavor) -> str:
    """Jira wiki markup for an ADF document (what REST v2 and Data Center show)."""
    return _wiki_blocks(node.get("content", []) if isinstance(node, dict) else [], flavor, 0).strip("\n")


def _wiki_blocks(blocks: list[JSON], flavor: Flavor, depth: int) -> str:
    return "\n\n".join(_wiki_block(b, flavor, depth) for b in blocks)


def _wiki_block(node: JSON, flavor: Flavor, depth: int) -> str:
    kind, content = node.get("type"), node.get("content", [])
    if kind == "paragraph":
        return _wiki_inlines(content, flavor)
    if kind == "heading":
        return f"h{node.get('attrs', {}).get('level', 1)}. {_wiki_inlines(content, flavor)}"
    if kind in ("bulletList", "orderedList"):
        bullet = ("*" if kind == "bulletList" else "#") * (depth + 1)
        lines = []
        for item in content:
            parts = item.get("content", [])
            first = _wiki_inlines(parts[0].get("content", []), flavor) if parts else ""
            lines.append(f"{bullet} {first}")
            lines.extend(_wiki_block(sub, flavor, depth + 1) for sub in parts[1:])
        return "\n".join(lines)
    if kind == "codeBlock":
        language = (node.get("attrs") or {}).get("language")
        text = "".join(t.get("text", "") for t in content)
        return f"{{code:{language}}}\n{text}\n{{code}}" if language else f"{{code}}\n{text}\n{{code}}"
    if kind == "panel":
        macro = _PANELS_TO_WIKI.get((node.get("attrs") or {}).get("panelType", "info"), "panel")
        return f"{{{macro}}}\n{_wiki_blocks(content, flavor, 0)}\n{{{macro}}}"
    if kind == "blockquote":
        return f"{{quote}}\n{_wiki_blocks(content, flavor, 0)}\n{{quote}}"
    if kind == "rule":
        return "----"
    if kind == "table":
        rows = []
        for row in content:
            cells = row.get("content", [])
            sep = "||" if cells and cells[0].get("type") == "tableHeader" else "|"
            texts = [_wiki_blocks(c.get("content", []), flavor, 0).replace("\n\n", " ") for c in cells]
            rows.append(sep + sep.join(texts) + sep)
        return "\n".join(rows)
    if kind in ("mediaSingle", "mediaGroup"):
        return " ".join(f"!{(m.get('attrs') or {}).get('alt', 'image')}|thumbnail!" for m in content)
    return _wiki_inlines(content, flavor)


def _wiki_inlines(nodes: list[JSON], flavor: Flavor) -> str:
    out = []
    for node in nodes:
        kind, attrs = node.get("type"), node.get("attrs") or {}
        if kind == "text":
            text = node.get("text", "")
            href = None
            for mark in node.get("marks", []):
                if mark.get("type") == "code":
                    text = "{{" + text + "}}"
                elif mark.get("type") == "link":
                    href = (mark.get("attrs") or {}).get("href")
                elif mark.get("type") in _MARKS_TO_WIKI:
                    text = _MARKS_TO_WIKI[mark["type"]] + text + _MARKS_TO_WIKI[mark["type"]]
            out.append(f"[{text}|{href}]" if href else text)
        elif kind == "mention":
            out.append(wiki_mention(flavor, attrs.get("id", "")))
        elif kind == "hardBreak":
            out.append("\n")
        elif kind == "inlineCard":
            out.append(f"[{attrs.get('url', '')}]")
        elif kind == "emoji":
            out.append(attrs.get("text") or attrs.get("shortName", ""))
        elif kind == "status":
            out.append(f"*[{attrs.get('text', '')}]*")
        else:
            out.append(_wiki_inlines(node.get("content", []), flavor))
    return "".join(out)


_WIKI_INLINE = re.compile(
    r"\[~accountid:(?P<acc>[^\]]+)\]|\[~(?P<name>[^\]]+)\]|\[(?P<ltext>[^|\]]+)\|(?P<href>[^\]]+)\]"
    r"|\[(?P<url>https?://[^\]]+)\]|\{\{(?P<code>.+?)\}\}|(?<![\w*])\*(?P<strong>[^*\n]+)\*(?![\w*])"
    r"|(?<![\w_])_(?P<em>[^_\n]+)_(?![\w_])"
)


def wiki_to_adf(text: str) -> JSON:
    """An ADF document for wiki markup: the common blocks (headings, lists, code, panels, tables) and marks."""
    blocks: list[JSON] = []
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append({"type": "paragraph", "content": _adf_inlines("\n".join(paragraph))})
            paragraph.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        macro = re.fullmatch(r"\{(code|noformat|info|note|warning|tip|quote|panel)(?::([^}]*))?\}(.*)", stripped)
        if macro:
            flush()
            name, arg, rest = macro.groups()
            body: list[str] = [rest] if rest else []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("{" + name + "}"):
                body.append(lines[i])
                i += 1
            i += 1
            inner = "\n".join(body)
            if name in ("code", "noformat"):
                language = (arg or "").split("|")[0] if arg and "=" not in arg.split("|")[0] else None
                node: JSON = {"type": "codeBlock", "content": [{"type": "text", "text": inner}] if inner else []}
                if language:
                    node["attrs"] = {"language": language}
                blocks.append(node)
            elif name == "quote":
                blocks.append({"type": "blockquote", "content": wiki_to_adf(inner)["content"]})
            else:
                kind = _WIKI_TO_PANELS.get(name, "info")
                blocks.append({"type": "panel", "attrs": {"panelType": kind}, "content": wiki_to_adf(inner)["content"]})
            continue
        if heading_match := re.fullmatch(r"h([1-6])\.\s+(.*)", stripped):
            flush()
            blocks.append({"type": "heading", "attrs": {"level": int(heading_match.group(1))},
                           "content": _adf_inlines(heading_match.group(2))})  # fmt: skip
        elif re.match(r"^[*#-]+\s", stripped) and not stripped.startswith("----"):
            flush()
            items: list[tuple[str, str]] = []
            while i < len(lines) and (m := re.match(r"^([*#-]+)\s+(.*)", lines[i].strip())):
                items.append((m.group(1), m.group(2)))
                i += 1
            blocks.append(_adf_list(items))
            continue
        elif stripped.startswith("|"):
            flush()
            rows: list[JSON] = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                row = lines[i].strip()
                header = row.startswith("||")
                cells = [c.strip() for c in re.split(r"\|\|?", row.strip("|"))]
                cell_type = "tableHeader" if header else "tableCell"
                rows.append({"type": "tableRow", "content": [
                    {"type": cell_type, "content": [{"type": "paragraph", "content": _adf_inlines(c)}]} for c in cells
                ]})  # fmt: skip
                i += 1
            blocks.append({"type": "table", "content": rows})
            continue
        elif stripped == "----":
            flush()
            blocks.append({"type": "rule"})
        elif not stripped:
            flush()
        else:
            paragraph.append(line)
        i += 1
    flush()
    return {"type": "doc", "version": 1, "content": blocks}


def _adf_list(items: list[tuple[str, str]]) -> JSON:
    ordered = items[0][0].endswith("#")
    depth = len(items[0][0])
    node: JSON = {"type": "orderedList" if ordered else "bulletList", "content": []}
    j = 0
    while j < len(items):
        marker, text = items[j]
        entry: JSON = {"type": "listItem", "content": [{"type": "paragraph", "content": _adf_inlines(text)}]}
        j += 1
        nested = []
        while j < len(items) and len(items[j][0]) > depth:
            nested.append(items[j])
            j += 1
        if nested:
            entry["content"].append(_adf_list(nested))
        node["content"].append(entry)
    return node


def _adf_inlines(text: str) -> list[JSON]:
    out: list[JSON] = []

    def plain(chunk: str) -> None:
        for index, line in enumerate(chunk.split("\n")):
            if index:
                out.append({"type": "hardBreak"})
            if line:
                out.append({"type": "text", "text": line})

    pos = 0
    for match in _WIKI_INLINE.finditer(text):
        plain(text[pos : match.start()])
        pos = match.end()
        groups = match.groupdict()
        if groups["acc"] or groups["name"]:
            ref = groups["acc"] or groups["name"]
            user = user_by_any(USERS, ref)
            out.append({"type": "mention", "attrs": {"id": ref, "text": "@" + (user.display_name if user else ref)}})
        elif groups["ltext"]:
            out.append(link(groups["ltext"], groups["href"]))
        elif groups["url"]:
            out.append(link(groups["url"], groups["url"]))
        elif groups["code"]:
            out.append(txt(groups["code"], "code"))
        elif groups["strong"]:
            out.append(txt(groups["strong"], "strong"))
        else:
            out.append(txt(groups["em"], "em"))
    plain(text[pos:])
    return out


_HTML_TAGS = {"doc": "", "paragraph": "p", "bulletList": "ul", "orderedList": "ol", "listItem": "li", "table": "table",
              "tableRow": "tr", "tableHeader": "th", "tableCell": "td", "blockquote": "blockquote"}  # fmt: skip


def adf_to_html(node: JSON) -> str:
    """HTML for an ADF document, as Jira's renderedFields shows it (close enough for reading)."""
    if isinstance(node, list):
        return "".join(adf_to_html(n) for n in node)
    if not isinstance(node, dict):
        return ""
    kind, attrs, inner = node.get("type"), node.get("attrs") or {}, node.get("content", [])
    if kind == "text":
        text = html.escape(node.get("text", ""))
        for mark in node.get("marks", []):
            tag = {"strong": "b", "em": "em", "code": "tt", "strike": "del", "underline": "ins"}.get(mark.get("type"))
            if tag:
                text = f"<{tag}>{text}</{tag}>"
            elif mark.get("type") == "link":
                text = f'<a href="{html.escape((mark.get("attrs") or {}).get("href", ""))}">{text}</a>'
        return text
    if kind in _HTML_TAGS:
        tag = _HTML_TAGS[kind]
        body = adf_to_html(inner)
        if kind == "table":
            body = f"<tbody>{body}</tbody>"
        return f"<{tag}>{body}</{tag}>" if tag else body
    if kind == "heading":
        level = attrs.get("level", 1)
        return f"<h{level}>{adf_to_html(inner)}</h{level}>"
    if kind == "codeBlock":
        return f'<div class="code panel"><pre>{adf_to_html([{**c, "marks": []} for c in inner])}</pre></div>'
    if kind == "panel":
        return f'<div class="panel {html.escape(attrs.get("panelType", "info"))}">{adf_to_html(inner)}</div>'
    if kind == "mention":
        return (
            f'<a class="user-hover" rel="{html.escape(attrs.get("id", ""))}">{html.escape(attrs.get("text", ""))}</a>'
        )
    if kind == "hardBreak":
        return "<br/>"
    if kind == "rule":
        return "<hr/>"
    if kind == "media":
        return f'<img alt="{html.escape(attrs.get("alt", ""))}"/>'
    return adf_to_html(inner)


def adf_to_text(node: JSON) -> str:
    """The words of an ADF document, for text search and excerpts."""
    if isinstance(node, list):
        return " ".join(t for t in (adf_to_text(n) for n in node) if t)
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "mention":
        return str((node.get("attrs") or {}).get("text", ""))
    return adf_to_text(node.get("content", []))


def rich_to_text(value: RichText | None) -> str:
    if value is None:
        return ""
    return adf_to_text(value) if isinstance(value, dict) else value


def storage_to_text(storage: str) -> str:
    """The words of a storage-format body (tags and macro parameters dropped, CDATA kept)."""
    text = re.sub(r"<ac:parameter[^>]*>.*?</ac:parameter>", " ", storage, flags=re.S)
    text = re.sub(r"<!\[CDATA\[(.*?)\]\]>", r"\1", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def storage_to_view(storage: str) -> str:
    """A rough `view` rendering of storage XHTML: macros reduced to their bodies."""
    text = re.sub(r"<ac:parameter[^>]*>.*?</ac:parameter>", "", storage, flags=re.S)
    text = re.sub(r"<!\[CDATA\[(.*?)\]\]>", lambda m: html.escape(m.group(1)), text, flags=re.S)
    text = re.sub(r"</?(ac|ri):[^>]*>", "", text)
    return text
