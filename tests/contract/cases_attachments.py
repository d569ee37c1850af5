"""Contract cases of the attachments area: uploads are multipart, downloads reach the content operations."""

from __future__ import annotations

from .cases import Case, Direct

B64 = {"content_base64": "aGVsbG8=", "filename": "hello.txt"}
PAGE = {"content_id": "100"}
ATT = {"attachment_id": "att200"}

CASES = [
    Case("jira_download_attachments", "cloud", {"issue_key": "PROJ-1"},
         ("jira-platform/getIssue", "jira-platform/getAttachmentContent")),
    Case("jira_download_attachments", "datacenter", {"issue_key": "PROJ-1"}, ("jira-dc/getIssue",)),
    Case("jira_get_issue_images", "cloud", {"issue_key": "PROJ-1"},
         ("jira-platform/getIssue", "jira-platform/getAttachmentContent")),
    Case("jira_get_issue_images", "datacenter", {"issue_key": "PROJ-1"}, ("jira-dc/getIssue",)),
    Case("jira_upload_attachment", "cloud", {"issue_key": "PROJ-1", **B64}, ("jira-platform/addAttachment",),
         defect="jira-platform spec: addAttachment's multipart body is `{type: array, items: MultipartFile}`, which "
         "no form (an object of parts) matches; Jira takes the files in parts named `file`",
         known=(r"Request body must be array",)),
    Case("jira_upload_attachment", "datacenter", {"issue_key": "PROJ-1", **B64}, ("jira-dc/addAttachment",),
         defect="jira-dc spec: addAttachment's multipart body is `{type: string, format: binary}`, which no form "
         "(an object of parts) matches; Jira takes the files in parts named `file`",
         known=(r"Request body must be string",)),
    Case("confluence_upload_attachment", "cloud", {**PAGE, **B64, "comment": "c", "minor_edit": True},
         ("confluence-v1/createOrUpdateAttachments",)),
    Case("confluence_upload_attachment", "datacenter", {**PAGE, **B64, "comment": "c"},
         ("confluence-dc/createAttachments",)),
    Case("confluence_upload_attachments", "cloud", {**PAGE, "file_paths": "pyproject.toml"},
         ("confluence-v1/createOrUpdateAttachments",)),
    Case("confluence_upload_attachments", "datacenter", {**PAGE, "file_paths": "pyproject.toml"},
         ("confluence-dc/createAttachments",)),
    Case("confluence_get_attachments", "cloud", {**PAGE, "limit": 10, "filename": "a.png", "media_type": "image/png",
         "cursor": "abc"}, ("confluence-v2/getPageAttachments",)),
    Case("confluence_get_attachments", "datacenter", {**PAGE, "start": 5, "limit": 10, "filename": "a.png",
         "media_type": "image/png"}, ("confluence-dc/getAttachments",)),
    Case("confluence_download_attachment", "cloud", ATT,
         ("confluence-v2/getAttachmentById", "confluence-v1/downloadAttatchment")),
    Case("confluence_download_attachment", "datacenter", ATT, ("confluence-dc/getContentById",)),
    Case("confluence_download_content_attachments", "cloud", PAGE,
         ("confluence-v2/getPageAttachments", "confluence-v1/downloadAttatchment")),
    Case("confluence_download_content_attachments", "datacenter", PAGE, ("confluence-dc/getAttachments",)),
    Case("confluence_delete_attachment", "cloud", ATT, ("confluence-v2/deleteAttachment",)),
    Case("confluence_delete_attachment", "datacenter", ATT, ("confluence-dc/delete_3",)),
    Case("confluence_get_page_images", "cloud", PAGE, ("confluence-v2/getPageAttachments",)),
    Case("confluence_get_page_images", "datacenter", PAGE, ("confluence-dc/getAttachments",)),
]  # fmt: skip
DIRECT = [
    Direct("confluence-v2/getBlogpostAttachments", "cloud", {"id": 100, "limit": 10},
           "reached only when the content id is not a page (getPageAttachments answers 404)"),
    Direct("confluence-v2/getBlogPostById", "cloud", {"id": 100},
           "the CONFLUENCE_SPACES_FILTER check of a blog post (a page answers first)"),
]  # fmt: skip
