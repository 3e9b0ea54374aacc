"""Demo live sessions: both agencies, a replayed session with alerts, idempotent loading."""

from __future__ import annotations

from sqlalchemy import func, select

from liveqc.db import tenancy
from liveqc.demo.loader import load
from liveqc.live_sessions.models import Alert, Disposition, LiveSession, Segment


def test_each_agency_has_a_replayed_and_a_ready_session(session_factory, demo, settings) -> None:
    with session_factory() as session:
        for org in ("星河直播", "青禾优选"):
            tenancy.set_organisation(session, demo.organisations[org].id)
            rows = list(session.scalars(select(LiveSession)))
            statuses = sorted(str(r.status) for r in rows)
            assert statuses == ["ended", "ready"], org
            ended = next(r for r in rows if r.ended_at)
            assert (
                session.scalar(
                    select(func.count(Segment.id)).where(Segment.live_session_id == ended.id)
                )
                >= 15
            )
            alerts = list(session.scalars(select(Alert).where(Alert.live_session_id == ended.id)))
            assert {a.source.value for a in alerts} >= {"transcript", "comment"}
            assert any(a.disposition is Disposition.ACCEPTED and a.reason for a in alerts)
        assert any(r.has_virtual_host for r in rows)
    with session_factory() as session, session.begin():
        again = load(session, settings)
    assert "live_sessions" not in again.created
