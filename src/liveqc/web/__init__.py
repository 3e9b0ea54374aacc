"""liveqc.web."""
