"""`python -m liveqc` runs the CLI."""

from liveqc.cli.main import main

main()
