"""Builders for live-session tests: a session in a demo agency, segments."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from liveqc.db import tenancy
from liveqc.db.types import utcnow
from liveqc.live_sessions import flows, service
from liveqc.live_sessions.models import LiveSession
from liveqc.live_sessions.schemas import (
    HostCreate,
    LineupItemCreate,
    LiveSessionCreate,
    SegmentIn,
)
from liveqc.products import service as products
from liveqc.products.models import Product, ProductStatus
from liveqc.products.schemas import ProductCreate

ORGS = {"星河直播": "admin@xinghe.example", "青禾优选": "admin@qinghe.example"}
_SKUS = itertools.count(1)


def make_product(
    session: Session,
    demo: Any,
    *,
    org: str = "星河直播",
    category: str = "cosmetics",
    status: ProductStatus = ProductStatus.APPROVED,
    name: str = "测试精华液",
) -> Product:
    """A product of ``org`` in ``status`` (the demo catalogue's statuses may change)."""
    admin = use_org(session, demo, org)
    supplier = next(s for (o, _), s in demo.suppliers.items() if o == org)
    data = ProductCreate(
        supplier_id=supplier.id,
        sku=f"T-{next(_SKUS):05d}-{utcnow().microsecond}",
        name=name,
        brand="测试",
        category=category,
    )
    return products.create_product(session, data=data, actor=admin, status=status)


def use_org(session: Session, demo: Any, name: str = "星河直播") -> Any:
    """Act in ``name``; returns its admin user."""
    tenancy.set_organisation(session, demo.organisations[name].id)
    return demo.users[ORGS[name]]


def make_live(
    session: Session,
    demo: Any,
    *,
    org: str = "星河直播",
    categories: tuple[str, ...] = ("cosmetics",),
    scripts: tuple[str, ...] = (),
    when: datetime | None = None,
    ready: bool = False,
    live: bool = False,
) -> LiveSession:
    items = [make_product(session, demo, org=org, category=c) for c in categories]
    admin = use_org(session, demo, org)
    data = LiveSessionCreate(
        platform="抖音",
        room="测试直播间",
        title=f"测试场次 {utcnow().timestamp()}",
        scheduled_at=when or utcnow() + timedelta(hours=1),
        hosts=[HostCreate(name="主播甲", birth_date=date(1995, 1, 1))],
        lineup=[
            LineupItemCreate(product_id=product.id, script=script)
            for product, script in zip(items, scripts or ("",) * len(items), strict=True)
        ],
    )
    row = service.create(session, data=data, actor=admin)
    if ready or live:
        flows.mark_ready(session, row, actor=admin)
    if live:
        flows.start(session, row, actor=admin)
    session.flush()
    return row


def seg(
    seq: int,
    text: str,
    *,
    kind: str = "transcript",
    item: int | None = None,
    segment_id: str | None = None,
    start_ms: int | None = None,
) -> SegmentIn:
    start = start_ms if start_ms is not None else seq * 1000
    return SegmentIn(
        segment_id=segment_id or f"s-{seq}",
        seq=seq,
        start_ms=start,
        end_ms=start + 900,
        speaker="host" if kind == "transcript" else "viewer",
        lineup_item_id=item,
        kind=kind,
        text=text,
    )
