"""Tests for adapter/sandbox/query.py: the JQL and CQL subset against hand-made records, its errors, order and speed."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from adapter.sandbox.query import QueryContext, QueryError, parse_cql, parse_jql

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
USERS = {
    "acc-1": {"accountId": "acc-1", "displayName": "Alice Smith", "emailAddress": "alice@example.com"},
    "acc-2": {"accountId": "acc-2", "displayName": "Bob Jones", "emailAddress": "bob@example.com"},
    "acc-3": {"accountId": "acc-3", "displayName": "Carol Diaz", "emailAddress": "carol@example.com"},
    "carol": {"name": "carol", "displayName": "Carol Diaz", "emailAddress": "carol@example.com"},
}
CTX = QueryContext(current_user="acc-1", now=NOW, users=USERS)
ALICE = {"accountId": "acc-1", "displayName": "Alice Smith"}
BOB = {"accountId": "acc-2", "displayName": "Bob Jones"}
CAROL = {"accountId": "acc-3", "displayName": "Carol Diaz"}
CAROL_DC = {"name": "carol", "key": "JIRAUSER10100", "displayName": "Carol Diaz"}
SPRINT_0 = {"id": 0, "name": "Sprint 0", "state": "closed"}
SPRINT_1 = {"id": 1, "name": "Sprint 1", "state": "active"}
SPRINT_2 = {"id": 2, "name": "Sprint 2", "state": "future"}
PROJECTS = {"PROJ": "Project Phoenix", "OPS": "Operations"}
CATEGORIES = {"To Do": "new", "Open": "new", "In Progress": "indeterminate", "In Review": "indeterminate"}


def adf(*texts: str, mention: str = "") -> dict[str, Any]:
    nodes: list[dict[str, Any]] = [{"type": "text", "text": t} for t in texts]
    if mention:
        nodes.insert(0, {"type": "mention", "attrs": {"id": "acc-1", "text": mention}})
    return {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": nodes}]}


def issue(ident: str, key: str, summary: str, kind: str, status: str, created: str, **f: Any) -> dict[str, Any]:
    project = key.split("-")[0]
    day = created[:10]
    fields = {
        "project": {"key": project, "name": PROJECTS[project]},
        "summary": summary,
        "issuetype": {"name": kind},
        "status": {"name": status, "statusCategory": {"key": CATEGORIES.get(status, "done")}},
        "priority": {"name": f.pop("priority")} if f.get("priority") else None,
        "resolution": {"name": f.pop("resolution")} if f.get("resolution") else None,
        "assignee": f.pop("assignee", None),
        "reporter": f.pop("reporter", BOB),
        "labels": f.pop("labels", []),
        "components": [{"name": c} for c in f.pop("components", [])],
        "fixVersions": [{"name": v} for v in f.pop("versions", [])],
        "parent": {"key": f.pop("parent")} if f.get("parent") else None,
        "comment": {"comments": [{"body": b} for b in f.pop("comments", [])]},
        "created": f"{day}T{created[11:16] or '00:00'}:00.000+0000",
        "updated": f.pop("updated", f"{day}T{created[11:16] or '00:00'}:00.000+0000"),
        "resolutiondate": f.pop("resolved", None),
        "duedate": f.pop("due", None),
        "description": f.pop("description", None),
        "sprint": f.pop("sprint", None),
        **f,
    }
    return {"id": ident, "key": key, "fields": fields}


ISSUES = [
    issue("10001", "PROJ-1", "Checkout revamp", "Epic", "In Progress", "2026-10-01 09:00", priority="High",
          assignee=ALICE, labels=["payments"], components=["api"], versions=["1.0"], due="2026-12-01",
          updated="2026-11-14T10:00:00.000+0000", description=adf("Rework the checkout flow end to end")),
    issue("10002", "PROJ-2", "Login fails on Safari", "Bug", "Open", "2026-11-10 08:00", priority="Highest",
          assignee=BOB, reporter=ALICE, labels=["frontend", "urgent"], components=["ui"], versions=["1.0"],
          sprint=SPRINT_1, parent="PROJ-1", due="2026-11-14", updated="2026-11-15T09:00:00.000+0000",
          description="h1. Steps\n*Open* Safari and {code}login(){code}", comments=[adf("Reproduced on iOS too")]),
    issue("10003", "PROJ-3", "Add Apple Pay", "Story", "Done", "2026-11-14 15:00", priority="Medium",
          reporter=ALICE, versions=["2.0"], customfield_10020=[SPRINT_0], parent="PROJ-1", resolution="Done",
          resolved="2026-11-14T16:00:00.000+0000", comments=["<p>Shipped &amp; verified</p>"]),
    issue("10004", "PROJ-4", "Update dependencies", "Task", "In Review", "2026-11-15 11:30", priority="Low",
          assignee=ALICE, labels=["chore"], sprint=SPRINT_2, updated="2026-11-15T11:45:00.000+0000",
          description="Bump libraries; Safari polyfills too"),
    issue("10010", "PROJ-10", "Payment timeout in checkout", "Bug", "Open", "2026-11-08 12:00", priority="High",
          assignee=CAROL_DC, labels=["payments", "backend"], components=["api", "db"], sprint=SPRINT_1,
          due="2026-11-20", description=adf("Gateway times out after 30s")),
    issue("10011", "PROJ-11", "Fix Safari cookie handling", "Sub-task", "To Do", "2026-11-11 08:00", priority="High",
          assignee=BOB, labels=["frontend"], sprint=SPRINT_1, parent="PROJ-2", due="2026-11-15"),
    issue("20001", "OPS-1", "Database failover drill", "Incident", "Closed", "2026-09-01", priority="Lowest",
          assignee=BOB, reporter=ALICE, labels=["ops"], resolution="Fixed", resolved="2026-09-02T00:00:00.000+0000",
          description=adf("Database failover drill notes")),
    issue("20002", "OPS-2", "Rotate TLS certificates", "Task", "Open", "2026-11-15 00:30", priority="Medium",
          description=adf("please rotate the TLS certificates", mention="@Alice Smith")),
    issue("20003", "OPS-3", "Checkout monitoring dashboard", "Task", "In Progress", "2026-11-01 10:00",
          assignee={"accountId": "acc-1"}, reporter=CAROL, labels=["ops", "payments"],
          description="<p>Grafana <b>boards</b></p>"),
    issue("20004", "OPS-4", "Archive old logs", "Task", "Done", "2026-08-01", priority="Low",
          assignee={"accountId": "acc-3"}, labels=["ops"], components=["infra"], versions=["2.0"], resolution="Done",
          resolved="2026-08-05T00:00:00.000+0000"),
]  # fmt: skip
PROJ = "PROJ-1 PROJ-2 PROJ-3 PROJ-4 PROJ-10 PROJ-11"
OPS = "OPS-1 OPS-2 OPS-3 OPS-4"
ALL = f"{PROJ} {OPS}"
UNRESOLVED = "PROJ-1 PROJ-2 PROJ-4 PROJ-10 PROJ-11 OPS-2 OPS-3"

JQL_CASES = [
    ("", ALL),
    ("   ", ALL),
    ("project = PROJ", PROJ),
    ("project = proj", PROJ),
    ('project = "Project Phoenix"', PROJ),
    ("project != PROJ", OPS),
    ("project in (OPS, XYZ)", OPS),
    ("project not in (PROJ)", OPS),
    ("key = PROJ-2", "PROJ-2"),
    ("issuekey = 10003", "PROJ-3"),
    ("key in (PROJ-1, ops-2)", "PROJ-1 OPS-2"),
    ("key > PROJ-3", "PROJ-4 PROJ-10 PROJ-11"),
    ("key <= PROJ-2", "PROJ-1 PROJ-2"),
    ("id > 20001", "OPS-2 OPS-3 OPS-4"),
    ("issuetype = Bug", "PROJ-2 PROJ-10"),
    ("type in (Task, Story)", "PROJ-3 PROJ-4 OPS-2 OPS-3 OPS-4"),
    ('status = "In Progress"', "PROJ-1 OPS-3"),
    ("status = 'In Review'", "PROJ-4"),
    ("status != Open", "PROJ-1 PROJ-3 PROJ-4 PROJ-11 OPS-1 OPS-3 OPS-4"),
    ('statusCategory = "In Progress"', "PROJ-1 PROJ-4 OPS-3"),
    ("statuscategory = done", "PROJ-3 OPS-1 OPS-4"),
    ('statusCategory != "To Do"', "PROJ-1 PROJ-3 PROJ-4 OPS-1 OPS-3 OPS-4"),
    ("priority = High", "PROJ-1 PROJ-10 PROJ-11"),
    ("priority in (Highest, lowest)", "PROJ-2 OPS-1"),
    ("priority is EMPTY", "OPS-3"),
    ("resolution = Unresolved", UNRESOLVED),
    ("resolution is not EMPTY", "PROJ-3 OPS-1 OPS-4"),
    ("resolution = Done", "PROJ-3 OPS-4"),
    ("assignee = currentUser()", "PROJ-1 PROJ-4 OPS-3"),
    ('assignee = "Alice Smith"', "PROJ-1 PROJ-4 OPS-3"),
    ('assignee = "ALICE@example.com"', "PROJ-1 PROJ-4 OPS-3"),
    ("assignee = carol", "PROJ-10"),
    ('assignee = "Carol Diaz"', "PROJ-10 OPS-4"),
    ("assignee is EMPTY", "PROJ-3 OPS-2"),
    ("assignee = EMPTY", "PROJ-3 OPS-2"),
    ("assignee = null", "PROJ-3 OPS-2"),
    ("assignee != currentUser()", "PROJ-2 PROJ-10 PROJ-11 OPS-1 OPS-4"),
    ("assignee in (currentUser(), acc-2)", "PROJ-1 PROJ-2 PROJ-4 PROJ-11 OPS-1 OPS-3"),
    ("assignee in (EMPTY, acc-3)", "PROJ-3 OPS-2 OPS-4"),
    ("assignee != EMPTY and project = OPS", "OPS-1 OPS-3 OPS-4"),
    ("reporter = currentUser()", "PROJ-2 PROJ-3 OPS-1"),
    ("labels = payments", "PROJ-1 PROJ-10 OPS-3"),
    ("labels in (frontend, ops)", "PROJ-2 PROJ-11 OPS-1 OPS-3 OPS-4"),
    ("labels not in (payments)", "PROJ-2 PROJ-4 PROJ-11 OPS-1 OPS-4"),
    ("labels is EMPTY", "PROJ-3 OPS-2"),
    ("labels = ops AND labels = payments", "OPS-3"),
    ("component = api", "PROJ-1 PROJ-10"),
    ("component = db OR component = infra", "PROJ-10 OPS-4"),
    ("fixVersion = 1.0", "PROJ-1 PROJ-2"),
    ('fixversion in ("2.0")', "PROJ-3 OPS-4"),
    ("sprint = 1", "PROJ-2 PROJ-10 PROJ-11"),
    ('sprint = "Sprint 0"', "PROJ-3"),
    ("sprint in openSprints()", "PROJ-2 PROJ-4 PROJ-10 PROJ-11"),
    ("sprint in closedSprints()", "PROJ-3"),
    ("sprint not in openSprints()", "PROJ-3"),
    ("sprint is EMPTY", "PROJ-1 OPS-1 OPS-2 OPS-3 OPS-4"),
    ("parent = PROJ-1", "PROJ-2 PROJ-3"),
    ('"Epic Link" = PROJ-1', "PROJ-2 PROJ-3"),
    ("epic = PROJ-1 AND type = Story", "PROJ-3"),
    ("parent in (PROJ-2, PROJ-3)", "PROJ-11"),
    ("parent is EMPTY AND project = PROJ", "PROJ-1 PROJ-4 PROJ-10"),
    ("created > -7d", "PROJ-2 PROJ-3 PROJ-4 PROJ-11 OPS-2"),
    ("created >= -1w", "PROJ-2 PROJ-3 PROJ-4 PROJ-10 PROJ-11 OPS-2"),
    ("created > -1h", "PROJ-4"),
    ("created > '-6d 23h'", "PROJ-2 PROJ-3 PROJ-4 PROJ-11 OPS-2"),
    ("createdDate >= startOfDay()", "PROJ-4 OPS-2"),
    ("created < startOfDay(-1)", "PROJ-1 PROJ-2 PROJ-10 PROJ-11 OPS-1 OPS-3 OPS-4"),
    ('created >= "2026-11-10" AND created < "2026/11/14 15:00"', "PROJ-2 PROJ-11"),
    ("updated > -30m", "PROJ-4"),
    ("resolved >= 2026-09-01 AND resolved < 2026-12-01", "PROJ-3 OPS-1"),
    ("resolved is EMPTY", UNRESOLVED),
    ("due < now()", "PROJ-2 PROJ-11"),
    ('duedate = "2026-11-15"', "PROJ-11"),
    ("due <= endOfDay()", "PROJ-2 PROJ-11"),
    ("created <= endOfDay(-1)", "PROJ-1 PROJ-2 PROJ-3 PROJ-10 PROJ-11 OPS-1 OPS-3 OPS-4"),
    ('due > startOfDay("+1")', "PROJ-1 PROJ-10"),
    ("duedate is not EMPTY AND duedate >= now()", "PROJ-1 PROJ-10"),
    ("summary ~ safari", "PROJ-2 PROJ-11"),
    ('summary ~ "CHECKOUT"', "PROJ-1 PROJ-10 OPS-3"),
    ('summary ~ "check*"', "PROJ-1 PROJ-10 OPS-3"),
    ('summary ~ "payment checkout"', "PROJ-10"),
    (r'summary ~ "\"timeout in checkout\""', "PROJ-10"),
    (r'summary ~ "\"checkout timeout\""', ""),
    ("summary !~ safari", "PROJ-1 PROJ-3 PROJ-4 PROJ-10 OPS-1 OPS-2 OPS-3 OPS-4"),
    ("description ~ safari", "PROJ-2 PROJ-4"),
    ('description ~ "login"', "PROJ-2"),
    ('description ~ "code"', ""),
    ('description ~ "boards"', "OPS-3"),
    ('description ~ "alice"', "OPS-2"),
    ("description !~ safari", "PROJ-1 PROJ-10 OPS-1 OPS-2 OPS-3"),  # like !=, empty fields never match
    ("description is EMPTY", "PROJ-3 PROJ-11 OPS-4"),
    ('comment ~ "ios"', "PROJ-2"),
    ('comment ~ "shipped verified"', "PROJ-3"),
    ('comment ~ "amp"', ""),
    ('text ~ "safari"', "PROJ-2 PROJ-4 PROJ-11"),
    ('text ~ "ios"', "PROJ-2"),
    ('text ~ "grafana"', "OPS-3"),
    ('text ~ "checkout"', "PROJ-1 PROJ-10 OPS-3"),
    # precedence: NOT > AND > OR
    ("project = OPS OR project = PROJ AND priority = High", f"{OPS} PROJ-1 PROJ-10 PROJ-11"),
    ("(project = OPS OR project = PROJ) AND priority = High", "PROJ-1 PROJ-10 PROJ-11"),
    ("priority = High OR priority = Low AND project = OPS", "PROJ-1 PROJ-10 PROJ-11 OPS-4"),
    ("NOT project = PROJ AND labels = ops", "OPS-1 OPS-3 OPS-4"),
    ("NOT (project = PROJ AND labels = payments)", "PROJ-2 PROJ-3 PROJ-4 PROJ-11 OPS-1 OPS-2 OPS-3 OPS-4"),
    ("project = PROJ AND NOT status = Open", "PROJ-1 PROJ-3 PROJ-4 PROJ-11"),
    ("project = PROJ && !(status = Open || status = Done)", "PROJ-1 PROJ-4 PROJ-11"),
    ("NOT NOT key = PROJ-1", "PROJ-1"),
    ("PROJECT = proj and STATUS in (open) oR Key = OPS-1", "PROJ-2 PROJ-10 OPS-1"),
    ("project = PROJ\nAND\tlabels = frontend ORDER BY key", "PROJ-2 PROJ-11"),
    ('project in ("PROJ") AND (summary ~ "safari") ORDER BY created DESC', "PROJ-2 PROJ-11"),
]


def keys(query: str, records: list[dict[str, Any]], ctx: QueryContext = CTX, cql: bool = False) -> set[str]:
    parsed = (parse_cql if cql else parse_jql)(query)
    return {r.get("key") or r["id"] for r in records if parsed.matches(r, ctx)}


@pytest.mark.parametrize(("jql", "expected"), JQL_CASES)
def test_jql_matches(jql: str, expected: str) -> None:
    assert keys(jql, ISSUES) == set(expected.split())


def test_jql_case_count() -> None:
    assert len(JQL_CASES) >= 60 and len(CQL_CASES) >= 25


def test_current_user_on_data_center_is_a_username() -> None:
    dc = QueryContext(current_user="carol", now=NOW, users=USERS)
    assert keys("assignee = currentUser()", ISSUES, dc) == {"PROJ-10"}
    assert keys("assignee = currentUser()", ISSUES, QueryContext("nobody", NOW)) == set()


def test_relative_dates_follow_the_context_clock() -> None:
    later = QueryContext("acc-1", datetime(2026, 11, 21, 12, 0, tzinfo=UTC), USERS)
    assert keys("created > -7d", ISSUES, later) == {"PROJ-3", "PROJ-4", "OPS-2"}
    assert keys("due < now()", ISSUES, later) == {"PROJ-2", "PROJ-10", "PROJ-11"}


def test_dates_without_a_zone_are_read_in_the_callers_zone() -> None:
    sydney = timezone(timedelta(hours=10))
    ctx = QueryContext("acc-1", NOW.astimezone(sydney), USERS)  # 22:00 on the 15th there; midnight was 14:00 UTC
    assert keys('created >= "2026-11-15"', ISSUES, ctx) == {"PROJ-3", "PROJ-4", "OPS-2"}
    assert keys("created >= startOfDay()", ISSUES, ctx) == {"PROJ-3", "PROJ-4", "OPS-2"}
    assert keys('created >= "2026-11-15"', ISSUES) == {"PROJ-4", "OPS-2"}


def test_default_order_breaks_ties_by_key() -> None:
    twins = [{**ISSUES[1], "key": "PROJ-2"}, {**ISSUES[1], "key": "PROJ-10"}, {**ISSUES[1], "key": "PROJ-9"}]
    assert [r["key"] for r in parse_jql("").sort(twins, CTX)] == ["PROJ-10", "PROJ-9", "PROJ-2"]


def order(jql: str, ctx: QueryContext = CTX) -> list[str]:
    query = parse_jql(jql)
    return [r["key"] for r in query.sort([r for r in ISSUES if query.matches(r, ctx)], ctx)]


def test_jql_default_order_is_newest_first() -> None:
    expected = "PROJ-4 OPS-2 PROJ-3 PROJ-11 PROJ-2 PROJ-10 OPS-3 PROJ-1 OPS-1 OPS-4"  # created DESC, then key DESC
    assert order("") == expected.split()


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("project = PROJ ORDER BY key", "PROJ-1 PROJ-2 PROJ-3 PROJ-4 PROJ-10 PROJ-11"),
        ("project = PROJ ORDER BY issuekey DESC", "PROJ-11 PROJ-10 PROJ-4 PROJ-3 PROJ-2 PROJ-1"),
        ("project = PROJ ORDER BY priority DESC, key ASC", "PROJ-2 PROJ-1 PROJ-10 PROJ-11 PROJ-3 PROJ-4"),
        ("project = OPS ORDER BY priority DESC", "OPS-3 OPS-2 OPS-4 OPS-1"),
        ("project = OPS ORDER BY priority asc", "OPS-1 OPS-4 OPS-2 OPS-3"),
        ("project = PROJ ORDER BY due", "PROJ-2 PROJ-11 PROJ-10 PROJ-1 PROJ-3 PROJ-4"),
        ("project = OPS order by assignee, key desc", "OPS-3 OPS-1 OPS-4 OPS-2"),
        ("ORDER BY summary", "PROJ-3 OPS-4 OPS-3 PROJ-1 OPS-1 PROJ-11 PROJ-2 PROJ-10 OPS-2 PROJ-4"),
        ("project = PROJ ORDER BY status, created DESC", "PROJ-3 PROJ-1 PROJ-4 PROJ-2 PROJ-10 PROJ-11"),
    ],
)
def test_jql_order_by(jql: str, expected: str) -> None:
    assert order(jql) == expected.split()


def test_sort_is_stable_and_leaves_its_input_alone() -> None:
    records = list(reversed(ISSUES))
    ordered = parse_jql("ORDER BY labels").sort(records, CTX)
    assert records == list(reversed(ISSUES))
    expected = "PROJ-4 PROJ-11 PROJ-2 OPS-4 OPS-3 OPS-1 PROJ-10 PROJ-1 OPS-2 PROJ-3"  # ties keep the input order
    assert [r["key"] for r in ordered] == expected.split()


PAGE_USERS = {"alice": ALICE, "bob": BOB, "carol": CAROL, "carol-id": {"accountId": "acc-3"}}


def page(
    ident: str, kind: str, title: str, space: str, body: str | None, created: str, modified: str, creator: str, **f: Any
) -> dict[str, Any]:
    return {
        "id": ident,
        "type": kind,
        "status": "current",
        "title": title,
        "space": {"key": space},
        "body": {"storage": {"value": body, "representation": "storage"}} if body is not None else {},
        "metadata": {"labels": {"results": [{"prefix": "global", "name": n} for n in f.pop("labels", [])]}},
        "ancestors": [{"id": a} for a in f.pop("ancestors", [])],
        "history": {"createdDate": created, "createdBy": PAGE_USERS[creator]},
        "version": {"number": 2, "when": modified, "by": PAGE_USERS[creator]},
    }


PAGES = [
    page("100", "page", "Engineering Home", "DEV", "<p>Welcome to engineering</p>", "2026-01-10T09:00:00.000Z",
         "2026-11-01T09:00:00.000Z", "alice", labels=["home"]),
    page("101", "page", "Deploy Runbook", "DEV", "<h1>Deploy</h1><p>Run <code>make deploy</code> &amp; watch</p>",
         "2026-10-01T09:00:00.000Z", "2026-11-14T10:00:00.000Z", "bob", labels=["howto", "ops"], ancestors=["100"]),
    page("102", "page", "Rollback Guide", "DEV", "<p>How to roll back a release</p>", "2026-11-10T09:00:00.000Z",
         "2026-11-15T11:00:00.000Z", "alice", labels=["howto"], ancestors=["100", "101"]),
    page("103", "page", "Team Calendar", "DEV", '<ac:structured-macro ac:name="calendar"/>',
         "2026-03-01T09:00:00.000Z", "2026-03-02T09:00:00.000Z", "carol", ancestors=["100"]),
    page("200", "page", "Ops Home", "OPS", "<p>Operations space</p>", "2025-12-01T09:00:00.000Z",
         "2026-10-20T09:00:00.000Z", "bob", labels=["home"]),
    page("201", "page", "Incident Process", "OPS", "<p>Page the on-call engineer</p>", "2026-11-13T09:00:00.000Z",
         "2026-11-13T09:30:00.000Z", "alice", labels=["process", "ops"], ancestors=["200"]),
    page("300", "blogpost", "Release 1.0 shipped", "DEV", "<p>We shipped the deploy pipeline</p>",
         "2026-11-14T08:00:00.000Z", "2026-11-14T08:00:00.000Z", "alice", labels=["release"]),
    page("301", "blogpost", "Quarterly review", "OPS", "<p>Numbers &amp; charts</p>", "2026-09-30T09:00:00.000Z",
         "2026-09-30T09:00:00.000Z", "bob"),
    page("400", "comment", "Re: Deploy Runbook", "DEV", "<p>Should we mention canary deploys?</p>",
         "2026-11-15T10:00:00.000Z", "2026-11-15T10:00:00.000Z", "carol-id"),
    page("500", "attachment", "diagram.png", "DEV", None, "2026-11-02T09:00:00.000Z", "2026-11-02T09:00:00.000Z",
         "alice"),
]  # fmt: skip
DEV = "100 101 102 103 300 400 500"

CQL_CASES = [
    ("space = DEV", DEV),
    ("space in (OPS)", "200 201 301"),
    ('space in ("DEV", "OPS") AND type = blogpost', "300 301"),
    ("space != DEV", "200 201 301"),
    ("type = page", "100 101 102 103 200 201"),
    ("type != page", "300 301 400 500"),
    ('title = "Deploy Runbook"', "101"),
    ('title = "deploy runbook"', "101"),
    ('title in ("Ops Home", "Team Calendar")', "103 200"),
    ("title ~ deploy", "101 400"),
    ("title !~ home", "101 102 103 201 300 301 400 500"),
    ('text ~ "deploy"', "101 300 400"),
    ('text ~ "make deploy"', "101"),
    ('text ~ "amp"', ""),
    ('text ~ "structured"', ""),
    ('text !~ "deploy" AND space = DEV', "100 102 103 500"),
    ('siteSearch ~ "on-call"', "201"),
    ("label = howto", "101 102"),
    ("label in (ops, release)", "101 201 300"),
    ("label not in (howto)", "100 200 201 300"),
    ("labels = home AND space = OPS", "200"),
    ("ancestor = 100", "101 102 103"),
    ("ancestor = 101", "102"),
    ("parent = 100", "101 103"),
    ("parent = 101", "102"),
    ("id = 102", "102"),
    ("content in (100, 200)", "100 200"),
    ("creator = currentUser()", "100 102 201 300 500"),
    ('creator = "Carol Diaz"', "103 400"),
    ("creator != acc-1 AND type = page", "101 103 200"),
    ("created > -7d", "102 201 300 400"),
    ('lastmodified >= now("-1d")', "102 400"),
    ('lastmodified < "2026-10-01"', "103 301"),
    ("created >= startOfDay()", "400"),
    ("space = OPS OR type = blogpost AND label = release", "200 201 300 301"),
    ("(space = OPS OR type = blogpost) AND label = release", "300"),
    ("space = DEV AND NOT type = page", "300 400 500"),
    ("NOT label = howto AND type = page", "100 103 200 201"),
    ("SPACE = dev and TYPE in (comment, attachment)", "400 500"),
    ('space in ("DEV") AND (siteSearch ~ "deploy")', "101 300 400"),
]


@pytest.mark.parametrize(("cql", "expected"), CQL_CASES)
def test_cql_matches(cql: str, expected: str) -> None:
    assert keys(cql, PAGES, cql=True) == set(expected.split())


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        ("space = OPS", "201 200 301"),
        ("space = OPS ORDER BY title", "201 200 301"),
        ("type = page ORDER BY created DESC", "201 102 101 103 100 200"),
        ("type = page ORDER BY lastmodified", "103 200 100 201 101 102"),
    ],
)
def test_cql_order_by(cql: str, expected: str) -> None:
    query = parse_cql(cql)
    assert [r["id"] for r in query.sort([p for p in PAGES if query.matches(p, CTX)], CTX)] == expected.split()


JQL_OPERATORS = "'=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'"
SYNTAX = "Error in the JQL Query: "
DATE_FORMATS = (
    "Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format "
    "e.g. '-5d', '4w 2d'"
)
JQL_ERRORS = [
    ("foo = bar", "Field 'foo' does not exist or you do not have permission to view it."),
    ("project = ", SYNTAX + "Expecting either a value, list or function before the end of the query."),
    ("project", SYNTAX + f"Expecting operator before the end of the query. The valid operators are {JQL_OPERATORS}."),
    (
        "project Open",
        SYNTAX + f"Expecting operator but got 'Open'. The valid operators are {JQL_OPERATORS}. (line 1, character 9)",
    ),
    (
        "status WAS Open",
        SYNTAX + f"Expecting operator but got 'WAS'. The valid operators are {JQL_OPERATORS}. (line 1, character 8)",
    ),
    ("status in (Open AND x)", SYNTAX + "Expecting ')' but got 'AND'. (line 1, character 17)"),
    ("(project = PROJ", SYNTAX + "Expecting ')' before the end of the query."),
    ("project = PROJ AND", SYNTAX + "Expecting a field name at the end of the query."),
    ("project = PROJ foo", SYNTAX + "Expecting either 'OR' or 'AND' but got 'foo'. (line 1, character 16)"),
    (
        "= PROJ",
        SYNTAX + "Expecting a field name but got '='. You must surround '=' in quotation marks to use it as a field "
        "name. (line 1, character 1)",
    ),
    (
        "project = AND",
        SYNTAX + "Expecting either a value, list or function but got 'AND'. You must surround 'AND' in quotation marks "
        "to use it as a value. (line 1, character 11)",
    ),
    (
        "project = PROJ\nAND status ==",
        SYNTAX + "Expecting either a value, list or function but got '='. You must surround '=' in quotation marks to "
        "use it as a value. (line 2, character 13)",
    ),
    ('summary ~ "open', SYNTAX + "The quoted string 'open' has not been completed. (line 1, character 11)"),
    (
        "labels = a%b",
        SYNTAX + "The character '%' is a reserved JQL character. You must enclose it in a string or use the escape "
        "'\\u0025' instead. (line 1, character 11)",
    ),
    (
        "cf[10014] = x",
        SYNTAX + "The character '[' is a reserved JQL character. You must enclose it in a string or use the escape "
        "'\\u005b' instead. (line 1, character 3)",
    ),
    ("status is Open", SYNTAX + "Expecting 'EMPTY' but got 'Open'. (line 1, character 11)"),
    ("ORDER created", SYNTAX + "Expecting 'BY' but got 'created'. (line 1, character 7)"),
    ("ORDER BY created DESC priority", SYNTAX + "Expecting ',' but got 'priority'. (line 1, character 23)"),
    ("assignee = currentUser(", SYNTAX + "Expecting ')' before the end of the query."),
    ("summary = x", "The operator '=' is not supported by the 'summary' field."),
    ("text !~ x", "The operator '!~' is not supported by the 'text' field."),
    ("project > PROJ", "The operator '>' is not supported by the 'project' field."),
    ("created ~ yesterday", "The operator '~' is not supported by the 'created' field."),
    ("key is EMPTY", "The operator 'is' is not supported by the 'key' field."),
    ("assignee in membersOf(devs)", "Unable to find JQL function 'membersOf(devs)'."),
    ("created > now(1)", "Function 'now' expected '0' arguments but got '1'."),
    ("assignee = currentUser(x)", "Function 'currentUser' expected '0' arguments but got '1'."),
    ("created > currentUser()", "A value provided by the function 'currentUser' is invalid for the field 'created'."),
    (
        "assignee in openSprints()",
        "A value provided by the function 'openSprints' is invalid for the field 'assignee'.",
    ),
    ("sprint = openSprints()", "The operator '=' does not support the multi-value operand 'openSprints()'."),
    ("project = (PROJ, OPS)", "The operator '=' does not support the multi-value operand '(PROJ, OPS)'."),
    ("project in PROJ", "The operator 'in' does not support the single-value operand 'PROJ'."),
    ("created > yesterday", f"Date value 'yesterday' for field 'created' is invalid. {DATE_FORMATS}."),
    ("due < startOfDay(tomorrow)", "Function 'startOfDay' got the invalid increment 'tomorrow'."),
    ("key > 'PROJ'", "The issue key 'PROJ' for field 'key' is invalid."),
    ("key = foo", "The issue key 'foo' for field 'key' is invalid."),
    ("summary ~ '*'", "The field 'summary' does not support searching for an empty string."),
    ("summary ~ EMPTY", "The operator '~' does not support searching for EMPTY values."),
    ("ORDER BY foo", "Not able to sort using field 'foo'."),
    ("project = PROJ ORDER BY description", "Field 'description' does not support sorting."),
]


@pytest.mark.parametrize(("jql", "message"), JQL_ERRORS)
def test_jql_errors(jql: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_jql(jql)
    assert str(info.value) == message


CQL_OPERATORS = "'=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN' and 'NOT IN'"
CQL_ERRORS = [
    ("foo = bar", "Field 'foo' does not exist or you do not have permission to view it"),
    ("space = ", "Expecting either a value, list or function before the end of the query"),
    (
        "title is EMPTY",
        f"Expecting operator but got 'is'. The valid operators are {CQL_OPERATORS} at line 1, character 7",
    ),
    ("space = DEV && type = page", "Expecting either 'OR' or 'AND' but got '&&' at line 1, character 13"),
    ("text = deploy", "The operator '=' is not supported by the 'text' field"),
    ("space ~ DEV", "The operator '~' is not supported by the 'space' field"),
    ("creator = membersOf(x)", "Unable to find CQL function 'membersOf(x)'"),
    ("created > now(-1d, 2)", "Function 'now' expected '1' arguments but got '2'"),
    ("lastmodified > yesterday", f"Date value 'yesterday' for field 'lastmodified' is invalid. {DATE_FORMATS}"),
    ("space = DEV ORDER BY space", "Field 'space' does not support sorting"),
    ("ORDER BY foo", "Not able to sort using field 'foo'"),
]


@pytest.mark.parametrize(("cql", "detail"), CQL_ERRORS)
def test_cql_errors(cql: str, detail: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_cql(cql)
    assert str(info.value) == f"Could not parse cql : {cql} ({detail})"


def test_query_error_is_a_value_error() -> None:
    assert issubclass(QueryError, ValueError)


def test_parsing_and_evaluating_a_thousand_issues_is_fast() -> None:
    records = [{**r, "key": f"{r['key'].split('-')[0]}-{n}", "id": str(30000 + n)} for n in range(100) for r in ISSUES]
    jql = (
        'project = PROJ AND (status in (Open, "In Progress") OR labels = payments) AND text ~ "checkout" '
        "AND created > -30d AND assignee != currentUser() ORDER BY priority DESC, created"
    )
    best = float("inf")
    for attempt in range(3):
        start = time.perf_counter()
        query = parse_jql(jql + " " * attempt)  # a new text each time, so the parse cache is not what is timed
        hits = query.sort([r for r in records if query.matches(r, CTX)], CTX)
        best = min(best, time.perf_counter() - start)
    print(f"\nparse + match + sort of {len(records)} issues: {best * 1000:.1f} ms, {len(hits)} hits")
    assert len(records) == 1000 and len(hits) == 100
    assert best < 0.05
