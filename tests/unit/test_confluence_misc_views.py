"""The confluence_misc views on hand-made Cloud v2 and Data Center answers: one shape from both, nothing dropped."""

from __future__ import annotations

from adapter.views import ViewContext, get_view

CLOUD = ViewContext("https://acme.atlassian.net", "cloud", {"page_id": "7"})
DC = ViewContext("https://wiki.example.com/confluence", "datacenter", {"page_id": "7"})


def test_comments_from_v2_and_dc_read_alike() -> None:
    v2 = {"results": [{"id": "9", "pageId": "7", "parentCommentId": "8",
                       "version": {"number": 1, "createdAt": "2026-11-01T10:00:00Z", "authorId": "acc-1"},
                       "body": {"storage": {"value": "<p>Hi <strong>there</strong></p>"}},
                       "_links": {"webui": "/spaces/DEV/pages/7/T?focusedCommentId=9"}}],
          "_links": {"next": "/wiki/api/v2/pages/7/footer-comments?cursor=x"}}  # fmt: skip
    dc = {"results": [{"id": "9", "type": "comment", "ancestors": [{"id": "8", "type": "comment"}],
                       "history": {"createdBy": {"displayName": "Ann", "username": "ann", "userKey": "k1"},
                                   "createdDate": "2026-11-01T10:00:00.000Z"},
                       "version": {"when": "2026-11-01T10:00:00.000Z", "number": 1},
                       "body": {"storage": {"value": "<p>Hi <strong>there</strong></p>"}},
                       "extensions": {"location": "inline", "inlineProperties": {"originalSelection": "abc"},
                                      "resolution": {"status": "open"}}}], "_links": {}}  # fmt: skip
    cloud = get_view("confluence_comments").project(v2, CLOUD)
    assert cloud == {"page_id": "7", "more": True, "comments": [{
        "id": "9", "author": {"account_id": "acc-1"}, "created": "2026-11-01T10:00:00Z", "parent_id": "8",
        "body": "Hi **there**",
        "url": "https://acme.atlassian.net/wiki/spaces/DEV/pages/7/T?focusedCommentId=9"}]}  # fmt: skip
    [comment] = get_view("confluence_comments").project(dc, DC)["comments"]
    assert comment == {"id": "9", "author": {"display_name": "Ann", "name": "ann", "key": "k1"},
                       "created": "2026-11-01T10:00:00.000Z", "parent_id": "8", "selection": "abc",
                       "resolution": "open", "body": "Hi **there**"}  # fmt: skip
    assert "more exist" in get_view("confluence_comments").render(cloud)


def test_space_permissions_grouped_by_holder_with_cursor() -> None:
    data = {"space_id": "5", "results": [
        {"principal": {"type": "user", "id": "a"}, "operation": {"key": "read", "targetType": "space"}},
        {"principal": {"type": "group", "id": "g"}, "operation": {"key": "read", "targetType": "space"}},
        {"principal": {"type": "user", "id": "a"}, "operation": {"key": "create", "targetType": "page"}},
    ], "_links": {"next": "/wiki/api/v2/spaces/5/permissions?limit=3&cursor=abc%3D"}}  # fmt: skip
    view = get_view("confluence_space_permissions").project(data, CLOUD)
    assert view == {"space_id": "5", "next_cursor": "abc=", "permissions": [
        {"principal": "user:a", "operations": ["read space", "create page"]},
        {"principal": "group:g", "operations": ["read space"]}]}  # fmt: skip


def test_users_from_search_hits_and_group_members() -> None:
    hits = {"results": [{"user": {"displayName": "Ann", "accountId": "acc-1", "email": "ann@example.com"}}],
            "totalSize": 3}  # fmt: skip
    assert get_view("confluence_users").project(hits, CLOUD) == {
        "users": [{"display_name": "Ann", "account_id": "acc-1", "email": "ann@example.com"}], "total": 3}  # fmt: skip
    members = {"results": [{"displayName": "Bob", "username": "bob", "userKey": "k2"}], "group": "g",
               "group_truncated": True}  # fmt: skip
    view = get_view("confluence_users").project(members, DC)
    assert view["group_truncated"] is True and view["users"] == [{"display_name": "Bob", "name": "bob", "key": "k2"}]
    assert "first 200 members of g" in get_view("confluence_users").render(view)
