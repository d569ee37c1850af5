"""Write tests/unit/mcp_atlassian_defaults.json: every parameter default of mcp-atlassian's tools that is not null,
read from its own `tools/list` (all toolsets, a Cloud configuration; nothing is contacted to list tools).

mcp-atlassian is installed into its own venv by bench_compare (`ensure_venv`). Run after a version bump:
`uv run python tests/benchmarks/their_defaults.py`; tests/unit/test_tool_parity.py compares ours with the file.
Their default `fields` list is joined from a set, so its order changes from one run to the next.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

from mcp import Client
from mcp.client.stdio import StdioServerParameters

sys.path.insert(0, str(Path(__file__).parent))
from bench_compare import VERSION, ensure_venv  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "unit" / "mcp_atlassian_defaults.json"
SITE = "https://example.atlassian.net"


async def main() -> None:
    user = {"USERNAME": "a@example.com", "API_TOKEN": "x"}  # never used: listing tools contacts nothing
    env = {
        "PATH": os.environ["PATH"],
        "HOME": tempfile.mkdtemp(),
        "TOOLSETS": "all",
        "JIRA_URL": SITE,
        "CONFLUENCE_URL": f"{SITE}/wiki",
        **{f"{p}_{k}": v for p in ("JIRA", "CONFLUENCE") for k, v in user.items()},
    }
    params = StdioServerParameters(command=str(ensure_venv()), args=[], env=env, cwd=tempfile.mkdtemp())
    async with Client(params) as client:
        tools = (await client.list_tools()).tools
    defaults = {
        tool.name: found
        for tool in sorted(tools, key=lambda t: t.name)
        if (
            found := {
                name: spec["default"]
                for name, spec in tool.input_schema.get("properties", {}).items()
                if spec.get("default") is not None
            }
        )  # fmt: skip
    }
    OUT.write_text(json.dumps({"mcp_atlassian": VERSION, "tools": len(tools), "defaults": defaults}, indent=1) + "\n")
    print(f"{OUT}: {sum(map(len, defaults.values()))} defaults of {len(tools)} tools")


if __name__ == "__main__":
    asyncio.run(main())
