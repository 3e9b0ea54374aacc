"""Process tuning for long-running liveqc servers and workers.

A server keeps large object graphs for its whole life (the compiled rule catalogue, the
SQLAlchemy mappers, the modules) and makes many short-lived objects per request. CPython's
cyclic collector would walk the long-lived graph at every full collection: pauses of tens of
milliseconds that show as the tail latency of live alerts (``benchmarks/live_ingest.py``: p99
from about 330 ms to about 70 ms at 2,000 segments/s on SQLite). So after start-up we build what
lives for the whole process, move it out of the collector's sight (``gc.freeze``), and collect
the young generation less often. Cycles made later are still collected.
"""

from __future__ import annotations

import gc

#: Young-generation allocations between collections (CPython's default is 700), then the
#: default ratios for the older generations scaled so full collections stay rare.
GC_THRESHOLDS = (50_000, 50, 1_000)


def warm_up() -> None:
    """Build the compliance engine of the built-in catalogue (organisations without a
    dictionary of their own share it), so the first live segments do not wait for it."""
    from liveqc.compliance.engines import EMPTY, engines

    engines.get(0, EMPTY)


def settle_heap() -> None:
    """Freeze what exists now out of the collector's sight and collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def settle_for_serving() -> None:
    """Call once in a server or worker process, after start-up and before serving."""
    warm_up()
    settle_heap()
