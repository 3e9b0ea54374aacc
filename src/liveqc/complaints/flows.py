"""Complaint workflow: one function per business event, checked against ``TRANSITIONS``.

received → acknowledged → investigating → resolved (remedy, amount) | rejected (reason) →
closed; a consumer's dispute reopens a resolved, rejected or closed case. Escalation to a
regulator or consumer association, a staff change of category and the confirmation of a
safety incident do not move the status. Every step is audited with before and after.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.accounts.models import Organisation, Role
from liveqc.accounts.service import Principal
from liveqc.complaints import remedies, service
from liveqc.complaints.classify import ComplaintCategory
from liveqc.complaints.models import (
    OPEN_STATUSES,
    AlertKind,
    Complaint,
    ComplaintAlert,
    ComplaintStatus,
    Remedy,
)
from liveqc.db.types import utcnow
from liveqc.errors import InvalidTransition, ValidationFailed
from liveqc.events.service import record
from liveqc.products.models import Product, ProductCategory

S = ComplaintStatus
#: action → (statuses it may start from, status it leads to; None keeps the status).
TRANSITIONS: dict[str, tuple[frozenset[ComplaintStatus], ComplaintStatus | None]] = {
    "acknowledge": (frozenset({S.RECEIVED}), S.ACKNOWLEDGED),
    "investigate": (frozenset({S.ACKNOWLEDGED}), S.INVESTIGATING),
    "resolve": (frozenset({S.INVESTIGATING}), S.RESOLVED),
    "reject": (frozenset({S.INVESTIGATING}), S.REJECTED),
    "close": (frozenset({S.RESOLVED, S.REJECTED}), S.CLOSED),
    "reopen": (frozenset({S.RESOLVED, S.REJECTED, S.CLOSED}), S.INVESTIGATING),
    "mark_duplicate": (frozenset(OPEN_STATUSES), S.CLOSED),
    "escalate": (frozenset(set(S) - {S.CLOSED}), None),
    "reclassify": (frozenset(set(S) - {S.CLOSED}), None),
    "confirm_safety": (frozenset(set(S) - {S.CLOSED, S.REJECTED}), None),
}
STAFF_ROLES = (Role.AFTER_SALES, Role.ADMIN)
FOOD_CATEGORIES = {ProductCategory.FOOD, ProductCategory.HEALTH_FOOD, ProductCategory.AGRICULTURE}


def allowed_actions(complaint: Complaint) -> list[str]:
    """The actions the transition table allows from the complaint's status."""
    return [name for name, (sources, _) in TRANSITIONS.items() if complaint.status in sources]


def _check(complaint: Complaint, action: str) -> ComplaintStatus | None:
    sources, target = TRANSITIONS[action]
    if complaint.status not in sources:
        verb = action.replace("_", " ")
        raise InvalidTransition(
            f"complaint {complaint.id} is {complaint.status.value}; cannot {verb}"
        )
    return target


def _staff(actor: Principal) -> None:
    actor.require(*STAFF_ROLES)


def _apply(
    session: Session,
    complaint: Complaint,
    action: str,
    actor: Any,
    changes: dict[str, Any],
    note: dict[str, Any] | None = None,
) -> Complaint:
    target = _check(complaint, action)
    before = {"status": complaint.status, **{key: getattr(complaint, key) for key in changes}}
    if target is not None:
        changes = {"status": target, **changes}
    for key, value in changes.items():
        setattr(complaint, key, value)
    session.flush()
    user = actor.user if isinstance(actor, Principal) else actor
    after = {"status": complaint.status, **changes, **(note or {})}
    record(session, user, complaint.organisation_id, complaint, action, before, after)
    return complaint


def acknowledge(session: Session, complaint: Complaint, *, actor: Principal) -> Complaint:
    """First response to the consumer."""
    _staff(actor)
    return _apply(session, complaint, "acknowledge", actor, {"acknowledged_at": utcnow()})


def investigate(session: Session, complaint: Complaint, *, actor: Principal) -> Complaint:
    _staff(actor)
    return _apply(session, complaint, "investigate", actor, {})


def resolve(
    session: Session,
    complaint: Complaint,
    *,
    actor: Principal,
    remedy: Remedy,
    amount: Decimal | None = None,
    note: str = "",
) -> Complaint:
    """Settle with a remedy; refunds and compensation need an amount."""
    _staff(actor)
    if remedy in (Remedy.REFUND, Remedy.COMPENSATION) and amount is None:
        raise ValidationFailed(f"amount: a {remedy.value} needs an amount")
    value = remedies.money(amount) if amount is not None else None
    changes = {"remedy": remedy, "remedy_amount": value, "resolved_at": utcnow()}
    return _apply(session, complaint, "resolve", actor, changes, {"note": note})


def reject(session: Session, complaint: Complaint, *, actor: Principal, reason: str) -> Complaint:
    _staff(actor)
    if len(reason.strip()) < 2:
        raise ValidationFailed("reason: a rejection needs a reason the consumer can read")
    changes = {"rejection_reason": reason.strip(), "resolved_at": utcnow()}
    return _apply(session, complaint, "reject", actor, changes)


def close(session: Session, complaint: Complaint, *, actor: Principal) -> Complaint:
    _staff(actor)
    return _apply(session, complaint, "close", actor, {"closed_at": utcnow()})


