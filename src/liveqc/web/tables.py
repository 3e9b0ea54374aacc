"""Console lists that sort, filter, paginate and export, declared once per list.

A page declares its :class:`Table` (columns with the SQL expression each sorts and filters by),
then ``serve(request, session, table, select(...))`` reads ``sort``, ``dir``, ``page``,
``per_page``, ``f.<column>`` and ``export`` from the query string, checks them against the
declaration (an unknown column is refused with its name; no query text reaches SQL) and returns
either a :class:`Listing` for the template or, for ``export=csv|xlsx``, the same filtered and
sorted rows of every page as an attachment.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from liveqc.errors import ValidationFailed
from liveqc.web.i18n import pick_locale, translator

MAX_PER_PAGE = 200
MAX_PAGE = 10_000_000
MAX_FILTER = 100
#: Exports stop here so one click cannot pull a whole database into memory.
MAX_EXPORT_ROWS = 50_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTER_PREFIX = "f."
#: Cells starting with these are formulas to a spreadsheet; exports quote them as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Translate = Callable[..., str]


def like_pattern(text: str) -> str:
    """``%text%`` for LIKE with ``\\`` as the escape, so ``%`` and ``_`` match themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(expression: Any, text: str) -> Any:
    """Case-insensitive substring match on both backends (Chinese has no case)."""
    return expression.ilike(like_pattern(text), escape="\\")


@dataclass(frozen=True)
class Column:
    """One column of a list.

    ``sort`` is the SQL expression it orders by (None: not sortable); ``filter`` is ``"text"``
    (substring over ``search`` or ``sort``) or ``"exact"`` (equality, limited to ``choices``
    when given); ``value(row, t)`` is the exported cell (default: the attribute ``key``).
    """

    key: str
    label: str
    sort: Any = None
    filter: str = ""
    search: tuple[Any, ...] = ()
    choices: tuple[str, ...] = ()
    value: Callable[[Any, Translate], Any] | None = None

    def cell(self, row: Any, t: Translate) -> Any:
        raw = self.value(row, t) if self.value else getattr(row, self.key, "")
        if isinstance(raw, Enum):
            return raw.value
        if isinstance(raw, datetime):
            return raw.strftime("%Y-%m-%d %H:%M")
        if isinstance(raw, date | Decimal):
            return str(raw)
        return "" if raw is None else raw


@dataclass(frozen=True)
class Table:
    """A list's columns and defaults; ``aliases`` map a page's own query parameters (such as
    ``status``) onto a column filter, so bespoke filter forms keep working."""

    name: str
    columns: tuple[Column, ...]
    default_order: tuple[Any, ...] = ()
    tiebreak: Any = None
    per_page: int = 50
    aliases: Mapping[str, str] = field(default_factory=dict)

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        known = ", ".join(c.key for c in self.columns)
        raise ValidationFailed(f"unknown column {key!r} in {self.name}; known: {known}")


@dataclass(frozen=True)
class Listing:
    """What the query string asked for, and (after :func:`fetch`) one page of rows."""

    table: Table
    path: str
    params: tuple[tuple[str, str], ...]
    sort: str = ""
    dir: str = "asc"
    page: int = 1
    per_page: int = 50
    filters: Mapping[str, str] = field(default_factory=dict)
    export: str = ""
    rows: Sequence[Any] = ()
    total: int = 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def url(self, **changes: Any) -> str:
        """This list's URL with ``changes`` (None drops a parameter); other parameters stay."""
        values = dict(self.params)
        for key, value in changes.items():
            name = key.replace("__", ".")
            if value is None:
                values.pop(name, None)
            else:
                values[name] = str(value)
        query = urlencode(values)
        return f"{self.path}?{query}" if query else self.path

    def sort_url(self, key: str) -> str:
        flip = "desc" if self.sort == key and self.dir == "asc" else "asc"
        return self.url(sort=key, dir=flip, page=None, export=None)

    def sort_state(self, key: str) -> str:
        """The ``aria-sort`` value of column ``key``."""
        if self.sort != key:
            return "none"
        return "ascending" if self.dir == "asc" else "descending"

    def page_url(self, page: int) -> str:
        return self.url(page=page, export=None)

    def export_url(self, fmt: str) -> str:
        return self.url(export=fmt, page=None)


def _number(params: Mapping[str, str], name: str, default: int, high: int) -> int:
    raw = params.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= high:
        raise ValidationFailed(f"{name}: expected a whole number from 1 to {high}, got {raw!r}")
    return int(raw)


