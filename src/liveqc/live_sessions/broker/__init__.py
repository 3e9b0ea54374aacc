"""Broker mode: live segments go through NATS JetStream to ``liveqc worker`` processes, which
store and scan them with the same code as the in-process path (``channel``: names, connection
and message format; ``worker``: the consumer; ``writer``: the web side; ``cli``: the command).
See docs/scaling.md, "Streaming: broker mode"."""
