"""The generated SDKs' operation catalogues (catalogue.json per API), loaded on first use."""

from __future__ import annotations

import importlib
import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

# API name (as in specs/specs.lock and manifest `operation: <api>/<id>`) -> SDK subpackage
APIS: dict[str, str] = {
    "jira-platform": "jira_sdk.cloud",
    "jira-software": "jira_sdk.software",
    "jsm": "jira_sdk.service_management",
    "jira-dc": "jira_sdk.datacenter",
    "jira-forms": "jira_sdk.forms",
    "confluence-v2": "confluence_sdk.cloud",
    "confluence-v1": "confluence_sdk.cloud_v1",
    "confluence-dc": "confluence_sdk.datacenter",
}
PRODUCT_OF_API = {api: ("jira" if package.startswith("jira") else "confluence") for api, package in APIS.items()}
DEPLOYMENT_OF_API = {api: ("datacenter" if api.endswith("-dc") else "cloud") for api in APIS}
# Jira Service Management Data Center serves the same /rest/servicedeskapi operations as Cloud and Atlassian
# publishes no spec of its own for them, so the Cloud spec's operations also bind on Data Center.
ALSO_DATACENTER = frozenset({"jsm"})


def serves(api: str, deployment: str) -> bool:
    """Whether a manifest may bind `api`'s operations on `deployment`."""
    return DEPLOYMENT_OF_API[api] == deployment or (deployment == "datacenter" and api in ALSO_DATACENTER)


@dataclass(frozen=True)
class Operation:
    """One generated operation: where its callables live and what it takes."""

    api: str
    operation_id: str
    entry: dict[str, Any]

    @property
    def ref(self) -> str:
        return f"{self.api}/{self.operation_id}"

    @property
    def method(self) -> str:
        return str(self.entry["method"])

    @property
    def parameters(self) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in self.entry["parameters"]}

    @property
    def request_body(self) -> dict[str, Any] | None:
        body = self.entry["request_body"]
        return body if isinstance(body, dict) else None

    def module(self) -> ModuleType:
        return importlib.import_module(self.entry["module"])


def package_dir(package: str) -> Path:
    """Where an SDK subpackage lives, found without importing the SDK (start-up needs only its catalogue)."""
    top, _, rest = package.partition(".")
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        raise KeyError(f"the {top} SDK is not installed")
    return Path(next(iter(spec.submodule_search_locations)), *rest.split("."))


@cache
def catalogue(api: str) -> dict[str, Any]:
    if api not in APIS:
        raise KeyError(f"unknown API {api!r}; known: {', '.join(APIS)}")
    data: dict[str, Any] = json.loads((package_dir(APIS[api]) / "catalogue.json").read_text())
    return data


# What a compiled manifest (adapter/manifest_cache.py) brought: per API its header (everything but the operations)
# and the entries of the operations the tools use, so a server start parses no catalogue.json at all.
_known_headers: dict[str, dict[str, Any]] = {}
_known_entries: dict[str, dict[str, Any]] = {}


def remember(headers: dict[str, dict[str, Any]], entries: dict[str, dict[str, Any]]) -> None:
    _known_headers.update(headers)
    _known_entries.update(entries)


def header(api: str) -> dict[str, Any]:
    """An API's catalogue without its operations (base path, server, version)."""
    if api not in _known_headers:  # computed once: base_url() asks on every call
        _known_headers[api] = {k: v for k, v in catalogue(api).items() if k != "operations"}
    return _known_headers[api]


def find(ref: str) -> Operation:
    """`<api>/<operationId>` -> Operation; KeyError with a readable message when either part is unknown."""
    api, _, operation_id = ref.partition("/")
    if ref in _known_entries:
        return Operation(api, operation_id, _known_entries[ref])
    operations = catalogue(api)["operations"]
    if operation_id not in operations:
        raise KeyError(f"operation {operation_id!r} is not in {api}")
    return Operation(api, operation_id, operations[operation_id])
