"""Run every rule's own hit/ok examples (``liveqc rules test`` and the test suite)."""

from __future__ import annotations

from dataclasses import dataclass

from liveqc.engine.engine import ComplianceEngine
from liveqc.engine.packs import Example, Rule


@dataclass(frozen=True, slots=True)
class Miss:
    """An example the rule got wrong: ``kind`` is ``hit`` (not found) or ``ok`` (found)."""

    rule: str
    kind: str
    text: str


def rules_fired(engine: ComplianceEngine, example: Example) -> set[str]:
    """``pack/id`` of every rule that fired on the example, merged findings included."""
    result = engine.check(
        example.text,
        category=example.category,
        facts=example.facts,
        scene=example.scene,
        explain=True,
    )
    fired: set[str] = set()
    for f in result.findings:
        fired.add(f"{f.pack}/{f.rule}")
        if f.explanation is not None:
            fired.update(f.explanation.rules)
    return fired


def rule_misses(engine: ComplianceEngine, rule: Rule) -> list[Miss]:
    """The examples of one rule that it gets wrong (an empty list when all pass)."""
    pack = next(p for p in engine.packs if p.id == rule.pack)
    misses: list[Miss] = []
    for ex in (pack.hits or {}).get(rule.id, ()):
        if rule.key not in rules_fired(engine, ex):
            misses.append(Miss(rule.key, "hit", ex.text))
    for ex in (pack.oks or {}).get(rule.id, ()):
        if rule.key in rules_fired(engine, ex):
            misses.append(Miss(rule.key, "ok", ex.text))
    return misses


def all_misses(engine: ComplianceEngine) -> dict[str, list[Miss]]:
    """Misses per rule key for every pack rule of the engine (rules with none are omitted)."""
    out: dict[str, list[Miss]] = {}
    for rule in engine.rules:
        if rule.pack == "org":
            continue
        misses = rule_misses(engine, rule)
        if misses:
            out[rule.key] = misses
    return out
