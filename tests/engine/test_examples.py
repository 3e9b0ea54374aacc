"""Every rule's own examples: the fixture packs and every built-in pack rule, one test each."""

import pytest

from liveqc.engine import ComplianceEngine
from liveqc.engine.examples import all_misses, rule_misses

from .fixtures import fixture_engine


def _builtin_engine() -> ComplianceEngine:
    return ComplianceEngine()


BUILTIN = _builtin_engine()


def test_fixture_packs_pass_their_examples() -> None:
    assert all_misses(fixture_engine()) == {}


@pytest.mark.parametrize("rule_key", [r.key for r in BUILTIN.rules])
def test_builtin_rule_examples(rule_key: str) -> None:
    rule = BUILTIN.rule(rule_key)
    pack = next(p for p in BUILTIN.packs if p.id == rule.pack)
    assert (pack.hits or {}).get(rule.id), f"{rule_key} has no hit examples"
    assert (pack.oks or {}).get(rule.id), f"{rule_key} has no ok examples"
    misses = rule_misses(BUILTIN, rule)
    assert not misses, "\n".join(f"{m.kind}: {m.text}" for m in misses)


def test_a_wrong_example_is_reported_as_a_miss() -> None:
    engine = fixture_engine()
    rule = engine.rule("absolute_term.superlatives")
    pack = next(p for p in engine.packs if p.id == rule.pack)
    broken = type(pack)(
        pack.id,
        pack.title,
        pack.instrument,
        pack.path,
        pack.rules,
        pack.allowlist,
        {**(pack.hits or {}), rule.id: (type(pack.hits[rule.id][0])("很好用"),)},  # type: ignore[index]
        pack.oks,
    )
    misses = rule_misses(ComplianceEngine(packs=[broken]), rule)
    assert [(m.kind, m.text) for m in misses] == [("hit", "很好用")]
