"""Complaint queries and single-entity changes (session first, never commits).

Tenancy comes from the session. The explicit bypasses are the public intake and tracking (a
consumer has no organisation), the public product search, and the read-only view that
regulators and consumer associations get of the cases escalated to them; each names why.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from liveqc.accounts.models import Organisation, OrganisationKind, Role
from liveqc.accounts.service import Principal
from liveqc.complaints import calendar, triage
from liveqc.complaints.models import (
    DEFAULT_REVETTING_THRESHOLD,
    OPEN_STATUSES,
    Complaint,
    ComplaintPolicy,
    ComplaintStatus,
)
from liveqc.complaints.schemas import ComplaintCreate, PolicyUpdate
from liveqc.db.tenancy import bypass_tenancy, current_organisation
from liveqc.db.types import utcnow
from liveqc.errors import NotFound, ValidationFailed
from liveqc.events.models import AuditEvent
from liveqc.events.service import record
from liveqc.products.models import Product

log = logging.getLogger("liveqc.complaints")

#: China Standard Time (no daylight saving): deadlines count Beijing calendar days.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#: Organisations that receive escalated complaints and may read them (read-only).
ESCALATION_KINDS = (OrganisationKind.REGULATOR, OrganisationKind.CONSUMER_ASSOCIATION)
#: Roles that see a consumer's contact details and order number in full.
PII_ROLES = (Role.AFTER_SALES, Role.ADMIN)


# -- small helpers ---------------------------------------------------------------------------


def new_tracking_code() -> str:
    """``LQ-XXXX-XXXX-XXXX-XXXX``: 80 random bits, no 0/O/1/I to misread."""
    chars = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
    return "LQ-" + "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def normalise_tracking_code(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    raw = raw.removeprefix("LQ")
    return "LQ-" + "-".join(raw[i : i + 4] for i in range(0, len(raw), 4)) if raw else ""


def local_date(at: dt.datetime) -> dt.date:
    """The Beijing calendar date of an aware datetime."""
    return at.astimezone(CHINA_TZ).date()


def mask_phone(phone: str) -> str:
    """138****5678 (keeps the carrier prefix and the last four digits)."""
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) < 8:
        return "*" * (len(digits) - 4) + digits[-4:]
    return digits[:3] + "****" + digits[-4:]


def mask_email(email: str) -> str:
    """a***@example.com."""
    local, at, domain = email.strip().partition("@")
    if not at:
        return mask_order(email)
    return (local[:1] + "***" if local else "***") + "@" + domain


def mask_order(value: str) -> str:
    """Keeps the first two and last four characters: DY****5678."""
    value = value.strip()
    if len(value) <= 6:
        return "*" * len(value)
    return value[:2] + "****" + value[-4:]


def can_see_pii(principal: Principal, complaint: Complaint) -> bool:
    """Full contact details only for after-sales staff and admins of the owning organisation."""
    return principal.organisation.id == complaint.organisation_id and principal.has_any(*PII_ROLES)


# -- policies and deadlines ------------------------------------------------------------------


def policy_for(session: Session, organisation_id: int) -> ComplaintPolicy:
    """The organisation's policy, or an unsaved one with the defaults."""
    row = session.scalars(
        select(ComplaintPolicy).where(ComplaintPolicy.organisation_id == organisation_id)
    ).first()
    return row or ComplaintPolicy(
        organisation_id=organisation_id,
        first_response_working_days=calendar.DEFAULT_FIRST_RESPONSE_WORKING_DAYS,
        resolution_working_days=calendar.DEFAULT_RESOLUTION_WORKING_DAYS,
        revetting_threshold=DEFAULT_REVETTING_THRESHOLD,
    )


def update_policy(session: Session, *, data: PolicyUpdate, actor: object) -> ComplaintPolicy:
    """Change the current organisation's policy (created on first change); audited."""
    org_id = current_organisation(session)
    if org_id is None:
        raise ValidationFailed("no organisation to set a policy for")
    calendar.DeadlinePolicy(data.first_response_working_days, data.resolution_working_days)
    policy = policy_for(session, org_id)
    before = {
        "first_response_working_days": policy.first_response_working_days,
        "resolution_working_days": policy.resolution_working_days,
        "revetting_threshold": policy.revetting_threshold,
    }
    for key, value in data.model_dump().items():
        setattr(policy, key, value)
    session.add(policy)
    session.flush()
    record(session, actor, org_id, policy, "update", before, data.model_dump())
    return policy


