"""The reproducible draw: same seed and candidates → same selection; proportions; weights."""

from __future__ import annotations

import pytest

from liveqc.errors import ValidationFailed
from liveqc.spot_checks.draw import Candidate, allocate, draw, verify

SIMPLE_BJ_2026 = (30, 32, 35, 36, 39)
STRATIFIED_BJ_2026 = (21, 26, 27, 36, 38)


def pool(n: int = 40) -> list[Candidate]:
    return [Candidate(i, "food" if i % 4 else "toy", 1.0) for i in range(1, n + 1)]


def test_same_seed_and_candidates_give_the_same_selection() -> None:
    first = draw(pool(), n=8, seed="2026-Q4", method="simple")
    again = draw(list(reversed(pool())), n=8, seed="2026-Q4", method="simple")
    assert first.selected == again.selected
    assert len(set(first.selected)) == 8


def test_a_different_seed_gives_a_different_selection() -> None:
    selections = {draw(pool(), n=8, seed=f"seed-{k}").selected for k in range(5)}
    assert len(selections) == 5


def test_the_selection_is_stable_across_releases() -> None:
    # Known answers: a change here would break the re-check of every recorded draw.
    assert draw(pool(), n=5, seed="BJ-2026", method="simple").selected == SIMPLE_BJ_2026
    assert draw(pool(), n=5, seed="BJ-2026", method="stratified").selected == STRATIFIED_BJ_2026


def test_verify_detects_a_tampered_selection() -> None:
    recorded = list(draw(pool(), n=5, seed="x").selected)
    recorded[0] = next(c.id for c in pool() if c.id not in recorded)
    matches, recreated = verify(pool(), n=5, seed="x", method="simple", recorded=recorded)
    assert not matches
    assert recreated != tuple(sorted(recorded))


def test_stratified_draw_is_proportional_to_stratum_sizes() -> None:
    # 30 food, 10 toy: a sample of 8 is 6 + 2.
    result = draw(pool(), n=8, seed="s", method="stratified")
    assert result.allocation == {"food": 6, "toy": 2}
    strata = {c.id: c.stratum for c in pool()}
    picked = [strata[i] for i in result.selected]
    assert picked.count("food") == 6 and picked.count("toy") == 2


def test_allocation_uses_largest_remainders() -> None:
    assert allocate({"a": 5, "b": 3, "c": 2}, 5) == {"a": 3, "b": 1, "c": 1}
    assert sum(allocate({"a": 7, "b": 7, "c": 7}, 10).values()) == 10
    assert allocate({"a": 2, "b": 1}, 10) == {"a": 2, "b": 1}


def test_risk_weighted_never_draws_weight_zero_and_favours_heavy_weights() -> None:
    candidates = [Candidate(i, "", 0.0 if i <= 10 else (20.0 if i > 35 else 1.0))
                  for i in range(1, 41)]  # fmt: skip
    heavy = 0
    for k in range(30):
        selected = draw(candidates, n=5, seed=f"w{k}", method="risk_weighted").selected
        assert all(i > 10 for i in selected)
        heavy += sum(i > 35 for i in selected)
    assert heavy > 30 * 5 * 0.6


def test_asking_for_more_than_there_is_takes_everything_and_reports_the_shortfall() -> None:
    result = draw(pool(6), n=10, seed="s")
    assert result.selected == tuple(range(1, 7))
    assert result.shortfall == 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 2, "seed": "s", "method": "lottery"}, "method"),
        ({"n": -1, "seed": "s"}, "sample_count"),
        ({"n": 2, "seed": " "}, "seed"),
    ],
)
def test_bad_draw_parameters_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        draw(pool(), **kwargs)


def test_duplicate_candidates_are_refused() -> None:
    with pytest.raises(ValidationFailed, match="twice"):
        draw([Candidate(1), Candidate(1)], n=1, seed="s")
