"""The floor for start-up: the mcp SDK's low-level server over stdio with no tools, and nothing else imported.

bench_compare.py starts it exactly as it starts the real servers; what our server costs above this is ours.
"""

import anyio
from mcp import types
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server


async def on_list_tools(ctx: object, params: object) -> types.ListToolsResult:
    return types.ListToolsResult(tools=[])


async def on_call_tool(ctx: object, params: types.CallToolRequestParams) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text="floor")])


async def main() -> None:
    server: Server[object] = Server("floor", on_list_tools=on_list_tools, on_call_tool=on_call_tool)  # type: ignore[arg-type]
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
