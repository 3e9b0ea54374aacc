"""Console pages: sessions list, live monitor, session detail (script review, dispositions),
report page and downloads, and the alert streams the pages listen to."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select

from liveqc.accounts.models import Role
from liveqc.accounts.service import Principal
from liveqc.api.deps import IdPath, SessionDep
from liveqc.errors import LiveQCError, PermissionDenied
from liveqc.live_sessions import flows, report, service
from liveqc.live_sessions.ingest.process import alert_payload
from liveqc.live_sessions.ingest.stream import Feed, feed_response, last_event_id, open_feed
from liveqc.live_sessions.models import LiveSession, LiveSessionStatus
from liveqc.live_sessions.schemas import DispositionIn
from liveqc.web import tables
from liveqc.web.i18n import pick_locale, translator
from liveqc.web.rendering import PageRenderer, page_templates
from liveqc.web.tables import Column, Table
from liveqc.web.views import ConsolePrincipal, check_csrf

HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False)
FLASH = "live_sessions_flash"


render = PageRenderer(
    page_templates(HERE), active="live_sessions", flash=FLASH, context={"clock": report.clock}
)


def _back(request: Request, live_id: int, message: str) -> RedirectResponse:
    request.session[FLASH] = message
    return RedirectResponse(f"/live-sessions/{live_id}", status_code=303)


def _guard(request: Request, csrf: str, principal: Principal, *roles: Role) -> None:
    if not check_csrf(request, csrf):
        raise PermissionDenied("the form expired; reload the page and try again")
    principal.require(*roles)


ASSETS = {"monitor.js": "text/javascript; charset=utf-8", "live.css": "text/css; charset=utf-8"}


@router.get("/live-sessions/assets/{name}")
def asset(name: str) -> Response:
    """The pages' own script and stylesheet (served by liveqc, no CDN)."""
    if name not in ASSETS:
        return Response(status_code=404)
    return FileResponse(
        HERE / "static" / name, media_type=ASSETS[name], headers={"Cache-Control": "no-cache"}
    )


SESSIONS = Table(
    "live_sessions",
    (
        Column("id", "search.col.id", LiveSession.id),
        Column("title", "search.col.title", LiveSession.title, "text"),
        Column("platform", "search.col.platform", LiveSession.platform, "text"),
        Column("room", "search.col.room", LiveSession.room, "text"),
        Column("scheduled_at", "search.col.scheduled_at", LiveSession.scheduled_at),
        Column("status", "search.col.status", LiveSession.status, "exact",
               choices=tuple(LiveSessionStatus),
               value=lambda s, t: t(f"live_sessions.status.{s.status.value}")),
    ),
    default_order=(LiveSession.scheduled_at.desc(),),
    tiebreak=LiveSession.id,
)  # fmt: skip


@router.get("/live-sessions")
def sessions_page(request: Request, principal: ConsolePrincipal, session: SessionDep) -> Response:
    listing = tables.serve(request, session, SESSIONS, select(LiveSession))
    if isinstance(listing, Response):
        return listing
    return render(
        request,
        "live_sessions_list.html",
        principal,
        rows=listing.rows,
        total=listing.total,
        listing=listing,
    )


@router.get("/live-sessions/monitor")
def monitor_page(request: Request, principal: ConsolePrincipal, session: SessionDep) -> Response:
    live, _ = service.list_(session, limit=200, status=LiveSessionStatus.LIVE)
    return render(request, "live_sessions_monitor.html", principal, live_rows=live)


def monitor_feed(principal: ConsolePrincipal) -> Feed:
    return open_feed(principal.organisation.id, None, list)


@router.get("/live-sessions/monitor/stream")
async def monitor_stream(
    request: Request,
    feed: Annotated[Feed, Depends(monitor_feed)],
    max_seconds: Annotated[float, Query(gt=0, le=3600)] = 300,
) -> Response:
    """New alerts of every session of my organisation (no backlog: the page shows them)."""
    return feed_response(request, feed, max_seconds)


