"""Views: compact projections of Atlassian REST responses, used as MCP tool results.

Raw Jira/Confluence JSON spends most of a model's token budget on avatars, `self` links, `expand` strings,
nulls and empty lists. A view keeps what a model needs to act (keys, ids it can pass back, names, dates,
text) as a small JSON-compatible dict (the tool result's `structuredContent`, described by `output_schema`)
and renders the same facts as compact text. Nothing that carries data is dropped silently: Jira fields that
are not projected by name land, compacted, in `custom_fields` / `other_fields`; the few system fields that
are dropped on purpose are listed in `_JIRA_NOISE_FIELDS` with the reason.

Rich text (ADF on Jira Cloud v3, wiki markup on Jira Data Center, storage XHTML on Confluence) goes through
`rich_text()` so that converting it to Markdown later changes one function.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["VIEWS", "View", "ViewContext", "compact", "get_view", "register", "rich_text"]

JSON = dict[str, Any]


@dataclass(frozen=True)
class ViewContext:
    """What a projection needs besides the body: where links point and which API dialect answered."""

    site_url: str  # e.g. https://acme.atlassian.net or https://jira.example.com/jira (no trailing slash)
    deployment: str  # "cloud" | "datacenter"
    arguments: Mapping[str, Any] = field(default_factory=dict)  # the tool call's, e.g. convert_to_markdown


@dataclass(frozen=True)
class View:
    """A named projection, its text rendering and the JSON Schema MCP clients validate the result against."""

    name: str
    project: Callable[[Any, ViewContext], dict[str, Any]]
    render: Callable[[dict[str, Any]], str]
    output_schema: dict[str, Any]


# --------------------------------------------------------------------------------------------- helpers


def rich_text(value: Any) -> Any:
    """Jira rich text as Markdown: ADF (Cloud, REST v3) and wiki markup (Data Center, REST v2) are converted."""
    if _is_adf(value):
        from ..content.adf import adf_to_markdown

        return adf_to_markdown(value)
    if isinstance(value, str):
        from ..content.wiki import wiki_to_markdown

        return wiki_to_markdown(value)
    return value


def storage_text(value: Any) -> Any:
    """Confluence storage XHTML as Markdown (unknown macros survive as ```confluence blocks)."""
    if isinstance(value, str):
        from ..content.storage import storage_to_markdown

        return storage_to_markdown(value)
    return value


# Keys that never help a model: hypermedia, avatars, icons, expansion hints.
_DROP_KEYS = frozenset(
    {"self", "expand", "_expandable", "_links", "avatarUrls", "avatarId", "iconUrl", "profilePicture", "icon"}
)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _put(out: JSON, key: str, value: Any) -> None:
    """Set only values that carry data, so outputs never hold nulls or empty containers."""
    if not _empty(value):
        out[key] = value


def _is_adf(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") == "doc" and "content" in value


def compact(value: Any) -> Any:
    """Recursively strip nulls, empties, avatars and self links; shorten users and select options.

    Used for values we do not project by name (custom fields, unknown system fields), so their data survives
    at a fraction of the size. ADF documents are rich text and are passed through `rich_text` untouched.
    """
    if _is_adf(value):
        return rich_text(value)
    if isinstance(value, list):
        items = [compact(v) for v in value]
        return [v for v in items if not _empty(v)]
    if not isinstance(value, dict):
        return value
    if _looks_like_user(value):
        return _user(value)
    out: JSON = {}
    for k, v in value.items():
        if k not in _DROP_KEYS:
            _put(out, k, compact(v))
    if "value" in out and set(out) <= {"value", "id", "disabled", "child"}:
        # A select/radio/cascading option: the value is what a model reads and what it sets.
        child = out.get("child")  # already compacted: a cascading option's child is its value string
        return f"{out['value']} / {child}" if isinstance(child, str | int | float) else out["value"]
    return out


def _looks_like_user(value: Mapping[str, Any]) -> bool:
    return "displayName" in value and any(k in value for k in ("accountId", "name", "key", "emailAddress"))


def _user(value: Any) -> JSON | None:
    """A person as display name plus the id the API needs to assign/mention them (accountId, or DC name/key)."""
    if not isinstance(value, dict):
        return None
    out: JSON = {}
    _put(out, "display_name", value.get("displayName") or value.get("publicName"))
    _put(out, "account_id", value.get("accountId"))
    name = value.get("name") or value.get("username")
    _put(out, "name", name)
    key = value.get("key") or value.get("userKey")
    if key != name:
        _put(out, "key", key)
    if value.get("active") is False:
        out["active"] = False
    return out or None


def _user_label(value: Any) -> str | None:
    user = _user(value)
    if not user:
        return None
    label = user.get("display_name") or user.get("name") or user.get("account_id")
    return str(label) if label is not None else None


def _id(value: Any) -> str | None:
    """Ids as strings (Jira/Confluence ids are strings in the APIs; a few bodies send numbers)."""
    return None if _empty(value) or isinstance(value, bool | dict | list) else str(value)


def _name(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("name") or value.get("value")
    return value


def _names(value: Any) -> list[Any]:
    if not isinstance(value, list):
        return []
    return [n for n in (_name(v) for v in value) if not _empty(n)]


def _strip_keys(value: Any) -> JSON:
    """Compact a dict and drop nothing else (for small known sub-objects like time tracking)."""
    result = compact(value) if isinstance(value, dict) else {}
    return result if isinstance(result, dict) else {}


def _dig(value: Any, *path: str) -> Any:
    for step in path:
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def _obj_at(data: Mapping[str, Any], key: str) -> JSON:
    """`data[key]` when it is an object, else {} (real sites send nulls where the spec promises objects)."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _list_at(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def _int_at(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _require_dict(data: Any, what: str) -> JSON:
    if not isinstance(data, dict):
        raise ValueError(f"{what}: expected a JSON object, got {type(data).__name__}")
    return data


# ------------------------------------------------------------------------------------------------ Jira

# System fields dropped on purpose: derived counters, UI state or data that is already elsewhere.
_JIRA_NOISE_FIELDS = frozenset(
    {
        "watches",  # watcher count / am-I-watching: UI state
        "votes",  # vote counter
        "progress",  # derived from time tracking
        "aggregateprogress",
        "workratio",
        "aggregatetimeestimate",  # aggregates over sub-tasks; the issue's own values are kept
        "aggregatetimeoriginalestimate",
        "aggregatetimespent",
        "lastViewed",  # per-user UI state
        "statuscategorychangedate",
        "issuerestriction",  # Cloud UI flag object
        "project",  # the issue key's prefix is the project key
        "thumbnail",
    }
)
_TIME_FIELDS = {
    "timeoriginalestimate": "originalEstimateSeconds",
    "timeestimate": "remainingEstimateSeconds",
    "timespent": "timeSpentSeconds",
}
_CUSTOM_PREFIX = "customfield_"


def _issue_ref(value: Any, with_type: bool = False) -> JSON:
    """A related issue (parent, sub-task, link target) as key, summary and status."""
    if not isinstance(value, dict):
        return {}
    fields = _obj_at(value, "fields")
    out: JSON = {}
    _put(out, "key", value.get("key"))
    _put(out, "summary", fields.get("summary") or value.get("summary"))
    _put(out, "status", _name(fields.get("status")))
    if with_type:
        _put(out, "issue_type", _name(fields.get("issuetype")))
    return out if "key" in out else {}


def _issue_link(link: Any) -> JSON:
    if not isinstance(link, dict):
        return {}
    link_type = _obj_at(link, "type")
    if "outwardIssue" in link:
        direction, other = "outward", link["outwardIssue"]
    elif "inwardIssue" in link:
        direction, other = "inward", link["inwardIssue"]
    else:
        return {}
    ref = _issue_ref(other)
    if not ref:
        return {}  # a link without a target key tells the model nothing it can act on
    out: JSON = {}
    _put(out, "relation", link_type.get(direction))
    out.update(ref)
    _put(out, "type", link_type.get("name"))
    out["direction"] = direction
    return out


def _epic(value: Any) -> JSON:
    """Jira Software's `epic` field (agile API) as key and summary."""
    if not isinstance(value, dict):
        return {}
    out: JSON = {}
    _put(out, "key", value.get("key"))
    _put(out, "summary", value.get("summary") or value.get("name"))
    return out if "key" in out else {}


def _attachment(value: Any) -> JSON:
    if not isinstance(value, dict):
        return {}
    out: JSON = {}
    _put(out, "id", _id(value.get("id")))
    for src, dst in (("filename", "filename"), ("mimeType", "mime_type"), ("size", "size")):
        _put(out, dst, value.get(src))
    _put(out, "created", value.get("created"))
    _put(out, "author", _user_label(value.get("author")))
    return out


def _project_comment(value: Any) -> JSON:
    """One Jira comment; `updated` only when it differs, the body as the site's rich text."""
    comment = _require_dict(value, "jira comment")
    comment_id = _id(comment.get("id"))
    if comment_id is None:
        raise ValueError("jira comment: no id")
    out: JSON = {"id": comment_id}
    _put(out, "author", _user(comment.get("author")))
    _put(out, "created", comment.get("created"))
    if comment.get("updated") != comment.get("created"):
        _put(out, "updated", comment.get("updated"))
        update_author = _user(comment.get("updateAuthor"))
        if update_author != out.get("author"):
            _put(out, "update_author", update_author)
    visibility = comment.get("visibility")
    if isinstance(visibility, dict) and visibility.get("value"):
        out["visibility"] = f"{visibility.get('type', 'group')}: {visibility['value']}"
    _put(out, "body", rich_text(comment.get("body")))
    return out


def _embedded_comment(value: Any) -> JSON:
    """A comment inside an issue: one malformed entry is skipped rather than failing the whole issue."""
    return _project_comment(value) if isinstance(value, dict) and _id(value.get("id")) else {}


def _worklog(value: Any) -> JSON:
    if not isinstance(value, dict):
        return {}
    out: JSON = {}
    _put(out, "id", _id(value.get("id")))
    _put(out, "author", _user_label(value.get("author")))
    _put(out, "started", value.get("started"))
    _put(out, "time_spent", value.get("timeSpent"))
    _put(out, "comment", rich_text(value.get("comment")))
    return out


def _paged_items(container: Any, list_key: str, item: Callable[[Any], JSON]) -> tuple[list[JSON], int | None]:
    """Items of an embedded page (comment, worklog) and its total, so partial lists are visible as such."""
    if not isinstance(container, dict):
        return [], None
    raw = container.get(list_key)
    items = [i for i in (item(v) for v in raw) if i] if isinstance(raw, list) else []
    total = container.get("total")
    return items, total if isinstance(total, int) and (total > 0 or items) else None


def _simple(value: Any) -> Any:
    return value


# Field id -> (output key, converter). Order here is the output order.
_JIRA_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "summary": ("summary", _simple),
    "status": ("status", _name),
    "issuetype": ("issue_type", _name),
    "priority": ("priority", _name),
    "assignee": ("assignee", _user),
    "reporter": ("reporter", _user),
    "creator": ("creator", _user),
    "created": ("created", _simple),
    "updated": ("updated", _simple),
    "duedate": ("due_date", _simple),
    "resolution": ("resolution", _name),
    "resolutiondate": ("resolved", _simple),
    "security": ("security_level", _name),
    "labels": ("labels", lambda v: [x for x in v if not _empty(x)] if isinstance(v, list) else v),
    "components": ("components", _names),
    "fixVersions": ("fix_versions", _names),
    "versions": ("affects_versions", _names),
    "parent": ("parent", lambda v: _issue_ref(v, with_type=True)),
    "epic": ("epic", _epic),
    "environment": ("environment", rich_text),
    "description": ("description", rich_text),
    "subtasks": ("subtasks", lambda v: [r for r in (_issue_ref(x) for x in v) if r] if isinstance(v, list) else []),
    "issuelinks": ("links", lambda v: [r for r in (_issue_link(x) for x in v) if r] if isinstance(v, list) else []),
    "attachment": (
        "attachments",
        lambda v: [a for a in (_attachment(x) for x in v) if a] if isinstance(v, list) else [],
    ),
    "timetracking": ("time_tracking", _strip_keys),
}


def _transitions(value: Any) -> list[JSON]:
    out: list[JSON] = []
    for t in value if isinstance(value, list) else []:
        if not isinstance(t, dict):
            continue
        item: JSON = {}
        _put(item, "id", _id(t.get("id")))
        _put(item, "name", t.get("name"))
        _put(item, "to", _name(t.get("to")))
        if t.get("isAvailable") is False:
            item["available"] = False
        if item:
            out.append(item)
    return out


def _changelog(value: Any) -> list[JSON]:
    histories = value.get("histories") if isinstance(value, dict) else None
    out: list[JSON] = []
    for h in histories if isinstance(histories, list) else []:
        if not isinstance(h, dict):
            continue
        changes = []
        for i in h.get("items") or []:
            if isinstance(i, dict):
                change: JSON = {}
                _put(change, "field", i.get("field"))
                _put(change, "from", i.get("fromString") if i.get("fromString") is not None else i.get("from"))
                _put(change, "to", i.get("toString") if i.get("toString") is not None else i.get("to"))
                changes.append(change)
        entry: JSON = {}
        _put(entry, "author", _user_label(h.get("author")))
        _put(entry, "created", h.get("created"))
        _put(entry, "changes", changes)
        if entry:
            out.append(entry)
    return out


def _project_fields(issue: JSON, names: Mapping[str, Any]) -> JSON:
    """All of an issue's fields, projected by name or compacted into the catch-alls."""
    fields = _obj_at(issue, "fields")
    out: JSON = {}
    for field_id, (out_key, convert) in _JIRA_FIELDS.items():
        if field_id in fields:
            _put(out, out_key, convert(fields[field_id]))
            if field_id == "status":
                _put(out, "status_category", _dig(fields, "status", "statusCategory", "name"))
    if out.get("creator") == out.get("reporter"):
        out.pop("creator", None)
    if "time_tracking" not in out:
        _put(
            out, "time_tracking", {dst: fields[src] for src, dst in _TIME_FIELDS.items() if fields.get(src) is not None}
        )

    comments, comment_total = _paged_items(fields.get("comment"), "comments", _embedded_comment)
    _put(out, "comments", comments)
    if comment_total is not None:
        out["comment_total"] = comment_total
    worklogs, worklog_total = _paged_items(fields.get("worklog"), "worklogs", _worklog)
    _put(out, "worklogs", worklogs)
    if worklog_total is not None and worklogs:
        out["worklog_total"] = worklog_total

    handled = set(_JIRA_FIELDS) | _JIRA_NOISE_FIELDS | set(_TIME_FIELDS) | {"comment", "worklog"}
    custom: JSON = {}
    other: JSON = {}
    for field_id, value in fields.items():
        if field_id in handled:
            continue
        target = custom if field_id.startswith(_CUSTOM_PREFIX) else other
        _put(target, field_id, compact(value))
    _put(out, "custom_fields", custom)
    _put(out, "other_fields", other)
    _put(out, "custom_field_names", {k: names[k] for k in custom if isinstance(names.get(k), str)})
    return out


def _issue_head(issue: dict[str, Any], ctx: ViewContext, what: str) -> JSON:
    """key, id and the browse URL (never the REST self link) that every issue result starts with."""
    key = issue.get("key")
    if not isinstance(key, str) or not key:
        raise ValueError(f"{what}: no key")
    out: JSON = {"key": key}
    _put(out, "id", _id(issue.get("id")))
    out["url"] = f"{ctx.site_url}/browse/{key}"
    return out


def _project_issue(data: Any, ctx: ViewContext) -> JSON:
    """One issue (Cloud v3 or DC v2, any expand) -> the fields a model reads and the ids it passes back."""
    issue = _require_dict(data, "jira issue")
    out = _issue_head(issue, ctx, "jira issue")
    # Top-level expansions: `names` labels custom fields, `transitions`/`changelog` are projected below;
    # `renderedFields` (HTML copies of fields), `schema`, `editmeta`, `operations` and
    # `versionedRepresentations` are dropped: they repeat the fields or describe the UI.
    names = _obj_at(issue, "names")
    out.update(_project_fields(issue, names))
    _put(out, "transitions", _transitions(issue.get("transitions")))
    _put(out, "changelog", _changelog(issue.get("changelog")))
    _put(out, "remote_links", [r for r in (_remote_link(x) for x in _list_at(issue, "remoteLinks")) if r])
    watchers = _obj_at(issue, "watchers")
    _put(out, "watchers", [u for u in (_user_label(w) for w in _list_at(watchers, "watchers")) if u])
    if ctx.arguments.get("use_display_names"):
        _by_display_name(out)
    return out


def _remote_link(value: Any) -> JSON:
    """A remote issue link (web page, Confluence page, ...) as title and URL."""
    target = _obj_at(value, "object") if isinstance(value, dict) else {}
    out: JSON = {}
    _put(out, "id", _id(value.get("id")) if isinstance(value, dict) else None)
    _put(out, "title", target.get("title"))
    _put(out, "url", target.get("url"))
    _put(out, "relationship", value.get("relationship") if isinstance(value, dict) else None)
    return out if "url" in out else {}


def _by_display_name(out: JSON) -> None:
    """use_display_names: custom fields keyed by their names (the id stays when two fields share a name)."""
    names = out.pop("custom_field_names", {})
    custom = out.get("custom_fields")
    if not isinstance(custom, dict):
        return
    labels = [names.get(k, k) for k in custom]
    out["custom_fields"] = {
        (label if labels.count(label) == 1 else f"{label} ({k})"): v
        for (k, v), label in zip(custom.items(), labels, strict=True)
    }


_LIST_OMIT = frozenset({"id", "url", "status_category", "custom_field_names"})


def _list_item(issue: Any) -> JSON:
    """A search hit: the projected issue minus per-issue ids/links, people as display names."""
    if not isinstance(issue, dict) or not issue.get("key"):
        return {}
    full = _project_fields(issue, {})
    out: JSON = {"key": issue["key"]}
    for k, v in full.items():
        if k in _LIST_OMIT:
            continue
        if k in ("assignee", "reporter", "creator") and isinstance(v, dict):
            _put(out, k, v.get("display_name") or v.get("name") or v.get("account_id"))
        else:
            out[k] = v
    return out


def _project_issue_list(data: Any, ctx: ViewContext) -> JSON:
    """Search results of Cloud `/search/jql` (token paging) or DC `/search` (offset paging) with honest paging."""
    page = _require_dict(data, "jira search")
    raw_issues = _list_at(page, "issues")
    issues = [i for i in (_list_item(x) for x in raw_issues) if i]
    out: JSON = {"issues": issues}
    names = _obj_at(page, "names")
    present = {k for i in issues for k in i.get("custom_fields", {})}
    _put(out, "custom_field_names", {k: names[k] for k in sorted(present) if isinstance(names.get(k), str)})
    if ctx.arguments.get("use_display_names"):
        for issue in issues:
            issue["custom_field_names"] = out.get("custom_field_names", {})
            _by_display_name(issue)
        out.pop("custom_field_names", None)

    token = page.get("nextPageToken")
    start, max_results, total = _int_at(page, "startAt"), _int_at(page, "maxResults"), _int_at(page, "total")
    for key, value in (("total", total), ("start_at", start), ("max_results", max_results)):
        if value is not None:
            out[key] = value
    if token:
        out["next_page_token"] = token
        is_last = False
    elif start is not None and total is not None:
        is_last = start + len(raw_issues) >= total or not raw_issues
        if not is_last:
            out["next_start_at"] = start + len(raw_issues)
    else:
        is_last = page.get("isLast") is not False
    out["is_last"] = is_last
    return out


def _project_issue_ref(data: Any, ctx: ViewContext) -> JSON:
    """A create response `{id, key, self}` -> key, id and the browse URL (not the REST self link)."""
    return _issue_head(_require_dict(data, "jira issue ref"), ctx, "jira issue ref")


def _project_issue_change(data: Any, ctx: ViewContext) -> JSON:
    """A handler's confirmation of a write that answered 204 (update, transition): key, url, what changed."""
    change = _require_dict(data, "jira issue change")
    if not isinstance(change.get("key"), str):
        raise ValueError("jira issue change: no key")
    out = {k: v for k, v in change.items() if v not in (None, "", [], {})}
    if isinstance(out.get("issue"), dict):  # return_fields: the issue read back, projected like jira_get_issue
        out["issue"] = _project_issue(out["issue"], ctx)
    return out


def _project_comment_view(data: Any, ctx: ViewContext) -> JSON:
    return _project_comment(data)


# ------------------------------------------------------------------------------------------- Confluence

_HIGHLIGHT = re.compile(r"@@@(?:end)?hl@@@")
_SPACE_PATH = re.compile(r"/space/([^/?#]+)")


def _confluence_url(link: Any, base: Any, ctx: ViewContext) -> str | None:
    """Absolute URL of a relative web link: the response's `_links.base`, else the site (+/wiki on Cloud)."""
    if not isinstance(link, str) or not link:
        return None
    path: str = link
    if path.startswith(("http://", "https://")):
        return path
    if not path.startswith("/"):
        path = "/" + path
    if isinstance(base, str) and base:
        return base.rstrip("/") + path
    root = ctx.site_url.rstrip("/")
    if ctx.deployment == "cloud" and not root.endswith("/wiki"):
        root += "/wiki"
    return root + path


def _space_key(content: Mapping[str, Any]) -> str | None:
    key = _dig(content, "space", "key")
    if isinstance(key, str) and key:
        return key
    for path in (_dig(content, "_expandable", "space"), _dig(content, "_expandable", "container")):
        match = _SPACE_PATH.search(path) if isinstance(path, str) else None
        if match:
            return match.group(1)
    return None


_BODY_FORMATS = ("storage", "atlas_doc_format", "wiki", "view", "export_view", "styled_view", "editor")


def _page_body(content: Mapping[str, Any]) -> tuple[Any, str | None]:
    body = content.get("body")
    if not isinstance(body, dict):
        return None, None
    for fmt in _BODY_FORMATS:
        value = _dig(body, fmt, "value")
        if isinstance(value, str) and value:
            return value, fmt
    return None, None


def _project_page(data: Any, ctx: ViewContext) -> JSON:
    """A page/blog post from Confluence Cloud v2 or v1/Data Center, in one shape."""
    page = _require_dict(data, "confluence page")
    page_id = _id(page.get("id"))
    if page_id is None:
        raise ValueError("confluence page: no id")
    version = _obj_at(page, "version")
    links = _obj_at(page, "_links")
    out: JSON = {"id": page_id}
    _put(out, "title", page.get("title"))
    if page.get("type") not in (None, "page"):
        out["type"] = page["type"]
    _put(out, "status", page.get("status"))
    space = _space_key(page)
    if space:
        out["space"] = space
    else:
        _put(out, "space_id", _id(page.get("spaceId")))
    ancestors = page.get("ancestors")
    parent = page.get("parentId")
    if parent is None and isinstance(ancestors, list) and ancestors and isinstance(ancestors[-1], dict):
        parent = ancestors[-1].get("id")
    _put(out, "parent_id", _id(parent))
    number = _int_at(version, "number")
    if number is not None:
        out["version"] = number
    _put(out, "version_message", version.get("message"))
    _put(out, "last_updated", version.get("createdAt") or version.get("when"))
    author = _user_label(version.get("by")) or version.get("authorId") or page.get("authorId")
    if not author:
        author = _user_label(_dig(page, "history", "createdBy"))
    _put(out, "author", author)
    labels = _dig(page, "metadata", "labels", "results") or _dig(page, "labels", "results")
    _put(out, "labels", _names(labels))
    _put(out, "url", _confluence_url(links.get("webui"), links.get("base"), ctx))
    body, body_format = _page_body(page)
    if body_format not in (None, "storage"):
        out["body_format"] = body_format
    _put(out, "body", storage_text(body) if ctx.arguments.get("convert_to_markdown", True) else body)
    return out


def _project_page_ref(data: Any, ctx: ViewContext) -> JSON:
    """A create/update response (v1 or v2) -> what a model needs to cite or edit the page next."""
    page = _project_page(data, ctx)
    return {k: page[k] for k in ("id", "title", "version", "url") if k in page}


def _strip_highlight(text: Any) -> Any:
    return _HIGHLIGHT.sub("", text).strip() if isinstance(text, str) else text


def _search_result(item: Any, base: Any, ctx: ViewContext) -> JSON:
    if not isinstance(item, dict):
        return {}
    is_search_hit = "content" in item or "entityType" in item or "resultGlobalContainer" in item
    content = _obj_at(item, "content") if is_search_hit else item
    out: JSON = {}
    _put(out, "id", _id(content.get("id")))
    _put(out, "type", content.get("type") or item.get("entityType"))
    _put(out, "title", _strip_highlight(content.get("title") or item.get("title")))
    space = _space_key(content) or _dig(item, "space", "key") or _dig(item, "resultGlobalContainer", "title")
    _put(out, "space", space)
    link = item.get("url") if is_search_hit and item.get("url") else _dig(content, "_links", "webui")
    _put(out, "url", _confluence_url(link, base, ctx))
    _put(out, "excerpt", _strip_highlight(item.get("excerpt")))
    modified = item.get("lastModified") or _dig(content, "version", "when") or _dig(content, "version", "createdAt")
    _put(out, "last_modified", modified)
    return out


def _project_search(data: Any, ctx: ViewContext) -> JSON:
    """CQL search (v1 `/search` hits or DC `/content/search` content) with offset/cursor paging made explicit."""
    page = _require_dict(data, "confluence search")
    links = _obj_at(page, "_links")
    raw = _list_at(page, "results")
    out: JSON = {"results": [r for r in (_search_result(x, links.get("base"), ctx) for x in raw) if r]}
    for src, dst in (("start", "start"), ("limit", "limit"), ("size", "size"), ("totalSize", "total")):
        value = _int_at(page, src)
        if value is not None:
            out[dst] = value
    next_link = links.get("next")
    if isinstance(next_link, str) and next_link:
        start = _int_at(page, "start") or 0
        size = _int_at(page, "size")
        size = len(raw) if size is None else size
        query = parse_qs(urlsplit(next_link).query)
        out["next_start"] = (
            int(query["start"][0]) if re.fullmatch(r"[0-9]+", query.get("start", [""])[0]) else start + size
        )
        if query.get("cursor"):
            out["next_cursor"] = query["cursor"][0]
    return out


# ----------------------------------------------------------------------------------------------- render


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _rich_text_text(value: Any) -> str:
    """Strings as-is; structured rich text (ADF) as compact JSON until the Markdown converter exists."""
    return value if isinstance(value, str) else _json_text(value)


def _user_text(user: Mapping[str, Any]) -> str:
    """`Display Name [account_id: …]`: the id stays visible because assigning or mentioning needs it."""
    ids = [f"{k}: {user[k]}" for k in ("account_id", "name", "key") if k in user]
    if user.get("active") is False:
        ids.append("inactive")
    label = str(user.get("display_name") or user.get("name") or user.get("account_id") or "")
    return f"{label} [{', '.join(ids)}]" if ids else label


def _inline(value: Any) -> str:
    """One value on one line: users and issue refs readable, other structures as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(_inline(v) for v in value)
    if isinstance(value, dict):
        if "display_name" in value or "account_id" in value:
            return _user_text(value)
        if "key" in value and set(value) <= {"key", "summary", "status", "issue_type", "relation", "type", "direction"}:
            text = str(value["key"])
            if "summary" in value:
                text += f" · {value['summary']}"
            if "status" in value:
                text += f" [{value['status']}]"
            if "issue_type" in value:
                text += f" ({value['issue_type']})"
            if "direction" in value:
                text = f"{value.get('relation') or value.get('type', '') + ' ' + value['direction']} {text}".strip()
            return text
        if value and all(isinstance(v, str | int | float) for v in value.values()):
            return ", ".join(f"{k}: {_inline(v)}" for k, v in value.items())
    return _json_text(value)


def _field_lines(obj: Mapping[str, Any], skip: Iterable[str]) -> list[str]:
    """`key: value` lines for what is set; lists of objects one item per line."""
    skipped = set(skip)
    lines = []
    for key, value in obj.items():
        if key in skipped:
            continue
        if isinstance(value, list) and any(isinstance(v, dict) for v in value):
            lines.append(f"{key}:")
            lines.extend(f"- {_inline(v)}" for v in value)
        elif isinstance(value, str) and "\n" in value:
            lines.extend((f"{key}:", value))
        else:
            lines.append(f"{key}: {_inline(value)}")
    return lines


def _custom_field_lines(obj: Mapping[str, Any], names: Mapping[str, Any]) -> list[str]:
    lines = []
    for title, key in (("custom fields", "custom_fields"), ("other fields", "other_fields")):
        values = obj.get(key)
        if isinstance(values, dict) and values:
            lines.append(f"{title}:")
            for field_id, value in values.items():
                label = f"{field_id} ({names[field_id]})" if field_id in names else field_id
                lines.append(f"- {label}: {_inline(value)}")
    return lines


def _comment_lines(comment: Mapping[str, Any]) -> list[str]:
    head = f"[{comment['id']}]"
    if "author" in comment:
        head += f" {_inline(comment['author'])}"
    if "created" in comment:
        head += f" · {comment['created']}"
    if "updated" in comment:
        head += f" (edited {comment['updated']})"
    if "visibility" in comment:
        head += f" · visible to {comment['visibility']}"
    lines = [head]
    if "body" in comment:
        lines.append(_rich_text_text(comment["body"]))
    return lines


_ISSUE_SECTIONS = (
    "key",
    "summary",
    "custom_fields",
    "other_fields",
    "custom_field_names",
    "description",
    "environment",
    "comments",
    "comment_total",
    "worklogs",
    "worklog_total",
    "changelog",
)


def _render_issue(view: dict[str, Any]) -> str:
    lines = [f"{view['key']} · {view.get('summary', '')}".rstrip(" ·")]
    lines += _field_lines(view, _ISSUE_SECTIONS)
    lines += _custom_field_lines(view, view.get("custom_field_names", {}))
    for key in ("environment", "description"):
        if key in view:
            lines += [f"{key}:", _rich_text_text(view[key])]
    if "worklogs" in view:
        lines.append(f"worklogs ({len(view['worklogs'])} of {view.get('worklog_total', len(view['worklogs']))}):")
        lines.extend(f"- {_inline(w)}" for w in view["worklogs"])
    if "changelog" in view:
        lines.append("changelog:")
        for entry in view["changelog"]:
            changes = "; ".join(
                f"{c.get('field', '?')}: {_inline(c.get('from', ''))} → {_inline(c.get('to', ''))}"
                for c in entry.get("changes", [])
            )
            who = " ".join(str(entry[k]) for k in ("created", "author") if k in entry)
            lines.append(f"- {who}: {changes}")
    if "comments" in view or "comment_total" in view:
        comments = view.get("comments", [])
        lines.append(f"comments ({len(comments)} of {view.get('comment_total', len(comments))}):")
        for comment in comments:
            lines += _comment_lines(comment)
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _render_issue_list(view: dict[str, Any]) -> str:
    issues = view["issues"]
    head = _count(len(issues), "issue")
    if "total" in view:
        head += f" of {view['total']}"
    if "start_at" in view:
        head += f" from {view['start_at']}"
    if "next_page_token" in view:
        head += f" · more: next_page_token={view['next_page_token']}"
    elif "next_start_at" in view:
        head += f" · more: start_at={view['next_start_at']}"
    else:
        head += " · last page"
    lines = [head]
    names = view.get("custom_field_names", {})
    core = ("status", "issue_type", "priority", "assignee", "updated")
    for issue in issues:
        parts = [f"{issue['key']} · {issue.get('summary', '')}".rstrip(" ·")]
        parts += [f"{k}: {_inline(issue[k])}" for k in core if k in issue]
        lines.append(" · ".join(parts))
        extra = [
            f"  {line}" for line in _field_lines(issue, ("key", "summary", *core, "custom_fields", "other_fields"))
        ]
        extra += [f"  {line}" for line in _custom_field_lines(issue, names)]
        lines += extra
    return "\n".join(lines)


def _render_issue_ref(view: dict[str, Any]) -> str:
    return " · ".join(str(view[k]) for k in ("key", "id", "url") if k in view)


def _render_issue_change(view: dict[str, Any]) -> str:
    lines = [f"{view['key']} · {view['url']}"]
    if view.get("transition_id"):
        lines.append(f"transitioned: {view['transition_id']}")
    if view.get("updated"):
        lines.append("updated: " + ", ".join(view["updated"]))
    if view.get("attached"):
        lines.append("attached: " + ", ".join(view["attached"]))
    if view.get("issue"):
        lines.append(_render_issue(view["issue"]))
    return "\n".join(lines)


def _render_comment(view: dict[str, Any]) -> str:
    return "\n".join(_comment_lines(view))


def _render_page(view: dict[str, Any]) -> str:
    lines = [f"{view['id']} · {view.get('title', '')}".rstrip(" ·")]
    lines += _field_lines(view, ("id", "title", "body"))
    if "body" in view:
        lines += ["body:", _rich_text_text(view["body"])]
    return "\n".join(lines)


def _render_page_ref(view: dict[str, Any]) -> str:
    parts = [str(view["id"]), str(view.get("title", ""))]
    if "version" in view:
        parts.append(f"v{view['version']}")
    if "url" in view:
        parts.append(str(view["url"]))
    return " · ".join(p for p in parts if p)


def _render_search(view: dict[str, Any]) -> str:
    results = view["results"]
    head = _count(len(results), "result")
    if "total" in view:
        head += f" of {view['total']}"
    if "start" in view:
        head += f" from {view['start']}"
    if "next_start" in view or "next_cursor" in view:
        more = [f"{k}={view[k]}" for k in ("next_start", "next_cursor") if k in view]
        head += f" · more: {', '.join(more)}"
    else:
        head += " · last page"
    lines = [head]
    for r in results:
        meta = ", ".join(str(r[k]) for k in ("type", "space", "last_modified") if k in r)
        lines.append(" · ".join(str(p) for p in (r.get("id"), r.get("title"), meta, r.get("url")) if p))
        if "excerpt" in r:
            lines.append(f"  {' '.join(str(r['excerpt']).split())}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------- schemas

_SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"
_S: JSON = {"type": "string"}
_I: JSON = {"type": "integer", "minimum": 0}
_B: JSON = {"type": "boolean"}
_STRS: JSON = {"type": "array", "items": _S}
_RICH: JSON = {"type": ["string", "object"], "description": "rich text as the site sent it (ADF, wiki, storage)"}
_ANY_MAP: JSON = {"type": "object"}


def _obj(props: JSON, required: Iterable[str] = ()) -> JSON:
    """An object schema; other keys stay allowed (JSON Schema's default), so a view may add fields."""
    schema: JSON = {"type": "object", "properties": props}
    names = list(required)
    if names:
        schema["required"] = names
    return schema


def _arr(items: JSON) -> JSON:
    return {"type": "array", "items": items}


def _root(schema: JSON) -> JSON:
    return {"$schema": _SCHEMA_URI, **schema}


_USER_SCHEMA = _obj({"display_name": _S, "account_id": _S, "name": _S, "key": _S, "active": _B})
_REF_SCHEMA = _obj({"key": _S, "summary": _S, "status": _S, "issue_type": _S}, ["key"])
_LINK_SCHEMA = _obj(
    {"relation": _S, "key": _S, "summary": _S, "status": _S, "type": _S, "direction": {"enum": ["inward", "outward"]}},
    ["key", "direction"],
)
_COMMENT_SCHEMA = _obj(
    {
        "id": _S,
        "author": _USER_SCHEMA,
        "created": _S,
        "updated": _S,
        "update_author": _USER_SCHEMA,
        "visibility": _S,
        "body": _RICH,
    },
    ["id"],
)
_ISSUE_FIELD_PROPS: JSON = {
    "summary": _S,
    "status": _S,
    "status_category": _S,
    "issue_type": _S,
    "priority": _S,
    "assignee": _USER_SCHEMA,
    "reporter": _USER_SCHEMA,
    "creator": _USER_SCHEMA,
    "created": _S,
    "updated": _S,
    "due_date": _S,
    "resolution": _S,
    "resolved": _S,
    "security_level": _S,
    "labels": _STRS,
    "components": _STRS,
    "fix_versions": _STRS,
    "affects_versions": _STRS,
    "parent": _REF_SCHEMA,
    "epic": _obj({"key": _S, "summary": _S}, ["key"]),
    "environment": _RICH,
    "description": _RICH,
    "subtasks": _arr(_REF_SCHEMA),
    "links": _arr(_LINK_SCHEMA),
    "attachments": _arr(_obj({"id": _S, "filename": _S, "mime_type": _S, "size": _I, "created": _S, "author": _S})),
    "time_tracking": _ANY_MAP,
    "comments": _arr(_COMMENT_SCHEMA),
    "comment_total": _I,
    "worklogs": _arr(_obj({"id": _S, "author": _S, "started": _S, "time_spent": _S, "comment": _RICH})),
    "worklog_total": _I,
    "custom_fields": _ANY_MAP,
    "other_fields": _ANY_MAP,
    "custom_field_names": {"type": "object", "additionalProperties": _S},
}
_ISSUE_SCHEMA = _root(
    _obj(
        {
            "key": _S,
            "id": _S,
            "url": {"type": "string", "format": "uri"},
            **_ISSUE_FIELD_PROPS,
            "transitions": _arr(_obj({"id": _S, "name": _S, "to": _S, "available": _B})),
            "changelog": _arr(_obj({"author": _S, "created": _S, "changes": _arr(_ANY_MAP)})),
            "remote_links": _arr(_obj({"id": _S, "title": _S, "url": _S, "relationship": _S})),
            "watchers": _STRS,
        },
        ["key", "url"],
    )
)
_LIST_ITEM_PROPS: JSON = {
    **_ISSUE_FIELD_PROPS,
    "key": _S,
    "assignee": _S,
    "reporter": _S,
    "creator": _S,
}
_ISSUE_LIST_SCHEMA = _root(
    _obj(
        {
            "issues": _arr(_obj(_LIST_ITEM_PROPS, ["key"])),
            "custom_field_names": {"type": "object", "additionalProperties": _S},
            "total": _I,
            "start_at": _I,
            "max_results": _I,
            "next_page_token": _S,
            "next_start_at": _I,
            "is_last": _B,
        },
        ["issues", "is_last"],
    )
)
_ISSUE_REF_SCHEMA = _root(_obj({"key": _S, "id": _S, "url": _S}, ["key", "url"]))
_ISSUE_CHANGE_SCHEMA = _root(
    _obj(
        {"key": _S, "url": _S, "transition_id": _S, "updated": _STRS, "attached": _STRS, "issue": _ANY_MAP},
        ["key", "url"],
    )
)
_PAGE_PROPS: JSON = {
    "id": _S,
    "title": _S,
    "type": _S,
    "status": _S,
    "space": _S,
    "space_id": _S,
    "parent_id": _S,
    "version": _I,
    "version_message": _S,
    "last_updated": _S,
    "author": _S,
    "labels": _STRS,
    "url": _S,
    "body_format": _S,
    "body": _RICH,
}
_PAGE_SCHEMA = _root(_obj(_PAGE_PROPS, ["id"]))
_PAGE_REF_SCHEMA = _root(_obj({k: _PAGE_PROPS[k] for k in ("id", "title", "version", "url")}, ["id"]))
_SEARCH_SCHEMA = _root(
    _obj(
        {
            "results": _arr(
                _obj(
                    {
                        "id": _S,
                        "type": _S,
                        "title": _S,
                        "space": _S,
                        "url": _S,
                        "excerpt": _S,
                        "last_modified": _S,
                    }
                )
            ),
            "start": _I,
            "limit": _I,
            "size": _I,
            "total": _I,
            "next_start": _I,
            "next_cursor": _S,
        },
        ["results"],
    )
)

# ------------------------------------------------------------------------------------------------ registry

VIEWS: dict[str, View] = {}


def register(*views: View) -> None:
    """Add views to the registry (each module in this package calls it for its own)."""
    for view in views:
        if view.name in VIEWS:
            raise ValueError(f"view {view.name!r} registered twice")
        VIEWS[view.name] = view


register(
    View("jira_issue", _project_issue, _render_issue, _ISSUE_SCHEMA),
    View("jira_issue_list", _project_issue_list, _render_issue_list, _ISSUE_LIST_SCHEMA),
    View("jira_issue_ref", _project_issue_ref, _render_issue_ref, _ISSUE_REF_SCHEMA),
    View("jira_issue_change", _project_issue_change, _render_issue_change, _ISSUE_CHANGE_SCHEMA),
    View("jira_comment", _project_comment_view, _render_comment, _root(_COMMENT_SCHEMA)),
    View("confluence_page", _project_page, _render_page, _PAGE_SCHEMA),
    View("confluence_page_ref", _project_page_ref, _render_page_ref, _PAGE_REF_SCHEMA),
    View("confluence_search", _project_search, _render_search, _SEARCH_SCHEMA),
)


def get_view(name: str) -> View:
    """Look a view up by name; an unknown name lists the known ones (a manifest typo should be obvious)."""
    try:
        return VIEWS[name]
    except KeyError:
        raise KeyError(f"unknown view {name!r}; known views: {', '.join(sorted(VIEWS))}") from None


def _load_view_modules() -> None:
    """Import every module of this package: each registers its views (one module per tool area)."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_load_view_modules()
