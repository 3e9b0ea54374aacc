"""liveqc.spot_checks."""
