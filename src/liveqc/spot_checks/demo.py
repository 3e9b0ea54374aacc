"""Demo: 滨江区市场监管局 covers both agencies, draws a stratified plan, records one failed
result per agency (the product is suspended and the agency notified), publishes them and a
notice; 星河直播's objection is pending, 青禾优选's was rejected. Idempotent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.accounts import service as accounts
from liveqc.db import tenancy
from liveqc.db.types import utcnow
from liveqc.spot_checks import disclosure, flows, jurisdiction, service
from liveqc.spot_checks.models import SpotCheck, SpotCheckPlan
from liveqc.spot_checks.schemas import (
    PlanCreate,
    PublicationCreate,
    ResultsIn,
    SampleIn,
    TestItemIn,
)

ORDER = 300
REGULATOR = "滨江区市场监管局"
INSPECTOR = "inspector@binjiang.example"
REGIONS = ("浙江省杭州市滨江区", "浙江省杭州市余杭区")
PLAN_NAME = "2026年直播带货商品质量监督抽查（第四季度）"
SEED = "BJ-2026-Q4-0001"
#: Industrial products and health food (food has its own sampling rules and checks).
CATEGORIES = ("cosmetics", "health_food", "appliance", "toy", "apparel", "baby", "electronics")

#: Category → (item, limit, failing result, unit, method) for the demo's failed checks.
FAILING_ITEM = {
    "cosmetics": ("菌落总数", "≤1000", "5600", "CFU/g", "化妆品安全技术规范（2015年版）"),
    "food": ("酸价（以脂肪计）", "≤3", "4.6", "mg/g", "GB 5009.229-2016"),
    "health_food": ("菌落总数", "≤30000", "86000", "CFU/g", "GB 4789.2-2022"),
    "appliance": ("泄漏电流", "≤0.75", "1.2", "mA", "GB 4706.1-2005"),
    "toy": ("可迁移元素 铅", "≤90", "130", "mg/kg", "GB 6675.4-2014"),
    "apparel": ("甲醛含量", "≤75", "120", "mg/kg", "GB/T 2912.1-2009"),
}
PASSING_ITEM = ("标签标识", "符合", "符合", "", "GB/T 191-2008")


def load(session: Session, ctx: Any) -> None:
    regulator = ctx.organisations.get(REGULATOR) or accounts.get_organisation_by_name(
        session, REGULATOR
    )
    inspector = ctx.users.get(INSPECTOR) or accounts.get_user_by_email(session, INSPECTOR)
    if regulator is None or inspector is None:
        return
    for region in REGIONS:
        if not any(
            j.region_prefix == region
            for j in jurisdiction.list_jurisdictions(session, regulator_id=regulator.id)
        ):
            jurisdiction.add_jurisdiction(session, regulator=regulator, region_prefix=region)
            ctx.count("jurisdictions")
    principal = accounts.principal_for(inspector, regulator.id)
    tenancy.set_organisation(session, regulator.id)
    if session.scalars(select(SpotCheckPlan).where(SpotCheckPlan.name == PLAN_NAME)).first():
        return
    plan = service.create_plan(
        session,
        data=PlanCreate(
            name=PLAN_NAME,
            regions=list(REGIONS),
            categories=list(CATEGORIES),
            sample_count=4,
            seed=SEED,
            method="stratified",
            stratify_by="organisation",
        ),
        principal=principal,
    )
    flows.draw_plan(session, plan=plan, principal=principal, path="demo")
    ctx.count("spot_check_plans")
    checks = list(session.scalars(select(SpotCheck).where(SpotCheck.plan_id == plan.id)))
    failed: dict[int, SpotCheck] = {}
    for check in checks:
        if check.subject_organisation_id not in failed:
            failed[check.subject_organisation_id] = check
    now = utcnow()
    for n, check in enumerate(checks):
        _sample(session, check, principal, now - timedelta(days=20 - n))
    for n, check in enumerate(failed.values()):
        _fail(session, check, principal, concluded=now - timedelta(days=5 + 3 * n))
    first, *rest = failed.values()
    _object(session, first, now - timedelta(days=2), decide=None)
    for check in rest:
        _object(session, check, now - timedelta(days=4), decide=False)
    tenancy.set_organisation(session, regulator.id)
    for check in failed.values():
        draft = disclosure.create_draft(
            session,
            data=PublicationCreate(kind="result", spot_check_id=check.id),
            principal=principal,
        )
        disclosure.publish(session, row=draft, actor=inspector)
        ctx.count("publications")
    notice = disclosure.create_draft(
        session,
        data=PublicationCreate(
            kind="notice",
            title="关于开展2026年第四季度直播带货商品质量监督抽查的通告",
            body="本局依据《中华人民共和国产品质量法》第十五条，对辖区内直播电商经营者销售的"
            "化妆品、食品、家用电器、玩具等商品开展监督抽查，抽样方法及随机种子已记录备查。",
        ),
        principal=principal,
    )
    disclosure.publish(session, row=notice, actor=inspector)
    ctx.count("publications")


def _sample(session: Session, check: SpotCheck, principal: Any, when: Any) -> None:
    flows.record_sample(
        session,
        check=check,
        data=SampleIn(
            sampled_at=when,
            sample_place="网络购买（直播间下单）",
            live_room=f"直播间 {check.subject_organisation_id:03d}",
            order_number=f"DY{when:%Y%m%d}{check.id:06d}",
            batch=f"{when:%Y%m%d}-B{check.id:02d}",
            sample_quantity="2件",
            holder="郑国栋（滨江区市场监管局）",
        ),
        actor=principal.user,
    )


def _fail(session: Session, check: SpotCheck, principal: Any, *, concluded: Any) -> None:
    category = service.product_snapshot(session, check).get("category", "")
    failing = FAILING_ITEM.get(category, ("标签标识", "符合", "不符合", "", "GB/T 191-2008"))
    items = [
        TestItemIn(name=name, limit=limit, result=result, unit=unit, method=method)
        for name, limit, result, unit, method in (failing, PASSING_ITEM)
    ]
    flows.record_results(
        session,
        check=check,
        data=ResultsIn(
            lab_name="浙江省产品质量安全检测研究院",
            report_number=f"ZJ{concluded:%Y}-{check.id:05d}",
            tested_at=concluded - timedelta(days=2),
            items=items,
        ),
        actor=principal.user,
    )
    flows.conclude(session, check=check, actor=principal.user, now=concluded)


def _object(session: Session, check: SpotCheck, when: Any, *, decide: bool | None) -> None:
    from liveqc.accounts.models import Role, User

    admin = session.scalars(
        select(User).where(
            User.memberships.any(organisation_id=check.subject_organisation_id, role=Role.ADMIN)
        )
    ).first()
    if admin is None:
        return
    agency = accounts.principal_for(admin, check.subject_organisation_id)
    regulator_org = tenancy.current_organisation(session)
    tenancy.set_organisation(session, agency.organisation.id)
    objection = flows.file_objection(
        session,
        check=check,
        reason="对检验结论有异议：送检样品运输途中包装破损，申请复检。",
        principal=agency,
        now=when,
    )
    tenancy.set_organisation(session, regulator_org)
    if decide is not None:
        inspector = accounts.principal_for(
            accounts.get_user_or_raise(session, INSPECTOR), regulator_org
        )
        flows.decide_objection(
            session,
            objection=objection,
            check=check,
            accept=decide,
            note="复检样品检验结论与初检一致，维持原检验结论。",
            principal=inspector,
        )
