"""liveqc.api."""
