"""adapter.views on real Atlassian bodies (../shared/realdata): compact, lossless where it matters, schema-valid.

Every projection is validated against its view's output_schema (MCP clients validate structuredContent the
same way), checked for nulls and hypermedia/avatar noise, and measured against the raw body. Where the real
bodies lack something a view must handle (Cloud account ids, ADF comments, custom fields, Confluence v2),
the test composes it from other real bodies or, for Confluence v2 (no real v2 body is stored), from a small
synthetic page written after Atlassian's v2 reference.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from adapter.views import VIEWS, View, ViewContext, get_view, rich_text

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"

JIRA_CLOUD = ViewContext("https://acme.atlassian.net", "cloud")
JIRA_DC = ViewContext("http://localhost:2990/jira", "datacenter")
CONF_CLOUD = ViewContext("https://acme.atlassian.net", "cloud")
CONF_DC = ViewContext("https://confluence.example.com/confluence", "datacenter")

NOISE_KEYS = {"self", "expand", "_expandable", "_links", "avatarUrls", "iconUrl", "avatarId", "profilePicture"}
RATIOS: dict[str, tuple[float, float]] = {}


def load(rel: str) -> Any:
    """A real body, read in place; missing data is a failure, not a skip."""
    path = REALDATA / rel
    assert path.is_file(), f"real data missing: {path} (expected ../shared/realdata next to the repository)"
    return json.loads(path.read_text(encoding="utf-8"))


def compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def assert_clean(value: Any, path: str = "$") -> None:
    """No None anywhere, no empty strings/containers below the top level, no hypermedia or avatar keys."""
    assert value is not None, f"None at {path}"
    if isinstance(value, dict):
        for k, v in value.items():
            assert k not in NOISE_KEYS, f"noise key {k!r} at {path}"
            if not (path == "$" and k in ("issues", "results")):
                assert v not in ("", [], {}), f"empty value at {path}.{k}"
            assert_clean(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            assert_clean(v, f"{path}[{i}]")


def run(view_name: str, raw: Any, ctx: ViewContext, label: str | None = None) -> tuple[dict[str, Any], str]:
    """Project + render, with the checks every projection must pass."""
    view = get_view(view_name)
    before = copy.deepcopy(raw)
    out = view.project(raw, ctx)
    assert raw == before, "project() must not mutate the site's body"
    jsonschema.validate(out, view.output_schema)
    assert_clean(out)
    assert json.loads(json.dumps(out)) == out, "result must be plain JSON"
    text = view.render(out)
    assert text.strip()
    assert not re.search(r'[\[{]\n\s+"', text), "no pretty-printed JSON in the text"
    assert '"self"' not in text and "avatar" not in text.lower()
    if label:
        view_len, raw_len = len(compact_json(out)), len(compact_json(raw))
        RATIOS[label] = (view_len / raw_len, view_len / len(json.dumps(raw, indent=2)))
        print(f"{label}: view {view_len} B / raw compact {raw_len} B = {view_len / raw_len:.0%}")
    return out, text


def ratio(label: str) -> float:
    """View size / the raw body as the site sends it (compact JSON)."""
    return RATIOS[label][0]


# ----------------------------------------------------------------------------------------------- registry


def test_registry_has_exactly_the_views_the_server_uses() -> None:
    from adapter.manifest import load_tools

    assert set(VIEWS) == {tool.view for tool in load_tools()}  # every area's views, none unused
    for name, view in VIEWS.items():
        assert isinstance(view, View) and view.name == name
        assert get_view(name) is view


def test_unknown_view_lists_known_names() -> None:
    with pytest.raises(KeyError) as err:
        get_view("jira_isue")
    assert "jira_issue_list" in str(err.value) and "confluence_search" in str(err.value)


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_output_schema_is_valid_2020_12_object_schema(name: str) -> None:
    schema = VIEWS[name].output_schema
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object" and schema["properties"] and schema["required"]
    assert schema.get("additionalProperties", True) is not False


def test_rich_text_becomes_markdown() -> None:
    adf = load("jira-cloud-jira-cli/issue.json")["fields"]["description"]
    assert rich_text(adf) == "Test description"
    assert rich_text("h1. wiki\n* a\n* *b*") == "# wiki\n\n- a\n- **b**"
    assert rich_text(None) is None


def test_project_rejects_bodies_that_are_not_the_operation_result() -> None:
    with pytest.raises(ValueError, match="no key"):
        get_view("jira_issue").project({"fields": {}}, JIRA_CLOUD)
    with pytest.raises(ValueError, match="JSON object"):
        get_view("confluence_page").project([], CONF_CLOUD)


# -------------------------------------------------------------------------------------------- jira_issue


def test_cloud_issue_with_adf_description() -> None:
    raw = load("jira-cloud-jira-cli/issue.json")
    out, text = run("jira_issue", raw, JIRA_CLOUD, "jira-cli issue.json (Cloud, pre-trimmed)")
    assert out["key"] == "TEST-1"
    assert out["url"] == "https://acme.atlassian.net/browse/TEST-1"
    assert out["summary"] == "Bug summary"
    assert (out["status"], out["issue_type"], out["priority"]) == ("To Do", "Bug", "Medium")
    assert out["reporter"] == {"display_name": "Person A"}
    assert "assignee" not in out and "resolution" not in out and "labels" not in out  # null / empty
    assert out["description"] == "Test description"  # ADF as Markdown
    # the second link has no target: nothing to act on, dropped
    assert out["links"] == [{"key": "TEST-2", "direction": "outward"}]
    assert "watches" not in compact_json(out) and "watchCount" not in compact_json(out)
    # this body was already trimmed by jira-cli to the fields a CLI reads (no self/avatars): little to strip
    assert ratio("jira-cli issue.json (Cloud, pre-trimmed)") < 0.8
    assert RATIOS["jira-cli issue.json (Cloud, pre-trimmed)"][1] < 0.5  # vs the pretty-printed body
    lines = text.splitlines()
    assert lines[0] == "TEST-1 · Bug summary"
    assert "status: To Do" in lines and "reporter: Person A" in lines and "- outward TEST-2" in lines
    # no JSON in the text: the ADF description reads as Markdown
    assert [line for line in lines if '{"' in line] == [] and "Test description" in lines


def test_cloud_issue_with_string_description() -> None:
    out, text = run("jira_issue", load("jira-cloud-jira-cli/issue-2.json"), JIRA_CLOUD)
    assert out["description"] == "Test description"
    assert text.endswith("description:\nTest description")
    assert '{"' not in text


def cloud_issue_enriched() -> dict[str, Any]:
    """The real Cloud issue plus real pieces it lacks: a Cloud user (users.json) as assignee, an ADF comment,
    custom fields of the usual shapes (number, select option, user picker, null) and expand=names."""
    issue: dict[str, Any] = copy.deepcopy(load("jira-cloud-jira-cli/issue.json"))
    user = load("jira-cloud-jira-cli/users.json")[0]
    adf = issue["fields"]["description"]
    fields = issue["fields"]
    issue["id"] = "10001"
    issue["self"] = "https://acme.atlassian.net/rest/api/3/issue/10001"
    fields["assignee"] = {**user, "self": "https://acme.atlassian.net/rest/api/3/user?accountId=x", "avatarUrls": {}}
    fields["status"]["statusCategory"] = {
        "self": "https://acme.atlassian.net/x",
        "id": 2,
        "key": "new",
        "name": "To Do",
    }
    fields["comment"] = {
        "startAt": 0,
        "maxResults": 1,
        "total": 3,
        "comments": [
            {
                "self": "https://acme.atlassian.net/rest/api/3/issue/10001/comment/10100",
                "id": "10100",
                "author": user,
                "body": adf,
                "created": "2020-12-04T09:00:00.000+0100",
                "updated": "2020-12-04T09:00:00.000+0100",
                "jsdPublic": True,
            }
        ],
    }
    fields["customfield_10016"] = 5.0
    fields["customfield_10020"] = {"self": "https://acme.atlassian.net/rest/api/3/customFieldOption/1", "value": "High"}
    fields["customfield_10030"] = {**load("jira-cloud-jira-cli/users.json")[1], "avatarUrls": {"16x16": "u"}}
    fields["customfield_10040"] = None
    fields["customfield_10045"] = {"self": "x", "value": "EMEA", "id": "1", "child": {"self": "y", "value": "Paris"}}
    fields["customfield_10050"] = []
    issue["names"] = {
        "customfield_10016": "Story point estimate",
        "customfield_10020": "Severity",
        "customfield_10030": "Approver",
        "customfield_10040": "Never set",
        "summary": "Summary",
    }
    return issue


def test_cloud_issue_keeps_account_ids_comments_and_custom_fields() -> None:
    raw = cloud_issue_enriched()
    out, text = run("jira_issue", raw, JIRA_CLOUD, "jira-cli issue.json + Cloud user, ADF comment, custom fields")
    assert out["id"] == "10001"
    assert out["assignee"] == {"display_name": "Jane Doe", "account_id": "5fb82376aca10c006949f35b", "name": "janedoe"}
    assert out["status_category"] == "To Do"
    assert len(out["comments"]) == 1 and out["comment_total"] == 3  # 1 of 3 loaded: visible
    comment = out["comments"][0]
    assert comment["id"] == "10100" and comment["author"]["account_id"] == "5fb82376aca10c006949f35b"
    assert comment["body"] == "Test description" and "updated" not in comment
    assert out["custom_fields"] == {
        "customfield_10016": 5.0,
        "customfield_10020": "High",
        "customfield_10030": {"display_name": "Jon Doe", "account_id": "5fb82376aca10c006949f35c", "active": False},
        "customfield_10045": "EMEA / Paris",  # cascading select
    }
    assert out["custom_field_names"] == {
        "customfield_10016": "Story point estimate",
        "customfield_10020": "Severity",
        "customfield_10030": "Approver",
    }
    assert "emailAddress" not in compact_json(out) and "jane@domain.tld" not in text
    assert "assignee: Jane Doe [account_id: 5fb82376aca10c006949f35b, name: janedoe]" in text
    assert "- customfield_10016 (Story point estimate): 5.0" in text
    assert "- customfield_10030 (Approver): Jon Doe [account_id: 5fb82376aca10c006949f35c, inactive]" in text
    assert "comments (1 of 3):" in text and "[10100] Jane Doe [account_id: 5fb82376aca10c006949f35b" in text
    assert ratio("jira-cli issue.json + Cloud user, ADF comment, custom fields") < 0.75


def test_cloud_agile_issue_with_epic_and_custom_fields() -> None:
    """go-jira's AR-86 is an unabridged Jira Cloud issue (self links, avatars, nulls): the real noise case."""
    raw = load("jira-go-jira/issues_in_sprint.json")["issues"][0]
    out, text = run("jira_issue", raw, JIRA_CLOUD, "go-jira AR-86 (Cloud, full)")
    assert (out["key"], out["id"], out["status"], out["status_category"]) == ("AR-86", "12338", "Ready", "To Do")
    assert out["assignee"] == {"display_name": "mister Morris", "name": "mister.morris"}  # key == name: once
    assert out["epic"] == {"key": "AR-37", "summary": "Moderation design"}
    assert (out["resolution"], out["resolved"]) == ("Done", "2015-12-07T14:19:13.000-0800")
    assert out["custom_fields"] == {
        "customfield_11200": "0|0zzzzd:vi",
        "customfield_10105": 13.0,
        "customfield_10700": "AR-37",
    }
    for dropped in ("project", "watches", "workratio", "lastViewed", "timespent"):
        assert dropped not in out and dropped not in out.get("other_fields", {})
    assert "other_fields" not in out
    assert ratio("go-jira AR-86 (Cloud, full)") < 0.35
    assert "epic: AR-37 · Moderation design" in text and "- customfield_10105: 13.0" in text


