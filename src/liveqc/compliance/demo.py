"""Demo compliance data per agency: stored script scans with findings, a dictionary entry and
a switched-off rule."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.compliance import flows, service
from liveqc.compliance.models import DictionaryEntry, DisabledRule, EntryKind, FindingStatus, Scan
from liveqc.db import tenancy

#: Runs after the products (core) and before domains that scan live sessions.
ORDER = 50

# organisation → (admin email, kind, phrase, code, severity, note)
ENTRIES = {
    "星河直播": (
        "admin@xinghe.example",
        EntryKind.BANNED,
        "神器",
        "absolute_term",
        "medium",
        "机构话术规范：不用“神器”夸大宣传",
    ),
    "青禾优选": (
        "admin@qinghe.example",
        EntryKind.BANNED,
        "闭眼入",
        "guarantee_claim",
        "low",
        "避免暗示无需了解商品即可购买",
    ),
}

# organisation → (rule switched off, reason)
DISABLED = {
    "星河直播": (
        "cosmetics/efficacy_unsupported.oil_control",
        "控油宣称由品牌方统一提供功效评价报告，改为审核员人工复核",
    ),
    "青禾优选": (
        "minors/minor_protection.minor_signal_comment",
        "观众评论由平台风控处理，本机构只审核主播话术",
    ),
}

# organisation → [(source id, category, facts, text)]
SCRIPTS: dict[str, list[tuple[str, str, dict[str, Any] | None, str]]] = {
    "星河直播": [
        (
            "demo-xh-1",
            "cosmetics",
            {"lowest_price_7d": 129.0},
            "家人们，这款玻尿酸精华是补水神器，原价299今天只要99，用完效果立竿见影！",
        ),
        (
            "demo-xh-2",
            "cosmetics",
            {"registrations": ["cosmetic_filing"]},
            "这款防晒乳SPF50，还能美白淡斑，用了再也不长痘。",
        ),
        (
            "demo-xh-3",
            "food",
            None,
            "黑芝麻丸能治疗白发、降血压，想要更便宜的加微信私聊。",
        ),
        ("demo-xh-4", "cosmetics", None, "这款面膜补水效果不错，敷完脸很舒服，适合干皮。"),
    ],
    "青禾优选": [
        (
            "demo-qh-1",
            "toy",
            None,
            "小朋友们快让爸爸妈妈给你刷礼物，磁力片闭眼入！",
        ),
        (
            "demo-qh-2",
            "health_food",
            {"registrations": ["health_food"], "health_functions": ["补充维生素C"]},
            "维生素C咀嚼片能预防感冒，医生都推荐给孩子吃。",
        ),
        ("demo-qh-3", "apparel", None, "这件T恤不退不换，最终解释权归本店所有。"),
        ("demo-qh-4", "apparel", None, "纯棉T恤透气舒服，支持七天无理由退货。"),
    ],
}


def load(session: Session, ctx: Any) -> None:
    """Add the demo dictionary entries and scans that are missing (idempotent)."""
    for org_name, scripts in SCRIPTS.items():
        org = ctx.organisations[org_name]
        tenancy.set_organisation(session, org.id)
        email, kind, phrase, code, severity, note = ENTRIES[org_name]
        admin = ctx.users[email]
        exists = select(DictionaryEntry).where(
            DictionaryEntry.kind == kind, DictionaryEntry.phrase == phrase
        )
        if session.scalars(exists).first() is None:
            flows.add_entry(
                session,
                kind=kind,
                phrase=phrase,
                code=code,
                severity=severity,
                note=note,
                actor=admin,
            )
            ctx.count("compliance_dictionary_entries")
        rule, reason = DISABLED[org_name]
        if session.scalars(select(DisabledRule).where(DisabledRule.rule == rule)).first() is None:
            flows.disable_rule(session, rule=rule, reason=reason, actor=admin)
            ctx.count("compliance_disabled_rules")
        engine = service.engine_for(session, org.id, fresh=True)
        for source_id, category, facts, text in scripts:
            if session.scalars(select(Scan.id).where(Scan.source_id == source_id)).first():
                continue
            row = service.scan_and_store(
                session,
                text=text,
                category=category,
                facts=facts,
                scene="script",
                source_type="script",
                source_id=source_id,
                actor=admin,
                engine=engine,
            )
            ctx.count("compliance_scans")
            if source_id == "demo-xh-2" and row.findings:
                first = row.findings[0]
                if first.status is FindingStatus.OPEN:
                    flows.resolve(
                        session, first, reason="脚本已改为“清爽不油腻”，删除功效宣称", actor=admin
                    )
    tenancy.set_organisation(session, None)
