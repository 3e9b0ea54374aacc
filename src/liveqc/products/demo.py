"""Demo product files for both agencies: brands and an authorisation chain, documents (some
expiring within 30 days, one expired), a test report, inspection lots, and products in every
vetting state. Idempotent: rows are looked up by their natural keys before being added.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.accounts.service import principal_for
from liveqc.db import tenancy
from liveqc.db.types import utcnow
from liveqc.products import flows, service
from liveqc.products.documents import DocumentType as D
from liveqc.products.models import (
    Brand,
    InspectionLot,
    Product,
    ProductPrice,
    QualificationDocument,
    TestReport,
    VettingEvent,
)
from liveqc.products.models import ProductStatus as S
from liveqc.products.schemas import (
    AuthorizationCreate,
    BrandCreate,
    DocumentFields,
    LotCreate,
    LotResults,
    ProductCreate,
    TestItemIn,
    TestReportCreate,
)

#: Runs before the domains that build on products (live sessions, spot checks, complaints).
ORDER = 10

AGENCIES = {
    "星河直播": {"qc": "qc@xinghe.example", "admin": "admin@xinghe.example"},
    "青禾优选": {"qc": "qc@qinghe.example", "admin": "admin@qinghe.example"},
}
# name, owner, trademark number
BRANDS = {
    "星河直播": [("美妍", "杭州美妍生物科技有限公司", "第45678901号"),
             ("雪域", "雪域化妆品集团有限公司", "第23456789号")],
    "青禾优选": [("童趣", "义乌童趣玩具有限公司", "第34567890号"),
             ("康源", "上海康源营养品有限公司", "第56789012号")],
}  # fmt: skip
# sku, supplier key, name, brand, category, spec, state, extra fields
EXTRA_PRODUCTS: dict[str, list[tuple[str, str, str, str, str, str, S, dict[str, Any]]]] = {
    "星河直播": [
        ("XH-101", "meiyan", "雪域修护面霜", "雪域", "cosmetics", "50g", S.SUBMITTED, {}),
        ("XH-102", "hefeng", "山楂条", "禾丰", "food", "500g", S.SAMPLE_TESTING, {}),
        ("XH-103", "zhijia", "迷你加湿器", "智家", "appliance", "300ml", S.APPROVED_WITH_CONDITIONS,
         {"conditions": ["ccc_catalogue"]}),
        ("XH-104", "hefeng", "网红辣条", "禾丰", "food", "200g", S.REJECTED, {}),
        ("XH-105", "meiyan", "美白淡斑精华", "美妍", "cosmetics", "30ml", S.SUSPENDED,
         {"conditions": ["whitening", "freckle"]}),
        ("XH-106", "zhijia", "电热暖手宝", "智家", "appliance", "1000mAh", S.WITHDRAWN, {}),
    ],
    "青禾优选": [
        ("QH-101", "tongqu", "木质拼图", "童趣", "toy", "60片", S.SUBMITTED,
         {"target_age_min_months": 36, "target_age_max_months": 72}),
        ("QH-102", "yangsheng", "鱼油软胶囊", "康源", "health_food", "90粒", S.SAMPLE_TESTING, {}),
        ("QH-103", "chuyi", "婴儿连体衣", "初衣", "baby", "66cm", S.APPROVED_WITH_CONDITIONS,
         {"target_age_min_months": 0, "target_age_max_months": 12}),
        ("QH-104", "tongqu", "仿真玩具枪", "童趣", "toy", "1把", S.REJECTED, {}),
        ("QH-105", "yangsheng", "胶原蛋白饮", "康源", "food", "50ml×10瓶", S.SUSPENDED, {}),
        ("QH-106", "chuyi", "羊毛围巾", "初衣", "apparel", "180cm", S.WITHDRAWN, {}),
    ],
}  # fmt: skip
_REASONS = {
    S.SUBMITTED: ("submit", "供应商资料已齐，提交审核"),
    S.SAMPLE_TESTING: ("sample_testing", "资质审核通过，安排样品检测"),
    S.APPROVED_WITH_CONDITIONS: ("approve_with_conditions", "标签整改后方可上播"),
    S.REJECTED: ("reject", "检验报告不合格"),
    S.SUSPENDED: ("suspend", "消费者投诉集中，暂停上播待复核"),
    S.WITHDRAWN: ("withdraw", "供应商停产"),
}


def load(session: Session, ctx: Any) -> None:
    for org_name, emails in AGENCIES.items():
        org = ctx.organisations[org_name]
        tenancy.set_organisation(session, org.id)
        qc = principal_for(session.merge(ctx.users[emails["qc"]]), org.id)
        admin = principal_for(session.merge(ctx.users[emails["admin"]]), org.id)
        today = service.today_in_china()
        _brands(session, ctx, org_name, qc)
        _extra_products(session, ctx, org_name, qc, admin)
        _documents(session, ctx, org_name, qc, today)
        _reports_and_lots(session, ctx, org_name, qc)


#: Matrix conditions of the core demo products (set once, when still empty).
CONDITIONS = {
    "XH-003": ["sunscreen"],
    "XH-008": ["ccc_catalogue"],
    "QH-003": ["outside_ccc_catalogue"],
}


def _brands(session: Session, ctx: Any, org_name: str, qc: Any) -> None:
    for sku, conditions in CONDITIONS.items():
        product = ctx.products.get(sku)
        if product is not None and product.organisation_id == ctx.organisations[org_name].id:
            product.conditions = product.conditions or conditions
    for name, owner, mark in BRANDS[org_name]:
        brand = session.scalars(select(Brand).where(Brand.name == name)).first()
        if brand is None:
            data = BrandCreate(name=name, owner_name=owner, trademark_number=mark)
            brand = service.create_brand(session, data=data, actor=qc.user)
            ctx.count("brands")
        for product in session.scalars(select(Product).where(Product.brand == name)):
            product.brand_id = product.brand_id or brand.id
    if org_name != "星河直播":
        return
    snow = session.scalars(select(Brand).where(Brand.name == "雪域")).one()
    if service.list_authorizations(session, snow.id):
        return
    start = date(2025, 1, 1)
    top = service.add_authorization(
        session,
        brand_id=snow.id,
        data=AuthorizationCreate(
            grantor="雪域化妆品集团有限公司", grantee="浙江联华分销有限公司",
            valid_from=start, valid_to=date(2027, 12, 31),
        ),
        actor=qc.user,
    )  # fmt: skip
    service.add_authorization(
        session,
        brand_id=snow.id,
        data=AuthorizationCreate(
            parent_id=top.id, grantor="浙江联华分销有限公司",
            grantee=ctx.suppliers[(org_name, "meiyan")].name,
            supplier_id=ctx.suppliers[(org_name, "meiyan")].id,
            valid_from=start, valid_to=date(2027, 6, 30),
        ),
        actor=qc.user,
    )  # fmt: skip
    ctx.count("brand_authorizations")


def _extra_products(session: Session, ctx: Any, org_name: str, qc: Any, admin: Any) -> None:
    for sku, key, name, brand, category, spec, state, extra in EXTRA_PRODUCTS[org_name]:
        product = session.scalars(select(Product).where(Product.sku == sku)).first()
        if product is None:
            brand_row = session.scalars(select(Brand).where(Brand.name == brand)).first()
            product = service.create_product(
                session,
                data=ProductCreate.model_validate(dict(
                    supplier_id=ctx.suppliers[(org_name, key)].id, sku=sku, name=name,
                    brand=brand, brand_id=brand_row.id if brand_row else None,
                    category=category, specification=spec, **extra,
                )),
                actor=admin.user,
                status=state,
            )  # fmt: skip
            action, reason = _REASONS[state]
            actor = admin if action == "submit" else qc
            session.add(
                VettingEvent(
                    product_id=product.id, action=action, from_status=S.DRAFT, to_status=state,
                    actor_user_id=actor.user.id, reason=reason, source="user", at=utcnow(),
                )
            )  # fmt: skip
            product.submitted_by_id = admin.user.id
            ctx.count("products")
        ctx.products[sku] = product
    session.flush()


def _document(
    session: Session, ctx: Any, owner: dict[str, int], fields: DocumentFields, actor: Any
) -> None:
    query = select(QualificationDocument.id).where(
        QualificationDocument.type == fields.type, QualificationDocument.number == fields.number
    )
    for column, value in owner.items():
        query = query.where(getattr(QualificationDocument, column) == value)
    if session.scalars(query).first() is None:
        service.add_document(
            session,
            fields=fields,
            actor=actor.user,
            product_id=owner.get("product_id"),
            supplier_id=owner.get("supplier_id"),
        )
        ctx.count("documents")


def _documents(session: Session, ctx: Any, org_name: str, qc: Any, today: date) -> None:
    year_ago = today - timedelta(days=365)
    for (name, _key), supplier in ctx.suppliers.items():
        if name == org_name:
            fields = DocumentFields(type=D.BUSINESS_LICENSE, number=supplier.credit_code)
            _document(session, ctx, {"supplier_id": supplier.id}, fields, qc)
    p = ctx.products

    def doc(sku: str, kind: D, number: str, valid_to: date | None, **more: Any) -> None:
        fields = DocumentFields(
            type=kind, number=number, valid_from=year_ago, valid_to=valid_to, **more
        )
        _document(session, ctx, {"product_id": p[sku].id}, fields, qc)

    soon, later = today + timedelta(days=20), today + timedelta(days=700)
    expired = today - timedelta(days=10)
    if org_name == "星河直播":
        doc("XH-001", D.COSMETIC_FILING, "浙G妆网备字2023012345", None)
        doc("XH-001", D.INSPECTION_REPORT, "FY2024-00871", later, issuer="浙江方圆检测集团")
        doc("XH-003", D.SPECIAL_COSMETIC_REGISTRATION, "国妆特字G20210123", soon,
            claims=["sunscreen"])  # fmt: skip
        doc("XH-003", D.EFFICACY_EVALUATION_REPORT, "EV-2024-118", later, claims=["sunscreen"])
        doc("XH-004", D.SC_LICENSE, "SC10633048100012", soon, issuer="海宁市市场监督管理局")
        doc("XH-004", D.INSPECTION_REPORT, "FY2024-01302", expired, issuer="浙江方圆检测集团")
        doc("XH-008", D.CCC_CERTIFICATE, "2021010703412345", later, issuer="中国质量认证中心")
    else:
        doc("QH-001", D.CCC_CERTIFICATE, "2022010706554321", soon, issuer="中国质量认证中心")
        doc("QH-001", D.INSPECTION_REPORT, "JH2024-3321", later, issuer="金华质检院")
        doc("QH-007", D.HEALTH_FOOD_REGISTRATION, "国食健注G20190123", later,
            claims=["增强免疫力"])  # fmt: skip
        doc("QH-007", D.SC_LICENSE, "SC12731011500031", later)


def _reports_and_lots(session: Session, ctx: Any, org_name: str, qc: Any) -> None:
    sku = "XH-003" if org_name == "星河直播" else "QH-001"
    product = ctx.products[sku]
    number = f"R-{sku}-2024"
    if session.scalars(select(TestReport.id).where(TestReport.report_number == number)).first():
        return
    if sku == "XH-003":
        items = [
            TestItemIn(name="SPF值", limit="≥50", result="52.6"),
            TestItemIn(name="PA值", limit="/", result="PA++++"),
            TestItemIn(name="铅", limit="≤10", unit="mg/kg", result="未检出"),
            TestItemIn(name="菌落总数", limit="≤1000", unit="CFU/g", result="<10"),
        ]
        claims = ["sunscreen"]
    else:
        items = [
            TestItemIn(name="小零件", limit="不得有", result="符合"),
            TestItemIn(name="可迁移元素 铅", limit="≤90", unit="mg/kg", result="12"),
        ]
        claims = []
    data = TestReportCreate(
        report_number=number, lab="浙江方圆检测集团股份有限公司", cma_number="200012340567",
        cnas_number="CNAS L1234", sample_name=product.name, tested_on=date(2024, 11, 5),
        standard="GB 6675.1-2014" if sku == "QH-001" else "化妆品安全技术规范（2015年版）",
        efficacy_claims=claims, items=items,
    )  # fmt: skip
    service.create_test_report(session, product_id=product.id, data=data, actor=qc.user)
    ctx.count("test_reports")
    lot_sku = "XH-004" if org_name == "星河直播" else "QH-004"
    lot_product = ctx.products[lot_sku]
    if session.scalars(
        select(InspectionLot.id).where(InspectionLot.product_id == lot_product.id)
    ).first():
        return
    lot = flows.create_lot(
        session,
        product_id=lot_product.id,
        data=LotCreate.model_validate(dict(lot_number=f"{lot_sku}-B001", lot_size=1200,
                       aqls={"critical": Decimal("0.065"), "major": Decimal("1.0"),
                             "minor": Decimal("4.0")})),
        actor=qc,
    )  # fmt: skip
    flows.record_lot_results(
        session,
        lot_id=lot.id,
        data=LotResults.model_validate(dict(nonconforming={"critical": 0, "major": 1, "minor": 3},
                        defects={"major": ["外包装破损"], "minor": ["标签轻微褶皱"] * 3})),
        actor=qc,
    )  # fmt: skip
    flows.create_lot(
        session,
        product_id=lot_product.id,
        data=LotCreate.model_validate(dict(lot_number=f"{lot_sku}-B002", lot_size=500)),
        actor=qc,
    )
    ctx.count("inspection_lots")
    price = Decimal("59.90") if org_name == "星河直播" else Decimal("19.90")
    if (
        session.scalars(
            select(ProductPrice.id).where(ProductPrice.product_id == lot_product.id)
        ).first()
        is None
    ):
        service.record_price(session, product_id=lot_product.id, price=price, actor=qc.user)
