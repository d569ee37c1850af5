"""The spec lock, fetching specs (upstream or a mirror) and loading them, with sha256 checks.

Spec JSON is never committed: `specs/specs.lock` pins each API, `specs/cache/` holds the downloads.

An API whose published document is not in reach yet (no sha256 in the lock) is *described*: it starts from an
empty document and its operations come from `specs/overrides/<api>.yaml`, each with its reason, until
`python -m codegen fetch --latest <api>` pins Atlassian's document (the overrides then apply on top of it).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
SPECS_DIR = ROOT / "specs"
LOCK_PATH = SPECS_DIR / "specs.lock"
CACHE_DIR = SPECS_DIR / "cache"
OVERRIDES_DIR = SPECS_DIR / "overrides"
MIRROR_ENV = "ATLASSIAN_SPECS_MIRROR"


class SpecError(Exception):
    """A problem with a spec or its pin, phrased for the person running codegen."""


@dataclass
class PinnedSpec:
    """One API's pin in specs/specs.lock."""

    name: str
    url: str
    sha256: str | None  # None: not pinned yet, the API is described by its overrides alone
    version: str
    date: str
    package: str
    base_path: str
    client_class: str
    # The API's own host when it is not the site's, e.g. https://api.atlassian.com/jira/forms/cloud/{cloudId}
    server: str | None = None

    @property
    def described(self) -> bool:
        return self.sha256 is None

    @property
    def distribution(self) -> str:
        """The workspace distribution folder under generated/, e.g. `jira-sdk`."""
        return self.package.split(".")[0].replace("_", "-")

    @property
    def cache_path(self) -> Path:
        return CACHE_DIR / f"{self.name}.json"


def load_lock(path: Path = LOCK_PATH) -> dict[str, PinnedSpec]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise SpecError(f"{path}: the spec lock is missing") from exc
    except json.JSONDecodeError as exc:
        raise SpecError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from exc
    return {name: PinnedSpec(name=name, **fields) for name, fields in data["apis"].items()}


def save_lock(pins: dict[str, PinnedSpec], path: Path = LOCK_PATH) -> None:
    data = json.loads(path.read_text())
    data["apis"] = {
        name: {k: v for k, v in asdict(pin).items() if k != "name" and not (k == "server" and v is None)}
        for name, pin in pins.items()
    }
    path.write_text(json.dumps(data, indent=2) + "\n")


def digests(raw: bytes) -> set[str]:
    """The sha256 of the bytes, and of their compact JSON form.

    Some mirrors re-indent Atlassian's minified file (jira-dc.json in ../shared/specs); the compact
    re-serialisation reproduces Atlassian's bytes, so a pin on the upstream hash still verifies.
    """
    found = {hashlib.sha256(raw).hexdigest()}
    try:
        compact = json.dumps(json.loads(raw), separators=(",", ":"), ensure_ascii=False)
    except ValueError:
        return found
    found.add(hashlib.sha256(compact.encode()).hexdigest())
    return found


def parse_spec(raw: bytes, source: Path | str) -> dict[str, Any]:
    try:
        spec = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SpecError(f"{source}: not valid JSON ({exc})") from exc
    if not isinstance(spec, dict) or not str(spec.get("openapi", "")).startswith("3.") or "paths" not in spec:
        raise SpecError(f"{source}: not an OpenAPI 3 document (no `openapi: 3.x` or no `paths`)")
    return spec


def mirror_dir(explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit
    env = os.environ.get(MIRROR_ENV)
    return Path(env) if env else None


def _download(url: str) -> bytes:
    try:
        response = httpx.get(url, follow_redirects=True, timeout=60)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise SpecError(f"{url}: download failed ({exc})") from exc
    return response.content


def fetch(pin: PinnedSpec, mirror: Path | None, *, latest: bool = False) -> PinnedSpec:
    """Put the pinned spec into specs/cache; with `latest`, take what upstream serves now and re-pin."""
    if pin.described and not latest:
        return pin  # nothing pinned to fetch: the overrides describe it
    if latest:
        raw = _download(pin.url)
        spec = parse_spec(raw, pin.url)
        pin = PinnedSpec(
            **{
                **asdict(pin),
                "sha256": hashlib.sha256(raw).hexdigest(),
                "version": str(spec["info"]["version"]),
                "date": date.today().isoformat(),
            }
        )
    elif mirror is not None:
        source = mirror / f"{pin.name}.json"
        if not source.is_file():
            raise SpecError(f"{source}: missing from the mirror {mirror}")
        raw = source.read_bytes()
        _verify(raw, pin, source)
    else:
        raw = _download(pin.url)
        _verify(raw, pin, pin.url)
    parse_spec(raw, pin.url)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = pin.cache_path.with_suffix(".tmp")
    tmp.write_bytes(raw)
    tmp.replace(pin.cache_path)
    return pin


def _verify(raw: bytes, pin: PinnedSpec, source: Path | str) -> None:
    if pin.sha256 is None or pin.sha256 not in digests(raw):
        raise SpecError(
            f"{source}: sha256 mismatch for {pin.name}: expected {pin.sha256}, got "
            f"{hashlib.sha256(raw).hexdigest()}. Re-pin deliberately with `python -m codegen fetch --latest`."
        )


def load_spec(pin: PinnedSpec, mirror: Path | None = None) -> dict[str, Any]:
    """The pinned spec, from the cache (fetched first from the mirror or upstream when absent)."""
    if pin.described:
        return described_skeleton(pin)
    if not pin.cache_path.is_file():
        fetch(pin, mirror_dir(mirror))
    raw = pin.cache_path.read_bytes()
    _verify(raw, pin, pin.cache_path)
    return parse_spec(raw, pin.cache_path)


def described_skeleton(pin: PinnedSpec) -> dict[str, Any]:
    """The empty document a described API's overrides add their paths and schemas to."""
    return {
        "openapi": "3.0.3",
        "info": {"title": f"{pin.client_class} (described from {pin.url})", "version": pin.version},
        "servers": [{"url": pin.server or "/"}],
        "paths": {},
        "components": {"schemas": {}},
    }
