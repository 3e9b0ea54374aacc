"""Batch ingest: idempotent by segment id, ordered by seq, scanned with the product's facts."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from liveqc.compliance import flows as compliance_flows
from liveqc.compliance import service as compliance_service
from liveqc.compliance.engines import engines
from liveqc.compliance.models import DictionaryState, EntryKind
from liveqc.db import tenancy
from liveqc.db.bulk import Batch
from liveqc.errors import NotFound
from liveqc.live_sessions.ingest import process, statements
from liveqc.live_sessions.ingest.process import alert_payload, ingest, process_segments
from liveqc.live_sessions.models import (
    Alert,
    AlertSource,
    LiveSession,
    LiveSessionStatus,
    PriceRecord,
    Segment,
)
from liveqc.live_sessions.schemas import SegmentAck
from liveqc.products.models import ProductPrice
from tests.factories.live_sessions import make_live, seg, use_org


def count(session, model, live) -> int:
    return session.scalar(select(func.count(model.id)).where(model.live_session_id == live.id))


def test_resent_segment_is_acknowledged_not_stored_twice(session, demo) -> None:
    live = make_live(session, demo, live=True)
    first = process_segments(session, live, [seg(1, "全网最低价"), seg(2, "大家好")])
    assert [a.status for a in first] == ["stored", "stored"]
    assert first[0].alerts and first[0].alerts[0].code in {"absolute_term", "price_fraud"}
    again = process_segments(session, live, [seg(1, "全网最低价"), seg(2, "大家好")])
    assert [a.status for a in again] == ["duplicate", "duplicate"]
    assert all(not a.alerts for a in again)
    assert count(session, Segment, live) == 2
    assert count(session, Alert, live) == len(first[0].alerts)
    assert again[-1].last_seq == 2 and again[-1].expected_seq == 3


def test_gap_is_refused_and_names_the_expected_seq(session, demo) -> None:
    live = make_live(session, demo, live=True)
    acks = process_segments(session, live, [seg(1, "一"), seg(3, "三"), seg(2, "二")])
    assert [a.status for a in acks] == ["stored", "gap", "gap"]
    assert acks[1].expected_seq == 2
    acks = process_segments(session, live, [seg(2, "二"), seg(3, "三")])
    assert [a.status for a in acks] == ["stored", "stored"]
    assert live.last_seq == 3 and live.last_segment_id == "s-3"


def test_new_segment_with_a_taken_seq_is_stale(session, demo) -> None:
    live = make_live(session, demo, live=True)
    process_segments(session, live, [seg(1, "一")])
    (ack,) = process_segments(session, live, [seg(1, "另一句", segment_id="other")])
    assert ack.status == "stale" and ack.expected_seq == 2
    assert count(session, Segment, live) == 1


def test_first_segment_takes_a_ready_session_live_but_scheduled_is_refused(session, demo) -> None:
    scheduled = make_live(session, demo)
    (ack,) = process_segments(session, scheduled, [seg(1, "你好")])
    assert ack.status == "rejected" and "ready" in ack.detail
    ready = make_live(session, demo, ready=True)
    process_segments(session, ready, [seg(1, "你好")])
    assert ready.status is LiveSessionStatus.LIVE and ready.started_at is not None


def test_comments_raise_off_platform_and_minor_alerts(session, demo) -> None:
    live = make_live(session, demo, live=True)
    acks = process_segments(
        session,
        live,
        [
            seg(1, "主播加个V信吧，私下转账便宜点", kind="comment"),
            seg(2, "我才10岁，用我妈手机给主播刷了礼物", kind="comment"),
            seg(3, "L码还有吗", kind="comment"),
        ],
    )
    codes = [{a.code for a in ack.alerts} for ack in acks]
    assert "off_platform_transaction" in codes[0]
    assert "minor_protection" in codes[1]
    assert codes[2] == set()
    assert all(a.source is AlertSource.COMMENT for ack in acks for a in ack.alerts)
    assert count(session, PriceRecord, live) == 0


def test_prices_said_are_recorded_against_the_lineup_item(session, demo) -> None:
    live = make_live(session, demo, categories=("cosmetics", "food"), live=True)
    first, second = (item.id for item in live.lineup)
    process_segments(
        session,
        live,
        [
            seg(1, "原价两百九十九，今天只要九十九", item=first),
            seg(2, "再说一遍，到手价九十九元"),
            seg(3, "下一款，日常价六十九", item=second),
        ],
    )
    rows = session.scalars(
        select(PriceRecord).where(PriceRecord.live_session_id == live.id).order_by(PriceRecord.id)
    ).all()
    said = [(r.lineup_item_id, r.amount, r.kind) for r in rows]
    assert (first, 299.0, "original") in said and (first, 99.0, "current") in said
    assert said.count((first, 99.0, "current")) == 2  # the item carries over to segment 2
    assert (second, 69.0, "original") in said
    assert live.current_lineup_item_id == second


def test_original_price_is_judged_against_the_7_day_history(session, demo) -> None:
    live = make_live(session, demo, live=True)
    item = live.lineup[0]
    use_org(session, demo)
    session.add(
        ProductPrice(
            product_id=item.product_id,
            price=Decimal("299"),
            charged_at=live.started_at - timedelta(days=2),
        )
    )
    session.flush()
    (ok,) = process_segments(session, live, [seg(1, "原价二百九十九，今天九十九", item=item.id)])
    assert "price_fraud" not in {a.code for a in ok.alerts}
    (bad,) = process_segments(session, live, [seg(2, "原价三百九十九，今天九十九", item=item.id)])
    assert "price_fraud" in {a.code for a in bad.alerts}


def test_unknown_lineup_item_is_rejected(session, demo) -> None:
    live = make_live(session, demo, live=True)
    (ack,) = process_segments(session, live, [seg(1, "你好", item=987654)])
    assert ack.status == "rejected" and "lineup_item_id" in ack.detail
    assert live.last_seq == 0


def test_acks_and_alert_payloads_have_the_read_schemas_json_shape(session, demo) -> None:
    live = make_live(session, demo, live=True)
    ((ack, clean),) = ingest(session, [(live.id, [seg(1, "全网最低价"), seg(2, "大家好")])])
    assert ack == SegmentAck.model_validate(ack).model_dump(mode="json")
    assert list(ack) == list(SegmentAck.model_fields) and clean["alerts"] == []
    rows = session.scalars(select(Alert).where(Alert.live_session_id == live.id).order_by(Alert.id))
    assert ack["alerts"] == [alert_payload(row) for row in rows]
    assert ack["alerts"][0]["segment_pk"] == session.scalar(
        select(Segment.id).where(Segment.live_session_id == live.id, Segment.seq == 1)
    )


def test_position_is_written_to_the_session_row(session, demo) -> None:
    live = make_live(session, demo, live=True)
    process_segments(session, live, [seg(1, "一"), seg(2, "二")])
    session.expire_all()
    stored = session.get_one(LiveSession, live.id)
    assert (stored.last_seq, stored.last_segment_id) == (2, "s-2")


def test_a_session_of_another_organisation_is_not_found(session, demo) -> None:
    theirs = make_live(session, demo, org="青禾优选", live=True)
    use_org(session, demo, "星河直播")
    with pytest.raises(NotFound):
        ingest(session, [(theirs.id, [seg(1, "全网最低价")])])
    use_org(session, demo, "青禾优选")
    assert count(session, Segment, theirs) == 0


def test_a_read_scope_does_not_open_another_organisations_sessions_to_ingest(session, demo) -> None:
    """Ingest writes: a read scope over both organisations still locks only the session's own."""
    theirs = make_live(session, demo, org="青禾优选", live=True)
    use_org(session, demo, "星河直播")
    organisations = [demo.organisations[name].id for name in ("星河直播", "青禾优选")]
    with tenancy.read_scope(session, organisations, reason="test"), pytest.raises(NotFound):
        ingest(session, [(theirs.id, [seg(1, "全网最低价")])])


