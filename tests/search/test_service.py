"""Search on both backends: Chinese substrings, tenancy, escaped wildcards, bad queries."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.complaints.models import Complaint
from liveqc.db import tenancy
from liveqc.errors import ValidationFailed
from liveqc.events.models import AuditEvent
from liveqc.live_sessions.models import LiveSession
from liveqc.search import service
from liveqc.web.i18n import translator
from tests.factories.products import QINGHE, XINGHE, act_as, make_product


def as_org(session: Session, demo: Any, name: str) -> None:
    tenancy.set_organisation(session, demo.organisations[name].id)


def titles(groups: list[service.Group], kind: str) -> list[str]:
    return [h.title for g in groups if g.kind == kind for h in g.hits]


def test_finds_products_by_a_chinese_substring_of_the_name(session: Session, demo: Any) -> None:
    as_org(session, demo, XINGHE)
    groups = service.search(session, q="补水保湿")
    assert [g.kind for g in groups] == list(service.KINDS)
    assert "玻尿酸补水保湿精华液" in titles(groups, "products")
    hit = next(h for g in groups for h in g.hits if h.title == "玻尿酸补水保湿精华液")
    assert hit.url == f"/products/{hit.id}"


def test_another_organisations_rows_are_not_found(session: Session, demo: Any) -> None:
    as_org(session, demo, XINGHE)
    assert "儿童益智磁力片积木" not in titles(service.search(session, q="磁力片"), "products")
    as_org(session, demo, QINGHE)
    assert "儿童益智磁力片积木" in titles(service.search(session, q="磁力片"), "products")


def test_no_organisation_finds_nothing(session: Session, demo: Any) -> None:
    tenancy.set_organisation(session, None)
    assert all(g.total == 0 for g in service.search(session, q="精华"))


def test_finds_by_sku_gtin_and_supplier_name(session: Session, demo: Any) -> None:
    product = make_product(session, demo, sku="ZZ-SEARCH-7", name="竹炭牙刷", gtin="6901234567892")
    for q in ("search-7", "6901234567892", product.supplier.name[1:5]):
        found = service.search(session, q=q, kind="products", limit=50)
        assert product.id in [h.id for h in found[0].hits], q


def test_wildcards_are_matched_literally(session: Session, demo: Any) -> None:
    make_product(session, demo, sku="P-1", name="百分百_纯棉%毛巾")
    make_product(session, demo, sku="P-2", name="百分百a纯棉b毛巾")
    assert titles(service.search(session, q="百分百_纯棉%"), "products") == ["百分百_纯棉%毛巾"]
    assert titles(service.search(session, q="_"), "products") == ["百分百_纯棉%毛巾"]
    assert service.search(session, q="%", kind="products")[0].total == 1


def test_finds_live_sessions_by_room_and_host(session: Session, demo: Any) -> None:
    as_org(session, demo, XINGHE)
    live = session.scalars(select(LiveSession).order_by(LiveSession.id)).first()
    assert live is not None and live.hosts
    by_room = service.search(session, q=live.room[2:6], kind="live_sessions", limit=50)
    assert live.id in [h.id for h in by_room[0].hits]
    by_host = service.search(session, q=live.hosts[0].name, kind="live_sessions", limit=50)
    assert live.id in [h.id for h in by_host[0].hits]


def test_finds_complaints_by_text_and_tracking_code_for_after_sales(
    session: Session, demo: Any
) -> None:
    qc = act_as(session, demo, "qc@xinghe.example")
    complaint = session.scalars(select(Complaint).order_by(Complaint.id)).first()
    assert complaint is not None
    text = service.search(session, q=complaint.description[:6], kind="complaints", reader=qc)
    hit = next(h for h in text[0].hits if h.id == complaint.id)
    assert hit.title == f"#{complaint.id}" and hit.url == f"/complaints/{complaint.id}"
    code = complaint.tracking_code
    assert service.search(session, q=code, kind="complaints", reader=qc)[0].total == 0
    after_sales = act_as(session, demo, "aftersales@xinghe.example")
    found = service.search(session, q=code.lower(), kind="complaints", reader=after_sales)
    assert [(h.id, h.title) for h in found[0].hits] == [(complaint.id, code)]
    other = act_as(session, demo, "admin@qinghe.example")
    assert service.search(session, q=code, kind="complaints", reader=other)[0].total == 0


def test_consumer_association_finds_what_was_escalated_to_it(session: Session, demo: Any) -> None:
    staff = act_as(session, demo, "staff@xiaoxie.example")
    with tenancy.bypass_tenancy(session, reason="test: pick a complaint"):
        complaint = session.scalars(select(Complaint).order_by(Complaint.id)).first()
        assert complaint is not None
        complaint.escalated_to_id = staff.organisation.id
        session.flush()
    words = complaint.description[:5]
    found = service.search(session, q=words, kind="complaints", reader=staff)[0]
    assert [h.id for h in found.hits] == [complaint.id] and found.hits[0].title.startswith("#")
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.organisation_id == staff.organisation.id)
    ).all()
    assert any(
        e.action == "read" and complaint.id in (e.after or {}).get("ids", []) for e in events
    )


def test_findings_include_stored_findings_and_live_alerts(session: Session, demo: Any) -> None:
    as_org(session, demo, XINGHE)
    group = service.search(session, q="absolute_term", kind="findings", limit=50)[0]
    assert group.total >= 1
    assert {h.source for h in group.hits} <= {"finding", "alert"}
    assert all(h.url.startswith(("/compliance/scans/", "/live-sessions/")) for h in group.hits)
    first, rest = (
        service.search(session, q="absolute_term", kind="findings", limit=1, offset=o)[0]
        for o in (0, 1)
    )
    assert first.hits and first.hits[0] not in rest.hits
    label = translator("zh-CN")("compliance.code.absolute_term")
    by_name = service.search(session, q=label, kind="findings", limit=50)[0]
    assert {h.id for h in group.hits} <= {h.id for h in by_name.hits}
    assert {h.code for h in by_name.hits} >= {"absolute_term"}


@pytest.mark.parametrize("q", ["", "   ", "字" * (service.MAX_QUERY + 1)])
def test_empty_or_too_long_query_is_refused(session: Session, q: str) -> None:
    with pytest.raises(ValidationFailed, match="q: "):
        service.search(session, q=q)


def test_unknown_kind_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed, match="kind: 'orders'"):
        service.search(session, q="x", kind="orders")
