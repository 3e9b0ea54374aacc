"""7-day no-reason return window and statutory compensation arithmetic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from liveqc.complaints import remedies
from liveqc.complaints.remedies import ReturnExclusion
from liveqc.errors import ValidationFailed

RECEIVED = dt.date(2025, 10, 1)


def test_window_counts_seven_days_from_the_day_after_receipt() -> None:
    window = remedies.return_window(RECEIVED)
    assert window.applies
    assert window.last_day == dt.date(2025, 10, 8)
    assert window.is_open_on(RECEIVED)
    assert window.is_open_on(dt.date(2025, 10, 8))
    assert not window.is_open_on(dt.date(2025, 10, 9))


def test_window_is_calendar_days_not_working_days() -> None:
    # Received in the National Day week: holidays do not stretch the 7 days.
    assert remedies.return_window(dt.date(2025, 9, 30)).last_day == dt.date(2025, 10, 7)


@pytest.mark.parametrize(
    "exclusion",
    [
        ReturnExclusion.CUSTOM_MADE,
        ReturnExclusion.PERISHABLE,
        ReturnExclusion.DIGITAL,
        ReturnExclusion.PERIODICALS,
    ],
)
def test_statutory_exclusions_apply_without_confirmation(exclusion: ReturnExclusion) -> None:
    window = remedies.return_window(RECEIVED, exclusion)
    assert not window.applies
    assert window.last_day is None
    assert not window.is_open_on(RECEIVED)


def test_goods_unsuitable_by_nature_need_the_consumers_confirmation() -> None:
    unconfirmed = remedies.return_window(RECEIVED, ReturnExclusion.UNSUITABLE_BY_NATURE)
    assert unconfirmed.applies and unconfirmed.last_day == dt.date(2025, 10, 8)
    confirmed = remedies.return_window(
        RECEIVED, ReturnExclusion.UNSUITABLE_BY_NATURE, consumer_confirmed=True
    )
    assert not confirmed.applies


def test_confirmation_does_not_matter_for_ordinary_goods() -> None:
    assert remedies.return_window(RECEIVED, None, consumer_confirmed=True).applies


def test_seller_promise_overrides_an_exclusion() -> None:
    window = remedies.return_window(
        RECEIVED, ReturnExclusion.PERISHABLE, seller_promised_return=True
    )
    assert window.applies
    assert "art. 2" in window.basis


@pytest.mark.parametrize(
    ("price", "loss", "expected"),
    [
        ("0", "0", "1000.00"),
        ("99.99", "0", "1000.00"),  # 999.90: just below the minimum
        ("100", "0", "1000.00"),  # exactly the minimum
        ("100.01", "0", "1000.10"),  # just above
        ("59.9", "400", "1200.00"),  # three times the loss is larger
        ("59.9", "333.33", "1000.00"),  # 999.99 from the loss: still the minimum
        ("250", "800", "2500.00"),
    ],
)
def test_food_safety_compensation_at_and_around_the_minimum(
    price: str, loss: str, expected: str
) -> None:
    result = remedies.food_safety_compensation(price, loss)
    assert result.amount == Decimal(expected)
    assert result.basis == "Food Safety Law art. 148"


def test_food_label_flaw_only_gives_no_punitive_compensation() -> None:
    result = remedies.food_safety_compensation("300", label_flaw_only=True)
    assert result.amount == Decimal("0.00")


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        ("0.01", "500.00"),
        ("166.66", "500.00"),  # 499.98
        ("166.67", "500.01"),
        ("500", "1500.00"),
        (Decimal("19.9"), "500.00"),
        (1000, "3000.00"),
    ],
)
def test_fraud_compensation_at_and_around_the_minimum(price: object, expected: str) -> None:
    result = remedies.fraud_compensation(price)  # type: ignore[arg-type]
    assert result.amount == Decimal(expected)
    assert "art. 55" in result.basis


def test_amounts_are_rounded_half_up_to_the_fen() -> None:
    assert remedies.money("0.005") == Decimal("0.01")
    assert remedies.fraud_compensation("333.335").amount == Decimal("1000.02")


@pytest.mark.parametrize("bad", ["-1", "abc", "NaN", "Infinity"])
def test_bad_amounts_are_refused(bad: str) -> None:
    with pytest.raises(ValidationFailed):
        remedies.fraud_compensation(bad)


def test_applicable_compensation_depends_on_category_and_food() -> None:
    food = remedies.applicable_compensation("safety_incident", is_food=True, price="20")
    assert [c.rule for c in food] == ["food_safety"]
    fake_food = remedies.applicable_compensation("counterfeit", is_food=True, price="20")
    assert [c.rule for c in fake_food] == ["food_safety", "fraud"]
    assert remedies.applicable_compensation("delivery", is_food=True, price="20") == []
    assert remedies.applicable_compensation("safety_incident", is_food=False, price="20") == []
