"""Jira Forms: answers in the Forms API's shape, where the API is reached (gateway + cloud id), the views."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from adapter import catalogue
from adapter.config import MultiUser, OAuthConfig, ProductConfig
from adapter.handlers import ToolError
from adapter.handlers.jira_forms import form_answer
from adapter.multiuser import Credential
from adapter.server import Site
from adapter.views import ViewContext, get_view

SITE = "https://acme.atlassian.net"
CLOUD_ID = "3f2a8c1e-5b7d-4e9f-a1c3-d5e7f9b1c3e5"
FORMS = catalogue.find("jira-forms/getIssueFormIndex")


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"questionId": "1", "value": "plain"}, {"text": "plain"}),  # TEXT is the default type
        ({"questionId": "1", "type": "NUMBER", "value": 12.5}, {"text": "12.5"}),
        ({"questionId": "1", "type": "date", "value": "2026-03-04T23:30:00Z"}, {"date": "2026-03-04"}),
        ({"questionId": "1", "type": "DATE", "value": 1772582400000}, {"date": "2026-03-04"}),  # ms, UTC
        ({"questionId": "1", "type": "DATETIME", "value": "2026-03-04T07:05:00-05:00"},
         {"date": "2026-03-04", "time": "07:05"}),  # the wall-clock time given is kept
        ({"questionId": "1", "type": "TIME", "value": "9:05"}, {"time": "09:05"}),
        ({"questionId": "1", "type": "TIME", "value": "2026-03-04T17:45:00"}, {"time": "17:45"}),
        ({"questionId": "1", "type": "SELECT", "value": 2}, {"choices": ["2"]}),
        ({"questionId": "1", "type": "CHECKBOX", "value": ["1", "3"]}, {"choices": ["1", "3"]}),
        ({"questionId": "1", "type": "MULTI_SELECT", "value": None}, {"choices": []}),  # clears the answer
        ({"questionId": 7, "type": "MULTI_USER", "value": ["a1", "b2"]}, {"users": ["a1", "b2"]}),
    ],
)  # fmt: skip
def test_answers_take_the_form_answer_shape(item: dict[str, Any], expected: dict[str, Any]) -> None:
    assert form_answer(0, item) == (str(item["questionId"]), expected)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("text", "answers[3]: expected an object with questionId, type and value"),
        ({"type": "TEXT", "value": "x"}, "answers[3]: questionId is required"),
        ({"questionId": "1", "type": "RADIO", "value": "1"}, "answers[3].type: 'RADIO' is not one of TEXT, NUMBER"),
        ({"questionId": "1", "type": "DATE", "value": "next friday"}, "answers[3].value: expected an ISO 8601 date"),
        ({"questionId": "1", "type": "TIME", "value": "25:00"}, "answers[3].value: expected an ISO 8601 date"),
        ({"questionId": "1", "type": "DATE", "value": True}, "answers[3].value: expected an ISO 8601 date"),
        ({"questionId": "1", "type": "NUMBER"}, "answers[3].value is required for NUMBER"),
    ],
)
def test_bad_answers_name_the_item(item: Any, message: str) -> None:
    with pytest.raises(ToolError) as caught:
        form_answer(3, item)
    assert str(caught.value).startswith(message)


def recording_site(config: ProductConfig, answer: httpx.Response) -> tuple[Site, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer

    return Site(config, httpx.MockTransport(record)), seen


async def test_the_cloud_id_is_asked_of_the_site_once_and_the_forms_api_is_on_the_gateway() -> None:
    config = ProductConfig("jira", SITE, "cloud", username="me@example.com", api_token="t")
    site, seen = recording_site(config, httpx.Response(200, json={"cloudId": CLOUD_ID}))
    assert await site.cloud_id() == CLOUD_ID and await site.cloud_id() == CLOUD_ID
    assert [str(r.url) for r in seen] == [f"{SITE}/_edge/tenant_info"]
    assert site.base_url("jira-forms") == f"https://api.atlassian.com/jira/forms/cloud/{CLOUD_ID}"
    assert site.base_url("jira-platform") == SITE  # the site's own APIs stay on the site


async def test_parallel_first_calls_ask_for_the_cloud_id_once() -> None:
    config = ProductConfig("jira", SITE, "cloud", username="me@example.com", api_token="t")
    seen: list[str] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        await asyncio.sleep(0.01)  # the first answer is slow: the others wait for it rather than ask again
        return httpx.Response(200, json={"cloudId": CLOUD_ID} if request.url.path == "/_edge/tenant_info" else [])

    site = Site(config, httpx.MockTransport(answer))
    await asyncio.gather(*(site.call(FORMS, {"issue_id_or_key": f"PROJ-{n}"}) for n in range(5)))
    assert seen.count("/_edge/tenant_info") == 1 and len(seen) == 6


async def test_a_site_that_names_no_cloud_id_is_a_clear_error() -> None:
    config = ProductConfig("jira", SITE, "cloud", username="me@example.com", api_token="t")
    site, _seen = recording_site(config, httpx.Response(404, json={"errorMessages": ["Not found"]}))
    with pytest.raises(ToolError, match="could not learn the cloud id of https://acme.atlassian.net .*ATLASSIAN_OAUTH"):
        await site.call(FORMS, {"issue_id_or_key": "PROJ-1"})


async def test_oauth_uses_its_cloud_id_and_gateway_without_asking_the_site() -> None:
    oauth = OAuthConfig(client_id=None, access_token="at", cloud_id=CLOUD_ID, api_url="https://gw.example")
    config = ProductConfig("jira", SITE, "cloud", oauth=oauth, cloud_id=CLOUD_ID, api_gateway="https://gw.example")
    site, seen = recording_site(config, httpx.Response(200, json=[]))
    assert await site.call(FORMS, {"issue_id_or_key": "PROJ-1"}) == []
    assert [str(r.url) for r in seen] == [f"https://gw.example/jira/forms/cloud/{CLOUD_ID}/issue/PROJ-1/form"]
    assert seen[0].headers["authorization"] == "Bearer at"


def test_a_request_may_name_its_cloud_id_and_pools_are_kept_apart_by_it() -> None:
    base = ProductConfig("jira", SITE, "cloud", username="server@example.com", api_token="s", cloud_id=CLOUD_ID)
    settings = MultiUser()
    mine = Credential("basic", "me@example.com:t", cloud_id="11111111-2222-4333-8444-555555555555")
    theirs = Credential("basic", "me@example.com:t")
    named, inherited = mine.config("jira", base, settings), theirs.config("jira", base, settings)
    assert named.cloud_id == "11111111-2222-4333-8444-555555555555" and inherited.cloud_id == CLOUD_ID
    assert mine.key(named) != theirs.key(inherited)
    bearer = Credential("bearer", "tok", cloud_id="11111111-2222-4333-8444-555555555555")
    gateway = bearer.config("jira", base, MultiUser(oauth_api_url="https://gw.example"))
    assert (gateway.cloud_id, gateway.api_gateway) == ("11111111-2222-4333-8444-555555555555", "https://gw.example")


def view(name: str, data: Any, **arguments: Any) -> dict[str, Any]:
    return get_view(name).project(data, ViewContext(SITE, "cloud", arguments))


def test_form_view_puts_answers_beside_questions_in_question_order() -> None:
    form = {
        "id": "f-1",
        "design": {"settings": {"name": "Intake"}, "questions": {
            "10": {"type": "tl", "label": "Notes"}, "2": {"type": "cd", "label": "Size",
                                                          "choices": [{"id": "1", "label": "S"}]},
            "x": {"type": "ts", "label": "Odd id"}}},
        "state": {"status": "l", "visibility": "e", "answers": {
            "2": {"choices": ["1"]},
            "10": {"adf": {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [
                {"type": "text", "text": "big", "marks": [{"type": "strong"}]}]}]}},
            "99": {"text": "an answer whose question is gone"}}},
    }  # fmt: skip
    projected = view("jira_form", form, issue_key="A-1")
    assert (projected["status"], projected["visibility"], projected["name"]) == ("locked", "external", "Intake")
    assert [q["id"] for q in projected["questions"]] == ["2", "10", "99", "x"]  # numeric ids by number
    assert projected["questions"][1]["answer"] == {"text": "**big**"}
    assert projected["questions"][2] == {"id": "99", "label": "", "type": "",
                                         "answer": {"text": "an answer whose question is gone"}}  # fmt: skip
    text = get_view("jira_form").render(projected)
    assert "- [2] Size (cd; choices 1 S): S (1)" in text and "- [x] Odd id (ts): (no answer)" in text
    json.dumps(projected)  # plain JSON


def test_forms_view_refuses_an_answer_that_is_no_list() -> None:
    with pytest.raises(ValueError, match="expected a JSON array"):
        view("jira_forms", {"forms": []}, issue_key="A-1")
