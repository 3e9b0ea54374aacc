"""Play a recorded transcript (JSON Lines) into a session, in stream time divided by ``speed``.

A recording line is a segment (``segment_id``, ``seq``, ``start_ms``, ``end_ms``, ``speaker``,
``kind``, ``text``) with ``lineup_position`` instead of a lineup item id, so one recording
fits any session with that lineup (a position the lineup lacks leaves the segment on the item
being presented). Replay resumes after the session's last acknowledged seq.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from liveqc.errors import InputError, ValidationFailed
from liveqc.live_sessions.schemas import SegmentIn

RECORDINGS = Path(__file__).parent / "recordings"


@dataclass
class ReplaySummary:
    sent: int = 0
    stored: int = 0
    duplicate: int = 0
    refused: int = 0
    alerts: int = 0
    codes: dict[str, int] = field(default_factory=dict)

    def count(self, ack: dict[str, Any]) -> None:
        status = ack.get("status")
        if status == "stored":
            self.stored += 1
        elif status == "duplicate":
            self.duplicate += 1
        else:
            self.refused += 1
        for alert in ack.get("alerts", []):
            self.alerts += 1
            self.codes[alert["code"]] = self.codes.get(alert["code"], 0) + 1


def read_recording(path: Path | str) -> list[dict[str, Any]]:
    """The recording's lines, each checked; a bad line is an InputError naming it."""
    records = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read recording ({type(exc).__name__})") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not an object")
            position = record.get("lineup_position")
            if position is not None and (not isinstance(position, int) or position < 1):
                raise ValueError("lineup_position must be a positive integer")
            SegmentIn.model_validate({k: v for k, v in record.items() if k != "lineup_position"})
        except (ValueError, ValidationError) as exc:
            first = str(exc).splitlines()[0][:200]
            raise InputError(f"{path}:{number}: not a recording line ({first})") from None
        records.append(record)
    return records


def to_segment(record: dict[str, Any], lineup: dict[int, int], *, strict: bool = True) -> SegmentIn:
    """The segment for ``record``, its lineup position mapped to this session's item id
    (a position the lineup lacks is an error, or with ``strict=False`` no item)."""
    data = {k: v for k, v in record.items() if k != "lineup_position"}
    position = record.get("lineup_position")
    if position is not None and position in lineup:
        data["lineup_item_id"] = lineup[position]
    elif position is not None and strict:
        raise ValidationFailed(f"lineup_position {position} is not in the session's lineup")
    return SegmentIn.model_validate(data)


def paced(
    records: Iterable[dict[str, Any]], speed: float, sleep: Callable[[float], None]
) -> Iterable[dict[str, Any]]:
    """Yield records at their stream times divided by ``speed`` (0 or less: no waiting)."""
    previous: int | None = None
    for record in records:
        if speed > 0 and previous is not None:
            sleep(max(0, record["start_ms"] - previous) / 1000 / speed)
        previous = record["start_ms"]
        yield record


class Channel(Protocol):
    def send(self, message: str) -> None: ...
    def recv(self) -> str: ...


def replay_over(
    channel: Channel,
    records: list[dict[str, Any]],
    lineup: dict[int, int],
    *,
    speed: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> ReplaySummary:
    """Send over an open ingest WebSocket, one segment at a time, waiting for each ack."""
    hello = json.loads(channel.recv())
    if hello.get("type") != "hello":
        raise ValidationFailed(f"ingest refused: {hello.get('detail', hello)}")
    summary = ReplaySummary()
    pending = [r for r in records if r["seq"] > hello["last_seq"]]
    for record in paced(pending, speed, sleep):
        segment = to_segment(record, lineup, strict=False)
        channel.send(segment.model_dump_json())
        summary.sent += 1
        while True:
            message = json.loads(channel.recv())
            if message.get("type") == "ack" and message.get("segment_id") == segment.segment_id:
                summary.count(message)
                break
            if message.get("type") == "error":
                summary.refused += 1
                break
    return summary


def replay_url(
    path: Path | str,
    *,
    url: str,
    token: str,
    live_session_id: int,
    speed: float = 10.0,
) -> ReplaySummary:
    """Replay into a running liveqc at ``url`` (http://host:port) with an API token."""
    import httpx
    from websockets.sync.client import connect

    records = read_recording(path)
    headers = {"Authorization": f"Bearer {token}"}
    base = url.rstrip("/")
    response = httpx.get(f"{base}/api/v1/live-sessions/{live_session_id}", headers=headers)
    if response.status_code != 200:
        raise ValidationFailed(
            f"live session {live_session_id}: HTTP {response.status_code} from {base}"
        )
    lineup = {item["position"]: item["id"] for item in response.json()["lineup"]}
    ws_url = base.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
    with connect(
        f"{ws_url}/api/v1/live-sessions/{live_session_id}/ingest", additional_headers=headers
    ) as socket:
        return replay_over(socket, records, lineup, speed=speed)  # type: ignore[arg-type]


def organisation_of(factory: Any, live_session_id: int) -> int:
    """The organisation that owns the session (an explicit, logged tenancy bypass)."""
    from liveqc.db.tenancy import bypass_tenancy
    from liveqc.errors import NotFound
    from liveqc.live_sessions.models import LiveSession

    with factory() as session, bypass_tenancy(session, reason="CLI: find a session's owner"):
        live = session.get(LiveSession, live_session_id)
        if live is None:
            raise NotFound(f"live session {live_session_id} does not exist")
        return int(live.organisation_id)


def replay_local(
    factory: Any,
    path: Path | str,
    *,
    live_session_id: int,
    speed: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> ReplaySummary:
    """Replay straight into the database (no server), one transaction per segment."""
    from liveqc.db.session import session_scope
    from liveqc.live_sessions import service
    from liveqc.live_sessions.ingest.process import process_segments

    records = read_recording(path)
    org_id = organisation_of(factory, live_session_id)
    with session_scope(factory, organisation_id=org_id) as session:
        live = service.get_or_raise(session, live_session_id)
        lineup = {item.position: item.id for item in live.lineup}
        last_seq = live.last_seq
    summary = ReplaySummary()
    for record in paced([r for r in records if r["seq"] > last_seq], speed, sleep):
        segment = to_segment(record, lineup, strict=False)
        with session_scope(factory, organisation_id=org_id) as session:
            live = service.get_or_raise(session, live_session_id)
            (ack,) = process_segments(session, live, [segment])
        summary.sent += 1
        summary.count(ack.model_dump(mode="json"))
    return summary