def test_dc_issue() -> None:
    raw = load("jira-server-jira-ruby/issue/10002.json")
    out, text = run("jira_issue", raw, JIRA_DC, "jira-ruby issue 10002 (DC)")
    assert (out["key"], out["id"], out["summary"]) == ("SAMPLEPROJECT-1", "10002", "Sample Issue")
    assert out["url"] == "http://localhost:2990/jira/browse/SAMPLEPROJECT-1"  # context path kept
    assert out["status"] == "Open" and out["priority"] == "Major" and out["issue_type"] == "Task"
    assert out["assignee"] == {"display_name": "admin", "name": "admin"}  # DC: name is what assign/mention take
    assert out["components"] == ["Jamflam", "Jammy"] and out["due_date"] == "2011-12-14"
    assert "comments" not in out and "comment_total" not in out  # total 0
    assert set(out) <= set(VIEWS["jira_issue"].output_schema["properties"])
    assert "localhost:2990/jira/rest" not in compact_json(out) and "admin@example.com" not in compact_json(out)
    assert ratio("jira-ruby issue 10002 (DC)") < 0.2
    assert '{"' not in text
    assert text.splitlines()[0] == "SAMPLEPROJECT-1 · Sample Issue"
    assert "assignee: admin" in text and "components: Jamflam, Jammy" in text


