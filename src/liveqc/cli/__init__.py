"""The `liveqc` command line (Typer)."""
