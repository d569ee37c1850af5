"""Contract cases of the Jira Forms tools (see cases.py): the Forms API is a described API (specs/overrides/
jira-forms.yaml, no published document in the mirror), so these check our requests against our description."""

from __future__ import annotations

from adapter.server import TENANT_INFO

from .cases import Case, Direct

FORM = {"issue_key": "PROJ-1", "form_id": "c18bde7a-d846-11ed-afa1-0242ac120002"}
ANSWERS = [
    {"questionId": "1", "type": "TEXT", "value": "Alice"},
    {"questionId": "2", "type": "DATETIME", "value": "2026-12-01T09:30:00Z"},
    {"questionId": "3", "type": "MULTI_SELECT", "value": ["1", "2"]},
    {"questionId": "4", "type": "USER", "value": "5b10ac8d82e05b22cc7d4ef5"},
]

CASES = [
    Case("jira_get_issue_proforma_forms", "cloud", {"issue_key": "PROJ-1"}, ("jira-forms/getIssueFormIndex",)),
    Case("jira_get_proforma_form_details", "cloud", FORM, ("jira-forms/getIssueForm",)),
    Case("jira_update_proforma_form_answers", "cloud", {**FORM, "answers": ANSWERS},
         ("jira-forms/saveIssueFormAnswers",)),
]  # fmt: skip

DIRECT = [
    Direct(TENANT_INFO, "cloud", {}, "the Cloud cases configure ATLASSIAN_OAUTH_CLOUD_ID, so the site is never asked"),
]