def test_dc_issue_with_wiki_comments() -> None:
    raw = copy.deepcopy(load("jira-server-jira-ruby/issue/10002.json"))
    raw["fields"]["comment"] = load("jira-server-jira-ruby/issue/10002/comment.json")
    raw["fields"]["description"] = "h2. Steps\n# open\n# *crash*"
    out, text = run("jira_issue", raw, JIRA_DC, "jira-ruby issue 10002 + 2 comments (DC)")
    assert out["comment_total"] == 2 and [c["id"] for c in out["comments"]] == ["10000", "10001"]
    first, second = out["comments"]
    assert first["body"] == "This is a comment. Creative." and first["updated"] == "2012-01-12T15:15:13.074+1300"
    assert "update_author" not in first  # same person as the author
    assert "updated" not in second and second["body"] == "new comment"
    assert out["description"] == "## Steps\n\n1. open\n2. **crash**"  # wiki markup as Markdown
    assert "comments (2 of 2):" in text and "description:\n## Steps\n\n1. open\n2. **crash**" in text
    assert "[10000] admin [name: admin] · 2012-01-11T10:02:14.430+1300 (edited 2012-01-12T15:15:13.074+1300)" in text
    assert ratio("jira-ruby issue 10002 + 2 comments (DC)") < 0.2


