"""Sessions, hosts, lineup, price history and retention (service level, both backends)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from liveqc.errors import NotFound, ValidationFailed
from liveqc.events.models import AuditEvent
from liveqc.live_sessions import service
from liveqc.live_sessions.schemas import HostCreate, LineupItemCreate
from liveqc.products.models import ProductPrice, ProductStatus
from tests.factories.live_sessions import make_live, make_product, use_org

WHEN = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_age_on_counts_completed_years() -> None:
    assert service.age_on(date(2010, 12, 2), date(2026, 12, 1)) == 15
    assert service.age_on(date(2010, 12, 1), date(2026, 12, 1)) == 16


def test_host_under_16_on_the_session_date_is_refused(session, demo) -> None:
    live = make_live(session, demo, when=WHEN)
    admin = use_org(session, demo)
    young = HostCreate(name="小美", birth_date=date(2010, 12, 2))
    with pytest.raises(ValidationFailed, match=r"birth_date.*15.*at least 16"):
        service.add_host(session, live, data=young, actor=admin)
    ok = HostCreate(name="小美", birth_date=date(2010, 12, 1))
    assert service.add_host(session, live, data=ok, actor=admin).name == "小美"


def test_virtual_host_labels_the_whole_session(session, demo) -> None:
    live = make_live(session, demo)
    assert not live.has_virtual_host
    admin = use_org(session, demo)
    service.add_host(session, live, data=HostCreate(name="AI 小星", is_virtual=True), actor=admin)
    assert live.has_virtual_host
    assert any(h.is_virtual and h.birth_date is None for h in live.hosts)


def test_person_host_needs_a_birth_date() -> None:
    with pytest.raises(ValueError, match="birth_date"):
        HostCreate(name="无生日")


def test_unapproved_product_is_refused_in_a_lineup(session, demo) -> None:
    live = make_live(session, demo)
    admin = use_org(session, demo)
    vetting = make_product(session, demo, status=ProductStatus.VETTING)
    with pytest.raises(ValidationFailed, match="only approved products"):
        service.add_lineup_item(
            session, live, data=LineupItemCreate(product_id=vetting.id), actor=admin
        )
    item = service.add_lineup_item(
        session, live, data=LineupItemCreate(product_id=make_product(session, demo).id), actor=admin
    )
    assert item.position == 2


def test_other_organisations_product_is_not_found_for_the_lineup(session, demo) -> None:
    live = make_live(session, demo)
    admin = use_org(session, demo)
    theirs = make_product(session, demo, org="青禾优选")
    use_org(session, demo)
    with pytest.raises(ValidationFailed, match="does not exist"):
        service.add_lineup_item(
            session, live, data=LineupItemCreate(product_id=theirs.id), actor=admin
        )


def test_creating_a_session_is_audited(session, demo) -> None:
    live = make_live(session, demo)
    actions = {
        e.action
        for e in session.query(AuditEvent).filter(
            AuditEvent.object_type == "live_sessions", AuditEvent.object_id == str(live.id)
        )
    }
    assert {"create", "add_host", "add_lineup_item"} <= actions


def test_lowest_price_7d_uses_only_the_7_days_before(session, demo) -> None:
    use_org(session, demo)
    product = make_product(session, demo, category="food")
    at = datetime(2026, 11, 20, tzinfo=UTC)
    for days, price in ((8, "50"), (6, "80"), (1, "70"), (-1, "10")):
        session.add(
            ProductPrice(
                product_id=product.id, price=Decimal(price), charged_at=at - timedelta(days=days)
            )
        )
    session.flush()
    assert service.lowest_price_7d(session, product.id, at) == 70.0
    assert service.lowest_price_7d(session, product.id, at - timedelta(days=30)) is None


def test_retention_defaults_to_and_never_goes_below_three_years(session, demo) -> None:
    admin = use_org(session, demo)
    assert service.retention_years(session) == 3
    with pytest.raises(ValidationFailed, match="legal minimum"):
        service.set_retention_years(session, years=2, actor=admin)
    service.set_retention_years(session, years=5, actor=admin)
    assert service.retention_years(session) == 5
    use_org(session, demo, "青禾优选")
    assert service.retention_years(session) == 3


def test_other_organisations_session_is_not_found(session, demo) -> None:
    theirs = make_live(session, demo, org="青禾优选", categories=("toy",))
    use_org(session, demo, "星河直播")
    with pytest.raises(NotFound):
        service.get_or_raise(session, theirs.id)
