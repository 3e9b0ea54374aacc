"""liveqc.products."""
