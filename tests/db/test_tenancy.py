from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from liveqc.db import tenancy
from liveqc.errors import PermissionDenied
from liveqc.products.models import Product, Supplier


def orgs(demo):
    return demo.organisations["星河直播"].id, demo.organisations["青禾优选"].id


def test_selects_see_only_the_current_organisation(session: Session, demo) -> None:
    xinghe, qinghe = orgs(demo)
    tenancy.set_organisation(session, xinghe)
    rows = session.scalars(select(Product)).all()
    assert rows and {row.organisation_id for row in rows} == {xinghe}
    tenancy.set_organisation(session, qinghe)
    assert {p.organisation_id for p in session.scalars(select(Product))} == {qinghe}


def test_counts_joins_and_filters_are_scoped_too(session: Session, demo) -> None:
    xinghe, _ = orgs(demo)
    tenancy.set_organisation(session, xinghe)
    mine = sum(p.organisation_id == xinghe for p in demo.products.values())
    assert session.scalar(select(func.count(Product.id))) == mine > 0
    joined = session.execute(select(Product.sku, Supplier.name).join(Supplier)).all()
    assert joined and all(sku.startswith("XH-") for sku, _ in joined)
    assert session.scalars(select(Product).where(Product.sku == "QH-001")).first() is None


def test_a_session_without_organisation_sees_nothing(session: Session, demo) -> None:
    tenancy.set_organisation(session, None)
    assert session.scalars(select(Supplier)).all() == []


def test_flush_refuses_rows_of_another_organisation(session: Session, demo) -> None:
    xinghe, qinghe = orgs(demo)
    tenancy.set_organisation(session, xinghe)
    supplier = session.scalars(select(Supplier)).first()
    assert supplier is not None
    session.add(
        Supplier(name="冒名供应商", credit_code="91330108MA2H7K3Q0X", organisation_id=qinghe)
    )
    with pytest.raises(PermissionDenied):
        session.flush()


def test_new_rows_take_the_session_organisation(session: Session, demo) -> None:
    _, qinghe = orgs(demo)
    tenancy.set_organisation(session, qinghe)
    row = Supplier(name="新供应商", credit_code="91330108MA2H7K3Q0Y")
    session.add(row)
    session.flush()
    assert row.organisation_id == qinghe


def test_bulk_updates_touch_only_the_current_organisation(session: Session, demo) -> None:
    xinghe, qinghe = orgs(demo)
    tenancy.set_organisation(session, xinghe)
    session.execute(update(Product).values(brand="改"))
    with tenancy.bypass_tenancy(session, reason="test read-back"):
        brands = dict(session.execute(select(Product.organisation_id, Product.brand)).all())
        changed = session.execute(select(Product.brand).where(Product.organisation_id == qinghe))
        assert brands[xinghe] == "改"
        assert "改" not in set(changed.scalars())


def test_bypass_needs_a_reason_and_is_logged(session: Session, demo, caplog) -> None:
    xinghe, _ = orgs(demo)
    tenancy.set_organisation(session, xinghe)
    with pytest.raises(ValueError), tenancy.bypass_tenancy(session, reason=" "):
        pass
    caplog.set_level("INFO", logger="liveqc.tenancy")
    mine = sum(p.organisation_id == xinghe for p in demo.products.values())
    with tenancy.bypass_tenancy(session, reason="regulator read"):
        assert session.scalar(select(func.count(Product.id))) == len(demo.products) > mine
    assert session.scalar(select(func.count(Product.id))) == mine
    assert "regulator read" in caplog.text


def test_a_read_scope_widens_selects_only_and_is_logged(session: Session, demo, caplog) -> None:
    xinghe, qinghe = orgs(demo)
    platform = demo.organisations["快购平台"].id
    tenancy.set_organisation(session, platform)
    with (
        pytest.raises(ValueError, match="reason"),
        tenancy.read_scope(session, [xinghe], reason=" "),
    ):
        pass
    with (
        caplog.at_level("INFO", logger="liveqc.tenancy"),
        tenancy.read_scope(session, [xinghe, qinghe], reason="test: two agencies"),
    ):
        seen = {p.organisation_id for p in session.scalars(select(Product))}
        changed = session.execute(
            update(Product).where(Product.organisation_id == xinghe).values(name="改名")
        )
        assert changed.rowcount == 0  # updates keep to the session's own organisation
        product = session.scalars(select(Product).where(Product.organisation_id == qinghe))
        first = product.first()
        assert first is not None
        first.name = "越权修改"
        with pytest.raises(PermissionDenied):
            session.flush()
        session.rollback()
    assert seen == {xinghe, qinghe}
    assert "test: two agencies" in caplog.text
    tenancy.set_organisation(session, platform)
    assert {p.organisation_id for p in session.scalars(select(Product))} <= {platform}
