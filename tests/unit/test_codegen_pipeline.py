"""The codegen pipeline: lock, fetch, overrides, repair rules and its errors on bad input."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from codegen import generate as gen
from codegen import overrides, repairs, specs
from codegen.cli import app

SHARED_SPECS = Path(__file__).resolve().parents[2].parent / "shared" / "specs"
runner = CliRunner()


def minimal_spec(**paths: object) -> dict[str, object]:
    return {
        "openapi": "3.0.1",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": {"schemas": {}},
    }


@pytest.fixture
def isolated_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A lock with one tiny API, its mirror, and a cache dir, all under tmp_path."""
    raw = json.dumps(minimal_spec(**{"/thing": {"get": {"operationId": "getThing", "responses": {"200": {}}}}}))
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "tiny.json").write_text(raw)
    lock = tmp_path / "specs.lock"
    entry = {
        "url": "https://example.invalid/tiny.json",
        "sha256": hashlib.sha256(raw.encode()).hexdigest(),
        "version": "1",
        "date": "2026-01-01",
        "package": "jira_sdk.tiny",
        "base_path": "",
        "client_class": "Tiny",
    }
    lock.write_text(json.dumps({"apis": {"tiny": entry}}))
    monkeypatch.setattr(specs, "LOCK_PATH", lock)
    monkeypatch.setattr(specs, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(specs.load_lock, "__defaults__", (lock,))
    return mirror


def test_fetch_from_mirror_verifies_sha256(isolated_lock: Path) -> None:
    pin = specs.load_lock()["tiny"]
    specs.fetch(pin, isolated_lock)
    assert json.loads(pin.cache_path.read_text())["paths"]
    (isolated_lock / "tiny.json").write_text('{"openapi": "3.0.1", "paths": {}}')
    with pytest.raises(specs.SpecError, match="sha256 mismatch for tiny"):
        specs.fetch(pin, isolated_lock)


def test_fetch_command_reports_missing_spec_and_bad_json(isolated_lock: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["fetch", "--mirror", str(empty)])
    assert result.exit_code == 1
    assert "tiny.json: missing from the mirror" in result.output
    with pytest.raises(specs.SpecError, match="not valid JSON"):
        specs.parse_spec(b"{not json", "x.json")
    with pytest.raises(specs.SpecError, match="not an OpenAPI 3 document"):
        specs.parse_spec(b'{"swagger": "2.0", "paths": {}}', "x.json")


def test_reindented_mirror_copy_verifies_against_upstream_hash() -> None:
    """jira-dc.json in the shared mirror is pretty-printed; the lock pins Atlassian's minified bytes."""
    pin = specs.load_lock()["jira-dc"]
    raw = (SHARED_SPECS / "jira-dc.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() != pin.sha256
    assert pin.sha256 in specs.digests(raw)


def test_every_pin_matches_the_shared_mirror() -> None:
    pinned = {name: pin for name, pin in specs.load_lock().items() if not pin.described}
    assert len(pinned) == 7
    for name, pin in pinned.items():
        assert pin.sha256 in specs.digests((SHARED_SPECS / f"{name}.json").read_bytes()), name


def test_a_described_api_is_its_overrides_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No sha256 in the lock: nothing is fetched or verified, the skeleton takes the overrides' paths."""
    pin = specs.load_lock()["jira-forms"]
    assert pin.described and pin.server and "{cloudId}" in pin.server
    monkeypatch.setattr(specs, "CACHE_DIR", tmp_path)
    assert specs.fetch(pin, SHARED_SPECS) == pin and not list(tmp_path.iterdir())  # nothing fetched
    spec = specs.load_spec(pin)
    assert spec["paths"] == {} and spec["servers"] == [{"url": pin.server}]
    applied = overrides.apply_overrides(spec, "jira-forms")
    assert applied >= 3 and set(spec["paths"]) == {"/issue/{issueIdOrKey}/form", "/issue/{issueIdOrKey}/form/{formId}"}
    with pytest.raises(specs.SpecError, match="sha256 mismatch"):  # a described pin never verifies bytes
        specs._verify(b"{}", pin, "x.json")


def test_override_with_missing_pointer_names_file_and_pointer(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(
        yaml.safe_dump([{"op": "replace", "path": "/paths/~1nope/get/operationId", "value": "x", "reason": "r"}])
    )
    with pytest.raises(specs.SpecError) as caught:
        overrides.apply_overrides(minimal_spec(), "tiny", tmp_path)
    assert "tiny.yaml" in str(caught.value) and "/paths/~1nope/get/operationId" in str(caught.value)


def test_override_needs_a_reason(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump([{"op": "remove", "path": "/info"}]))
    with pytest.raises(specs.SpecError, match="has no `reason`"):
        overrides.apply_overrides(minimal_spec(), "tiny", tmp_path)


def test_overrides_apply() -> None:
    spec = minimal_spec(**{"/a": {"get": {"operationId": "old", "responses": {}}}})
    directory = Path(__file__).parent
    assert overrides.apply_overrides(spec, "no-such-api", directory) == 0
    patch = [{"op": "replace", "path": "/paths/~1a/get/operationId", "value": "new", "reason": "clash"}]
    tmp = directory / "_tmp_overrides"
    tmp.mkdir(exist_ok=True)
    try:
        (tmp / "x.yaml").write_text(yaml.safe_dump(patch))
        assert overrides.apply_overrides(spec, "x", tmp) == 1
    finally:
        shutil.rmtree(tmp)
    assert spec["paths"]["/a"]["get"]["operationId"] == "new"  # type: ignore[index]


def test_duplicate_module_is_an_error_not_an_overwrite(isolated_lock: Path, tmp_path: Path) -> None:
    spec = minimal_spec(
        **{
            "/a": {"get": {"operationId": "getThing", "tags": ["t"], "responses": {"200": {"description": "ok"}}}},
            "/b": {
                "get": {
                    "operationId": "get_thing",
                    "tags": ["t"],
                    "responses": {"200": {"description": "ok"}},
                }
            },
        }
    )
    pin = specs.load_lock()["tiny"]
    pin.cache_path.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(spec).encode()
    pin.cache_path.write_bytes(raw)
    pin.sha256 = hashlib.sha256(raw).hexdigest()
    with pytest.raises(specs.SpecError, match=r"api/t/get_thing.py: both GET /a and GET /b"):
        gen.generate_api(pin, None, tmp_path / "out")


def test_failed_generation_leaves_generated_untouched(monkeypatch: pytest.MonkeyPatch) -> None:
    marker = gen.GENERATED / "jira-sdk" / "pyproject.toml"
    before = marker.read_bytes()

    def broken(*args: object) -> None:
        raise specs.SpecError("boom")

    monkeypatch.setattr(gen, "generate_api", broken)
    with pytest.raises(specs.SpecError, match="boom"):
        gen.generate()
    assert marker.read_bytes() == before
    assert not list(gen.ROOT.glob(".generated-*"))


def test_repair_rules_fix_known_defects() -> None:
    spec = json.loads((SHARED_SPECS / "confluence-dc.json").read_text())
    op = spec["paths"]["/rest/api/admin/group/{groupName}"]["delete"]
    assert len(op["parameters"]) == 2
    fired = repairs.repair(spec)
    assert len(op["parameters"]) == 1
    assert fired["dedupe_parameters"] == 273

    spec = json.loads((SHARED_SPECS / "jira-platform.json").read_text())
    screens = spec["paths"]["/rest/api/3/screens"]["get"]["parameters"][4]
    assert screens["schema"]["items"]["default"] == ""
    fired = repairs.repair(spec)
    assert "default" not in screens["schema"]["items"]
    assert "additionalProperties" not in spec["components"]["schemas"]["IssueBean"]
    assert fired["keep_unknown_fields"] == 821
    # a default moves out of the schema (nothing sent unless set) but is remembered for the catalogue
    get_issue = spec["paths"]["/rest/api/3/issue/{issueIdOrKey}"]["get"]["parameters"]
    fields_by_keys = next(p for p in get_issue if p["name"] == "fieldsByKeys")
    assert fields_by_keys["x-server-default"] is False and "default" not in fields_by_keys["schema"]


def test_generate_is_deterministic_for_one_api(tmp_path: Path) -> None:
    pin = specs.load_lock()["jsm"]
    gen.generate_api(pin, SHARED_SPECS, tmp_path / "a")
    gen.generate_api(pin, SHARED_SPECS, tmp_path / "b")
    assert gen.compare(tmp_path / "a", tmp_path / "b") == []


def test_diff_command_on_the_two_jira_specs() -> None:
    result = runner.invoke(
        app,
        [
            "diff",
            str(SHARED_SPECS / "history" / "jira-platform-2022-07.json"),
            str(SHARED_SPECS / "jira-platform.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "GET /rest/api/3/search/jql" in result.output
    assert "## Operations removed" in result.output


def test_help_explains_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("fetch", "generate", "check", "diff"):
        assert command in result.output
