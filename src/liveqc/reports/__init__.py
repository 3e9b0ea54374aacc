"""liveqc.reports."""
