"""Market figures a user imports from a CSV (national statistics the database cannot know).

Columns: ``key, value, period, source`` are required; ``label_zh, label_en, qualifier, unit_zh,
unit_en`` are optional. ``qualifier`` is ``≈``, ``>``, ``<``, ``≥``, ``≤`` or empty, so that
"close to 45 trillion" stays an approximation in the report. Bad rows raise ``InputError``
naming the line and the column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from liveqc.errors import InputError

EXAMPLE = Path(__file__).parent / "data" / "market_figures_example.csv"
REQUIRED = ("key", "value", "period", "source")
OPTIONAL = ("label_zh", "label_en", "qualifier", "unit_zh", "unit_en")
QUALIFIERS = ("", "≈", ">", "<", "≥", "≤")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
MAX_ROWS = 500


@dataclass(frozen=True)
class MarketFigure:
    key: str
    value: float
    period: str
    source: str
    label_zh: str = ""
    label_en: str = ""
    qualifier: str = ""
    unit_zh: str = ""
    unit_en: str = ""

    def label(self, lang: str) -> str:
        text = self.label_en if lang == "en" else self.label_zh
        return text or self.label_zh or self.label_en or self.key

    def unit(self, lang: str) -> str:
        return (self.unit_en if lang == "en" else self.unit_zh) or self.unit_zh or self.unit_en


def parse(text: str, *, name: str = "market CSV") -> list[MarketFigure]:
    """Market figures from CSV ``text``; raises ``InputError`` naming the bad line and column."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise InputError(f"{name}: line 1: missing column(s) {', '.join(missing)}")
    unknown = [h for h in header if h not in REQUIRED + OPTIONAL]
    if unknown:
        raise InputError(f"{name}: line 1: unknown column(s) {', '.join(unknown)}")
    reader.fieldnames = header
    figures: list[MarketFigure] = []
    seen: set[tuple[str, str]] = set()
    for row in reader:
        line = reader.line_num
        if None in row:
            raise InputError(f"{name}: line {line}: more fields than columns")
        cells = {k: (v or "").strip() for k, v in row.items()}
        if not any(cells.values()):
            continue
        figure = _figure(cells, f"{name}: line {line}")
        if (figure.key, figure.period) in seen:
            raise InputError(
                f"{name}: line {line}: duplicate key {figure.key!r} for {figure.period}"
            )
        seen.add((figure.key, figure.period))
        figures.append(figure)
        if len(figures) > MAX_ROWS:
            raise InputError(f"{name}: more than {MAX_ROWS} rows")
    return figures


def _figure(cells: dict[str, str], where: str) -> MarketFigure:
    for column in REQUIRED:
        if not cells.get(column):
            raise InputError(f"{where}: column {column!r} is empty")
    if not _KEY.match(cells["key"]):
        raise InputError(f"{where}: column 'key' must be lower_snake_case, got {cells['key']!r}")
    try:
        value = Decimal(cells["value"].replace(",", ""))
    except InvalidOperation:
        raise InputError(f"{where}: column 'value' is not a number: {cells['value']!r}") from None
    if not value.is_finite():
        raise InputError(f"{where}: column 'value' is not a finite number: {cells['value']!r}")
    if not _PERIOD.match(cells["period"]):
        raise InputError(
            f"{where}: column 'period' must be YYYY or YYYY-MM, got {cells['period']!r}"
        )
    qualifier = cells.get("qualifier", "")
    if qualifier not in QUALIFIERS:
        allowed = " ".join(q for q in QUALIFIERS if q)
        raise InputError(f"{where}: column 'qualifier' must be empty or one of {allowed}")
    return MarketFigure(
        key=cells["key"],
        value=float(value),
        period=cells["period"],
        source=cells["source"],
        label_zh=cells.get("label_zh", ""),
        label_en=cells.get("label_en", ""),
        qualifier=qualifier,
        unit_zh=cells.get("unit_zh", ""),
        unit_en=cells.get("unit_en", ""),
    )


def load(path: Path | None = None) -> list[MarketFigure]:
    """Figures from ``path`` (the shipped example when None)."""
    target = path or EXAMPLE
    try:
        text = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {target.name}: {exc.__class__.__name__}") from None
    return parse(text, name=target.name)
