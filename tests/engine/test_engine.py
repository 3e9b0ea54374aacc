import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from liveqc.engine import ComplianceEngine, InvalidFacts, load_packs
from liveqc.errors import RulePackError

from .fixtures import PACKS, fixture_engine


def codes(text: str, **kw: object) -> set[str]:
    return set(fixture_engine().check(text, **kw).codes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("plain", "evasions"),
    [
        (
            "这款面霜最好用",
            [
                "这款面霜zui好用",
                "这款面霜最 好 用",
                "这款面霜醉好用",
                "這款面霜最好用",
                "这款面霜最*好*用",
                "这款面霜ZUIHAO用",
                "这款面霜最\u200b好用",
            ],
        ),
        ("全网最低价", ["全网zui低价", "全网最*低*价", "全网醉低价", "全网z低价", "全网最 低 价"]),
        (
            "加微信私聊",
            ["加V信私聊", "加vx私聊", "加薇信私聊", "加威信私聊", "加wei信私聊", "+V私聊"],
        ),
        ("这个茶能治疗高血压", ["这个茶能zhi疗高血压", "这个茶能治 疗高血压"]),
    ],
)
def test_evasion_is_judged_like_the_plain_form(plain: str, evasions: list[str]) -> None:
    expected = codes(plain)
    assert expected
    for text in evasions:
        assert codes(text) == expected, text


@pytest.mark.parametrize(
    "text",
    [
        "最近天气冷，大家注意保暖",
        "再低一点就亏本了",
        "第一次来直播间的朋友点个关注",
        "三黄片是中成药",
        "喝醉了也别忘了下单",
        "这个价格很实惠",
        "",
    ],
)
def test_hard_negatives_are_clean(text: str) -> None:
    assert codes(text) == set()


def test_findings_carry_original_offsets_under_random_noise() -> None:
    rng = random.Random(3)
    noise = [" ", "*", "，", "\u200b", "😀", "/"]
    for _ in range(200):
        text = "".join(c + (rng.choice(noise) if rng.random() < 0.3 else "") for c in "它最好用")
        result = fixture_engine().check(text)
        (f,) = result.findings
        assert f.match == text[f.start : f.end]
        assert f.match[0] == "最" and f.match[-1] == "好"


def test_contract_fields_of_a_finding() -> None:
    (f,) = fixture_engine().check("这是全网最好用的面霜").findings
    assert f.to_dict() == {
        "code": "absolute_term",
        "rule": "absolute_term.superlatives",
        "severity": "high",
        "start": 2,
        "end": 7,
        "match": "全网最好用",
        "basis": "Advertising Law art. 9(3)",
        "message": "使用了“最好/最佳/第一”等绝对化用语",
        "suggestion": "改为客观描述，如“很好用”“回购率高”",
    }
    assert f.version == fixture_engine().version


def test_two_separate_assertions_give_two_codes() -> None:
    assert codes("全网最低价") == {"absolute_term", "price_fraud"}


def test_price_checked_against_the_seven_day_lowest_price() -> None:
    text = "原价299今天只要99"
    assert "price_fraud" in codes(text, facts={"lowest_price_7d": 109})
    assert "price_fraud" not in codes(text, facts={"lowest_price_7d": 299})
    assert "price_fraud" in codes(text)  # no price history on file


def test_version_is_stable_and_tracks_the_catalogue() -> None:
    packs = load_packs([PACKS], include_builtin=False)
    a = ComplianceEngine(packs=packs)
    b = ComplianceEngine(packs=packs)
    c = ComplianceEngine(packs=packs, disabled_rules=["absolute_term.superlatives"])
    d = ComplianceEngine(packs=packs, extra_allowlist=["最好"])
    assert a.version == b.version
    assert len({a.version, c.version, d.version}) == 3


def test_disabled_rules_and_organisation_dictionaries() -> None:
    packs = load_packs([PACKS], include_builtin=False)
    off = ComplianceEngine(packs=packs, disabled_rules=["basic/absolute_term.superlatives"])
    assert "absolute_term" not in off.check("这是最好的").codes
    org = ComplianceEngine(
        packs=packs, extra_keywords={"superstition": ["锦鲤附体"]}, extra_allowlist=["最好吃"]
    )
    result = org.check("锦鲤附体的手串")
    assert [(f.code, f.rule, f.pack) for f in result.findings] == [
        ("superstition", "superstition.org_dictionary", "org")
    ]
    assert not org.check("这是最好吃的").findings
    with pytest.raises(RulePackError, match="unknown rule id"):
        ComplianceEngine(packs=packs, disabled_rules=["absolute_term.nope"])
    with pytest.raises(RulePackError, match="unknown code"):
        ComplianceEngine(packs=packs, extra_keywords={"rudeness": ["x"]})


def test_extra_rule_dirs_add_packs() -> None:
    packs = load_packs([PACKS / "basic"], include_builtin=False)
    engine = ComplianceEngine(packs=packs, extra_rule_dirs=[PACKS / "extra"])
    assert "superstition" in engine.check("大师开光").codes


def test_bad_category_and_scene_are_errors() -> None:
    with pytest.raises(InvalidFacts, match="unknown category"):
        fixture_engine().check("x", category="spaceship")
    with pytest.raises(InvalidFacts, match="unknown scene"):
        fixture_engine().check("x", scene="radio")


def test_check_many_and_concurrent_reads_agree() -> None:
    engine = fixture_engine()
    texts = ["这是最好的", "最近很好", "加V信", "原价299"] * 50
    serial = [r.codes for r in engine.check_many(texts)]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda t: engine.check(t).codes, texts))
    assert serial == threaded


def test_a_long_utterance_is_scanned() -> None:
    text = "家人们这个真的很好" * 100_000 + "最好用"
    (f,) = fixture_engine().check(text).findings
    assert f.start == len(text) - 3


def test_check_many_equals_check_one_by_one() -> None:
    engine = fixture_engine()
    texts = ["这是最 好的", "", "最近很好", "加V信", "原价299", "a.b", "9\u0000.5最好", "三黄片"]
    facts = {"lowest_price_7d": 10}
    batch = engine.check_many(texts, facts=facts, category="cosmetics")
    single = [engine.check(t, facts=facts, category="cosmetics") for t in texts]
    assert batch == single
    assert engine.check_many(texts[:1]) == [engine.check(texts[0])]
    with pytest.raises(InvalidFacts):
        engine.check_many(texts, scene="radio")


def test_offsets_survive_every_normalisation_at_once() -> None:
    """Noise, full width, upper case and traditional characters mixed at random."""
    rng = random.Random(11)
    noise = [" ", "*", "、", "\u200b", "✨", "-", "　"]
    fold = {"这": "這", "价": "價", "网": "網", "z": "Ｚ", "u": "Ｕ", "i": "I"}
    plain = "家人们这是全网zui低价的面霜"
    expected = codes(plain)
    assert expected == {"absolute_term", "price_fraud"}
    for _ in range(200):
        text = ""
        for c in plain:
            text += fold[c] if c in fold and rng.random() < 0.5 else c
            if rng.random() < 0.3:
                text += rng.choice(noise)
        result = fixture_engine().check(text)
        assert result.codes == expected, text
        for f in result.findings:
            assert f.match == text[f.start : f.end]
            assert f.match[0] in "全zZＺ" and f.match[-1] in "价價"
