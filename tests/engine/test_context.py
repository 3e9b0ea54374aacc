import pytest

from liveqc.engine import Facts

from .fixtures import fixture_engine

SUPERLATIVE = "absolute_term.superlatives"


def rules_found(text: str, **kw: object) -> set[str]:
    return {f.rule for f in fixture_engine().check(text, **kw).findings}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "我们不说最好，只说好用",
        "广告法规定不能说最好",
        "主播不敢说第一",
        "“最好”这个词不能用",
        "最好这两个字不能说",
        "不要加微信，小心被骗",
    ],
)
def test_negation_and_quotation_cancel(text: str) -> None:
    assert not rules_found(text) - {"price_fraud.scarcity"}


def test_negation_does_not_cross_a_clause() -> None:
    assert SUPERLATIVE in rules_found("这个不说，最好的面霜就是它")


def test_negation_far_away_does_not_cancel() -> None:
    assert "medical_claim.disease" in rules_found("不用吃药也不用打针天天喝就能治疗")


@pytest.mark.parametrize(
    "text",
    ["最近很多人问", "第一次来直播间的宝宝", "第一步先洁面", "第一时间发货", "最后一天发货截止"],
)
def test_ordinal_and_time_senses_are_not_claims(text: str) -> None:
    assert SUPERLATIVE not in rules_found(text)


def test_rule_exemption() -> None:
    assert SUPERLATIVE not in rules_found("开封后最好冷藏")
    assert SUPERLATIVE in rules_found("这是最好的面霜")


def test_longest_allowlist_entry_wins_over_a_banned_phrase_inside() -> None:
    assert "prohibited_product.porn" not in rules_found("三黄片是中成药")
    assert "prohibited_product.porn" in rules_found("看黄片")


def test_brand_from_facts_is_not_a_claim() -> None:
    assert SUPERLATIVE in rules_found("第一坊的新品到了")
    assert SUPERLATIVE not in rules_found("第一坊的新品到了", facts={"brand": "第一坊"})


def test_facts_lift_a_rule_only_when_all_conditions_hold() -> None:
    text = "这个精华能美白"
    rule = "efficacy_unsupported.whitening"
    assert rule in rules_found(text, category="cosmetics")
    half = Facts(registrations=frozenset({"special_cosmetic"}))
    assert rule in rules_found(text, category="cosmetics", facts=half)
    full = Facts(
        registrations=frozenset({"special_cosmetic"}),
        efficacy_evidence=frozenset({"whitening"}),
    )
    assert rule not in rules_found(text, category="cosmetics", facts=full)


def test_negation_can_be_switched_off_per_rule() -> None:
    assert "minor_protection.pester" in rules_found("小朋友不让爸爸妈妈下单吗", scene="script")


def test_explain_says_why_a_match_was_dropped() -> None:
    result = fixture_engine().check("我们不说最好", explain=True)
    assert not result.findings
    (dropped,) = result.suppressed
    assert dropped.explanation is not None
    assert "negated" in dropped.explanation.notes
