"""Test-report verdicts computed from limit and result, accreditation numbers, standard codes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from liveqc.products.test_reports import (
    LimitKind,
    ResultKind,
    TestItem,
    Verdict,
    evaluate,
    find_standard_codes,
    judge,
    overall_verdict,
    parse_cma_number,
    parse_cnas_number,
    parse_limit,
    parse_result,
    parse_standard_code,
)

P, F, R, N = Verdict.PASS, Verdict.FAIL, Verdict.NEEDS_REVIEW, Verdict.NOT_JUDGED


@pytest.mark.parametrize(
    ("limit", "result", "unit", "expected"),
    [
        # upper bounds, inclusive and exclusive
        ("≤ 10", "8.3", "mg/kg", P),
        ("≤10", "10", "", P),
        ("≤10", "10.0001", "", F),
        ("<0.5", "0.5", "", F),
        ("<0.5", "0.49", "", P),
        ("<=0.5", "0.5", "", P),
        ("不大于0.3", "0.31", "g/100g", F),
        ("不超过 100", "100", "", P),
        ("10以下", "10", "", P),
        # lower bounds
        ("≥ 95", "95.0", "%", P),
        ("≥95", "94.99", "%", F),
        (">95", "95", "", F),
        ("不低于 60", "61", "", P),
        # ranges are inclusive at both ends, whatever the dash
        ("10~20", "10", "", P),
        ("10～20", "20", "", P),
        ("10-20", "9.99", "", F),
        ("10—20", "20.5", "", F),
        ("6.5~8.5", "7.2", "", P),
        ("10±2", "12", "", P),
        ("10±2", "12.5", "", F),
        ("≥2且≤5", "5", "", P),
        ("≥2且≤5", "1.9", "", F),
        # results below or above a reporting threshold
        ("≤10", "<0.01", "", P),
        ("≤10", "<20", "", R),
        ("≤10", ">20", "", F),
        ("≥95", "<0.01", "", F),
        # not detected against numeric limits
        ("≤10", "未检出", "", P),
        ("≤10", "ND", "", P),
        ("≥95", "未检出", "", F),
        ("10~20", "ND", "", F),
        ("≤0.01", "未检出(<0.05)", "", R),
        ("≤0.01", "ND(0.005)", "", P),
        ("≤0.01", "未检出（检出限0.01）", "", P),
        ("≤0.01", "ND (LOD 0.02)", "", R),
        # absence required
        ("不得检出", "未检出", "", P),
        ("不得检出", "ND", "", P),
        ("不得检出", "<0.01", "", P),
        ("不得检出", "0", "", P),
        ("不得检出", "0.02", "", F),
        ("不得检出", "检出", "", F),
        ("未检出", "未检出", "", P),
        ("ND", "ND", "", P),
        ("ND", "3.1", "", F),
        ("阴性", "阴性", "", P),
        ("阴性", "阳性", "", F),
        ("不得检出/25g", "未检出/25g", "", P),
        ("0/25g", "0/25g", "", P),
        ("0/25g", "1/25g", "", F),
        # qualitative
        ("符合", "符合", "", P),
        ("符合", "不符合", "", F),
        ("符合", "合格", "", P),
        ("具有该产品应有的色泽", "正常", "", P),
        ("无异物", "无异物", "", P),
        ("无异物", "可见黑点", "", R),
        # a typed verdict is not a measurement
        ("≤10", "符合", "", R),
        ("≤10", "不合格", "", F),
        # no limit, missing or unreadable parts
        ("—", "8.3", "", N),
        ("/", "8.3", "", N),
        ("", "8.3", "", R),
        ("≤10", "", "", R),
        ("n=5,c=2,m=100,M=1000", "50", "CFU/g", R),
        ("≤10", "约8", "", R),
        # scientific notation and thousands separators
        ("≤1.0×10⁴", "5000", "CFU/g", P),
        ("≤1.0×10^4", "2.0×10⁴", "CFU/g", F),
        ("≤ 1,000", "999", "", P),
        ("≤1E3", "1001", "", F),
        # notes in brackets do not change the number
        ("≤10（以Pb计）", "3", "", P),
        ("≤10以Pb计", "11", "", F),
        # units with spaces or in Chinese, and result ranges such as colour-fastness grades
        ("≤ 5.0 g/100 g", "4.8", "g/100g", P),
        ("≥3级", "4-5", "级", P),
        ("≥3级", "1-2", "级", F),
        ("≥3级", "2-4", "级", R),
    ],
)
def test_item_verdict_is_computed_from_limit_and_result(
    limit: str, result: str, unit: str, expected: Verdict
) -> None:
    outcome = judge(TestItem("项目", limit=limit, result=result, unit=unit))
    assert outcome.verdict is expected, outcome.reason


@pytest.mark.parametrize(
    ("limit", "result", "unit"),
    [
        ("≤10 mg/kg", "8 mg/L", ""),
        ("≤10 mg/kg", "8", "g/kg"),
        ("≤10", "8 mg/kg", "g/kg"),
        ("≥95%", "96 g/100g", ""),
    ],
)
def test_unit_mismatch_needs_review_rather_than_a_guess(limit: str, result: str, unit: str) -> None:
    outcome = judge(TestItem("x", limit=limit, result=result, unit=unit))
    assert outcome.verdict is R
    assert "unit mismatch" in outcome.reason


@pytest.mark.parametrize(
    ("limit", "result", "unit"),
    [
        ("≤10 mg/kg", "8.3 mg/kg", "mg/kg"),
        ("≤10 µg/kg", "8.3", "μg/kg"),
        ("≤10 ug/kg", "8.3 μg/kg", ""),
        ("≤0.1％", "0.05%", "%"),
        ("≤100 cfu/g", "20", "CFU/g"),
    ],
)
def test_same_unit_spelled_differently_is_not_a_mismatch(
    limit: str, result: str, unit: str
) -> None:
    assert judge(TestItem("x", limit=limit, result=result, unit=unit)).verdict is P


def test_limit_parsing_keeps_bounds_and_unit() -> None:
    limit = parse_limit("≥ 95 %")
    assert limit.kind is LimitKind.NUMERIC
    assert limit.lower is not None and limit.lower.value == Decimal(95) and limit.lower.inclusive
    assert limit.upper is None and limit.unit == "%"
    strict = parse_limit("＜0.5mg/kg")
    assert strict.upper is not None and not strict.upper.inclusive and strict.unit == "mg/kg"


def test_decimal_arithmetic_has_no_float_error() -> None:
    assert judge(TestItem("x", limit="≤0.3", result="0.30")).verdict is P
    assert parse_result("0.1").lower is not None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("8.3", ResultKind.VALUE),
        ("<0.01", ResultKind.VALUE),
        ("未检出", ResultKind.NOT_DETECTED),
        ("N.D.", ResultKind.NOT_DETECTED),
        ("<LOD", ResultKind.NOT_DETECTED),
        ("阳性", ResultKind.DETECTED),
        ("符合", ResultKind.CONFORM),
        ("不符合", ResultKind.NONCONFORM),
        ("", ResultKind.MISSING),
        ("见附页", ResultKind.UNPARSED),
    ],
)
def test_result_kinds(text: str, kind: ResultKind) -> None:
    assert parse_result(text).kind is kind


def test_not_detected_keeps_its_detection_limit() -> None:
    result = parse_result("未检出 (<0.01 mg/kg)")
    assert result.upper is not None and result.upper.value == Decimal("0.01")
    assert result.unit == "mg/kg"


# --- overall verdict ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([P, P], P),
        ([P, F, R], F),
        ([P, R], R),
        ([P, N], P),
        ([N, N], R),
        ([], R),
    ],
)
def test_overall_verdict(verdicts: list[Verdict], expected: Verdict) -> None:
    assert overall_verdict(verdicts) is expected


def test_report_verdict_lists_failing_and_undecided_items() -> None:
    report = evaluate(
        [
            TestItem("铅", limit="≤1.0", result="0.2", unit="mg/kg"),
            TestItem("菌落总数", limit="≤1000", result="1500", unit="CFU/g"),
            TestItem("水分", limit="≤10", result="8", unit="g/kg"),
        ]
    )
    assert report.verdict is F
    assert [i.verdict for i in report.items] == [P, F, P]
    assert len(report.reasons) == 1 and report.reasons[0].startswith("菌落总数: fail")


def test_malformed_accreditation_number_turns_a_pass_into_review() -> None:
    items = [TestItem("铅", limit="≤1.0", result="0.2")]
    assert evaluate(items, cma_number="171012050123", cnas_number="CNAS L1234").verdict is P
    flagged = evaluate(items, cma_number="17101205012")
    assert flagged.verdict is R and "CMA" in flagged.reasons[0]


def test_report_without_items_needs_review() -> None:
    report = evaluate([])
    assert report.verdict is R and report.reasons


# --- accreditation numbers ------------------------------------------------------------------------


def test_cma_number_has_twelve_digits() -> None:
    check = parse_cma_number("CMA 1710 1205 0123")
    assert check.ok and check.parts["year"] == "17"
    assert not parse_cma_number("1710120501234").ok
    assert not parse_cma_number("17101205012A").ok
    assert parse_cma_number("(2011)量认(国)字(Z0123)号").legacy


@pytest.mark.parametrize(
    ("text", "value"),
    [("CNAS L1234", "CNAS L1234"), ("cnas l12345", "CNAS L12345"), ("CNAS IB0123", "CNAS IB0123")],
)
def test_cnas_laboratory_and_inspection_numbers(text: str, value: str) -> None:
    check = parse_cnas_number(text)
    assert check.ok and check.value == value and not check.notes


def test_cnas_number_of_a_body_that_issues_no_test_reports_is_noted() -> None:
    assert parse_cnas_number("CNAS C001-M").notes
    assert not parse_cnas_number("CNAS X1234").ok
    assert not parse_cnas_number("L1234").ok


# --- standard codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "level", "mandatory"),
    [
        ("GB 2762-2022", "GB 2762-2022", "national", True),
        ("GB/T 2828.1-2012", "GB/T 2828.1-2012", "national", False),
        ("GB 4806.7—2016", "GB 4806.7-2016", "national", True),
        ("GB 5009.12-2017 第一法", "GB 5009.12-2017", "national", True),
        ("QB/T 1857-2013", "QB/T 1857-2013", "industry", False),
        ("SN/T 1234-2010", "SN/T 1234-2010", "industry", False),
        ("T/CNHAW 0001-2020", "T/CNHAW 0001-2020", "group", False),
        ("Q/ABC 0001S-2020", "Q/ABC 0001S-2020", "enterprise", False),
        ("DB31/ 2004-2012", "DB31/ 2004-2012", "local", True),
        ("DB44/T 1234-2020", "DB44/T 1234-2020", "local", False),
        ("ISO 2859-1:1999", "ISO 2859-1:1999", "international", False),
        ("GB 2763", "GB 2763", "national", True),
    ],
)
def test_standard_codes_are_parsed(text: str, code: str, level: str, mandatory: bool) -> None:
    parsed = parse_standard_code(text)
    assert parsed is not None
    assert (parsed.code, parsed.level, parsed.mandatory) == (code, level, mandatory)


def test_a_method_column_may_cite_several_standards() -> None:
    codes = find_standard_codes("GB 5009.3-2016、GB/T 5009.4-2016")
    assert [(c.prefix, c.number, c.year) for c in codes] == [
        ("GB", "5009.3", "2016"),
        ("GB/T", "5009.4", "2016"),
    ]


def test_text_without_a_standard_gives_none() -> None:
    assert parse_standard_code("企业内控方法") is None
