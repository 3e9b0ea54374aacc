"""The collection layer on the demo data, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.complaints.models import Complaint
from liveqc.compliance.models import Finding, Scan
from liveqc.db import tenancy
from liveqc.db.types import utcnow
from liveqc.live_sessions.models import Alert, LiveSession
from liveqc.products.models import Product
from liveqc.reports import bluebook, collect, market
from liveqc.reports.schemas import Period, ReportFormat
from liveqc.spot_checks.models import SpotCheck

AGENCIES = ("星河直播", "青禾优选")


def this_year() -> Period:
    return Period.parse(str(utcnow().year))


@contextmanager
def acting(session_factory, org_id: int | None) -> Iterator[Session]:
    with session_factory() as session:
        tenancy.set_organisation(session, org_id)
        if org_id is None:
            with tenancy.bypass_tenancy(session, reason="test: every organisation"):
                yield session
        else:
            yield session


def inside(moment: datetime | None, period: Period) -> bool:
    start, end = collect.bounds(period)
    return moment is not None and start <= moment.replace(tzinfo=moment.tzinfo or UTC) < end


def test_each_agency_gets_its_own_figures(session_factory, demo) -> None:
    for org in AGENCIES:
        check_agency(session_factory, demo, org)


def check_agency(session_factory, demo, org: str) -> None:
    period = this_year()
    organisation = demo.organisations[org]
    with acting(session_factory, organisation.id) as session:
        figures = collect.collect(session, period=period, organisation=organisation)
        lives = list(session.scalars(select(LiveSession)))
        findings = list(session.scalars(select(Finding)))
        alerts = list(session.scalars(select(Alert)))
        complaints = list(session.scalars(select(Complaint)))
        products = list(session.scalars(select(Product)))
        scans = list(session.scalars(select(Scan)))
    assert {r.organisation_id for r in lives + complaints + products} == {organisation.id}
    expected_sessions = [s for s in lives if inside(s.started_at or s.scheduled_at, period)]
    assert figures.industry.sessions == len(expected_sessions) > 0
    assert sum(figures.industry.sessions_by_month) == figures.industry.sessions
    assert figures.industry.sales_yuan is None
    expected_findings = [f for f in findings if inside(f.created_at, period)]
    expected_findings += [a for a in alerts if inside(a.created_at, period)]
    assert figures.supervision.findings == len(expected_findings)
    assert figures.supervision.scans == len([s for s in scans if inside(s.created_at, period)])
    assert sum(c.value for c in figures.supervision.by_code) == figures.supervision.findings
    assert sum(sum(t.values) for t in figures.supervision.trend) == figures.supervision.findings
    expected_complaints = [c for c in complaints if inside(c.received_at, period)]
    assert figures.after_sales.complaints == len(expected_complaints) > 0
    assert sum(c.value for c in figures.after_sales.by_type) == figures.after_sales.complaints
    assert figures.quality.products == len(products)
    assert sum(c.value for c in figures.quality.vetting) == len(products)
    due, met = figures.after_sales.deadlines_due, figures.after_sales.deadlines_met
    assert due is not None and met is not None and 0 <= met <= due <= 2 * len(expected_complaints)
    names = {p.name for p in products}
    assert {row.name for row in figures.challenges.top_products} <= names


def test_agencies_do_not_see_each_other(session_factory, demo) -> None:
    period = this_year()
    seen = {}
    for org in AGENCIES:
        organisation = demo.organisations[org]
        with acting(session_factory, organisation.id) as session:
            seen[org] = collect.collect(session, period=period, organisation=organisation)
    with acting(session_factory, None) as session:
        everyone = collect.collect(session, period=period, organisation=None)
    assert everyone.scope.kind == "all"
    for part in ("sessions", "products"):
        total = getattr(everyone.industry, part)
        assert total >= sum(getattr(seen[org].industry, part) for org in AGENCIES)
    assert everyone.after_sales.complaints >= sum(
        seen[org].after_sales.complaints or 0 for org in AGENCIES
    )


def test_an_agency_counts_the_spot_checks_of_its_own_products(session_factory, demo) -> None:
    period = this_year()
    with acting(session_factory, None) as session:
        checks = [c for c in session.scalars(select(SpotCheck)) if inside(c.created_at, period)]
    for org in AGENCIES:
        organisation = demo.organisations[org]
        mine = [c for c in checks if c.subject_organisation_id == organisation.id]
        with acting(session_factory, organisation.id) as session:
            figures = collect.collect(session, period=period, organisation=organisation)
            assert tenancy.is_bypassed(session) is False  # the bypass ended with the query
        assert figures.spot_checks.spot_checks == len(mine)


def test_generate_writes_every_format_from_demo_data(session_factory, demo) -> None:
    organisation = demo.organisations["青禾优选"]
    steps: list[str] = []
    with acting(session_factory, organisation.id) as session:
        xlsx = collect.generate(
            session,
            period=this_year(),
            organisation=organisation,
            fmt=ReportFormat.xlsx,
            lang="en",
            market=market.load(),
            progress=steps.append,
        )
        pdf = collect.generate(
            session,
            period=this_year(),
            organisation=organisation,
            fmt=ReportFormat.pdf,
            lang="zh-CN",
        )
    assert steps == [
        "industry",
        "supervision",
        "quality",
        "after_sales",
        "spot_checks",
        "challenges",
        "render",
    ]
    assert pdf.startswith(b"%PDF")
    book = load_workbook(io.BytesIO(xlsx))
    assert len(book.sheetnames) == 6
    industry = book[book.sheetnames[0]]
    rows = list(industry.iter_rows(values_only=True))
    assert any(row[0] == "Total retail sales of consumer goods" and row[2] == 45 for row in rows)
    with acting(session_factory, organisation.id) as session:
        empty = collect.collect(session, period=Period.parse("2001"), organisation=organisation)
    assert empty.industry.sessions == 0 and empty.after_sales.complaints == 0
    assert empty.supervision.findings == 0 and empty.spot_checks.spot_checks == 0
    text = " ".join(bluebook.build(empty, "en").sections[0].summary)
    assert "no live sessions" in text and "Not recorded: sales (yuan)." in text


def test_month_buckets_use_china_days() -> None:
    period = Period.parse("2026")
    late = datetime(2026, 1, 31, 17, 0, tzinfo=UTC)  # 01:00 on 1 February in Beijing
    assert collect.monthly(period, [late])[:2] == (0, 1)
    assert collect.bounds(period)[0] == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)


def test_counts_put_the_given_order_first_and_name_blanks() -> None:
    got = collect.counts(["low", "high", None, "low", "zeta"], ("high", "medium", "low"))
    assert [(c.key, c.value) for c in got] == [
        ("high", 1),
        ("low", 2),
        ("unspecified", 1),
        ("zeta", 1),
    ]
