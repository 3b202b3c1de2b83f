"""`python -m syndicate.cli`: the same as the `syndicate` command."""

from . import main

main()
