"""Console pages for product QC: product file, new product, supplier onboarding, Excel import.

The catalogue and supplier lists are in ``listings.py``.

Each form posts back with its CSRF token; a refused step is shown on the page (with the reason
the domain gave) instead of an error page, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from liveqc.accounts.service import Principal
from liveqc.api.deps import IdPath, SessionDep, SettingsDep
from liveqc.errors import LiveQCError, PermissionDenied
from liveqc.jobs import kinds as job_kinds
from liveqc.jobs import pages as job_views
from liveqc.jobs.deps import start_job
from liveqc.products import explain, files, flows, importing, listings, service
from liveqc.products.aql import DefectClass
from liveqc.products.documents import Condition, DocumentType
from liveqc.products.models import ProductCategory, ProductStatus
from liveqc.products.schemas import (
    DocumentFields,
    LotCreate,
    LotResults,
    ProductCreate,
    ProductUpdate,
    SupplierCreate,
    TestItemIn,
    TestReportCreate,
)
from liveqc.web.i18n import pick_locale, translator
from liveqc.web.views import ConsolePrincipal, check_csrf, render

router = APIRouter(include_in_schema=False)
listings.add_routes(router)
Csrf = Annotated[str, Form(max_length=128)]


def _guard(request: Request, csrf: str) -> None:
    if not check_csrf(request, csrf):
        raise PermissionDenied("the form expired; reload the page and try again")


def _attempt(
    request: Request, session: Session, back: str, action: Callable[[], Any]
) -> RedirectResponse:
    """Run ``action`` in a savepoint; on a refusal roll it back and show why on ``back``."""
    try:
        with session.begin_nested():
            action()
        request.session["flash"] = ["ok", "products.saved"]
    except ValidationError as exc:
        errors = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        request.session["flash"] = ["error", errors]
    except LiveQCError as exc:
        request.session["flash"] = ["error", f"{exc.title}: {exc.detail}"]
    return RedirectResponse(back, status_code=303)


def _page(request: Request, template: str, principal: Principal, **context: Any) -> HTMLResponse:
    flash = request.session.pop("flash", None)
    return render(
        request, f"products/{template}", principal, active="products", flash=flash, **context
    )


@router.post("/products/suppliers")
def onboard_supplier(
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    csrf: Csrf = "",
    name: Annotated[str, Form(max_length=200)] = "",
    credit_code: Annotated[str, Form(max_length=32)] = "",
    licence_valid_to: Annotated[str, Form(max_length=10)] = "",
    contact_name: Annotated[str, Form(max_length=100)] = "",
    contact_phone: Annotated[str, Form(max_length=32)] = "",
    region: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    _guard(request, csrf)

    def action() -> None:
        data = SupplierCreate.model_validate(
            dict(
                name=name,
                credit_code=credit_code.strip(),
                licence_valid_to=licence_valid_to or None,
                contact_name=contact_name,
                contact_phone=contact_phone,
                region=region,
            )
        )
        supplier = service.create_supplier(session, data=data, actor=principal.user)
        service.add_document(
            session,
            supplier_id=supplier.id,
            fields=DocumentFields.model_validate(
                dict(
                    type=DocumentType.BUSINESS_LICENSE,
                    number=supplier.credit_code,
                    valid_to=data.licence_valid_to,
                )
            ),
            actor=principal.user,
        )

    return _attempt(request, session, "/products/suppliers", action)


@router.get("/products/new")
def new_product(request: Request, principal: ConsolePrincipal, session: SessionDep) -> HTMLResponse:
    rows, _ = service.list_suppliers(session, limit=200)
    return _page(
        request,
        "new.html",
        principal,
        suppliers=rows,
        categories=list(ProductCategory),
        conditions=[c for c in Condition if c is not Condition.IMPORTED],
    )


@router.post("/products/new")
async def create_product(
    request: Request, principal: ConsolePrincipal, session: SessionDep
) -> Response:
    form = await request.form()
    _guard(request, str(form.get("csrf", "")))
    created: list[int] = []

    def action() -> None:
        values = {k: str(form.get(k, "")).strip() for k in ProductCreate.model_fields}
        data = ProductCreate.model_validate(
            dict(
                **{k: v for k, v in values.items() if v and k not in ("conditions", "is_imported")},
                conditions=[str(c) for c in form.getlist("conditions")],
                is_imported=form.get("is_imported") == "on",
            )
        )
        created.append(service.create_product(session, data=data, actor=principal.user).id)

    response = _attempt(request, session, "/products/new", action)
    if created:
        response.headers["location"] = f"/products/{created[0]}"
    return response


@router.get("/products/import")
def import_form(
    request: Request, principal: ConsolePrincipal, session: SessionDep, job: int | None = None
) -> HTMLResponse:
    """The upload form; with ``job``, that import's progress bar and, once done, its report."""
    report = request.session.pop("import_report", None)
    running = None
    if job is not None:
        running = job_views.read_mine(request, session, principal, job)
        report = running.result if running.status == "succeeded" else None
    return _page(
        request, "import.html", principal, report=report, job=running, columns=importing.COLUMNS
    )


