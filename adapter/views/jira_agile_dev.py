"""Views of boards, sprints, moved issues and the project-analysis results (epic hierarchy, cross-project links)."""

from __future__ import annotations

import json
from typing import Any

from . import (
    _B,
    _I,
    _S,
    _STRS,
    JSON,
    View,
    ViewContext,
    _arr,
    _count,
    _id,
    _inline,
    _int_at,
    _issue_link,
    _issue_ref,
    _list_at,
    _obj,
    _obj_at,
    _put,
    _require_dict,
    _root,
    register,
)

_PAGING = {"start_at": _I, "total": _I, "next_start_at": _I, "is_last": _B}


def _agile_paging(page: JSON, shown: int, out: JSON) -> JSON:
    """Agile pages (`startAt`, `maxResults`, `isLast`, `total` on some): the start index of the next page."""
    start, total = _int_at(page, "startAt") or 0, _int_at(page, "total")
    out["start_at"] = start
    if total is not None:
        out["total"] = total
    last = page.get("isLast")
    is_last = last if isinstance(last, bool) else (total is None or start + shown >= total)
    if not is_last and shown:
        out["next_start_at"] = start + shown
    out["is_last"] = is_last or not shown
    return out


def _paging_text(view: JSON, noun: str, items: int) -> str:
    head = _count(items, noun)
    if "total" in view:
        head += f" of {view['total']}"
    if view.get("start_at"):
        head += f" from {view['start_at']}"
    more = view.get("next_start_at")
    return head + (f" · more: start_at={more}" if more is not None else " · last page")


# --- boards ---------------------------------------------------------------------------------------------------


def _board(value: Any) -> JSON:
    if not isinstance(value, dict) or _id(value.get("id")) is None:
        return {}
    out: JSON = {"id": _id(value["id"])}
    _put(out, "name", value.get("name"))
    _put(out, "type", value.get("type"))
    _put(out, "project", _obj_at(value, "location").get("projectKey"))
    return out


def _project_boards(data: Any, ctx: ViewContext) -> JSON:
    page = _require_dict(data, "jira boards")
    boards = [b for b in (_board(v) for v in _list_at(page, "values")) if b]
    return _agile_paging(page, len(boards), {"boards": boards})


def _render_boards(view: JSON) -> str:
    lines = [_paging_text(view, "board", len(view["boards"]))]
    for board in view["boards"]:
        lines.append(" · ".join(str(board[k]) for k in ("id", "name", "type", "project") if k in board))
    return "\n".join(lines)


# --- sprints --------------------------------------------------------------------------------------------------

_SPRINT_FIELDS = (
    ("name", "name"),
    ("state", "state"),
    ("goal", "goal"),
    ("startDate", "start"),
    ("endDate", "end"),
    ("completeDate", "completed"),
)


def _sprint(value: Any) -> JSON:
    if not isinstance(value, dict) or _id(value.get("id")) is None:
        return {}
    out: JSON = {"id": _id(value["id"])}
    for src, dst in _SPRINT_FIELDS:
        _put(out, dst, value.get(src))
    _put(out, "board_id", _id(value.get("originBoardId")))
    return out


def _project_sprint(data: Any, ctx: ViewContext) -> JSON:
    sprint = _sprint(_require_dict(data, "jira sprint"))
    if not sprint:
        raise ValueError("jira sprint: no id")
    return sprint


def _project_sprints(data: Any, ctx: ViewContext) -> JSON:
    page = _require_dict(data, "jira sprints")
    sprints = [s for s in (_sprint(v) for v in _list_at(page, "values")) if s]
    return _agile_paging(page, len(sprints), {"sprints": sprints})


def _sprint_line(sprint: JSON) -> str:
    head = " · ".join(str(sprint[k]) for k in ("id", "name", "state") if k in sprint)
    dates = " → ".join(str(sprint[k]) for k in ("start", "end") if k in sprint)
    parts = [head] + ([dates] if dates else []) + [f"{k}: {sprint[k]}" for k in ("completed", "goal") if k in sprint]
    return " · ".join(parts)


def _render_sprints(view: JSON) -> str:
    return "\n".join([_paging_text(view, "sprint", len(view["sprints"]))] + [_sprint_line(s) for s in view["sprints"]])


