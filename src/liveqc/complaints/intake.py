"""Public intake and tracking: what a consumer without an account can do.

Filing (JSON or multipart with photos), rate limits per client address and per contact,
duplicate linking, the status page's view of a case, and the public product search. A consumer
has no organisation, so each step opens an explicit, logged tenancy bypass naming why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from liveqc.accounts.models import Organisation, OrganisationKind
from liveqc.accounts.security import SlidingWindowLimiter
from liveqc.complaints import files, service, triage
from liveqc.complaints.models import Complaint
from liveqc.complaints.schemas import ComplaintCreate, PublicStatus
from liveqc.db.tenancy import bypass_tenancy
from liveqc.errors import NotFound, RateLimited, ValidationFailed
from liveqc.events.service import record
from liveqc.products.models import Product, ProductStatus

#: Public intake limits (sliding windows, per process).
INTAKE_WINDOW_SECONDS = 3600
INTAKE_PER_ADDRESS = 20
INTAKE_PER_CONTACT = 5


# -- filing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filed:
    complaint: Complaint
    is_duplicate: bool


def file_public(session: Session, *, data: ComplaintCreate, now: dt.datetime) -> Filed:
    """A consumer's complaint, without an account, into the chosen agency's organisation.

    A complaint on the same order about the same kind of problem is not stored twice: the
    consumer is pointed at the existing case, and the repeat is noted on its history.
    """
    with bypass_tenancy(session, reason="public complaint intake"):
        organisation_id = _public_target(session, data)
        if data.live_session_id is not None:
            service.check_live_session(session, organisation_id, data.live_session_id)
        category = triage.triage(
            session,
            organisation_id=organisation_id,
            text=data.description,
            product_id=data.product_id,
        )[0]
        existing = service.find_duplicate(
            session,
            organisation_id=organisation_id,
            order_number=data.order_number,
            category=category,
        )
        if existing is not None:
            record(
                session,
                None,
                organisation_id,
                existing,
                "duplicate_submission",
                None,
                {"status": existing.status, "category": category},
            )
            return Filed(existing, True)
        complaint = service.create(
            session,
            data=data,
            organisation_id=organisation_id,
            actor=None,
            now=now,
            channel="public",
        )
        from liveqc.complaints import signals

        signals.after_new_complaint(session, complaint, now=now)
        return Filed(complaint, False)


def _public_target(session: Session, data: ComplaintCreate) -> int:
    """The agency a public complaint goes to (the product's owner, or the named agency)."""
    if data.product_id is not None:
        product = session.get(Product, data.product_id)
        if product is None or product.status is ProductStatus.DRAFT:
            raise ValidationFailed(f"product_id {data.product_id} is not a product on sale")
        if data.organisation_id is not None and data.organisation_id != product.organisation_id:
            raise ValidationFailed("product_id does not belong to the chosen organisation_id")
        return product.organisation_id
    if data.organisation_id is None:
        raise ValidationFailed("organisation_id: choose the agency or a product")
    org = session.get(Organisation, data.organisation_id)
    if org is None or org.kind is not OrganisationKind.AGENCY:
        raise ValidationFailed(f"organisation_id {data.organisation_id} is not an agency")
    return org.id


def get_by_tracking_code(session: Session, code: str) -> Complaint:
    """The complaint with this tracking code, in any organisation (public tracking)."""
    normalised = service.normalise_tracking_code(code)
    with bypass_tenancy(session, reason="public complaint tracking"):
        row = session.scalars(
            select(Complaint).where(Complaint.tracking_code == normalised)
        ).first()
    if row is None:
        raise NotFound("no complaint has this tracking code")
    return row


#: Audit actions a consumer sees on the status page (no staff notes, no PII).
PUBLIC_ACTIONS = {
    "create",
    "duplicate_submission",
    "acknowledge",
    "investigate",
    "resolve",
    "reject",
    "close",
    "reopen",
    "escalate",
}


def public_history(session: Session, complaint: Complaint) -> list[dict[str, object]]:
    """(when, what, status after) for the consumer's status page."""
    out = []
    for event in service.history(session, complaint):
        if event.action not in PUBLIC_ACTIONS:
            continue
        status = (event.after or {}).get("status")
        at = complaint.received_at if event.action == "create" else event.at
        out.append({"at": at, "action": event.action, "status": status})
    return out


def search_public_products(
    session: Session, *, q: str = "", product_id: int | None = None, limit: int = 20
) -> list[dict[str, object]]:
    """Products on sale (not drafts) in any agency, by text ``q`` or by id: only id, name,
    brand and the agency."""
    needle = q.strip()
    if not needle and product_id is None:
        return []
    query = (
        select(Product.id, Product.name, Product.brand, Organisation.id, Organisation.name)
        .join(Organisation, Organisation.id == Product.organisation_id)
        .where(Product.status != ProductStatus.DRAFT, Organisation.kind == OrganisationKind.AGENCY)
    )
    if product_id is not None:
        query = query.where(Product.id == product_id)
    if needle:
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                Product.name.ilike(pattern, escape="\\"),
                Product.brand.ilike(pattern, escape="\\"),
                Organisation.name.ilike(pattern, escape="\\"),
            )
        )
    with bypass_tenancy(session, reason="public product search for complaints", quiet=True):
        rows = session.execute(query.order_by(Product.name, Product.id).limit(limit)).all()
    return [
        {"id": pid, "name": name, "brand": brand, "agency_id": oid, "agency_name": oname}
        for pid, name, brand, oid, oname in rows
    ]


