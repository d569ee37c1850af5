"""Per-API spec overrides: JSON Patch operations (RFC 6902) with a reason each, from specs/overrides/<api>.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonpatch
import jsonpointer
import yaml

from .specs import OVERRIDES_DIR, SpecError


def load_overrides(api: str, directory: Path = OVERRIDES_DIR) -> tuple[Path, list[dict[str, Any]]]:
    path = directory / f"{api}.yaml"
    if not path.is_file():
        return path, []
    try:
        entries = yaml.safe_load(path.read_text()) or []
    except yaml.YAMLError as exc:
        raise SpecError(f"{path}: invalid YAML ({exc})") from exc
    if not isinstance(entries, list):
        raise SpecError(f"{path}: expected a list of patch operations")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not {"op", "path"} <= entry.keys():
            raise SpecError(f"{path}: entry {index} needs `op` and `path`")
        if not str(entry.get("reason", "")).strip():
            raise SpecError(f"{path}: entry {index} ({entry['path']}) has no `reason`")
    return path, entries


def apply_overrides(spec: dict[str, Any], api: str, directory: Path = OVERRIDES_DIR) -> int:
    """Apply the API's overrides in place; a pointer that does not exist is an error naming file and pointer."""
    path, entries = load_overrides(api, directory)
    for entry in entries:
        operation = {k: v for k, v in entry.items() if k != "reason"}
        try:
            jsonpatch.apply_patch(spec, [operation], in_place=True)
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
            raise SpecError(f"{path}: override {entry['op']} {entry['path']} does not apply: {exc}") from exc
    return len(entries)
