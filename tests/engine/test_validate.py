from liveqc.engine.facts import Facts
from liveqc.engine.matcher import Hits
from liveqc.engine.normalize import Normalizer
from liveqc.engine.packs import Rule
from liveqc.engine.validate import Validator


def rule(**kw: object) -> Rule:
    base = {
        "pack": "t",
        "id": "medical_claim.x",
        "code": "medical_claim",
        "severity": "high",
        "basis": "b",
        "message": "m",
        "suggestion": "s",
        "keywords": ("治疗",),
    }
    return Rule(**{**base, **kw})  # type: ignore[arg-type]


def run(
    r: Rule,
    *,
    terms: set[int] = frozenset(),
    category: str | None = None,
    scene: str = "transcript",
    all_of=(),
    none_of=frozenset(),
    text: str = "能治疗",
    facts: Facts | None = None,
) -> list:
    validator = Validator([r], [all_of], [none_of])
    hits = Hits([(0, 1, 3, "治疗")], [], set(terms))
    nt = Normalizer()(text)
    return validator(hits, nt, category=category, scene=scene, facts=facts or Facts())


def test_category_scoping() -> None:
    r = rule(categories=frozenset({"food"}), not_categories=frozenset({"drug"}))
    assert run(r, category="food")
    assert not run(r, category="cosmetics")
    assert run(r, category=None)  # an unknown category does not excuse a claim
    assert not run(rule(not_categories=frozenset({"drug"})), category="drug")


def test_scene_scoping() -> None:
    r = rule(scenes=frozenset({"comment"}))
    assert run(r, scene="comment")
    assert not run(r, scene="script")


def test_all_of_needs_a_term_of_every_group() -> None:
    r = rule()
    groups = (frozenset({1, 2}), frozenset({3}))
    assert run(r, terms={2, 3}, all_of=groups)
    assert not run(r, terms={1, 2}, all_of=groups)


def test_none_of_cancels() -> None:
    assert not run(rule(), terms={5}, none_of=frozenset({5}))
    assert run(rule(), terms={4}, none_of=frozenset({5}))


def test_checks_decide_with_the_facts() -> None:
    r = rule(id="price_fraud.x", code="price_fraud", check="price_vs_history")
    assert run(r, text="原价299", facts=Facts(lowest_price_7d=99))
    assert not run(r, text="原价299", facts=Facts(lowest_price_7d=299))


def test_the_same_candidate_is_kept_once() -> None:
    validator = Validator([rule()], [()], [frozenset()])
    hits = Hits([(0, 1, 3, "治疗"), (0, 1, 3, "zhi疗")], [], set())
    kept = validator(hits, Normalizer()("能治疗"), category=None, scene="script", facts=Facts())
    assert len(kept) == 1
