"""Contract cases of the confluence_misc tools: every tool on each deployment it has, every operation they use."""

from __future__ import annotations

from .cases import Case, Direct

ACCOUNT = "5b10a2844c20165700ede21g"
V2_COMMENT_BODY = (
    "confluence-v2 spec: a comment body is `oneOf: [CommentBodyWrite, CommentNestedBodyWrite]`, two objects without "
    "required properties that any object matches both of, so no body can match 'exactly one'"
)
V2_COMMENT_KNOWN = (r"Request body property body must match exactly one schema in oneOf",)
V2_PAGE_BODY = V2_COMMENT_BODY.replace(
    "a comment body is `oneOf: [CommentBodyWrite, CommentNestedBodyWrite]`",
    "a page body is `oneOf: [PageBodyWrite, PageNestedBodyWrite]`",
)

CASES = [
    Case("confluence_get_comments", "cloud", {"page_id": "123"}, ("confluence-v2/getPageFooterComments",)),
    Case("confluence_add_comment", "cloud", {"page_id": "123", "body": "**Hi**"},
         ("confluence-v2/createFooterComment",), defect=V2_COMMENT_BODY, known=V2_COMMENT_KNOWN),
    Case("confluence_reply_to_comment", "cloud", {"comment_id": "456", "body": "Yes"},
         ("confluence-v2/createFooterComment",), defect=V2_COMMENT_BODY, known=V2_COMMENT_KNOWN),
    Case("confluence_get_inline_comments", "cloud", {"page_id": "123"}, ("confluence-v2/getPageInlineComments",)),
    Case("confluence_add_inline_comment", "cloud", {"page_id": "123", "body": "Why?", "text_selection": "Fridays",
         "text_selection_match_count": 2, "text_selection_match_index": 1}, ("confluence-v2/createInlineComment",),
         defect=V2_COMMENT_BODY, known=V2_COMMENT_KNOWN),
    Case("confluence_get_labels", "cloud", {"page_id": "123"}, ("confluence-v2/getPageLabels",)),
    Case("confluence_add_label", "cloud", {"page_id": "123", "name": "reviewed"},
         ("confluence-v1/addLabelsToContent",)),
    Case("confluence_search_user", "cloud", {"query": "Ann Lee", "limit": 5}, ("confluence-v1/searchUser",)),
    Case("confluence_get_page_views", "cloud", {"page_id": "123", "include_title": True},
         ("confluence-v2/getPageById", "confluence-v1/getViews")),
    Case("confluence_list_page_templates", "cloud", {"space_key": "DEV", "limit": 10},
         ("confluence-v1/getContentTemplates",)),
    Case("confluence_get_page_template", "cloud", {"template_id": "1002"}, ("confluence-v1/getContentTemplate",)),
    Case("confluence_create_page_from_template", "cloud", {"space_key": "DEV", "title": "T", "template_id": "1002"},
         ("confluence-v1/getContentTemplate", "confluence-v2/getSpaces", "confluence-v2/createPage"),
         defect=V2_PAGE_BODY, known=V2_COMMENT_KNOWN),
    Case("confluence_check_content_permissions", "cloud", {"content_id": "123", "user_identifier": ACCOUNT,
         "operation": "read"}, ("confluence-v1/checkContentPermission",)),
    Case("confluence_get_space_permissions", "cloud", {"space_id": "98305", "limit": 10, "cursor": "abc"},
         ("confluence-v2/getSpacePermissionsAssignments",)),
    Case("confluence_get_comments", "datacenter", {"page_id": "123"}, ("confluence-dc/commentsOfContent",)),
    Case("confluence_add_comment", "datacenter", {"page_id": "123", "body": "**Hi**"},
         ("confluence-dc/createContent",)),
    Case("confluence_reply_to_comment", "datacenter", {"comment_id": "456", "body": "Yes"},
         ("confluence-dc/getContentById",)),
    Case("confluence_get_inline_comments", "datacenter", {"page_id": "123"}, ("confluence-dc/commentsOfContent",)),
    Case("confluence_add_inline_comment", "datacenter", {"page_id": "123", "body": "Why?", "text_selection": "x"},
         ("confluence-dc/createContent",)),
    Case("confluence_get_labels", "datacenter", {"page_id": "123"}, ("confluence-dc/labels",)),
    Case("confluence_add_label", "datacenter", {"page_id": "123", "name": "reviewed"}, ("confluence-dc/addLabels",)),
    Case("confluence_search_user", "datacenter", {"query": "Ann"}, ("confluence-dc/search_1",)),
    Case("confluence_search_user", "datacenter", {"query": "Ann", "group_name": "confluence-users"},
         ("confluence-dc/getMembers",), "group"),
]  # fmt: skip

DIRECT = [
    Direct("confluence-v2/getFooterCommentChildren", "cloud", {"id": 456, "body_format": "storage", "limit": 100},
           "read per top-level comment, whose id Prism answers as 'string'"),
    Direct("confluence-v2/getFooterCommentById", "cloud", {"comment_id": 456},
           "read only with CONFLUENCE_SPACES_FILTER (the contract server has none)"),
    Direct("confluence-v2/getBlogPostById", "cloud", {"id": 456},
           "read only with CONFLUENCE_SPACES_FILTER, when the content is not a page"),
]  # fmt: skip
