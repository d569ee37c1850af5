"""Sandbox extensions: one module per tool area, so areas grow without touching app.py's core tables.

Each module may define:

* `ROUTES: dict[str, list[RouteSpec]]`: routes added to a group of `app.ROUTE_GROUPS` ("jira", "jira_cloud",
  "jira_dc", "agile", "servicedesk", "wiki2", "wiki1"); a route is `(operationId, method, path, handler)` with
  the Cloud spec's operationId and a path relative to the API's mount;
* `DC_OPERATION_IDS: dict[str, dict[str, str]]`: for "jira"/"confluence", Cloud operationId -> Data Center's;
* `SITE_ROUTES: dict[flavor, list[(name, method, full path, Api, handler)]]`: routes outside the REST mounts
  (e.g. the download servlets `/jira/secure/attachment/...`, `/confluence/download/attachments/...`);
* `seed(sandbox)`: called when a Sandbox is built, to put the module's data in `sandbox.extra[<module>]`.

Handlers take an `app.Call` and return a Starlette Response (`app.ok(...)`), raising `app.ApiError` for errors.
"""
