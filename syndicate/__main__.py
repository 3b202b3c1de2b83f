"""`python -m syndicate`: the same as the `syndicate` command."""

from .cli import main

main()
