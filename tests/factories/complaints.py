"""A small world for complaints tests: two agencies with products, a regulator and a consumer
association, and principals with the roles the workflow needs."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from liveqc.accounts import service as accounts
from liveqc.accounts.models import Organisation, OrganisationKind, Role
from liveqc.accounts.service import Principal
from liveqc.complaints import intake
from liveqc.complaints.models import Complaint
from liveqc.complaints.schemas import ComplaintCreate
from liveqc.db import tenancy
from liveqc.demo.credit_codes import credit_code
from liveqc.live_sessions.models import LiveSession, LiveSessionStatus
from liveqc.products import service as products
from liveqc.products.models import Product, ProductCategory, ProductStatus
from liveqc.products.schemas import ProductCreate, SupplierCreate

#: A Tuesday in an ordinary working week (2026-06-16), 10:00 Beijing time.
TUESDAY = dt.datetime(2026, 6, 16, 2, 0, tzinfo=dt.UTC)


@dataclass
class World:
    agency: Organisation
    other: Organisation
    regulator: Organisation
    association: Organisation
    after_sales: Principal
    admin: Principal
    qc: Principal
    other_admin: Principal
    inspector: Principal
    association_staff: Principal
    food: Product
    toy: Product
    other_product: Product
    live: LiveSession
    other_live: LiveSession


def _principal(session: Session, org: Organisation, role: Role, tag: str) -> Principal:
    user = accounts.create_user(
        session, email=f"{role.value}-{tag}-{org.id}@test.example", password="pw-123456789"
    )
    accounts.add_membership(session, user=user, organisation=org, role=role)
    return Principal(user, org, frozenset({role}))


def _product(
    session: Session,
    org: Organisation,
    sku: str,
    name: str,
    category: ProductCategory,
    seed: int,
) -> Product:
    tenancy.set_organisation(session, org.id)
    supplier = products.create_supplier(
        session,
        data=SupplierCreate(
            name=f"供应商{sku}", credit_code=credit_code("330108", f"MA{seed}{sku[-5:]}")
        ),
        actor=None,
    )
    return products.create_product(
        session,
        data=ProductCreate(supplier_id=supplier.id, sku=sku, name=name, category=category),
        actor=None,
        status=ProductStatus.APPROVED,
    )


def _live(session: Session, org: Organisation, room: str, title: str) -> LiveSession:
    tenancy.set_organisation(session, org.id)
    row = LiveSession(
        platform="抖音",
        room=room,
        title=title,
        scheduled_at=TUESDAY - dt.timedelta(days=3),
        status=LiveSessionStatus.SCHEDULED,
    )
    session.add(row)
    session.flush()
    return row


def build_world(session: Session) -> World:
    tag = uuid.uuid4().hex[:6].upper()
    kinds = OrganisationKind
    agency = accounts.create_organisation(session, name=f"测试直播{tag}", kind=kinds.AGENCY)
    other = accounts.create_organisation(session, name=f"另一家{tag}", kind=kinds.AGENCY)
    regulator = accounts.create_organisation(session, name=f"监管局{tag}", kind=kinds.REGULATOR)
    association = accounts.create_organisation(
        session, name=f"消协{tag}", kind=kinds.CONSUMER_ASSOCIATION
    )
    digits = "".join(str(int(ch, 16) % 10) for ch in tag)
    world = World(
        agency=agency,
        other=other,
        regulator=regulator,
        association=association,
        after_sales=_principal(session, agency, Role.AFTER_SALES, tag),
        admin=_principal(session, agency, Role.ADMIN, tag),
        qc=_principal(session, agency, Role.QC_REVIEWER, tag),
        other_admin=_principal(session, other, Role.ADMIN, tag),
        inspector=_principal(session, regulator, Role.INSPECTOR, tag),
        association_staff=_principal(session, association, Role.VIEWER, tag),
        food=_product(session, agency, f"F{digits}", "手工黑芝麻丸", ProductCategory.FOOD, 1),
        toy=_product(session, agency, f"T{digits}", "遥控越野车", ProductCategory.TOY, 2),
        other_product=_product(
            session, other, f"O{digits}", "纯棉短袖T恤", ProductCategory.APPAREL, 3
        ),
        live=_live(session, agency, f"小美的直播间{tag}", "618宠粉专场"),
        other_live=_live(session, other, f"阿强好物{tag}", "夏季清仓"),
    )
    tenancy.set_organisation(session, agency.id)
    return world


def complaint_data(**overrides: Any) -> ComplaintCreate:
    values: dict[str, Any] = {
        "contact_phone": "13812345678",
        "order_number": "DY20260610123456",
        "platform": "douyin",
        "description": "收到的遥控车轮子是坏的，一开就掉，主播说质量杠杠的，结果根本没法玩",
        "desired_remedy": "refund",
    }
    values.update(overrides)
    return ComplaintCreate(**values)


def file(
    session: Session, world: World, *, now: dt.datetime = TUESDAY, **overrides: Any
) -> Complaint:
    """A public complaint on the agency's toy (unless overridden)."""
    overrides.setdefault("product_id", world.toy.id)
    filed = intake.file_public(session, data=complaint_data(**overrides), now=now)
    tenancy.set_organisation(session, world.agency.id)
    return filed.complaint
