from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.db import tenancy
from liveqc.demo.credit_codes import credit_code
from liveqc.errors import Conflict, NotFound, ValidationFailed
from liveqc.events.models import AuditEvent
from liveqc.products import files, service
from liveqc.products.documents import DocumentType
from liveqc.products.models import ProductCategory, ProductStatus
from liveqc.products.schemas import (
    AuthorizationCreate,
    BrandCreate,
    DocumentFields,
    ProductCreate,
    ProductUpdate,
    SupplierCreate,
    SupplierUpdate,
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


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def audit_of(session: Session, row, action: str = "update") -> list[AuditEvent]:
    query = select(AuditEvent).where(
        AuditEvent.object_type == row.__tablename__,
        AuditEvent.object_id == str(row.id),
        AuditEvent.action == action,
    )
    return list(session.scalars(query.order_by(AuditEvent.id)))


def test_update_product_changes_the_given_fields_and_audits_before_after(
    session: Session, demo
) -> None:
    product = make_product(session, demo, sku="T-U1", list_price=Decimal("59.00"))
    data = ProductUpdate(
        name="竹纤维毛巾（加厚）",
        specification="2条装",
        shelf_life_days=720,
        list_price=Decimal("49.90"),
        gtin=" 690 1234 567892 ",
    )
    updated = service.update_product(session, product_id=product.id, data=data, actor=None)
    assert (updated.name, updated.specification, updated.gtin) == (
        "竹纤维毛巾（加厚）",
        "2条装",
        "6901234567892",
    )
    assert updated.list_price == Decimal("49.90") and updated.brand == ""  # untouched
    (event,) = audit_of(session, product)
    assert event.before["list_price"] in ("59.00", "59", 59, 59.0)
    assert event.before["name"] == "测试商品" and event.after["name"] == "竹纤维毛巾（加厚）"
    assert set(event.after) == {"name", "specification", "shelf_life_days", "list_price", "gtin"}
    # the same values again change nothing and add no audit entry
    service.update_product(session, product_id=product.id, data=data, actor=None)
    assert len(audit_of(session, product)) == 1
    cleared = service.update_product(
        session, product_id=product.id, data=ProductUpdate(gtin=None), actor=None
    )
    assert cleared.gtin is None


def test_update_product_rejects_a_bad_gtin_naming_the_field(session: Session, demo) -> None:
    product = make_product(session, demo, sku="T-U2")
    with pytest.raises(ValidationFailed) as caught:
        service.update_product(
            session, product_id=product.id, data=ProductUpdate(gtin="6901234567893"), actor=None
        )
    assert caught.value.extra.get("field") == "gtin"
    assert audit_of(session, product) == []


def test_category_and_conditions_change_only_in_draft_or_documents_review(
    session: Session, demo
) -> None:
    product = make_product(session, demo, sku="T-U3", category="cosmetics")
    change = ProductUpdate(category="food", conditions=["organic_claim"], is_imported=True)
    service.update_product(session, product_id=product.id, data=change, actor=None)
    assert product.category is ProductCategory.FOOD and product.is_imported
    assert product.conditions == ["organic_claim"]
    product.status = ProductStatus.DOCUMENTS_REVIEW
    service.update_product(
        session, product_id=product.id, data=ProductUpdate(conditions=[]), actor=None
    )
    assert product.conditions == []
    for status in (ProductStatus.SUBMITTED, ProductStatus.APPROVED, ProductStatus.SAMPLE_TESTING):
        product.status = status
        for field, value in (("category", "toy"), ("conditions", ["imported", "perm"])):
            with pytest.raises(Conflict) as caught:
                service.update_product(
                    session,
                    product_id=product.id,
                    data=ProductUpdate.model_validate({field: value}),
                    actor=None,
                )
            assert caught.value.detail.startswith(f"{field}:")
        with pytest.raises(Conflict, match="is_imported"):
            service.update_product(
                session, product_id=product.id, data=ProductUpdate(is_imported=False), actor=None
            )
        # unchanged values and free fields are still accepted
        same = ProductUpdate(category="food", is_imported=True, conditions=[], name=status.value)
        assert service.update_product(session, product_id=product.id, data=same, actor=None)
        assert product.name == status.value and product.category is ProductCategory.FOOD


def test_update_product_of_another_organisation_is_not_found(session: Session, demo) -> None:
    theirs = demo.products["QH-001"].id
    as_org(session, demo, "星河直播")
    with pytest.raises(NotFound):
        service.update_product(
            session, product_id=theirs, data=ProductUpdate(name="篡改"), actor=None
        )


def test_update_supplier_validates_a_changed_credit_code_and_audits(session: Session, demo) -> None:
    as_org(session, demo, "星河直播")
    supplier = service.get_supplier_or_raise(session, demo.suppliers[("星河直播", "meiyan")].id)
    other = demo.suppliers[("星河直播", "hefeng")]
    code = supplier.credit_code
    bad = code[:17] + ("0" if code[17] != "0" else "1")  # wrong check character
    with pytest.raises(ValidationFailed) as caught:
        service.update_supplier(
            session, supplier_id=supplier.id, data=SupplierUpdate(credit_code=bad), actor=None
        )
    assert caught.value.extra.get("field") == "credit_code"
    with pytest.raises(Conflict, match="credit_code"):
        service.update_supplier(
            session,
            supplier_id=supplier.id,
            data=SupplierUpdate(credit_code=other.credit_code.lower()),
            actor=None,
        )
    new_code = credit_code("330106", "MA2J4L9Q")
    data = SupplierUpdate(
        name="美妍（杭州）化妆品有限公司",
        contact_name="周敏",
        region="浙江省杭州市",
        credit_code=new_code,
    )
    old_name = supplier.name
    service.update_supplier(session, supplier_id=supplier.id, data=data, actor=None)
    assert supplier.credit_code == new_code and supplier.contact_name == "周敏"
    (event,) = audit_of(session, supplier)
    assert event.before["name"] == old_name and event.after["credit_code"] == new_code


def test_images_are_listed_per_product_and_found_only_under_their_product(
    session: Session, demo, tmp_path
) -> None:
    first = make_product(session, demo, sku="T-I1")
    second = make_product(session, demo, sku="T-I2")
    stored = files.store(tmp_path, PNG, "front.png")
    image = service.add_image(session, product_id=first.id, stored=stored, actor=None)
    assert [i.id for i in service.list_images(session, first.id)] == [image.id]
    assert service.list_images(session, second.id) == []
    assert service.get_image_or_raise(session, product_id=first.id, image_id=image.id) is image
    with pytest.raises(NotFound):
        service.get_image_or_raise(session, product_id=second.id, image_id=image.id)


def test_user_labels_prefer_the_display_name(session: Session, demo) -> None:
    qc = demo.users["qc@xinghe.example"]
    labels = service.user_labels(session, [qc.id, None])
    assert labels == {qc.id: "林晓雯"}
    assert service.user_labels(session, []) == {}
