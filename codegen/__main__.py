"""`python -m codegen`: see codegen/cli.py."""

from .cli import main

main()
