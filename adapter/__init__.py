"""The MCP server over the generated SDKs (issue 3 builds it)."""