@router.post("/products/import")
async def import_upload(
    request: Request, principal: ConsolePrincipal, session: SessionDep, settings: SettingsDep
) -> Response:
    """Store the upload and import it as a background job; the form page shows its bar."""
    form = await request.form()
    _guard(request, str(form.get("csrf", "")))
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        request.session["flash"] = ["error", "choose an .xlsx file"]
        return RedirectResponse("/products/import", status_code=303)
    params = {
        "upload": job_kinds.store(settings, _read_bytes(upload)),
        "valid_only": form.get("valid_only") == "on",
        "filename": upload.filename[:200],
    }
    started = start_job(request, session, principal, kind=job_kinds.PRODUCTS_IMPORT, params=params)
    return RedirectResponse(f"/products/import?job={started.id}", status_code=303)


def _read_bytes(upload: UploadFile) -> bytes:
    return upload.file.read(importing.MAX_IMPORT_BYTES + 1)


@router.get("/products/{product_id}")
def product_detail(
    request: Request, product_id: IdPath, principal: ConsolePrincipal, session: SessionDep
) -> HTMLResponse:
    product = service.get_product_or_raise(session, product_id)
    locale = pick_locale(request.session.get("locale"))
    t = translator(locale)
    check = explain.explain_check(service.check_product_documents(session, product), t, locale)
    history = flows.history(session, product.id)
    gaps: list[str] = []
    if product.status is ProductStatus.SAMPLE_TESTING:
        missing = flows.evidence_missing(session, product)
        gaps = explain.approval_gaps(check, evidence_missing=missing, t=t)
    return _page(
        request,
        "detail.html",
        principal,
        product=product,
        documents=service.product_documents(session, product),
        check=check,
        reports=service.list_test_reports(session, product.id),
        lots=flows.list_lots(session, product.id),
        switching=flows.switching_states(session, product.id),
        history=history,
        actors=service.user_labels(session, (e.actor_user_id for e in history)),
        actions=flows.allowed_actions(product, principal),
        gaps=gaps,
        facts=explain.explain_facts(flows.product_facts(session, product.id), t),
        images=service.list_images(session, product.id),
        document_types=list(DocumentType),
        defect_classes=list(DefectClass),
        categories=list(ProductCategory),
        conditions=[c for c in Condition if c is not Condition.IMPORTED],
        requirements_editable=product.status in service.REQUIREMENTS_EDITABLE,
    )


#: Edit-form fields sent as text; an empty optional field clears the value.
_EDIT_TEXT = ("name", "brand", "specification")
_EDIT_OPTIONAL = ("gtin", "shelf_life_days", "list_price")


@router.post("/products/{product_id}/edit")
async def edit_product(
    request: Request, product_id: IdPath, principal: ConsolePrincipal, session: SessionDep
) -> Response:
    form = await request.form()
    _guard(request, str(form.get("csrf", "")))

    def action() -> None:
        values: dict[str, Any] = {k: str(form[k]).strip() for k in _EDIT_TEXT if k in form}
        values |= {k: str(form[k]).strip() or None for k in _EDIT_OPTIONAL if k in form}
        if "category" in form:
            values["category"] = str(form["category"])
        if form.get("edit_conditions") == "1":
            values["conditions"] = [str(c) for c in form.getlist("conditions")]
            values["is_imported"] = form.get("is_imported") == "on"
        data = ProductUpdate.model_validate(values)
        service.update_product(session, product_id=product_id, data=data, actor=principal.user)

    return _attempt(request, session, f"/products/{product_id}", action)


