"""The ingest writer: many connections' batches share transactions; acks go to each caller."""

from __future__ import annotations

import asyncio
from typing import Any

from liveqc.live_sessions.ingest.writer import IngestWriter
from tests.factories.live_sessions import make_live, seg


def test_batches_of_many_sessions_are_coalesced(session_factory, demo) -> None:
    with session_factory() as session, session.begin():
        lives = [make_live(session, demo, live=True) for _ in range(4)]
        org = lives[0].organisation_id
        ids = [live.id for live in lives]
    writer = IngestWriter(session_factory)

    async def scenario() -> list[list[list[dict]]]:
        async def one(live_id: int) -> list[list[dict]]:
            results = []
            for n in (1, 2, 3):
                text = "全网最低价" if n == 2 else f"第{n}句"
                results.append(
                    await writer.submit(
                        organisation_id=org,
                        user_id=None,
                        live_session_id=live_id,
                        segments=[seg(n, text, segment_id=f"{live_id}-{n}")],
                    )
                )
            return results

        return await asyncio.gather(*(one(i) for i in ids))

    results = asyncio.run(scenario())
    for per_session in results:
        assert [acks[0]["status"] for acks in per_session] == ["stored"] * 3
        assert [acks[0]["last_seq"] for acks in per_session] == [1, 2, 3]
        assert per_session[1][0]["alerts"] and not per_session[0][0]["alerts"]
    assert writer.transactions < 12  # twelve batches, fewer commits


def test_a_failing_batch_fails_only_its_callers(session_factory, demo) -> None:
    with session_factory() as session, session.begin():
        live = make_live(session, demo, live=True)
        org, live_id = live.organisation_id, live.id
    writer = IngestWriter(session_factory)

    async def scenario() -> tuple[object, list[dict]]:
        missing = writer.submit(
            organisation_id=org, user_id=None, live_session_id=987654, segments=[seg(1, "x")]
        )
        try:
            await missing
        except Exception as exc:
            failure: object = exc
        ok = await writer.submit(
            organisation_id=org, user_id=None, live_session_id=live_id, segments=[seg(1, "y")]
        )
        return failure, ok

    failure, ok = asyncio.run(scenario())
    assert "does not exist" in str(failure)
    assert ok[0]["status"] == "stored"


def test_a_busy_writer_lets_batches_gather_before_the_next_transaction(
    session_factory, demo
) -> None:
    with session_factory() as session, session.begin():
        lives = [make_live(session, demo, live=True) for _ in range(4)]
        org = lives[0].organisation_id
    writer = IngestWriter(session_factory, linger=1.0)

    def send(live_id: int, n: int) -> Any:
        return writer.submit(
            organisation_id=org,
            user_id=None,
            live_session_id=live_id,
            segments=[seg(n, f"第{n}句", segment_id=f"{live_id}-{n}")],
        )

    async def scenario() -> list[list[dict]]:
        first = await send(lives[0].id, 1)  # an idle writer starts at once
        later = []
        for live in lives[1:]:
            later.append(asyncio.ensure_future(send(live.id, 1)))
            await asyncio.sleep(0.01)
        return [first, *await asyncio.gather(*later)]

    results = asyncio.run(scenario())
    assert [acks[0]["status"] for acks in results] == ["stored"] * 4
    assert writer.transactions == 2  # the three later batches waited for one another
