from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveqc.accounts.models import Membership, Organisation, User
from liveqc.accounts.security import verify_password
from liveqc.db.tenancy import bypass_tenancy
from liveqc.demo import data
from liveqc.demo.loader import load
from liveqc.errors import ConfigurationError
from liveqc.events.models import AuditEvent
from liveqc.events.service import verify
from liveqc.products.models import Product, ProductStatus, Supplier
from liveqc.products.service import is_valid_credit_code
from tests.conftest import make_settings

CONTRACT_USERS = {
    "qc@xinghe.example": ("星河直播", "qc_reviewer"),
    "compliance@xinghe.example": ("星河直播", "compliance_reviewer"),
    "aftersales@xinghe.example": ("星河直播", "after_sales"),
    "admin@xinghe.example": ("星河直播", "admin"),
    "qc@qinghe.example": ("青禾优选", "qc_reviewer"),
    "admin@qinghe.example": ("青禾优选", "admin"),
    "risk@kuaigou.example": ("快购平台", "compliance_reviewer"),
    "inspector@binjiang.example": ("滨江区市场监管局", "inspector"),
    "staff@xiaoxie.example": ("市消费者协会", "viewer"),
}


def counts(session: Session) -> dict[str, int]:
    with bypass_tenancy(session, reason="test counts"):
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Organisation, User, Membership, Supplier, Product, AuditEvent)
        }


def test_demo_has_the_contract_users_with_their_roles(session: Session, demo) -> None:
    rows = session.execute(
        select(User.email, Organisation.name, Membership.role, User.password_hash)
        .join(Membership, Membership.user_id == User.id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
    ).all()
    found = {email: (org, role.value) for email, org, role, _ in rows}
    assert found == CONTRACT_USERS
    assert all(verify_password(h, data.DEMO_PASSWORD) for *_, h in rows)


def test_each_agency_has_suppliers_with_valid_codes_and_products(session: Session, demo) -> None:
    with bypass_tenancy(session, reason="test"):
        for org_name in ("星河直播", "青禾优选"):
            org_id = demo.organisations[org_name].id
            suppliers = session.scalars(
                select(Supplier).where(Supplier.organisation_id == org_id)
            ).all()
            assert 2 <= len(suppliers) <= 3
            assert all(is_valid_credit_code(s.credit_code) for s in suppliers)
            products = session.scalars(
                select(Product).where(Product.organisation_id == org_id)
            ).all()
            assert len(products) >= 8
            statuses = {p.status for p in products}
            assert {ProductStatus.APPROVED, ProductStatus.VETTING} <= statuses
            assert len({p.category for p in products}) >= 3


def test_loading_twice_creates_nothing_and_loses_nothing(session: Session, settings, demo) -> None:
    before = counts(session)
    user = session.get(User, demo.users["qc@xinghe.example"].id)
    user.display_name = "改过的名字"
    session.flush()
    again = load(session, settings)
    assert again.created == {}
    assert counts(session) == before
    assert session.get(User, user.id).display_name == "改过的名字"
    assert verify(session).ok


def test_loading_fills_in_what_is_missing(session: Session, settings, demo) -> None:
    with bypass_tenancy(session, reason="test"):
        product = session.scalars(select(Product).where(Product.sku == "QH-005")).one()
        session.delete(product)
        session.flush()
    again = load(session, settings)
    assert again.created == {"products": 1}


def test_refused_in_production(session: Session, tmp_path) -> None:
    production = make_settings(tmp_path, env="production", secret_key="k" * 40)
    with pytest.raises(ConfigurationError, match="LIVEQC_ENV=production"):
        load(session, production)
    assert counts(session)["users"] == 0
