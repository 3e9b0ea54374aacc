from __future__ import annotations

from decimal import Decimal

import pytest

from liveqc.errors import InvalidTransition, ValidationFailed
from liveqc.products import aql
from liveqc.products.aql import InspectionState, LotResult, SwitchingState, next_state, plan
from liveqc.products.aql_tables import AQL_COLUMNS, TABLES

from .test_aql_tables import LOT_RANGES, TABLE_1_BY_LEVEL


def test_contract_example() -> None:
    assert plan(1200, "II", "1.0", "normal").to_dict() == {
        "lot_size": 1200,
        "level": "II",
        "aql": 1.0,
        "severity": "normal",
        "code_letter": "J",
        "plan_code_letter": "J",
        "sample_size": 80,
        "accept": 2,
        "reject": 3,
        "inspect_all": False,
    }


@pytest.mark.parametrize("level", list(TABLE_1_BY_LEVEL))
def test_code_letter_at_both_ends_of_every_lot_range(level: str) -> None:
    for row, (lower, upper) in enumerate(LOT_RANGES):
        for lot in (lower, upper if upper is not None else 10**8):
            assert aql.code_letter(lot, level) == TABLE_1_BY_LEVEL[level][row]


@pytest.mark.parametrize(
    ("severity", "letter", "aql_value", "expected"),
    [
        ("normal", "A", "10", ("C", 5, 1, 2)),  # ↓ passes B and lands on C
        ("normal", "A", "4.0", ("B", 3, 0, 1)),  # the landing row's n, not A's n=2
        ("normal", "B", "6.5", ("A", 2, 0, 1)),
        ("normal", "R", "0.010", ("Q", 1250, 0, 1)),
        ("normal", "R", "0.015", ("P", 800, 0, 1)),
        ("normal", "L", "10", ("K", 125, 21, 22)),
        ("normal", "F", "1000", ("B", 3, 44, 45)),  # ↑ through E, D, C
        ("tightened", "Q", "0.025", ("S", 3150, 1, 2)),
        ("tightened", "R", "0.025", ("S", 3150, 1, 2)),
        ("tightened", "R", "0.015", ("Q", 1250, 0, 1)),
        ("tightened", "A", "10", ("A", 2, 0, 1)),  # GB/T 2828.1-2012 reading of the open cell
        ("tightened", "A", "6.5", ("B", 3, 0, 1)),
        ("reduced", "G", "1.0", ("J", 32, 1, 2)),  # passes H, lands on J
        ("reduced", "P", "0.025", ("N", 200, 0, 1)),
        ("reduced", "Q", "0.025", ("N", 200, 0, 1)),
        ("reduced", "R", "0.025", ("N", 200, 0, 1)),
        ("reduced", "B", "100", ("B", 2, 5, 6)),
        ("reduced", "C", "100", ("C", 2, 6, 7)),
        ("reduced", "Q", "0.040", ("R", 800, 1, 2)),
    ],
)
def test_arrow_resolution(
    severity: str, letter: str, aql_value: str, expected: tuple[str, int, int, int]
) -> None:
    assert aql.resolve(severity, letter, aql_value) == expected


@pytest.mark.parametrize("severity", ["normal", "tightened", "reduced"])
def test_every_cell_resolves_in_its_own_column(severity: str) -> None:
    sizes, rows = TABLES[severity]
    for letter in "ABCDEFGHJKLMNPQR":
        for column, value in enumerate(AQL_COLUMNS):
            landed, n, ac, re_ = aql.resolve(severity, letter, value)
            assert rows[landed][column] == (ac, re_)
            assert n == sizes[landed]


def test_sample_larger_than_lot_means_inspect_all_with_the_plan_numbers() -> None:
    p = plan(3, "II", "4.0", "normal")  # A → B, n = 3 = lot
    assert (p.code_letter, p.plan_code_letter) == ("A", "B")
    assert (p.sample_size, p.accept, p.reject, p.inspect_all) == (3, 0, 1, True)
    p = plan(10, "S-1", "10", "normal")  # A ↓ C, n = 5 < 10
    assert (p.plan_code_letter, p.sample_size, p.inspect_all) == ("C", 5, False)
    p = plan(20, "III", "0.010", "normal")  # D ↓ Q, n = 1250 > 20
    assert (p.plan_code_letter, p.sample_size, p.inspect_all, p.accept) == ("Q", 20, True, 0)


