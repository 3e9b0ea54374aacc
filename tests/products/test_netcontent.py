from __future__ import annotations

from decimal import Decimal

import pytest

from liveqc.errors import ValidationFailed
from liveqc.products.netcontent import (
    NetContentVerdict,
    Rounding,
    check_batch,
    sampling_plan,
    tolerance,
)

D = Decimal

# (Qn, unit, T half-up, T half-even, lower limit half-up, 2T limit half-up); reference §2.4
REFERENCE_VALUES = [
    ("5", "g", "0.5", "0.4", "4.5", "4.0"),
    ("25", "g", "2.3", "2.2", "22.7", "20.4"),
    ("30", "g", "2.7", "2.7", "27.3", "24.6"),
    ("33", "g", "3.0", "3.0", "30.0", "27.0"),
    ("50", "g", "4.5", "4.5", "45.5", "41.0"),
    ("75", "mL", "4.5", "4.5", "70.5", "66.0"),
    ("100", "g", "4.5", "4.5", "95.5", "91.0"),
    ("125", "g", "5.6", "5.6", "119.4", "113.8"),
    ("130", "g", "5.9", "5.8", "124.1", "118.2"),
    ("150", "g", "6.8", "6.8", "143.2", "136.4"),
    ("250", "g", "9.0", "9.0", "241.0", "232.0"),
    ("350", "mL", "10.5", "10.5", "339.5", "329.0"),
    ("500", "g", "15.0", "15.0", "485.0", "470.0"),
    ("750", "mL", "15.0", "15.0", "735.0", "720.0"),
    ("1", "kg", "0.015", "0.015", "0.985", "0.970"),
    ("1.25", "kg", "0.019", "0.019", "1.231", "1.212"),
    ("1.5", "L", "0.023", "0.022", "1.477", "1.454"),
    ("2.5", "kg", "0.038", "0.038", "2.462", "2.424"),
    ("5", "kg", "0.075", "0.075", "4.925", "4.850"),
    ("12", "kg", "0.150", "0.150", "11.850", "11.700"),
    ("25", "kg", "0.250", "0.250", "24.750", "24.500"),
    ("100", "count", "1", "1", "99", "98"),
    ("120", "count", "2", "2", "118", "116"),
    ("150", "count", "2", "2", "148", "146"),
    ("50", "count", "0", "0", "50", "50"),
    ("5", "m", "0", "0", "5", "5"),
    ("10", "m", "0.2", "0.2", "9.8", "9.6"),
    ("2", "m2", "0.06", "0.06", "1.94", "1.88"),
]


@pytest.mark.parametrize(("qn", "unit", "up", "even", "lower", "two_t"), REFERENCE_VALUES)
def test_reference_tolerances(
    qn: str, unit: str, up: str, even: str, lower: str, two_t: str
) -> None:
    half_up = tolerance(qn, unit, Rounding.HALF_UP)
    assert half_up.t == D(up)
    assert tolerance(qn, unit, Rounding.HALF_EVEN).t == D(even)
    assert half_up.nominal - half_up.t == D(lower)
    assert half_up.nominal - half_up.two_t == D(two_t)


def test_default_rounding_is_half_even() -> None:
    assert tolerance("1.5", "L").t == D("0.022")
    assert tolerance("130", "g").rounding is Rounding.HALF_EVEN


def test_contract_examples() -> None:
    assert tolerance(500, "g").to_dict() == {
        "nominal": 500,
        "unit": "g",
        "t": 15.0,
        "t_unit": "g",
        "rule": "15 g",
    }
    two_kg = tolerance("2", "kg").to_dict()
    assert (two_kg["t"], two_kg["t_unit"], two_kg["nominal"]) == (0.03, "kg", 2)


def test_percentage_rule_names_the_rounding_step() -> None:
    assert tolerance(400, "g").rule == "3 % × Qn (rounded to 0.1 g)"
    assert tolerance(2, "L").rule == "1.5 % × Qn (rounded to 1 mL)"


@pytest.mark.parametrize(
    ("qn", "t"), [("50", "4.5"), ("200", "9"), ("10000", "150"), ("15000", "150")]
)
def test_t_is_continuous_at_band_edges(qn: str, t: str) -> None:
    assert tolerance(qn, "g").t == D(t)
    assert tolerance(D(qn) - D("0.001"), "g").t <= D(t)


def test_top_of_the_table_is_fifty_kilograms() -> None:
    assert tolerance(50, "kg").t == D("0.5")
    assert tolerance(50000, "mL").t == D(500)


@pytest.mark.parametrize(
    ("qn", "unit"), [("50.001", "kg"), ("0", "g"), ("-5", "g"), ("abc", "g"), ("5", "oz")]
)
def test_out_of_range_or_unknown(qn: str, unit: str) -> None:
    with pytest.raises(ValidationFailed):
        tolerance(qn, unit)


def test_unit_aliases() -> None:
    assert tolerance(500, "ml").unit == "mL"
    assert tolerance(2, "l").t == D("0.03")


@pytest.mark.parametrize(
    ("lot", "n", "lam", "c1"),
    [
        (1, 1, None, 0),
        (10, 10, None, 0),
        (11, 10, "1.028", 0),
        (50, 10, "1.028", 0),
        (51, 13, "0.848", 1),
        (99, 13, "0.848", 1),
        (100, 50, "0.379", 3),
        (500, 50, "0.379", 3),
        (501, 80, "0.295", 5),
        (3200, 80, "0.295", 5),
        (3201, 125, "0.234", 7),
    ],
)
def test_sampling_plan_rows(lot: int, n: int, lam: str | None, c1: int) -> None:
    p = sampling_plan(lot)
    assert (p.sample_size, p.max_t1) == (n, c1)
    assert p.correction == (None if lam is None else D(lam))


