"""Atlassian's published ADF JSON schema (npm @atlaskit/adf-schema) as a test oracle for every ADF we emit.

`nox -s tests` (and `nox -s fidelity`) install the pinned package into .ci/adf-schema with npm; running pytest alone
needs that step first (`npm install --prefix .ci/adf-schema @atlaskit/adf-schema@<ADF_SCHEMA_VERSION>`).
A document this schema rejects is one Jira and Confluence Cloud would reject (HTTP 400 INVALID_INPUT).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator

ADF_SCHEMA_VERSION = "57.7.22"  # keep in step with noxfile.py
ADF_SCHEMA = (
    Path(__file__).resolve().parents[2]
    / ".ci/adf-schema/node_modules/@atlaskit/adf-schema/dist/json-schema/v1/full.json"
)


@cache
def validator() -> Draft4Validator:
    if not ADF_SCHEMA.exists():
        raise FileNotFoundError(f"{ADF_SCHEMA} is missing: run `nox -s tests` (it installs @atlaskit/adf-schema)")
    schema = json.loads(ADF_SCHEMA.read_text())
    return Draft4Validator(schema)


def problems(doc: Any) -> list[str]:
    """Why Atlassian's schema rejects ``doc`` (the deepest error of each branch), or [] when it is valid."""
    out = []
    for error in validator().iter_errors(doc):
        deepest = min(_leaves(error), key=lambda e: -len(e.absolute_path), default=error)
        where = "/".join(str(p) for p in deepest.absolute_path)
        out.append(f"/{where}: {deepest.message[:300]}")
    return out


def _leaves(error: Any) -> list[Any]:
    if not error.context:
        return [error]
    return [leaf for sub in error.context for leaf in _leaves(sub)]