def test_issue_links_subtasks_parent_and_unprojected_system_fields() -> None:
    raw = copy.deepcopy(load("jira-server-jira-ruby/issue/10002.json"))
    blocks = next(t for t in load("jira-go-jira/all_issuelinktypes.json") if t["name"] == "Blocker")  # real type
    ref: dict[str, Any] = {
        "id": "10003",
        "key": "SAMPLEPROJECT-2",
        "self": "x",
        "fields": {"summary": "Other", "status": {"name": "Done"}},
    }
    fields = raw["fields"]
    fields["issuelinks"] = [{"id": "1", "self": "x", "type": blocks, "inwardIssue": ref}]
    fields["subtasks"] = [ref]
    fields["parent"] = {**ref, "fields": {**ref["fields"], "issuetype": {"name": "Epic", "iconUrl": "x"}}}
    fields["timetracking"] = {"originalEstimate": "1d", "originalEstimateSeconds": 28800}
    fields["customfield_10100"] = "com.atlassian.greenhopper.service.sprint.Sprint@1[id=1,name=Sprint 1]"
    fields["somePluginField"] = {"self": "x", "score": 7}
    out, text = run("jira_issue", raw, JIRA_DC)
    assert out["links"] == [
        {
            "relation": "is blocked by",
            "key": "SAMPLEPROJECT-2",
            "summary": "Other",
            "status": "Done",
            "type": "Blocker",
            "direction": "inward",
        }
    ]
    assert out["subtasks"] == [{"key": "SAMPLEPROJECT-2", "summary": "Other", "status": "Done"}]
    assert out["parent"] == {"key": "SAMPLEPROJECT-2", "summary": "Other", "status": "Done", "issue_type": "Epic"}
    assert out["time_tracking"] == {"originalEstimate": "1d", "originalEstimateSeconds": 28800}
    assert out["custom_fields"]["customfield_10100"].startswith("com.atlassian.greenhopper")
    assert out["other_fields"] == {"somePluginField": {"score": 7}}  # unknown system field: kept, compacted
    assert "custom_field_names" not in out  # no expand=names
    assert "- is blocked by SAMPLEPROJECT-2 · Other [Done]" in text
    assert "parent: SAMPLEPROJECT-2 · Other [Done] (Epic)" in text


def test_issue_worklogs_transitions_and_changelog() -> None:
    raw = copy.deepcopy(load("jira-server-jira-ruby/issue/10002.json"))
    raw["fields"]["worklog"] = load("jira-server-jira-ruby/issue/10002/worklog.json")
    raw["transitions"] = load("jira-go-jira/transitions.json")["transitions"]
    raw["changelog"] = {
        "startAt": 0,
        "total": 1,
        "histories": [
            {
                "id": 10200,
                "author": raw["fields"]["reporter"],
                "created": "2011-12-15T09:00:00.000+1300",
                "items": [
                    {
                        "field": "status",
                        "fieldtype": "jira",
                        "from": "1",
                        "fromString": "Open",
                        "to": "3",
                        "toString": "In Progress",
                    },
                    {
                        "field": "labels",
                        "fieldtype": "jira",
                        "from": None,
                        "fromString": "",
                        "to": None,
                        "toString": "ops",
                    },
                ],
            }
        ],
    }
    out, text = run("jira_issue", raw, JIRA_DC)
    assert out["worklog_total"] == 3 and len(out["worklogs"]) == 3
    assert out["worklogs"][0] == {
        "id": "10000",
        "author": "admin",
        "started": "2012-01-11T13:33:00.000+1300",
        "time_spent": "18w 2d",
        "comment": "Some epic work.",
    }
    assert out["transitions"][0] == {"id": "2", "name": "Close Issue", "to": "In Progress"}
    assert out["changelog"] == [
        {
            "author": "admin",
            "created": "2011-12-15T09:00:00.000+1300",
            "changes": [{"field": "status", "from": "Open", "to": "In Progress"}, {"field": "labels", "to": "ops"}],
        }
    ]
    assert "worklogs (3 of 3):" in text and "- id: 10000, author: admin, started: 2012-01-11T13:33:00.000+1300" in text
    assert "- id: 2, name: Close Issue, to: In Progress" in text
    assert "- 2011-12-15T09:00:00.000+1300 admin: status: Open → In Progress; labels:  → ops" in text


