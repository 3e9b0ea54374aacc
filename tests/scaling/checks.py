"""The checks of the fault tests: what was stored, what a direct scan finds, and what a worker
holds unacknowledged."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from tests.scaling.harness import LOW_PRICE, Seeded


def batches_in_hand(nats_url: str, prefix: str, partitions: int) -> int:
    """Batches delivered to a worker and not yet acknowledged, over every partition's consumer
    (the stream and consumer names of docs/scaling.md)."""
    import nats

    async def count() -> int:
        client = await nats.connect(nats_url, connect_timeout=5, max_reconnect_attempts=1)
        try:
            js = client.jetstream()
            stream = f"{prefix.upper()}_SEGMENTS"
            infos = [await js.consumer_info(stream, f"segments-{p}") for p in range(partitions)]
            return sum(info.num_ack_pending or 0 for info in infos)
        finally:
            await client.close()

    return asyncio.run(count())


def stored(engine: Engine, seeded: Seeded) -> tuple[Counter[Any], Counter[Any]]:
    """(segments stored, alerts stored) in the seeded sessions, as multisets: (session, segment
    id, seq) and (session, segment id, source, code, rule, severity, start, end, match)."""
    from liveqc.db import tenancy
    from liveqc.db.session import make_session_factory
    from liveqc.live_sessions.models import Alert, Segment

    with make_session_factory(engine)() as session:
        tenancy.set_organisation(session, seeded.organisation_id)
        ids = list(seeded.sessions)
        segments = Counter(
            tuple(row)
            for row in session.execute(
                select(Segment.live_session_id, Segment.segment_id, Segment.seq).where(
                    Segment.live_session_id.in_(ids)
                )
            )
        )
        alerts = Counter(
            (
                a.live_session_id,
                segment_id,
                str(a.source),
                a.code,
                a.rule,
                str(a.severity),
                a.start,
                a.end,
                a.match,
            )
            for a, segment_id in session.execute(
                select(Alert, Segment.segment_id)
                .join(Segment, Segment.id == Alert.segment_pk)
                .where(Alert.live_session_id.in_(ids))
            )
        )
    return segments, alerts


def expected_alerts(
    engine: Engine, seeded: Seeded, work: dict[int, list[dict[str, Any]]]
) -> Counter[Any]:
    """What a direct ComplianceEngine scan of the same texts, with the same facts, finds."""
    from liveqc.db import tenancy
    from liveqc.db.session import make_session_factory
    from liveqc.live_sessions import service
    from liveqc.live_sessions.models import LiveSession
    from liveqc.products.models import Product

    out: Counter[Any] = Counter()
    with make_session_factory(engine)() as session:
        tenancy.set_organisation(session, seeded.organisation_id)
        scanner = service.engine_for(session, seeded.organisation_id)
        product = session.get(Product, seeded.product_id)
        assert product is not None
        for live_id, segments in work.items():
            live = session.get(LiveSession, live_id)
            assert live is not None and live.started_at is not None
            facts = service.product_facts(session, product, at=live.started_at)
            assert facts.get("lowest_price_7d") == float(LOW_PRICE)
            for seg in segments:
                result = scanner.check(
                    seg["text"], category=str(product.category), facts=facts, scene=seg["kind"]
                )
                for f in result.findings:
                    out[
                        (
                            live_id,
                            seg["segment_id"],
                            seg["kind"],
                            f.code,
                            f.rule,
                            str(f.severity),
                            f.start,
                            f.end,
                            f.match[:500],
                        )
                    ] += 1
    return out


def sent_segments(work: dict[int, list[dict[str, Any]]]) -> Counter[Any]:
    return Counter(
        (live_id, s["segment_id"], s["seq"]) for live_id, segments in work.items() for s in segments
    )
