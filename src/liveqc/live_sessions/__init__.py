"""liveqc.live_sessions."""
