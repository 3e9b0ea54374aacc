"""Sample, custody, lab results, verdict, the follow-up of a failed check, and closing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from liveqc.db.types import utcnow
from liveqc.errors import InvalidTransition, ValidationFailed
from liveqc.events.service import record
from liveqc.products import test_reports
from liveqc.spot_checks import service
from liveqc.spot_checks.flows.common import CST, acting_for, objection_deadline, step
from liveqc.spot_checks.models import CheckStatus as C
from liveqc.spot_checks.models import Notice, SpotCheck, SpotCheckPlan, TestItemRow
from liveqc.spot_checks.schemas import CustodyIn, ResultsIn, SampleIn


def record_sample(session: Session, *, check: SpotCheck, data: SampleIn, actor: Any) -> SpotCheck:
    """Where and when the sample was bought; opens the chain of custody."""
    before = step(check, "record_sample")
    for name in ("sample_place", "live_session_id", "live_room", "order_number", "batch"):
        setattr(check, name, getattr(data, name))
    check.sample_quantity = data.sample_quantity
    check.sampled_at = data.sampled_at
    check.status = C.SAMPLED
    session.flush()
    record(
        session,
        actor,
        check.organisation_id,
        check,
        "record_sample",
        {"status": before},
        {"status": check.status, "order_number": check.order_number, "batch": check.batch},
    )
    if before is C.DRAWN:
        service.add_custody(
            session,
            check=check,
            data=CustodyIn(holder=data.holder, held_from=data.sampled_at, note="sampled"),
            actor=actor,
        )
    return check


def add_custody(session: Session, *, check: SpotCheck, data: CustodyIn, actor: Any) -> SpotCheck:
    step(check, "add_custody")
    if check.custody and data.held_from < check.custody[-1].held_from:
        raise ValidationFailed("held_from: must not be before the previous custody entry")
    service.add_custody(session, check=check, data=data, actor=actor)
    return check


def record_results(session: Session, *, check: SpotCheck, data: ResultsIn, actor: Any) -> SpotCheck:
    """Store the lab's test items; each verdict and the overall one are computed."""
    before = step(check, "record_results")
    items = [test_reports.TestItem(i.name, i.limit, i.result, i.unit, i.method) for i in data.items]
    report = test_reports.evaluate(items)
    check.items.clear()
    session.flush()
    for position, judged in enumerate(report.items):
        item = judged.item
        check.items.append(
            TestItemRow(
                organisation_id=check.organisation_id,
                position=position,
                name=item.name,
                limit_text=item.limit,
                result_text=item.result,
                unit=item.unit,
                method=item.method,
                verdict=judged.verdict.value,
                reason=judged.reason[:500],
            )
        )
    check.lab_name, check.report_number = data.lab_name, data.report_number
    check.tested_at = data.tested_at
    check.verdict = report.verdict.value
    check.verdict_reasons = list(report.reasons)
    check.status = C.TESTED
    session.flush()
    record(
        session,
        actor,
        check.organisation_id,
        check,
        "record_results",
        {"status": before},
        {"status": check.status, "verdict": check.verdict, "items": len(items)},
    )
    return check


def conclude(
    session: Session, *, check: SpotCheck, actor: Any, now: datetime | None = None
) -> SpotCheck:
    """Pass or fail the check on its computed verdict; a fail suspends the product, opens
    re-vetting and notifies the agency, which then has the objection period."""
    before = step(check, "conclude")
    if check.verdict not in ("pass", "fail"):
        raise ValidationFailed(
            f"verdict: spot check {check.id} is {check.verdict or 'not judged'}; "
            "record results that decide every item first"
        )
    now = now or utcnow()
    check.concluded_at = now
    if check.verdict == "pass":
        check.status = C.PASSED
        notify(session, check, "passed", f"抽检合格 / passed: spot check {check.id}")
    else:
        check.follow_up = _follow_up(session, check)
        check.status = C.NOTIFIED
        check.notified_at = now
        days = _period(session, check)
        check.objection_deadline = objection_deadline(now, days)
        failed = [i.name for i in check.items if i.verdict == "fail"]
        notify(
            session,
            check,
            "failed",
            f"抽检不合格 / failed: spot check {check.id}, items: {', '.join(failed)}; "
            f"objection (复检) possible until {check.objection_deadline.isoformat()}",
        )
    session.flush()
    record(
        session,
        actor,
        check.organisation_id,
        check,
        "conclude",
        {"status": before},
        {"status": check.status, "verdict": check.verdict, "follow_up": check.follow_up},
    )
    return check


def _period(session: Session, check: SpotCheck) -> int:
    plan = session.get(SpotCheckPlan, check.plan_id) if check.plan_id else None
    return plan.objection_period_days if plan else 15


def _follow_up(session: Session, check: SpotCheck) -> dict[str, Any]:
    """Suspend the product, raise live-session alerts and open re-vetting, as the agency's
    system; each step's outcome is kept on the check."""
    from liveqc.live_sessions import flows as live_flows
    from liveqc.products import flows as product_flows

    reason = f"spot check {check.id} failed (抽检不合格)"
    outcome: dict[str, Any] = {}
    with acting_for(session, check.subject_organisation_id):
        try:
            product_flows.suspend(
                session, product_id=check.product_id, reason=reason, source="spot_check"
            )
            outcome["suspended"] = True
            alerts = live_flows.on_product_suspended(session, check.product_id)
            outcome["live_alerts"] = len(alerts)
        except InvalidTransition as exc:
            outcome["suspended"] = False
            outcome["suspend_note"] = exc.detail
        try:
            product_flows.open_revetting(
                session, product_id=check.product_id, reason=reason, source="spot_check"
            )
            outcome["revetting"] = True
        except InvalidTransition as exc:
            outcome["revetting"] = False
            outcome["revetting_note"] = exc.detail
    return outcome


def notify(session: Session, check: SpotCheck, kind: str, message: str) -> Notice:
    with acting_for(session, check.subject_organisation_id):
        notice = Notice(
            organisation_id=check.subject_organisation_id,
            spot_check_id=check.id,
            regulator_organisation_id=check.organisation_id,
            kind=kind,
            message=message,
        )
        session.add(notice)
        session.flush()
        record(session, None, notice.organisation_id, notice, "notify", None, {"kind": kind})
    return notice


def close(
    session: Session, *, check: SpotCheck, actor: Any, now: datetime | None = None
) -> SpotCheck:
    """Close a concluded check; a failed one only once its objection period is over."""
    before = step(check, "close")
    now = now or utcnow()
    if before is C.NOTIFIED and check.objection_deadline and now <= check.objection_deadline:
        raise InvalidTransition(
            f"spot check {check.id} is still open to objection until "
            f"{check.objection_deadline.astimezone(CST).isoformat()}"
        )
    check.status = C.CLOSED
    session.flush()
    record(session, actor, check.organisation_id, check, "close", {"status": before},
           {"status": check.status})  # fmt: skip
    return check
