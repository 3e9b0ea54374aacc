"""Suppliers, brands, products, images and prices: queries and single-entity changes.

Session first, never commits. Tenancy is applied by the session (``liveqc.db.tenancy``):
nothing here filters by organisation, and a row of another organisation is simply not found.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from liveqc.accounts.models import User
from liveqc.db.types import utcnow
from liveqc.errors import Conflict, NotFound, ValidationFailed
from liveqc.events.service import record
from liveqc.products import documents as docs
from liveqc.products.files import StoredFile
from liveqc.products.models import (
    Brand,
    BrandAuthorization,
    Product,
    ProductCategory,
    ProductImage,
    ProductPrice,
    ProductStatus,
    Supplier,
)
from liveqc.products.schemas import (
    AuthorizationCreate,
    BrandCreate,
    ProductCreate,
    ProductUpdate,
    SupplierCreate,
    SupplierUpdate,
)
from liveqc.products.validators import parse_gtin

_CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
#: Document dates are Chinese calendar days (UTC+8, no daylight saving).
CHINA = timezone(timedelta(hours=8))


def today_in_china(now: datetime | None = None) -> date:
    """The calendar date in China, against which document validity is judged."""
    return (now or utcnow()).astimezone(CHINA).date()


def credit_code_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a credit code."""
    total = sum(
        _CREDIT_CODE_CHARS.index(ch) * weight
        for ch, weight in zip(first17, _CREDIT_CODE_WEIGHTS, strict=True)
    )
    return _CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    code = code.strip().upper()
    if len(code) != 18 or any(ch not in _CREDIT_CODE_CHARS for ch in code):
        return False
    return credit_code_check_char(code[:17]) == code[17]


# --- suppliers ----------------------------------------------------------------------------


def get_supplier_or_raise(session: Session, supplier_id: int) -> Supplier:
    supplier = session.scalars(select(Supplier).where(Supplier.id == supplier_id)).first()
    if supplier is None:
        raise NotFound(f"supplier {supplier_id} does not exist")
    return supplier


def find_supplier(session: Session, credit_code: str) -> Supplier | None:
    code = credit_code.strip().upper()
    return session.scalars(select(Supplier).where(Supplier.credit_code == code)).first()


def list_suppliers(
    session: Session, *, limit: int = 50, offset: int = 0
) -> tuple[list[Supplier], int]:
    total = session.scalar(select(func.count(Supplier.id))) or 0
    rows = session.scalars(select(Supplier).order_by(Supplier.id).limit(limit).offset(offset))
    return list(rows), total


def create_supplier(session: Session, *, data: SupplierCreate, actor: object) -> Supplier:
    code = data.credit_code.strip().upper()
    if not is_valid_credit_code(code):
        raise ValidationFailed(
            f"credit_code {code!r} is not a valid unified social credit code", field="credit_code"
        )
    if find_supplier(session, code):
        raise Conflict(f"a supplier with credit code {code} already exists")
    supplier = Supplier(**data.model_dump(exclude={"credit_code"}), credit_code=code)
    session.add(supplier)
    session.flush()
    after = {"name": supplier.name, "credit_code": code, "licence_valid_to": data.licence_valid_to}
    record(session, actor, supplier.organisation_id, supplier, "create", None, after)
    return supplier


def update_supplier(
    session: Session, *, supplier_id: int, data: SupplierUpdate, actor: object
) -> Supplier:
    """Change a supplier's name, contact or region; a new credit code is checked and unique."""
    supplier = get_supplier_or_raise(session, supplier_id)
    changes = data.model_dump(exclude_unset=True)
    if "credit_code" in changes:
        code = changes["credit_code"].strip().upper()
        if not is_valid_credit_code(code):
            raise ValidationFailed(
                f"credit_code {code!r} is not a valid unified social credit code",
                field="credit_code",
            )
        other = find_supplier(session, code)
        if other is not None and other.id != supplier.id:
            raise Conflict(f"credit_code: a supplier with credit code {code} already exists")
        changes["credit_code"] = code
    return _apply(session, supplier, changes, actor)


def _apply(session: Session, row: Supplier | Product, changes: dict, actor: object) -> Any:
    """Set the changed fields and audit them with before/after; unchanged rows are not audited."""
    before = {k: getattr(row, k) for k, v in changes.items() if getattr(row, k) != v}
    if not before:
        return row
    after = {k: changes[k] for k in before}
    for key, value in after.items():
        setattr(row, key, value)
    session.flush()
    record(session, actor, row.organisation_id, row, "update", before, after)
    return row


# --- brands and the authorisation chain ---------------------------------------------------


def get_brand_or_raise(session: Session, brand_id: int) -> Brand:
    brand = session.scalars(select(Brand).where(Brand.id == brand_id)).first()
    if brand is None:
        raise NotFound(f"brand {brand_id} does not exist")
    return brand


