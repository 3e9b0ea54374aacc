"""Suppliers and products API (thin: tenancy comes from the session)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from liveqc.accounts.models import Role
from liveqc.accounts.service import Principal
from liveqc.api.deps import MAX_ID, CurrentPrincipal, IdPath, PageDep, SessionDep, require_roles
from liveqc.products import service
from liveqc.products.models import ProductCategory, ProductStatus
from liveqc.products.schemas import (
    ProductCreate,
    ProductPage,
    ProductRead,
    SupplierCreate,
    SupplierPage,
    SupplierRead,
)

router = APIRouter(tags=["products"])
Editor = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.QC_REVIEWER))]


@router.get("/suppliers", response_model=SupplierPage)
def list_suppliers(_: CurrentPrincipal, session: SessionDep, page: PageDep) -> SupplierPage:
    rows, total = service.list_suppliers(session, limit=page.limit, offset=page.offset)
    return SupplierPage(
        items=[SupplierRead.model_validate(row) for row in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/suppliers", status_code=status.HTTP_201_CREATED, response_model=SupplierRead)
def create_supplier(body: SupplierCreate, principal: Editor, session: SessionDep) -> SupplierRead:
    return SupplierRead.model_validate(
        service.create_supplier(session, data=body, actor=principal.user)
    )


@router.get("/suppliers/{supplier_id}", response_model=SupplierRead)
def get_supplier(supplier_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> SupplierRead:
    return SupplierRead.model_validate(service.get_supplier_or_raise(session, supplier_id))


@router.get("/products", response_model=ProductPage)
def list_products(
    _: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    status: Annotated[ProductStatus | None, Query()] = None,
    category: Annotated[ProductCategory | None, Query()] = None,
    supplier_id: Annotated[int | None, Query(gt=0, le=MAX_ID)] = None,
) -> ProductPage:
    rows, total = service.list_products(
        session,
        limit=page.limit,
        offset=page.offset,
        status=status,
        category=category,
        supplier_id=supplier_id,
    )
    return ProductPage(
        items=[ProductRead.model_validate(row) for row in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/products", status_code=status.HTTP_201_CREATED, response_model=ProductRead)
def create_product(body: ProductCreate, principal: Editor, session: SessionDep) -> ProductRead:
    return ProductRead.model_validate(
        service.create_product(session, data=body, actor=principal.user)
    )


@router.get("/products/{product_id}", response_model=ProductRead)
def get_product(product_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> ProductRead:
    return ProductRead.model_validate(service.get_product_or_raise(session, product_id))
