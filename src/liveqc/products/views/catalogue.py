"""Suppliers, brands and the product catalogue: collection, import/export, item, prices, images.

The collection routes come before ``/products/{product_id}`` so that ``import`` and ``export``
are not read as ids.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile, status
from fastapi.responses import Response

from liveqc.api.deps import MAX_ID, CurrentPrincipal, IdPath, PageDep, SessionDep, SettingsDep
from liveqc.products import files, importing, service
from liveqc.products.models import ProductCategory, ProductStatus
from liveqc.products.schemas import (
    AuthorizationCreate,
    AuthorizationPage,
    AuthorizationRead,
    BrandCreate,
    BrandPage,
    BrandRead,
    DocumentFields,
    DocumentRead,
    PriceCreate,
    ProductCreate,
    ProductImagePage,
    ProductImageRead,
    ProductPage,
    ProductRead,
    ProductUpdate,
    SupplierCreate,
    SupplierPage,
    SupplierRead,
    SupplierUpdate,
)
from liveqc.products.views.deps import Editor, Upload, attachment, read_upload

router = APIRouter(tags=["products"])


# --- suppliers ----------------------------------------------------------------------------


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


@router.patch("/suppliers/{supplier_id}", response_model=SupplierRead)
def update_supplier(
    supplier_id: IdPath, body: SupplierUpdate, principal: Editor, session: SessionDep
) -> SupplierRead:
    """Change name, contact or region; a changed credit code is validated (audited)."""
    supplier = service.update_supplier(
        session, supplier_id=supplier_id, data=body, actor=principal.user
    )
    return SupplierRead.model_validate(supplier)


@router.post(
    "/suppliers/{supplier_id}/documents",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentRead,
)
def add_supplier_document(
    supplier_id: IdPath,
    fields: Annotated[DocumentFields, Form()],
    principal: Editor,
    session: SessionDep,
    settings: SettingsDep,
    file: Upload = None,
) -> DocumentRead:
    stored = read_upload(file, settings)
    document = service.add_document(
        session, fields=fields, supplier_id=supplier_id, stored=stored, actor=principal.user
    )
    return DocumentRead.model_validate(document)


# --- brands -------------------------------------------------------------------------------


@router.get("/brands", response_model=BrandPage)
def list_brands(_: CurrentPrincipal, session: SessionDep) -> BrandPage:
    rows = service.list_brands(session)
    return BrandPage(items=[BrandRead.model_validate(r) for r in rows], total=len(rows))


@router.post("/brands", status_code=status.HTTP_201_CREATED, response_model=BrandRead)
def create_brand(body: BrandCreate, principal: Editor, session: SessionDep) -> BrandRead:
    return BrandRead.model_validate(service.create_brand(session, data=body, actor=principal.user))


@router.get("/brands/{brand_id}", response_model=BrandRead)
def get_brand(brand_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> BrandRead:
    return BrandRead.model_validate(service.get_brand_or_raise(session, brand_id))


@router.get("/brands/{brand_id}/authorizations", response_model=AuthorizationPage)
def list_authorizations(
    brand_id: IdPath, _: CurrentPrincipal, session: SessionDep
) -> AuthorizationPage:
    rows = service.list_authorizations(session, brand_id)
    return AuthorizationPage(
        items=[AuthorizationRead.model_validate(r) for r in rows], total=len(rows)
    )


@router.post(
    "/brands/{brand_id}/authorizations",
    status_code=status.HTTP_201_CREATED,
    response_model=AuthorizationRead,
)
def add_authorization(
    brand_id: IdPath, body: AuthorizationCreate, principal: Editor, session: SessionDep
) -> AuthorizationRead:
    link = service.add_authorization(session, brand_id=brand_id, data=body, actor=principal.user)
    return AuthorizationRead.model_validate(link)


# --- products: collection, import and export (before /products/{id}) ---------------------


@router.get("/products", response_model=ProductPage)
def list_products(
    _: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    status: Annotated[ProductStatus | None, Query()] = None,
    category: Annotated[ProductCategory | None, Query()] = None,
    supplier_id: Annotated[int | None, Query(gt=0, le=MAX_ID)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> ProductPage:
    rows, total = service.list_products(
        session,
        limit=page.limit,
        offset=page.offset,
        status=status,
        category=category,
        supplier_id=supplier_id,
        q=q,
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


@router.post("/products/import")
def import_products(
    principal: Editor,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="An .xlsx workbook (see docs/products.md)")],
    valid_only: Annotated[bool, Query(description="Import the valid rows, skip the rest")] = False,
) -> dict[str, Any]:
    """Import a supplier's product list; all-or-nothing unless ``valid_only``."""
    data = file.file.read(importing.MAX_IMPORT_BYTES + 1)
    report = importing.import_products(
        session, data=data, actor=principal.user, valid_only=valid_only
    )
    return report.to_dict()


@router.get("/products/export", response_class=Response)
def export_products(
    _: CurrentPrincipal,
    session: SessionDep,
    format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx",
) -> Response:
    """The catalogue with each product's status, as .xlsx or CSV (UTF-8 with BOM)."""
    if format == "csv":
        body = ("\ufeff" + importing.export_csv(session)).encode("utf-8")
        return attachment(body, "products.csv", "text/csv; charset=utf-8")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return attachment(importing.export_xlsx(session), "products.xlsx", xlsx)


@router.get("/products/{product_id}", response_model=ProductRead)
def get_product(product_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> ProductRead:
    return ProductRead.model_validate(service.get_product_or_raise(session, product_id))


@router.patch("/products/{product_id}", response_model=ProductRead)
def update_product(
    product_id: IdPath, body: ProductUpdate, principal: Editor, session: SessionDep
) -> ProductRead:
    """Change the given fields (audited); category and conditions only in draft or documents
    review, otherwise 409 naming the field."""
    product = service.update_product(
        session, product_id=product_id, data=body, actor=principal.user
    )
    return ProductRead.model_validate(product)


@router.post("/products/{product_id}/prices", status_code=status.HTTP_201_CREATED)
def record_price(
    product_id: IdPath, body: PriceCreate, principal: Editor, session: SessionDep
) -> dict[str, Any]:
    row = service.record_price(
        session,
        product_id=product_id,
        price=body.price,
        charged_at=body.charged_at,
        actor=principal.user,
    )
    return {"id": row.id, "price": str(row.price), "charged_at": row.charged_at}


@router.post("/products/{product_id}/images", status_code=status.HTTP_201_CREATED)
def add_image(
    product_id: IdPath,
    principal: Editor,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File()],
) -> dict[str, Any]:
    data = file.file.read(files.MAX_UPLOAD_BYTES + 1)
    stored = files.store(settings.upload_dir, data, file.filename or "")
    image = service.add_image(session, product_id=product_id, stored=stored, actor=principal.user)
    return {"id": image.id, "sha256": image.file_sha256, "content_type": image.content_type}


@router.get("/products/{product_id}/images", response_model=ProductImagePage)
def list_images(product_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> ProductImagePage:
    rows = service.list_images(session, product_id)
    items = [ProductImageRead.model_validate(r) for r in rows]
    return ProductImagePage(items=items, total=len(items))


@router.get("/products/{product_id}/images/{image_id}", response_model=None)
def download_image(
    product_id: IdPath,
    image_id: IdPath,
    _: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """The stored image, always as an attachment with its sniffed type."""
    image = service.get_image_or_raise(session, product_id=product_id, image_id=image_id)
    data = files.read(settings.upload_dir, image.file_sha256)
    return attachment(data, image.file_name, image.content_type)
