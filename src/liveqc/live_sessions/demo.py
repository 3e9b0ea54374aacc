"""Demo live sessions for both agencies: one ended session with its recorded transcript
ingested (alerts, prices, one accepted finding, one on-air correction), and one ready session
for ``liveqc session replay``. Idempotent: sessions are found by title."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.db import tenancy
from liveqc.db.types import utcnow
from liveqc.live_sessions import flows, service
from liveqc.live_sessions.ingest.process import process_segments
from liveqc.live_sessions.models import LiveSession
from liveqc.live_sessions.replay import RECORDINGS, read_recording, to_segment
from liveqc.live_sessions.schemas import (
    DispositionIn,
    HostCreate,
    LineupItemCreate,
    LiveSessionCreate,
)
from liveqc.products.models import Product, ProductPrice, ProductStatus

ORDER = 200

# organisation, admin, recording, (title, platform, room), hosts, lineup SKUs with scripts
SESSIONS: list[dict[str, Any]] = [
    {
        "org": "星河直播",
        "admin": "admin@xinghe.example",
        "recording": "xinghe.jsonl",
        "platform": "抖音",
        "room": "星河美妆生活馆",
        "hosts": [HostCreate(name="林夏", birth_date=date(1996, 5, 12))],
        "lineup": [
            ("XH-001", "这款玻尿酸精华主打补水保湿，质地清爽，适合各种肤质日常使用。", 129),
            ("XH-004", "手工黑芝麻丸，配料简单，每天两丸当零食。", 59),
            ("XH-008", "负离子高速吹风机，1600瓦大风力，支持七天无理由退货。", 219),
        ],
    },
    {
        "org": "青禾优选",
        "admin": "admin@qinghe.example",
        "recording": "qinghe.jsonl",
        "platform": "快手",
        "room": "青禾亲子好物",
        "hosts": [
            HostCreate(name="周禾", birth_date=date(1992, 9, 3)),
            HostCreate(name="小禾（AI 虚拟主播）", is_virtual=True),
        ],
        "lineup": [
            ("QH-001", "磁力片积木一百片装，适合三岁以上儿童，请在家长陪同下玩耍。", 99),
            ("QH-007", "蛋白粉四百克一罐，作为日常膳食补充。", 148),
            ("QH-004", "纯棉短袖T恤，M到XL码，透气舒服。", 49),
        ],
    },
]


def _price_history(session: Session, product: Product, low: int) -> None:
    if session.scalars(
        select(ProductPrice.id).where(ProductPrice.product_id == product.id)
    ).first():
        return
    now = utcnow()
    for days, amount in ((6, low + 20), (4, low), (2, low + 10)):
        session.add(
            ProductPrice(
                product_id=product.id, price=Decimal(amount), charged_at=now - timedelta(days=days)
            )
        )
    session.flush()


def _create(session: Session, spec: dict[str, Any], admin: Any, title: str, when: Any) -> Any:
    lineup = []
    for position, (sku, script, low) in enumerate(spec["lineup"], 1):
        product = session.scalars(select(Product).where(Product.sku == sku)).first()
        if product is None or product.status != ProductStatus.APPROVED:
            continue  # the recording then names no item for this position
        _price_history(session, product, low)
        lineup.append(LineupItemCreate(product_id=product.id, position=position, script=script))
    data = LiveSessionCreate(
        platform=spec["platform"],
        room=spec["room"],
        title=title,
        scheduled_at=when,
        hosts=spec["hosts"],
        lineup=lineup,
    )
    live = service.create(session, data=data, actor=admin)
    for alert in flows.review_scripts(session, live, actor=admin):
        if alert.severity == "high":
            flows.dispose(
                session,
                alert,
                data=DispositionIn(disposition="accepted", reason="脚本经法务复核，表述有据"),
                actor=admin,
            )
    flows.mark_ready(session, live, actor=admin)
    return live


def _play(session: Session, live: LiveSession, spec: dict[str, Any], admin: Any) -> None:
    records = read_recording(RECORDINGS / spec["recording"])
    lineup = {item.position: item.id for item in live.lineup}
    process_segments(
        session, live, [to_segment(r, lineup, strict=False) for r in records], actor=admin
    )
    alerts, _ = service.list_alerts(session, live, limit=500)
    on_air = [a for a in alerts if a.source.value == "transcript"]
    if on_air:
        first = on_air[0]
        flows.dispose(
            session,
            first,
            data=DispositionIn(disposition="accepted", reason="主播已在后续口播中说明，经复核接受"),
            actor=admin,
        )
    comments = [a for a in alerts if a.source.value == "comment"]
    if comments:
        flows.dispose(
            session, comments[0], data=DispositionIn(disposition="escalated"), actor=admin
        )
    flows.end(session, live, actor=admin)


def load(session: Session, ctx: Any) -> None:
    for spec in SESSIONS:
        org = ctx.organisations[spec["org"]]
        admin = ctx.users[spec["admin"]]
        tenancy.set_organisation(session, org.id)
        now = utcnow()
        ended_title = f"{spec['room']} · 周末专场（回放）"
        if not session.scalars(select(LiveSession).where(LiveSession.title == ended_title)).first():
            live = _create(session, spec, admin, ended_title, now - timedelta(days=1))
            _play(session, live, spec, admin)
            ctx.count("live_sessions")
        ready_title = f"{spec['room']} · 今晚专场"
        if not session.scalars(select(LiveSession).where(LiveSession.title == ready_title)).first():
            _create(session, spec, admin, ready_title, now + timedelta(hours=2))
            ctx.count("live_sessions")
