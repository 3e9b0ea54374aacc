"""The shapes every home panel returns: figures (a count, its link, its rows), items, charts.

Plain frozen dataclasses, so the page, the drill-down lists and the JSON endpoint share them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from liveqc.complaints import service as complaints
from liveqc.errors import NotFound

CHINA_TZ = complaints.CHINA_TZ
#: How many rows a panel lists under its figures; the drill-down lists up to ``LIST_CAP``.
FEW = 5
LIST_CAP = 200
RECENT_DAYS = 30
CHART_WEEKS = 8
CHART_MONTHS = 6
#: Okabe–Ito has eight colours: seven series and "other".
MAX_SERIES = 7


@dataclass(frozen=True)
class Item:
    """One row under a figure: a label (data), its link, and optional details."""

    label: str
    href: str
    #: A catalogue key shown as a tag (a status, code or category), or "".
    tag_key: str = ""
    #: A raw value shown as-is (a number, a code, a lot number), or "".
    value: str = ""
    when: dt.date | dt.datetime | None = None


@dataclass(frozen=True)
class Figure:
    """A count, the list it counts (``href``) and that list's rows (up to ``LIST_CAP``)."""

    key: str
    count: int
    href: str
    items: tuple[Item, ...] = ()
    urgent: bool = False


@dataclass(frozen=True)
class Series:
    key: str  # catalogue key of the series name
    values: tuple[int, ...]


@dataclass(frozen=True)
class ChartData:
    kind: str  # "stacked" | "bar" | "line" (liveqc.reports.charts kinds)
    title_key: str
    categories: tuple[str, ...]
    axis_key: str  # catalogue key of what the categories are (week, month)
    series: tuple[Series, ...]


@dataclass(frozen=True)
class Panel:
    key: str
    figures: tuple[Figure, ...]
    #: What needs attention first (the oldest or most urgent few), or ().
    items: tuple[Item, ...] = ()
    chart: ChartData | None = None

    def figure(self, key: str) -> Figure:
        for figure in self.figures:
            if figure.key == key:
                return figure
        raise NotFound(f"panel {self.key} has no figure {key!r}")


@dataclass(frozen=True)
class Home:
    views: tuple[str, ...]
    panels: tuple[Panel, ...] = field(default=())


PanelQuery = Callable[..., Panel]


def drill(panel: str, figure: str) -> str:
    return f"/dashboards/{panel}/{figure}"


def local_day(at: dt.datetime) -> dt.date:
    return complaints.local_date(at)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def per_period(
    rows: Iterable[tuple[str, dt.datetime]],
    periods: list[dt.date],
    period_of: Callable[[dt.date], dt.date],
    key_prefix: str,
) -> tuple[Series, ...]:
    """Count (name, time) rows per name and period; the largest names first, the rest "other"."""
    counts: Counter[tuple[str, dt.date]] = Counter()
    totals: Counter[str] = Counter()
    first = periods[0]
    for name, at in rows:
        period = period_of(local_day(at))
        if period >= first:
            counts[(name, period)] += 1
            totals[name] += 1
    names = sorted(totals, key=lambda n: (-totals[n], n))
    shown, rest = names[:MAX_SERIES], names[MAX_SERIES:]
    if len(rest) == 1:
        shown, rest = names, []
    series = [Series(f"{key_prefix}.{n}", tuple(counts[(n, p)] for p in periods)) for n in shown]
    if rest:
        values = tuple(sum(counts[(n, p)] for n in rest) for p in periods)
        series.append(Series("dashboards.chart.other", values))
    return tuple(series)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)
