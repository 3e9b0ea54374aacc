"""liveqc.compliance."""
