"""`atlassian-mcp`: the MCP server for Jira and Confluence, with the flags of mcp-atlassian.

`atlassian-mcp [serve|tools|check] [OPTIONS]`; with no command it serves, so an existing IDE
configuration keeps working after changing only the command.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from .config import ConfigError, Settings, configure_logging, load_settings

COMMANDS = ("serve", "tools", "check", "sandbox", "oauth-setup")
COMMAND_FLAGS = {"tools": {"--json"}}  # the options a command has of its own; all others belong to the group
HELP_FLAGS = {"--help", "-h"}
HELP_ONLY = object()  # ctx.obj when a command's --help was asked for: the options callback must not run
SANDBOX_HOST = "http://sandbox.localhost"  # in-process only: requests never leave the process
app = typer.Typer(
    help=__doc__,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

Opt = typer.Option
SHARED = "The options in `atlassian-mcp --help` (sites, credentials, transport, toolsets) go before or after it."


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
    sandbox: Annotated[
        bool, Opt("--sandbox", help="Serve against the embedded sandbox site (no account; ignores JIRA_*/CONFLUENCE_*)")
    ] = False,
    flavor: Annotated[str, Opt(help="Sandbox flavour: cloud or datacenter")] = "cloud",
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
    oauth_setup: Annotated[bool, Opt("--oauth-setup", help="Run the OAuth sign-in wizard (= oauth-setup)")] = False,
    oauth_client_id: Annotated[str | None, Opt(help="OAuth client id [env ATLASSIAN_OAUTH_CLIENT_ID]")] = None,
    oauth_client_secret: Annotated[
        str | None, Opt(help="OAuth client secret [env ATLASSIAN_OAUTH_CLIENT_SECRET]")
    ] = None,
    oauth_redirect_uri: Annotated[str | None, Opt(help="OAuth redirect URI [env ATLASSIAN_OAUTH_REDIRECT_URI]")] = None,
    oauth_scope: Annotated[
        str | None, Opt(help="OAuth scopes, with offline_access [env ATLASSIAN_OAUTH_SCOPE]")
    ] = None,
    oauth_cloud_id: Annotated[str | None, Opt(help="Cloud site id [env ATLASSIAN_OAUTH_CLOUD_ID]")] = None,
    oauth_access_token: Annotated[
        str | None, Opt(help="Your own OAuth access token, never refreshed [env ATLASSIAN_OAUTH_ACCESS_TOKEN]")
    ] = None,
    site: Annotated[str | None, Opt(help="oauth-setup: the Cloud site (URL or name) to sign in to")] = None,
    no_browser: Annotated[bool, Opt("--no-browser", help="oauth-setup: print the sign-in URL only")] = False,
    callback_timeout: Annotated[float, Opt(help="oauth-setup: seconds to wait for the sign-in")] = 300.0,
) -> None:
    """Options shared by every command; they override the environment variables named in brackets."""
    if ctx.obj is HELP_ONLY:
        return  # the command prints its help next; nothing here may fail on the environment first
    overrides: dict[str, Any] = {
        "TRANSPORT": transport, "HOST": host, "PORT": port, "STREAMABLE_HTTP_PATH": path, "STATELESS": stateless,
        "READ_ONLY_MODE": read_only, "ENABLED_TOOLS": enabled_tools, "TOOLSETS": toolsets,
        "JIRA_URL": jira_url, "JIRA_USERNAME": jira_username, "JIRA_API_TOKEN": jira_token,
        "JIRA_PERSONAL_TOKEN": jira_personal_token, "JIRA_SSL_VERIFY": jira_ssl_verify,
        "JIRA_PROJECTS_FILTER": jira_projects_filter, "CONFLUENCE_URL": confluence_url,
        "CONFLUENCE_USERNAME": confluence_username, "CONFLUENCE_API_TOKEN": confluence_token,
        "CONFLUENCE_PERSONAL_TOKEN": confluence_personal_token, "CONFLUENCE_SSL_VERIFY": confluence_ssl_verify,
        "CONFLUENCE_SPACES_FILTER": confluence_spaces_filter, "VERBOSITY": verbose or None,
        "ATLASSIAN_OAUTH_CLIENT_ID": oauth_client_id, "ATLASSIAN_OAUTH_CLIENT_SECRET": oauth_client_secret,
        "ATLASSIAN_OAUTH_REDIRECT_URI": oauth_redirect_uri, "ATLASSIAN_OAUTH_SCOPE": oauth_scope,
        "ATLASSIAN_OAUTH_CLOUD_ID": oauth_cloud_id, "ATLASSIAN_OAUTH_ACCESS_TOKEN": oauth_access_token,
    }  # fmt: skip
    if oauth_setup or ctx.invoked_subcommand == "oauth-setup":  # before load_settings: the setup is incomplete yet
        run_oauth_setup(overrides, env_file, site=site, browser=not no_browser, timeout=callback_timeout)
        raise typer.Exit(0)
    if flavor not in ("cloud", "datacenter"):
        _config_error(ConfigError(f"--flavor must be cloud or datacenter, not {flavor!r}"))
    sandboxed = sandbox and ctx.invoked_subcommand in (None, "serve", "tools")
    if sandboxed:
        overrides |= sandbox_overrides(flavor)
    try:
        settings = load_settings(overrides, environ=_flags_only() if sandboxed else None, env_file=env_file,
                                 read_dotenv=not sandboxed)  # fmt: skip
    except ConfigError as exc:
        _config_error(exc)
    ctx.obj = CliState(settings, list(manifest or []), flavor if sandboxed else None, flavor)
    if ctx.invoked_subcommand is None:
        serve(ctx)


@dataclass
class CliState:
    settings: Settings
    manifests: list[Path]
    sandbox: str | None  # the flavour when serving against the in-process sandbox
    flavor: str


def sandbox_overrides(flavor: str) -> dict[str, Any]:
    """Both products on the in-process sandbox, with its credentials."""
    from .sandbox.app import SANDBOX_EMAIL, SANDBOX_TOKEN

    if flavor == "cloud":
        jira, confluence = SANDBOX_HOST, f"{SANDBOX_HOST}/wiki"
        auth: dict[str, Any] = {
            "JIRA_USERNAME": SANDBOX_EMAIL,
            "JIRA_API_TOKEN": SANDBOX_TOKEN,
            "CONFLUENCE_USERNAME": SANDBOX_EMAIL,
            "CONFLUENCE_API_TOKEN": SANDBOX_TOKEN,
            "ATLASSIAN_OAUTH_API_URL": SANDBOX_HOST,  # the sandbox also plays Atlassian's API host (Forms API)
        }
    else:
        jira, confluence = f"{SANDBOX_HOST}/jira", f"{SANDBOX_HOST}/confluence"
        auth = {"JIRA_PERSONAL_TOKEN": SANDBOX_TOKEN, "CONFLUENCE_PERSONAL_TOKEN": SANDBOX_TOKEN}
    return {"JIRA_URL": jira, "CONFLUENCE_URL": confluence, "JIRA_DEPLOYMENT": flavor,
            "CONFLUENCE_DEPLOYMENT": flavor, **auth}  # fmt: skip


def _flags_only() -> dict[str, str]:
    """With --sandbox only the transport-level variables of the environment count, never site credentials; HTTP
    requests without credentials use the sandbox's own (it needs no account)."""
    import os

    keep = ("TRANSPORT", "HOST", "PORT", "STREAMABLE_HTTP_PATH", "STATELESS", "TOOLSETS", "ENABLED_TOOLS",
            "READ_ONLY_MODE", "MCP_VERBOSE", "MCP_VERY_VERBOSE", "ATLASSIAN_MCP_SCHEMA_PROFILE")  # fmt: skip
    return {k: v for k, v in os.environ.items() if k in keep} | {"ALLOW_GLOBAL_CRED_FALLBACK": "true"}


