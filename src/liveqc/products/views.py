"""Product quality-control API (thin: tenancy comes from the session, errors from the handlers)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile, status
from fastapi.responses import Response

from liveqc.accounts.models import Role
from liveqc.accounts.service import Principal
from liveqc.api.deps import (
    MAX_ID,
    CurrentPrincipal,
    IdPath,
    PageDep,
    SessionDep,
    SettingsDep,
    require_roles,
)
from liveqc.errors import NotFound
from liveqc.products import explain, files, flows, importing, service
from liveqc.products.models import ProductCategory, ProductStatus
from liveqc.products.schemas import (
    AuthorizationCreate,
    AuthorizationPage,
    AuthorizationRead,
    BrandCreate,
    BrandPage,
    BrandRead,
    DocumentCheckRead,
    DocumentFields,
    DocumentPage,
    DocumentRead,
    LotCreate,
    LotPage,
    LotRead,
    LotResults,
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
    TestReportCreate,
    TestReportPage,
    TestReportRead,
    VettingAction,
    VettingEventRead,
    VettingPage,
)

router = APIRouter(tags=["products"])
Editor = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.QC_REVIEWER))]
Upload = Annotated[UploadFile | None, File(description="PDF, PNG, JPEG or WebP (≤ 10 MiB)")]


def _read_upload(upload: UploadFile | None, settings: Any) -> files.StoredFile | None:
    if upload is None:
        return None
    data = upload.file.read(files.MAX_UPLOAD_BYTES + 1)
    return files.store(settings.upload_dir, data, upload.filename or "")


def _attachment(data: bytes, name: str, content_type: str) -> Response:
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return Response(
        data,
        media_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


def check_to_dict(check: Any) -> dict[str, Any]:
    """The document check as plain data (for the API and the console)."""

    def issue(kind: str, i: Any) -> dict[str, Any]:
        return {
            "code": explain.issue_code(kind, i),
            "type": i.type.value,
            "number": i.number,
            "reason": i.reason,
            "valid_to": i.valid_to,
            "days_left": i.days_left,
            "superseded": i.superseded,
        }

    return {
        "ok": check.ok,
        "category": check.category.value,
        "conditions": sorted(c.value for c in check.conditions),
        "today": check.today,
        "missing": [
            {
                "requirement": m.requirement,
                "document_types": [t.value for t in m.document_types],
                "reason": m.reason,
                "basis": m.basis,
            }
            for m in check.missing
        ],
        "expired": [issue("expired", i) for i in check.expired],
        "expiring": [issue("expiring", i) for i in check.expiring],
        "invalid": [issue("invalid", i) for i in check.invalid],
        "blocked": [{"rule": b.rule, "reason": b.reason, "basis": b.basis} for b in check.blocked],
    }


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
    stored = _read_upload(file, settings)
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


@router.get("/products/export", response_model=None)
def export_products(
    _: CurrentPrincipal,
    session: SessionDep,
    format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx",
) -> Response:
    """The catalogue with each product's status, as .xlsx or CSV (UTF-8 with BOM)."""
    if format == "csv":
        body = ("\ufeff" + importing.export_csv(session)).encode("utf-8")
        return _attachment(body, "products.csv", "text/csv; charset=utf-8")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _attachment(importing.export_xlsx(session), "products.xlsx", xlsx)


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
    return _attachment(data, image.file_name, image.content_type)


# --- documents ----------------------------------------------------------------------------


