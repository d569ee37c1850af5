"""Reliability tests: fuzzing the MCP tools through the protocol against the in-process sandbox."""