def test_severity_changes_the_plan_not_the_code_letter() -> None:
    assert plan(1200, "II", "1.0", "tightened").to_dict() | {"severity": "x"} == (
        plan(1200, "II", "1.0").to_dict() | {"severity": "x", "accept": 1, "reject": 2}
    )
    reduced = plan(1200, "II", "1.0", "reduced")
    assert (reduced.code_letter, reduced.sample_size, reduced.accept) == ("J", 32, 1)


@pytest.mark.parametrize(
    ("text", "value"), [("0.65", "0.65"), ("1", "1.0"), ("1.0", "1.0"), ("0.01", "0.010")]
)
def test_parse_aql_accepts_preferred_values(text: str, value: str) -> None:
    assert aql.parse_aql(text) == Decimal(value)


@pytest.mark.parametrize("text", ["0.5", "2", "abc", "", "nan", "-1", "1500"])
def test_parse_aql_rejects_other_values(text: str) -> None:
    with pytest.raises(ValidationFailed):
        aql.parse_aql(text)


@pytest.mark.parametrize(("text", "level"), [("ii", "II"), ("s-2", "S-2"), ("S4", "S-4")])
def test_parse_level_normalises(text: str, level: str) -> None:
    assert aql.parse_level(text) == level


@pytest.mark.parametrize(
    ("lot", "level", "value", "severity"),
    [(1200, "IV", "1.0", "normal"), (1, "II", "1.0", "normal"), (50, "II", "1.0", "lenient")],
)
def test_plan_rejects_bad_input(lot: int, level: str, value: str, severity: str) -> None:
    with pytest.raises(ValidationFailed):
        plan(lot, level, value, severity)


def test_decide_lot_per_class_and_overall() -> None:
    d = aql.decide_lot(
        1200, "II", {"critical": "0.10", "major": "1.0", "minor": "4.0"}, {"major": 2, "minor": 8}
    )
    by_class = {c.defect_class: c for c in d.classes}
    assert by_class["critical"].plan.accept == 0 and by_class["critical"].accepted
    assert by_class["major"].accepted and by_class["minor"].plan.accept == 7
    assert not by_class["minor"].accepted
    assert d.accepted is False and len(d.reasons) == 3
    ok = aql.decide_lot(1200, "II", {"major": "1.0"}, {"major": 2})
    assert ok.accepted


def test_decide_lot_rejects_unknown_classes_and_negative_counts() -> None:
    with pytest.raises(ValidationFailed):
        aql.decide_lot(1200, "II", {"cosmetic": "1.0"}, {})
    with pytest.raises(ValidationFailed):
        aql.decide_lot(1200, "II", {"major": "1.0"}, {"minor": 1})
    with pytest.raises(ValidationFailed):
        aql.decide_lot(1200, "II", {"major": "1.0"}, {"major": -1})


# --- switching ------------------------------------------------------------------------------


def feed(
    state: SwitchingState,
    defects: list[int],
    lot: int = 1200,
    value: str = "1.0",
    *,
    production_steady: bool = True,
    reduced_approved: bool = False,
    return_to_normal: bool = False,
) -> SwitchingState:
    for d in defects:
        assert state.severity is not None
        used = plan(lot, "II", value, state.severity)
        state = next_state(
            state, LotResult(used, d, False, production_steady, reduced_approved, return_to_normal)
        )
    return state


def test_two_rejections_within_five_lots_switch_to_tightened() -> None:
    state = feed(SwitchingState(), [3, 0, 0, 0])
    assert state.state is InspectionState.NORMAL
    state = feed(state, [3])
    assert state.state is InspectionState.TIGHTENED and state.switched
    assert "2 of the last 5" in state.reason


def test_two_rejections_six_lots_apart_stay_normal() -> None:
    state = feed(SwitchingState(), [3, 0, 0, 0, 0, 3])
    assert state.state is InspectionState.NORMAL


def test_five_consecutive_accepted_on_tightened_return_to_normal() -> None:
    state = feed(SwitchingState(), [3, 3, 0, 0, 0, 0])
    assert state.state is InspectionState.TIGHTENED
    state = feed(state, [2])  # tightened J 1.0 is 1/2: not accepted, the run restarts
    state = feed(state, [0, 0, 0, 0])
    assert state.state is InspectionState.TIGHTENED
    state = feed(state, [1])
    assert state.state is InspectionState.NORMAL
    assert state.switching_score == 0 and state.normal_results == ()