def search_public_sessions(
    session: Session, *, q: str = "", agency_ids: list[int] | None = None, limit: int = 20
) -> list[dict[str, object]]:
    """Live sessions a consumer may have bought in: those of the agencies ``agency_ids`` and
    those whose room or title matches ``q``; only id, room, title, date and the agency."""
    from liveqc.live_sessions.models import LiveSession

    needle = q.strip()
    conditions = []
    if agency_ids:
        conditions.append(LiveSession.organisation_id.in_(agency_ids))
    if needle:
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(LiveSession.room.ilike(pattern, escape="\\"))
        conditions.append(LiveSession.title.ilike(pattern, escape="\\"))
    if not conditions:
        return []
    query = (
        select(
            LiveSession.id,
            LiveSession.room,
            LiveSession.title,
            LiveSession.scheduled_at,
            LiveSession.started_at,
            Organisation.id,
            Organisation.name,
        )
        .join(Organisation, Organisation.id == LiveSession.organisation_id)
        .where(Organisation.kind == OrganisationKind.AGENCY, or_(*conditions))
        .order_by(LiveSession.scheduled_at.desc(), LiveSession.id.desc())
        .limit(limit)
    )
    with bypass_tenancy(session, reason="public live session search for complaints", quiet=True):
        rows = session.execute(query).all()
    return [
        {
            "id": sid,
            "room": room,
            "title": title,
            "date": service.local_date(started or scheduled),
            "agency_id": oid,
            "agency_name": oname,
        }
        for sid, room, title, scheduled, started, oid, oname in rows
    ]


def agencies(session: Session) -> list[Organisation]:
    """Agencies a consumer may complain to (organisations are not tenant rows)."""
    return list(
        session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.AGENCY)
            .order_by(Organisation.name)
        )
    )


# -- HTTP helpers (shared by the API and the console form) ------------------------------


def public_status(session: Session, complaint: Complaint) -> PublicStatus:
    """The consumer's view of the case: no contact details, no staff notes."""
    with bypass_tenancy(session, reason="public complaint status", quiet=True):
        agency = session.get(Organisation, complaint.organisation_id)
        product = session.get(Product, complaint.product_id) if complaint.product_id else None
        history = public_history(session, complaint)
    return PublicStatus(
        tracking_code=complaint.tracking_code,
        agency_name=agency.name if agency else "",
        product_name=product.name if product else None,
        category=complaint.category,
        status=complaint.status,
        received_at=complaint.received_at,
        first_response_due=complaint.first_response_due,
        resolution_due=complaint.resolution_due,
        remedy=complaint.remedy,
        remedy_amount=complaint.remedy_amount,
        rejection_reason=complaint.rejection_reason,
        is_escalated=complaint.escalated_to_id is not None,
        history=history,  # type: ignore[arg-type]
    )


