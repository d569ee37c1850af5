"""Sandbox routes of the Confluence page tools: direct children and space pages (v2), content properties (v2),
move and copy (Cloud v1 only: Data Center has neither), restrictions (v1 and Data Center), and earlier versions
of the seeded pages so history and diff have something to read.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from starlette.responses import Response

from ..app import (
    WRITE_EXPANDS,
    ApiError,
    Call,
    RouteSpec,
    ancestors_of,
    children_of,
    confluence_user,
    cursor_page,
    new_page,
    ok,
    v1_content,
    v1_visible_page,
    v2_id,
    v2_page,
    v2_visible_page,
)
from ..seed import Page

GROUPS = {
    "confluence-users": "7d1b2c3e-0000-4000-8000-000000000001",
    "developers": "7d1b2c3e-0000-4000-8000-000000000002",
}


def seed(sandbox: Any) -> None:
    """Earlier versions of the seeded pages: each older version lacks the body's last sections."""
    for page in sandbox.pages.values():
        for number in range(1, page.version):
            old = copy.copy(page)
            cuts = [m.start() for m in re.finditer(r"<h[1-6]>", page.body)]
            keep = len(cuts) - (page.version - number)
            old.body = page.body[: cuts[keep]] if 0 < keep < len(cuts) else page.body.split("</p>", 1)[0] + "</p>"
            old.version, old.version_message = number, "" if number > 1 else "Created"
            old.modified = page.created + (page.modified - page.created) * (number - 1) / max(page.version - 1, 1)
            old.labels, old.attachments = list(page.labels), []
            sandbox.versions.setdefault(page.id, {})[number] = old
    sandbox.extra["confluence_pages"] = {"properties": {}, "restrictions": {}}


def _state(c: Call) -> dict[str, Any]:
    state: dict[str, Any] = c.sandbox.extra["confluence_pages"]
    return state


# --- v2 (Cloud) --------------------------------------------------------------------------------------------


def get_page_direct_children(c: Call) -> Response:
    page = v2_visible_page(c)
    kids = [
        {"id": str(k.id), "status": k.status, "title": k.title, "type": "page",
         "spaceId": str(c.sandbox.spaces[k.space].id), "childPosition": k.id % 1000}
        for k in children_of(c, page) if k.type == "page"
    ]  # fmt: skip
    chunk, links, headers = cursor_page(c, kids)
    return ok({"results": chunk, "_links": links}, headers=headers)


def get_pages_in_space(c: Call) -> Response:
    space = c.sandbox.space(str(v2_id(c)))
    if space is None:
        raise ApiError(404, "Not Found", code="NOT_FOUND")
    depth = c.q.get("depth") or "all"
    if depth not in ("all", "root"):
        raise ApiError(400, f"Invalid value for depth: {depth}", code="INVALID_REQUEST_PARAMETER")
    pages = sorted(
        (p for p in c.sandbox.visible_pages() if p.space == space.key and p.type == "page"), key=lambda p: p.id
    )
    if depth == "root":
        pages = [p for p in pages if p.parent is None]
    chunk, links, headers = cursor_page(c, pages)
    return ok({"results": [v2_page(c, p, c.q.get("body-format")) for p in chunk], "_links": links}, headers=headers)


def _properties(c: Call, page_id: int) -> dict[str, dict[str, Any]]:
    props: dict[str, dict[str, Any]] = _state(c)["properties"].setdefault(page_id, {})
    return props


def get_page_properties(c: Call) -> Response:
    page = v2_visible_page_by(c, "page_id")
    props = [p for p in _properties(c, page.id).values() if c.q.get("key") in (None, p["key"])]
    chunk, links, headers = cursor_page(c, props)
    return ok({"results": chunk, "_links": links}, headers=headers)


def v2_visible_page_by(c: Call, name: str) -> Page:
    page = c.sandbox.page(v2_id(c, name), ("page",))
    if page is None:
        raise ApiError(404, "Not Found", code="NOT_FOUND")
    return page