@router.post("/products/{product_id}/documents")
async def upload_document(
    request: Request,
    product_id: IdPath,
    principal: ConsolePrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    form = await request.form()
    _guard(request, str(form.get("csrf", "")))
    upload = form.get("file")

    def action() -> None:
        fields = DocumentFields.model_validate(
            dict(
                type=str(form.get("type", "")),
                number=str(form.get("number", "")),
                issuer=str(form.get("issuer", "")),
                valid_from=str(form.get("valid_from", "")) or None,
                valid_to=str(form.get("valid_to", "")) or None,
                claims=[c.strip() for c in str(form.get("claims", "")).split(",") if c.strip()],
            )
        )
        stored = None
        if isinstance(upload, UploadFile) and upload.filename:
            stored = files.store(settings.upload_dir, _read_bytes(upload), upload.filename)
        service.add_document(
            session, fields=fields, product_id=product_id, stored=stored, actor=principal.user
        )

    return _attempt(request, session, f"/products/{product_id}", action)


def _report_items(text: str) -> list[TestItemIn]:
    """One item per line: name | limit | unit | result | method."""
    items = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split("|")] + [""] * 5
        if parts[0]:
            items.append(
                TestItemIn(
                    name=parts[0], limit=parts[1], unit=parts[2], result=parts[3], method=parts[4]
                )
            )
    return items


@router.post("/products/{product_id}/test-reports")
def add_test_report(
    request: Request,
    product_id: IdPath,
    principal: ConsolePrincipal,
    session: SessionDep,
    csrf: Csrf = "",
    report_number: Annotated[str, Form(max_length=64)] = "",
    lab: Annotated[str, Form(max_length=200)] = "",
    cma_number: Annotated[str, Form(max_length=32)] = "",
    cnas_number: Annotated[str, Form(max_length=32)] = "",
    tested_on: Annotated[str, Form(max_length=10)] = "",
    standard: Annotated[str, Form(max_length=200)] = "",
    efficacy_claims: Annotated[str, Form(max_length=500)] = "",
    items: Annotated[str, Form(max_length=50_000)] = "",
) -> Response:
    _guard(request, csrf)

    def action() -> None:
        data = TestReportCreate.model_validate(
            dict(
                report_number=report_number,
                lab=lab,
                cma_number=cma_number,
                cnas_number=cnas_number,
                tested_on=tested_on or None,
                standard=standard,
                efficacy_claims=[c.strip() for c in efficacy_claims.split(",") if c.strip()],
                items=_report_items(items),
            )
        )
        service.create_test_report(session, product_id=product_id, data=data, actor=principal.user)

    return _attempt(request, session, f"/products/{product_id}", action)


@router.post("/products/{product_id}/lots")
async def add_lot(
    request: Request, product_id: IdPath, principal: ConsolePrincipal, session: SessionDep
) -> Response:
    form = await request.form()
    _guard(request, str(form.get("csrf", "")))

    def action() -> None:
        aqls = {c.value: str(form.get(f"aql_{c.value}", "")) for c in DefectClass}
        nominal = str(form.get("nominal_quantity", "")).strip()
        data = LotCreate.model_validate(
            dict(
                lot_number=str(form.get("lot_number", "")),
                lot_size=str(form.get("lot_size", "")),
                level=str(form.get("level", "II")),
                aqls={k: v for k, v in aqls.items() if v},
                nominal_quantity=Decimal(nominal) if nominal else None,
                quantity_unit=str(form.get("quantity_unit", "")),
            )
        )
        flows.create_lot(session, product_id=product_id, data=data, actor=principal)

    return _attempt(request, session, f"/products/{product_id}", action)


@router.post("/products/lots/{lot_id}/results")
async def lot_results(
    request: Request, lot_id: IdPath, principal: ConsolePrincipal, session: SessionDep
) -> Response:
    form = await request.form()
    _guard(request, str(form.get("csrf", "")))
    lot = flows.get_lot_or_raise(session, lot_id)

    def action() -> None:
        counts = {
            c.defect_class.value: str(form.get(f"d_{c.defect_class.value}", "0"))
            for c in lot.classes
        }
        quantities = str(form.get("unit_quantities", "")).replace(",", " ").split()
        data = LotResults.model_validate(dict(nonconforming=counts, unit_quantities=quantities))
        flows.record_lot_results(session, lot_id=lot_id, data=data, actor=principal)

    return _attempt(request, session, f"/products/{lot.product_id}", action)


@router.post("/products/{product_id}/vetting/{action}")
def vetting_step(
    request: Request,
    product_id: IdPath,
    action: str,
    principal: ConsolePrincipal,
    session: SessionDep,
    csrf: Csrf = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    _guard(request, csrf)
    return _attempt(
        request,
        session,
        f"/products/{product_id}",
        lambda: flows.transition(
            session, product_id=product_id, action=action, actor=principal, reason=reason
        ),
    )
