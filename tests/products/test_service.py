from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from liveqc.db import tenancy
from liveqc.errors import Conflict, NotFound, ValidationFailed
from liveqc.products import service
from liveqc.products.documents import DocumentType
from liveqc.products.models import ProductCategory, ProductStatus
from liveqc.products.schemas import (
    AuthorizationCreate,
    BrandCreate,
    DocumentFields,
    ProductCreate,
    SupplierCreate,
)
from tests.factories.products import make_product


def as_org(session: Session, demo, name: str) -> None:
    tenancy.set_organisation(session, demo.organisations[name].id)


def test_get_raises_not_found_for_another_organisations_row(session: Session, demo) -> None:
    theirs = demo.products["QH-001"].id
    as_org(session, demo, "星河直播")
    with pytest.raises(NotFound):
        service.get_product_or_raise(session, theirs)
    as_org(session, demo, "青禾优选")
    assert service.get_product_or_raise(session, theirs).sku == "QH-001"


def test_list_products_filters_and_counts(session: Session, demo) -> None:
    as_org(session, demo, "青禾优选")
    everything, total = service.list_products(session, limit=500)
    assert total == len(everything)
    rows, toys = service.list_products(session, category=ProductCategory.TOY)
    assert toys == len(rows) == sum(p.category is ProductCategory.TOY for p in everything) > 0
    approved = sum(p.status is ProductStatus.APPROVED for p in everything)
    rows, total = service.list_products(session, status=ProductStatus.APPROVED, limit=1)
    assert total == approved > 1 and len(rows) == 1
    supplier = demo.suppliers[("青禾优选", "yangsheng")].id
    expected = sum(p.supplier_id == supplier for p in everything)
    assert service.list_products(session, supplier_id=supplier)[1] == expected >= 3


def test_create_supplier_normalises_and_validates_the_credit_code(session: Session, demo) -> None:
    as_org(session, demo, "星河直播")
    data = SupplierCreate(name="厦门示例", credit_code="91350100m000100y43")
    supplier = service.create_supplier(session, data=data, actor=None)
    assert supplier.credit_code == "91350100M000100Y43"
    with pytest.raises(Conflict):
        service.create_supplier(session, data=data, actor=None)
    with pytest.raises(ValidationFailed):
        service.create_supplier(
            session, data=SupplierCreate(name="x", credit_code="91350100M000100Y44"), actor=None
        )


def test_create_product_checks_the_supplier_in_my_organisation(session: Session, demo) -> None:
    as_org(session, demo, "星河直播")
    theirs = demo.suppliers[("青禾优选", "tongqu")].id
    data = ProductCreate(supplier_id=theirs, sku="XH-50", name="积木", category="toy")
    with pytest.raises(ValidationFailed, match="supplier_id"):
        service.create_product(session, data=data, actor=None)


def test_credit_code_check_character() -> None:
    assert service.credit_code_check_char("91350100M000100Y4") == "3"
    assert not service.is_valid_credit_code("91350100M000100Y4")
    assert not service.is_valid_credit_code("91350100M000100YI3")


# --- brands, documents, prices ------------------------------------------------------------


TODAY = date(2026, 6, 1)


def test_authorisation_chain_counts_as_brand_authorisation(session: Session, demo) -> None:
    product = make_product(session, demo, sku="T-CH")
    brand = service.create_brand(
        session, data=BrandCreate(name="远山", owner_name="远山集团有限公司"), actor=None
    )
    product.brand_id = brand.id
    check = service.check_product_documents(session, product, today=TODAY)
    assert "brand_authorization" in {m.requirement for m in check.missing}
    top = service.add_authorization(
        session,
        brand_id=brand.id,
        data=AuthorizationCreate(
            grantor="远山集团有限公司", grantee="华东总代", valid_from=date(2025, 1, 1),
            valid_to=date(2026, 6, 20),
        ),
        actor=None,
    )  # fmt: skip
    with pytest.raises(ValidationFailed, match="grantor"):
        service.add_authorization(
            session,
            brand_id=brand.id,
            data=AuthorizationCreate(
                parent_id=top.id, grantor="别人", grantee="x", valid_from=date(2025, 1, 1)
            ),
            actor=None,
        )
    service.add_authorization(
        session,
        brand_id=brand.id,
        data=AuthorizationCreate(
            parent_id=top.id, grantor="华东总代", grantee=product.supplier.name,
            supplier_id=product.supplier_id, valid_from=date(2025, 3, 1),
        ),
        actor=None,
    )  # fmt: skip
    chain = service.authorization_chain(session, brand_id=brand.id, supplier_id=product.supplier_id)
    assert [link.grantor for link in chain] == ["远山集团有限公司", "华东总代"]
    check = service.check_product_documents(session, product, today=TODAY)
    assert "brand_authorization" not in {m.requirement for m in check.missing}
    assert [i.type.value for i in check.expiring] == ["brand_authorization"]  # ends in 19 days


def test_document_numbers_are_validated_and_normalised(session: Session, demo) -> None:
    product = make_product(session, demo, sku="T-DOC", category="food")
    with pytest.raises(ValidationFailed, match="number"):
        service.add_document(
            session,
            product_id=product.id,
            fields=DocumentFields(type=DocumentType.SC_LICENSE, number="SC1234"),
            today=TODAY,
        )
    document = service.add_document(
        session,
        product_id=product.id,
        fields=DocumentFields(type=DocumentType.SC_LICENSE, number="sc 10644010600012"),
        today=TODAY,
    )
    assert document.number == "SC10644010600012"
    with pytest.raises(ValidationFailed, match="exactly one"):
        service.add_document(
            session, fields=DocumentFields(type=DocumentType.INSPECTION_REPORT, number="1")
        )


def test_supplier_documents_count_for_every_product(session: Session, demo) -> None:
    first = make_product(session, demo, sku="T-S1")
    second = make_product(session, demo, sku="T-S2")
    service.add_document(
        session,
        supplier_id=first.supplier_id,
        fields=DocumentFields(
            type=DocumentType.BUSINESS_LICENSE, number=first.supplier.credit_code
        ),
        today=TODAY,
    )
    for product in (first, second):
        types = {d.type for d in service.product_documents(session, product)}
        assert DocumentType.BUSINESS_LICENSE in types


def test_lowest_price_looks_back_seven_days(session: Session, demo) -> None:
    product = make_product(session, demo, sku="T-P")
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert service.lowest_price_7d(session, product.id, now) is None
    for days, price in ((1, "89.00"), (6, "79.50"), (9, "59.00")):
        service.record_price(
            session, product_id=product.id, price=Decimal(price), charged_at=now - timedelta(days)
        )
    assert service.lowest_price_7d(session, product.id, now) == Decimal("79.50")


def test_gtin_is_checked_and_normalised(session: Session, demo) -> None:
    product = make_product(session, demo, sku="T-G", gtin=" 690 1234 567892 ")
    assert product.gtin == "6901234567892"
    with pytest.raises(ValidationFailed, match="gtin"):
        make_product(session, demo, sku="T-G2", gtin="6901234567893")
