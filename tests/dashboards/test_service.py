"""Home-page figures against the demo data set (both backends), recomputed independently."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveqc.accounts.service import Principal
from liveqc.complaints import service as complaints
from liveqc.complaints.models import OPEN_STATUSES, Complaint
from liveqc.compliance.models import Finding, FindingStatus
from liveqc.dashboards import service
from liveqc.dashboards.figures import CHART_WEEKS, local_day, week_start
from liveqc.db import tenancy
from liveqc.db.types import utcnow
from liveqc.errors import NotFound
from liveqc.live_sessions.models import Alert, Disposition, LiveSession, LiveSessionStatus
from liveqc.products.models import Product, ProductStatus
from liveqc.spot_checks.models import AccessLog, CheckStatus, SpotCheck
from tests.factories.products import file_documents, inspected_lot, make_product

As = Callable[[str], Principal]


def count(session: Session, query: Any) -> int:
    return int(session.scalar(query) or 0)


@pytest.mark.parametrize(
    ("email", "views"),
    [
        ("qc@xinghe.example", ("qc",)),
        ("compliance@xinghe.example", ("compliance",)),
        ("aftersales@xinghe.example", ("after_sales",)),
        ("admin@xinghe.example", ("summary",)),
        ("risk@kuaigou.example", ("compliance",)),
        ("inspector@binjiang.example", ("regulator",)),
        ("staff@xiaoxie.example", ("association",)),
    ],
)
def test_each_demo_role_gets_its_views(as_user: As, email: str, views: tuple[str, ...]) -> None:
    assert service.views_for(as_user(email)) == views


def test_vetting_counts_each_waiting_step_of_my_organisation_only(
    session: Session, as_user: As
) -> None:
    me = as_user("qc@xinghe.example")
    panel = service.panel(session, principal=me, key="vetting")
    for status in (ProductStatus.SUBMITTED, ProductStatus.DOCUMENTS_REVIEW):
        expected = count(
            session,
            select(func.count(Product.id)).where(
                Product.status == status, Product.organisation_id == me.organisation.id
            ),
        )
        figure = panel.figure(status.value)
        assert figure.count == expected and figure.count == len(figure.items)
        assert figure.href == f"/products?status={status.value}"
    ids = [int(i.href.rsplit("/", 1)[1]) for i in panel.items]
    owners = {count(session, select(Product.organisation_id).where(Product.id == p)) for p in ids}
    assert ids and owners == {me.organisation.id}
    waited = [i.when.timestamp() for i in panel.items if isinstance(i.when, dt.datetime)]
    assert len(waited) == len(ids) and waited == sorted(waited), "longest waiting first"


def test_documents_expiring_and_expired_follow_the_day(
    session: Session, as_user: As, demo: Any
) -> None:
    me = as_user("qc@xinghe.example")
    now = utcnow()
    before = service.panel(session, principal=me, key="documents", now=now)
    product = make_product(session, demo, sku="DASH-1", name="看板测试商品")
    file_documents(
        session, product, today=now.date(), report_valid_to=now.date() + dt.timedelta(10)
    )
    after = service.panel(session, principal=me, key="documents", now=now)
    assert after.figure("expiring").count == before.figure("expiring").count + 1
    mine = [i for i in after.figure("expiring").items if i.label == "看板测试商品"]
    assert mine and mine[0].href == f"/products/{product.id}"
    assert mine[0].tag_key == "dashboards.doc.inspection_report"
    later = service.panel(session, principal=me, key="documents", now=now + dt.timedelta(days=40))
    assert any(i.label == "看板测试商品" for i in later.figure("expired").items)
    assert after.figure("missing").href == "/dashboards/documents/missing"


def test_a_rejected_lot_shows_for_thirty_days(session: Session, as_user: As, demo: Any) -> None:
    me = as_user("qc@xinghe.example")
    product = make_product(session, demo, sku="DASH-2")
    lot = inspected_lot(session, product, me, defects=20)
    assert lot.decision.value == "rejected"
    now = utcnow()
    figure = service.panel(session, principal=me, key="lots", now=now).figure("rejected")
    assert [i.value for i in figure.items if i.href == f"/products/{product.id}"] == ["L1"]
    later = service.panel(session, principal=me, key="lots", now=now + dt.timedelta(days=31))
    assert all(i.href != f"/products/{product.id}" for i in later.figure("rejected").items)


def test_live_panel_counts_rooms_live_now_and_going_live_today(
    session: Session, as_user: As
) -> None:
    me = as_user("compliance@xinghe.example")
    rows = list(session.scalars(select(LiveSession)))
    ready = [r for r in rows if r.status is LiveSessionStatus.READY]
    now = ready[0].scheduled_at
    panel = service.panel(session, principal=me, key="live", now=now)
    same_day = [r for r in ready if local_day(r.scheduled_at) == local_day(now)]
    assert panel.figure("ready_today").count == len(same_day) >= 1
    assert panel.figure("live").count == 0
    ready[0].status = LiveSessionStatus.LIVE
    ready[0].started_at = now
    session.flush()
    live = service.panel(session, principal=me, key="live", now=now).figure("live")
    assert live.count == 1 and live.href == "/live-sessions/monitor" and live.urgent
    assert live.items[0].href == f"/live-sessions/{ready[0].id}"
    empty = service.panel(session, principal=me, key="live", now=now + dt.timedelta(days=3))
    assert empty.figure("ready_today").count == 0


def test_risks_count_open_high_findings_and_alerts_and_chart_them_per_code(
    session: Session, as_user: As
) -> None:
    me = as_user("compliance@xinghe.example")
    now = utcnow()
    panel = service.panel(session, principal=me, key="risks", now=now)
    findings = count(
        session,
        select(func.count(Finding.id)).where(
            Finding.severity == "high", Finding.status == FindingStatus.OPEN
        ),
    )
    alerts = count(
        session,
        select(func.count(Alert.id)).where(
            Alert.severity == "high", Alert.disposition == Disposition.OPEN
        ),
    )
    assert panel.figure("high_findings").count == findings > 0
    assert panel.figure("high_alerts").count == alerts > 0
    assert panel.figure("high_findings").href == "/compliance/findings?severity=high&status=open"
    chart = panel.chart
    assert chart is not None and len(chart.categories) == CHART_WEEKS
    assert chart.categories[-1] == week_start(local_day(now)).strftime("%m-%d")
    raised = count(session, select(func.count(Finding.id))) + count(
        session, select(func.count(Alert.id))
    )
    assert sum(sum(s.values) for s in chart.series) == raised
    assert len(chart.series) <= 8
    far = service.panel(session, principal=me, key="risks", now=now + dt.timedelta(weeks=20))
    assert far.chart is not None and far.chart.series == ()


def test_queue_buckets_follow_working_days_left(session: Session, as_user: As) -> None:
    me = as_user("aftersales@xinghe.example")
    now = utcnow()
    panel = service.panel(session, principal=me, key="queue", now=now)
    open_rows = list(session.scalars(select(Complaint).where(Complaint.status.in_(OPEN_STATUSES))))
    assert panel.figure("open").count == len(open_rows) > 0
    left = {f"/complaints/{c.id}": complaints.working_days_left(c, now) or 0 for c in open_rows}
    assert all(left[i.href] < 0 for i in panel.figure("overdue").items)
    assert all(left[i.href] == 0 for i in panel.figure("due_today").items)
    assert all(1 <= left[i.href] <= 3 for i in panel.figure("due_soon").items)
    expected_overdue = sum(1 for c in open_rows if complaints.is_overdue(c, now))
    assert panel.figure("overdue").count == expected_overdue
    escalated = sum(1 for c in open_rows if c.escalated_at is not None)
    assert panel.figure("escalated").count == escalated


def test_regulator_panels_cover_the_jurisdiction_and_log_the_reads(
    session: Session, as_user: As
) -> None:
    me = as_user("inspector@binjiang.example")

    def risk_reads() -> int:
        with tenancy.bypass_tenancy(session, reason="count the access log in a test"):
            query = select(func.count(AccessLog.id)).where(AccessLog.action == "risk")
            return count(session, query)

    logged = risk_reads()
    risk = service.panel(session, principal=me, key="risk")
    agencies = risk.figure("agencies")
    assert agencies.count >= 1 and agencies.href == "/dashboards/risk/agencies"
    scores = [float(i.value) for i in agencies.items]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    assert risk_reads() == logged + agencies.count + risk.figure("products").count
    checks = service.panel(session, principal=me, key="checks")
    for status in ("drawn", "sampled", "tested", "objected"):
        expected = count(
            session, select(func.count(SpotCheck.id)).where(SpotCheck.status == CheckStatus(status))
        )
        assert checks.figure(status).count == expected
    assert sum(f.count for f in checks.figures) >= 1
    campaigns = service.panel(session, principal=me, key="campaigns")
    assert campaigns.figure("all").count == 0 and campaigns.items == ()


def test_association_sees_escalated_complaints_and_their_types(
    session: Session, as_user: As
) -> None:
    me = as_user("staff@xiaoxie.example")
    panel = service.panel(session, principal=me, key="escalated")
    assert panel.figure("all").count >= 1 and panel.figure("all").href == "/complaints"
    chart = panel.chart
    assert chart is not None and len(chart.categories) == 6
    assert sum(sum(s.values) for s in chart.series) == panel.figure("all").count
    assert all(s.key.startswith("complaints.cat.") for s in chart.series)


def test_summary_counts_each_domain(session: Session, as_user: As) -> None:
    me = as_user("admin@xinghe.example")
    figures = {f.key: f for f in service.home(session, principal=me).panels[0].figures}
    assert figures["products"].count == count(session, select(func.count(Product.id)))
    assert figures["products"].href == "/products"
    assert figures["open_complaints"].count == count(
        session, select(func.count(Complaint.id)).where(Complaint.status.in_(OPEN_STATUSES))
    )


def test_a_panel_of_another_role_is_not_found(session: Session, as_user: As) -> None:
    me = as_user("qc@xinghe.example")
    with pytest.raises(NotFound):
        service.panel(session, principal=me, key="risk")
    with pytest.raises(NotFound):
        service.panel(session, principal=me, key="vetting").figure("nope")