def test_five_not_accepted_in_one_tightened_run_discontinue_even_if_not_consecutive() -> None:
    state = feed(SwitchingState(), [3, 3])
    state = feed(state, [2, 0, 2, 0, 2, 2])
    assert state.state is InspectionState.TIGHTENED and state.tightened_not_accepted == 4
    state = feed(state, [2])
    assert state.state is InspectionState.DISCONTINUED and state.severity is None
    with pytest.raises(InvalidTransition):
        next_state(state, LotResult(plan(1200, "II", "1.0", "tightened"), 0))
    with pytest.raises(InvalidTransition):
        aql.resume(state, corrective_action_approved=False)
    resumed = aql.resume(state, corrective_action_approved=True)
    assert resumed.state is InspectionState.TIGHTENED and resumed.tightened_not_accepted == 0
    with pytest.raises(InvalidTransition):
        aql.resume(resumed, corrective_action_approved=True)


def test_switching_score_worked_example() -> None:
    # J at AQL 1.0 is 2/3; one step tighter (0.65) is 1/2 with the same n = 80.
    state = feed(SwitchingState(), [0])
    assert state.switching_score == 3
    state = feed(state, [2])  # accepted, but would fail at 0.65
    assert state.switching_score == 0
    assert feed(state, [1]).switching_score == 3


def test_score_of_thirty_needs_steady_production_and_authority_approval() -> None:
    state = feed(SwitchingState(), [0] * 10)
    assert state.state is InspectionState.NORMAL and state.switching_score == 30
    assert "no authority approval" in state.reason
    state = feed(SwitchingState(), [0] * 10, reduced_approved=True, production_steady=False)
    assert state.state is InspectionState.NORMAL
    state = feed(SwitchingState(), [0] * 9, reduced_approved=True)
    assert state.state is InspectionState.NORMAL
    state = feed(state, [0], reduced_approved=True)
    assert state.state is InspectionState.REDUCED


def test_low_acceptance_number_plans_add_two_per_accepted_lot() -> None:
    # lot 400, level II → H; H at 0.25 is 0/1 with n = 50
    state = feed(SwitchingState(), [0] * 14, lot=400, value="0.25", reduced_approved=True)
    assert state.switching_score == 28 and state.state is InspectionState.NORMAL
    state = feed(state, [0], lot=400, value="0.25", reduced_approved=True)
    assert state.state is InspectionState.REDUCED


def test_score_resets_after_a_rejection_with_low_acceptance_number() -> None:
    state = feed(SwitchingState(), [0, 0, 1], lot=400, value="0.25")
    assert state.switching_score == 0


def test_score_after_an_up_arrow_uses_the_row_actually_used() -> None:
    # lot 3000, level II → L; L at 10 points up to K 125 21/22; K at 6.5 is 14/15.
    assert feed(SwitchingState(), [14], lot=3000, value="10").switching_score == 3
    assert feed(SwitchingState(), [15], lot=3000, value="10").switching_score == 0


@pytest.mark.parametrize(
    ("defects", "flags"),
    [([2], {}), ([0], {"production_steady": False}), ([0], {"return_to_normal": True})],
)
def test_reduced_returns_to_normal(defects: list[int], flags: dict[str, bool]) -> None:
    state = feed(SwitchingState(), [0] * 10, reduced_approved=True)
    assert state.state is InspectionState.REDUCED
    state = feed(state, [1, 0], reduced_approved=True)  # reduced J 1.0 is 1/2
    assert state.state is InspectionState.REDUCED
    state = feed(state, defects, **flags)  # type: ignore[arg-type]
    assert state.state is InspectionState.NORMAL and state.switching_score == 0


def test_resubmitted_lots_are_ignored() -> None:
    state = feed(SwitchingState(), [3])
    again = next_state(state, LotResult(plan(1200, "II", "1.0"), 3, resubmitted=True))
    assert again.state is InspectionState.NORMAL and again.lots == state.lots
    assert feed(again, [3]).state is InspectionState.TIGHTENED


def test_lot_under_the_wrong_severity_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        next_state(SwitchingState(), LotResult(plan(1200, "II", "1.0", "tightened"), 0))


def test_run_lots_stops_at_discontinuation() -> None:
    history = aql.run_lots(1200, "II", "1.0", [3, 3, 2, 2, 2, 2, 2, 0, 0])
    assert [after.state for _, _, after in history][-1] is InspectionState.DISCONTINUED
    assert len(history) == 7
    assert [p.severity for p, _, _ in history[:3]] == ["normal", "normal", "tightened"]
