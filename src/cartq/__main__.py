"""`python -m cartq` runs the same entry point as the `cartq` command."""

from cartq.entry import main

main()
