"""liveqc.search: one search box across products, live sessions, complaints and findings."""
