"""`python -m adapter` is `atlassian-mcp`."""

from .cli import main

main()
