"""What the web side and the workers share: stream and subject names, the connection, the
stream and consumer definitions, and the message format."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import nats
from nats.aio.client import Client as NATS
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.client import JetStreamContext
from nats.js.errors import BadRequestError

from liveqc.config import Settings
from liveqc.errors import InputError
from liveqc.live_sessions.schemas import SegmentIn

log = logging.getLogger("liveqc.live_sessions.broker")

#: How long a batch may go without a sign of life from its worker before JetStream gives it
#: to another worker. Short, so a killed worker stalls its partition only briefly; a worker
#: that is still busy with a batch says so every ``HEARTBEAT_SECONDS`` (``in_progress``).
ACK_WAIT_SECONDS = 6.0
HEARTBEAT_SECONDS = 2.0
#: Deliveries of one batch before JetStream gives up on it (with the nak back-off below, a
#: database outage of several minutes is ridden out).
MAX_DELIVER = 40
#: Window in which JetStream drops a re-published message with the same ``Nats-Msg-Id``.
DUPLICATE_WINDOW_SECONDS = 120.0
CONNECT_TIMEOUT_SECONDS = 5.0


class BrokerUnavailable(InputError):
    """NATS cannot be reached (the URL comes from ``LIVEQC_NATS_URL``)."""

    code = "broker-unavailable"
    title = "NATS unreachable"


@dataclass(frozen=True)
class Names:
    """Stream, subject and consumer names of one deployment (``LIVEQC_NATS_PREFIX``)."""

    prefix: str
    partitions: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Names:
        return cls(settings.nats_prefix, settings.ingest_partitions)

    @property
    def stream(self) -> str:
        return f"{self.prefix.upper()}_SEGMENTS"

    @property
    def segments_wildcard(self) -> str:
        return f"{self.prefix}.segments.*"

    @property
    def alerts_wildcard(self) -> str:
        return f"{self.prefix}.alerts.*"

    def partition_of(self, live_session_id: int) -> int:
        return live_session_id % self.partitions

    def segments_subject(self, partition: int) -> str:
        return f"{self.prefix}.segments.{partition}"

    def alerts_subject(self, organisation_id: int) -> str:
        return f"{self.prefix}.alerts.{organisation_id}"

    def consumer(self, partition: int) -> str:
        return f"segments-{partition}"


async def connect(url: str, *, name: str) -> NATS:
    """Connect, reconnecting for ever once connected (a NATS restart is ridden out).

    Raises:
        BrokerUnavailable: no NATS server answered within a few seconds.
    """
    client = NATS()
    connected = False

    async def on_error(exc: Exception) -> None:
        # before the first connection the failure is reported once, below
        log.log(logging.WARNING if connected else logging.DEBUG, "NATS: %s", exc or repr(exc))

    try:
        await asyncio.wait_for(
            client.connect(
                url,
                name=name,
                connect_timeout=2,
                max_reconnect_attempts=-1,
                reconnect_time_wait=1,
                error_cb=on_error,
            ),
            CONNECT_TIMEOUT_SECONDS,
        )
    except (TimeoutError, OSError, nats.errors.Error) as exc:
        await _close_quietly(client)
        raise BrokerUnavailable(
            f"cannot connect to {_safe(url)} (LIVEQC_NATS_URL) within "
            f"{CONNECT_TIMEOUT_SECONDS:.0f} s: is nats-server running with JetStream (-js)?"
        ) from exc
    connected = True
    return client


def _safe(url: str) -> str:
    """The URL without credentials, for messages."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}" if sep else url.rpartition("@")[2]


async def _close_quietly(client: NATS) -> None:
    try:
        await client.close()
    except Exception:  # a half-open client: nothing left to release
        log.debug("closing a failed NATS connection", exc_info=True)


async def ensure_stream(js: JetStreamContext, names: Names) -> None:
    """Create the work-queue stream, or bring an existing one to this definition."""
    config = StreamConfig(
        name=names.stream,
        subjects=[names.segments_wildcard],
        retention=RetentionPolicy.WORK_QUEUE,
        storage=StorageType.FILE,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
    )
    try:
        await js.add_stream(config)
    except BadRequestError:
        await js.update_stream(config)
    except nats.errors.NoRespondersError as exc:
        raise BrokerUnavailable("the NATS server has no JetStream: start it with -js") from exc


async def ensure_consumers(js: JetStreamContext, names: Names) -> None:
    """One durable pull consumer per partition, one batch in flight each (per-session order)."""
    for partition in range(names.partitions):
        await js.add_consumer(
            names.stream,
            ConsumerConfig(
                durable_name=names.consumer(partition),
                filter_subject=names.segments_subject(partition),
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                max_ack_pending=1,
                ack_wait=ACK_WAIT_SECONDS,
                max_deliver=MAX_DELIVER,
            ),
        )


@dataclass(frozen=True)
class Batch:
    """One connection's batch for one live session, as it travels through the stream."""

    organisation_id: int
    user_id: int | None
    live_session_id: int
    segments: list[SegmentIn]
    reply: str

    def encode(self) -> bytes:
        return json.dumps(
            {
                "organisation_id": self.organisation_id,
                "user_id": self.user_id,
                "live_session_id": self.live_session_id,
                "segments": [s.model_dump(mode="json") for s in self.segments],
                "reply": self.reply,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()

    @classmethod
    def decode(cls, data: bytes) -> Batch:
        """Raises ValueError (or pydantic's ValidationError) on a malformed message."""
        raw = json.loads(data)
        if not isinstance(raw, dict):
            raise ValueError("a batch must be a JSON object")
        user = raw.get("user_id")
        return cls(
            organisation_id=int(raw["organisation_id"]),
            user_id=int(user) if user is not None else None,
            live_session_id=int(raw["live_session_id"]),
            segments=[SegmentIn.model_validate(s) for s in raw["segments"]],
            reply=str(raw.get("reply") or ""),
        )

    def message_id(self) -> str:
        """The ``Nats-Msg-Id``: the session and the batch's first and last segment ids."""
        return msg_id(self.live_session_id, self.segments)


def msg_id(live_session_id: int, segments: Sequence[SegmentIn]) -> str:
    return f"{live_session_id}:{segments[0].segment_id}:{segments[-1].segment_id}"
