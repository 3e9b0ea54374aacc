from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liveqc.db import tenancy
from liveqc.db.base import OrgOwned
from liveqc.products.models import Product, ProductCategory, ProductStatus, Supplier


def test_suppliers_and_products_are_organisation_owned() -> None:
    assert issubclass(Supplier, OrgOwned) and issubclass(Product, OrgOwned)


def test_categories_match_the_shared_contract() -> None:
    assert {c.value for c in ProductCategory} == {
        "cosmetics",
        "food",
        "health_food",
        "general",
        "apparel",
        "electronics",
        "appliance",
        "baby",
        "toy",
        "medical_device",
        "drug",
        "tobacco",
        "agriculture",
        "jewelry",
    }


def test_new_products_start_as_draft_and_store_enums_as_strings(session: Session, demo) -> None:
    org = demo.organisations["星河直播"].id
    tenancy.set_organisation(session, org)
    supplier_id = demo.suppliers[("星河直播", "meiyan")].id
    product = Product(supplier_id=supplier_id, sku="XH-T1", name="测试", category="cosmetics")
    session.add(product)
    session.flush()
    session.expire(product)
    assert product.status is ProductStatus.DRAFT
    assert product.category is ProductCategory.COSMETICS


def test_product_needs_an_existing_supplier(session: Session, demo) -> None:
    tenancy.set_organisation(session, demo.organisations["星河直播"].id)
    session.add(Product(supplier_id=999_999, sku="XH-T2", name="孤儿", category="food"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_vetting_alias_and_on_air_states() -> None:
    assert ProductStatus.VETTING is ProductStatus.DOCUMENTS_REVIEW
    on_air = {s for s in ProductStatus if s.may_go_on_air}
    assert on_air == {ProductStatus.APPROVED, ProductStatus.APPROVED_WITH_CONDITIONS}


def test_long_document_type_names_fit_the_column(session: Session, demo) -> None:
    from liveqc.products.documents import DocumentType
    from liveqc.products.models import QualificationDocument

    tenancy.set_organisation(session, demo.organisations["星河直播"].id)
    longest = max(DocumentType, key=lambda t: len(t.value))
    row = QualificationDocument(
        supplier_id=demo.suppliers[("星河直播", "meiyan")].id, type=longest, number="GI-1"
    )
    session.add(row)
    session.flush()
    session.expire(row)
    assert row.type is longest and row.claims == []