def parse(request: Request, table: Table) -> Listing:
    """Read and check the list parameters of ``request``.

    Raises:
        ValidationFailed: an unknown or unsortable column, a bad direction, page or format.
    """
    params = request.query_params
    sort = params.get("sort", "")
    if sort and table.column(sort).sort is None:
        raise ValidationFailed(f"sort: column {sort!r} of {table.name} cannot be sorted")
    direction = params.get("dir", "asc") or "asc"
    if direction not in ("asc", "desc"):
        raise ValidationFailed(f"dir: expected asc or desc, got {direction!r}")
    export = params.get("export", "")
    if export and export not in ("csv", "xlsx"):
        raise ValidationFailed(f"export: expected csv or xlsx, got {export!r}")
    filters: dict[str, str] = {}
    for alias, key in table.aliases.items():
        value = params.get(alias, "").strip()[:MAX_FILTER]
        choices = table.column(key).choices
        if value and (not choices or value in choices):  # a page's own form: lenient as before
            filters[key] = value
    for name, value in params.multi_items():
        if name.startswith(FILTER_PREFIX) and value.strip():
            filters[name[len(FILTER_PREFIX) :]] = value.strip()
    for key, value in filters.items():
        column = table.column(key)
        if not column.filter:
            raise ValidationFailed(f"f.{key}: column {key!r} of {table.name} cannot be filtered")
        if len(value) > MAX_FILTER:
            raise ValidationFailed(f"f.{key}: at most {MAX_FILTER} characters")
        if column.filter == "exact" and column.choices and value not in column.choices:
            raise ValidationFailed(f"f.{key}: {value!r} is not one of {', '.join(column.choices)}")
    return Listing(
        table=table,
        path=request.url.path,
        params=tuple(params.multi_items()),
        sort=sort,
        dir=direction,
        page=_number(params, "page", 1, MAX_PAGE),
        per_page=_number(params, "per_page", table.per_page, MAX_PER_PAGE),
        filters=filters,
        export=export,
    )


def apply(stmt: Select[Any], listing: Listing) -> Select[Any]:
    """``stmt`` filtered and ordered as ``listing`` asks (no limit)."""
    table = listing.table
    for key, value in listing.filters.items():
        column = table.column(key)
        if column.filter == "exact":
            stmt = stmt.where(column.sort == value)
        else:
            stmt = stmt.where(or_(*(contains(e, value) for e in column.search or (column.sort,))))
    if listing.sort:
        expression = table.column(listing.sort).sort
        ordered = expression.desc() if listing.dir == "desc" else expression.asc()
        stmt = stmt.order_by(ordered.nulls_last())
    else:
        stmt = stmt.order_by(*table.default_order)
    if table.tiebreak is not None:
        stmt = stmt.order_by(table.tiebreak.desc() if listing.dir == "desc" else table.tiebreak)
    return stmt


def fetch(session: Session, stmt: Select[Any], listing: Listing) -> Listing:
    """One page of rows; a page past the end shows the last page."""
    query = apply(stmt, listing)
    counted = select(func.count()).select_from(query.order_by(None).subquery())
    total = session.scalar(counted) or 0
    page = min(listing.page, max(1, -(-total // listing.per_page)))
    offset = (page - 1) * listing.per_page
    rows = list(session.scalars(query.limit(listing.per_page).offset(offset)).unique())
    return replace(listing, rows=rows, total=total, page=page)


def export_rows(session: Session, stmt: Select[Any], listing: Listing) -> list[Any]:
    """Every filtered, sorted row (up to ``MAX_EXPORT_ROWS``)."""
    query = apply(stmt, listing).limit(MAX_EXPORT_ROWS)
    return list(session.scalars(query).unique())


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(columns: Sequence[Column], rows: Sequence[Any], t: Translate) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t(c.label) for c in columns])
    for row in rows:
        writer.writerow([_safe(c.cell(row, t)) for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(columns: Sequence[Column], rows: Sequence[Any], t: Translate, title: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append([t(c.label) for c in columns])
    for row in rows:
        cells = []
        for column in columns:
            value = column.cell(row, t)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(session: Session, stmt: Select[Any], listing: Listing, t: Translate) -> Response:
    """The whole filtered, sorted list as a CSV or XLSX attachment."""
    table = listing.table
    rows = export_rows(session, stmt, listing)
    if listing.export == "xlsx":
        body, media = to_xlsx(table.columns, rows, t, table.name), XLSX
    else:
        body, media = to_csv(table.columns, rows, t), "text/csv; charset=utf-8"
    filename = f"{table.name}.{listing.export}"
    disposition = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


def serve(
    request: Request, session: Session, table: Table, stmt: Select[Any]
) -> Listing | Response:
    """A page of ``stmt`` for the template, or the export the query string asked for."""
    listing = parse(request, table)
    if listing.export:
        t = translator(pick_locale(request.session.get("locale")))
        return export(session, stmt, listing, t)
    return fetch(session, stmt, listing)
