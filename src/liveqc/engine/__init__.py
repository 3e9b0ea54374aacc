"""liveqc.engine: a pure library that turns utterances and product facts into findings.

``from liveqc.engine import ComplianceEngine`` is all most callers need; see docs/engine.md.
"""

from __future__ import annotations

from liveqc.engine.engine import ComplianceEngine
from liveqc.engine.facts import Facts, InvalidFacts
from liveqc.engine.findings import Explanation, Finding, ScanResult
from liveqc.engine.packs import Rule, RulePack, load_packs
from liveqc.engine.taxonomy import CATEGORIES, CODES, SCENES

__all__ = [
    "CATEGORIES",
    "CODES",
    "SCENES",
    "ComplianceEngine",
    "Explanation",
    "Facts",
    "Finding",
    "InvalidFacts",
    "Rule",
    "RulePack",
    "ScanResult",
    "load_packs",
]