def test_duplicates_are_told_apart_per_session_in_one_transaction(session, demo) -> None:
    """Segment ids are the client's: the same id in two sessions is two segments, and a
    batch over many sessions finds exactly the pairs already stored."""
    use_org(session, demo)
    first, second = make_live(session, demo, live=True), make_live(session, demo, live=True)
    ingest(session, [(first.id, [seg(1, "一"), seg(2, "二")]), (second.id, [seg(1, "一")])])
    acks = ingest(
        session,
        [
            (first.id, [seg(2, "二"), seg(3, "三")]),
            (second.id, [seg(2, "二"), seg(3, "三", segment_id="s-1")]),
        ],
    )
    assert [a["status"] for a in acks[0]] == ["duplicate", "stored"]
    assert [a["status"] for a in acks[1]] == ["stored", "duplicate"]
    assert count(session, Segment, first) == 3 and count(session, Segment, second) == 2


def test_stored_ids_are_found_by_the_unique_index(session, demo, backend) -> None:
    """The lookup probes (session, segment id) pairs; it must not fall back to scanning all
    of an organisation's segments, which grow by thousands a minute on air."""
    use_org(session, demo)
    live = make_live(session, demo, live=True)
    process_segments(session, live, [seg(1, "一")])
    connection = session.connection()
    sql, parameters = statements.known(connection.dialect, [(live.id, "s-1"), (live.id, "s-2")])
    if backend == "postgresql":  # the tables are tiny here; ask what plan the index gives
        session.execute(text("SET LOCAL enable_seqscan = off"))
    explain = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN "
    batch = Batch(connection)
    batch.add(sql, parameters)
    batch.add(explain + sql, parameters)
    found, plan_rows = batch.run()
    assert sorted(found, key=str) == sorted([(live.id, None), (live.id, "s-1")], key=str)
    plan = " ".join(str(row) for row in plan_rows)
    # each wanted pair drives an index probe by its session (and id, where the planner likes)
    assert (
        "(live_session_id=? AND segment_id=?)" in plan
        if backend == "sqlite"
        else "SubPlan" in plan and "Index Cond: (live_session_id = wanted.ls" in plan
    ), plan
    assert "organisation_id" not in plan, plan


