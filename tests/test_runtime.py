"""Serving processes settle their heap once: the rule catalogue is built, then frozen out of the
collector's sight (run in a child process: it changes the interpreter's global state)."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import gc, json
from liveqc.compliance.engines import engines
from liveqc.runtime import GC_THRESHOLDS, settle_for_serving
before = gc.get_freeze_count()
settle_for_serving()
print(json.dumps({
    "before": before,
    "frozen": gc.get_freeze_count(),
    "thresholds": list(gc.get_threshold()),
    "expected": list(GC_THRESHOLDS),
    "engine": engines.current(0) is not None,
}))
"""


def test_settling_builds_the_catalogue_and_freezes_it() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=True
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["engine"] is True
    assert seen["frozen"] > seen["before"] + 10_000  # the catalogue and modules, frozen
    assert seen["thresholds"] == seen["expected"]
