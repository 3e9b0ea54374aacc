"""liveqc.complaints."""
