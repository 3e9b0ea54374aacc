"""Supplier and product queries and single-entity changes (session first, never commits).

Tenancy is applied by the session (``liveqc.db.tenancy``): nothing here filters by
organisation, and a row of another organisation is simply not found.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveqc.errors import Conflict, NotFound, ValidationFailed
from liveqc.events.service import record
from liveqc.products.models import Product, ProductCategory, ProductStatus, Supplier
from liveqc.products.schemas import ProductCreate, SupplierCreate

_CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


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


def get_supplier_or_raise(session: Session, supplier_id: int) -> Supplier:
    supplier = session.scalars(select(Supplier).where(Supplier.id == supplier_id)).first()
    if supplier is None:
        raise NotFound(f"supplier {supplier_id} does not exist")
    return supplier


def list_suppliers(
    session: Session, *, limit: int = 50, offset: int = 0
) -> tuple[list[Supplier], int]:
    total = session.scalar(select(func.count(Supplier.id))) or 0
    rows = session.scalars(select(Supplier).order_by(Supplier.id).limit(limit).offset(offset))
    return list(rows), total


def create_supplier(session: Session, *, data: SupplierCreate, actor: object) -> Supplier:
    code = data.credit_code.strip().upper()
    if not is_valid_credit_code(code):
        raise ValidationFailed(f"credit_code {code!r} is not a valid unified social credit code")
    if session.scalars(select(Supplier).where(Supplier.credit_code == code)).first():
        raise Conflict(f"a supplier with credit code {code} already exists")
    supplier = Supplier(**data.model_dump(exclude={"credit_code"}), credit_code=code)
    session.add(supplier)
    session.flush()
    record(
        session,
        actor,
        supplier.organisation_id,
        supplier,
        "create",
        None,
        {"name": supplier.name, "credit_code": code},
    )
    return supplier


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
) -> tuple[list[Product], int]:
    query = select(Product)
    if status is not None:
        query = query.where(Product.status == status)
    if category is not None:
        query = query.where(Product.category == category)
    if supplier_id is not None:
        query = query.where(Product.supplier_id == supplier_id)
    total = session.scalar(query.with_only_columns(func.count(Product.id))) or 0
    rows = session.scalars(query.order_by(Product.id).limit(limit).offset(offset))
    return list(rows), total


def create_product(
    session: Session,
    *,
    data: ProductCreate,
    actor: object,
    status: ProductStatus = ProductStatus.DRAFT,
) -> Product:
    if session.scalars(select(Supplier.id).where(Supplier.id == data.supplier_id)).first() is None:
        raise ValidationFailed(f"supplier_id {data.supplier_id} does not exist")
    if session.scalars(select(Product).where(Product.sku == data.sku)).first():
        raise Conflict(f"a product with SKU {data.sku!r} already exists")
    product = Product(**data.model_dump(), status=status)
    session.add(product)
    session.flush()
    record(
        session,
        actor,
        product.organisation_id,
        product,
        "create",
        None,
        {"name": product.name, "sku": product.sku, "status": product.status},
    )
    return product