@dataclass
class Upload:
    filename: str
    data: bytes


@dataclass
class Intake:
    fields: dict[str, Any]
    photos: list[Upload] = field(default_factory=list)


def intake_limiter(request: Request) -> tuple[SlidingWindowLimiter, SlidingWindowLimiter]:
    state = request.app.state
    if not hasattr(state, "complaint_intake_limits"):
        state.complaint_intake_limits = (
            SlidingWindowLimiter(INTAKE_PER_ADDRESS, INTAKE_WINDOW_SECONDS),
            SlidingWindowLimiter(INTAKE_PER_CONTACT, INTAKE_WINDOW_SECONDS),
        )
    limits: tuple[SlidingWindowLimiter, SlidingWindowLimiter] = state.complaint_intake_limits
    return limits


def check_address(request: Request) -> None:
    by_address, _ = intake_limiter(request)
    address = request.client.host if request.client else "unknown"
    wait = by_address.retry_after(address)
    if wait > 0:
        raise RateLimited("too many complaints from this address; try later", retry_after=wait)
    by_address.hit(address)


def check_contact(request: Request, data: ComplaintCreate) -> None:
    _, by_contact = intake_limiter(request)
    key = data.contact_phone or data.contact_email
    wait = by_contact.retry_after(key)
    if wait > 0:
        raise RateLimited("too many complaints from this contact; try later", retry_after=wait)
    by_contact.hit(key)


def parse_intake(fields: dict[str, Any]) -> ComplaintCreate:
    """Validate intake fields; errors become a 422 naming each field."""
    cleaned = {key: (None if value == "" else value) for key, value in fields.items()}
    for key in (
        "room_reference",
        "host_name",
        "batch",
        "contact_phone",
        "contact_email",
        "order_number",
        "platform",
    ):
        if cleaned.get(key) is None and key in cleaned:
            cleaned[key] = ""
    try:
        return ComplaintCreate.model_validate(cleaned)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**err, "loc": ("body", *err["loc"])} for err in exc.errors(include_url=False)]
        ) from None


async def read_intake(request: Request) -> Intake:
    """JSON or multipart/form-data (fields plus ``photos`` files)."""
    check_address(request)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form(max_files=files.MAX_PHOTOS, max_fields=40)
        fields: dict[str, Any] = {}
        photos: list[Upload] = []
        for key, value in form.multi_items():
            if isinstance(value, str):
                fields[key] = value
                continue
            if key != "photos":
                raise ValidationFailed(f"{key}: only photos may be uploaded")
            data = await value.read(files.MAX_PHOTO_BYTES + 1)
            if data or value.filename:
                photos.append(Upload(value.filename or "photo", data))
        return Intake(fields, photos)
    try:
        body = await request.json()
    except ValueError:
        raise ValidationFailed("body: send JSON or multipart/form-data") from None
    if not isinstance(body, dict):
        raise ValidationFailed("body: expected a JSON object")
    return Intake(body)


def file_complaint(
    request: Request, session: Session, upload_dir: Any, intake: Intake, now: dt.datetime
) -> Filed:
    """Validate, rate-limit, check the photos, then file (shared by the API and the page)."""
    data = parse_intake(intake.fields)
    check_contact(request, data)
    for photo in intake.photos:
        files.check_photo(photo.data, photo.filename)
    filed = file_public(session, data=data, now=now)
    with bypass_tenancy(session, reason="public complaint photos"):
        for photo in intake.photos:
            files.store_photo(
                session,
                upload_dir=upload_dir,
                complaint=filed.complaint,
                data=photo.data,
                filename=photo.filename,
            )
    return filed


INTAKE_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ComplaintCreate.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "photos": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                        },
                        "description": {"type": "string"},
                    },
                }
            },
        },
    }
}
