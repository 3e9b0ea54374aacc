from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from liveqc.db import tenancy
from liveqc.errors import Conflict, NotFound, ValidationFailed
from liveqc.products import service
from liveqc.products.models import ProductCategory, ProductStatus
from liveqc.products.schemas import ProductCreate, SupplierCreate


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
    rows, total = service.list_products(session, category=ProductCategory.TOY)
    assert total == len(rows) == 2
    rows, total = service.list_products(session, status=ProductStatus.APPROVED, limit=2)
    assert total == 4 and len(rows) == 2
    supplier = demo.suppliers[("青禾优选", "yangsheng")].id
    assert service.list_products(session, supplier_id=supplier)[1] == 3


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
