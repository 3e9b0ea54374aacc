import pytest

from liveqc.engine.matcher import (
    ALLOW,
    EXEMPT,
    SENSE,
    Matcher,
    _build_finder,
    _pyahocorasick_finder,
    literal_factors,
    literal_prefixes,
    literal_runs,
)
from liveqc.engine.packs import Rule


@pytest.mark.parametrize(
    ("pattern", "prefixes"),
    [
        ("全网最.{1,4}", {"全网最"}),
        ("最低?价", {"最价", "最低价"}),
        ("(最|顶)级", {"最级", "顶级"}),
        ("(全网|全国)[^，]{0,6}最", {"全网", "全国"}),
        ("[0-9]+小时", set("0123456789")),
        ("spf\\+", {"spf+"}),
        ("x*y", set()),
        (".{2}最", set()),
        ("[\u4e00-\u9fff]最", set()),
    ],
)
def test_literal_prefixes(pattern: str, prefixes: set[str]) -> None:
    assert literal_prefixes(pattern) == prefixes


@pytest.mark.parametrize(
    ("pattern", "factors"),
    [
        ("([0-9]+|[一二]+)(个)?小时(持续|长效)?", {"小时"}),
        ("(用|吃)了?(不管用|无效)", {"不管用", "无效"}),
        ("(全网|全国)最", {"全网最", "全国最"}),
        ("x*y", {"y"}),
        ("(.)\\1", set()),
        ("我(今年)?[0-9]+岁", {"岁"}),  # a tie goes to the run not made of common characters
    ],
)
def test_literal_factors(pattern: str, factors: set[str]) -> None:
    assert literal_factors(pattern) == factors


def rule(**kw: object) -> Rule:
    base = {
        "pack": "t",
        "id": "absolute_term.x",
        "code": "absolute_term",
        "severity": "high",
        "basis": "b",
        "message": "m",
        "suggestion": "s",
    }
    return Rule(**{**base, **kw})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    rules = [
        rule(keywords=("最好",), exemptions=("最好冷藏",)),
        rule(id="price_fraud.x", code="price_fraud", patterns=("只剩\\d+单", "(.)\\1", "小时")),
    ]
    return Matcher(rules, allowlists=[["三黄片"]], rule_allow=[0, 0], senses=["最近"])


def test_keyword_variants_point_back_to_the_keyword(matcher: Matcher) -> None:
    hits = matcher("这个zui好用")
    assert hits is not None
    assert hits.candidates == [(0, 2, 6, "最好")]


def test_no_candidate_is_the_fast_path(matcher: Matcher) -> None:
    assert matcher("最近天气冷三黄片") is None


def test_spans_of_exemptions_allowlists_and_senses_are_reported(matcher: Matcher) -> None:
    hits = matcher("最近最好冷藏三黄片")
    assert hits is not None
    kinds = {k for k, *_ in hits.spans}
    assert kinds == {EXEMPT, ALLOW, SENSE}


def test_regex_runs_where_its_prefix_was_found_and_free_regex_everywhere(
    matcher: Matcher,
) -> None:
    assert matcher.free_regexes == [1]
    hits = matcher("只剩3单了哈哈")
    assert hits is not None
    assert sorted((s, e) for _, s, e, _ in hits.candidates) == [(0, 4), (5, 7)]
    assert matcher("只剩很多") is None


def test_a_regex_found_through_a_later_literal_searches_the_text() -> None:
    m = Matcher(
        [rule(patterns=("([0-9]+|[一二三]+)个?小时",))],
        allowlists=[[]],
        rule_allow=[0],
        senses=[],
    )
    assert m.free_regexes == []
    hits = m("保湿12小时不是三小时")
    assert hits is not None
    assert [(s, e) for _, s, e, _ in hits.candidates] == [(2, 6), (8, 11)]
    assert m("一二三") is None


def test_both_automaton_backends_find_the_same_overlapping_matches() -> None:
    literals = ["最好", "最好用", "好用", "abcd", "bc"]
    for build in (_build_finder, _pyahocorasick_finder):
        find = build(literals)
        assert find is not None
        assert sorted(find("最好用abc")) == [(0, 0, 2), (1, 0, 3), (2, 1, 3), (4, 4, 6)]


@pytest.mark.parametrize(
    ("pattern", "runs"),
    [
        ("(全网|全国)最[^，]{0,6}第一", [{"全网最", "全国最"}, {"第一"}]),
        ("我(今年)?[0-9]+岁(?!的时候)", [{"我"}, {"岁"}]),
        ("我(今年)?[1-9]岁", [{"我"}, {f"{d}岁" for d in "123456789"}]),
        ("(?<!这)一段", [{"一段"}]),
        (".{2}最?", []),
    ],
)
def test_literal_runs_are_every_literal_a_match_must_contain(
    pattern: str, runs: list[set[str]]
) -> None:
    assert [set(r) for r in literal_runs(pattern)] == runs


def test_a_factor_searched_regex_runs_only_when_its_other_literals_occur() -> None:
    m = Matcher(
        [rule(code="minor_protection", patterns=("我(今年)?(才)?([1-9]|十[一二]?)岁",))],
        allowlists=[[]],
        rule_allow=[0],
        senses=[],
    )
    hits = m("家人们我今年才十二岁")
    assert hits is not None
    assert [(s, e) for _, s, e, _ in hits.candidates] == [(3, 10)]
    assert m("宝宝三岁了") is None  # 岁 without 我: the regex is not even tried
    assert m("我们这个适合三岁以上") is None  # both literals, no match


def test_a_pattern_that_ignores_case_is_not_prefiltered_by_its_literals() -> None:
    m = Matcher(
        [rule(patterns=("(?i:Vx)[0-9]+号",))],
        allowlists=[[]],
        rule_allow=[0],
        senses=[],
    )
    hits = m("加vx12号")
    assert hits is not None
    assert [(s, e) for _, s, e, _ in hits.candidates] == [(1, 6)]
