"""Jira Forms (ProForma) tools through mcp.Client against the sandbox: Cloud only.

Flow: list the forms on an issue -> read one -> answer it -> read the answers back. The Forms API is on Atlassian's
API host under the site's cloud id: with an API token the cloud id is asked of the site once (`/_edge/tenant_info`),
with OAuth (or ATLASSIAN_OAUTH_CLOUD_ID) it is the configured one and the site is not asked.
"""

from __future__ import annotations

import pytest

from adapter.sandbox.extra.jira_forms import CLOUD_ID
from tests.e2e.harness import ok, sandboxed
from tests.e2e.test_oauth import CLOUD_KEY, SITE, cloud_env, memory_keyring, oauth_server, save_tokens

FORMS = {"TOOLSETS": "jira_forms"}
FORM_TOOLS = {"jira_get_issue_proforma_forms", "jira_get_proforma_form_details", "jira_update_proforma_form_answers"}
__all__ = ["memory_keyring"]  # autouse: OAuth tokens go to an in-memory keyring


def forms_requests(sandbox: object) -> list[str]:
    return [r.path for r in sandbox.requests if r.path.startswith(("/jira/forms/", "/_edge/"))]  # type: ignore[attr-defined]


async def test_forms_flow_learns_the_cloud_id_once() -> None:
    async with sandboxed("cloud", **FORMS) as (sandbox, client):
        listed = {t.name for t in (await client.list_tools()).tools}
        assert listed >= FORM_TOOLS
        forms = ok(await client.call_tool("jira_get_issue_proforma_forms", {"issue_key": "PROJ-2"}))
        checklist = next(f for f in forms["forms"] if f["status"] == "open")
        form = ok(await client.call_tool("jira_get_proforma_form_details",
                                         {"issue_key": "PROJ-2", "form_id": checklist["id"]}))  # fmt: skip
        assert form["name"] == "Release checklist" and len(form["questions"]) == 8
        answers = [{"questionId": "5", "type": "SELECT", "value": "3"}, {"questionId": "9x", "type": "TEXT"}]
        refused = await client.call_tool(
            "jira_update_proforma_form_answers", {"issue_key": "PROJ-2", "form_id": checklist["id"], "answers": answers}
        )
        assert refused.is_error and refused.content[0].text == "answers[1].value is required for TEXT"
        saved = ok(
            await client.call_tool(
                "jira_update_proforma_form_answers",
                {
                    "issue_key": "PROJ-2",
                    "form_id": checklist["id"],
                    "answers": '[{"questionId": "5", "type": "SELECT", "value": "3"}]',
                },
            )
        )
        assert saved["saved"] == ["5"]
        again = ok(await client.call_tool("jira_get_proforma_form_details",
                                          {"issue_key": "PROJ-2", "form_id": checklist["id"]}))  # fmt: skip
        risk = next(q for q in again["questions"] if q["id"] == "5")
        assert risk["answer"] == {"choices": ["3"]}
        paths = forms_requests(sandbox)
    assert paths.count("/_edge/tenant_info") == 1  # asked once, then kept for the site
    assert all(p.startswith(f"/jira/forms/cloud/{CLOUD_ID}/issue/PROJ-2/form") for p in paths[1:]), paths
    assert len(paths) == 5  # tenant info, index, form, save, form: the refused call sent nothing


async def test_a_configured_cloud_id_is_used_without_asking_the_site() -> None:
    async with sandboxed("cloud", ATLASSIAN_OAUTH_CLOUD_ID=CLOUD_ID, **FORMS) as (sandbox, client):
        ok(await client.call_tool("jira_get_issue_proforma_forms", {"issue_key": "PROJ-2"}))
        assert forms_requests(sandbox) == [f"/jira/forms/cloud/{CLOUD_ID}/issue/PROJ-2/form"]


async def test_a_cloud_id_that_is_no_id_is_refused_before_any_request() -> None:
    async with sandboxed("cloud", ATLASSIAN_OAUTH_CLOUD_ID="../../rest/api/3", **FORMS) as (sandbox, client):
        result = await client.call_tool("jira_get_issue_proforma_forms", {"issue_key": "PROJ-2"})
        assert result.is_error and "no valid cloud id" in result.content[0].text
        assert forms_requests(sandbox) == []


async def test_the_forms_tools_are_cloud_only() -> None:
    async with sandboxed("datacenter", TOOLSETS="all") as (_sandbox, client):
        listed = {t.name for t in (await client.list_tools()).tools}
        assert not FORM_TOOLS & listed and "jira_get_issue" in listed


@pytest.mark.usefixtures("memory_keyring")
async def test_forms_under_oauth_go_to_the_signed_in_site() -> None:
    async with oauth_server(cloud_env(TOOLSETS="jira_forms")) as (oauth, client, _):
        save_tokens(oauth, CLOUD_KEY, lifetime=3600)
        forms = ok(await client.call_tool("jira_get_issue_proforma_forms", {"issue_key": "PROJ-2"}))
        sandbox = oauth.sandbox
    assert len(forms["forms"]) == 2
    assert forms_requests(sandbox) == [f"/jira/forms/cloud/{SITE['id']}/issue/PROJ-2/form"]  # no tenant info
    assert {r.credential for r in sandbox.requests} == {"oauth sandbox"}