def _config_error(exc: Exception) -> None:
    typer.echo(f"atlassian-mcp: {exc}", err=True)
    raise typer.Exit(2)


def _server(ctx: typer.Context) -> Any:
    from .manifest import ManifestError
    from .manifest_cache import load_tools_cached
    from .server import AtlassianServer

    state: CliState = ctx.obj
    transport = None
    if state.sandbox:
        import httpx

        from .sandbox.app import create_app

        transport = httpx.ASGITransport(create_app(state.sandbox))  # type: ignore[arg-type]
    try:
        return AtlassianServer(state.settings, load_tools_cached(state.manifests), transport=transport)
    except (ConfigError, ManifestError) as exc:
        _config_error(exc)


def run_oauth_setup(
    overrides: dict[str, Any], env_file: Path | None, *, site: str | None, browser: bool, timeout: float
) -> None:
    """The OAuth wizard; asks for a missing client id or secret on a terminal, prints the variables to set."""
    import dataclasses
    import webbrowser

    from .config import oauth_setup_config
    from .oauth_setup import SetupError, SetupRequest, run

    try:
        oauth, instance, prefix = oauth_setup_config(overrides, env_file=env_file)
    except ConfigError as exc:
        _config_error(exc)
    for name in ("client_id", "client_secret"):
        if getattr(oauth, name) is None:
            if not sys.stdin.isatty():
                _config_error(ConfigError(f"oauth-setup needs --oauth-{name.replace('_', '-')} "
                                          f"({prefix}_OAUTH_{name.upper()})"))  # fmt: skip
            value = typer.prompt(f"OAuth {name.replace('_', ' ')}", hide_input=name == "client_secret", err=True)
            oauth = dataclasses.replace(oauth, **{name: value})
    request = SetupRequest(oauth, instance, prefix, site=site, timeout=timeout, open_browser=browser)
    try:
        variables = run(request, say=lambda line: typer.echo(line, err=True), stdin=sys.stdin,
                        browser=webbrowser.open if browser else None)  # fmt: skip
    except SetupError as exc:
        typer.echo(f"atlassian-mcp: oauth-setup: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo("Put these in the MCP server's environment (and your client secret where shown):", err=True)
    for name, value in variables.items():
        typer.echo(f"{name}={value}")


@app.command("oauth-setup", epilog=SHARED)
def oauth_setup_command(ctx: typer.Context) -> None:
    """Sign in with OAuth 2.0 (Cloud 3LO, or Data Center with --jira-url/--confluence-url) and save the tokens.

    Needs --oauth-client-id and --oauth-client-secret (asked for on a terminal), prints the variables to set.

    Optional: --oauth-redirect-uri, --oauth-scope, --site, --no-browser, --callback-timeout."""


@app.command(epilog=SHARED)
def serve(ctx: typer.Context) -> None:
    """Serve MCP over stdio (default), SSE or streamable HTTP."""
    # httpx imports its command-line tool, and with it rich and pygments (2.5 MB, 20 ms), whenever rich is
    # installed (typer brings it); a server never runs that tool, and a None entry makes httpx skip it.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    state: CliState = ctx.obj
    settings = state.settings
    configure_logging(settings)
    server = _server(ctx)
    for warning in settings.warnings:
        typer.echo(f"atlassian-mcp: warning: {warning}", err=True)
    if state.sandbox:
        typer.echo(_sandbox_banner(state), err=True)
    from .transports import run

    run(server, settings)


@app.command(epilog=SHARED)
def tools(
    ctx: typer.Context,
    as_json: Annotated[bool, Opt("--json", help="One JSON object: each tool's name, toolset, kind and size")] = False,
) -> None:
    """List the tools this configuration serves, with the size of each definition (bytes, ~tokens = bytes / 4)."""
    server = _server(ctx)
    rows = []
    for tool in server.list_tools():
        size = len(json.dumps(tool.model_dump(mode="json", by_alias=True, exclude_none=True), separators=(",", ":")))
        spec = server.tools[tool.name]
        kind = "read" if spec.annotations["readOnlyHint"] else "write"
        rows.append({"name": tool.name, "toolset": spec.toolset, "kind": kind, "bytes": size})
    total = sum(row["bytes"] for row in rows)
    if as_json:
        typer.echo(json.dumps({"tools": rows, "count": len(rows), "bytes": total}, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column, justify in (("tool", "left"), ("toolset", "left"), ("kind", "left"), ("bytes", "right"),
                            ("~tokens", "right")):  # fmt: skip
        table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(row["name"], row["toolset"], row["kind"], str(row["bytes"]), str(row["bytes"] // 4))
    console = Console(width=max(100, len(max((r["name"] for r in rows), key=len, default="")) + 50))
    console.print(table)
    console.print(f"{len(rows)} tools, {total} bytes, ~{total // 4} tokens (bytes / 4)", highlight=False)


@app.command(epilog=SHARED)
def check(ctx: typer.Context) -> None:
    """Connect with the configured credentials and report, per product, who is signed in and where."""
    from .probe import probe

    server = _server(ctx)
    failures = asyncio.run(probe(server, typer.echo))
    raise typer.Exit(1 if failures else 0)


def _sandbox_banner(state: CliState) -> str:
    settings = state.settings
    if settings.transport == "stdio":
        config = json.dumps(
            {
                "mcpServers": {
                    "atlassian-sandbox": {
                        "command": "uv",
                        "args": [
                            "run",
                            "--directory",
                            str(Path.cwd()),
                            "atlassian-mcp",
                            "serve",
                            "--sandbox",
                            "--flavor",
                            state.flavor,
                        ],
                    }
                }
            }
        )
        how = f"MCP client configuration (stdio):\n{config}"
    else:
        how = f"connect an MCP client to http://{settings.host}:{settings.port}{settings.path}"
    return f"atlassian-mcp: serving the {state.sandbox} sandbox (in-process Jira and Confluence, no account).\n{how}"


@app.command(epilog=SHARED)
def sandbox(ctx: typer.Context) -> None:
    """Serve the sandbox site alone over HTTP on --host/--port (default 127.0.0.1:8000), for curl or other clients."""
    import uvicorn

    from .sandbox.app import SANDBOX_EMAIL, SANDBOX_TOKEN, create_app

    state: CliState = ctx.obj
    settings = state.settings
    base = f"http://{settings.host}:{settings.port}"
    jira, confluence = (base, f"{base}/wiki") if state.flavor == "cloud" else (f"{base}/jira", f"{base}/confluence")
    creds = (f"JIRA_USERNAME={SANDBOX_EMAIL} JIRA_API_TOKEN={SANDBOX_TOKEN}" if state.flavor == "cloud"
             else f"JIRA_PERSONAL_TOKEN={SANDBOX_TOKEN}")  # fmt: skip
    typer.echo(f"sandbox ({state.flavor}): JIRA_URL={jira} CONFLUENCE_URL={confluence} {creds} "
               f"JIRA_DEPLOYMENT={state.flavor} CONFLUENCE_DEPLOYMENT={state.flavor} (same credentials for Confluence)",
               err=True)  # fmt: skip
    uvicorn.run(create_app(state.flavor), host=settings.host, port=settings.port, log_level="warning")  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> None:
    """Entry point; a command given first (`atlassian-mcp serve --port 1`) is moved after the options."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in COMMANDS and not HELP_FLAGS & set(args):  # `sandbox --help`: the command's help
        command = args.pop(0)
        own = [arg for arg in args if arg in COMMAND_FLAGS.get(command, ())]
        args = [arg for arg in args if arg not in own] + [command, *own]
    app(args=args, prog_name="atlassian-mcp", obj=HELP_ONLY if HELP_FLAGS & set(args) else None)
