import pytest

from liveqc.engine.merge import Merger
from liveqc.engine.normalize import Normalizer
from liveqc.engine.packs import Rule


def rule(rid: str, code: str, severity: str = "high") -> Rule:
    return Rule("t", rid, code, severity, "b", "m", "s", keywords=("x",))


RULES = [
    rule("absolute_term.a", "absolute_term", "medium"),
    rule("absolute_term.b", "absolute_term", "high"),
    rule("price_fraud.a", "price_fraud"),
]


def test_overlapping_matches_of_one_code_merge_into_one_finding() -> None:
    nt = Normalizer()("全网最低价")
    findings = Merger(RULES, "v1")([(0, 0, 4, "全网最低"), (1, 2, 5, "最低价")], nt)
    assert len(findings) == 1
    f = findings[0]
    assert (f.start, f.end, f.match) == (0, 5, "全网最低价")
    assert f.rule == "absolute_term.b"  # the most severe rule names the merged finding
    assert f.version == "v1"


def test_different_codes_over_one_span_stay_separate_in_stable_order() -> None:
    nt = Normalizer()("全网最低价")
    findings = Merger(RULES, "v1")([(2, 0, 5, "全网最低价"), (0, 2, 5, "最低价")], nt)
    assert [(f.code, f.start) for f in findings] == [("price_fraud", 0), ("absolute_term", 2)]


def test_merged_offsets_are_original_offsets() -> None:
    nt = Normalizer()("说 最 好 的")
    findings = Merger(RULES, "v")([(0, 1, 3, "最好")], nt)
    assert (findings[0].start, findings[0].end, findings[0].match) == (2, 5, "最 好")


def test_explanations_list_every_merged_rule() -> None:
    nt = Normalizer()("最好")
    (f,) = Merger(RULES, "v")([(0, 0, 2, "最好"), (1, 0, 2, "最好")], nt, trace={})
    assert f.explanation is not None
    assert f.explanation.rules == ("t/absolute_term.b", "t/absolute_term.a")


def test_a_finding_is_immutable_and_keeps_the_contract_shape() -> None:
    nt = Normalizer()("这个最好用")
    (finding,) = Merger(RULES, "v1")([(0, 2, 4, "最好")], nt)
    with pytest.raises(AttributeError):
        finding.start = 0  # type: ignore[misc]
    assert finding.to_dict() == {
        "code": "absolute_term",
        "rule": "absolute_term.a",
        "severity": "medium",
        "start": 2,
        "end": 4,
        "match": "最好",
        "basis": "b",
        "message": "m",
        "suggestion": "s",
    }
    assert finding.pack == "t" and finding.version == "v1" and finding.explanation is None
