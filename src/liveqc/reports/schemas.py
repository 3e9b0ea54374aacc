"""The Blue Book's figures, one frozen dataclass per section, and the report's I/O options.

Figures are what the collection layer measures and the only source of every number the report
prints: ``None`` means "not recorded" (the data does not exist), ``0`` means "recorded, none".
Counts are ``(key, value)`` pairs whose keys (codes, statuses, categories) the report translates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Literal

from liveqc.errors import InputError
from liveqc.reports.charts import Chart
from liveqc.reports.market import MarketFigure


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    xlsx = "xlsx"


class Lang(StrEnum):
    zh_cn = "zh-CN"
    en = "en"


MEDIA_TYPES = {
    ReportFormat.html: "text/html; charset=utf-8",
    ReportFormat.pdf: "application/pdf",
    ReportFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

_PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?$")


@dataclass(frozen=True)
class Period:
    """A calendar year (``2026``) or month (``2026-03``): ``start`` ≤ day < ``end``."""

    label: str
    start: date
    end: date

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text.strip())
        if not match or not 2000 <= int(match.group(1)) <= 2100:
            raise InputError(f"period must be a year (2026) or a month (2026-03), got {text!r}")
        year = int(match.group(1))
        if match.group(2):
            month = int(match.group(2))
            end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
            return cls(text.strip(), date(year, month, 1), end)
        return cls(text.strip(), date(year, 1, 1), date(year + 1, 1, 1))

    @property
    def months(self) -> tuple[str, ...]:
        """The months of the period as ``YYYY-MM`` labels."""
        labels = []
        year, month = self.start.year, self.start.month
        while date(year, month, 1) < self.end:
            labels.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return tuple(labels)


@dataclass(frozen=True)
class Count:
    key: str
    value: float


Counts = tuple[Count, ...]


@dataclass(frozen=True)
class Trend:
    """Monthly values of one series (aligned with ``Period.months``)."""

    key: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class IndustryFigures:
    sessions: int | None = None
    hosts: int | None = None
    products: int | None = None
    sales_yuan: float | None = None
    sessions_by_month: tuple[int, ...] = ()
    market: tuple[MarketFigure, ...] = ()


@dataclass(frozen=True)
class SupervisionFigures:
    scans: int | None = None
    findings: int | None = None
    by_code: Counts = ()
    by_category: Counts = ()
    by_severity: Counts = ()
    #: Findings per month, one trend per severity.
    trend: tuple[Trend, ...] = ()


@dataclass(frozen=True)
class QualityFigures:
    products: int | None = None
    vetting: Counts = ()
    #: Document type → number of products still missing it.
    document_gaps: Counts = ()
    products_with_gaps: int | None = None
    lots_inspected: int | None = None
    inspection_outcomes: Counts = ()


@dataclass(frozen=True)
class AfterSalesFigures:
    complaints: int | None = None
    by_type: Counts = ()
    deadlines_due: int | None = None
    deadlines_met: int | None = None
    remedies: Counts = ()
    by_month: tuple[int, ...] = ()


@dataclass(frozen=True)
class SpotCheckFigures:
    spot_checks: int | None = None
    by_status: Counts = ()
    by_outcome: Counts = ()
    disclosed: int | None = None


@dataclass(frozen=True)
class RiskRow:
    name: str
    complaints: int
    findings: int


@dataclass(frozen=True)
class ChallengeFigures:
    top_codes: Counts = ()
    top_products: tuple[RiskRow, ...] = ()


@dataclass(frozen=True)
class Scope:
    """Whose figures these are: ``all`` organisations, one ``organisation``, a regulator's
    ``jurisdiction`` or an association's ``region``; ``name`` names the organisation or region and
    ``organisations`` counts the organisations covered."""

    kind: Literal["all", "organisation", "jurisdiction", "region"]
    name: str = ""
    organisations: int = 0


@dataclass(frozen=True)
class Figures:
    """Everything the Blue Book prints, for one period and organisation scope."""

    period: Period
    scope: Scope
    industry: IndustryFigures = field(default_factory=IndustryFigures)
    supervision: SupervisionFigures = field(default_factory=SupervisionFigures)
    quality: QualityFigures = field(default_factory=QualityFigures)
    after_sales: AfterSalesFigures = field(default_factory=AfterSalesFigures)
    spot_checks: SpotCheckFigures = field(default_factory=SpotCheckFigures)
    challenges: ChallengeFigures = field(default_factory=ChallengeFigures)


# --- the assembled report ---------------------------------------------------------------

Cell = str | int | float | None


@dataclass
class Table:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


@dataclass
class Section:
    key: str
    title: str
    summary: list[str]
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Report:
    lang: str
    title: str
    subtitle: str
    sections: list[Section]
    figures: Figures