def _weekday_fallback(start: dt.date, n: int) -> dt.date:
    day, left = start, n
    while left:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def deadlines_for(received_at: dt.datetime, policy: ComplaintPolicy) -> calendar.Deadlines:
    """Due dates by the Chinese calendar; Monday-Friday beyond the years it knows (logged)."""
    day = local_date(received_at)
    rule = calendar.DeadlinePolicy(
        policy.first_response_working_days, policy.resolution_working_days
    )
    try:
        return calendar.compute_deadlines(day, rule)
    except ValidationFailed as exc:
        log.warning("holiday calendar does not cover %s; counting Mon-Fri: %s", day, exc)
        return calendar.Deadlines(
            day,
            _weekday_fallback(day, rule.first_response_working_days),
            _weekday_fallback(day, rule.resolution_working_days),
        )


def next_due(complaint: Complaint) -> dt.date | None:
    """The date the next step is due: first response while received, then resolution."""
    if complaint.status not in OPEN_STATUSES:
        return None
    if complaint.status is ComplaintStatus.RECEIVED:
        return complaint.first_response_due
    return complaint.resolution_due


def working_days_left(complaint: Complaint, now: dt.datetime) -> int | None:
    """Working days to the next due date (0 on the day, negative when overdue)."""
    due = next_due(complaint)
    if due is None:
        return None
    today = local_date(now)
    try:
        return calendar.working_days_left(due, today)
    except ValidationFailed:
        sign = 1 if due >= today else -1
        a, b = sorted((today, due))
        days = sum(1 for i in range(1, (b - a).days + 1) if (a + dt.timedelta(i)).weekday() < 5)
        return sign * days


def is_overdue(complaint: Complaint, now: dt.datetime) -> bool:
    due = next_due(complaint)
    return due is not None and local_date(now) > due


def check_live_session(session: Session, organisation_id: int, live_session_id: int) -> None:
    """Refuse a live session that is not one of the agency's own (a missing id included)."""
    from liveqc.live_sessions.models import LiveSession

    with bypass_tenancy(session, reason="live session of a complaint", quiet=True):
        owner = session.scalar(
            select(LiveSession.organisation_id).where(LiveSession.id == live_session_id)
        )
    if owner != organisation_id:
        raise ValidationFailed(
            f"live_session_id {live_session_id} is not a live session of this agency"
        )


# -- creating --------------------------------------------------------------------------------


def create(
    session: Session,
    *,
    data: ComplaintCreate,
    organisation_id: int,
    actor: object,
    now: dt.datetime | None = None,
    channel: str = "staff",
) -> Complaint:
    """Classify, compute the deadlines and store a complaint for ``organisation_id``."""
    now = now or utcnow()
    if data.product_id is not None:
        owner = session.scalar(select(Product.organisation_id).where(Product.id == data.product_id))
        if owner != organisation_id:
            raise ValidationFailed(f"product_id {data.product_id} does not exist")
    if data.live_session_id is not None:
        check_live_session(session, organisation_id, data.live_session_id)
    category, urgent, reasons, claims = triage.triage(
        session, organisation_id=organisation_id, text=data.description, product_id=data.product_id
    )
    due = deadlines_for(now, policy_for(session, organisation_id))
    complaint = Complaint(
        organisation_id=organisation_id,
        tracking_code=new_tracking_code(),
        **data.model_dump(exclude={"organisation_id"}),
        received_at=now,
        category=category,
        is_urgent=urgent,
        classifier_reasons=reasons,
        claims=claims,
        status=ComplaintStatus.RECEIVED,
        first_response_due=due.first_response_due,
        resolution_due=due.resolution_due,
    )
    session.add(complaint)
    session.flush()
    record(
        session,
        actor,
        organisation_id,
        complaint,
        "create",
        None,
        {
            "status": complaint.status,
            "category": complaint.category,
            "urgent": complaint.is_urgent,
            "channel": channel,
            "resolution_due": complaint.resolution_due,
        },
    )
    return complaint


def find_duplicate(
    session: Session, *, organisation_id: int, order_number: str, category: str
) -> Complaint | None:
    """An earlier complaint of the agency on the same order about the same kind of problem."""
    if not order_number.strip():
        return None
    return session.scalars(
        select(Complaint)
        .where(
            Complaint.organisation_id == organisation_id,
            Complaint.order_number == order_number.strip(),
            Complaint.category == category,
            Complaint.duplicate_of_id.is_(None),
        )
        .order_by(Complaint.id)
    ).first()


# -- reading ---------------------------------------------------------------------------------


