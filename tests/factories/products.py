"""Builders for product-QC rows, through the services (so audit and validation run too)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from liveqc.accounts.models import User
from liveqc.accounts.service import Principal, principal_for
from liveqc.db import tenancy
from liveqc.products import flows, service
from liveqc.products.documents import DocumentType
from liveqc.products.models import InspectionLot, Product, ProductStatus
from liveqc.products.schemas import (
    DocumentFields,
    LotCreate,
    LotResults,
    ProductCreate,
    TestItemIn,
    TestReportCreate,
)

XINGHE, QINGHE = "星河直播", "青禾优选"
#: A valid GTIN-13 (GS1 check digit 1).
GTIN = "6901234567892"


def act_as(session: Session, demo: Any, email: str) -> Principal:
    """The demo user as a principal in their agency; the session switched to that agency."""
    user = session.get(User, demo.users[email].id)
    principal = principal_for(user)
    tenancy.set_organisation(session, principal.organisation.id)
    return principal


def make_product(
    session: Session, demo: Any, *, org: str = XINGHE, sku: str = "T-100", **values: Any
) -> Product:
    tenancy.set_organisation(session, demo.organisations[org].id)
    supplier_key = "meiyan" if org == XINGHE else "tongqu"
    data: dict[str, Any] = {
        "supplier_id": demo.suppliers[(org, supplier_key)].id,
        "sku": sku,
        "name": "测试商品",
        "category": "general",
    }
    data.update(values)
    return service.create_product(session, data=ProductCreate(**data), actor=None)


def file_documents(
    session: Session, product: Product, *, today: date, report_valid_to: date | None = None
) -> None:
    """The documents a general product needs: the supplier's licence and a test report."""
    service.add_document(
        session,
        supplier_id=product.supplier_id,
        fields=DocumentFields(
            type=DocumentType.BUSINESS_LICENSE, number=product.supplier.credit_code
        ),
        today=today,
    )
    service.add_document(
        session,
        product_id=product.id,
        fields=DocumentFields(
            type=DocumentType.INSPECTION_REPORT,
            number="No. 2026-001",
            valid_from=today - timedelta(days=10),
            valid_to=report_valid_to or today + timedelta(days=365),
        ),
        today=today,
    )


def passing_report(session: Session, product: Product, **values: Any) -> Any:
    data: dict[str, Any] = {
        "report_number": "R-2026-001",
        "lab": "浙江方圆检测集团",
        "items": [TestItemIn(name="铅(Pb)", limit="≤10", unit="mg/kg", result="0.5")],
    }
    data.update(values)
    return service.create_test_report(
        session, product_id=product.id, data=TestReportCreate(**data), actor=None
    )


def inspected_lot(
    session: Session, product: Product, actor: Principal | None, *, defects: int = 0
) -> InspectionLot:
    lot = flows.create_lot(
        session,
        product_id=product.id,
        data=LotCreate(lot_number="L1", lot_size=1200, aqls={"major": Decimal("1.0")}),
        actor=actor,
    )
    return flows.record_lot_results(
        session, lot_id=lot.id, data=LotResults(nonconforming={"major": defects}), actor=actor
    )


def to_sample_testing(
    session: Session, product: Product, submitter: Principal, reviewer: Principal
) -> None:
    flows.transition(session, product_id=product.id, action="submit", actor=submitter)
    flows.transition(session, product_id=product.id, action="review", actor=reviewer)
    flows.transition(session, product_id=product.id, action="sample_testing", actor=reviewer)
    assert product.status is ProductStatus.SAMPLE_TESTING
