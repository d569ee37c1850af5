"""Jira Forms (ProForma) on issues, as the Forms API on api.atlassian.com serves them, and the site's tenant info.

The Forms API lives at `{gateway}/jira/forms/cloud/{cloudId}/...`; in the sandbox the gateway is the sandbox itself
(ATLASSIAN_OAUTH_API_URL points at it), so these are SITE_ROUTES with full paths. Known cloud ids: the sandbox's
own (`/_edge/tenant_info` names it) and the OAuth sandbox's two sites. Cloud only.

Behaviour kept from the real API: unknown issue or form ids are 404 with FORM_NOT_FOUND / ISSUE_NOT_FOUND, answers
are merged by question id, a submitted form refuses answers until reopened (409), an answer must use the
FormAnswer keys (text, adf, date, time, choices, users, files) and choices must be the question's.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from starlette.responses import Response

from ..app import Api, ApiError, Call, ok

CLOUD_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"  # the plain sandbox site's cloud id
FORMS = "/jira/forms/cloud/{cloudId}"
ANSWER_KEYS = {"text", "adf", "date", "time", "choices", "users", "files"}
DATE, TIME = re.compile(r"\d{4}-\d{2}-\d{2}"), re.compile(r"\d{2}:\d{2}")
OPEN, SUBMITTED = "o", "s"


def _known_cloud_ids() -> set[str]:
    from ..oauth import SITES

    return {CLOUD_ID, *(site["id"] for site in SITES)}


def _choices(*labels: str) -> list[dict[str, str]]:
    return [{"id": str(i), "label": label} for i, label in enumerate(labels, 1)]


def _release_checklist() -> dict[str, Any]:
    questions = {
        "1": {"type": "ts", "label": "Release name", "validation": {"rq": True}},
        "2": {"type": "no", "label": "Expected daily users"},
        "3": {"type": "da", "label": "Launch date", "jiraField": "duedate"},
        "4": {"type": "dt", "label": "Go-live window opens"},
        "5": {"type": "cd", "label": "Risk", "choices": _choices("Low", "Medium", "High")},
        "6": {"type": "cm", "label": "Platforms", "choices": _choices("iOS", "Android", "Web")},
        "7": {"type": "us", "label": "Approver"},
        "8": {"type": "pg", "label": "Rollback plan"},
    }
    rollback = {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [
        {"type": "text", "text": "Turn off the "}, {"type": "text", "text": "apple_pay", "marks": [{"type": "code"}]},
        {"type": "text", "text": " flag."}]}]}  # fmt: skip
    return {
        "id": "6f1c2b0e-2d4a-4c1e-9a57-0d3b1f6e8a21",
        "name": "Release checklist",
        "template": "0c9d5a7e-3b2f-4e8a-a1d6-5c4b3a2f1e0d",
        "updated": "2026-01-12T09:30:00.000Z",
        "design": {"settings": {"name": "Release checklist", "language": "en", "submit": {"lock": False, "pdf": False}},
                   "questions": questions, "layout": [], "conditions": {}, "sections": {}},
        "state": {"visibility": "i", "status": OPEN,
                  "answers": {"1": {"text": "Apple Pay 1.1"}, "5": {"choices": ["2"]}, "8": {"adf": rollback}}},
    }  # fmt: skip


def _security_review() -> dict[str, Any]:
    return {
        "id": "b7e4d1a9-8c3f-4f2b-b6e0-1a9d8c7b6a53",
        "name": "Security review",
        "template": "e2d1c0b9-a8f7-4e6d-95c4-b3a2f1e0d9c8",
        "updated": "2026-01-10T16:05:00.000Z",
        "lock": True,
        "design": {"settings": {"name": "Security review", "language": "en", "submit": {"lock": True, "pdf": True}},
                   "questions": {"1": {"type": "cs", "label": "Handles card data?", "choices": _choices("Yes", "No")}},
                   "layout": [], "conditions": {}, "sections": {}},
        "state": {"visibility": "e", "status": SUBMITTED, "answers": {"1": {"choices": ["1"]}}},
    }  # fmt: skip


def seed(sandbox: Any) -> None:
    """Forms by issue key: PROJ-2 has an open internal checklist and a submitted, locked external review."""
    sandbox.extra["jira_forms"] = {"PROJ-2": [_release_checklist(), _security_review()]}


def _issue_forms(c: Call) -> tuple[str, list[dict[str, Any]]]:
    if c.path["cloudId"] not in _known_cloud_ids():
        raise ApiError(404, "The cloud id is not a site this token can reach.", code="CLOUD_NOT_FOUND")
    issue = c.sandbox.issue(c.path["issueIdOrKey"])
    if issue is None:
        raise ApiError(404, "The issue was not found or you cannot see it.", code="ISSUE_NOT_FOUND")
    return issue.key, c.sandbox.extra["jira_forms"].setdefault(issue.key, [])


def _form(c: Call) -> dict[str, Any]:
    _key, forms = _issue_forms(c)
    for form in forms:
        if form["id"] == c.path["formId"]:
            return form
    raise ApiError(404, "The provided form ID was not found.", code="FORM_NOT_FOUND")


def _public(form: dict[str, Any]) -> dict[str, Any]:
    return {"id": form["id"], "updated": form["updated"], "design": form["design"], "state": form["state"]}


def get_issue_form_index(c: Call) -> Response:
    _key, forms = _issue_forms(c)
    return ok([{"id": f["id"], "formTemplate": {"id": f["template"]}, "internal": f["state"]["visibility"] == "i",
                "submitted": f["state"]["status"] != OPEN, "lock": f.get("lock", False), "name": f["name"],
                "updated": f["updated"]} for f in forms])  # fmt: skip


def get_issue_form(c: Call) -> Response:
    return ok(_public(_form(c)))


def save_issue_form_answers(c: Call) -> Response:
    form = _form(c)
    answers = c.body_dict().get("answers")
    if not isinstance(answers, dict):
        raise ApiError(400, "answers must be an object keyed by question id.", code="INVALID_REQUEST")
    if form["state"]["status"] != OPEN:
        raise ApiError(409, "The form is submitted: reopen it before changing answers.", code="FORM_SUBMITTED")
    questions = form["design"]["questions"]
    for question_id, answer in answers.items():
        _check_answer(questions.get(question_id), question_id, answer)
    form["state"]["answers"].update(copy.deepcopy(answers))
    form["updated"] = c.sandbox.tick().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return ok(_public(form))


def _check_answer(question: dict[str, Any] | None, question_id: str, answer: Any) -> None:
    def bad(why: str) -> ApiError:
        return ApiError(400, f"Answer to question {question_id}: {why}.", code="INVALID_ANSWER")

    if question is None:
        raise bad("no such question on this form")
    if not isinstance(answer, dict) or not answer or set(answer) - ANSWER_KEYS:
        raise bad(f"expected an object with some of {', '.join(sorted(ANSWER_KEYS))}")
    if "date" in answer and not (isinstance(answer["date"], str) and DATE.fullmatch(answer["date"])):
        raise bad("date must be yyyy-MM-dd")
    if "time" in answer and not (isinstance(answer["time"], str) and TIME.fullmatch(answer["time"])):
        raise bad("time must be HH:mm")
    if "choices" in answer:
        allowed = {choice["id"] for choice in question.get("choices", [])}
        if not isinstance(answer["choices"], list) or not set(answer["choices"]) <= allowed:
            raise bad(f"choices must be ids of this question's choices ({', '.join(sorted(allowed)) or 'none'})")


def get_tenant_info(c: Call) -> Response:
    return ok({"cloudId": CLOUD_ID})


SITE_ROUTES = {
    "cloud": [
        ("getTenantInfo", "GET", "/_edge/tenant_info", Api.JIRA3, get_tenant_info),
        ("getIssueFormIndex", "GET", FORMS + "/issue/{issueIdOrKey}/form", Api.FORMS, get_issue_form_index),
        ("getIssueForm", "GET", FORMS + "/issue/{issueIdOrKey}/form/{formId}", Api.FORMS, get_issue_form),
        ("saveIssueFormAnswers", "PUT", FORMS + "/issue/{issueIdOrKey}/form/{formId}", Api.FORMS,
         save_issue_form_answers),
    ]
}  # fmt: skip