# --------------------------------------------------------------------------------------- jira_issue_list


def test_cloud_search_page() -> None:
    raw = load("jira-cloud-jira-cli/search.json")
    out, text = run("jira_issue_list", raw, JIRA_CLOUD, "jira-cli search.json (Cloud, pre-trimmed)")
    assert [i["key"] for i in out["issues"]] == ["TEST-1", "TEST-2", "TEST-3"]
    first, second, third = out["issues"]
    assert first == {
        "key": "TEST-1",
        "summary": "Bug summary",
        "status": "To Do",
        "issue_type": "Bug",
        "priority": "Medium",
        "reporter": "Person A",
        "created": "2020-12-03T14:05:20.974+0100",
        "updated": "2020-12-03T14:05:20.974+0100",
    }
    assert second["labels"] == ["critical", "feature"] and third["assignee"] == "Person A"
    assert third["resolution"] == "Done"
    assert out["is_last"] is True and "next_page_token" not in out and "next_start_at" not in out
    assert "custom_fields" not in compact_json(out)
    assert ratio("jira-cli search.json (Cloud, pre-trimmed)") < 0.7
    lines = text.splitlines()
    assert lines[0] == "3 issues · last page"
    assert lines[1].startswith("TEST-1 · Bug summary · status: To Do · issue_type: Bug · priority: Medium")
    assert any(line.startswith("TEST-3 · Task summary") and "assignee: Person A" in line for line in lines)
    assert '{"' not in text


def test_cloud_search_token_paging_is_explicit() -> None:
    raw = copy.deepcopy(load("jira-cloud-jira-cli/search.json"))
    raw.update(isLast=False, nextPageToken="CAEaAggD")
    out, text = run("jira_issue_list", raw, JIRA_CLOUD)
    assert out["next_page_token"] == "CAEaAggD" and out["is_last"] is False
    assert "more: next_page_token=CAEaAggD" in text.splitlines()[0]


def test_dc_search_page() -> None:
    raw = load("jira-server-jira-ruby/issue.json")
    out, text = run("jira_issue_list", raw, JIRA_DC, "jira-ruby search issue.json (DC, 11 issues)")
    assert len(out["issues"]) == 11
    assert (out["total"], out["start_at"], out["max_results"], out["is_last"]) == (11, 0, 1000, True)
    assert "next_start_at" not in out
    last = out["issues"][-1]
    assert last["key"] == "SAMPLEPROJECT-1" and last["summary"] == "MOOOOOOARRR NINJAAAA!"
    assert last["assignee"] == "admin" and last["due_date"] == "2011-12-14"
    assert ratio("jira-ruby search issue.json (DC, 11 issues)") < 0.15
    assert text.splitlines()[0] == "11 issues of 11 from 0 · last page"


def test_offset_paging_says_where_the_next_page_starts() -> None:
    raw = copy.deepcopy(load("jira-go-jira/issues_in_sprint.json"))  # total 10, one issue on this page
    raw["names"] = {"customfield_10105": "Story Points", "customfield_99999": "Not on this page"}
    out, text = run("jira_issue_list", raw, JIRA_CLOUD, "go-jira issues_in_sprint (Cloud agile, full)")
    assert (out["total"], out["start_at"], out["next_start_at"], out["is_last"]) == (10, 0, 1, False)
    item = out["issues"][0]
    assert item["key"] == "AR-86" and item["assignee"] == "mister Morris" and item["status"] == "Ready"
    assert item["custom_fields"]["customfield_10105"] == 13.0  # fields beyond the standard ones were asked for
    assert out["custom_field_names"] == {"customfield_10105": "Story Points"}
    assert "more: start_at=1" in text.splitlines()[0] and "- customfield_10105 (Story Points): 13.0" in text
    assert ratio("go-jira issues_in_sprint (Cloud agile, full)") < 0.2


def test_empty_dc_search_page() -> None:
    out, text = run("jira_issue_list", load("jira-server-jira-ruby/empty_issues.json"), JIRA_DC)
    assert out["issues"] == [] and out["total"] == 0 and out["is_last"] is True
    assert text == "0 issues of 0 from 11 · last page"


# ----------------------------------------------------------------------------------- jira_issue_ref/comment


