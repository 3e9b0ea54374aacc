from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from liveqc.compliance import engines as engines_module
from liveqc.compliance.engines import Dictionary, EngineCache, build_engine, builtin_packs

BANNED = Dictionary(banned=(("小钢炮", "absolute_term", "high"),))


@pytest.fixture
def cache() -> Iterator[EngineCache]:
    cache = EngineCache()
    yield cache
    cache.wait_all()


def test_fingerprint_follows_content() -> None:
    assert Dictionary().fingerprint == Dictionary().fingerprint
    assert BANNED.fingerprint != Dictionary().fingerprint
    assert Dictionary(allow=("第一次",)).fingerprint != Dictionary(disabled=("第一次",)).fingerprint


def test_org_pack_rules_carry_code_severity_and_basis() -> None:
    engine = build_engine(BANNED)
    (finding,) = engine.check("煮饭小 钢 炮", scene="script").findings
    assert (finding.code, finding.severity, finding.rule) == (
        "absolute_term",
        "high",
        "absolute_term.org_dictionary_high",
    )
    assert finding.basis.startswith("Advertising Law")


def test_first_build_is_on_demand_and_engines_are_shared(cache: EngineCache) -> None:
    assert cache.current(1) is None
    first = cache.get(1, Dictionary())
    assert cache.get(1, Dictionary()) is first
    assert cache.get(2, Dictionary()) is first  # same dictionary, same engine
    assert cache.get(3, BANNED) is not first


def test_old_engine_serves_until_the_new_one_is_swapped_in(
    cache: EngineCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = cache.get(1, Dictionary())
    release = threading.Event()
    real_build = engines_module.build_engine

    def slow_build(dictionary: Dictionary) -> object:
        release.wait(timeout=30)
        return real_build(dictionary)

    monkeypatch.setattr(engines_module, "build_engine", slow_build)
    assert cache.get(1, BANNED) is old  # rebuild started, old one answers at once
    assert cache.get(1, BANNED) is old  # the same rebuild, not a second one
    release.set()
    cache.wait(1)
    new = cache.get(1, BANNED)
    assert new is not old and new.check("小钢炮", scene="script").findings


def test_changed_rebuilds_only_organisations_that_have_an_engine(cache: EngineCache) -> None:
    cache.changed(1, BANNED)
    assert cache.current(1) is None
    cache.get(1, Dictionary())
    cache.changed(1, BANNED)
    cache.wait(1)
    current = cache.current(1)
    assert current is not None and current[0] == BANNED.fingerprint


def test_a_failed_rebuild_keeps_the_old_engine(cache: EngineCache) -> None:
    old = cache.get(1, Dictionary())
    broken = Dictionary(banned=(("小钢炮", "no_such_code", "high"),))
    cache.refresh(1, broken)
    cache.wait(1)
    assert cache.get(1, Dictionary()) is old


def test_a_disabled_rule_the_catalogue_dropped_does_not_break_scanning() -> None:
    rule = builtin_packs()[0].rules[0]
    engine = build_engine(Dictionary(disabled=(rule.key, "old_pack/absolute_term.gone")))
    total = sum(len(p.rules) for p in builtin_packs())
    assert all(r.key != rule.key for r in engine.rules) and len(engine.rules) == total - 1