def _render_sprint(view: JSON) -> str:
    return _sprint_line(view) + (f" · board {view['board_id']}" if "board_id" in view else "")


# --- moved issues (the write answers 204: the handler says what it sent) --------------------------------------


def _project_moved(data: Any, ctx: ViewContext) -> JSON:
    moved = _require_dict(data, "moved issues")
    keys = [str(k) for k in _list_at(moved, "issues")]
    return {
        "moved_to": str(moved.get("moved_to", "")),
        "issues": keys,
        "urls": [f"{ctx.site_url}/browse/{k}" for k in keys],
    }


def _render_moved(view: JSON) -> str:
    return f"moved to {view['moved_to']}: {', '.join(view['issues'])}"


# --- epic hierarchy -------------------------------------------------------------------------------------------


def _hit(issue: Any) -> JSON:
    ref = _issue_ref(issue, with_type=True)
    parent = _issue_ref(_obj_at(_obj_at(issue, "fields"), "parent"), with_type=True) if ref else {}
    _put(ref, "parent", parent)
    return ref


def _project_epic_hierarchy(data: Any, ctx: ViewContext) -> JSON:
    found = _require_dict(data, "epic hierarchy")
    project = str(found.get("project", ""))
    epics = [e for e in (_hit(i) for i in _list_at(found, "epics")) if e]
    for epic in epics:
        epic.pop("issue_type", None)
        epic["children"] = []
    by_key = {e["key"]: e for e in epics}
    for child in (_hit(i) for i in _list_at(found, "children")):
        parent = child.pop("parent", {}).get("key")
        if parent in by_key:
            by_key[parent]["children"].append(child)
    notes = []
    if found.get("epics_more"):
        notes.append(f"more epics exist: raise max_epics or search 'project = {project} AND issuetype = Epic'")
    if found.get("children_more"):
        listed = sum(len(e["children"]) for e in epics)
        notes.append(f"only the first {listed} children (by key) are listed; search 'parent = <epic>' for the rest")
    out: JSON = {"project": project, "epics": epics}
    _put(out, "notes", notes)
    return out


def _render_epic_hierarchy(view: JSON) -> str:
    lines = [f"{view['project']}: {_count(len(view['epics']), 'epic')}"]
    groups: dict[str, list[JSON]] = {}
    for epic in view["epics"]:
        groups.setdefault(_inline(epic["parent"]) if "parent" in epic else "", []).append(epic)
    for parent, epics in groups.items():
        indent = "  " if parent else ""
        if parent:
            lines.append(f"parent {parent}")
        for epic in epics:
            line = {k: v for k, v in epic.items() if k in ("key", "summary", "status")}
            n = len(epic["children"])
            lines.append(f"{indent}{_inline(line)} · {n} {'child' if n == 1 else 'children'}")
            lines.extend(f"{indent}- {_inline(child)}" for child in epic["children"])
    lines.extend(f"note: {n}" for n in view.get("notes", []))
    return "\n".join(lines)


# --- cross-project dependencies -------------------------------------------------------------------------------


def _project_dependencies(data: Any, ctx: ViewContext) -> JSON:
    found = _require_dict(data, "cross-project dependencies")
    project = str(found.get("project", ""))
    dependencies = []
    for issue in _list_at(found, "issues"):
        source = _issue_ref(issue)
        if not source:
            continue
        for link in _list_at(_obj_at(issue, "fields"), "issuelinks"):
            target = _issue_link(link)
            other = str(target.get("key", "")).rsplit("-", 1)[0]
            if target and other != project:
                dependencies.append({"from": source["key"], "project": other, **target})
    by_project: dict[str, int] = {}
    for dep in dependencies:
        by_project[dep["project"]] = by_project.get(dep["project"], 0) + 1
    out: JSON = {"project": project, "dependencies": dependencies, "scanned": _int_at(found, "scanned") or 0}
    _put(out, "by_project", by_project)
    if found.get("more"):
        out["notes"] = [f"only the first {out['scanned']} issues of {project} (by key) were scanned; raise max_issues"]
    return out


def _render_dependencies(view: JSON) -> str:
    deps = view["dependencies"]
    lines = [f"{view['project']}: {_count(len(deps), 'cross-project link')} in {_count(view['scanned'], 'issue')}"]
    for dep in deps:
        target = {k: v for k, v in dep.items() if k not in ("from", "project")}
        lines.append(f"{dep['from']} {_inline(target)}")
    lines.extend(f"note: {n}" for n in view.get("notes", []))
    return "\n".join(lines)


