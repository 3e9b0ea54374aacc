"""The inspected agency's objection (复检): filing within the period, withdrawing, and the
regulator's decision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from liveqc.accounts.service import Principal
from liveqc.db.types import utcnow
from liveqc.errors import InvalidTransition, PermissionDenied
from liveqc.events.service import record
from liveqc.spot_checks.flows.checks import notify
from liveqc.spot_checks.flows.common import CST, acting_for, step
from liveqc.spot_checks.models import CheckStatus as C
from liveqc.spot_checks.models import Objection, ObjectionStatus, SpotCheck


def file_objection(
    session: Session,
    *,
    check: SpotCheck,
    reason: str,
    principal: Principal,
    now: datetime | None = None,
) -> Objection:
    """The inspected agency applies for re-inspection; refused after the deadline."""
    if principal.organisation.id != check.subject_organisation_id:
        raise PermissionDenied("only the inspected organisation may object to a spot check")
    before = step(check, "file_objection")
    now = now or utcnow()
    deadline = check.objection_deadline
    if deadline is None or now > deadline:
        raise InvalidTransition(
            f"the objection period of spot check {check.id} ended at "
            f"{deadline.astimezone(CST).isoformat() if deadline else 'notification'}"
        )
    objection = Objection(
        organisation_id=principal.organisation.id,
        spot_check_id=check.id,
        regulator_organisation_id=check.organisation_id,
        reason=reason,
        filed_at=now,
        filed_by_user_id=principal.user.id,
    )
    session.add(objection)
    session.flush()
    with acting_for(session, check.organisation_id):
        check.status = C.OBJECTED
    record(session, principal.user, objection.organisation_id, objection, "file", None,
           {"spot_check_id": check.id, "reason": reason})  # fmt: skip
    record(session, principal.user, check.organisation_id, check, "objection",
           {"status": before}, {"status": check.status})  # fmt: skip
    return objection


def withdraw_objection(
    session: Session, *, objection: Objection, check: SpotCheck, principal: Principal
) -> Objection:
    if principal.organisation.id != objection.organisation_id:
        raise PermissionDenied("only the organisation that objected may withdraw")
    _decide(session, objection, check, "withdraw_objection", ObjectionStatus.WITHDRAWN, C.NOTIFIED,
            principal, "")  # fmt: skip
    return objection


def decide_objection(
    session: Session,
    *,
    objection: Objection,
    check: SpotCheck,
    accept: bool,
    note: str,
    principal: Principal,
) -> Objection:
    """The regulator decides: accepted (re-inspection passed) or rejected (the result stands)."""
    if principal.organisation.id != check.organisation_id:
        raise PermissionDenied("only the regulator of the spot check may decide")
    status, target = (
        (ObjectionStatus.ACCEPTED, C.OVERTURNED)
        if accept
        else (ObjectionStatus.REJECTED, C.CONFIRMED)
    )
    _decide(session, objection, check, "decide_objection", status, target, principal, note)
    notify(session, check, f"objection_{status.value}", f"复检 / objection {status.value}: {note}")
    return objection


def _decide(
    session: Session,
    objection: Objection,
    check: SpotCheck,
    flow: str,
    status: ObjectionStatus,
    target: C,
    principal: Principal,
    note: str,
) -> None:
    before = step(check, flow)
    if objection.status is not ObjectionStatus.PENDING or objection.spot_check_id != check.id:
        raise InvalidTransition(f"objection {objection.id} is {objection.status.value}")
    with acting_for(session, objection.organisation_id):
        objection.status = status
        objection.decided_at = utcnow()
        objection.decision_note = note
    with acting_for(session, check.organisation_id):
        check.status = target
    record(session, principal.user, objection.organisation_id, objection, flow,
           {"status": ObjectionStatus.PENDING}, {"status": status, "note": note})  # fmt: skip
    record(session, principal.user, check.organisation_id, check, flow, {"status": before},
           {"status": target})  # fmt: skip