def create_page_property(c: Call) -> Response:
    page = v2_visible_page_by(c, "page_id")
    body = c.body_dict()
    key = body.get("key")
    if not isinstance(key, str) or not key:
        raise ApiError(400, "key is required", code="INVALID_REQUEST_PARAMETER")
    props = _properties(c, page.id)
    if key in props:
        raise ApiError(409, f"A property with key {key} already exists", code="CONFLICT")
    props[key] = {"id": str(c.sandbox.next_id("property")), "key": key, "value": body.get("value"),
                  "version": {"number": 1, "message": "", "minorEdit": False}}  # fmt: skip
    return ok(props[key])


def update_page_property(c: Call) -> Response:
    page = v2_visible_page_by(c, "page_id")
    prop = next((p for p in _properties(c, page.id).values() if p["id"] == c.path["property_id"]), None)
    if prop is None:
        raise ApiError(404, "Not Found", code="NOT_FOUND")
    body = c.body_dict()
    number = (body.get("version") or {}).get("number") if isinstance(body.get("version"), dict) else None
    if number != prop["version"]["number"] + 1:
        raise ApiError(409, f"Version must be {prop['version']['number'] + 1}", code="CONFLICT")
    prop["value"], prop["version"] = body.get("value"), {"number": number, "message": "", "minorEdit": False}
    return ok(prop)


# --- v1 (Cloud) and Data Center ----------------------------------------------------------------------------


def _clash(c: Call, space: str, title: str, ignore: int | None = None) -> None:
    if any(
        p.space == space and p.title == title and p.type == "page" and p.id != ignore for p in c.sandbox.visible_pages()
    ):
        raise ApiError(400, f"A page with this title already exists: A page already exists with the title {title} "
                            f"in the space with key {space}")  # fmt: skip


def move_page(c: Call) -> Response:
    if not c.cloud:
        raise ApiError(404, f"No route for PUT {c.request.url.path}")
    page = v1_visible_page(c, "pageId")
    target = v1_visible_page(c, "targetId")
    position = c.path["position"]
    if position not in ("append", "before", "after"):
        raise ApiError(400, f"Invalid position: {position}")
    parent = target if position == "append" else (c.sandbox.pages.get(target.parent) if target.parent else None)
    if page.id == target.id or page.id in [a.id for a in ancestors_of(c, target)]:
        raise ApiError(400, "The move would create a parent-child loop")
    if target.space != page.space:
        _clash(c, target.space, page.title)
    moving = [page]
    while True:  # the page's descendants follow it into another space
        more = [p for p in c.sandbox.pages.values() if p.parent in {m.id for m in moving} and p not in moving]
        if not more:
            break
        moving += more
    for p in moving:
        p.space = target.space
    page.parent = parent.id if parent else None
    page.modified = c.sandbox.tick()
    return ok({"pageId": str(page.id)})


def copy_page(c: Call) -> Response:
    if not c.cloud:
        raise ApiError(404, f"No route for POST {c.request.url.path}")
    source = v1_visible_page(c)
    body = c.body_dict()
    destination = body.get("destination") if isinstance(body.get("destination"), dict) else None
    if destination is None or destination.get("type") not in ("space", "parent_page"):
        raise ApiError(400, "destination must be a space or a parent_page")
    if destination["type"] == "space":
        space = c.sandbox.space(str(destination.get("value")))
        if space is None:
            raise ApiError(404, f"No space with key : {destination.get('value')}")
        parent = c.sandbox.pages.get(space.homepage or 0)
    else:
        parent = c.sandbox.page(str(destination.get("value")), ("page",))
        if parent is None:
            raise ApiError(404, f"No content found with id: ContentId{{id={destination.get('value')}}}")
        space = c.sandbox.spaces[parent.space]
    title = body.get("pageTitle") or source.title
    _clash(c, space.key, title)
    page = new_page(c, "page", space, title, source.body, parent.id if parent else None)
    if body.get("copyLabels"):
        page.labels = list(source.labels)
    if body.get("copyAttachments"):
        page.attachments = [copy.copy(a) for a in source.attachments]
    return ok(v1_content(c, page, WRITE_EXPANDS))