# --- development information (dev-status) ---------------------------------------------------------------------

_DEV_COUNTS = {
    "pullrequest": "pull_requests",
    "branch": "branches",
    "repository": "repositories",
    "build": "builds",
    "review": "reviews",
    "deployment-environment": "deployments",
}


def _named(value: Any) -> Any:
    return value.get("name") if isinstance(value, dict) else None


def _pull_request(pr: Any, tool: Any) -> JSON:
    if not isinstance(pr, dict):
        return {}
    out: JSON = {}
    for src, dst in (("id", "id"), ("name", "title"), ("status", "status"), ("url", "url")):
        _put(out, dst, pr.get(src))
    _put(out, "source", _obj_at(pr, "source").get("branch"))
    _put(out, "destination", _obj_at(pr, "destination").get("branch"))
    _put(out, "author", _named(pr.get("author")))
    _put(out, "repository", pr.get("repositoryName"))
    _put(out, "updated", pr.get("lastUpdate"))
    reviewers = [r for r in _list_at(pr, "reviewers") if isinstance(r, dict) and r.get("name")]
    _put(out, "reviewers", [r["name"] + (" (approved)" if r.get("approved") else "") for r in reviewers])
    _put(out, "tool", tool)
    return out


def _branch(branch: Any, tool: Any) -> JSON:
    if not isinstance(branch, dict):
        return {}
    out: JSON = {}
    _put(out, "name", branch.get("name"))
    _put(out, "url", branch.get("url"))
    _put(out, "repository", _named(branch.get("repository")))
    _put(out, "tool", tool)
    return out


def _commits(repository: Any, tool: Any) -> list[JSON]:
    out = []
    for commit in _list_at(repository, "commits") if isinstance(repository, dict) else []:
        if not isinstance(commit, dict):
            continue
        item: JSON = {}
        _put(item, "id", commit.get("displayId") or commit.get("id"))
        _put(item, "message", commit.get("message"))
        _put(item, "author", _named(commit.get("author")))
        _put(item, "date", commit.get("authorTimestamp"))
        _put(item, "url", commit.get("url"))
        _put(item, "repository", repository.get("name"))
        _put(item, "tool", tool)
        out.append(item)
    return out


def _development(found: JSON, ctx: ViewContext) -> JSON:
    """One issue's dev-status summary and details: counts, then pull requests, branches and commits (deduplicated:
    two detail calls of one tool both list the branches)."""
    key = str(found.get("issue_key", ""))
    out: JSON = {"issue_key": key, "url": f"{ctx.site_url}/browse/{key}"}
    if found.get("error"):
        out["error"] = str(found["error"])
        return out
    summary = _obj_at(found, "summary")
    counts = {name: _int_at(_obj_at(_obj_at(summary, kind), "overall"), "count") for kind, name in _DEV_COUNTS.items()}
    _put(out, "counts", {k: v for k, v in counts.items() if v})
    lists: dict[str, list[JSON]] = {"pull_requests": [], "branches": [], "commits": []}
    for entry in _list_at(found, "detail"):
        tool = _named(_obj_at(entry, "_instance")) if isinstance(entry, dict) else None
        lists["pull_requests"] += [_pull_request(pr, tool) for pr in _list_at(entry, "pullRequests")]
        lists["branches"] += [_branch(b, tool) for b in _list_at(entry, "branches")]
        for repository in _list_at(entry, "repositories"):
            lists["commits"] += _commits(repository, tool)
    for name, items in lists.items():
        unique = {json.dumps(i, sort_keys=True): i for i in items if i}
        _put(out, name, list(unique.values()))
    return out


def _project_development(data: Any, ctx: ViewContext) -> JSON:
    return _development(_require_dict(data, "development info"), ctx)


def _project_developments(data: Any, ctx: ViewContext) -> JSON:
    found = _require_dict(data, "development info")
    return {"issues": [_development(i, ctx) for i in _list_at(found, "issues") if isinstance(i, dict)]}


