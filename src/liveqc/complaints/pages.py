"""Console pages: the public complaint form and status page (no login), the after-sales queue
by deadline, the complaint detail with its actions and history, and the signals page."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import case, select

from liveqc.accounts.service import Principal
from liveqc.api.deps import IdPath, SessionDep, SettingsDep
from liveqc.complaints import files, flows, intake, service, signals, views
from liveqc.complaints.classify import ComplaintCategory
from liveqc.complaints.models import OPEN_STATUSES, Complaint, ComplaintStatus, Remedy
from liveqc.db.tenancy import bypass_tenancy
from liveqc.db.types import utcnow
from liveqc.errors import LiveQCError, PermissionDenied, ValidationFailed
from liveqc.web import tables
from liveqc.web.i18n import pick_locale, translator
from liveqc.web.rendering import PageRenderer, page_templates
from liveqc.web.tables import Column, Table
from liveqc.web.views import ConsolePrincipal, check_csrf

HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False)
FLASH = "complaints_flash"
render = PageRenderer(
    page_templates(HERE),
    active="complaints",
    flash=FLASH,
    context={
        "categories": list(ComplaintCategory),
        "remedies": list(Remedy),
        "tz": service.CHINA_TZ,
    },
)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, RequestValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in err['loc'][1:])}: {err['msg']}" for err in exc.errors()
        )
    return str(exc)


# -- public ----------------------------------------------------------------------------------


@router.get("/complaints/file")
def file_form(request: Request, session: SessionDep, q: str = "") -> HTMLResponse:
    found = intake.search_public_products(session, q=q[:100]) if q else []
    sessions = (
        intake.search_public_sessions(
            session,
            q=q[:100],
            agency_ids=sorted({int(p["agency_id"]) for p in found}),  # type: ignore[call-overload]
        )
        if q
        else []
    )
    agencies = intake.agencies(session)
    return render(
        request,
        "complaints_file.html",
        None,
        q=q,
        found=found,
        sessions=sessions,
        agencies=agencies,
    )


@router.post("/complaints/file", response_model=None)
async def file_submit(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    form = await request.form(max_files=6, max_fields=40)
    agencies = intake.agencies(session)
    t = translator(pick_locale(request.session.get("locale")))
    if not check_csrf(request, str(form.get("csrf", ""))):
        return render(
            request,
            "complaints_file.html",
            None,
            400,
            error=t("login.csrf"),
            agencies=agencies,
            found=[],
        )
    fields = {
        key: value
        for key, value in form.multi_items()
        if isinstance(value, str) and key not in ("csrf", "photos")
    }
    photos = [
        intake.Upload(value.filename or "photo", await value.read(files.MAX_PHOTO_BYTES + 1))
        for key, value in form.multi_items()
        if key == "photos" and not isinstance(value, str) and value.filename
    ]
    try:
        intake.check_address(request)
        filed = intake.file_complaint(
            request, session, settings.upload_dir, intake.Intake(fields, photos), utcnow()
        )
    except (LiveQCError, RequestValidationError) as exc:
        return render(
            request,
            "complaints_file.html",
            None,
            422,
            error=_error_text(exc),
            agencies=agencies,
            found=[],
            values=fields,
        )
    request.session[FLASH] = "duplicate" if filed.is_duplicate else "filed"
    return RedirectResponse(f"/complaints/track/{filed.complaint.tracking_code}", status_code=303)


@router.get("/complaints/track", response_model=None)
def track_form(request: Request, code: str = "") -> Response:
    if code.strip():
        normalised = service.normalise_tracking_code(code[:40])
        return RedirectResponse(f"/complaints/track/{normalised}", status_code=303)
    return render(request, "complaints_track.html", None)


@router.get("/complaints/track/{tracking_code}")
def track(request: Request, tracking_code: str, session: SessionDep) -> HTMLResponse:
    try:
        complaint = intake.get_by_tracking_code(session, tracking_code[:40])
    except LiveQCError:
        t = translator(pick_locale(request.session.get("locale")))
        return render(request, "complaints_track.html", None, 404, error=t("complaints.not_found"))
    status = intake.public_status(session, complaint)
    return render(request, "complaints_track.html", None, case=status)


@router.post("/complaints/track/{tracking_code}/dispute", response_model=None)
def dispute(
    request: Request,
    tracking_code: str,
    session: SessionDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    if not check_csrf(request, csrf):
        raise PermissionDenied("the form expired; reload the page and try again")
    complaint = intake.get_by_tracking_code(session, tracking_code[:40])
    try:
        intake.check_address(request)
        with bypass_tenancy(session, reason="public complaint dispute"):
            flows.reopen(session, complaint, actor=None, reason=reason)
    except LiveQCError as exc:
        request.session[FLASH] = str(exc)
    return RedirectResponse(f"/complaints/track/{complaint.tracking_code}", status_code=303)


# -- staff -----------------------------------------------------------------------------------


_DUE = case(
    (Complaint.status == ComplaintStatus.RECEIVED, Complaint.first_response_due),
    else_=Complaint.resolution_due,
)
#: The after-sales queue; contact data is left out of the exports.
QUEUE = Table(
    "complaints",
    (
        Column("id", "search.col.id", Complaint.id),
        Column("category", "complaints.category", Complaint.category, "exact",
               choices=tuple(ComplaintCategory),
               value=lambda c, t: t(f"complaints.cat.{c.category.value}")),
        Column("status", "complaints.status", Complaint.status, "exact",
               choices=tuple(OPEN_STATUSES),
               value=lambda c, t: t(f"complaints.state.{c.status.value}")),
        Column("due", "complaints.due", _DUE,
               value=lambda c, t: c.first_response_due
               if c.status is ComplaintStatus.RECEIVED else c.resolution_due),
        Column("received_at", "search.col.received_at", Complaint.received_at),
        Column("description", "complaints.description", Complaint.description, "text"),
    ),
    default_order=(Complaint.is_urgent.desc(), _DUE, Complaint.received_at),
    tiebreak=Complaint.id,
)  # fmt: skip


@router.get("/complaints")
def queue(request: Request, principal: ConsolePrincipal, session: SessionDep) -> Response:
    now = utcnow()
    listing = None
    if service.is_escalation_target(principal):
        rows, total = service.list_escalated(session, principal=principal, limit=200)
    else:
        stmt = select(Complaint).where(Complaint.status.in_(OPEN_STATUSES))
        listing = tables.serve(request, session, QUEUE, stmt)
        if isinstance(listing, Response):
            return listing
        rows, total = list(listing.rows), listing.total
    items = [views.present(session, row, principal=principal, now=now) for row in rows]
    return render(
        request, "complaints_queue.html", principal, items=items, total=total, listing=listing
    )


@router.get("/complaints/signals")
def signals_page(
    request: Request, principal: ConsolePrincipal, session: SessionDep
) -> HTMLResponse:
    found = signals.signals(session, now=utcnow(), organisation_id=principal.organisation.id)
    alerts, _ = signals.list_alerts(session, limit=100)
    return render(request, "complaints_signals.html", principal, signals=found, alerts=alerts)


@router.get("/complaints/{complaint_id}")
def detail(
    request: Request, complaint_id: IdPath, principal: ConsolePrincipal, session: SessionDep
) -> HTMLResponse:
    complaint = service.visible_or_raise(session, principal=principal, complaint_id=complaint_id)
    item = views.present(session, complaint, principal=principal, now=utcnow())
    own = complaint.organisation_id == principal.organisation.id
    actions = flows.allowed_actions(complaint) if own else []
    events = service.history(session, complaint) if own else []
    targets = service.escalation_targets(session) if own else []
    return render(
        request,
        "complaints_detail.html",
        principal,
        item=item,
        actions=actions,
        events=events,
        targets=targets,
    )


@router.post("/complaints/{complaint_id}/action", response_model=None)
def act(
    request: Request,
    complaint_id: IdPath,
    principal: ConsolePrincipal,
    session: SessionDep,
    action: Annotated[str, Form(max_length=32)],
    csrf: Annotated[str, Form(max_length=128)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    remedy: Annotated[str, Form(max_length=32)] = "",
    amount: Annotated[str, Form(max_length=20)] = "",
    category: Annotated[str, Form(max_length=32)] = "",
    organisation_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    if not check_csrf(request, csrf):
        raise PermissionDenied("the form expired; reload the page and try again")
    complaint = service.get_or_raise(session, complaint_id)
    try:
        _dispatch(
            session, complaint, principal, action, reason, remedy, amount, category, organisation_id
        )
        request.session[FLASH] = "done"
    except LiveQCError as exc:
        request.session[FLASH] = str(exc)
    return RedirectResponse(f"/complaints/{complaint_id}", status_code=303)


def _dispatch(
    session: Any,
    complaint: Any,
    actor: Principal,
    action: str,
    reason: str,
    remedy: str,
    amount: str,
    category: str,
    organisation_id: str,
) -> None:
    simple = {"acknowledge", "investigate", "close"}
    if action in simple:
        getattr(flows, action)(session, complaint, actor=actor)
    elif action == "resolve":
        try:
            value = Decimal(amount) if amount.strip() else None
            chosen = Remedy(remedy)
        except (InvalidOperation, ValueError):
            raise ValidationFailed("remedy/amount: choose a remedy and a number") from None
        flows.resolve(session, complaint, actor=actor, remedy=chosen, amount=value)
    elif action == "reject":
        flows.reject(session, complaint, actor=actor, reason=reason)
    elif action == "reopen":
        flows.reopen(session, complaint, actor=actor, reason=reason)
    elif action == "escalate":
        if not organisation_id.isdigit():
            raise ValidationFailed("organisation_id: choose an organisation")
        flows.escalate(
            session, complaint, actor=actor, organisation_id=int(organisation_id), reason=reason
        )
    elif action == "reclassify":
        if category not in {c.value for c in ComplaintCategory}:
            raise ValidationFailed("category: choose a category")
        flows.reclassify(
            session, complaint, actor=actor, category=ComplaintCategory(category), reason=reason
        )
    elif action == "confirm_safety":
        flows.confirm_safety_incident(session, complaint, actor=actor)
    else:
        raise ValidationFailed(f"action: unknown action {action!r}")
