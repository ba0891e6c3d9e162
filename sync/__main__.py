"""`python -m sync` is the `okrsync` command."""

from .cli import main

main()
