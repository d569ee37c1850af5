"""Sandbox routes of Confluence comments, labels, user search, page views, templates and permissions.

Comments live in `sandbox.extra["confluence_misc"]`; Cloud reads and writes them through v2 (footer and inline
comment routes), Data Center through the v1 content routes of app.py, which hand comment requests to CORE_HOOKS.
Cloud-only v1 routes (templates, analytics, permission check, /search/user) answer 404 on Data Center, as the
real product has no such resource there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from starlette.responses import Response

from .. import seed as data
from ..app import (
    ApiError,
    Call,
    RouteSpec,
    Sandbox,
    confluence_user,
    cursor_page,
    dc_time,
    expand_param,
    iso_time,
    ok,
    start_limit_page,
    v1_content,
    v1_space,
    v1_visible_page,
    v2_id,
    v2_storage_body,
    v2_visible_page,
    webui,
)
from ..seed import Page

JSON = Any
KEY = "confluence_misc"
GROUPS = {
    "confluence-users": "b1f0c5a2-7e6d-4c1b-9a3e-000000000001",
    "confluence-administrators": "b1f0c5a2-7e6d-4c1b-9a3e-000000000002",
}


@dataclass
class Comment:
    id: int
    page: int
    parent: int | None
    location: str  # "footer" | "inline"
    body: str  # storage
    author: str
    created: datetime
    selection: str = ""
    resolution: str = "open"


@dataclass
class Template:
    id: str
    name: str
    description: str
    space: str | None  # None: a global template
    body: str
    labels: tuple[str, ...] = ()


def state(c: Call) -> dict[str, Any]:
    data: dict[str, Any] = c.sandbox.extra[KEY]
    return data


def seed(sandbox: Sandbox) -> None:
    moment = sandbox.clock - timedelta(days=2)

    def comment(page: int, parent: int | None, author: str, text: str, hours: int, **extra: Any) -> Comment:
        return Comment(sandbox.next_id("confluence_comment"), page, parent, extra.pop("location", "footer"),
                       f"<p>{text}</p>", author, moment + timedelta(hours=hours), **extra)  # fmt: skip

    first = comment(65539, None, "alice", "Should we add the <strong>rollback</strong> steps here?", 1)
    comments = [
        first,
        comment(65539, first.id, "bob", "Yes, I will add them this week.", 2),
        comment(65539, None, "bob", "Is this still true?", 3, location="inline", selection="frozen on Fridays"),
        comment(65548, None, "alice", "Top secret.", 4),
    ]
    templates = [
        Template("1001", "Meeting notes", "Date, attendees, notes, actions.", None,
                 "<h2>Attendees</h2><ul><li></li></ul><h2>Action items</h2>", ("meeting-notes",)),
        Template("1002", "Runbook", "How to operate a service.", "DEV",
                 "<h2>Symptoms</h2><p>What you see.</p><h2>Fix</h2><ol><li>First step</li></ol>", ("runbook",)),
        Template("1003", "Secret template", "", "SECRET", "<p>x</p>"),
    ]  # fmt: skip
    sandbox.extra[KEY] = {"comments": {c.id: c for c in comments}, "templates": {t.id: t for t in templates}}


# --- comments: shapes ----------------------------------------------------------------------------------------


def comment_link(c: Call, page: Page, comment: Comment) -> str:
    return f"{webui(c, page)}?focusedCommentId={comment.id}#comment-{comment.id}"


def v2_comment(c: Call, comment: Comment, body_format: str | None) -> JSON:
    page = c.sandbox.pages[comment.page]
    author = c.sandbox.user(comment.author)
    out: dict[str, Any] = {
        "id": str(comment.id),
        "status": "current",
        "title": f"Re: {page.title}",
        ("pageId" if page.type == "page" else "blogPostId"): str(page.id),
        "version": {
            "createdAt": iso_time(comment.created),
            "message": "",
            "number": 1,
            "minorEdit": False,
            "authorId": author.account_id if author else "",
        },
    }
    if comment.parent and comment.location == "footer":
        out["parentCommentId"] = str(comment.parent)
    if comment.location == "inline":
        out["resolutionStatus"] = comment.resolution
        out["properties"] = {
            "inlineMarkerRef": f"marker-{comment.id}",
            "inlineOriginalSelection": comment.selection,
        }
    if body_format == "storage":
        out["body"] = {"storage": {"representation": "storage", "value": comment.body}}
    elif body_format == "atlas_doc_format":
        out["body"] = {"atlas_doc_format": {"representation": "atlas_doc_format", "value": "{}"}}
    out["_links"] = {"webui": comment_link(c, page, comment)}
    return out


def v1_comment(c: Call, comment: Comment, expand: list[str]) -> JSON:
    """A comment in the v1/Data Center content shape, with the `expand`s it was asked for."""
    page = c.sandbox.pages[comment.page]
    expands = set(expand)
    when = iso_time(comment.created) if c.cloud else dc_time(comment.created)
    author = confluence_user(c, c.sandbox.user(comment.author))
    out: dict[str, Any] = {"id": str(comment.id), "type": "comment", "status": "current", "title": f"Re: {page.title}"}
    if "space" in expands:
        out["space"] = v1_space(c, c.sandbox.spaces[page.space])
    if "container" in expands:
        out["container"] = v1_content(c, page, ())
    if "history" in expands:
        out["history"] = {"latest": True, "createdBy": author, "createdDate": when}
    if "version" in expands:
        out["version"] = {"by": author, "when": when, "message": "", "number": 1, "minorEdit": False}
    if "ancestors" in expands:
        out["ancestors"] = (
            [{"id": str(comment.parent), "type": "comment", "status": "current"}] if comment.parent else []
        )
    if "body.storage" in expands:
        out["body"] = {"storage": {"value": comment.body, "representation": "storage"}}
    extensions: dict[str, Any] = {"location": comment.location}
    if comment.location == "inline":
        if "extensions.inlineProperties" in expands:
            extensions["inlineProperties"] = {
                "originalSelection": comment.selection,
                "markerRef": f"marker-{comment.id}",
            }
        if "extensions.resolution" in expands:
            extensions["resolution"] = {"status": comment.resolution, "lastModifier": author, "lastModifiedDate": when}
    out["extensions"] = extensions
    out["_links"] = {
        "webui": comment_link(c, page, comment),
        "self": f"{c.wiki_root}/rest/api/content/{comment.id}",
        "base": c.wiki_root,
        "context": "/wiki" if c.cloud else "/confluence",
    }
    return out


def visible_comment(c: Call, ref: str) -> Comment | None:
    comment = state(c)["comments"].get(int(ref)) if ref.isascii() and ref.isdigit() else None
    return comment if comment and c.sandbox.page(comment.page) is not None else None


def page_comments(c: Call, page: Page, location: str, *, parent: int | None = None, top: bool = True) -> list[Comment]:
    return [
        k
        for k in state(c)["comments"].values()
        if k.page == page.id and k.location == location and (not top or k.parent == parent)
    ]


def new_comment(c: Call, page: Page, parent: int | None, location: str, body: str, selection: str = "") -> Comment:
    comment = Comment(c.sandbox.next_id("confluence_comment"), page.id, parent, location, body, c.sandbox.me.key,
                      c.sandbox.tick(), selection)  # fmt: skip
    state(c)["comments"][comment.id] = comment
    return comment


def check_selection(page: Page, selection: Any, count: Any, index: Any) -> str:
    """Where Confluence anchors an inline comment: the `index`th of `count` occurrences of the text."""
    if not isinstance(selection, str) or not selection.strip():
        raise ApiError(400, "Text selection is required for inline comments", code="INVALID_REQUEST_PARAMETER")
    found = data.storage_to_text(page.body).count(selection)
    if found == 0:
        raise ApiError(400, "Cannot find the text selection on the page", code="INVALID_REQUEST_PARAMETER")
    if not isinstance(count, int) or not isinstance(index, int) or count != found or not 0 <= index < count:
        raise ApiError(
            400,
            f"The text selection matches {found} time(s); textSelectionMatchCount and textSelectionMatchIndex disagree",
            code="INVALID_REQUEST_PARAMETER",
        )
    return selection


# --- comments: Cloud v2 ---------------------------------------------------------------------------------------


def list_page_comments(c: Call, location: str) -> Response:
    page = v2_visible_page(c)
    comments = sorted(page_comments(c, page, location, top=location == "footer"), key=lambda k: k.id)
    chunk, links, headers = cursor_page(c, comments)
    body_format = c.q.get("body-format")
    return ok({"results": [v2_comment(c, k, body_format) for k in chunk], "_links": links}, headers=headers)


def get_page_footer_comments(c: Call) -> Response:
    return list_page_comments(c, "footer")


def get_page_inline_comments(c: Call) -> Response:
    return list_page_comments(c, "inline")


def v2_visible_comment(c: Call, name: str) -> Comment:
    comment = visible_comment(c, str(v2_id(c, name)))
    if comment is None or comment.location != "footer":
        raise ApiError(404, "Not Found", code="NOT_FOUND")
    return comment


def get_footer_comment_by_id(c: Call) -> Response:
    return ok(v2_comment(c, v2_visible_comment(c, "comment_id"), c.q.get("body-format")))


def get_footer_comment_children(c: Call) -> Response:
    parent = v2_visible_comment(c, "id")
    kids = sorted((k for k in state(c)["comments"].values() if k.parent == parent.id), key=lambda k: k.id)
    chunk, links, headers = cursor_page(c, kids)
    body_format = c.q.get("body-format")
    return ok({"results": [v2_comment(c, k, body_format) for k in chunk], "_links": links}, headers=headers)


def v2_target(c: Call, body: dict[str, Any]) -> tuple[Page, Comment | None]:
    """The page (or blog post) a new comment hangs on, and its parent comment for a reply."""
    targets = [k for k in ("pageId", "blogPostId", "parentCommentId") if body.get(k)]
    if len(targets) != 1:
        raise ApiError(
            400, "Give exactly one of pageId, blogPostId or parentCommentId", code="INVALID_REQUEST_PARAMETER"
        )
    ref = str(body[targets[0]])
    if targets[0] == "parentCommentId":
        parent = visible_comment(c, ref)
        if parent is None:
            raise ApiError(404, "Parent comment not found", code="NOT_FOUND")
        return c.sandbox.pages[parent.page], parent
    page = c.sandbox.page(ref, ("page",) if targets[0] == "pageId" else ("blogpost",))
    if page is None:
        raise ApiError(404, "Not Found", code="NOT_FOUND")
    return page, None


def create_footer_comment(c: Call) -> Response:
    body = c.body_dict()
    page, parent = v2_target(c, body)
    if parent is not None and parent.location != "footer":
        raise ApiError(400, "Reply to an inline comment through /inline-comments", code="INVALID_REQUEST_PARAMETER")
    comment = new_comment(c, page, parent.id if parent else None, "footer", v2_storage_body(body.get("body")))
    return ok(v2_comment(c, comment, "storage"))


def create_inline_comment(c: Call) -> Response:
    body = c.body_dict()
    page, parent = v2_target(c, body)
    selection = ""
    if parent is None:
        props = body.get("inlineCommentProperties")
        props = props if isinstance(props, dict) else {}
        selection = check_selection(
            page, props.get("textSelection"), props.get("textSelectionMatchCount"), props.get("textSelectionMatchIndex")
        )
    comment = new_comment(
        c, page, parent.id if parent else None, "inline", v2_storage_body(body.get("body")), selection
    )
    return ok(v2_comment(c, comment, "storage"))


# --- comments: v1 / Data Center, through app.py's content routes ---------------------------------------------


def content_comments(c: Call) -> Response | None:
    """`/content/{id}/child/comment`: footer and/or inline (`location`), top level or all (`depth`)."""
    if c.path.get("type") != "comment":
        return None
    page = v1_visible_page(c)
    locations = set(c.list_param("location")) or {"footer", "inline"}
    deep = c.q.get("depth") == "all"
    comments = sorted(
        (k for k in state(c)["comments"].values() if k.page == page.id and k.location in locations),
        key=lambda k: k.id,
    )
    if not deep:
        comments = [k for k in comments if k.parent is None]
    chunk, paging = start_limit_page(c, [v1_comment(c, k, expand_param(c)) for k in comments])
    return ok({"results": chunk, **paging})


def comment_by_id(c: Call) -> Response | None:
    comment = visible_comment(c, c.path["id"])
    return ok(v1_comment(c, comment, expand_param(c))) if comment else None


INLINE_EXPANDS = ("extensions.inlineProperties",)  # a created inline comment echoes its anchor
INLINE_KEYS = ("originalSelection", "numMatches", "matchIndex", "lastFetchTime", "serializedHighlights")


def create_comment(c: Call) -> Response | None:
    body = c.body
    if not isinstance(body, dict) or body.get("type") != "comment":
        return None
    container = body.get("container")
    ref = str(container.get("id")) if isinstance(container, dict) else ""
    page = c.sandbox.page(ref) if ref else None
    if page is None:
        raise ApiError(
            404 if ref else 400, f"No content found with id: {ref}" if ref else "A comment needs a container"
        )
    storage = (body.get("body") or {}).get("storage") if isinstance(body.get("body"), dict) else None
    if not isinstance(storage, dict) or not isinstance(storage.get("value"), str):
        raise ApiError(400, "Content body is required and must be in storage representation")
    ancestors = body.get("ancestors") or []
    parent = visible_comment(c, str((ancestors[-1] or {}).get("id"))) if ancestors else None
    if ancestors and (parent is None or parent.page != page.id):
        raise ApiError(400, "The parent comment is not a comment of the container")
    extensions: dict[str, Any] = body["extensions"] if isinstance(body.get("extensions"), dict) else {}
    location = extensions.get("location") or "footer"
    selection = ""
    if location == "inline" and parent is None:
        inline = extensions.get("inlineProperties")
        inline = inline if isinstance(inline, dict) else {}
        missing = [k for k in INLINE_KEYS if k not in inline]
        if missing:
            raise ApiError(400, "Inline comment properties are incomplete", {k: "required" for k in missing})
        selection = check_selection(page, inline["originalSelection"], inline["numMatches"], inline["matchIndex"])
    comment = new_comment(c, page, parent.id if parent else None, location, storage["value"], selection)
    return ok(v1_comment(c, comment, ["container", "version", "body.storage", "history", "ancestors", *INLINE_EXPANDS]))


# --- labels ---------------------------------------------------------------------------------------------------


def label_json(page: Page) -> list[JSON]:
    return [{"prefix": "global", "name": n, "id": str(1000 + i), "label": n} for i, n in enumerate(page.labels)]


def get_page_labels(c: Call) -> Response:
    page = v2_visible_page(c)
    labels = [{k: v for k, v in label.items() if k != "label"} for label in label_json(page)]
    chunk, links, headers = cursor_page(c, labels)
    return ok({"results": chunk, "_links": links}, headers=headers)


def add_labels(c: Call) -> Response:
    page = v1_visible_page(c)
    wanted = c.body if isinstance(c.body, list) else [c.body]
    for label in wanted:
        name = label.get("name") if isinstance(label, dict) else None
        if not isinstance(name, str) or not re.fullmatch(r"[^\s:]{1,255}", name):
            raise ApiError(400, f"Invalid label name: {name}")
        if label.get("prefix", "global") != "global":
            raise ApiError(400, f"Label prefix not supported: {label.get('prefix')}")
        if name.lower() not in page.labels:
            page.labels.append(name.lower())
    chunk, paging = start_limit_page(c, label_json(page), 200)
    return ok({"results": chunk, **paging})


# --- users ----------------------------------------------------------------------------------------------------

USER_CLAUSE = re.compile(r'user(?:\.fullname)?\s*(~|=)\s*"((?:[^"\\]|\\.)*)"', re.IGNORECASE)


def matching_users(c: Call, cql: str) -> list[data.User]:
    if not re.search(r"\btype\s*=\s*user\b", cql, re.IGNORECASE):
        raise ApiError(400, "User search needs type = user in the CQL query")
    clauses = USER_CLAUSE.findall(cql)
    if not clauses:
        raise ApiError(400, f"Could not parse cql : {cql}")
    found = []
    for user in c.sandbox.users:
        names = [user.display_name.lower(), user.key.lower(), user.account_id.lower()]
        if all(
            any(value.replace('\\"', '"').lower() in n for n in names)
            if op == "~"
            else value in (user.key, user.account_id)
            for op, value in clauses
        ):
            found.append(user)
    return found


def user_hits(c: Call, cql: str) -> Response:
    users = matching_users(c, cql)
    chunk, paging = start_limit_page(c, users, 25)
    results = [
        {
            "user": confluence_user(c, u),
            "title": u.display_name,
            "excerpt": "",
            "url": f"/people/{u.account_id}" if c.cloud else f"/display/~{u.key}",
            "entityType": "user",
            "iconCssClass": "aui-icon content-type-profile",
            "lastModified": iso_time(c.sandbox.clock) if c.cloud else dc_time(c.sandbox.clock),
            "score": 0.0,
        }
        for u in chunk
    ]
    return ok({"results": results, **paging, "totalSize": len(users), "cqlQuery": cql, "searchDuration": 3})


def search_user(c: Call) -> Response:
    if not c.cloud:
        raise ApiError(404, f"No route for GET {c.request.url.path}")
    return user_hits(c, c.q.get("cql") or "")


def search_users_dc(c: Call) -> Response | None:
    """Data Center's `/search` with `type = user`: the same hits as Cloud's `/search/user`."""
    cql = c.q.get("cql") or ""
    if c.cloud or not re.search(r"\btype\s*=\s*user\b", cql, re.IGNORECASE):
        return None
    return user_hits(c, cql)


def get_members(c: Call) -> Response:
    if c.cloud:
        raise ApiError(404, f"No route for GET {c.request.url.path}")
    group = c.path["groupName"]
    if group not in GROUPS:
        raise ApiError(404, f"Group not found: {group}")
    members = c.sandbox.users if group == "confluence-users" else [c.sandbox.me]
    chunk, paging = start_limit_page(c, [confluence_user(c, u) for u in members], 200)
    return ok({"results": chunk, **paging})


# --- analytics, templates, permissions (Cloud) -------------------------------------------------------------------


def cloud_only(c: Call) -> None:
    if not c.cloud:
        raise ApiError(404, f"No route for {c.request.method} {c.request.url.path}")


def get_views(c: Call) -> Response:
    cloud_only(c)
    page = v1_visible_page(c, "contentId")
    return ok({"id": page.id, "count": 17 + page.id % 50 * page.version})


def template_json(c: Call, template: Template, with_body: bool) -> JSON:
    out: dict[str, Any] = {
        "templateId": template.id,
        "originalTemplate": {"pluginKey": "", "moduleKey": ""},
        "referencingBlueprint": "",
        "name": template.name,
        "description": template.description,
        "labels": [{"prefix": "global", "name": n, "id": str(2000 + i)} for i, n in enumerate(template.labels)],
        "templateType": "page",
        "editorVersion": "v2",
    }
    if template.space:
        out["space"] = v1_space(c, c.sandbox.spaces[template.space])
    if with_body:
        out["body"] = {"storage": {"value": template.body, "representation": "storage"}}
    else:
        out["_expandable"] = {"body": ""}
    out["_links"] = {"self": f"{c.wiki_root}/rest/api/template/{template.id}", "base": c.wiki_root}
    return out


def visible_templates(c: Call) -> list[Template]:
    return [t for t in state(c)["templates"].values() if t.space is None or c.sandbox.space(t.space) is not None]


def get_content_templates(c: Call) -> Response:
    cloud_only(c)
    space_key = c.q.get("spaceKey")
    if space_key and c.sandbox.space(space_key) is None:
        raise ApiError(404, f"No space with key : {space_key}")
    templates = [t for t in visible_templates(c) if t.space == (space_key or None)]
    chunk, paging = start_limit_page(c, [template_json(c, t, "body" in expand_param(c)) for t in templates])
    return ok({"results": chunk, **paging})


def get_content_template(c: Call) -> Response:
    cloud_only(c)
    found = [t for t in visible_templates(c) if t.id == c.path["contentTemplateId"]]
    if not found:
        raise ApiError(404, f"Template not found: {c.path['contentTemplateId']}")
    return ok(template_json(c, found[0], bool({"body", "body.storage"} & set(expand_param(c)))))


RIGHTS = {"sandbox": {"read", "update", "delete"}, "alice": {"read", "update"}, "bob": {"read"}}


def check_content_permission(c: Call) -> Response:
    cloud_only(c)
    page = v1_visible_page(c)
    body = c.body_dict()
    subject: dict[str, Any] = body["subject"] if isinstance(body.get("subject"), dict) else {}
    operation = body.get("operation")
    if operation not in ("read", "update", "delete") or subject.get("type") not in ("user", "group"):
        raise ApiError(400, "subject.type must be user or group, and operation read, update or delete")
    identifier = str(subject.get("identifier") or "")
    if subject["type"] == "group":
        allowed = identifier == GROUPS["confluence-users"] and operation == "read"
        error = "Group does not have permission to the content"
    else:
        user = next((u for u in c.sandbox.users if u.account_id == identifier), None)
        allowed = user is not None and operation in RIGHTS.get(user.key, set())
        error = "User does not have permission to the content" if user else "User is not allowed to use Confluence"
    if page.space == "SECRET":
        allowed = False
    answer: dict[str, Any] = {"hasPermission": allowed}
    if not allowed:
        answer["errors"] = [{"translation": error, "args": []}]
    return ok(answer)


def space_assignments(c: Call, space: data.Space) -> list[JSON]:
    grants = [
        ("group", GROUPS["confluence-users"], op)
        for op in (("read", "space"), ("create", "page"), ("create", "comment"))
    ]
    for user in c.sandbox.users:
        grants += [("user", user.account_id, ("read", "space")), ("user", user.account_id, ("create", "page"))]
        if user.key in (space.author, "sandbox"):
            grants.append(("user", user.account_id, ("administer", "space")))
    return [
        {
            "id": str(space.id * 100 + i),
            "principal": {"type": kind, "id": ident},
            "operation": {"key": op, "targetType": target},
        }
        for i, (kind, ident, (op, target)) in enumerate(grants)
    ]


def get_space_permissions(c: Call) -> Response:
    space = c.sandbox.space(str(v2_id(c)))
    if space is None:
        raise ApiError(404, "Not Found", code="NOT_FOUND")
    chunk, links, headers = cursor_page(c, space_assignments(c, space))
    return ok({"results": chunk, "_links": links}, headers=headers)


# --- registration -----------------------------------------------------------------------------------------------

ROUTES: dict[str, list[RouteSpec]] = {
    "wiki2": [
        ("getPageFooterComments", "GET", "/pages/{id}/footer-comments", get_page_footer_comments),
        ("getPageInlineComments", "GET", "/pages/{id}/inline-comments", get_page_inline_comments),
        ("getPageLabels", "GET", "/pages/{id}/labels", get_page_labels),
        ("createFooterComment", "POST", "/footer-comments", create_footer_comment),
        ("getFooterCommentById", "GET", "/footer-comments/{comment_id}", get_footer_comment_by_id),
        ("getFooterCommentChildren", "GET", "/footer-comments/{id}/children", get_footer_comment_children),
        ("createInlineComment", "POST", "/inline-comments", create_inline_comment),
        ("getSpacePermissionsAssignments", "GET", "/spaces/{id}/permissions", get_space_permissions),
    ],
    "wiki1": [
        ("addLabelsToContent", "POST", "/content/{id}/label", add_labels),
        ("checkContentPermission", "POST", "/content/{id}/permission/check", check_content_permission),
        ("searchUser", "GET", "/search/user", search_user),
        ("getMembers", "GET", "/group/{groupName}/member", get_members),  # Data Center only
        ("getContentTemplates", "GET", "/template/page", get_content_templates),
        ("getContentTemplate", "GET", "/template/{contentTemplateId}", get_content_template),
        ("getViews", "GET", "/analytics/content/{contentId}/views", get_views),
    ],
}
DC_OPERATION_IDS = {"confluence": {"addLabelsToContent": "addLabels"}}

# Requests app.py's core v1 routes receive but this module's data answers (None: the core route answers)
CORE_HOOKS = {
    "getContentChildrenByType": content_comments,
    "getContentById": comment_by_id,
    "createContent": create_comment,
    "searchByCQL": search_users_dc,
}
