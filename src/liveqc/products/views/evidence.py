"""A product's evidence: qualification documents and their check, test reports, inspection lots
and the GB/T 2828.1 switching state."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, status
from fastapi.responses import Response

from liveqc.api.deps import CurrentPrincipal, IdPath, SessionDep, SettingsDep
from liveqc.errors import NotFound
from liveqc.products import explain, files, flows, service
from liveqc.products.schemas import (
    DocumentCheckRead,
    DocumentFields,
    DocumentPage,
    DocumentRead,
    LotCreate,
    LotPage,
    LotRead,
    LotResults,
    TestReportCreate,
    TestReportPage,
    TestReportRead,
)
from liveqc.products.views.deps import Editor, Upload, attachment, read_upload

router = APIRouter(tags=["products"])


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
    stored = read_upload(file, settings)
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
    return attachment(data, document.file_name, document.content_type)


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