def test_issue_ref_dc_and_cloud() -> None:
    out, text = run("jira_issue_ref", load("jira-server-jira-ruby/issue.post.json"), JIRA_DC)
    assert out == {"key": "SAMPLEPROJECT-4", "id": "10005", "url": "http://localhost:2990/jira/browse/SAMPLEPROJECT-4"}
    assert text == "SAMPLEPROJECT-4 · 10005 · http://localhost:2990/jira/browse/SAMPLEPROJECT-4"
    out, _ = run("jira_issue_ref", load("jira-cloud-jira-cli/create.json"), JIRA_CLOUD)
    assert out == {"key": "TEST-3", "id": "10057", "url": "https://acme.atlassian.net/browse/TEST-3"}


def test_dc_comment() -> None:
    out, text = run("jira_comment", load("jira-server-jira-ruby/issue/10002/comment/10000.json"), JIRA_DC, "DC comment")
    assert out == {
        "id": "10000",
        "author": {"display_name": "admin", "name": "admin"},
        "created": "2012-01-11T10:02:14.430+1300",
        "body": "This is a comment. Creative.",
    }
    assert text == "[10000] admin [name: admin] · 2012-01-11T10:02:14.430+1300\nThis is a comment. Creative."
    assert ratio("DC comment") < 0.2
    edited, _ = run("jira_comment", load("jira-server-jira-ruby/issue/10002/comment.json")["comments"][0], JIRA_DC)
    assert edited["updated"] == "2012-01-12T15:15:13.074+1300"


def test_cloud_comment_with_adf_body_and_visibility() -> None:
    raw = cloud_issue_enriched()["fields"]["comment"]["comments"][0]
    raw = {**raw, "updated": "2020-12-05T10:00:00.000+0100", "visibility": {"type": "role", "value": "Developers"}}
    out, text = run("jira_comment", raw, JIRA_CLOUD)
    assert out["body"] == "Test description" and out["updated"] == "2020-12-05T10:00:00.000+0100"
    assert out["visibility"] == "role: Developers"
    head, body = text.split("\n")
    assert head.startswith("[10100] Jane Doe [account_id: 5fb82376aca10c006949f35b")
    assert "visible to role: Developers" in head and body == "Test description"


# ------------------------------------------------------------------------------------------- Confluence

V2_PAGE: dict[str, Any] = {
    "id": "98305",
    "status": "current",
    "title": "Runbook: rotate keys",
    "spaceId": "65538",
    "parentId": "98200",
    "parentType": "page",
    "position": 3,
    "authorId": "557058:aaaa",
    "ownerId": "557058:aaaa",
    "lastOwnerId": None,
    "createdAt": "2024-05-02T09:14:03.000Z",
    "version": {
        "createdAt": "2024-06-11T16:40:21.000Z",
        "message": "fix step 3",
        "number": 7,
        "minorEdit": False,
        "authorId": "557058:bbbb",
    },
    "body": {
        "storage": {
            "representation": "storage",
            "value": "<h2>Steps</h2><ol><li><p>Run <code>rotate</code></p></li></ol>",
        }
    },
    "_links": {
        "editui": "/pages/resumedraft.action?draftId=98305",
        "webui": "/spaces/OPS/pages/98305/Runbook+rotate+keys",
        "tinyui": "/x/AYAB",
        "base": "https://acme.atlassian.net/wiki",
    },
}


def test_v1_page_from_cloud() -> None:
    raw = load("confluence-cloud-go-atlassian/get-content.json")
    out, text = run("confluence_page", raw, CONF_CLOUD, "go-atlassian get-content (Confluence v1)")
    assert out == {
        "id": "64290828",
        "title": "Confluence Page Title",
        "status": "current",
        "space": "DUMMY",  # from _expandable.space: no extra request needed
        "url": "https://ctreminiom.atlassian.net/wiki/spaces/DUMMY/pages/64290828/Confluence+Page+Title",
    }
    assert text.splitlines()[0] == "64290828 · Confluence Page Title"
    assert ratio("go-atlassian get-content (Confluence v1)") < 0.3


def test_v1_page_with_every_expansion() -> None:
    """go-atlassian's create-content mock has every expansion (body in 10 formats, history, space...)."""
    raw = load("confluence-cloud-go-atlassian/create-content.json")
    out, text = run("confluence_page", raw, CONF_CLOUD, "go-atlassian create-content (v1, all expansions)")
    assert out["version"] == 2154 and out["body"] == "```confluence\n<string>\n```"  # unknown element kept
    assert out["space"] == raw["space"]["key"] and out["parent_id"] == raw["ancestors"][-1]["id"]
    assert out["author"] == raw["version"]["by"]["displayName"]
    assert out["last_updated"] == raw["version"]["when"]
    assert "url" not in out  # the mock's _links is empty: no URL rather than a made-up one
    assert ratio("go-atlassian create-content (v1, all expansions)") < 0.02
    assert "body:" in text


