"""Working days per the Chinese calendar: holiday weeks, make-up days, deadlines across them."""

from __future__ import annotations

import datetime as dt

import pytest

from liveqc.complaints import calendar
from liveqc.errors import ValidationFailed

D = dt.date


def test_national_day_week_is_not_working() -> None:
    for day in range(1, 9):
        assert not calendar.is_working_day(D(2025, 10, day))
    assert calendar.is_working_day(D(2025, 10, 9))


def test_make_up_saturday_and_sunday_are_working_days() -> None:
    assert D(2025, 10, 11).weekday() == 5
    assert calendar.is_working_day(D(2025, 10, 11))
    assert D(2025, 9, 28).weekday() == 6
    assert calendar.is_working_day(D(2025, 9, 28))
    assert not calendar.is_working_day(D(2025, 10, 18))  # an ordinary Saturday


def test_spring_festival_week_is_skipped() -> None:
    # 2025 Spring Festival: 28 Jan to 4 Feb off, make-up days Sun 26 Jan and Sat 8 Feb.
    assert calendar.is_working_day(D(2025, 1, 26))
    assert not calendar.is_working_day(D(2025, 1, 29))
    assert calendar.is_working_day(D(2025, 2, 8))
    assert calendar.add_working_days(D(2025, 1, 27), 1) == D(2025, 2, 5)


def test_ten_working_days_across_national_day_counts_make_up_saturday() -> None:
    # Tue 30 Sep 2025 + 10: 9, 10, 11 (Sat, make-up), 13, 14, 15, 16, 17, 20, 21 Oct.
    assert calendar.add_working_days(D(2025, 9, 30), 10) == D(2025, 10, 21)


def test_ten_working_days_across_spring_festival() -> None:
    # Fri 24 Jan 2025 + 10: 26 (Sun, make-up), 27 Jan, 5, 6, 7, 8 (Sat, make-up), 10-13 Feb.
    assert calendar.add_working_days(D(2025, 1, 24), 10) == D(2025, 2, 13)


def test_2026_follows_the_state_councils_notice() -> None:
    """国办发明电 of 4 November 2025: National Day 1-7 October off, Sunday 20 September and
    Saturday 10 October worked; Spring Festival 15-23 February off, Saturdays 14 and 28 February
    worked. The dependency's lower bound is the first release that knows 2026."""
    assert calendar.supported_years()[1] >= 2026
    assert not calendar.is_working_day(D(2026, 10, 7))
    assert calendar.is_working_day(D(2026, 9, 20)) and calendar.is_working_day(D(2026, 10, 10))
    assert not calendar.is_working_day(D(2026, 2, 23))
    assert calendar.is_working_day(D(2026, 2, 14)) and calendar.is_working_day(D(2026, 2, 28))
    # Wed 30 Sep 2026 + 10: 8, 9, 10 (Sat, make-up), 12-16, 19, 20 Oct.
    assert calendar.add_working_days(D(2026, 9, 30), 10) == D(2026, 10, 20)


def test_received_on_a_holiday_starts_counting_after_it() -> None:
    assert calendar.add_working_days(D(2025, 10, 3), 1) == D(2025, 10, 9)


def test_zero_days_is_the_start_and_negative_is_refused() -> None:
    assert calendar.add_working_days(D(2025, 10, 3), 0) == D(2025, 10, 3)
    with pytest.raises(ValidationFailed):
        calendar.add_working_days(D(2025, 10, 3), -1)


@pytest.mark.parametrize("n", [0, 1, 5, 10, 23])
def test_between_inverts_add(n: int) -> None:
    start = D(2025, 9, 26)
    end = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, end) == n
    assert calendar.working_days_between(end, start) == -n


def test_datetime_is_read_as_its_date() -> None:
    at = dt.datetime(2025, 9, 30, 23, 59, tzinfo=dt.UTC)
    assert calendar.add_working_days(at, 1) == D(2025, 10, 9)


def test_default_deadlines_follow_12315_ten_working_days() -> None:
    due = calendar.compute_deadlines(D(2025, 9, 30))
    assert due.first_response_due == D(2025, 10, 9)
    assert due.resolution_due == D(2025, 10, 21)


def test_custom_policy_and_invalid_policy() -> None:
    due = calendar.compute_deadlines(D(2025, 9, 30), calendar.DeadlinePolicy(2, 3))
    assert (due.first_response_due, due.resolution_due) == (D(2025, 10, 10), D(2025, 10, 11))
    with pytest.raises(ValidationFailed):
        calendar.DeadlinePolicy(5, 3)
    with pytest.raises(ValidationFailed):
        calendar.DeadlinePolicy(-1, 3)


def test_working_days_left_is_zero_on_due_day_and_negative_when_overdue() -> None:
    due = D(2025, 10, 21)
    assert calendar.working_days_left(due, D(2025, 10, 21)) == 0
    assert calendar.working_days_left(due, D(2025, 10, 17)) == 2
    assert calendar.working_days_left(due, D(2025, 10, 23)) == -2


def test_dates_outside_known_years_raise_a_clear_error() -> None:
    first, last = calendar.supported_years()
    with pytest.raises(ValidationFailed, match=str(last)):
        calendar.is_working_day(D(last + 1, 3, 2))
    with pytest.raises(ValidationFailed, match="outside"):
        calendar.add_working_days(D(first - 1, 5, 5), 0)