@router.get("/live-sessions/{live_session_id}")
def session_page(
    live_session_id: IdPath, request: Request, principal: ConsolePrincipal, session: SessionDep
) -> Response:
    live = service.get_or_raise(session, live_session_id)
    alerts, total = service.list_alerts(session, live, limit=500)
    return render(
        request,
        "live_sessions_detail.html",
        principal,
        live=live,
        alerts=list(reversed(alerts)),
        alerts_total=total,
        last_alert_id=max((a.id for a in alerts), default=0),
        products={i.id: i for i in live.lineup},
        can_review=principal.has_any(Role.ADMIN, Role.COMPLIANCE_REVIEWER),
    )


def session_feed(
    live_session_id: IdPath,
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    after_id: Annotated[int | None, Query(ge=0, le=2_147_483_647)] = None,
) -> Feed:
    live = service.get_or_raise(session, live_session_id)
    after = last_event_id(request, after_id)

    def backlog() -> list[dict[str, Any]]:
        rows, _ = service.list_alerts(session, live, limit=500, after_id=after)
        return [alert_payload(r) for r in rows]

    return open_feed(live.organisation_id, live.id, backlog)


@router.get("/live-sessions/{live_session_id}/stream")
async def session_stream(
    request: Request,
    feed: Annotated[Feed, Depends(session_feed)],
    max_seconds: Annotated[float, Query(gt=0, le=3600)] = 300,
) -> Response:
    return feed_response(request, feed, max_seconds)


@router.post("/live-sessions/{live_session_id}/alerts/{alert_id}/disposition")
def dispose_form(
    live_session_id: IdPath,
    alert_id: IdPath,
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    disposition: Annotated[str, Form(max_length=32)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    corrected_at_ms: Annotated[str, Form(max_length=12)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    _guard(request, csrf, principal, Role.ADMIN, Role.COMPLIANCE_REVIEWER)
    t = translator(pick_locale(request.session.get("locale")))
    live = service.get_or_raise(session, live_session_id)
    alert = service.get_alert_or_raise(session, live, alert_id)
    try:
        data = DispositionIn.model_validate(
            {
                "disposition": disposition,
                "reason": reason,
                "corrected_at_ms": int(corrected_at_ms) if corrected_at_ms.strip() else None,
            }
        )
        flows.dispose(session, alert, data=data, actor=principal.user)
    except (ValueError, LiveQCError) as exc:
        detail = getattr(exc, "detail", None) or str(exc).splitlines()[-1]
        return _back(request, live.id, f"#{alert_id}: {detail}")
    return _back(request, live.id, t("live_sessions.saved"))


@router.post("/live-sessions/{live_session_id}/actions/{action}")
def action_form(
    live_session_id: IdPath,
    action: str,
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """script-review, ready or end, from the session page."""
    _guard(request, csrf, principal, Role.ADMIN, Role.COMPLIANCE_REVIEWER, Role.QC_REVIEWER)
    t = translator(pick_locale(request.session.get("locale")))
    live = service.get_or_raise(session, live_session_id)
    try:
        if action == "script-review":
            found = flows.review_scripts(session, live, actor=principal.user)
            return _back(request, live.id, t("live_sessions.review_done", count=len(found)))
        flow = {"ready": flows.mark_ready, "end": flows.end}.get(action)
        if flow is None:
            return _back(request, live.id, f"unknown action {action!r}")
        flow(session, live, actor=principal.user)
    except LiveQCError as exc:
        return _back(request, live.id, exc.detail)
    return _back(request, live.id, t("live_sessions.saved"))


@router.get("/live-sessions/{live_session_id}/report")
def report_page(
    live_session_id: IdPath, request: Request, principal: ConsolePrincipal, session: SessionDep
) -> Response:
    live = service.get_or_raise(session, live_session_id)
    data = report.build(session, live)
    return render(
        request,
        "live_sessions_report.html",
        principal,
        r=data,
        severities=report.SEVERITIES,
        totals=report.severity_counts(data),
    )


@router.get("/live-sessions/{live_session_id}/report.{fmt}")
def report_download(
    live_session_id: IdPath,
    fmt: str,
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
) -> Response:
    if fmt not in ("html", "pdf"):
        return Response(status_code=404)
    live = service.get_or_raise(session, live_session_id)
    locale = pick_locale(request.session.get("locale"))
    return report.download(session, live, fmt=fmt, locale=locale)
