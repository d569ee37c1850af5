"""Contract cases of the jira_service area: JSM tools (the `jsm` spec, on Cloud and Data Center) and issue dates.

Prism answers JSM pages with placeholder values, so the project-key search of jira_get_service_desk_for_project
ends without a match (a tool error) after its one request; that request is still checked.
"""

from __future__ import annotations

from .cases import Case, Direct

JSM_AUTH = (
    "jsm spec: every operation's security is OAuth2 only, so Prism answers 401 'Invalid security scheme used' to "
    "Basic auth; JSM Cloud takes an e-mail and API token (and JSM Data Center a password or token) as Basic auth"
)
JSM_AUTH_KNOWN = ("Invalid security scheme used",)
DESK = {"service_desk_id": "1"}
PAGE = {**DESK, "start_at": 50, "limit": 25}
REQUEST = {
    **DESK,
    "request_type_id": "10",
    "request_field_values": {"summary": "VPN down", "description": "Since 9:00"},
    "raise_on_behalf_of": "5b10a2844c20165700ede21g",
    "request_participants": "5b10a2844c20165700ede21h, 5b10ac8d82e05b22cc7d4ef5",
}

CASES = [
    Case(tool, deployment, args, sends, variant, **({"defect": JSM_AUTH, "known": JSM_AUTH_KNOWN} if jsm else {}))
    for deployment in ("cloud", "datacenter")
    for tool, args, sends, variant, jsm in [
        ("jira_get_service_desk_for_project", {"project_key": "SUP"}, ("jsm/getServiceDesks",), "", True),
        ("jira_get_service_desk_queues", PAGE, ("jsm/getQueues",), "", True),
        ("jira_get_queue_issues", {**PAGE, "queue_id": "3"}, ("jsm/getIssuesInQueue",), "", True),
        ("jira_get_request_types", PAGE, ("jsm/getRequestTypes",), "", True),
        ("jira_get_request_type_fields", {**DESK, "request_type_id": "10"}, ("jsm/getRequestTypeFields",), "", True),
        ("jira_create_customer_request", REQUEST, ("jsm/createCustomerRequest",), "", True),
        (
            "jira_get_issue_sla",
            {"issue_key": "SUP-1", "metrics": "Time to resolution"},
            ("jsm/getSlaInformation",),
            "",
            True,
        ),
        (
            "jira_get_issue_dates",
            {"issue_key": "SUP-1", "include_status_changes": False},
            ("jira-platform/getIssue" if deployment == "cloud" else "jira-dc/getIssue",),
            "",
            False,
        ),
    ]
]

DIRECT = [
    Direct(
        "jsm/getServiceDeskById",
        "cloud",
        {"service_desk_id": "1"},
        "the JSM handlers read a desk's project only when JIRA_PROJECTS_FILTER is set, which the cases do not set",
        defect=JSM_AUTH,
        known=JSM_AUTH_KNOWN,
    ),
]
