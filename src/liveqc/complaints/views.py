"""Complaints API: public intake and tracking (no account), the staff queue, actions, export,
alerts, signals and the organisation's policy. Thin: logic lives in service/flows/signals."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, status
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

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
from liveqc.complaints import files, flows, intake, service, signals
from liveqc.complaints.classify import ComplaintCategory
from liveqc.complaints.models import Complaint, ComplaintAttachment, ComplaintStatus
from liveqc.complaints.schemas import (
    AlertPage,
    AlertRead,
    CompensationRead,
    ComplaintCreate,
    ComplaintPage,
    ComplaintRead,
    DuplicateBody,
    EscalateBody,
    PolicyRead,
    PolicyUpdate,
    PublicFiled,
    PublicLiveSession,
    PublicProduct,
    PublicProductPage,
    PublicStatus,
    Reason,
    ReclassifyBody,
    RejectBody,
    ResolveBody,
    SignalPage,
    SignalRow,
)
from liveqc.db.tenancy import bypass_tenancy
from liveqc.db.types import utcnow
from liveqc.errors import NotFound

router = APIRouter(tags=["complaints"])
Staff = Annotated[Principal, Depends(require_roles(Role.AFTER_SALES, Role.ADMIN))]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


# -- presentation ----------------------------------------------------------------------------


def present(
    session: Session, complaint: Complaint, *, principal: Principal, now: dt.datetime
) -> ComplaintRead:
    """The complaint as ``principal`` may see it (contact and order masked unless allowed)."""
    reveal = service.can_see_pii(principal, complaint)
    with bypass_tenancy(session, reason="attachments of a visible complaint", quiet=True):
        attachment_ids = list(
            session.scalars(
                select(ComplaintAttachment.id)
                .where(ComplaintAttachment.complaint_id == complaint.id)
                .order_by(ComplaintAttachment.id)
            )
        )
        compensation = flows.compensation(session, complaint)
    return ComplaintRead(
        id=complaint.id,
        organisation_id=complaint.organisation_id,
        tracking_code=complaint.tracking_code if reveal else None,
        contact_phone=complaint.contact_phone
        if reveal
        else service.mask_phone(complaint.contact_phone),
        contact_email=complaint.contact_email
        if reveal
        else service.mask_email(complaint.contact_email),
        order_number=complaint.order_number
        if reveal
        else service.mask_order(complaint.order_number),
        is_pii_masked=not reveal,
        platform=complaint.platform,
        product_id=complaint.product_id,
        live_session_id=complaint.live_session_id,
        room_reference=complaint.room_reference,
        host_name=complaint.host_name,
        batch=complaint.batch,
        purchase_date=complaint.purchase_date,
        price_paid=complaint.price_paid,
        received_at=complaint.received_at,
        description=complaint.description,
        desired_remedy=complaint.desired_remedy,
        category=complaint.category,
        category_source=complaint.category_source,
        classifier_reasons=complaint.classifier_reasons,
        claims=complaint.claims,
        is_urgent=complaint.is_urgent,
        is_safety_confirmed=complaint.is_safety_confirmed,
        status=complaint.status,
        first_response_due=complaint.first_response_due,
        resolution_due=complaint.resolution_due,
        working_days_left=service.working_days_left(complaint, now),
        is_overdue=service.is_overdue(complaint, now),
        overdue_escalated_at=complaint.overdue_escalated_at,
        remedy=complaint.remedy,
        remedy_amount=complaint.remedy_amount,
        rejection_reason=complaint.rejection_reason,
        reopen_count=complaint.reopen_count,
        escalated_to_id=complaint.escalated_to_id,
        escalated_at=complaint.escalated_at,
        duplicate_of_id=complaint.duplicate_of_id,
        attachment_ids=attachment_ids,
        compensation=[
            CompensationRead(rule=c.rule, basis=c.basis, amount=c.amount, explanation=c.explanation)
            for c in compensation
        ],
    )


@router.post(
    "/public/complaints",
    status_code=status.HTTP_201_CREATED,
    response_model=PublicFiled,
    openapi_extra=intake.INTAKE_DOC,
    tags=["public"],
)
def public_file(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    submission: Annotated[intake.Intake, Depends(intake.read_intake)],
) -> Any:
    """File a complaint without an account; returns the tracking code (an existing one for a
    repeat about the same order and problem, with status 200)."""
    filed = intake.file_complaint(request, session, settings.upload_dir, submission, utcnow())
    complaint = filed.complaint
    body = PublicFiled(
        tracking_code=complaint.tracking_code,
        status=complaint.status,
        is_duplicate=filed.is_duplicate,
        resolution_due=complaint.resolution_due,
        message="already filed: follow the existing case" if filed.is_duplicate else "filed",
    )
    code = status.HTTP_200_OK if filed.is_duplicate else status.HTTP_201_CREATED
    return JSONResponse(body.model_dump(mode="json"), status_code=code)


@router.get("/public/complaints/{tracking_code}", response_model=PublicStatus, tags=["public"])
def public_track(tracking_code: str, session: SessionDep) -> PublicStatus:
    """Status and public history of a complaint, by tracking code."""
    if len(tracking_code) > 40:
        raise NotFound("no complaint has this tracking code")
    return intake.public_status(session, intake.get_by_tracking_code(session, tracking_code))


@router.post(
    "/public/complaints/{tracking_code}/dispute", response_model=PublicStatus, tags=["public"]
)
def public_dispute(
    tracking_code: str, body: RejectBody, request: Request, session: SessionDep
) -> PublicStatus:
    """The consumer disputes the outcome: the case reopens."""
    intake.check_address(request)
    complaint = intake.get_by_tracking_code(session, tracking_code[:40])
    with bypass_tenancy(session, reason="public complaint dispute"):
        flows.reopen(session, complaint, actor=None, reason=body.reason)
    return intake.public_status(session, complaint)


@router.get("/public/products", response_model=PublicProductPage, tags=["public"])
def public_products(
    session: SessionDep, q: Annotated[str, Query(min_length=1, max_length=100)]
) -> PublicProductPage:
    """Search products on sale by name, brand or agency (only what is safe to show)."""
    items = [PublicProduct(**row) for row in intake.search_public_products(session, q=q)]  # type: ignore[arg-type]
    agency_ids = sorted({item.agency_id for item in items})
    sessions = [
        PublicLiveSession(**row)  # type: ignore[arg-type]
        for row in intake.search_public_sessions(session, q=q, agency_ids=agency_ids)
    ]
    return PublicProductPage(items=items, total=len(items), sessions=sessions)


# -- staff -----------------------------------------------------------------------------------


@router.get("/public/products/{product_id}", response_model=PublicProduct, tags=["public"])
def public_product(product_id: IdPath, session: SessionDep) -> PublicProduct:
    """One product on sale, with only what is safe to show."""
    found = intake.search_public_products(session, product_id=product_id)
    if not found:
        raise NotFound(f"product {product_id} does not exist")
    return PublicProduct(**found[0])  # type: ignore[arg-type]


@router.get("/complaints", response_model=ComplaintPage)
def list_complaints(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    status: Annotated[ComplaintStatus | None, Query()] = None,
    category: Annotated[ComplaintCategory | None, Query()] = None,
    product_id: Annotated[int | None, Query(gt=0, le=MAX_ID)] = None,
) -> ComplaintPage:
    """The organisation's complaints (for a regulator or association: those escalated to it)."""
    if service.is_escalation_target(principal):
        rows, total = service.list_escalated(
            session, principal=principal, limit=page.limit, offset=page.offset
        )
    else:
        rows, total = service.list_(
            session,
            limit=page.limit,
            offset=page.offset,
            status=status,
            category=category,
            product_id=product_id,
        )
    now = utcnow()
    return ComplaintPage(
        items=[present(session, row, principal=principal, now=now) for row in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/complaints", status_code=status.HTTP_201_CREATED, response_model=ComplaintRead)
def create_complaint(body: ComplaintCreate, principal: Staff, session: SessionDep) -> ComplaintRead:
    """Staff record a complaint received by phone or in person."""
    now = utcnow()
    complaint = service.create(
        session, data=body, organisation_id=principal.organisation.id, actor=principal.user, now=now
    )
    signals.after_new_complaint(session, complaint, now=now)
    return present(session, complaint, principal=principal, now=now)


@router.get("/complaints/queue", response_model=ComplaintPage)
def complaint_queue(principal: Staff, session: SessionDep, page: PageDep) -> ComplaintPage:
    """Open complaints by urgency and time left."""
    rows, total = service.queue(session, limit=page.limit, offset=page.offset)
    now = utcnow()
    return ComplaintPage(
        items=[present(session, row, principal=principal, now=now) for row in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/complaints/queue/{complaint_id}", response_model=ComplaintRead)
def queue_item(complaint_id: IdPath, principal: Staff, session: SessionDep) -> ComplaintRead:
    """One complaint of the queue (the same row as ``/complaints/{id}``)."""
    complaint = service.get_or_raise(session, complaint_id)
    return present(session, complaint, principal=principal, now=utcnow())


@router.get("/complaints/export", response_class=Response)
def export_complaints(
    principal: CurrentPrincipal,
    session: SessionDep,
    format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "csv",
) -> Response:
    """CSV or XLSX of the organisation's complaints; personal data masked unless the role allows."""
    if service.is_escalation_target(principal):
        rows, _ = service.list_escalated(session, principal=principal, limit=10_000)
    else:
        rows, _ = service.list_(session, limit=10_000)
    now = utcnow()
    table = files.export_rows(
        rows, lambda c: present(session, c, principal=principal, now=now).model_dump()
    )
    if format == "xlsx":
        content, media = (
            files.to_xlsx(table),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    else:
        content, media = files.to_csv(table), "text/csv; charset=utf-8"
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="complaints.{format}"'},
    )


@router.get("/complaints/alerts", response_model=AlertPage)
def list_alerts(_: CurrentPrincipal, session: SessionDep, page: PageDep) -> AlertPage:
    rows, total = signals.list_alerts(session, limit=page.limit, offset=page.offset)
    return AlertPage(items=[AlertRead.model_validate(row) for row in rows], total=total)


@router.get("/complaints/alerts/{alert_id}", response_model=AlertRead)
def get_alert(alert_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> AlertRead:
    return AlertRead.model_validate(signals.get_alert_or_raise(session, alert_id))


def _signal_rows(session: Session, principal: Principal) -> list[SignalRow]:
    found = signals.signals(session, now=utcnow(), organisation_id=principal.organisation.id)
    return [SignalRow(id=f"{s.dimension}-{s.window_days}d-{s.key}", **vars(s)) for s in found]


@router.get("/complaints/signals", response_model=SignalPage)
def list_signals(principal: CurrentPrincipal, session: SessionDep) -> SignalPage:
    """Complaint counts and rates per product, host and live session (7 and 30 days)."""
    rows = _signal_rows(session, principal)
    threshold = service.policy_for(session, principal.organisation.id).revetting_threshold
    return SignalPage(items=rows, total=len(rows), threshold=threshold)


@router.get("/complaints/signals/{signal_id}", response_model=SignalRow)
def get_signal(
    signal_id: Annotated[str, Path(max_length=300)],
    principal: CurrentPrincipal,
    session: SessionDep,
) -> SignalRow:
    for row in _signal_rows(session, principal):
        if row.id == signal_id:
            return row
    raise NotFound(f"signal {signal_id!r} does not exist")


@router.get("/complaint-policy", response_model=PolicyRead)
def get_policy(principal: CurrentPrincipal, session: SessionDep) -> PolicyRead:
    return PolicyRead.model_validate(service.policy_for(session, principal.organisation.id))


@router.put("/complaint-policy", response_model=PolicyRead)
def put_policy(body: PolicyUpdate, principal: Admin, session: SessionDep) -> PolicyRead:
    return PolicyRead.model_validate(
        service.update_policy(session, data=body, actor=principal.user)
    )


def load_visible(
    complaint_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> Complaint:
    return service.visible_or_raise(session, principal=principal, complaint_id=complaint_id)


def load_own(complaint_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> Complaint:
    return service.get_or_raise(session, complaint_id)


Visible = Annotated[Complaint, Depends(load_visible)]
Own = Annotated[Complaint, Depends(load_own)]


@router.get("/complaints/{complaint_id}", response_model=ComplaintRead)
def get_complaint(
    complaint: Visible, principal: CurrentPrincipal, session: SessionDep
) -> ComplaintRead:
    return present(session, complaint, principal=principal, now=utcnow())


@router.get("/complaints/{complaint_id}/attachments/{attachment_id}", response_class=Response)
def get_attachment(
    complaint: Visible, attachment_id: IdPath, session: SessionDep, settings: SettingsDep
) -> Response:
    """A photo, always as a download with its sniffed image type."""
    with bypass_tenancy(session, reason="photo of a visible complaint", quiet=True):
        row = session.scalars(
            select(ComplaintAttachment).where(
                ComplaintAttachment.id == attachment_id,
                ComplaintAttachment.complaint_id == complaint.id,
            )
        ).first()
    if row is None:
        raise NotFound(f"attachment {attachment_id} does not exist")
    content_type = (
        row.content_type if row.content_type in files.PHOTO_TYPES else "application/octet-stream"
    )
    return Response(
        files.read_photo(settings.upload_dir, row),
        media_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="complaint-{complaint.id}-{row.id}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


def _done(session: Session, complaint: Complaint, principal: Principal) -> ComplaintRead:
    return present(session, complaint, principal=principal, now=utcnow())


@router.post("/complaints/{complaint_id}/acknowledge", response_model=ComplaintRead)
def acknowledge(complaint: Own, principal: Staff, session: SessionDep) -> ComplaintRead:
    return _done(session, flows.acknowledge(session, complaint, actor=principal), principal)


@router.post("/complaints/{complaint_id}/investigate", response_model=ComplaintRead)
def investigate(complaint: Own, principal: Staff, session: SessionDep) -> ComplaintRead:
    return _done(session, flows.investigate(session, complaint, actor=principal), principal)


@router.post("/complaints/{complaint_id}/resolve", response_model=ComplaintRead)
def resolve(
    complaint: Own, body: ResolveBody, principal: Staff, session: SessionDep
) -> ComplaintRead:
    flows.resolve(
        session, complaint, actor=principal, remedy=body.remedy, amount=body.amount, note=body.note
    )
    return _done(session, complaint, principal)


@router.post("/complaints/{complaint_id}/reject", response_model=ComplaintRead)
def reject(
    complaint: Own, body: RejectBody, principal: Staff, session: SessionDep
) -> ComplaintRead:
    return _done(
        session, flows.reject(session, complaint, actor=principal, reason=body.reason), principal
    )


@router.post("/complaints/{complaint_id}/close", response_model=ComplaintRead)
def close(complaint: Own, principal: Staff, session: SessionDep) -> ComplaintRead:
    return _done(session, flows.close(session, complaint, actor=principal), principal)


@router.post("/complaints/{complaint_id}/reopen", response_model=ComplaintRead)
def reopen(
    complaint: Own, body: RejectBody, principal: Staff, session: SessionDep
) -> ComplaintRead:
    return _done(
        session, flows.reopen(session, complaint, actor=principal, reason=body.reason), principal
    )


@router.post("/complaints/{complaint_id}/escalate", response_model=ComplaintRead)
def escalate(
    complaint: Own, body: EscalateBody, principal: Staff, session: SessionDep
) -> ComplaintRead:
    flows.escalate(
        session,
        complaint,
        actor=principal,
        organisation_id=body.organisation_id,
        reason=body.reason,
    )
    return _done(session, complaint, principal)


@router.post("/complaints/{complaint_id}/reclassify", response_model=ComplaintRead)
def reclassify(
    complaint: Own, body: ReclassifyBody, principal: Staff, session: SessionDep
) -> ComplaintRead:
    flows.reclassify(
        session, complaint, actor=principal, category=body.category, reason=body.reason
    )
    return _done(session, complaint, principal)


@router.post("/complaints/{complaint_id}/confirm-safety", response_model=ComplaintRead)
def confirm_safety(
    complaint: Own, principal: Staff, session: SessionDep, _: Reason | None = None
) -> ComplaintRead:
    return _done(
        session, flows.confirm_safety_incident(session, complaint, actor=principal), principal
    )


@router.post("/complaints/{complaint_id}/mark-duplicate", response_model=ComplaintRead)
def mark_duplicate(
    complaint: Own, body: DuplicateBody, principal: Staff, session: SessionDep
) -> ComplaintRead:
    flows.mark_duplicate(session, complaint, actor=principal, duplicate_of_id=body.duplicate_of_id)
    return _done(session, complaint, principal)
