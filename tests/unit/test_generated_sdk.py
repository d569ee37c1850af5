"""The generated SDKs against httpx MockTransport: what the templates and repair rules promise."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import io
import json

import confluence_sdk
import httpx
import jira_sdk
import pytest
from confluence_sdk.cloud import AsyncConfluenceCloud, ConfluenceCloud
from jira_sdk import RetryPolicy, basic_auth, bearer_auth, oauth_site_url
from jira_sdk.cloud import JiraCloud

SITE = "https://acme.atlassian.net"


class Recorder:
    """A MockTransport handler that answers from a queue and keeps every request."""

    def __init__(self, *responses: httpx.Response) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]


def jira(recorder: Recorder, **options: object) -> JiraCloud:
    return JiraCloud(SITE, auth=basic_auth("me@example.com", "tok"), transport=httpx.MockTransport(recorder), **options)


def test_typed_result_and_unknown_fields_round_trip() -> None:
    body = {"id": "10001", "key": "ED-1", "fields": {"summary": "Hi"}, "fieldsAddedIn2030": {"x": [1]}}
    rec = Recorder(httpx.Response(200, json=body))
    issue = jira(rec).issues.get_issue("ED-1")
    assert type(issue).__name__ == "IssueBean"
    assert issue.key == "ED-1"
    assert issue.to_dict() == body
    assert rec.requests[0].headers["authorization"].startswith("Basic ")


def test_spec_defaults_are_not_sent() -> None:
    rec = Recorder(httpx.Response(200, json={"key": "ED-1"}))
    jira(rec).issues.get_issue("ED-1")
    # The spec declares defaults for fieldsByKeys, updateHistory, failFast...: none goes on the wire.
    assert rec.requests[0].url.query == b""
    jira(rec).issues.get_issue("ED-1", fields_by_keys=False, fields=["summary", "status"])
    assert rec.requests[1].url.params.get_list("fields") == ["summary", "status"]
    assert rec.requests[1].url.params["fieldsByKeys"] == "false"


def test_open_enum_accepts_values_the_spec_does_not_list() -> None:
    rec = Recorder(httpx.Response(200, json={"id": "1", "key": "PD", "projectTypeKey": "product_discovery"}))
    project = jira(rec).projects.get_project("PD")
    assert project.project_type_key == "product_discovery"
    assert project.to_dict()["projectTypeKey"] == "product_discovery"
    from jira_sdk.cloud.models import ProjectProjectTypeKey

    assert ProjectProjectTypeKey("software") is ProjectProjectTypeKey.SOFTWARE


def test_missing_required_response_field_is_tolerated() -> None:
    # SearchResult marks breadcrumbs, excerpt, url... required; real sites omit them.
    page = {"results": [{"title": "Home", "entityType": "content"}], "start": 0, "limit": 25, "size": 1}
    rec = Recorder(httpx.Response(200, json=page))
    from confluence_sdk.cloud_v1 import ConfluenceCloudV1

    v1 = ConfluenceCloudV1(SITE, transport=httpx.MockTransport(rec))
    result = v1.search.search_by_cql(cql="type=page")
    assert result.results[0].title == "Home"
    assert not result.results[0].breadcrumbs  # UNSET, not a KeyError


def test_jira_timestamps_with_plus_0000_offsets_parse() -> None:
    comment = {
        "id": "1",
        "created": "2024-03-01T10:15:30.123+0000",
        "updated": "2024-03-01T12:00:00.000-0300",
    }
    rec = Recorder(httpx.Response(200, json=comment))
    parsed = jira(rec).issue_comments.get_comment("ED-1", "1")
    assert parsed.created == dt.datetime(2024, 3, 1, 10, 15, 30, 123000, tzinfo=dt.UTC)
    assert parsed.updated.utcoffset() == dt.timedelta(hours=-3)


def test_multipart_upload_sends_the_xsrf_header() -> None:
    from jira_sdk.cloud.api.issue_attachments import add_attachment
    from jira_sdk.cloud.models import AddAttachmentBody
    from jira_sdk.cloud.types import File

    rec = Recorder(httpx.Response(200, json=[{"id": "5", "filename": "a.txt"}]))
    body = AddAttachmentBody(file=[File(payload=io.BytesIO(b"hello"), file_name="a.txt")])
    add_attachment.sync("ED-1", client=jira(rec).http, body=body)
    request = rec.requests[0]
    assert request.headers["X-Atlassian-Token"] == "no-check"
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert b"hello" in request.read()


def test_errors_are_typed_and_parsed() -> None:
    rec = Recorder(
        httpx.Response(400, json={"errorMessages": [], "errors": {"summary": "You must specify a summary."}})
    )
    with pytest.raises(jira_sdk.BadRequestError) as caught:
        jira(rec).issues.get_issue("ED-1")
    assert caught.value.errors == {"summary": "You must specify a summary."}
    assert caught.value.status_code == 400
    assert "summary: You must specify a summary." in str(caught.value)


def test_confluence_v2_error_without_declared_schema_is_parsed() -> None:
    body = {"errors": [{"status": 404, "code": "NOT_FOUND", "title": "Not Found", "detail": "Page 9 not found"}]}
    rec = Recorder(httpx.Response(404, json=body))
    confluence = ConfluenceCloud(SITE, transport=httpx.MockTransport(rec))
    with pytest.raises(confluence_sdk.NotFoundError) as caught:
        confluence.page.get_page_by_id(9)
    assert "Page 9 not found" in str(caught.value)
    assert str(rec.requests[0].url) == f"{SITE}/wiki/api/v2/pages/9"


def test_rate_limit_is_retried_for_get_but_not_for_post() -> None:
    sleeps: list[float] = []
    policy = RetryPolicy(sleep=sleeps.append)
    limited = httpx.Response(429, headers={"Retry-After": "2"}, json={"errorMessages": ["Rate limited"]})
    rec = Recorder(limited, httpx.Response(200, json={"key": "ED-1"}))
    assert jira(rec, retry=policy).issues.get_issue("ED-1").key == "ED-1"
    assert len(rec.requests) == 2 and sleeps == [2.0]

    rec = Recorder(limited)
    with pytest.raises(jira_sdk.RateLimitError) as caught:
        jira(rec, retry=policy).issues.create_issue(body=_issue_update())
    assert caught.value.retry_after == 2.0
    assert len(rec.requests) == 1


def _issue_update() -> object:
    from jira_sdk.cloud.models import IssueUpdateDetails

    return IssueUpdateDetails.from_dict({"fields": {"summary": "x", "project": {"key": "ED"}}})


async def test_async_facade() -> None:
    rec = Recorder(httpx.Response(200, json={"id": "1", "title": "Home", "status": "current"}))
    async with AsyncConfluenceCloud(SITE, auth=bearer_auth("t"), async_transport=httpx.MockTransport(rec)) as c:
        page = await c.page.get_page_by_id(1, body_format="storage")
    assert page.title == "Home"
    assert rec.requests[0].headers["authorization"] == "Bearer t"
    assert rec.requests[0].url.params["body-format"] == "storage"


async def test_async_pagination_over_a_real_operation() -> None:
    pages = [
        {"results": [{"id": "1"}, {"id": "2"}], "_links": {"next": "/wiki/api/v2/pages?cursor=abc"}},
        {"results": [{"id": "3"}], "_links": {}},
    ]
    rec = Recorder(*(httpx.Response(200, json=p) for p in pages))
    confluence = AsyncConfluenceCloud(SITE, async_transport=httpx.MockTransport(rec))
    ids = [page.id async for page in confluence.page.iter_get_pages(limit=2)]
    assert ids == ["1", "2", "3"]
    assert rec.requests[1].url.params["cursor"] == "abc"


def test_offset_pagination_over_a_real_operation() -> None:
    pages = [
        {"startAt": 0, "maxResults": 2, "total": 3, "isLast": False, "values": [{"key": "A"}, {"key": "B"}]},
        {"startAt": 2, "maxResults": 2, "total": 3, "isLast": True, "values": [{"key": "C"}]},
    ]
    rec = Recorder(*(httpx.Response(200, json=p) for p in pages))
    keys = [p.key for p in jira(rec).projects.iter_search_projects(page_size=2)]
    assert keys == ["A", "B", "C"]
    assert rec.requests[1].url.params["startAt"] == "2"


def test_token_pagination_with_max_items() -> None:
    pages = [
        {"issues": [{"key": "A-1"}, {"key": "A-2"}], "nextPageToken": "t2"},
        {"issues": [{"key": "A-3"}], "isLast": True},
    ]
    rec = Recorder(*(httpx.Response(200, json=p) for p in pages))
    keys = [i.key for i in jira(rec).issue_search.iter_search_and_reconsile_issues_using_jql(jql="x", max_items=2)]
    assert keys == ["A-1", "A-2"]
    assert len(rec.requests) == 1


def test_oauth_site_url_and_base_paths() -> None:
    rec = Recorder(httpx.Response(200, json={"key": "ED-1"}))
    cloud = JiraCloud(oauth_site_url("jira", "abc-123"), auth=bearer_auth("t"), transport=httpx.MockTransport(rec))
    cloud.issues.get_issue("ED-1")
    assert str(rec.requests[0].url) == "https://api.atlassian.com/ex/jira/abc-123/rest/api/3/issue/ED-1"
    from jira_sdk.datacenter import JiraDataCenter

    dc = JiraDataCenter("https://jira.example.com/jira", auth=bearer_auth("pat"), transport=httpx.MockTransport(rec))
    dc.issue.get_issue("ED-1")
    assert str(rec.requests[1].url) == "https://jira.example.com/jira/rest/api/2/issue/ED-1"
    with pytest.raises(ValueError):
        oauth_site_url("bitbucket", "x")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "package",
    [
        "jira_sdk.cloud",
        "jira_sdk.software",
        "jira_sdk.service_management",
        "jira_sdk.datacenter",
        "jira_sdk.forms",
        "confluence_sdk.cloud",
        "confluence_sdk.cloud_v1",
        "confluence_sdk.datacenter",
    ],
)
def test_catalogue_lists_every_operation_with_a_callable(package: str) -> None:
    from importlib.resources import files

    catalogue = json.loads(files(package).joinpath("catalogue.json").read_text())
    assert catalogue["operations"], package
    for op_id, op in catalogue["operations"].items():
        module = importlib.import_module(op["module"])
        assert callable(module.sync_detailed) and callable(module.asyncio_detailed), op_id
        accepted = set(inspect.signature(module.sync_detailed).parameters)
        assert {p["python_name"] for p in op["parameters"]} <= accepted, op_id
        assert ("body" in accepted) == (op["request_body"] is not None), op_id
        assert op["read_only"] == (op["method"] in ("GET", "HEAD", "OPTIONS"))
        for param in op["parameters"]:
            assert param["in"] in ("path", "query", "header", "cookie")
            assert isinstance(param["schema"], dict)


def test_offset_pagination_over_a_plain_array_stops_on_a_short_page() -> None:
    pages = [[{"accountId": "a"}, {"accountId": "b"}], [{"accountId": "c"}]]
    rec = Recorder(*(httpx.Response(200, json=p) for p in pages))
    users = [u.account_id for u in jira(rec).user_search.iter_find_users(query="x", page_size=2)]
    assert users == ["a", "b", "c"]
    assert [r.url.params["startAt"] for r in rec.requests[1:]] == ["2"]
    assert len(rec.requests) == 2


def test_raw_variant_returns_the_answer_unparsed_and_still_raises() -> None:
    from jira_sdk.cloud.api.issues import get_issue

    body = b'{"key":"ED-1","fields":{"created":"2024-03-01T10:15:30.123+0000"}}'
    rec = Recorder(httpx.Response(200, content=body), httpx.Response(404, json={"errorMessages": ["gone"]}))
    client = jira(rec).http
    assert get_issue.sync_raw("ED-1", client=client).content == body  # +0000 kept as sent
    with pytest.raises(jira_sdk.NotFoundError):
        get_issue.sync_raw("ED-2", client=client)


def test_the_forms_sdk_is_called_on_atlassians_api_host_by_cloud_id() -> None:
    """jira-forms is served by api.atlassian.com, not the site: the client's base URL carries the cloud id."""
    from jira_sdk.forms import JiraForms

    assert "api.atlassian.com/jira/forms/cloud/{cloudId}" in (JiraForms.__doc__ or "")
    rec = Recorder(httpx.Response(200, json=[{"id": "f-1", "name": "Checklist", "submitted": False}]))
    base = "https://api.atlassian.com/jira/forms/cloud/3f2a8c1e-5b7d-4e9f-a1c3-d5e7f9b1c3e5"
    api = JiraForms(base, auth=basic_auth("me@example.com", "tok"), transport=httpx.MockTransport(rec))
    forms = api.forms_on_issue.get_issue_form_index("ED-1")
    assert [(f.id, f.name, f.submitted) for f in forms] == [("f-1", "Checklist", False)]
    assert str(rec.requests[0].url) == base + "/issue/ED-1/form"