def _render_development(view: JSON) -> str:
    if "error" in view:
        return f"{view['issue_key']}: {view['error']}"
    counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in view.get("counts", {}).items())
    lines = [f"{view['issue_key']}: {counts or 'no development information'}"]
    for pr in view.get("pull_requests", []):
        branches = " → ".join(str(pr[k]) for k in ("source", "destination") if k in pr)
        lines.append(
            f"- PR {pr.get('id', '')} {pr.get('title', '')} [{pr.get('status', '')}] {branches} {pr.get('url', '')}"
        )
    lines += [
        f"- branch {b.get('name', '')} ({b.get('repository', '')}) {b.get('url', '')}" for b in view.get("branches", [])
    ]
    lines += [
        f"- commit {c.get('id', '')} {c.get('message', '')} · {c.get('author', '')}" for c in view.get("commits", [])
    ]
    return "\n".join(line.rstrip() for line in lines)


def _render_developments(view: JSON) -> str:
    return "\n".join(_render_development(issue) for issue in view["issues"])


# --- schemas --------------------------------------------------------------------------------------------------

_SPRINT_SCHEMA = _obj(
    {"id": _S, "name": _S, "state": _S, "goal": _S, "start": _S, "end": _S, "completed": _S, "board_id": _S}, ["id"]
)
_REF = _obj({"key": _S, "summary": _S, "status": _S, "issue_type": _S}, ["key"])

_DEV_SCHEMA = _obj(
    {
        "issue_key": _S,
        "url": _S,
        "error": _S,
        "counts": {"type": "object", "additionalProperties": _I},
        "pull_requests": _arr(
            _obj(
                {
                    k: _S
                    for k in (
                        "id",
                        "title",
                        "status",
                        "url",
                        "source",
                        "destination",
                        "author",
                        "repository",
                        "updated",
                        "tool",
                    )
                }
                | {"reviewers": _STRS}
            )
        ),
        "branches": _arr(_obj({k: _S for k in ("name", "url", "repository", "tool")})),
        "commits": _arr(_obj({k: _S for k in ("id", "message", "author", "date", "url", "repository", "tool")})),
    },
    ["issue_key"],
)

register(
    View(
        "jira_agile_boards",
        _project_boards,
        _render_boards,
        _root(
            _obj(
                {"boards": _arr(_obj({"id": _S, "name": _S, "type": _S, "project": _S}, ["id"])), **_PAGING},
                ["boards", "is_last"],
            )
        ),
    ),
    View(
        "jira_sprint_list",
        _project_sprints,
        _render_sprints,
        _root(_obj({"sprints": _arr(_SPRINT_SCHEMA), **_PAGING}, ["sprints", "is_last"])),
    ),
    View("jira_sprint", _project_sprint, _render_sprint, _root(_SPRINT_SCHEMA)),
    View(
        "jira_issues_moved",
        _project_moved,
        _render_moved,
        _root(_obj({"moved_to": _S, "issues": _STRS, "urls": _STRS}, ["moved_to", "issues"])),
    ),
    View(
        "jira_epic_hierarchy",
        _project_epic_hierarchy,
        _render_epic_hierarchy,
        _root(
            _obj(
                {
                    "project": _S,
                    "epics": _arr(
                        _obj({"key": _S, "summary": _S, "status": _S, "parent": _REF, "children": _arr(_REF)}, ["key"])
                    ),
                    "notes": _STRS,
                },
                ["project", "epics"],
            )
        ),
    ),
    View(
        "jira_cross_project_dependencies",
        _project_dependencies,
        _render_dependencies,
        _root(
            _obj(
                {
                    "project": _S,
                    "dependencies": _arr(
                        _obj(
                            {
                                "from": _S,
                                "project": _S,
                                "relation": _S,
                                "key": _S,
                                "summary": _S,
                                "status": _S,
                                "type": _S,
                                "direction": _S,
                            },
                            ["from", "key"],
                        )
                    ),
                    "scanned": _I,
                    "by_project": {"type": "object", "additionalProperties": _I},
                    "notes": _STRS,
                },
                ["project", "dependencies", "scanned"],
            )
        ),
    ),
    View("jira_development_info", _project_development, _render_development, _root(_DEV_SCHEMA)),
    View(
        "jira_development_infos",
        _project_developments,
        _render_developments,
        _root(_obj({"issues": _arr(_DEV_SCHEMA)}, ["issues"])),
    ),
)