def get_or_raise(session: Session, complaint_id: int) -> Complaint:
    row = session.scalars(select(Complaint).where(Complaint.id == complaint_id)).first()
    if row is None:
        raise NotFound(f"complaint {complaint_id} does not exist")
    return row


def _ordered_query(status: ComplaintStatus | None, category: str | None, product_id: int | None):  # type: ignore[no-untyped-def]
    query = select(Complaint)
    if status is not None:
        query = query.where(Complaint.status == status)
    if category is not None:
        query = query.where(Complaint.category == category)
    if product_id is not None:
        query = query.where(Complaint.product_id == product_id)
    return query


def list_(
    session: Session,
    *,
    limit: int = 50,
    offset: int = 0,
    status: ComplaintStatus | None = None,
    category: str | None = None,
    product_id: int | None = None,
) -> tuple[list[Complaint], int]:
    """The organisation's complaints, newest first."""
    query = _ordered_query(status, category, product_id)
    total = session.scalar(query.with_only_columns(func.count(Complaint.id))) or 0
    rows = session.scalars(
        query.order_by(Complaint.received_at.desc(), Complaint.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def queue(session: Session, *, limit: int = 50, offset: int = 0) -> tuple[list[Complaint], int]:
    """Open complaints, urgent first, then by the next due date, then oldest first."""
    due = case(
        (Complaint.status == ComplaintStatus.RECEIVED, Complaint.first_response_due),
        else_=Complaint.resolution_due,
    )
    query = select(Complaint).where(Complaint.status.in_(OPEN_STATUSES))
    total = session.scalar(query.with_only_columns(func.count(Complaint.id))) or 0
    rows = session.scalars(
        query.order_by(Complaint.is_urgent.desc(), due, Complaint.received_at, Complaint.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def is_escalation_target(principal: Principal) -> bool:
    return principal.organisation.kind in ESCALATION_KINDS


def list_escalated(
    session: Session, *, principal: Principal, limit: int = 50, offset: int = 0
) -> tuple[list[Complaint], int]:
    """Complaints escalated to the principal's regulator or association (audited, read-only)."""
    org_id = principal.organisation.id
    reason = f"escalated complaints read by organisation {org_id}"
    with bypass_tenancy(session, reason=reason, actor_user_id=principal.user.id):
        query = select(Complaint).where(Complaint.escalated_to_id == org_id)
        total = session.scalar(query.with_only_columns(func.count(Complaint.id))) or 0
        rows = list(
            session.scalars(
                query.order_by(Complaint.escalated_at.desc(), Complaint.id.desc())
                .limit(limit)
                .offset(offset)
            )
        )
    record(
        session,
        principal.user,
        org_id,
        ("complaints", "escalated"),
        "read",
        None,
        {"ids": [row.id for row in rows]},
    )
    return rows, total


def get_escalated_or_raise(
    session: Session, *, principal: Principal, complaint_id: int
) -> Complaint:
    """One complaint escalated to the principal's organisation; any other id is NotFound."""
    org_id = principal.organisation.id
    reason = f"escalated complaint {complaint_id} read by organisation {org_id}"
    with bypass_tenancy(session, reason=reason, actor_user_id=principal.user.id):
        row = session.scalars(
            select(Complaint).where(
                Complaint.id == complaint_id, Complaint.escalated_to_id == org_id
            )
        ).first()
    if row is None:
        raise NotFound(f"complaint {complaint_id} does not exist")
    record(session, principal.user, org_id, row, "read_escalated", None, {"by": org_id})
    return row


def visible_or_raise(session: Session, *, principal: Principal, complaint_id: int) -> Complaint:
    """The complaint as the principal may see it: own organisation's, or escalated to it."""
    if is_escalation_target(principal):
        return get_escalated_or_raise(session, principal=principal, complaint_id=complaint_id)
    return get_or_raise(session, complaint_id)


def history(session: Session, complaint: Complaint) -> list[AuditEvent]:
    """The complaint's audit entries in order (every organisation's, e.g. public submissions)."""
    with bypass_tenancy(session, reason="complaint history", quiet=True):
        return list(
            session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.object_type == Complaint.__tablename__,
                    AuditEvent.object_id == str(complaint.id),
                )
                .order_by(AuditEvent.id)
            )
        )


def escalation_targets(session: Session) -> list[Organisation]:
    """Regulators and consumer associations a complaint can be escalated to."""
    return list(
        session.scalars(
            select(Organisation)
            .where(Organisation.kind.in_(ESCALATION_KINDS))
            .order_by(Organisation.name)
        )
    )
