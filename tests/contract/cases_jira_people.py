"""Contract cases of the jira_people tools: users, watchers, worklogs, issue links (Cloud and Data Center)."""

from __future__ import annotations

from .cases import Case, Direct

ACCOUNT_ID = "5b10a2844c20165700ede21g"
WORKLOG = {
    "issue_key": "PROJ-1", "time_spent": "1h 30m", "comment": "Fixed the **build**",
    "started": "2026-01-17T09:30:00+01:00", "original_estimate": "1d", "remaining_estimate": "3h",
}  # fmt: skip
ISSUE_LINK = {
    "link_type": "Blocks", "inward_issue_key": "PROJ-1", "outward_issue_key": "PROJ-2", "comment": "See *this*",
    "comment_visibility": {"type": "group", "value": "jira-users"},
}  # fmt: skip
REMOTE_LINK = {
    "issue_key": "PROJ-1", "url": "https://example.com/run/1", "title": "Run 1", "summary": "CI run",
    "relationship": "mentioned in", "icon_url": "https://example.com/favicon.ico",
}  # fmt: skip
CASES = [
    Case("jira_get_user_profile", "cloud", {"user_identifier": ACCOUNT_ID}, ("jira-platform/getUser",), "by-id"),
    Case("jira_get_user_profile", "cloud", {"user_identifier": "jane@example.com"}, ("jira-platform/findUsers",),
         "by-email"),
    Case("jira_get_user_profile", "datacenter", {"user_identifier": "jane@example.com"}, ("jira-dc/findUsers",)),
    Case("jira_search_assignable_users", "cloud", {"query": "ja", "project_key": "PROJ", "issue_key": "PROJ-1",
         "limit": 5}, ("jira-platform/findAssignableUsers",)),
    Case("jira_search_assignable_users", "datacenter", {"query": "ja", "project_key": "PROJ", "limit": 5},
         ("jira-dc/findAssignableUsers_1",)),
    Case("jira_get_issue_watchers", "cloud", {"issue_key": "PROJ-1"}, ("jira-platform/getIssueWatchers",)),
    Case("jira_get_issue_watchers", "datacenter", {"issue_key": "PROJ-1"}, ("jira-dc/getIssueWatchers",)),
    Case("jira_add_watcher", "cloud", {"issue_key": "PROJ-1", "user_identifier": ACCOUNT_ID},
         ("jira-platform/addWatcher",), "by-id"),
    Case("jira_add_watcher", "cloud", {"issue_key": "PROJ-1", "user_identifier": "Jane Doe"},
         ("jira-platform/findUsers",), "by-name"),  # Prism's two example users: ambiguous, so no addWatcher
    Case("jira_add_watcher", "datacenter", {"issue_key": "PROJ-1", "user_identifier": "jane"},
         ("jira-dc/addWatcher_1",), "by-username"),
    Case("jira_add_watcher", "datacenter", {"issue_key": "PROJ-1", "user_identifier": "jane@example.com"},
         ("jira-dc/findUsers",), "by-email"),  # Prism's example user has no e-mail: no match, so no addWatcher
    Case("jira_remove_watcher", "cloud", {"issue_key": "PROJ-1", "account_id": ACCOUNT_ID},
         ("jira-platform/removeWatcher",)),
    Case("jira_remove_watcher", "datacenter", {"issue_key": "PROJ-1", "username": "jane"},
         ("jira-dc/removeWatcher_1",)),
    Case("jira_get_worklog", "cloud", {"issue_key": "PROJ-1"}, ("jira-platform/getIssueWorklog",)),
    Case("jira_get_worklog", "datacenter", {"issue_key": "PROJ-1"}, ("jira-dc/getIssueWorklog",)),
    # Prism does not check `format: date-time`, so Jira's started (2026-01-17T09:30:00.000+0100) passes here
    Case("jira_add_worklog", "cloud", WORKLOG, ("jira-platform/editIssue", "jira-platform/addWorklog")),
    Case("jira_add_worklog", "cloud", {"issue_key": "PROJ-1", "time_spent": "2h"}, ("jira-platform/addWorklog",),
         "minimal"),
    Case("jira_add_worklog", "datacenter", WORKLOG, ("jira-dc/editIssue", "jira-dc/addWorklog")),
    Case("jira_get_link_types", "cloud", {"name_filter": "block"}, ("jira-platform/getIssueLinkTypes",)),
    Case("jira_get_link_types", "datacenter", {}, ("jira-dc/getIssueLinkTypes",)),
    Case("jira_link_to_epic", "cloud", {"issue_key": "PROJ-2", "epic_key": "PROJ-1"}, ("jira-platform/editIssue",)),
    Case("jira_link_to_epic", "datacenter", {"issue_key": "PROJ-2", "epic_key": "PROJ-1"},
         ("jira-dc/moveIssuesToEpic",)),
    Case("jira_create_issue_link", "cloud", ISSUE_LINK, ("jira-platform/linkIssues",)),
    Case("jira_create_issue_link", "datacenter", ISSUE_LINK, ("jira-dc/linkIssues",)),
    Case("jira_create_remote_issue_link", "cloud", REMOTE_LINK, ("jira-platform/createOrUpdateRemoteIssueLink",)),
    Case("jira_create_remote_issue_link", "datacenter", REMOTE_LINK, ("jira-dc/createOrUpdateRemoteIssueLink",)),
    Case("jira_remove_issue_link", "cloud", {"link_id": "10001"}, ("jira-platform/deleteIssueLink",)),
    Case("jira_remove_issue_link", "datacenter", {"link_id": "10001"}, ("jira-dc/deleteIssueLink",)),
]  # fmt: skip

DIRECT = [
    Direct("jira-platform/getIssueLink", "cloud", {"link_id": "10001"},
           "jira_remove_issue_link reads the link only when JIRA_PROJECTS_FILTER is set; the contract server has none"),
    Direct("jira-dc/getIssueLink", "datacenter", {"link_id": "10001"},
           "jira_remove_issue_link reads the link only when JIRA_PROJECTS_FILTER is set; the contract server has none"),
]  # fmt: skip
