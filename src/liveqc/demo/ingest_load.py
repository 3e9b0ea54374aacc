"""Sessions on air for load: an agency with an API token, one approved product and many live
sessions, for the ingest benchmarks and the scaling tests (not part of the demo data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from liveqc.accounts import service as accounts
from liveqc.accounts.models import OrganisationKind, Role
from liveqc.db import tenancy
from liveqc.db.types import utcnow
from liveqc.demo.credit_codes import credit_code
from liveqc.live_sessions import flows
from liveqc.live_sessions import service as live_sessions
from liveqc.live_sessions.schemas import HostCreate, LineupItemCreate, LiveSessionCreate
from liveqc.products import service as products
from liveqc.products.models import ProductCategory, ProductStatus
from liveqc.products.schemas import ProductCreate, SupplierCreate


@dataclass
class OnAir:
    token: str
    organisation_id: int
    product_id: int
    #: live session id -> its lineup item id, in creation order
    sessions: dict[int, int]


def seed_sessions_on_air(
    session: Session, count: int, *, name: str, price_3_days_ago: Decimal | None = None
) -> OnAir:
    """``count`` live sessions of a new agency called ``name`` (its admin is
    ``load@<name>.example``), each selling the same approved cosmetics product; with
    ``price_3_days_ago``, the product has that price in its 7-day history."""
    org = accounts.create_organisation(
        session, name=name, kind=OrganisationKind.AGENCY, region="杭州"
    )
    user = accounts.create_user(
        session, email=f"load-{org.id}@example.com", password="load-password"
    )
    accounts.add_membership(session, user=user, organisation=org, role=Role.ADMIN)
    _, token = accounts.create_token(session, user=user, name="ingest")
    tenancy.set_organisation(session, org.id)
    supplier = products.create_supplier(
        session,
        data=SupplierCreate(name=f"{name}供应商", credit_code=credit_code("330108", "MA2H7K3Q")),
        actor=user,
    )
    product = products.create_product(
        session,
        data=ProductCreate(
            supplier_id=supplier.id,
            sku="LOAD-1",
            name="补水精华",
            category=ProductCategory.COSMETICS,
        ),
        actor=user,
        status=ProductStatus.APPROVED,
    )
    if price_3_days_ago is not None:
        products.record_price(
            session,
            product_id=product.id,
            price=price_3_days_ago,
            charged_at=utcnow() - timedelta(days=3),
            actor=user,
        )
    lives: dict[int, int] = {}
    for n in range(count):
        live = live_sessions.create(
            session,
            data=LiveSessionCreate(
                platform="抖音",
                room=f"{name}{n}",
                title=f"{name} {n}",
                scheduled_at=utcnow() + timedelta(minutes=5),
                hosts=[HostCreate(name="主播", birth_date=date(1995, 1, 1))],
                lineup=[LineupItemCreate(product_id=product.id)],
            ),
            actor=user,
        )
        flows.mark_ready(session, live, actor=user)
        flows.start(session, live, actor=user)
        lives[live.id] = live.lineup[0].id
    return OnAir(token, org.id, product.id, lives)