# --- worked examples (reference §4) ---------------------------------------------------------

E2 = [498, 492, 488, 503, 486, 495, 490, 499]
E7_BLOCK = [252, 251, 253, 250, 254, 252, 251, 253, 252, 250]
E7 = [240, 240, 240, 250, 254, 252, 251, 253, 252, 250, *E7_BLOCK * 4]


def test_e2_small_lot_passes_on_units_alone() -> None:
    v = check_batch(500, "g", E2, 8)
    assert v.passed and v.mean == D("493.875") and v.mean_limit is None


def test_e3_small_lot_fails_on_one_unit() -> None:
    v = check_batch(500, "g", [484 if q == 486 else q for q in E2], 8)
    assert not v.passed and v.t1_count == 1


def test_e4_mean_below_nominal_still_passes() -> None:
    v = check_batch(500, "g", [497, 503, 499, 501, 496, 502, 498, 500, 495, 504], 40)
    assert v.passed
    assert v.mean == D("499.5")
    assert round(v.stdev, 4) == D("3.0277") and round(v.mean_limit, 3) == D("496.888")


def test_e5_units_within_t_but_mean_fails() -> None:
    v = check_batch(500, "g", [490, 492, 489, 491, 493, 490, 492, 491, 489, 493], 40)
    assert not v.passed and v.t1_count == v.t2_count == 0
    assert round(v.mean_limit, 3) == D("498.468")
    assert any(r.startswith("FAIL: mean") for r in v.reasons)


def test_e6_good_mean_but_a_t1_unit_where_none_is_allowed() -> None:
    v = check_batch(500, "g", [503, 505, 501, 484, 506, 504, 502, 507, 503, 505], 40)
    assert not v.passed and v.t1_count == 1 and v.mean >= v.mean_limit
    assert round(v.mean_limit, 3) == D("493.233")


def test_e7_three_t1_units_allowed_at_fifty() -> None:
    v = check_batch(250, "g", E7, 300)
    assert v.passed and (v.t1_count, v.t2_count) == (3, 0)
    assert v.mean == D("251.08") and round(v.stdev, 4) == D("3.0894")
    assert round(v.mean_limit, 3) == D("248.829")


def test_e8_one_t1_unit_too_many() -> None:
    values = list(E7)
    values[3] = 240
    v = check_batch(250, "g", values, 300)
    assert not v.passed and v.t1_count == 4 and v.mean >= v.mean_limit


def test_e9_any_unit_beyond_2t_fails_the_lot() -> None:
    values = [231, 251, 253, *E7[3:]]
    v = check_batch(250, "g", values, 300)
    assert not v.passed and (v.t1_count, v.t2_count) == (0, 1)
    assert v.mean == D("251.38") and round(v.mean_limit, 3) == D("248.787")


def test_e10_fifty_one_to_ninety_nine_row() -> None:
    values = [101, 100, 102, 99, 101, 94, 100, 101, 102, 100, 99, 101, 100]
    v = check_batch(100, "g", values, 60)
    assert v.passed and v.t1_count == 1 and round(v.mean_limit, 3) == D("98.269")
    values[7] = 95
    assert not check_batch(100, "g", values, 60).passed


def test_e11_boundaries_are_inclusive() -> None:
    v = check_batch(500, "g", ["485.0", "470.0"], 2)
    assert [u.category for u in v.units] == ["ok", "T1"]


def test_e12_count_goods() -> None:
    v = check_batch(150, "count", [148, 147, 145, 86])
    assert [u.category for u in v.units] == ["ok", "T1", "T2", "T2"]
    assert not check_batch(50, "count", [49]).passed


def test_e13_length() -> None:
    assert check_batch(10, "m", ["9.85"]).passed
    assert not check_batch(5, "m", ["4.99"]).passed


def test_e14_rounding_mode_flips_are_flagged_borderline() -> None:
    even = check_batch("1.5", "L", ["1.4775"])
    up = check_batch("1.5", "L", ["1.4775"], rounding=Rounding.HALF_UP)
    assert (even.passed, up.passed) == (False, True)
    assert even.borderline and up.borderline
    assert not check_batch("1.5", "L", ["1.49"]).borderline


def test_sample_must_match_the_plan() -> None:
    with pytest.raises(ValidationFailed, match="needs a sample of 10"):
        check_batch(500, "g", [500] * 9, 40)
    with pytest.raises(ValidationFailed, match="lot size"):
        check_batch(500, "g", [500] * 11)
    with pytest.raises(ValidationFailed):
        check_batch(500, "g", [], 5)
    with pytest.raises(ValidationFailed):
        check_batch(500, "g", ["-1"], 1)


def test_verdict_json_shape() -> None:
    v: NetContentVerdict = check_batch(
        500, "g", [497, 503, 499, 501, 496, 502, 498, 500, 495, 504], 40
    )
    data = v.to_dict()
    assert data["passed"] is True and data["sample_size"] == 10 and data["correction"] == 1.028
    assert data["units"][0] == {"index": 1, "actual": 497.0, "shortfall": 3.0, "class": "ok"}
    assert data["reasons"][-1] == "PASS"