def test_dc_page_url_uses_site_without_wiki() -> None:
    raw = copy.deepcopy(load("confluence-cloud-go-atlassian/get-content.json"))
    del raw["_links"]["base"]
    out, _ = run("confluence_page", raw, CONF_DC)
    assert out["url"] == "https://confluence.example.com/confluence/spaces/DUMMY/pages/64290828/Confluence+Page+Title"
    out, _ = run("confluence_page", raw, CONF_CLOUD)
    assert out["url"] == "https://acme.atlassian.net/wiki/spaces/DUMMY/pages/64290828/Confluence+Page+Title"


def test_v2_page() -> None:
    out, text = run("confluence_page", V2_PAGE, CONF_CLOUD, "synthetic Confluence v2 page")
    assert out == {
        "id": "98305",
        "title": "Runbook: rotate keys",
        "status": "current",
        "space_id": "65538",
        "parent_id": "98200",
        "version": 7,
        "version_message": "fix step 3",
        "last_updated": "2024-06-11T16:40:21.000Z",
        "author": "557058:bbbb",  # who made this version (pairs with last_updated)
        "url": "https://acme.atlassian.net/wiki/spaces/OPS/pages/98305/Runbook+rotate+keys",
        "body": "## Steps\n\n1. Run `rotate`",  # storage XHTML as Markdown
    }
    assert text.endswith("body:\n## Steps\n\n1. Run `rotate`")
    assert "version: 7" in text and "space_id: 65538" in text


def test_v2_page_without_base_link() -> None:
    raw = copy.deepcopy(V2_PAGE)
    del raw["_links"]["base"]
    out, _ = run("confluence_page", raw, CONF_CLOUD)
    assert out["url"] == "https://acme.atlassian.net/wiki/spaces/OPS/pages/98305/Runbook+rotate+keys"


def test_page_refs_v1_and_v2() -> None:
    v2_created = {k: v for k, v in V2_PAGE.items() if k != "body"}
    v2_created["version"] = {"number": 1, "createdAt": "2024-05-02T09:14:03.000Z", "authorId": "557058:aaaa"}
    out, text = run("confluence_page_ref", v2_created, CONF_CLOUD)
    assert out == {
        "id": "98305",
        "title": "Runbook: rotate keys",
        "version": 1,
        "url": "https://acme.atlassian.net/wiki/spaces/OPS/pages/98305/Runbook+rotate+keys",
    }
    assert (
        text
        == "98305 · Runbook: rotate keys · v1 · https://acme.atlassian.net/wiki/spaces/OPS/pages/98305/Runbook+rotate+keys"
    )
    raw = load("confluence-cloud-go-atlassian/create-content.json")
    out, _ = run("confluence_page_ref", raw, CONF_CLOUD)
    assert out == {"id": raw["id"], "title": raw["title"], "version": 2154}


def test_v1_cql_search() -> None:
    raw = load("confluence-cloud-go-atlassian/search-content.json")
    out, text = run("confluence_search", raw, CONF_CLOUD, "go-atlassian search-content (CQL, v1)")
    hit = raw["results"][0]
    assert out["results"] == [
        {
            "id": hit["content"]["id"],
            "type": hit["content"]["type"],
            "title": hit["content"]["title"],
            "space": hit["content"]["space"]["key"],
            "url": "https://acme.atlassian.net/wiki/" + hit["url"],
            "excerpt": hit["excerpt"],
            "last_modified": hit["lastModified"],
        }
    ]
    assert (out["start"], out["limit"], out["size"], out["total"]) == (2154, 2154, 2154, 2154)
    assert "next_start" not in out and text.splitlines()[0].endswith("last page")
    assert ratio("go-atlassian search-content (CQL, v1)") < 0.1


