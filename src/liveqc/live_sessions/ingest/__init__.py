"""Real-time ingest: batch processing (``process``), the WebSocket protocol (``websocket``)
and the alert fan-out to console streams (``hub``)."""
