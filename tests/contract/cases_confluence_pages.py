"""Contract cases of the Confluence page tools (and of create/update's content properties)."""

from __future__ import annotations

from .cases import Case, Direct

V2_BODY = (
    "confluence-v2 spec: the page body is `oneOf: [PageBodyWrite, PageNestedBodyWrite]`, two objects without "
    "required properties that any object matches both of, so no body can match 'exactly one'"
)
V2_BODY_KNOWN = (r"Request body property body must match exactly one schema in oneOf",)

SECTION = {"page_id": "123", "heading_text": "Steps", "new_content": "1. a", "version_comment": "c"}
COPY = {"source_page_id": "123", "destination_space_key": "DEV", "new_title": "Copy", "destination_parent_id": "99"}
RESTRICT = {"page_id": "123", "read_users": ["u1"], "read_groups": ["g"], "edit_users": [], "edit_groups": ["g"]}

CASES = [
    Case("confluence_get_page_children", "cloud", {"parent_id": "123", "limit": 5, "start": 2},
         ("confluence-v2/getPageDirectChildren",)),
    Case("confluence_get_page_children", "datacenter", {"parent_id": "123", "include_content": True, "start": 5},
         ("confluence-dc/childrenOfType",)),
    Case("confluence_get_space_page_tree", "cloud", {"space_key": "DEV"}, ("confluence-v2/getSpaces",)),
    Case("confluence_get_space_page_tree", "datacenter", {"space_key": "DEV", "limit": 1},
         ("confluence-dc/getContent",)),
    Case("confluence_update_page_section", "cloud", SECTION, ("confluence-v2/getPageById",)),
    Case("confluence_update_page_section", "datacenter", SECTION, ("confluence-dc/getContentById",)),
    Case("confluence_delete_page", "cloud", {"page_id": "123"}, ("confluence-v2/deletePage",)),
    Case("confluence_delete_page", "datacenter", {"page_id": "123"}, ("confluence-dc/delete_3",)),
    Case("confluence_move_page", "cloud", {"page_id": "123", "target_parent_id": "99", "position": "after"},
         ("confluence-v1/movePage",)),
    Case("confluence_move_page", "cloud", {"page_id": "123", "target_space_key": "DEV"},
         ("confluence-v2/getSpaces", "confluence-v1/movePage"), "to-space"),
    Case("confluence_move_page", "datacenter", {"page_id": "123", "target_parent_id": "99"},
         ("confluence-dc/getContentById", "confluence-dc/update_2")),
    Case("confluence_move_page", "datacenter", {"page_id": "123", "target_space_key": "DEV"},
         ("confluence-dc/getContentById", "confluence-dc/space"), "to-space"),  # Prism's home page is no id
    Case("confluence_get_page_history", "cloud", {"page_id": "123", "version": 2}, ("confluence-v2/getPageById",)),
    Case("confluence_get_page_history", "datacenter", {"page_id": "123", "version": 2},
         ("confluence-dc/getContentById",)),
    Case("confluence_get_page_diff", "cloud", {"page_id": "123", "from_version": 1, "to_version": 2},
         ("confluence-v2/getPageById", "confluence-v2/getPageById")),
    Case("confluence_get_page_diff", "datacenter", {"page_id": "123", "from_version": 1, "to_version": 2},
         ("confluence-dc/getContentById", "confluence-dc/getContentById")),
    Case("confluence_get_page_restrictions", "cloud", {"page_id": "123"},
         ("confluence-v1/getRestrictionsByOperation",)),
    Case("confluence_get_page_restrictions", "datacenter", {"page_id": "123"}, ("confluence-dc/byOperation",)),
    Case("confluence_set_page_restrictions", "cloud", RESTRICT, ("confluence-v1/updateRestrictions",)),
    Case("confluence_set_page_restrictions", "cloud", {"page_id": "123", "edit_groups": ["g"]},
         ("confluence-v1/getRestrictionsByOperation",), "keep-read"),  # Prism cannot answer byOperation (500)
    Case("confluence_set_page_restrictions", "datacenter", RESTRICT, ("confluence-dc/updateRestrictions",)),
    Case("confluence_set_page_restrictions", "datacenter", {"page_id": "123", "read_users": ["bob"]},
         ("confluence-dc/byOperation", "confluence-dc/updateRestrictions"), "keep-edit"),
    Case("confluence_copy_page", "cloud", {**COPY, "copy_attachments": True}, ("confluence-v1/copyPage",)),
    Case("confluence_copy_page", "datacenter", COPY, ("confluence-dc/getContentById", "confluence-dc/createContent")),
]  # fmt: skip

DIRECT = [
    Direct("confluence-v2/getPages", "cloud", {"id": [1, 2], "body_format": "storage", "limit": 2},
           "children with include_content read the bodies after getPageDirectChildren; Prism's ids are 'string'"),
    Direct("confluence-v2/getPagesInSpace", "cloud", {"id": 98305, "depth": "all", "limit": 200},
           "the space tree reads int(space['id']) from getSpaces, and Prism's space id is 'string'"),
    Direct("confluence-dc/update_2", "datacenter", {"content_id": "123"},
           "the section update splices Prism's placeholder body (not a heading in it)",
           body={"id": "123", "type": "page", "title": "T", "space": {"key": "DEV"}, "version": {"number": 2},
                 "body": {"storage": {"value": "x", "representation": "storage"}}}),
    Direct("confluence-v2/getPageContentProperties", "cloud", {"page_id": 123, "key": "emoji-title-published"},
           "update_page with emoji reads the property after updatePage, whose body Prism rejects (V2_BODY)"),
    Direct("confluence-v2/createPageProperty", "cloud", {"page_id": 123},
           "create_page with emoji writes the property after createPage, whose body Prism rejects (V2_BODY)",
           body={"key": "emoji-title-published", "value": "1f4dd"}),
    Direct("confluence-v2/updatePagePropertyById", "cloud", {"page_id": 123, "property_id": 7},
           "an existing property is updated under its next version",
           body={"key": "content-appearance-published", "value": "full-width", "version": {"number": 2}}),
]  # fmt: skip
