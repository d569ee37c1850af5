"""Jira Forms (ProForma) on Cloud, against recorded HTTP (see conftest.py): the site's tenant info names its cloud
id, then the Forms API is called under it on Atlassian's API host (the sandbox plays both)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pytest

from .test_replay_tools import call, connect, error, ok, run

if TYPE_CHECKING:
    from .conftest import Site

pytestmark = [pytest.mark.vcr, pytest.mark.parametrize("flavor", ["cloud"])]  # the Forms API is Cloud only

CHECKLIST = "6f1c2b0e-2d4a-4c1e-9a57-0d3b1f6e8a21"  # open, internal
REVIEW = "b7e4d1a9-8c3f-4f2b-b6e0-1a9d8c7b6a53"  # submitted and locked


def forms_on(site: Site) -> Site:
    return dataclasses.replace(site, env={**site.env, "TOOLSETS": "jira_forms"})


async def tool(site: Site, tool_name: str, /, **arguments: Any) -> Any:
    return await run(forms_on(site), tool_name, **arguments)


async def test_jira_get_issue_proforma_forms(site: Site) -> None:
    found = ok(await tool(site, "jira_get_issue_proforma_forms", issue_key="PROJ-2"))
    assert found == {
        "issue_key": "PROJ-2",
        "forms": [
            {"id": CHECKLIST, "name": "Release checklist", "status": "open", "visibility": "internal",
             "updated": "2026-01-12T09:30:00.000Z", "template_id": "0c9d5a7e-3b2f-4e8a-a1d6-5c4b3a2f1e0d"},
            {"id": REVIEW, "name": "Security review", "status": "submitted", "locked": True, "visibility": "external",
             "updated": "2026-01-10T16:05:00.000Z", "template_id": "e2d1c0b9-a8f7-4e6d-95c4-b3a2f1e0d9c8"},
        ],
    }  # fmt: skip


async def test_jira_get_issue_proforma_forms_unknown_issue(site: Site) -> None:
    text = error(await tool(site, "jira_get_issue_proforma_forms", issue_key="PROJ-999"))
    assert text.startswith("Jira answered 404: The issue was not found or you cannot see it.")


async def test_jira_get_proforma_form_details(site: Site) -> None:
    form = ok(await tool(site, "jira_get_proforma_form_details", issue_key="PROJ-2", form_id=CHECKLIST))
    assert (form["name"], form["status"], form["visibility"]) == ("Release checklist", "open", "internal")
    by_id = {q["id"]: q for q in form["questions"]}
    assert [q["id"] for q in form["questions"]] == [str(n) for n in range(1, 9)]  # question order, not text order
    assert by_id["1"] == {"id": "1", "label": "Release name", "type": "ts", "required": True,
                          "answer": {"text": "Apple Pay 1.1"}}  # fmt: skip
    assert by_id["5"]["choices"] == [{"id": "1", "label": "Low"}, {"id": "2", "label": "Medium"},
                                     {"id": "3", "label": "High"}]  # fmt: skip
    assert by_id["5"]["answer"] == {"choices": ["2"]}
    assert by_id["8"]["answer"] == {"text": "Turn off the `apple_pay` flag."}  # ADF read as Markdown
    assert by_id["3"]["jira_field"] == "duedate" and "answer" not in by_id["7"]


async def test_jira_get_proforma_form_details_unknown_form(site: Site) -> None:
    text = error(await tool(site, "jira_get_proforma_form_details", issue_key="PROJ-2", form_id="c18bde7a-0000"))
    assert text.startswith("Jira answered 404: The provided form ID was not found.")


async def test_jira_update_proforma_form_answers(site: Site) -> None:
    answers = [
        {"questionId": "2", "type": "NUMBER", "value": 5000},
        {"questionId": "3", "type": "DATE", "value": "2026-02-01"},
        {"questionId": "4", "type": "DATETIME", "value": "2026-02-01T18:30:00+01:00"},
        {"questionId": "6", "type": "MULTI_SELECT", "value": ["1", "3"]},
        {"questionId": "7", "type": "USER", "value": "5b10ac8d82e05b22cc7d4ef5"},
    ]
    async with connect(forms_on(site)) as client:
        saved = ok(await call(client, "jira_update_proforma_form_answers", issue_key="PROJ-2", form_id=CHECKLIST,
                              answers=answers))  # fmt: skip
        form = ok(await call(client, "jira_get_proforma_form_details", issue_key="PROJ-2", form_id=CHECKLIST))
    assert saved["saved"] == ["2", "3", "4", "6", "7"] and saved["status"] == "open" and saved["id"] == CHECKLIST
    by_id = {q["id"]: q.get("answer") for q in form["questions"]}
    assert by_id["2"] == {"text": "5000"}  # numbers are text in FormAnswer
    assert by_id["4"] == {"date": "2026-02-01", "time": "18:30"}  # the time is kept, not reset to midnight
    assert by_id["6"] == {"choices": ["1", "3"]} and by_id["7"] == {"users": ["5b10ac8d82e05b22cc7d4ef5"]}
    assert by_id["1"] == {"text": "Apple Pay 1.1"}  # answers not named stay


async def test_jira_update_proforma_form_answers_submitted_form(site: Site) -> None:
    answers = [{"questionId": "1", "type": "SELECT", "value": "2"}]
    text = error(await tool(site, "jira_update_proforma_form_answers", issue_key="PROJ-2", form_id=REVIEW,
                            answers=answers))  # fmt: skip
    assert text.startswith("Jira answered 409: The form is submitted: reopen it before changing answers.")


async def test_jira_update_proforma_form_answers_bad_type(site: Site) -> None:
    """Refused before any request (no recording): theirs sends an unknown type as text."""
    answers = [{"questionId": "1", "type": "COLOUR", "value": "red"}]
    text = error(await tool(site, "jira_update_proforma_form_answers", issue_key="PROJ-2", form_id=CHECKLIST,
                            answers=answers))  # fmt: skip
    assert text.startswith("answers[0].type: 'COLOUR' is not one of TEXT, NUMBER, DATE")