def _restricted(c: Call, page: Page) -> dict[str, dict[str, list[str]]]:
    state: dict[str, dict[str, list[str]]] = _state(c)["restrictions"].setdefault(page.id, {})
    return state


def _by_operation(c: Call, page: Page) -> dict[str, Any]:
    out = {}
    for op in ("read", "update"):
        current = _restricted(c, page).get(op, {})
        users = [confluence_user(c, c.sandbox.user(u)) for u in current.get("user", [])]
        groups = [{"type": "group", "name": g, "id": GROUPS[g]} for g in current.get("group", [])]
        out[op] = {
            "operation": op,
            "restrictions": {
                "user": {"results": users, "start": 0, "limit": 200, "size": len(users)},
                "group": {"results": groups, "start": 0, "limit": 200, "size": len(groups)},
            },
            "_links": {"self": f"{c.wiki_root}/rest/api/content/{page.id}/restriction/byOperation/{op}"},
            "_expandable": {"content": f"/rest/api/content/{page.id}"},
        }
    return out


def get_restrictions_by_operation(c: Call) -> Response:
    return ok(_by_operation(c, v1_visible_page(c)))


def update_restrictions(c: Call) -> Response:
    page = v1_visible_page(c)
    body = c.body
    entries = body.get("results") if isinstance(body, dict) else body
    if not isinstance(entries, list):
        raise ApiError(400, "The request body must be a list of restrictions")
    new: dict[str, dict[str, list[str]]] = {}
    for entry in entries:
        op = entry.get("operation") if isinstance(entry, dict) else None
        if op not in ("read", "update"):
            raise ApiError(400, f"Unsupported restriction operation: {op}")
        restrictions = entry.get("restrictions") or {}
        users = []
        for ref in restrictions.get("user") or []:
            name = ref.get("accountId") if c.cloud else ref.get("username") or ref.get("userKey")
            user = c.sandbox.user(str(name)) if name else None
            if user is None:
                raise ApiError(400, f"User not found: {name}")
            users.append(user.key)
        groups = []
        for ref in restrictions.get("group") or []:
            name = ref.get("name") or next((n for n, i in GROUPS.items() if i == ref.get("id")), None)
            if name not in GROUPS:
                raise ApiError(400, f"Group not found: {ref.get('name') or ref.get('id')}")
            groups.append(name)
        new[op] = {"user": users, "group": groups}
    _state(c)["restrictions"][page.id] = new
    by_op = _by_operation(c, page)
    return ok({"results": list(by_op.values()), "start": 0, "limit": 100, "size": len(by_op)})


ROUTES: dict[str, list[RouteSpec]] = {
    "wiki2": [
        ("getPageDirectChildren", "GET", "/pages/{id}/direct-children", get_page_direct_children),
        ("getPagesInSpace", "GET", "/spaces/{id}/pages", get_pages_in_space),
        ("getPageContentProperties", "GET", "/pages/{page_id}/properties", get_page_properties),
        ("createPageProperty", "POST", "/pages/{page_id}/properties", create_page_property),
        ("updatePagePropertyById", "PUT", "/pages/{page_id}/properties/{property_id}", update_page_property),
    ],
    "wiki1": [
        ("movePage", "PUT", "/content/{pageId}/move/{position}/{targetId}", move_page),
        ("copyPage", "POST", "/content/{id}/copy", copy_page),
        ("getRestrictionsByOperation", "GET", "/content/{id}/restriction/byOperation", get_restrictions_by_operation),
        ("updateRestrictions", "PUT", "/content/{id}/restriction", update_restrictions),
    ],
}
DC_OPERATION_IDS = {"confluence": {"getRestrictionsByOperation": "byOperation"}}
