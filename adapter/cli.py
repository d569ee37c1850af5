"""`atlassian-mcp`: the MCP server for Jira and Confluence, with the flags of mcp-atlassian.

`atlassian-mcp [serve|tools|check] [OPTIONS]`; with no command it serves, so an existing IDE
configuration keeps working after changing only the command.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .config import ConfigError, Settings, configure_logging, load_settings

COMMANDS = ("serve", "tools", "check")
app = typer.Typer(
    help=__doc__,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

Opt = typer.Option


@app.callback(invoke_without_command=True)
def options(
    ctx: typer.Context,
    transport: Annotated[str | None, Opt(help="stdio, sse or streamable-http [env TRANSPORT; default stdio]")] = None,
    host: Annotated[str | None, Opt(help="Address to bind for HTTP transports [env HOST; default 127.0.0.1]")] = None,
    port: Annotated[int | None, Opt(help="Port for HTTP transports [env PORT; default 8000]")] = None,
    path: Annotated[str | None, Opt(help="HTTP path [env STREAMABLE_HTTP_PATH; default /mcp, /sse for SSE]")] = None,
    stateless: Annotated[bool | None, Opt("--stateless", help="Stateless streamable HTTP [env STATELESS]")] = None,
    env_file: Annotated[
        Path | None, Opt(help="Read variables from this file (never overrides the environment)")
    ] = None,
    verbose: Annotated[int, Opt("-v", "--verbose", count=True, help="-v info, -vv debug (stderr)")] = 0,
    read_only: Annotated[bool | None, Opt("--read-only", help="Serve only read tools [env READ_ONLY_MODE]")] = None,
    enabled_tools: Annotated[str | None, Opt(help="Comma-separated tool names [env ENABLED_TOOLS]")] = None,
    toolsets: Annotated[str | None, Opt(help="all, default, or toolset names [env TOOLSETS]")] = None,
    manifest: Annotated[list[Path] | None, Opt(help="Extra tool manifest (YAML); repeatable")] = None,
    jira_url: Annotated[str | None, Opt(help="Jira site URL [env JIRA_URL]")] = None,
    jira_username: Annotated[str | None, Opt(help="Jira username or e-mail [env JIRA_USERNAME]")] = None,
    jira_token: Annotated[str | None, Opt(help="Jira API token or password [env JIRA_API_TOKEN]")] = None,
    jira_personal_token: Annotated[
        str | None, Opt(help="Jira DC personal access token [env JIRA_PERSONAL_TOKEN]")
    ] = None,
    jira_ssl_verify: Annotated[
        bool | None, Opt("--jira-ssl-verify/--no-jira-ssl-verify", help="[env JIRA_SSL_VERIFY]")
    ] = None,
    jira_projects_filter: Annotated[str | None, Opt(help="Only these project keys [env JIRA_PROJECTS_FILTER]")] = None,
    confluence_url: Annotated[str | None, Opt(help="Confluence site URL [env CONFLUENCE_URL]")] = None,
    confluence_username: Annotated[
        str | None, Opt(help="Confluence username or e-mail [env CONFLUENCE_USERNAME]")
    ] = None,
    confluence_token: Annotated[
        str | None, Opt(help="Confluence API token or password [env CONFLUENCE_API_TOKEN]")
    ] = None,
    confluence_personal_token: Annotated[str | None, Opt(help="Confluence DC personal access token")] = None,
    confluence_ssl_verify: Annotated[
        bool | None, Opt("--confluence-ssl-verify/--no-confluence-ssl-verify", help="[env CONFLUENCE_SSL_VERIFY]")
    ] = None,
    confluence_spaces_filter: Annotated[
        str | None, Opt(help="Only these space keys [env CONFLUENCE_SPACES_FILTER]")
    ] = None,
) -> None:
    """Options shared by every command; they override the environment variables named in brackets."""
    overrides: dict[str, Any] = {
        "TRANSPORT": transport, "HOST": host, "PORT": port, "STREAMABLE_HTTP_PATH": path, "STATELESS": stateless,
        "READ_ONLY_MODE": read_only, "ENABLED_TOOLS": enabled_tools, "TOOLSETS": toolsets,
        "JIRA_URL": jira_url, "JIRA_USERNAME": jira_username, "JIRA_API_TOKEN": jira_token,
        "JIRA_PERSONAL_TOKEN": jira_personal_token, "JIRA_SSL_VERIFY": jira_ssl_verify,
        "JIRA_PROJECTS_FILTER": jira_projects_filter, "CONFLUENCE_URL": confluence_url,
        "CONFLUENCE_USERNAME": confluence_username, "CONFLUENCE_API_TOKEN": confluence_token,
        "CONFLUENCE_PERSONAL_TOKEN": confluence_personal_token, "CONFLUENCE_SSL_VERIFY": confluence_ssl_verify,
        "CONFLUENCE_SPACES_FILTER": confluence_spaces_filter, "VERBOSITY": verbose or None,
    }  # fmt: skip
    try:
        settings = load_settings(overrides, env_file=env_file)
    except ConfigError as exc:
        _config_error(exc)
    ctx.obj = (settings, list(manifest or []))
    if ctx.invoked_subcommand is None:
        serve(ctx)


def _config_error(exc: Exception) -> None:
    typer.echo(f"atlassian-mcp: {exc}", err=True)
    raise typer.Exit(2)


def _server(ctx: typer.Context) -> Any:
    from .manifest import ManifestError, load_tools
    from .server import AtlassianServer

    settings, manifests = ctx.obj
    try:
        return AtlassianServer(settings, load_tools(manifests))
    except (ConfigError, ManifestError) as exc:
        _config_error(exc)


@app.command()
def serve(ctx: typer.Context) -> None:
    """Serve MCP over stdio (default), SSE or streamable HTTP."""
    settings: Settings = ctx.obj[0]
    configure_logging(settings)
    server = _server(ctx)
    for warning in settings.warnings:
        typer.echo(f"atlassian-mcp: warning: {warning}", err=True)
    from .transports import run

    run(server, settings)


@app.command()
def tools(ctx: typer.Context) -> None:
    """List the tools this configuration serves, with the size of each definition."""
    server = _server(ctx)
    total_bytes = 0
    rows = []
    for tool in server.list_tools():
        size = len(json.dumps(tool.model_dump(mode="json", by_alias=True, exclude_none=True), separators=(",", ":")))
        total_bytes += size
        spec = server.tools[tool.name]
        rows.append((tool.name, spec.toolset, "read" if spec.annotations["readOnlyHint"] else "write", size))
    typer.echo(f"{'tool':32} {'toolset':20} {'kind':5} {'bytes':>6} {'~tokens':>7}")
    for name, toolset, kind, size in rows:
        typer.echo(f"{name:32} {toolset:20} {kind:5} {size:6} {size // 4:7}")
    typer.echo(f"{len(rows)} tools, {total_bytes} bytes, ~{total_bytes // 4} tokens (bytes / 4)")


@app.command()
def check(ctx: typer.Context) -> None:
    """Connect with the configured credentials and report, per product, who is signed in and where."""
    from .probe import probe

    server = _server(ctx)
    failures = asyncio.run(probe(server, typer.echo))
    raise typer.Exit(1 if failures else 0)


def main(argv: list[str] | None = None) -> None:
    """Entry point; a command given first (`atlassian-mcp serve --port 1`) is moved after the options."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in COMMANDS:
        args.append(args.pop(0))
    app(args=args, prog_name="atlassian-mcp")
