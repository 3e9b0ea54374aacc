"""Live-sessions API: sessions, hosts, lineup, script review, ingest, alerts, prices, report.

Thin: tenancy comes from the session; errors go to the central problem handlers.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, WebSocket, WebSocketDisconnect, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from liveqc.accounts import service as accounts
from liveqc.accounts.models import Role
from liveqc.accounts.service import Principal
from liveqc.api.deps import (
    CurrentPrincipal,
    IdPath,
    PageDep,
    SessionDep,
    SettingsDep,
    require_roles,
)
from liveqc.config import IngestMode
from liveqc.db import tenancy
from liveqc.errors import LiveQCError
from liveqc.live_sessions import flows, report, service
from liveqc.live_sessions.broker.writer import submit_from_thread
from liveqc.live_sessions.ingest.process import alert_payload, process_segments
from liveqc.live_sessions.ingest.stream import Feed, feed_response, last_event_id, open_feed
from liveqc.live_sessions.ingest.websocket import IngestConnection
from liveqc.live_sessions.ingest.writer import writer_for
from liveqc.live_sessions.models import AlertSource, Disposition, LiveSession, LiveSessionStatus
from liveqc.live_sessions.schemas import (
    AlertPage,
    AlertRead,
    DispositionIn,
    HostCreate,
    HostRead,
    IngestResult,
    IngestState,
    LineupItemCreate,
    LineupItemRead,
    LiveSessionCreate,
    LiveSessionPage,
    LiveSessionRead,
    PriceRecordPage,
    PriceRecordRead,
    RetentionIn,
    RetentionRead,
    SegmentBatch,
    SegmentIn,
)

router = APIRouter(tags=["live-sessions"])
Planner = Annotated[
    Principal,
    Depends(require_roles(Role.ADMIN, Role.COMPLIANCE_REVIEWER, Role.QC_REVIEWER, Role.HOST)),
]
Reviewer = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.COMPLIANCE_REVIEWER))]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


def current_live_session(
    live_session_id: IdPath, _: CurrentPrincipal, session: SessionDep
) -> LiveSession:
    return service.get_or_raise(session, live_session_id)


Live = Annotated[LiveSession, Depends(current_live_session)]


@router.get("/live-sessions/retention", response_model=RetentionRead)
def get_retention(_: CurrentPrincipal, session: SessionDep) -> RetentionRead:
    return RetentionRead(
        years=service.retention_years(session), minimum_years=service.MIN_RETENTION_YEARS
    )


@router.put("/live-sessions/retention", response_model=RetentionRead)
def set_retention(body: RetentionIn, principal: Admin, session: SessionDep) -> RetentionRead:
    policy = service.set_retention_years(session, years=body.years, actor=principal.user)
    return RetentionRead(years=policy.years, minimum_years=service.MIN_RETENTION_YEARS)


@router.get("/live-sessions", response_model=LiveSessionPage)
def list_live_sessions(
    _: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    status: Annotated[LiveSessionStatus | None, Query()] = None,
) -> LiveSessionPage:
    rows, total = service.list_(session, limit=page.limit, offset=page.offset, status=status)
    return LiveSessionPage(
        items=[LiveSessionRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/live-sessions", status_code=status.HTTP_201_CREATED, response_model=LiveSessionRead)
def create_live_session(
    body: LiveSessionCreate, principal: Planner, session: SessionDep
) -> LiveSessionRead:
    return LiveSessionRead.model_validate(service.create(session, data=body, actor=principal.user))


@router.get("/live-sessions/{live_session_id}", response_model=LiveSessionRead)
def get_live_session(live: Live) -> LiveSessionRead:
    return LiveSessionRead.model_validate(live)


@router.post(
    "/live-sessions/{live_session_id}/hosts",
    status_code=status.HTTP_201_CREATED,
    response_model=HostRead,
)
def add_host(body: HostCreate, live: Live, principal: Planner, session: SessionDep) -> HostRead:
    return HostRead.model_validate(service.add_host(session, live, data=body, actor=principal.user))


@router.post(
    "/live-sessions/{live_session_id}/lineup",
    status_code=status.HTTP_201_CREATED,
    response_model=LineupItemRead,
)
def add_lineup_item(
    body: LineupItemCreate, live: Live, principal: Planner, session: SessionDep
) -> LineupItemRead:
    return LineupItemRead.model_validate(
        service.add_lineup_item(session, live, data=body, actor=principal.user)
    )


@router.post("/live-sessions/{live_session_id}/script-review", response_model=AlertPage)
def review_scripts(live: Live, principal: Reviewer, session: SessionDep) -> AlertPage:
    """Scan every lineup script; returns the unresolved script findings."""
    rows = flows.review_scripts(session, live, actor=principal.user)
    return AlertPage(
        items=[AlertRead.model_validate(r) for r in rows],
        total=len(rows),
        limit=len(rows),
        offset=0,
    )


@router.post("/live-sessions/{live_session_id}/ready", response_model=LiveSessionRead)
def mark_ready(live: Live, principal: Planner, session: SessionDep) -> LiveSessionRead:
    """Scheduled → ready; refused while scripts have unresolved high-severity findings."""
    return LiveSessionRead.model_validate(flows.mark_ready(session, live, actor=principal.user))


@router.post("/live-sessions/{live_session_id}/start", response_model=LiveSessionRead)
def start(live: Live, principal: Planner, session: SessionDep) -> LiveSessionRead:
    """Ready → live (the first ingested segment does it too)."""
    return LiveSessionRead.model_validate(flows.start(session, live, actor=principal.user))


@router.post("/live-sessions/{live_session_id}/end", response_model=LiveSessionRead)
def end(live: Live, principal: Planner, session: SessionDep) -> LiveSessionRead:
    """Live → ended."""
    return LiveSessionRead.model_validate(flows.end(session, live, actor=principal.user))


@router.post("/live-sessions/{live_session_id}/segments", response_model=IngestResult)
def ingest_segments(
    request: Request,
    body: SegmentBatch,
    live: Live,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> IngestResult:
    """Store and scan a batch of segments (idempotent by segment id, ordered by seq)."""
    if settings.ingest_mode is IngestMode.BROKER:
        reply = submit_from_thread(
            request.app,
            session,
            organisation_id=live.organisation_id,
            user_id=principal.user.id,
            live_session_id=live.id,
            segments=body.segments,
        )
        return IngestResult.model_validate(reply)
    acks = process_segments(session, live, body.segments, actor=principal.user)
    return IngestResult(acks=acks, last_seq=live.last_seq, last_segment_id=live.last_segment_id)


@router.get("/live-sessions/{live_session_id}/ingest-state", response_model=IngestState)
def ingest_state(live: Live) -> IngestState:
    """Where a reconnecting client resumes: the last acknowledged seq and segment id."""
    return IngestState(
        live_session_id=live.id,
        status=live.status,
        last_seq=live.last_seq,
        last_segment_id=live.last_segment_id,
        expected_seq=live.last_seq + 1,
    )


def alert_feed(
    request: Request,
    live: Live,
    session: SessionDep,
    after_id: Annotated[int | None, Query(ge=0, le=2_147_483_647)] = None,
) -> Feed:
    after = last_event_id(request, after_id)

    def backlog() -> list[dict[str, Any]]:
        rows, _ = service.list_alerts(session, live, limit=500, after_id=after)
        return [alert_payload(r) for r in rows]

    return open_feed(live.organisation_id, live.id, backlog)


@router.get("/live-sessions/{live_session_id}/alerts/stream", response_class=StreamingResponse)
async def stream_alerts(
    request: Request,
    feed: Annotated[Feed, Depends(alert_feed)],
    max_seconds: Annotated[float, Query(gt=0, le=3600)] = 300,
) -> StreamingResponse:
    """Server-sent events: alerts after ``Last-Event-ID`` (or ``after_id``), then new ones as
    they are raised or disposed, until ``max_seconds`` (the client reconnects)."""
    return feed_response(request, feed, max_seconds)


@router.get("/live-sessions/{live_session_id}/alerts", response_model=AlertPage)
def list_alerts(
    live: Live,
    session: SessionDep,
    page: PageDep,
    source: Annotated[AlertSource | None, Query()] = None,
    disposition: Annotated[Disposition | None, Query()] = None,
) -> AlertPage:
    rows, total = service.list_alerts(
        session,
        live,
        limit=page.limit,
        offset=page.offset,
        source=source,
        disposition=disposition,
    )
    return AlertPage(
        items=[AlertRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/live-sessions/{live_session_id}/alerts/{alert_id}", response_model=AlertRead)
def get_alert(alert_id: IdPath, live: Live, session: SessionDep) -> AlertRead:
    return AlertRead.model_validate(service.get_alert_or_raise(session, live, alert_id))


@router.post(
    "/live-sessions/{live_session_id}/alerts/{alert_id}/disposition", response_model=AlertRead
)
def dispose_alert(
    alert_id: IdPath, body: DispositionIn, live: Live, principal: Reviewer, session: SessionDep
) -> AlertRead:
    """corrected_on_air (with the correction's time in the stream), accepted (with a reason)
    or escalated; audited."""
    alert = service.get_alert_or_raise(session, live, alert_id)
    return AlertRead.model_validate(flows.dispose(session, alert, data=body, actor=principal.user))


@router.get("/live-sessions/{live_session_id}/prices", response_model=PriceRecordPage)
def list_prices(live: Live, session: SessionDep) -> PriceRecordPage:
    rows = service.list_prices(session, live)
    return PriceRecordPage(items=[PriceRecordRead.model_validate(r) for r in rows], total=len(rows))


@router.get("/live-sessions/{live_session_id}/report", response_class=Response)
def download_report(
    live: Live,
    session: SessionDep,
    format: Annotated[Literal["html", "pdf"], Query()] = "html",
    lang: Annotated[Literal["zh-CN", "en"], Query()] = "zh-CN",
) -> Response:
    """The session report as a download (HTML or PDF)."""
    return report.download(session, live, fmt=format, locale=lang)


def _open(
    factory: Any, token: str, org_header: str | None, live_id: int
) -> tuple[Principal, dict[str, Any]]:
    """The token's principal and the session's resume point (the ``hello`` message)."""
    from liveqc.api.deps import parse_org_header
    from liveqc.errors import AuthenticationRequired

    with factory() as session, session.begin():
        user = accounts.user_for_token(session, token) if token else None
        if user is None:
            raise AuthenticationRequired("send a valid API token")
        principal = accounts.principal_for(user, parse_org_header(org_header))
        tenancy.set_organisation(session, principal.organisation.id)
        live = service.get_or_raise(session, live_id)
        return principal, {
            "type": "hello",
            "live_session_id": live.id,
            "status": str(live.status),
            "last_seq": live.last_seq,
            "last_segment_id": live.last_segment_id,
            "expected_seq": live.last_seq + 1,
        }


#: Connections opening at once (each holds a worker thread and a database connection): more
#: would starve the thread pool that request handling needs.
OPENING_AT_ONCE = 4


def _opening_gate(app: Any) -> asyncio.Semaphore:
    gate = getattr(app.state, "live_ingest_gate", None)
    if gate is None:
        gate = app.state.live_ingest_gate = asyncio.Semaphore(OPENING_AT_ONCE)
    return gate


@router.websocket("/live-sessions/{live_session_id}/ingest")
async def ingest_socket(websocket: WebSocket, live_session_id: int) -> None:
    """Segments in, acks out. Token: ``Authorization: Bearer`` header, or ``?token=`` for
    clients that cannot set headers (browsers)."""
    header = websocket.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    token = token or websocket.query_params.get("token", "").strip()
    factory = websocket.app.state.session_factory
    await websocket.accept()
    try:
        async with _opening_gate(websocket.app):
            principal, hello = await run_in_threadpool(
                _open, factory, token, websocket.headers.get("x-liveqc-org"), live_session_id
            )
    except LiveQCError as exc:
        await websocket.send_json({"type": "error", "code": exc.code, "detail": exc.detail})
        codes = {"authentication-required": 4401, "not-found": 4404}
        await websocket.close(code=codes.get(exc.code, 4403))
        return
    org_id, user_id = principal.organisation.id, principal.user.id
    await websocket.send_json(hello)
    writer = writer_for(websocket.app)

    async def process(batch: list[SegmentIn]) -> list[dict[str, Any]]:
        return await writer.submit(
            organisation_id=org_id, user_id=user_id, live_session_id=live_session_id, segments=batch
        )

    connection = IngestConnection(
        websocket, process, disconnect_errors=(WebSocketDisconnect, RuntimeError)
    )
    try:
        await connection.run()
    except (WebSocketDisconnect, RuntimeError):
        return
    except LiveQCError as exc:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await websocket.send_json({"type": "error", "code": exc.code, "detail": exc.detail})
            await websocket.close(code=1011)
        return
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await websocket.close()
