"""`python -m codegen`: fetch pinned specs, generate the SDKs, check generated/ is current, diff two specs."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from . import manifest_model, specs
from .diff import diff_specs, render_markdown
from .generate import ApiReport, check, generate

app = typer.Typer(
    help="Compile Atlassian's OpenAPI specs (pinned in specs/specs.lock) into generated/jira-sdk and "
    "generated/confluence-sdk.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

MirrorOption = Annotated[
    Path | None,
    typer.Option(
        "--mirror",
        help=f"Directory holding <api>.json copies of the specs (default: ${specs.MIRROR_ENV}); "
        "without it, specs are downloaded from their upstream URL.",
        file_okay=False,
    ),
]


def _fail(error: Exception) -> None:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(1)


def _print_reports(reports: list[ApiReport]) -> None:
    for report in reports:
        typer.echo(report.line())
        for excluded in report.excluded:
            typer.echo(f"    excluded: {excluded}")


@app.command()
def fetch(
    apis: Annotated[list[str] | None, typer.Argument(help="API names from specs.lock (default: all).")] = None,
    mirror: MirrorOption = None,
    latest: Annotated[
        bool, typer.Option("--latest", help="Download what upstream serves now and update specs.lock.")
    ] = False,
) -> None:
    """Put the pinned specs into specs/cache/, verifying each sha256."""
    try:
        pins = specs.load_lock()
        unknown = sorted(set(apis or []) - set(pins))
        if unknown:
            raise specs.SpecError(f"unknown API(s) {', '.join(unknown)}; known: {', '.join(sorted(pins))}")
        for name in apis or list(pins):
            pins[name] = specs.fetch(pins[name], specs.mirror_dir(mirror), latest=latest)
            pinned = pins[name].sha256
            shown = pinned[:12] if pinned else "not pinned (described by its overrides)"
            typer.echo(f"{name:14} {shown}  {pins[name].version}")
        if latest:
            specs.save_lock(pins)
    except specs.SpecError as exc:
        _fail(exc)


@app.command("generate")
def generate_command(
    apis: Annotated[list[str] | None, typer.Argument(help="API names from specs.lock (default: all).")] = None,
    mirror: MirrorOption = None,
) -> None:
    """Regenerate the SDKs into generated/ (the old tree stays if anything fails)."""
    started = time.perf_counter()
    try:
        reports = generate(apis or None, specs.mirror_dir(mirror))
    except specs.SpecError as exc:
        _fail(exc)
        return
    _print_reports(reports)
    typer.echo(f"generated in {time.perf_counter() - started:.1f} s")


@app.command("check")
def check_command(mirror: MirrorOption = None) -> None:
    """Regenerate into a temporary directory and fail unless it equals generated/."""
    try:
        differences, _reports = check(specs.mirror_dir(mirror))
    except specs.SpecError as exc:
        _fail(exc)
        return
    if not manifest_model.is_current():
        differences.append(
            f"differs: {manifest_model.MODEL.relative_to(specs.ROOT)} (run `python -m codegen manifest-model`)"
        )
    if differences:
        typer.echo(f"generated/ is not what the generator makes ({len(differences)} differences):", err=True)
        for line in differences[:30]:
            typer.echo(f"  {line}", err=True)
        if len(differences) > 30:
            typer.echo(f"  ... and {len(differences) - 30} more", err=True)
        typer.echo("Run `python -m codegen generate` (never edit generated/ by hand).", err=True)
        raise typer.Exit(1)
    typer.echo("generated/ is up to date")


@app.command("manifest-model")
def manifest_model_command() -> None:
    """Regenerate adapter/manifest_model.py from adapter/manifests/manifest.schema.json."""
    manifest_model.write()
    typer.echo(f"wrote {manifest_model.MODEL.relative_to(specs.ROOT)}")


@app.command("diff")
def diff_command(
    old: Annotated[Path, typer.Argument(help="The older spec (JSON).", exists=True, dir_okay=False)],
    new: Annotated[Path, typer.Argument(help="The newer spec (JSON).", exists=True, dir_okay=False)],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here.")] = None,
) -> None:
    """Report API changes between two spec versions, in Markdown."""
    try:
        documents = [specs.parse_spec(path.read_bytes(), path) for path in (old, new)]
        report = render_markdown(diff_specs(*documents), str(old), str(new))
    except (specs.SpecError, ValueError) as exc:
        _fail(exc)
        return
    if output:
        output.write_text(report)
    else:
        typer.echo(report)


@app.command("catalogue")
def catalogue_command(
    api: Annotated[str, typer.Argument(help="API name from specs.lock, e.g. jira-platform.")],
) -> None:
    """Print a one-line summary per operation of an API's generated catalogue."""
    pins = specs.load_lock()
    if api not in pins:
        _fail(specs.SpecError(f"unknown API {api}; known: {', '.join(sorted(pins))}"))
    pin = pins[api]
    path = Path("generated", pin.distribution, *pin.package.split("."), "catalogue.json")
    for op_id, op in json.loads(path.read_text())["operations"].items():
        typer.echo(f"{op['method']:6} {op['path']:70} {op_id}")


def main() -> None:
    app()
