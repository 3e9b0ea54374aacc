"""liveqc: quality and compliance governance for live-stream e-commerce (直播电商)."""

__version__ = "0.1.0"
