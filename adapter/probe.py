"""`atlassian-mcp check`: sign in to each configured product and say who, where, and what version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from . import catalogue, invoke
from .server import PRODUCT_NAMES, AtlassianServer, describe_upstream_error, upstream_errors

# product, deployment -> (who-am-I operation, server-info operation or None)
PROBES = {
    ("jira", "cloud"): ("jira-platform/getCurrentUser", "jira-platform/getServerInfo"),
    ("jira", "datacenter"): ("jira-dc/getUser", "jira-dc/getServerInfo"),
    ("confluence", "cloud"): ("confluence-v1/getCurrentUser", None),
    ("confluence", "datacenter"): ("confluence-dc/getCurrent", None),
}


async def probe(server: AtlassianServer, echo: Callable[[str], Any]) -> int:
    """Print one line per product; the number of products that failed."""
    if not server.sites:
        echo("nothing configured: set JIRA_URL and/or CONFLUENCE_URL (and credentials)")
        return 1
    failures = 0
    for product, site in server.sites.items():
        who_ref, info_ref = PROBES[(product, site.config.deployment)]
        name = PRODUCT_NAMES[product]
        try:
            who_op = catalogue.find(who_ref)
            me = await invoke.call(who_op, site.client(who_op.api), {}) or {}
            version = ""
            if info_ref:
                info_op = catalogue.find(info_ref)
                version = (await invoke.call(info_op, site.client(info_op.api), {}) or {}).get("version", "")
            who = me.get("displayName") or me.get("name") or me.get("accountId") or "anonymous"
            where = f"{site.config.deployment} {version}".strip()
            echo(f"{name}: ok, {site.config.url} ({where}), signed in as {who}")
        except upstream_errors() as exc:
            failures += 1
            echo(f"{name}: FAILED, {site.config.url}: {describe_upstream_error(product, exc)}")
        except httpx.TransportError as exc:
            failures += 1
            reason = type(exc).__name__
            echo(f"{name}: FAILED, cannot reach {site.config.url} ({reason}); check the URL, proxy and network")
    await server.aclose()
    return failures
