from __future__ import annotations

from datetime import date

import pytest

from liveqc.errors import InputError
from liveqc.reports.schemas import Period


def test_a_year_spans_twelve_months() -> None:
    period = Period.parse("2026")
    assert (period.start, period.end) == (date(2026, 1, 1), date(2027, 1, 1))
    assert period.months[0] == "2026-01" and period.months[-1] == "2026-12"
    assert len(period.months) == 12


def test_a_month_is_one_month_and_december_rolls_over() -> None:
    assert Period.parse("2026-03").months == ("2026-03",)
    december = Period.parse("2025-12")
    assert december.end == date(2026, 1, 1)


@pytest.mark.parametrize("text", ["", "26", "2026-13", "2026-1", "1999", "2026Q1", "next year"])
def test_bad_periods_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="period must be"):
        Period.parse(text)