def reopen(
    session: Session,
    complaint: Complaint,
    *,
    actor: Principal | None,
    reason: str,
    now: dt.datetime | None = None,
) -> Complaint:
    """Reopen on the consumer's dispute (``actor`` None) or by staff; a new resolution period
    starts from today."""
    if actor is not None:
        _staff(actor)
    if len(reason.strip()) < 2:
        raise ValidationFailed("reason: say why the outcome is disputed")
    now = now or utcnow()
    _check(complaint, "reopen")
    due = service.deadlines_for(now, service.policy_for(session, complaint.organisation_id))
    changes = {
        "resolution_due": due.resolution_due,
        "reopen_count": complaint.reopen_count + 1,
        "closed_at": None,
        "resolved_at": None,
        "overdue_escalated_at": None,
    }
    who = "consumer" if actor is None else "staff"
    return _apply(session, complaint, "reopen", actor, changes, {"by": who, "reason": reason})


def escalate(
    session: Session,
    complaint: Complaint,
    *,
    actor: Principal,
    organisation_id: int,
    reason: str = "",
) -> Complaint:
    """Hand the case to a regulator or consumer association, which may then read it."""
    _staff(actor)
    target = session.get(Organisation, organisation_id)
    if target is None or target.kind not in service.ESCALATION_KINDS:
        raise ValidationFailed(
            f"organisation_id {organisation_id} is not a regulator or consumer association"
        )
    changes = {"escalated_to_id": target.id, "escalated_at": utcnow()}
    return _apply(session, complaint, "escalate", actor, changes, {"reason": reason})


def reclassify(
    session: Session,
    complaint: Complaint,
    *,
    actor: Principal,
    category: ComplaintCategory,
    reason: str = "",
) -> Complaint:
    """Staff override of the classifier's category (urgency follows the category)."""
    _staff(actor)
    changes = {
        "category": category,
        "is_urgent": category is ComplaintCategory.SAFETY_INCIDENT,
        "category_source": "staff",
    }
    return _apply(session, complaint, "reclassify", actor, changes, {"reason": reason})


def confirm_safety_incident(
    session: Session, complaint: Complaint, *, actor: Principal, now: dt.datetime | None = None
) -> Complaint:
    """Staff confirm harm happened: the product goes back to vetting and an alert is raised."""
    _staff(actor)
    if complaint.category is not ComplaintCategory.SAFETY_INCIDENT:
        raise ValidationFailed("category: only a safety incident can be confirmed as one")
    changes = {"is_safety_confirmed": True, "is_urgent": True}
    _apply(session, complaint, "confirm_safety", actor, changes)
    from liveqc.complaints import signals

    signals.on_safety_confirmed(session, complaint, now=now or utcnow())
    return complaint


def mark_duplicate(
    session: Session, complaint: Complaint, *, actor: Principal, duplicate_of_id: int
) -> Complaint:
    """Close a twin, linking it to the case that is being worked."""
    _staff(actor)
    original = service.get_or_raise(session, duplicate_of_id)
    if original.id == complaint.id or original.duplicate_of_id is not None:
        raise ValidationFailed("duplicate_of_id must be another, original complaint")
    changes = {"duplicate_of_id": original.id, "closed_at": utcnow()}
    return _apply(session, complaint, "mark_duplicate", actor, changes)


def compensation(session: Session, complaint: Complaint) -> list[remedies.Compensation]:
    """The statutory compensation that fits the complaint's category (needs the price paid)."""
    if complaint.price_paid is None:
        return []
    is_food = False
    if complaint.product_id is not None:
        category = session.scalar(
            select(Product.category).where(Product.id == complaint.product_id)
        )
        is_food = category in FOOD_CATEGORIES
    return remedies.applicable_compensation(
        complaint.category.value, is_food=is_food, price=complaint.price_paid
    )


def escalate_overdue(session: Session, now: dt.datetime) -> list[Complaint]:
    """Flag every open complaint past its due date (once), with an alert; urgent ones first.

    Sees what the session sees: one organisation, or all of them in a system session.
    """
    rows = session.scalars(
        select(Complaint).where(
            Complaint.status.in_(OPEN_STATUSES), Complaint.overdue_escalated_at.is_(None)
        )
    ).all()
    due = [row for row in rows if service.is_overdue(row, now)]
    due.sort(key=lambda row: (not row.is_urgent, service.next_due(row), row.id))
    for complaint in due:
        before = {"overdue_escalated_at": None, "status": complaint.status}
        complaint.overdue_escalated_at = now
        alert = ComplaintAlert(
            organisation_id=complaint.organisation_id,
            kind=AlertKind.OVERDUE,
            product_id=complaint.product_id,
            complaint_id=complaint.id,
            message=(
                f"complaint {complaint.id} ({complaint.category.value}) missed its "
                f"{'first response' if complaint.status is S.RECEIVED else 'resolution'} "
                f"due {service.next_due(complaint)}"
            ),
            created_at=now,
        )
        session.add(alert)
        session.flush()
        after = {"overdue_escalated_at": now, "status": complaint.status, "alert_id": alert.id}
        record(
            session, None, complaint.organisation_id, complaint, "escalate_overdue", before, after
        )
    return due
