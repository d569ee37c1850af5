"""Contract cases of the Jira issue-area tools (and of the new parameters of the core Jira tools)."""

from __future__ import annotations

from .cases import Case, Direct

ISSUE = {"issue_key": "PROJ-1"}
DC_FIELDS = (
    "jira-dc spec: IssueUpdateBean.fields is `additionalProperties: {type: object}`, so every field given as text or "
    "list (summary, description) breaks it, though Jira DC takes them so"
)
MOVE = (
    "jira-platform spec: IssueBulkMovePayload requires `targetToMultipleSourceMapping` and targetToSourcesMapping "
    "requires `issueIdOrKeys`, names not among their properties (typos of the documented names its example uses)"
)
UPLOAD = (
    "jira specs: the multipart/form-data upload body is an array of files (Cloud) or one binary string (Data Center), "
    "neither a form; Jira takes a form of `file` parts"
)
NEW = [{"project_key": "PROJ", "summary": "One", "issue_type": "Task", "description": "**b**", "components": "api"}]

CASES = [
    Case("jira_search_fields", "cloud", {"keyword": "story"}, ("jira-platform/getFields",)),
    Case("jira_search_fields", "datacenter", {"keyword": "story", "refresh": True}, ("jira-dc/getFields",)),
    Case("jira_get_field_options", "cloud", {"field_id": "customfield_10040"},
         ("jira-platform/getContextsForField", "jira-platform/getOptionsForContext")),
    Case("jira_get_field_options", "datacenter", {"field_id": "customfield_10040", "project_key": "PROJ",
         "issue_type": "Bug"}, ("jira-dc/getCreateIssueMetaProjectIssueTypes",)),
    Case("jira_get_project_issues", "cloud", {"project_key": "PROJ", "limit": 5, "page_token": "t"},
         ("jira-platform/searchAndReconsileIssuesUsingJqlPost",)),
    Case("jira_get_project_issues", "datacenter", {"project_key": "PROJ", "limit": 5, "start_at": 5},
         ("jira-dc/search_1",), defect="jira-dc spec: search_1's `fields` is an array of StringList ({type: object})",
         known=(r"Request query parameter fields\.\d+ must be object",)),
    Case("jira_get_transitions", "cloud", ISSUE, ("jira-platform/getTransitions",)),
    Case("jira_get_transitions", "datacenter", ISSUE, ("jira-dc/getTransitions",)),
    Case("jira_batch_create_issues", "cloud", {"issues": NEW}, ("jira-platform/createIssues",)),
    Case("jira_batch_create_issues", "datacenter", {"issues": NEW}, ("jira-dc/createIssues",), defect=DC_FIELDS,
         known=(r"Request body property issueUpdates\.\d+\.fields\.\w+ must be object",)),
    # Prism answers every page with the same nextPageToken: the handler stops when a token repeats
    Case("jira_batch_get_changelogs", "cloud", {"issue_ids_or_keys": "PROJ-1,PROJ-2", "fields": "status"},
         ("jira-platform/getBulkChangelogs", "jira-platform/getBulkChangelogs")),
    Case("jira_assign_issue", "cloud", {**ISSUE, "assignee": "5b10a2844c20165700ede21g"},
         ("jira-platform/assignIssue",)),
    Case("jira_assign_issue", "datacenter", {**ISSUE, "assignee": "bob"}, ("jira-dc/assign",)),
    Case("jira_delete_issue", "cloud", ISSUE, ("jira-platform/deleteIssue",)),
    Case("jira_delete_issue", "datacenter", ISSUE, ("jira-dc/deleteIssue",)),
    # Prism's issue type name never equals the target's: the handler stops after reading both (rest: DIRECT)
    Case("jira_move_issue", "cloud", {**ISSUE, "target_project_key": "OPS"},
         ("jira-platform/getIssue", "jira-platform/getCreateIssueMetaIssueTypes")),
    Case("jira_edit_comment", "cloud", {**ISSUE, "comment_id": "10000", "body": "Edited",
         "visibility": {"type": "role", "value": "Administrators"}}, ("jira-platform/updateComment",)),
    Case("jira_edit_comment", "datacenter", {**ISSUE, "comment_id": "10000", "body": "Edited"},
         ("jira-dc/updateComment",)),
    Case("jira_get_issue", "cloud", {**ISSUE, "include": "remote_links,watchers,changelog,comments",
         "use_display_names": True}, ("jira-platform/getIssue", "jira-platform/getRemoteIssueLinks",
         "jira-platform/getIssueWatchers"), "include"),
    Case("jira_get_issue", "datacenter", {**ISSUE, "include": "remote_links,watchers,transitions"},
         ("jira-dc/getIssue", "jira-dc/getRemoteIssueLinks", "jira-dc/getIssueWatchers"), "include"),
    Case("jira_add_comment", "cloud", {**ISSUE, "body": "Internal", "public": False}, ("jira-platform/addComment",),
         "public"),
    Case("jira_update_issue", "cloud", {**ISSUE, "fields": {"assignee": {"accountId": "x"}},
         "return_fields": "summary"},
         ("jira-platform/editIssue", "jira-platform/getIssue"), "return_fields"),
    Case("jira_update_issue", "datacenter", {**ISSUE, "fields": {"assignee": {"name": "bob"}},
         "return_fields": "summary"},
         ("jira-dc/editIssue", "jira-dc/getIssue"), "return_fields"),
    Case("jira_update_issue", "cloud", {**ISSUE, "fields": {}, "attachments": "README.md"},
         ("jira-platform/addAttachment",), "attachments", defect=UPLOAD, known=(r"Request body must be array",)),
    Case("jira_update_issue", "datacenter", {**ISSUE, "fields": {}, "attachments": '["README.md"]'},
         ("jira-dc/addAttachment",), "attachments", defect=UPLOAD, known=(r"Request body must be string",)),
]  # fmt: skip

DIRECT = [
    Direct("jira-dc/getCreateIssueMetaFields", "datacenter", {"project_id_or_key": "PROJ", "issue_type_id": "1"},
           "Prism's issue type list never names the requested type, so the handler stops before this call"),
    Direct("jira-platform/submitBulkMove", "cloud", {}, "reached only when the target has the issue's type",
           body={"sendBulkNotification": False, "targetToSourcesMapping": {"OPS,10001": {
               "inferClassificationDefaults": True, "inferFieldDefaults": True, "inferStatusDefaults": True,
               "inferSubtaskTypeDefault": True, "issueIdsOrKeys": ["PROJ-1"]}}},
           defect=MOVE, known=(r"Request body must have required property 'targetToMultipleSourceMapping'",
                               r"Request body property targetToSourcesMapping\.OPS,10001 must have required property "
                               r"'issueIdOrKeys'")),
    Direct("jira-platform/getBulkOperationProgress", "cloud", {"task_id": "10641"}, "reached after submitBulkMove"),
]  # fmt: skip
