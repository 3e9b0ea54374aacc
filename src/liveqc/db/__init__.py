"""liveqc.db."""