def list_brands(session: Session) -> list[Brand]:
    return list(session.scalars(select(Brand).order_by(Brand.id)))


def create_brand(session: Session, *, data: BrandCreate, actor: object) -> Brand:
    if session.scalars(select(Brand).where(Brand.name == data.name)).first():
        raise Conflict(f"a brand named {data.name!r} already exists")
    brand = Brand(**data.model_dump())
    session.add(brand)
    session.flush()
    record(session, actor, brand.organisation_id, brand, "create", None, data.model_dump())
    return brand


def add_authorization(
    session: Session, *, brand_id: int, data: AuthorizationCreate, actor: object
) -> BrandAuthorization:
    """Add one link of a brand's authorisation chain (brand owner → distributor → supplier)."""
    get_brand_or_raise(session, brand_id)
    if data.valid_to is not None and data.valid_to < data.valid_from:
        raise ValidationFailed("valid_to: before valid_from", field="valid_to")
    if data.parent_id is not None:
        parent = session.get(BrandAuthorization, data.parent_id)
        if parent is None or parent.brand_id != brand_id:
            raise ValidationFailed(f"parent_id {data.parent_id}: no such link of this brand")
        if parent.grantee != data.grantor:
            raise ValidationFailed(
                f"grantor: {data.grantor!r} is not the grantee of link {parent.id} "
                f"({parent.grantee!r})",
                field="grantor",
            )
    if data.supplier_id is not None:
        get_supplier_or_raise(session, data.supplier_id)
    link = BrandAuthorization(brand_id=brand_id, **data.model_dump())
    session.add(link)
    session.flush()
    record(session, actor, link.organisation_id, link, "create", None, data.model_dump())
    return link


def list_authorizations(session: Session, brand_id: int) -> list[BrandAuthorization]:
    get_brand_or_raise(session, brand_id)
    query = select(BrandAuthorization).where(BrandAuthorization.brand_id == brand_id)
    return list(session.scalars(query.order_by(BrandAuthorization.id)))


def authorization_chain(
    session: Session, *, brand_id: int, supplier_id: int
) -> list[BrandAuthorization]:
    """The links from the brand owner down to the supplier (owner first); [] when none."""
    query = select(BrandAuthorization).where(
        BrandAuthorization.brand_id == brand_id, BrandAuthorization.supplier_id == supplier_id
    )
    link = session.scalars(query.order_by(BrandAuthorization.valid_to.desc())).first()
    chain: list[BrandAuthorization] = []
    seen: set[int] = set()
    while link is not None and link.id not in seen:
        seen.add(link.id)
        chain.append(link)
        link = session.get(BrandAuthorization, link.parent_id) if link.parent_id else None
    return list(reversed(chain))


# --- products -----------------------------------------------------------------------------


def get_product_or_raise(session: Session, product_id: int) -> Product:
    product = session.scalars(select(Product).where(Product.id == product_id)).first()
    if product is None:
        raise NotFound(f"product {product_id} does not exist")
    return product


def list_products(
    session: Session,
    *,
    limit: int = 50,
    offset: int = 0,
    status: ProductStatus | None = None,
    category: ProductCategory | None = None,
    supplier_id: int | None = None,
    q: str | None = None,
) -> tuple[list[Product], int]:
    query = select(Product)
    if status is not None:
        query = query.where(Product.status == status)
    if category is not None:
        query = query.where(Product.category == category)
    if supplier_id is not None:
        query = query.where(Product.supplier_id == supplier_id)
    if q:
        like = f"%{q.replace('%', '').replace('_', '')}%"
        query = query.where(or_(Product.name.like(like), Product.sku.like(like)))
    total = session.scalar(query.with_only_columns(func.count(Product.id))) or 0
    rows = session.scalars(query.order_by(Product.id).limit(limit).offset(offset))
    return list(rows), total


def validate_gtin(value: str | None) -> str | None:
    """The normalised GTIN, or ValidationFailed naming the ``gtin`` field."""
    if value is None or not value.strip():
        return None
    return parse_gtin(value).require("gtin")


