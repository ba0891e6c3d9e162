"""`python -m sync` is the `okrsync` command."""

from .cli.commands import main

main()