def test_the_organisations_dictionary_reaches_the_next_transaction(session, demo) -> None:
    """Ingest reads the dictionary's version with its other reads: a phrase banned between two
    transactions is caught in the second, and one another process lifts is no longer caught
    once this process has rebuilt its engine (it never sees that change itself)."""
    live = make_live(session, demo, live=True)
    org = demo.organisations["星河直播"].id
    phrase_said = [seg(n, "这口锅真是煮饭小钢炮") for n in range(1, 5)]

    def alerts(segment) -> list[tuple[str, str]]:
        (ack,) = ingest(session, [(live.id, [segment])])[0]
        return [(a["code"], a["match"]) for a in ack["alerts"]]

    assert alerts(phrase_said[0]) == []
    entry = compliance_flows.add_entry(
        session, kind=EntryKind.BANNED, phrase="小钢炮", code="absolute_term", actor=None
    )
    engines.wait(org)
    assert alerts(phrase_said[1]) == [("absolute_term", "小钢炮")]
    # another process removes the entry: only the database changes here, not this process
    session.delete(entry)
    session.flush()
    state = session.scalars(select(DictionaryState)).one()
    state.fingerprint = compliance_service.load_dictionary(session).fingerprint
    session.flush()
    alerts(phrase_said[2])  # sees the new version; the old engine serves while one builds
    engines.wait(org)
    assert alerts(phrase_said[3]) == []


def test_cached_facts_expire_at_spread_times(session, demo) -> None:
    """Sessions that went on air together do not all read their products' facts again in the
    same second: each cached entry lives between half and one and a half times the TTL."""
    lives = [make_live(session, demo, live=True) for _ in range(20)]
    process._FACTS_CACHE.clear()
    for live in lives:
        ingest(session, [(live.id, [seg(1, "大家好")])])
    now = time.monotonic()
    left = [expires - now for expires, _ in process._FACTS_CACHE.values()]
    ttl = process.FACTS_TTL_SECONDS
    assert len(left) == len(lives)
    assert all(0.5 * ttl - 5 <= seconds <= 1.5 * ttl for seconds in left)
    assert max(left) - min(left) > 0.2 * ttl