def test_cql_search_highlights_container_and_next_page() -> None:
    raw = copy.deepcopy(load("confluence-cloud-go-atlassian/search-content.json"))
    hit = raw["results"][0]
    del hit["content"]["space"]
    hit.update(
        title="@@@hl@@@Runbook@@@endhl@@@ rotate keys",
        excerpt="Steps to @@@hl@@@rotate@@@endhl@@@ the\nsigning keys",
        url="/spaces/OPS/pages/98305/Runbook",
    )
    hit["content"]["title"] = "Runbook rotate keys"
    raw.update(start=0, limit=1, size=1, totalSize=9)
    raw["_links"] = {
        "base": "https://acme.atlassian.net/wiki",
        "next": "/rest/api/search?next=true&cursor=raNDoM&limit=1&start=1&cql=text~rotate",
    }
    out, text = run("confluence_search", raw, CONF_CLOUD)
    (result,) = out["results"]
    assert result["space"] == hit["resultGlobalContainer"]["title"]
    assert result["excerpt"] == "Steps to rotate the\nsigning keys"
    assert result["url"] == "https://acme.atlassian.net/wiki/spaces/OPS/pages/98305/Runbook"
    assert (out["next_start"], out["next_cursor"], out["total"]) == (1, "raNDoM", 9)
    assert "@@@" not in compact_json(out) and "@@@" not in text
    assert text.splitlines()[0] == "1 result of 9 from 0 · more: next_start=1, next_cursor=raNDoM"
    assert "  Steps to rotate the signing keys" in text.splitlines()


def test_content_list_search_shape_dc() -> None:
    """DC `/rest/api/content/search` returns content objects, like v1 `/content` (get-contents.json)."""
    raw = copy.deepcopy(load("confluence-cloud-go-atlassian/get-contents.json"))
    out, text = run("confluence_search", raw, CONF_CLOUD, "go-atlassian get-contents (content list)")
    assert [r["id"] for r in out["results"]] == ["196695", "64290817", "64290828", "65798145"]
    assert out["results"][2] == {
        "id": "64290828",
        "type": "page",
        "title": "Confluence Page Title",
        "space": "DUMMY",
        "url": "https://ctreminiom.atlassian.net/wiki/spaces/DUMMY/pages/64290828/Confluence+Page+Title",
    }
    assert (out["start"], out["limit"], out["size"]) == (0, 25, 4) and "total" not in out
    raw["_links"] = {"next": "/rest/api/content/search?cql=type=page&limit=25&start=25"}
    out, text = run("confluence_search", raw, CONF_DC)
    assert out["next_start"] == 25 and "next_cursor" not in out
    assert out["results"][0]["url"] == "https://confluence.example.com/confluence/spaces/DUMMY/overview"
    assert "64290828 · Confluence Page Title · page, DUMMY · https://" in text


# ------------------------------------------------------------------------------------------------ summary


REPORT_CASES: list[tuple[str, str, str, ViewContext]] = [
    ("jira_issue", "jira-cloud-jira-cli/issue.json", "Cloud issue (jira-cli, pre-trimmed)", JIRA_CLOUD),
    ("jira_issue", "jira-server-jira-ruby/issue/10002.json", "DC issue (jira-ruby)", JIRA_DC),
    ("jira_issue_list", "jira-cloud-jira-cli/search.json", "Cloud search (jira-cli, pre-trimmed)", JIRA_CLOUD),
    ("jira_issue_list", "jira-server-jira-ruby/issue.json", "DC search, 11 issues (jira-ruby)", JIRA_DC),
    ("jira_issue_list", "jira-go-jira/issues_in_sprint.json", "Cloud agile issues (go-jira, full)", JIRA_CLOUD),
    ("jira_comment", "jira-server-jira-ruby/issue/10002/comment/10000.json", "DC comment (jira-ruby)", JIRA_DC),
    ("confluence_page", "confluence-cloud-go-atlassian/get-content.json", "v1 page (go-atlassian)", CONF_CLOUD),
    ("confluence_search", "confluence-cloud-go-atlassian/search-content.json", "v1 CQL search", CONF_CLOUD),
]


def test_size_ratios_report() -> None:
    """The whole table in one place (`-s` prints it); every real body shrinks."""
    for view_name, rel, label, ctx in REPORT_CASES:
        run(view_name, load(rel), ctx, label)
        vs_compact, vs_pretty = RATIOS[label]
        print(f"{vs_compact:6.1%} of compact raw  {vs_pretty:6.1%} of indent=2 raw  {label}")
        assert vs_compact < 0.8


def test_issue_change_confirms_key_url_and_what_changed() -> None:
    view = get_view("jira_issue_change")
    data = {"key": "PROJ-1", "url": "https://acme.atlassian.net/browse/PROJ-1", "updated": ["summary"], "x": None}
    out = view.project(data, ViewContext("https://acme.atlassian.net", "cloud"))
    assert out == {"key": "PROJ-1", "url": "https://acme.atlassian.net/browse/PROJ-1", "updated": ["summary"]}
    jsonschema.validate(out, view.output_schema)
    assert view.render(out) == "PROJ-1 · https://acme.atlassian.net/browse/PROJ-1\nupdated: summary"
