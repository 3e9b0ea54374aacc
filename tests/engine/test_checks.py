import pytest

from liveqc.engine.checks import CHECKS, CheckInput
from liveqc.engine.facts import Facts
from liveqc.engine.normalize import Normalizer


def run(name: str, text: str, trigger: str, category: str | None = None, **facts: object) -> bool:
    nt = Normalizer()(text)
    start = nt.norm.index(trigger)
    inp = CheckInput(nt, start, start + len(trigger), Facts.from_dict(facts), category)
    return CHECKS[name](inp)


def test_price_vs_history() -> None:
    assert run("price_vs_history", "原价299今天只要99", "原价", lowest_price_7d=109)
    assert not run("price_vs_history", "原价299今天只要99", "原价", lowest_price_7d=299)
    assert run("price_vs_history", "原价两百九十九今天九十九", "原价")  # no history on file


def test_spf_claim() -> None:
    assert run("spf_claim", "spf50防晒", "spf")
    assert run("spf_claim", "spf50防晒", "spf", efficacy_evidence=["sunscreen"], spf=30)
    assert not run("spf_claim", "spf50防晒", "spf", efficacy_evidence=["sunscreen"], spf=50)
    facts = {"efficacy_evidence": ["sunscreen"], "spf": 50, "pa": "+++"}
    assert run("spf_claim", "SPF50 PA++++", "spf", **facts)


def test_scarcity_vs_stock() -> None:
    assert run("scarcity_vs_stock", "最后三单了", "最后", stock_remaining=80)
    assert not run("scarcity_vs_stock", "最后三单了", "最后", stock_remaining=3)
    assert run("scarcity_vs_stock", "最后三单了", "最后")


def test_health_function_covered() -> None:
    facts = {"health_functions": ["增强免疫力"], "registrations": ["health_food"]}
    assert not run("health_function_covered", "提高免疫力", "免疫力", "health_food", **facts)
    assert run("health_function_covered", "缓解疲劳", "缓解疲劳", "health_food", **facts)
    assert run("health_function_covered", "提高免疫力", "免疫力", "food")


def test_verified_claim() -> None:
    claims = ["销量第一: 2025 天猫美妆类目 (third-party report)"]
    assert run("verified_claim", "我们销量第一", "销量第一")
    assert not run("verified_claim", "我们销量第一", "销量第一", verified_claims=claims)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("一段奶粉", True), ("适合0-6个月宝宝的奶粉", True), ("三段奶粉适合一到三岁", False)],
)
def test_target_age_infant(text: str, expected: bool) -> None:
    assert run("target_age_infant", text, "奶粉") is expected


def test_target_age_from_facts() -> None:
    assert run("target_age_infant", "这款奶粉", "奶粉", target_age_months=[0, 6])
    assert not run("target_age_infant", "这款奶粉", "奶粉", target_age_months=[12, 36])
