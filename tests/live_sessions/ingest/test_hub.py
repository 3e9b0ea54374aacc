"""The alert hub: per-organisation fan-out, bounded queues, publish only after commit."""

from __future__ import annotations

import asyncio
import threading

from liveqc.live_sessions.ingest.hub import HUB, AlertHub, publish_after_commit


def test_publish_reaches_only_matching_subscribers() -> None:
    async def scenario() -> tuple[list, list, list]:
        hub = AlertHub()
        everything = hub.subscribe(1)
        one_session = hub.subscribe(1, live_session_id=7)
        other_org = hub.subscribe(2)
        hub.publish(1, {"id": 1, "live_session_id": 7})
        hub.publish(1, {"id": 2, "live_session_id": 8})
        drained = []
        for sub in (everything, one_session, other_org):
            got = []
            while not sub.queue.empty():
                got.append(sub.queue.get_nowait()["id"])
            drained.append(got)
        hub.unsubscribe(everything)
        assert hub.subscriber_count(1) == 1
        return tuple(drained)

    assert asyncio.run(scenario()) == ([1, 2], [1], [])


def test_publish_from_another_thread_and_lagging_subscriber() -> None:
    async def scenario() -> tuple[int, bool]:
        hub = AlertHub(queue_size=3)
        sub = hub.subscribe(1)
        worker = threading.Thread(
            target=lambda: [hub.publish(1, {"id": n, "live_session_id": 1}) for n in range(5)]
        )
        worker.start()
        worker.join()
        await asyncio.sleep(0.01)
        return sub.queue.qsize(), sub.lagged

    assert asyncio.run(scenario()) == (3, True)


def test_alerts_are_published_after_commit_and_dropped_on_rollback(session_factory) -> None:
    async def scenario() -> list[int]:
        sub = HUB.subscribe(424242)
        try:
            with session_factory() as session:
                with session.begin():
                    publish_after_commit(session, 424242, [{"id": 1, "live_session_id": 1}])
                    assert sub.queue.empty()
                try:
                    with session.begin():
                        publish_after_commit(session, 424242, [{"id": 2, "live_session_id": 1}])
                        raise RuntimeError("roll back")
                except RuntimeError:
                    pass
            await asyncio.sleep(0.01)
            got = []
            while not sub.queue.empty():
                got.append(sub.queue.get_nowait()["id"])
            return got
        finally:
            HUB.unsubscribe(sub)

    assert asyncio.run(scenario()) == [1]
