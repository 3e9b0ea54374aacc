"""Demo complaints for both agencies, written the way consumers write them, in several states:
an urgent safety incident, one escalated to the consumer association, one past its deadline,
and a burst on one product that opens its re-vetting. Idempotent (keyed by order number)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.accounts.models import Role
from liveqc.accounts.service import Principal
from liveqc.complaints import flows, intake
from liveqc.complaints.models import Complaint, Remedy
from liveqc.complaints.schemas import ComplaintCreate
from liveqc.db import tenancy
from liveqc.db.types import utcnow

#: After the live sessions, so complaints can name the session they bought in.
ORDER = 300

#: (order number, SKU, days ago, contact, host, description, price, steps)
COMPLAINTS: dict[str, list[tuple[str, str, float, str, str, str, str, list[str]]]] = {
    "星河直播": [
        ("DY7781203345", "XH-004", 0.5, "13857120001", "小雯",
         "前天晚上在星河直播间抢的黑芝麻丸，孩子吃了两颗就开始吐，嘴巴周围起了一圈红疹子，"
         "半夜跑去医院挂急诊，医生说是过敏。包装上根本没写含花生！！", "59.90", []),
        ("DY7781209912", "XH-005", 20, "zhang.wei@example.com", "小雯",
         "拍了两箱每日坚果只收到一箱，物流显示已签收但另一箱我根本没收到，问客服说在查，"
         "到现在都没个说法", "129.00", ["acknowledge"]),
        ("DY7781300017", "XH-001", 6, "13957130002", "阿杰",
         "精华液瓶子上的防伪码扫出来显示已被查询过很多次，跟我在专柜买的对比，瓶盖颜色和字体"
         "都不一样，怀疑是假货，客服一直推脱", "199.00",
         ["acknowledge", "investigate", "escalate"]),
        ("DY7781300345", "XH-001", 12, "lily.chen@example.com", "阿杰",
         "主播说用七天就能淡斑美白，我一整瓶都用完了一点变化都没有，这不是虚假宣传吗？要求退款",
         "199.00", ["acknowledge", "investigate", "resolve", "close"]),
        ("KS5520019001", "XH-008", 3, "13657140003", "小雯",
         "吹风机用了不到一周就不出热风了，只有冷风，开最大档也一样", "269.00", ["acknowledge"]),
        ("KS5520019002", "XH-008", 2, "13657140004", "小雯",
         "新买的负离子吹风机插上电就跳闸，试了家里好几个插座都一样，质量太差了", "269.00", []),
        ("KS5520019003", "XH-008", 1, "13657140005", "小雯",
         "吹风机开关按了没反应，时好时坏，才用了三天，申请换货", "269.00", []),
    ],
    "青禾优选": [
        ("TB3390017001", "QH-001", 1, "18867110001", "青青",
         "磁力片有一片裂开了，里面的小磁铁掉出来了，还好发现得早孩子没吞下去，这种东西怎么"
         "能卖给小孩", "139.00", []),
        ("TB3390017005", "QH-001", 2, "18867110005", "青青",
         "磁力片边角很锋利，孩子玩的时候手指被划了一道口子，流了好多血，这种玩具怎么敢卖给小孩",
         "139.00", ["acknowledge"]),
        ("TB3390017002", "QH-004", 16, "wangfang@example.com", "青青",
         "T恤洗了一次就缩水严重领口都变形了，申请退货客服说洗过了不给退，七天都没到凭什么不退",
         "79.00", ["acknowledge", "investigate"]),
        ("TB3390017003", "QH-007", 9, "18867110003", "大禾",
         "蛋白粉打开里面结块发霉了，还有小虫子在爬，恶心死了，还好没冲来喝", "168.00",
         ["acknowledge", "investigate", "resolve"]),
        ("TB3390017004", "QH-001", 8, "18867110004", "青青",
         "直播间说磁力片原价399今天只要99，结果我看旗舰店平时就卖89，这不是虚构原价吗",
         "99.00", ["acknowledge", "investigate", "reject"]),
    ],
}  # fmt: skip


def _principal(ctx: Any, org_name: str) -> Principal:
    org = ctx.organisations[org_name]
    for user in ctx.users.values():
        roles = {m.role for m in user.memberships if m.organisation_id == org.id}
        if roles & {Role.AFTER_SALES, Role.ADMIN}:
            return Principal(user, org, frozenset(roles))
    raise LookupError(f"no after-sales user in {org_name}")


def _step(session: Session, complaint: Complaint, step: str, actor: Principal, ctx: Any) -> None:
    if step == "resolve":
        amount = complaint.price_paid or Decimal("0")
        flows.resolve(session, complaint, actor=actor, remedy=Remedy.REFUND, amount=amount)
    elif step == "reject":
        flows.reject(
            session, complaint, actor=actor, reason="经核实，该商品活动前30天最低成交价为399元"
        )
    elif step == "escalate":
        target = ctx.organisations["市消费者协会"].id
        flows.escalate(
            session, complaint, actor=actor, organisation_id=target, reason="消费者申请调解"
        )
    else:
        getattr(flows, step)(session, complaint, actor=actor)


def _live_session(session: Session, product_id: int) -> tuple[int | None, str]:
    """(id, room) of the organisation's live session that sold the product, when there is one."""
    try:
        from liveqc.live_sessions.models import LineupItem, LiveSession
    except ImportError:
        return None, ""
    row = session.execute(
        select(LiveSession.id, LiveSession.room)
        .join(LineupItem, LineupItem.live_session_id == LiveSession.id)
        .where(LineupItem.product_id == product_id)
        .order_by(LiveSession.id)
    ).first()
    return (row[0], row[1]) if row else (None, "")


def load(session: Session, ctx: Any) -> None:
    now = utcnow()
    for org_name, rows in COMPLAINTS.items():
        org = ctx.organisations[org_name]
        actor = _principal(ctx, org_name)
        # Oldest first, so each complaint meets the signals as they stood when it arrived.
        for order, sku, days_ago, contact, host, text, price, steps in sorted(
            rows, key=lambda row: -row[2]
        ):
            tenancy.set_organisation(session, org.id)
            exists = session.scalars(
                select(Complaint.id).where(Complaint.order_number == order)
            ).first()
            if exists is not None:
                continue
            live_session_id, room = _live_session(session, ctx.products[sku].id)
            # Lot numbers as printed on packages: one lot per product and production month.
            made = now - dt.timedelta(days=days_ago + 20)
            data = ComplaintCreate(
                product_id=ctx.products[sku].id,
                live_session_id=live_session_id,
                contact_phone=contact if "@" not in contact else "",
                contact_email=contact if "@" in contact else "",
                order_number=order,
                platform="douyin" if order.startswith("DY") else "kuaishou",
                host_name=host,
                room_reference=room or f"{host}的直播间",
                batch=f"{made:%Y%m}{sku[-2:]}",
                price_paid=Decimal(price),
                description=text,
                desired_remedy=Remedy.REFUND,
            )
            filed = intake.file_public(session, data=data, now=now - dt.timedelta(days=days_ago))
            tenancy.set_organisation(session, org.id)
            for step in steps:
                _step(session, filed.complaint, step, actor, ctx)
            ctx.count("complaints")
        # The scheduled overdue check has run once: late cases carry an alert.
        tenancy.set_organisation(session, org.id)
        flows.escalate_overdue(session, now)
    tenancy.set_organisation(session, None)
