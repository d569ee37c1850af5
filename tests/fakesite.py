"""A small stateful stand-in for Jira and Confluence (Cloud and Data Center routes), as an ASGI app.

Enough for end-to-end tests of the ten first tools: issues can be read, created, updated, transitioned,
commented and searched; pages read, created (by space key) and updated with version checks. It records
every request so tests can assert what went over the wire. (The full sandbox is its own issue.)
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TOKEN = "s3cret-token"


def adf(text: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


@dataclass
class Site:
    issues: dict[str, dict[str, Any]] = field(default_factory=dict)
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str], bytes, str]] = field(default_factory=list)
    next_issue: int = 2
    next_page: int = 200

    def __post_init__(self) -> None:
        self.issues["PROJ-1"] = {
            "id": "10001",
            "key": "PROJ-1",
            "self": "https://site/rest/api/3/issue/10001",
            "fields": {
                "summary": "First issue",
                "status": {"name": "To Do", "statusCategory": {"name": "To Do"}},
                "issuetype": {"name": "Task"},
                "assignee": {"displayName": "Alice", "accountId": "acc-1", "avatarUrls": {"48x48": "x"}},
                "description": "Plain description",
                "comment": {"comments": [{"id": "1", "body": "first"}, {"id": "2", "body": "second"}], "total": 2},
                "labels": ["x"],
                "customfield_10011": "Epic name",
            },
        }
        self.pages["100"] = {
            "id": "100",
            "title": "Home",
            "status": "current",
            "spaceId": "7",
            "space": {"key": "DEV", "name": "Dev"},
            "version": {"number": 3},
            "body": {"storage": {"value": "<p>Hello</p>", "representation": "storage"}},
            "_links": {"webui": "/spaces/DEV/pages/100/Home"},
        }

    # --- Jira -------------------------------------------------------------------------------------------

    def issue(self, key: str) -> dict[str, Any] | None:
        return self.issues.get(key.upper())

    def create_issue(self, fields: dict[str, Any]) -> dict[str, Any]:
        key = f"{fields['project']['key']}-{self.next_issue}"
        self.next_issue += 1
        self.issues[key] = {
            "id": str(10000 + self.next_issue),
            "key": key,
            "fields": {**fields, "status": {"name": "To Do"}},
        }
        return {"id": self.issues[key]["id"], "key": key, "self": f"https://site/rest/api/2/issue/{key}"}

    def search(self, jql: str) -> list[dict[str, Any]]:
        keys = (
            set(re.findall(r"project in \(([^)]*)\)", jql)[0].replace('"', "").split(", "))
            if "project in" in jql
            else None
        )
        return [i for k, i in sorted(self.issues.items()) if keys is None or k.split("-")[0] in keys]


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"errorMessages": [message], "errors": {}}, status_code=status)


def app_for(site: Site) -> Starlette:
    async def dispatch(request: Request) -> Response:
        body = await request.body()
        site.requests.append((request.method, request.url.path, dict(request.headers), body, request.url.query))
        auth = request.headers.get("authorization", "")
        if TOKEN not in auth and "czNjcmV0LXRva2Vu" not in auth:  # bearer token or basic user:token (base64)
            return error(401, "Client must be authenticated to access this resource.")
        data = json.loads(body) if body else None
        path, method = request.url.path, request.method
        if path.endswith("/issue/BROKEN-1"):
            return JSONResponse([1, 2])  # not an issue: the server must answer with a tool error, not crash
        if m := re.fullmatch(r"/rest/api/[23]/issue/([^/]+)", path):
            issue = site.issue(m.group(1))
            if issue is None:
                return error(404, "Issue does not exist or you do not have permission to see it.")
            if method == "GET":
                return JSONResponse(issue)
            issue["fields"].update(data["fields"])
            return Response(status_code=204)
        if re.fullmatch(r"/rest/api/[23]/issue", path) and method == "POST":
            return JSONResponse(site.create_issue(data["fields"]), status_code=201)
        if m := re.fullmatch(r"/rest/api/[23]/issue/([^/]+)/transitions", path):
            issue = site.issue(m.group(1))
            if issue is None:
                return error(404, "Issue does not exist")
            issue["fields"]["status"] = {"name": {"31": "Done"}.get(data["transition"]["id"], "In Progress")}
            return Response(status_code=204)
        if m := re.fullmatch(r"/rest/api/[23]/issue/([^/]+)/comment", path):
            issue = site.issue(m.group(1))
            comments = issue["fields"].setdefault("comment", {"comments": [], "total": 0})
            comment = {
                "id": str(len(comments["comments"]) + 1),
                "body": data["body"],
                "created": "2026-11-01T10:00:00.000+0000",
            }
            comments["comments"].append(comment)
            return JSONResponse(comment, status_code=201)
        if path == "/rest/api/3/search/jql":
            issues = site.search(data["jql"])[: data.get("maxResults", 50)]
            return JSONResponse({"issues": copy.deepcopy(issues), "isLast": True})
        if path == "/rest/api/2/search":
            issues = site.search(request.query_params["jql"])
            return JSONResponse({"startAt": 0, "maxResults": 50, "total": len(issues), "issues": issues})
        if path in ("/rest/api/2/myself", "/rest/api/3/myself"):
            return JSONResponse({"displayName": "Alice", "accountId": "acc-1", "name": "alice"})
        if path in ("/rest/api/2/serverInfo", "/rest/api/3/serverInfo"):
            return JSONResponse({"version": "10.3.24", "deploymentType": "Server"})
        # --- Confluence ---------------------------------------------------------------------------------
        if m := re.fullmatch(r"/(?:wiki/api/v2/pages|rest/api/content)/(\d+)", path):
            page = site.pages.get(m.group(1))
            if page is None:
                return JSONResponse({"statusCode": 404, "message": "No content found"}, status_code=404)
            if method == "GET":
                return JSONResponse(page)
            if data["version"]["number"] != page["version"]["number"] + 1:
                return JSONResponse({"statusCode": 409, "message": "Version must be incremented"}, status_code=409)
            body_value = data["body"]["value"] if "value" in data["body"] else data["body"]["storage"]["value"]
            page.update(title=data["title"], version={"number": data["version"]["number"]})
            page["body"] = {"storage": {"value": body_value, "representation": "storage"}}
            return JSONResponse(page)
        if path in ("/wiki/api/v2/pages", "/rest/api/content") and method == "POST":
            page_id = str(site.next_page)
            site.next_page += 1
            value = data["body"]["value"] if "value" in data["body"] else data["body"]["storage"]["value"]
            site.pages[page_id] = {
                "id": page_id,
                "title": data["title"],
                "status": "current",
                "version": {"number": 1},
                "spaceId": data.get("spaceId", "7"),
                "space": {"key": "DEV"},
                "body": {"storage": {"value": value}},
                "_links": {"webui": f"/pages/{page_id}"},
            }
            return JSONResponse(site.pages[page_id], status_code=200)
        if path in ("/wiki/api/v2/pages", "/rest/api/content") and method == "GET":
            title = request.query_params.get("title")
            found = [p for p in site.pages.values() if p["title"] == title]
            return JSONResponse({"results": copy.deepcopy(found), "_links": {}})
        if path == "/wiki/api/v2/spaces":
            keys = request.query_params.getlist("keys")
            results = [{"id": "7", "key": "DEV", "name": "Dev"}] if not keys or "DEV" in keys else []
            return JSONResponse({"results": results, "_links": {}})
        if path in ("/wiki/rest/api/search", "/rest/api/search"):
            results = [
                {"content": {"id": p["id"], "type": "page", "title": p["title"], "_links": p["_links"]},
                 "title": p["title"], "excerpt": "@@@hl@@@Hello@@@endhl@@@", "url": p["_links"]["webui"]}
                for p in site.pages.values()
            ]  # fmt: skip
            return JSONResponse({"results": results, "start": 0, "limit": 10, "size": len(results), "_links": {}})
        if path in ("/wiki/rest/api/user/current", "/rest/api/user/current"):
            return JSONResponse({"displayName": "Alice", "accountId": "acc-1"})
        return error(404, f"no route {method} {path}")

    return Starlette(routes=[Route("/{path:path}", dispatch, methods=["GET", "POST", "PUT", "DELETE"])])


class LoopbackSite:
    """The fake site served by uvicorn on 127.0.0.1 in a thread, for servers running in a subprocess."""

    def __init__(self) -> None:
        self.site = Site()
        self.server = uvicorn.Server(uvicorn.Config(app_for(self.site), host="127.0.0.1", port=0, log_level="error"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LoopbackSite:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    @property
    def url(self) -> str:
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *args: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
