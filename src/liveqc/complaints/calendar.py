"""Working days by the Chinese calendar, and complaint deadlines counted in them.

Statutory holidays and make-up working days (调休) change every year by State Council notice, so
they come from the maintained ``chinesecalendar`` package rather than from a table kept here. A
date outside the years that package knows raises ``ValidationFailed``: guessing would silently
put deadlines on holidays.

Counting convention (as for statutory periods, Civil Code art. 201): the day a complaint is
received is day 0 and is not counted; ``add_working_days(d, n)`` is the n-th working day after
``d``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar

from liveqc.errors import ValidationFailed

#: 12315 online dispute resolution: businesses settle a complaint within 10 working days.
DEFAULT_RESOLUTION_WORKING_DAYS = 10
#: Default first response (an organisation policy, not a statutory period).
DEFAULT_FIRST_RESPONSE_WORKING_DAYS = 1


@lru_cache(maxsize=1)
def supported_years() -> tuple[int, int]:
    """First and last year the installed calendar data covers."""
    known = [*chinese_calendar.constants.holidays, *chinese_calendar.constants.workdays]
    return min(d.year for d in known), max(d.year for d in known)


def _as_date(day: dt.date | dt.datetime) -> dt.date:
    return day.date() if isinstance(day, dt.datetime) else day


def _check_known(day: dt.date) -> dt.date:
    first, last = supported_years()
    if not first <= day.year <= last:
        raise ValidationFailed(
            f"{day.isoformat()} is outside the Chinese holiday calendar this installation knows "
            f"({first}-{last}); update the chinesecalendar package"
        )
    return day


def is_working_day(day: dt.date | dt.datetime) -> bool:
    """True on ordinary weekdays and make-up working days, false on weekends and holidays."""
    day = _check_known(_as_date(day))
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as exc:  # the package's own guard, same meaning
        raise ValidationFailed(f"{day.isoformat()}: {exc}") from None


def add_working_days(start: dt.date | dt.datetime, n: int) -> dt.date:
    """The n-th working day after ``start`` (``start`` itself is never counted; n=0 is ``start``).

    Raises:
        ValidationFailed: n is negative, or a date on the way is outside the known years.
    """
    day = _check_known(_as_date(start))
    if n < 0:
        raise ValidationFailed(f"working days to add must be >= 0, got {n}")
    remaining = n
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier.

    ``working_days_between(d, add_working_days(d, n)) == n`` for every n >= 0.
    """
    a, b = _check_known(_as_date(start)), _check_known(_as_date(end))
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    count = 0
    day = a
    while day < b:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return sign * count


@dataclass(frozen=True)
class DeadlinePolicy:
    """An organisation's deadlines in working days (defaults: see module constants)."""

    first_response_working_days: int = DEFAULT_FIRST_RESPONSE_WORKING_DAYS
    resolution_working_days: int = DEFAULT_RESOLUTION_WORKING_DAYS

    def __post_init__(self) -> None:
        if self.first_response_working_days < 0 or self.resolution_working_days < 0:
            raise ValidationFailed("deadline policy periods must be >= 0 working days")
        if self.first_response_working_days > self.resolution_working_days:
            raise ValidationFailed("first response cannot be due after resolution")


@dataclass(frozen=True)
class Deadlines:
    """Due dates of one complaint: both are the last day on which the step is on time."""

    received_on: dt.date
    first_response_due: dt.date
    resolution_due: dt.date


def compute_deadlines(
    received: dt.date | dt.datetime, policy: DeadlinePolicy | None = None
) -> Deadlines:
    """First-response and resolution due dates for a complaint received on ``received``."""
    policy = policy or DeadlinePolicy()
    day = _as_date(received)
    return Deadlines(
        received_on=day,
        first_response_due=add_working_days(day, policy.first_response_working_days),
        resolution_due=add_working_days(day, policy.resolution_working_days),
    )


def working_days_left(due: dt.date, today: dt.date | dt.datetime) -> int:
    """Working days from ``today`` to ``due``: 0 on the due day, negative once overdue."""
    return working_days_between(today, due)
