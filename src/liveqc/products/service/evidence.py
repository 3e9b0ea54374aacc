"""Qualification documents and test reports: the evidence a product is vetted on.

Same rules as ``catalogue``: session first, never commits, tenancy from the session.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from liveqc.errors import NotFound, ValidationFailed
from liveqc.events.service import record
from liveqc.products import documents as docs
from liveqc.products import test_reports
from liveqc.products.files import StoredFile
from liveqc.products.models import (
    Brand,
    Product,
    QualificationDocument,
    Supplier,
    TestReport,
    TestReportItem,
)
from liveqc.products.schemas import DocumentFields, TestReportCreate
from liveqc.products.service.catalogue import (
    authorization_chain,
    get_product_or_raise,
    get_supplier_or_raise,
    today_in_china,
)

# --- qualification documents --------------------------------------------------------------


def add_document(
    session: Session,
    *,
    fields: DocumentFields,
    product_id: int | None = None,
    supplier_id: int | None = None,
    stored: StoredFile | None = None,
    actor: object = None,
    today: date | None = None,
) -> QualificationDocument:
    """File a document for a product (or a supplier's own licence); the number is checked."""
    if (product_id is None) == (supplier_id is None):
        raise ValidationFailed("give exactly one of product_id and supplier_id")
    owner: Product | Supplier = (
        get_product_or_raise(session, product_id)
        if product_id is not None
        else get_supplier_or_raise(session, supplier_id or 0)
    )
    number = fields.number.strip()
    if number or fields.type not in docs.NUMBER_OPTIONAL:
        number = fields.type.parse_number(number, today=today or today_in_china()).require("number")
    if fields.valid_from and fields.valid_to and fields.valid_to < fields.valid_from:
        raise ValidationFailed("valid_to: before valid_from", field="valid_to")
    document = QualificationDocument(
        product_id=product_id,
        supplier_id=supplier_id,
        type=fields.type,
        number=number,
        issuer=fields.issuer,
        valid_from=fields.valid_from,
        valid_to=fields.valid_to,
        claims=list(fields.claims),
    )
    if stored is not None:
        document.file_sha256 = stored.sha256
        document.file_name = stored.name
        document.content_type = stored.content_type
        document.file_size = stored.size
    session.add(document)
    session.flush()
    after = {**fields.model_dump(), "number": number, "sha256": document.file_sha256}
    record(session, actor, owner.organisation_id, document, "create", None, after)
    return document


def get_document_or_raise(session: Session, document_id: int) -> QualificationDocument:
    query = select(QualificationDocument).where(QualificationDocument.id == document_id)
    document = session.scalars(query).first()
    if document is None:
        raise NotFound(f"document {document_id} does not exist")
    return document


def product_documents(session: Session, product: Product) -> list[QualificationDocument]:
    """The product's documents and its supplier's own (business licence, food licence, ...)."""
    query = select(QualificationDocument).where(
        or_(
            QualificationDocument.product_id == product.id,
            (QualificationDocument.supplier_id == product.supplier_id)
            & QualificationDocument.product_id.is_(None),
        )
    )
    return list(session.scalars(query.order_by(QualificationDocument.id)))


def product_conditions(session: Session, product: Product) -> set[str]:
    """The requirements-matrix conditions of a product (stored ones plus derived ones)."""
    conditions = set(product.conditions or [])
    if product.is_imported:
        conditions.add(docs.Condition.IMPORTED.value)
    if product.brand_id is not None:
        brand = session.get(Brand, product.brand_id)
        if brand is not None and brand.owner_name.strip() != product.supplier.name.strip():
            conditions.add(docs.Condition.NOT_BRAND_OWNER.value)
    return conditions


def check_product_documents(
    session: Session, product: Product, *, today: date | None = None
) -> docs.DocumentCheck:
    """Run the requirements check on a product's file; a recorded authorisation chain counts
    as a brand authorisation valid until its earliest-ending link."""
    records = [
        docs.DocumentRecord(d.type, d.number, d.valid_from, d.valid_to, d.issuer)
        for d in product_documents(session, product)
    ]
    if product.brand_id is not None:
        chain = authorization_chain(
            session, brand_id=product.brand_id, supplier_id=product.supplier_id
        )
        if chain:
            ends = [link.valid_to for link in chain if link.valid_to is not None]
            start = max(link.valid_from for link in chain)
            records.append(
                docs.DocumentRecord(
                    docs.DocumentType.BRAND_AUTHORIZATION, "", start, min(ends) if ends else None
                )
            )
    conditions = product_conditions(session, product)
    return docs.check_documents(product.category, conditions, records, today or today_in_china())


# --- test reports -------------------------------------------------------------------------


def create_test_report(
    session: Session, *, product_id: int, data: TestReportCreate, actor: object
) -> TestReport:
    """File a test report; each item's verdict and the overall verdict are computed."""
    product = get_product_or_raise(session, product_id)
    items = [test_reports.TestItem(**item.model_dump()) for item in data.items]
    judged = test_reports.evaluate(items, cma_number=data.cma_number, cnas_number=data.cnas_number)
    report = TestReport(
        product_id=product.id,
        **data.model_dump(exclude={"items"}),
        verdict=judged.verdict,
        reasons=list(judged.reasons),
    )
    report.items = [
        TestReportItem(
            position=i,
            name=j.item.name,
            method=j.item.method,
            limit=j.item.limit,
            unit=j.item.unit,
            result=j.item.result,
            verdict=j.verdict,
            reason=j.reason,
            organisation_id=product.organisation_id,
        )
        for i, j in enumerate(judged.items, start=1)
    ]
    session.add(report)
    session.flush()
    after = {"report_number": report.report_number, "lab": report.lab, "verdict": report.verdict}
    record(session, actor, product.organisation_id, report, "create", None, after)
    return report


def list_test_reports(session: Session, product_id: int) -> list[TestReport]:
    query = select(TestReport).where(TestReport.product_id == product_id)
    return list(session.scalars(query.order_by(TestReport.id)))


def get_test_report_or_raise(session: Session, report_id: int) -> TestReport:
    report = session.scalars(select(TestReport).where(TestReport.id == report_id)).first()
    if report is None:
        raise NotFound(f"test report {report_id} does not exist")
    return report
