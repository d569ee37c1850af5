"""Contract cases of the boards, sprints and project-analysis tools (see cases.py)."""

from __future__ import annotations

from .cases import Case, Direct

SW, DC = "jira-software", "jira-dc"
BOARD_ISSUES = {"board_id": "1", "jql": "status != Done", "fields": "summary,status", "limit": 5, "start_at": 5,
                "expand": "names"}  # fmt: skip
NEW_SPRINT = {"board_id": "1", "name": "Sprint 9", "start_date": "2026-12-01T09:00:00.000Z",
              "end_date": "2026-12-15T09:00:00.000Z", "goal": "Ship it"}  # fmt: skip
SPRINT_EDIT = {"sprint_id": "7", "name": "Sprint 7b", "state": "active", "start_date": "2026-12-01T09:00:00.000Z",
               "end_date": "2026-12-15T09:00:00.000Z", "goal": "Ship more"}  # fmt: skip

LIST_FIELDS = (
    "jira-software and jira-dc specs: the agile issue lists' `fields` is an array of `{type: object}` (jira-dc: "
    "StringList), so no field name can be sent; Jira takes a comma-separated list of names"
)
LIST_FIELDS_KNOWN = (r"Request query parameter fields\.\d+ must be object",)
DC_SEARCH = (
    "jira-dc spec: search_1's `fields` (and `expand`) are StringList, `{type: object}`, so no field name can be sent"
)
DC_SEARCH_KNOWN = (r"Request query parameter (fields\.\d+|expand) must be object",)

CASES = [
    Case("jira_get_agile_boards", "cloud", {"board_name": "PROJ", "project_key": "PROJ", "board_type": "scrum",
         "start_at": 10, "limit": 5}, (f"{SW}/getAllBoards",)),
    Case("jira_get_agile_boards", "datacenter", {"board_name": "PROJ", "project_key": "PROJ", "board_type": "scrum",
         "start_at": 10, "limit": 5}, (f"{DC}/getAllBoards",)),
    Case("jira_get_board_issues", "cloud", BOARD_ISSUES, (f"{SW}/getIssuesForBoard",),
         defect=LIST_FIELDS, known=LIST_FIELDS_KNOWN),
    Case("jira_get_board_issues", "datacenter", BOARD_ISSUES, (f"{DC}/getIssuesForBoard",),
         defect=LIST_FIELDS, known=LIST_FIELDS_KNOWN),
    Case("jira_get_sprints_from_board", "cloud", {"board_id": "1", "limit": 5}, (f"{SW}/getAllSprints",)),
    Case("jira_get_sprints_from_board", "cloud", {"board_id": "1", "state": "active,future"},
         (f"{SW}/getAllSprints",), "state"),  # Prism takes the string; openapi-core (spec_guard) does not
    Case("jira_get_sprints_from_board", "datacenter", {"board_id": "1", "start_at": 2}, (f"{DC}/getAllSprints",)),
    Case("jira_get_sprint_issues", "cloud", {"sprint_id": "7", "fields": "summary", "limit": 3},
         (f"{SW}/getIssuesForSprint",), defect=LIST_FIELDS, known=LIST_FIELDS_KNOWN),
    Case("jira_get_sprint_issues", "datacenter", {"sprint_id": "7", "fields": "summary", "limit": 3},
         (f"{DC}/getIssuesForSprint_1",), defect=LIST_FIELDS, known=LIST_FIELDS_KNOWN),
    Case("jira_create_sprint", "cloud", NEW_SPRINT, (f"{SW}/createSprint",)),
    Case("jira_create_sprint", "datacenter", NEW_SPRINT, (f"{DC}/createSprint",)),
    Case("jira_update_sprint", "cloud", SPRINT_EDIT, (f"{SW}/partiallyUpdateSprint",)),
    Case("jira_update_sprint", "datacenter", SPRINT_EDIT, (f"{DC}/partiallyUpdateSprint",)),
    Case("jira_add_issues_to_sprint", "cloud", {"sprint_id": "7", "issue_keys": "PROJ-1, PROJ-2"},
         (f"{SW}/moveIssuesToSprintAndRank",)),
    Case("jira_add_issues_to_sprint", "datacenter", {"sprint_id": "7", "issue_keys": "PROJ-1, PROJ-2"},
         (f"{DC}/moveIssuesToSprint",)),
    Case("jira_move_issues_to_backlog", "cloud", {"issue_keys": "PROJ-1"}, (f"{SW}/moveIssuesToBacklog",)),
    Case("jira_move_issues_to_backlog", "datacenter", {"issue_keys": "PROJ-1"}, (f"{DC}/moveIssuesToBacklog",)),
    Case("jira_get_project_epic_hierarchy", "cloud", {"project_key": "PROJ", "max_epics": 5},
         ("jira-platform/searchAndReconsileIssuesUsingJqlPost",) * 2),  # Prism's example epic has a key
    Case("jira_get_project_epic_hierarchy", "datacenter", {"project_key": "PROJ", "max_epics": 5},
         (f"{DC}/search_1",), defect=DC_SEARCH, known=DC_SEARCH_KNOWN),  # rejected: no epics, no 2nd search
    Case("jira_get_cross_project_dependencies", "cloud", {"project_key": "PROJ", "max_issues": 20},
         ("jira-platform/searchAndReconsileIssuesUsingJqlPost",)),
    Case("jira_get_cross_project_dependencies", "datacenter", {"project_key": "PROJ", "max_issues": 20},
         (f"{DC}/search_1",), defect=DC_SEARCH, known=DC_SEARCH_KNOWN),
    # Prism's issue example has an id, so the summary follows; its summary example (none: the override declares a free
    # object) names no tool, so no detail call follows: getDevStatusDetail is checked in DIRECT
    Case("jira_get_issue_development_info", "cloud", {"issue_key": "PROJ-1"},
         ("jira-platform/getIssue", "jira-platform/getDevStatusSummary")),
    Case("jira_get_issue_development_info", "datacenter", {"issue_key": "10001"}, ("jira-dc/getDevStatusSummary",),
         "by-id"),
    Case("jira_get_issues_development_info", "cloud", {"issue_keys": "10001", "data_type": "branch"},
         ("jira-platform/getDevStatusSummary",)),
    Case("jira_get_issues_development_info", "datacenter", {"issue_keys": "PROJ-1", "application_type": "GitHub"},
         ("jira-dc/getIssue",)),  # Prism's DC issue example has no body, so there is no id to go on with
]  # fmt: skip

DIRECT = [
    Direct("jira-platform/getDevStatusDetail", "cloud",
           {"issue_id": "10001", "application_type": "GitHub", "data_type": "pullrequest"},
           "a detail call follows only a summary that names a tool, and Prism's summary names none"),
    Direct("jira-dc/getDevStatusDetail", "datacenter",
           {"issue_id": "10001", "application_type": "stash", "data_type": "repository"},
           "a detail call follows only a summary that names a tool, and Prism's summary names none"),
]  # fmt: skip