@router.get("/products/{product_id}/documents", response_model=DocumentPage)
def list_documents(product_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> DocumentPage:
    product = service.get_product_or_raise(session, product_id)
    rows = service.product_documents(session, product)
    return DocumentPage(items=[DocumentRead.model_validate(r) for r in rows], total=len(rows))


@router.post(
    "/products/{product_id}/documents",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentRead,
)
def add_document(
    product_id: IdPath,
    fields: Annotated[DocumentFields, Form()],
    principal: Editor,
    session: SessionDep,
    settings: SettingsDep,
    file: Upload = None,
) -> DocumentRead:
    stored = _read_upload(file, settings)
    document = service.add_document(
        session, fields=fields, product_id=product_id, stored=stored, actor=principal.user
    )
    return DocumentRead.model_validate(document)


@router.get("/documents/{document_id}", response_model=DocumentRead)
def get_document(document_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> DocumentRead:
    return DocumentRead.model_validate(service.get_document_or_raise(session, document_id))


@router.get("/documents/{document_id}/file", response_model=None)
def download_document(
    document_id: IdPath, _: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> Response:
    """The stored file, always as an attachment with its sniffed type."""
    document = service.get_document_or_raise(session, document_id)
    if not document.file_sha256:
        raise NotFound(f"document {document_id} has no file")
    data = files.read(settings.upload_dir, document.file_sha256)
    return _attachment(data, document.file_name, document.content_type)


@router.get("/products/{product_id}/document-check", response_model=DocumentCheckRead)
def document_check(
    product_id: IdPath,
    _: CurrentPrincipal,
    session: SessionDep,
    today: Annotated[date | None, Query(description="Check as of this day")] = None,
) -> dict[str, Any]:
    product = service.get_product_or_raise(session, product_id)
    return check_to_dict(service.check_product_documents(session, product, today=today))


# --- test reports and inspection lots -----------------------------------------------------


@router.get("/products/{product_id}/test-reports", response_model=TestReportPage)
def list_test_reports(
    product_id: IdPath, _: CurrentPrincipal, session: SessionDep
) -> TestReportPage:
    service.get_product_or_raise(session, product_id)
    rows = service.list_test_reports(session, product_id)
    return TestReportPage(items=[TestReportRead.model_validate(r) for r in rows], total=len(rows))


@router.post(
    "/products/{product_id}/test-reports",
    status_code=status.HTTP_201_CREATED,
    response_model=TestReportRead,
)
def create_test_report(
    product_id: IdPath, body: TestReportCreate, principal: Editor, session: SessionDep
) -> TestReportRead:
    report = service.create_test_report(
        session, product_id=product_id, data=body, actor=principal.user
    )
    return TestReportRead.model_validate(report)


@router.get("/test-reports/{report_id}", response_model=TestReportRead)
def get_test_report(report_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> TestReportRead:
    return TestReportRead.model_validate(service.get_test_report_or_raise(session, report_id))


@router.get("/products/{product_id}/inspection-lots", response_model=LotPage)
def list_lots(product_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> LotPage:
    service.get_product_or_raise(session, product_id)
    rows = flows.list_lots(session, product_id)
    return LotPage(items=[LotRead.model_validate(r) for r in rows], total=len(rows))


@router.post(
    "/products/{product_id}/inspection-lots",
    status_code=status.HTTP_201_CREATED,
    response_model=LotRead,
)
def create_lot(
    product_id: IdPath, body: LotCreate, principal: Editor, session: SessionDep
) -> LotRead:
    """Register a lot; the AQL plan per class follows the current switching severity."""
    lot = flows.create_lot(session, product_id=product_id, data=body, actor=principal)
    return LotRead.model_validate(lot)


@router.get("/inspection-lots/{lot_id}", response_model=LotRead)
def get_lot(lot_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> LotRead:
    return LotRead.model_validate(flows.get_lot_or_raise(session, lot_id))


@router.post("/inspection-lots/{lot_id}/results", response_model=LotRead)
def record_lot_results(
    lot_id: IdPath, body: LotResults, principal: Editor, session: SessionDep
) -> LotRead:
    lot = flows.record_lot_results(session, lot_id=lot_id, data=body, actor=principal)
    return LotRead.model_validate(lot)


@router.get("/products/{product_id}/switching")
def switching(product_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """GB/T 2828.1 switching state per defect class for the product and its supplier."""
    states = flows.switching_states(session, product_id)
    return {
        cls: {
            "state": s.state.value,
            "severity": s.severity.value if s.severity else None,
            "lots": s.lots,
            "switching_score": s.switching_score,
            "reason": s.reason,
        }
        for cls, s in states.items()
    }


# --- vetting and facts --------------------------------------------------------------------


@router.get("/products/{product_id}/vetting-events", response_model=VettingPage)
def vetting_events(product_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> VettingPage:
    rows = flows.history(session, product_id)
    return VettingPage(items=[VettingEventRead.model_validate(r) for r in rows], total=len(rows))


@router.get("/products/{product_id}/facts")
def facts(product_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """The product's facts in the compliance contract's shape."""
    return flows.product_facts(session, product_id)


def _vetting_route(action: str) -> Any:
    def run(
        product_id: IdPath,
        principal: CurrentPrincipal,
        session: SessionDep,
        body: VettingAction | None = None,
    ) -> ProductRead:
        reason = body.reason if body is not None else ""
        product = flows.transition(
            session, product_id=product_id, action=action, actor=principal, reason=reason
        )
        return ProductRead.model_validate(product)

    run.__name__ = f"vetting_{action}"
    run.__doc__ = f"Vetting step `{action}` (see the transition table in docs/products.md)."
    return run


for _action in flows.ACTIONS:
    router.add_api_route(
        f"/products/{{product_id}}/{_action.replace('_', '-')}",
        _vetting_route(_action),
        methods=["POST"],
        response_model=ProductRead,
    )
