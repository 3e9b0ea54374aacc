"""Statutory remedies: the 7-day no-reason return window and punitive compensation.

- Consumer Rights Protection Law (CRPL) art. 25: goods bought online may be returned without
  reason within 7 days of receipt, except custom-made goods; fresh, live and perishable goods;
  audio-visual products, software and other digital goods downloaded online or unsealed by the
  consumer; delivered newspapers and periodicals. Other goods unsuitable for return by nature are
  excluded only when the consumer confirmed this when buying.
- The 7 days start the day after the consumer signs for the goods (SAIC Order No. 90; Civil Code
  art. 201): received on the 1st, the last day to ask for a return is the 8th.
- Food Safety Law art. 148: food not meeting food-safety standards: ten times the price or three
  times the loss, at least 1,000 yuan (not for label flaws that neither affect safety nor mislead).
- CRPL art. 55: fraud: three times the price, at least 500 yuan.

Money is ``Decimal`` throughout, rounded half-up to the fen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from liveqc.errors import ValidationFailed

RETURN_WINDOW_DAYS = 7
FEN = Decimal("0.01")


class ReturnExclusion(StrEnum):
    """Why goods may fall outside the 7-day no-reason return (CRPL art. 25)."""

    CUSTOM_MADE = "custom_made"
    PERISHABLE = "perishable"  # fresh, live and perishable goods
    DIGITAL = "digital"  # audio-visual, software, digital goods downloaded or unsealed
    PERIODICALS = "periodicals"  # delivered newspapers and periodicals
    UNSUITABLE_BY_NATURE = "unsuitable_by_nature"  # only with the consumer's confirmation


#: The four classes the statute itself excludes, whatever the consumer confirmed.
STATUTORY_EXCLUSIONS = frozenset(
    {
        ReturnExclusion.CUSTOM_MADE,
        ReturnExclusion.PERISHABLE,
        ReturnExclusion.DIGITAL,
        ReturnExclusion.PERIODICALS,
    }
)


@dataclass(frozen=True)
class ReturnWindow:
    """Whether a no-reason return applies and, if so, its last day."""

    applies: bool
    last_day: dt.date | None
    reason: str
    basis: str = "Consumer Rights Protection Law art. 25"

    def is_open_on(self, day: dt.date) -> bool:
        """True when a return requested on ``day`` is in time."""
        return self.applies and self.last_day is not None and day <= self.last_day


def return_window(
    received_on: dt.date,
    exclusion: ReturnExclusion | None = None,
    *,
    consumer_confirmed: bool = False,
    seller_promised_return: bool = False,
) -> ReturnWindow:
    """The 7-day no-reason return window for goods received on ``received_on``.

    Args:
        exclusion: the class of goods when it is one that may be excluded.
        consumer_confirmed: the consumer confirmed at purchase that the goods cannot be returned
            (needed for ``UNSUITABLE_BY_NATURE``; it cannot widen the statutory list).
        seller_promised_return: the seller promised no-reason return even for excluded goods,
            which binds it (SPC provisions on online consumption disputes, 2022, art. 2).
    """
    last_day = received_on + dt.timedelta(days=RETURN_WINDOW_DAYS)
    if exclusion is None:
        return ReturnWindow(True, last_day, "ordinary goods bought remotely")
    if seller_promised_return:
        return ReturnWindow(
            True,
            last_day,
            f"{exclusion.value} goods, but the seller promised no-reason return",
            basis="SPC provisions on online consumption disputes (2022) art. 2",
        )
    if exclusion in STATUTORY_EXCLUSIONS:
        return ReturnWindow(False, None, f"{exclusion.value} goods are excluded by statute")
    if consumer_confirmed:
        return ReturnWindow(
            False, None, "unsuitable for return by nature, confirmed by the consumer at purchase"
        )
    return ReturnWindow(
        True,
        last_day,
        "unsuitable by nature, but the consumer did not confirm it at purchase",
    )


def money(value: Decimal | int | str | float) -> Decimal:
    """A non-negative amount in yuan as ``Decimal`` rounded to the fen."""
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValidationFailed(f"not an amount of money: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed(f"amount must be a non-negative number, got {value!r}")
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Compensation:
    """Punitive compensation on top of the refund of the price and any loss."""

    amount: Decimal
    rule: str
    basis: str
    explanation: str


FOOD_SAFETY_MINIMUM = Decimal("1000.00")
FRAUD_MINIMUM = Decimal("500.00")


def food_safety_compensation(
    price: Decimal | int | str,
    loss: Decimal | int | str = 0,
    *,
    label_flaw_only: bool = False,
) -> Compensation:
    """Food Safety Law art. 148: the larger of 10x price and 3x loss, at least 1,000 yuan.

    The consumer chooses between the two bases; the helper shows the larger one.
    ``label_flaw_only`` marks a label or leaflet flaw that neither affects food safety nor
    misleads, for which the article gives no punitive compensation.
    """
    price_d, loss_d = money(price), money(loss)
    basis = "Food Safety Law art. 148"
    if label_flaw_only:
        return Compensation(
            Decimal("0.00"),
            "food_safety",
            basis,
            "label flaw that neither affects food safety nor misleads: no punitive compensation",
        )
    by_price, by_loss = price_d * 10, loss_d * 3
    amount = max(by_price, by_loss, FOOD_SAFETY_MINIMUM)
    if amount == FOOD_SAFETY_MINIMUM and max(by_price, by_loss) < FOOD_SAFETY_MINIMUM:
        why = f"10 x {price_d} and 3 x {loss_d} are below the minimum of {FOOD_SAFETY_MINIMUM}"
    elif by_price >= by_loss:
        why = f"10 x price {price_d}"
    else:
        why = f"3 x loss {loss_d}"
    return Compensation(amount.quantize(FEN), "food_safety", basis, why)


def fraud_compensation(price: Decimal | int | str) -> Compensation:
    """CRPL art. 55: three times the price, at least 500 yuan."""
    price_d = money(price)
    by_price = price_d * 3
    amount = max(by_price, FRAUD_MINIMUM)
    why = (
        f"3 x price {price_d}"
        if by_price >= FRAUD_MINIMUM
        else f"3 x {price_d} is below the minimum of {FRAUD_MINIMUM}"
    )
    return Compensation(
        amount.quantize(FEN), "fraud", "Consumer Rights Protection Law art. 55", why
    )


def applicable_compensation(
    category: str, *, is_food: bool, price: Decimal | int | str, loss: Decimal | int | str = 0
) -> list[Compensation]:
    """The statutory compensation helpers that fit a complaint category.

    Food that fails safety standards (a safety incident or quality defect about food) fits
    art. 148; counterfeit goods and false advertising are the typical fraud cases of art. 55.
    Whether the facts are proven is for staff to decide; this only shows the arithmetic.
    """
    found: list[Compensation] = []
    if is_food and category in {"safety_incident", "quality_defect", "counterfeit"}:
        found.append(food_safety_compensation(price, loss))
    if category in {"counterfeit", "false_advertising", "price_dispute"}:
        found.append(fraud_compensation(price))
    return found