def create_product(
    session: Session,
    *,
    data: ProductCreate,
    actor: object,
    status: ProductStatus = ProductStatus.DRAFT,
) -> Product:
    if session.scalars(select(Supplier.id).where(Supplier.id == data.supplier_id)).first() is None:
        raise ValidationFailed(
            f"supplier_id {data.supplier_id} does not exist", field="supplier_id"
        )
    if session.scalars(select(Product).where(Product.sku == data.sku)).first():
        raise Conflict(f"a product with SKU {data.sku!r} already exists")
    gtin = validate_gtin(data.gtin)
    values = data.model_dump(exclude={"gtin", "conditions"})
    if data.brand_id is not None:
        brand = session.scalars(select(Brand).where(Brand.id == data.brand_id)).first()
        if brand is None:
            raise ValidationFailed(f"brand_id {data.brand_id} does not exist", field="brand_id")
        values["brand"] = values["brand"] or brand.name
    lo, hi = data.target_age_min_months, data.target_age_max_months
    if lo is not None and hi is not None and hi < lo:
        raise ValidationFailed("target_age_max_months: below target_age_min_months")
    conditions = sorted({str(c) for c in data.conditions} - {docs.Condition.IMPORTED.value})
    product = Product(**values, gtin=gtin, conditions=conditions, status=status)
    if data.is_imported:
        product.is_imported = True
    session.add(product)
    session.flush()
    after = {"name": product.name, "sku": product.sku, "status": product.status, "gtin": gtin}
    record(session, actor, product.organisation_id, product, "create", None, after)
    return product


#: Statuses in which the fields that decide the required documents may still change.
REQUIREMENTS_EDITABLE = frozenset({ProductStatus.DRAFT, ProductStatus.DOCUMENTS_REVIEW})
_REQUIREMENT_FIELDS = ("category", "conditions", "is_imported")


def update_product(
    session: Session, *, product_id: int, data: ProductUpdate, actor: object
) -> Product:
    """Change a product's descriptive and price data.

    Category and conditions decide the documents a product needs, so they change only while
    the product is a draft or in documents review; otherwise Conflict names the field.
    """
    product = get_product_or_raise(session, product_id)
    changes = data.model_dump(exclude_unset=True)
    if "gtin" in changes:
        changes["gtin"] = validate_gtin(changes["gtin"])
    if "conditions" in changes:
        changes["conditions"] = sorted(
            {str(c) for c in changes["conditions"]} - {docs.Condition.IMPORTED.value}
        )
    if product.status not in REQUIREMENTS_EDITABLE:
        for name in _REQUIREMENT_FIELDS:
            current = getattr(product, name)
            if name == "conditions":
                current = sorted(current or [])
            if name in changes and changes[name] != current:
                raise Conflict(
                    f"{name}: can change only while the product is a draft or in documents "
                    f"review (it is {product.status.value})",
                    field=name,
                )
    if "conditions" in changes and changes["conditions"] == sorted(product.conditions or []):
        del changes["conditions"]
    return _apply(session, product, changes, actor)


def list_images(session: Session, product_id: int) -> list[ProductImage]:
    get_product_or_raise(session, product_id)
    query = select(ProductImage).where(ProductImage.product_id == product_id)
    return list(session.scalars(query.order_by(ProductImage.id)))


def get_image_or_raise(session: Session, *, product_id: int, image_id: int) -> ProductImage:
    query = select(ProductImage).where(
        ProductImage.id == image_id, ProductImage.product_id == product_id
    )
    image = session.scalars(query).first()
    if image is None:
        raise NotFound(f"image {image_id} of product {product_id} does not exist")
    return image


def user_labels(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Each user's display name (or e-mail when unnamed), for histories shown to people."""
    wanted = {i for i in user_ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(User.id, User.display_name, User.email).where(User.id.in_(wanted))
    )
    return {uid: (name or email) for uid, name, email in rows}


def add_image(
    session: Session, *, product_id: int, stored: StoredFile, actor: object
) -> ProductImage:
    product = get_product_or_raise(session, product_id)
    if not stored.content_type.startswith("image/"):
        raise ValidationFailed("file: product images must be PNG, JPEG or WebP", field="file")
    image = ProductImage(
        product_id=product.id,
        file_sha256=stored.sha256,
        file_name=stored.name,
        content_type=stored.content_type,
        file_size=stored.size,
    )
    session.add(image)
    session.flush()
    record(
        session, actor, product.organisation_id, image, "create", None, {"sha256": stored.sha256}
    )
    return image


# --- prices -------------------------------------------------------------------------------


def record_price(
    session: Session,
    *,
    product_id: int,
    price: Decimal,
    charged_at: datetime | None = None,
    actor: object = None,
) -> ProductPrice:
    """Record a price actually charged (the history behind ``lowest_price_7d``)."""
    product = get_product_or_raise(session, product_id)
    row = ProductPrice(product_id=product.id, price=price, charged_at=charged_at or utcnow())
    session.add(row)
    session.flush()
    after = {"price": price, "charged_at": row.charged_at}
    record(session, actor, product.organisation_id, row, "create", None, after)
    return row


def lowest_price_7d(
    session: Session, product_id: int, at: datetime | None = None
) -> Decimal | None:
    """The lowest price charged in the 7 days before ``at``; None without price history."""
    at = at or utcnow()
    query = select(func.min(ProductPrice.price)).where(
        ProductPrice.product_id == product_id,
        ProductPrice.charged_at >= at - timedelta(days=7),
        ProductPrice.charged_at <= at,
    )
    return session.scalar(query)
