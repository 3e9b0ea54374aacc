"""Archive audits: scan many archived transcript files locally or on Dask distributed.

See docs/archive-audits.md; ``liveqc audit-archive`` is the command.
"""
