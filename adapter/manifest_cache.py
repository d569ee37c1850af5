"""The shipped manifests, compiled: checked once, then loaded from a pickle whose name is the hash of its inputs.

Checking the manifests means YAML, pydantic and the operation catalogues of all eight APIs (2 MB of JSON): about
0.08 s and 7 MB at every start. The result depends only on the manifest files, the catalogues, the handler and view
names and this code, so their hash names the compiled file; anything changed is a new name, and a file that does
not load (another Python, a half-written file) is rebuilt. Extra manifests (`--manifest`) are always checked anew.
The cache lives in $ATLASSIAN_MCP_CACHE_DIR, else $XDG_CACHE_HOME/atlassian-mcp or ~/.cache/atlassian-mcp, written
0600 by an atomic rename; where nothing is writable the server simply checks at every start.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import catalogue
from .manifest import DEPLOYMENTS, ToolSpec, load_tools, operation_refs, shipped_manifests

_CODE = ("manifest.py", "manifest_model.py", "manifest_cache.py", "catalogue.py")


def cache_dir() -> Path:
    named = os.environ.get("ATLASSIAN_MCP_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    base = Path(named) if named else Path.home() / ".cache"
    return base if os.environ.get("ATLASSIAN_MCP_CACHE_DIR") else base / "atlassian-mcp"


def inputs_digest() -> str:
    """The hash of everything the checked tools depend on."""
    from .handlers import HANDLERS
    from .views import VIEWS

    digest = hashlib.sha256(f"{sys.version_info[:2]} {pickle.HIGHEST_PROTOCOL}".encode())
    for name, text in shipped_manifests():
        digest.update(f"\0{name}\0{text}".encode())
    for api, package in sorted(catalogue.APIS.items()):
        digest.update(f"\0{api}\0".encode() + (catalogue.package_dir(package) / "catalogue.json").read_bytes())
    here = Path(__file__).parent
    for name in _CODE:
        digest.update((here / name).read_bytes())
    digest.update("\0".join(sorted(HANDLERS) + ["|"] + sorted(VIEWS)).encode())
    return digest.hexdigest()[:32]


def load_tools_cached(extra: Iterable[Path] = ()) -> list[ToolSpec]:
    """`load_tools(extra)`, with the shipped manifests from the compiled cache when it is current."""
    extra = list(extra)
    if extra:
        return load_tools(extra)
    path = cache_dir() / f"tools-{inputs_digest()}.pickle"
    try:
        with path.open("rb") as handle:
            tools, headers, entries = pickle.load(handle)  # noqa: S301  # our own file, named by its inputs' hash
    except Exception:  # absent, stale format, truncated: build it
        tools = load_tools()
        headers, entries = _needed(tools)
        _write(path, (tools, headers, entries))
    catalogue.remember(headers, entries)
    return list(tools)


def _needed(tools: list[ToolSpec]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The catalogue headers and operation entries the tools call."""
    refs = {ref for t in tools for d in DEPLOYMENTS if d in t.bindings for ref in operation_refs(t.bindings[d])}
    entries = {ref: catalogue.find(ref).entry for ref in sorted(refs)}
    headers = {api: catalogue.header(api) for api in sorted({ref.partition("/")[0] for ref in refs})}
    return headers, entries


def _write(path: Path, data: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tools-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
        for old in path.parent.glob("tools-*.pickle"):  # earlier versions' files
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home: check at every start, as without the cache
