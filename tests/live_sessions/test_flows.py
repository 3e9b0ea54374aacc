"""Script review, ready / start / end, dispositions, suspended products and retention purge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from liveqc.errors import InvalidTransition, ValidationFailed
from liveqc.events.models import AuditEvent
from liveqc.live_sessions import flows, service
from liveqc.live_sessions.ingest.process import process_segments
from liveqc.live_sessions.models import (
    Alert,
    AlertSource,
    Disposition,
    LiveSession,
    LiveSessionStatus,
    Segment,
)
from liveqc.live_sessions.schemas import DispositionIn
from tests.factories.live_sessions import make_live, seg, use_org

BAD_SCRIPT = "这款精华是全网最低价，用一次就美白。"


def audit_actions(session, obj_type: str, obj_id: int) -> list[str]:
    rows = session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == obj_type, AuditEvent.object_id == str(obj_id)
        )
    )
    return [e.action for e in rows]


def test_script_with_high_findings_blocks_ready_until_accepted(session, demo) -> None:
    live = make_live(session, demo, scripts=(BAD_SCRIPT,))
    admin = use_org(session, demo)
    with pytest.raises(InvalidTransition, match="unresolved high-severity"):
        flows.mark_ready(session, live, actor=admin)
    found = flows.review_scripts(session, live, actor=admin)
    assert found and all(a.source is AlertSource.SCRIPT for a in found)
    assert {a.code for a in found} >= {"absolute_term", "price_fraud"}
    for alert in found:
        if alert.severity == "high":
            with pytest.raises(ValueError, match="reason"):
                DispositionIn(disposition="accepted", reason="  ")
            flows.dispose(
                session,
                alert,
                data=DispositionIn(disposition="accepted", reason="法务已复核"),
                actor=admin,
            )
    assert flows.mark_ready(session, live, actor=admin).status is LiveSessionStatus.READY
    assert "dispose" in audit_actions(session, "live_alerts", found[0].id)
    assert "mark_ready" in audit_actions(session, "live_sessions", live.id)


def test_review_again_keeps_accepted_findings_and_does_not_duplicate(session, demo) -> None:
    live = make_live(session, demo, scripts=(BAD_SCRIPT,))
    admin = use_org(session, demo)
    first = flows.review_scripts(session, live, actor=admin)
    flows.dispose(
        session, first[0], data=DispositionIn(disposition="accepted", reason="ok"), actor=admin
    )
    second = flows.review_scripts(session, live, actor=admin)
    assert len(second) == len(first) - 1
    total = session.scalars(
        select(Alert).where(Alert.live_session_id == live.id, Alert.source == AlertSource.SCRIPT)
    ).all()
    assert len(total) == len(first)


def test_clean_script_goes_ready_and_transitions_are_checked(session, demo) -> None:
    live = make_live(session, demo, scripts=("补水保湿，质地清爽。",))
    admin = use_org(session, demo)
    with pytest.raises(InvalidTransition):
        flows.end(session, live, actor=admin)
    flows.mark_ready(session, live, actor=admin)
    flows.start(session, live, actor=admin)
    assert live.started_at is not None
    flows.end(session, live, actor=admin)
    assert live.status is LiveSessionStatus.ENDED
    with pytest.raises(InvalidTransition, match="ended"):
        flows.start(session, live, actor=admin)


def _on_air_alert(session, demo):
    live = make_live(session, demo, live=True)
    item = live.lineup[0].id
    process_segments(
        session,
        live,
        [
            seg(1, "家人们好", item=item, start_ms=0),
            seg(2, "这是全网最低价", item=item, start_ms=5_000),
            seg(3, "刚才说错了，以页面价格为准", item=item, start_ms=10_000),
        ],
    )
    alert = session.scalars(select(Alert).where(Alert.live_session_id == live.id)).first()
    assert alert is not None and alert.at_ms == 5_000
    return live, alert


def test_corrected_on_air_must_be_after_the_alert_in_a_later_segment(session, demo) -> None:
    _, alert = _on_air_alert(session, demo)
    admin = use_org(session, demo)
    before = DispositionIn(disposition="corrected_on_air", corrected_at_ms=4_000)
    with pytest.raises(ValidationFailed, match="not after the alert"):
        flows.dispose(session, alert, data=before, actor=admin)
    nowhere = DispositionIn(disposition="corrected_on_air", corrected_at_ms=60_000)
    with pytest.raises(ValidationFailed, match="no later transcript segment"):
        flows.dispose(session, alert, data=nowhere, actor=admin)
    said = DispositionIn(disposition="corrected_on_air", corrected_at_ms=10_500)
    flows.dispose(session, alert, data=said, actor=admin)
    assert alert.disposition is Disposition.CORRECTED_ON_AIR
    assert alert.correction_segment_id == "s-3"
    assert alert.disposed_by_user_id == admin.id
    with pytest.raises(InvalidTransition):
        flows.dispose(session, alert, data=DispositionIn(disposition="escalated"), actor=admin)
    assert "dispose" in audit_actions(session, "live_alerts", alert.id)


def test_escalated_alert_can_then_be_accepted(session, demo) -> None:
    _, alert = _on_air_alert(session, demo)
    admin = use_org(session, demo)
    flows.dispose(session, alert, data=DispositionIn(disposition="escalated"), actor=admin)
    accepted = DispositionIn(disposition="accepted", reason="平台已确认")
    assert flows.dispose(session, alert, data=accepted, actor=admin).reason == "平台已确认"


def test_product_suspended_during_a_session_raises_an_alert(session, demo) -> None:
    live = make_live(session, demo, live=True)
    ended = make_live(session, demo, live=True)
    product_id = live.lineup[0].product_id
    admin = use_org(session, demo)
    flows.end(session, ended, actor=admin)
    alerts = flows.on_product_suspended(session, product_id, actor=admin)
    assert [a.live_session_id for a in alerts] == [live.id]
    assert alerts[0].code == flows.PRODUCT_SUSPENDED and alerts[0].severity == "high"
    assert alerts[0].source is AlertSource.PRODUCT
    assert "product_suspended" in audit_actions(session, "live_alerts", alerts[0].id)


def test_a_second_suspension_notice_raises_no_second_alert(session, demo) -> None:
    live = make_live(session, demo, live=True)
    product_id = live.lineup[0].product_id
    admin = use_org(session, demo)
    first = flows.on_product_suspended(session, product_id, actor=admin)
    again = flows.on_product_suspended(session, product_id, actor=admin)
    assert [a.id for a in again] == [a.id for a in first]
    open_alerts = session.scalars(
        select(Alert).where(Alert.live_session_id == live.id, Alert.code == flows.PRODUCT_SUSPENDED)
    ).all()
    assert len(open_alerts) == 1


def test_retention_cutoff_handles_leap_days() -> None:
    leap = datetime(2028, 2, 29, tzinfo=UTC)
    assert flows.retention_cutoff(leap, 3) == datetime(2025, 2, 28, tzinfo=UTC)


def test_purge_deletes_only_sessions_past_retention_and_is_audited(session, demo) -> None:
    old = make_live(session, demo, live=True)
    recent = make_live(session, demo, live=True)
    admin = use_org(session, demo)
    process_segments(session, old, [seg(1, "全网最低价", item=old.lineup[0].id)])
    for live in (old, recent):
        flows.end(session, live, actor=admin)
    now = datetime.now(UTC)
    old.ended_at = now - timedelta(days=3 * 366 + 2)
    recent.ended_at = now - timedelta(days=3 * 365 - 5)
    session.flush()
    old_id, recent_id = old.id, recent.id
    assert flows.purge_expired_batch(session, now=now, dry_run=True) == [old_id]
    assert session.get(LiveSession, old_id) is not None
    assert flows.purge_expired_batch(session, now=now) == [old_id]
    session.expunge_all()
    assert session.scalars(select(LiveSession).where(LiveSession.id == old_id)).first() is None
    assert not session.scalars(select(Segment).where(Segment.live_session_id == old_id)).all()
    assert service.get_or_raise(session, recent_id)
    purge = session.scalars(select(AuditEvent).where(AuditEvent.action == "purge_expired")).all()
    assert purge and purge[-1].after["ids"] == [old_id]
    service.set_retention_years(session, years=10, actor=admin)
    old_again = make_live(session, demo, live=True)
    flows.end(session, old_again, actor=admin)
    old_again.ended_at = now - timedelta(days=5 * 366)
    session.flush()
    assert flows.purge_expired_batch(session, now=now) == []
