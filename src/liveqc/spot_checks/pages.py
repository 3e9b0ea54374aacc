"""Console page for spot checks (regulator and inspected agency), the regulator's governance
campaign pages, and the public disclosure pages and Atom feed, which need no login."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError as PydanticError
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from liveqc.accounts.models import Role, User
from liveqc.accounts.service import Principal
from liveqc.api.deps import IdPath, PageDep, SessionDep
from liveqc.db.types import utcnow
from liveqc.engine.taxonomy import CODES
from liveqc.errors import LiveQCError, NotFound, PermissionDenied, ValidationFailed
from liveqc.events.models import AuditEvent
from liveqc.jobs import kinds as job_kinds
from liveqc.jobs import service as job_service
from liveqc.jobs.deps import runner_for, start_job
from liveqc.jobs.schemas import JobRead
from liveqc.products.models import ProductCategory
from liveqc.spot_checks import campaigns, disclosure, flows, jurisdiction, service
from liveqc.spot_checks.models import Campaign, CheckStatus, SpotCheck
from liveqc.spot_checks.views import campaigns as campaign_views
from liveqc.web import tables
from liveqc.web.i18n import pick_locale
from liveqc.web.rendering import PageRenderer, page_templates
from liveqc.web.tables import Column, Table
from liveqc.web.views import ConsolePrincipal, check_csrf

HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False)
FLASH = "spot_checks_flash"
Csrf = Annotated[str, Form(max_length=128)]


render = PageRenderer(page_templates(HERE), active="spot_checks", flash=FLASH)


def _act(request: Request, session: Session, csrf: str, action: Any) -> RedirectResponse:
    """Run a form's action in a savepoint; a refusal is shown on the page and changes nothing."""
    if not check_csrf(request, csrf):
        raise PermissionDenied("the form expired; reload the page and try again")
    try:
        with session.begin_nested():
            action()
        request.session[FLASH] = ["ok", "spot_checks.saved"]
    except LiveQCError as exc:
        request.session[FLASH] = ["error", f"{exc.title}: {exc.detail}"]
    return RedirectResponse("/spot-checks", status_code=303)


#: The checks list; product names are read (and audited) per row on the page, not exported.
CHECKS = Table(
    "spot_checks",
    (
        Column("id", "search.col.id", SpotCheck.id),
        Column("batch", "spot_checks.field.batch", SpotCheck.batch, "text"),
        Column("status", "spot_checks.field.status", SpotCheck.status, "exact",
               choices=tuple(CheckStatus),
               value=lambda c, t: t(f"spot_checks.status.{c.status.value}")),
        Column("verdict", "spot_checks.field.verdict", SpotCheck.verdict, "exact",
               value=lambda c, t: t(f"spot_checks.verdict.{c.verdict}") if c.verdict else ""),
        Column("objection_deadline", "spot_checks.field.deadline", SpotCheck.objection_deadline),
        Column("lab_name", "search.col.lab", SpotCheck.lab_name, "text"),
    ),
    default_order=(SpotCheck.id,),
)  # fmt: skip


@router.get("/spot-checks", response_model=None)
def console(request: Request, principal: ConsolePrincipal, session: SessionDep) -> Response:
    """Regulators: plans, checks, publications. Agencies: checks of their products, notices,
    objections and who read their records."""
    with service.subject_view(session, principal):
        listing = tables.serve(request, session, CHECKS, service.checks_query(principal))
    if isinstance(listing, Response):
        return listing
    checks = list(listing.rows)
    names = {
        c.id: service.product_snapshot(session, c, reader=principal, path=request.url.path)
        for c in checks
    }
    context: dict[str, Any] = {"checks": checks, "names": names, "now": utcnow()}
    if service.is_regulator(principal):
        context["plans"], _ = service.list_plans(session, limit=200, offset=0)
        context["publications"], _ = service.list_publications(session, limit=200, offset=0)
        context["coverage"] = jurisdiction.coverage(session, principal.organisation.id)
    else:
        context["notices"], _ = service.list_notices(session, limit=200, offset=0)
        context["access"], _ = service.list_access_log(session, limit=50, offset=0)
    context["objections"], _ = service.list_objections(
        session, principal=principal, limit=200, offset=0
    )
    return render(
        request,
        "spot_checks_console.html",
        principal,
        is_regulator="plans" in context,
        listing=listing,
        **context,
    )


@router.post("/spot-checks/plans/{plan_id}/draw")
def draw(
    plan_id: IdPath,
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    csrf: Csrf = "",
) -> Response:
    def action() -> None:
        plan = service.get_plan_or_raise(session, plan_id)
        flows.draw_plan(session, plan=plan, principal=principal, path=request.url.path)

    return _act(request, session, csrf, action)


@router.post("/spot-checks/publications/{publication_id}/publish")
def publish(
    publication_id: IdPath,
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    csrf: Csrf = "",
) -> Response:
    def action() -> None:
        jurisdiction.require_regulator(principal)
        row = service.get_publication_or_raise(session, publication_id)
        disclosure.publish(session, row=row, actor=principal.user)

    return _act(request, session, csrf, action)


@router.post("/spot-checks/{check_id}/objection")
def object_to(
    check_id: IdPath,
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    reason: Annotated[str, Form(max_length=5000)] = "",
    csrf: Csrf = "",
) -> Response:
    def action() -> None:
        if not reason.strip():
            raise ValidationFailed("reason: say why the result is disputed")
        check = service.get_check_or_raise(session, check_id, principal=principal)
        flows.file_objection(session, check=check, reason=reason.strip(), principal=principal)

    return _act(request, session, csrf, action)


# -- public pages, no login ------------------------------------------------------------------


def _public_locale(request: Request, lang: str | None) -> str:
    return pick_locale(lang or request.session.get("locale"))


@router.get("/public/spot-checks.atom")
def public_feed(request: Request, session: SessionDep) -> Response:
    entries, _ = disclosure.list_public(session, limit=100)
    base = str(request.base_url)
    body = disclosure.atom_feed(entries, base_url=base, title="抽检结果公示 / Spot-check results")
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get("/public/spot-checks")
def public_list(
    request: Request, session: SessionDep, page: PageDep, lang: str | None = None
) -> HTMLResponse:
    entries, total = disclosure.list_public(session, limit=page.limit, offset=page.offset)
    return render(
        request,
        "spot_checks_public.html",
        None,
        locale=_public_locale(request, lang),
        entries=entries,
        total=total,
        page=page,
    )


@router.get("/public/spot-checks/{publication_id}")
def public_detail(
    publication_id: IdPath, request: Request, session: SessionDep, lang: str | None = None
) -> HTMLResponse:
    entry = disclosure.get_public(session, publication_id)
    return render(
        request,
        "spot_checks_public_detail.html",
        None,
        locale=_public_locale(request, lang),
        entry=entry,
    )


# -- special governance campaigns (专项整治), regulators only ---------------------------------

#: The Beijing day the home page counts "current" campaigns by (UTC+8, no daylight saving).
BEIJING = timezone(timedelta(hours=8))
CAMPAIGN_STATES = ("upcoming", "current", "past")
CAMPAIGN_FORMATS = ("json", "xlsx", "pdf")
ReportFormat = Literal["json", "xlsx", "pdf"]


def _regulator(principal: Principal, *, editing: bool = False) -> None:
    """Campaigns are the regulator's own; defining and running them needs an inspector."""
    jurisdiction.require_regulator(principal)
    if editing:
        principal.require(Role.ADMIN, Role.INSPECTOR)


def campaigns_table(today: date) -> Table:
    """The campaigns list; ``state`` compares the period with ``today`` in SQL so it sorts,
    filters and exports like the other columns."""
    state = case(
        (Campaign.period_from > today, "upcoming"),
        (Campaign.period_to < today, "past"),
        else_="current",
    )

    def state_of(c: Campaign, t: tables.Translate) -> str:
        key = "upcoming" if c.period_from > today else "past" if c.period_to < today else "current"
        return t(f"campaigns_page.state.{key}")

    return Table(
        "spot_check_campaigns",
        (
            Column("id", "search.col.id", Campaign.id),
            Column("title", "campaigns_page.field.title", Campaign.title, "text",
                   (Campaign.title, Campaign.theme)),
            Column("theme", "campaigns_page.field.theme", Campaign.theme, "text"),
            Column("codes", "campaigns_page.field.codes",
                   value=lambda c, t: ", ".join(t(f"compliance.code.{x}") for x in c.codes)),
            Column("period_from", "campaigns_page.field.period_from", Campaign.period_from),
            Column("period_to", "campaigns_page.field.period_to", Campaign.period_to),
            Column("state", "campaigns_page.field.state", state, "exact",
                   choices=CAMPAIGN_STATES, value=state_of),
            Column("run_at", "campaigns_page.field.run_at", Campaign.run_at),
            Column("total", "campaigns_page.field.total",
                   value=lambda c, t: (c.report or {}).get("total", "")),
        ),
        default_order=(Campaign.id.desc(),),
        tiebreak=Campaign.id,
        aliases={"state": "state"},
    )  # fmt: skip


def _campaign_page(
    request: Request, template: str, principal: Principal, *, status: int = 200, **context: Any
) -> HTMLResponse:
    return render(
        request,
        template,
        principal,
        status=status,
        can_edit=principal.has_any(Role.ADMIN, Role.INSPECTOR),
        **context,
    )


@router.get("/spot-checks/campaigns", response_model=None)
def campaigns_list(request: Request, principal: ConsolePrincipal, session: SessionDep) -> Response:
    """The regulator's campaigns: sortable, filterable, paginated, exportable."""
    _regulator(principal)
    today = datetime.now(BEIJING).date()
    listing = tables.serve(request, session, campaigns_table(today), select(Campaign))
    if isinstance(listing, Response):
        return listing
    return _campaign_page(
        request, "campaigns_list.html", principal, listing=listing, today=today,
        states=CAMPAIGN_STATES, state=listing.filters.get("state", ""),
    )  # fmt: skip


def _form_context(
    values: dict[str, Any] | None = None, errors: list[str] | None = None
) -> dict[str, Any]:
    return {
        "codes": CODES,
        "categories": [c.value for c in ProductCategory],
        "values": values or {"codes": [], "categories": []},
        "errors": errors or [],
    }


@router.get("/spot-checks/campaigns/new")
def campaign_form(request: Request, principal: ConsolePrincipal) -> HTMLResponse:
    _regulator(principal, editing=True)
    return _campaign_page(request, "campaign_form.html", principal, **_form_context())


@router.post("/spot-checks/campaigns/new")
async def campaign_create(
    request: Request, principal: ConsolePrincipal, session: SessionDep
) -> Response:
    """Define a campaign with the API's validation; a refusal re-shows the form with why."""
    form = await request.form()
    if not check_csrf(request, str(form.get("csrf", ""))):
        raise PermissionDenied("the form expired; reload the page and try again")
    _regulator(principal, editing=True)
    values: dict[str, Any] = {
        name: str(form.get(name, "")).strip()[:500]
        for name in ("title", "theme", "period_from", "period_to")
    }
    values["codes"] = [str(v) for v in form.getlist("codes")][:50]
    values["categories"] = [str(v) for v in form.getlist("categories")][:50]
    errors: list[str] = []
    try:
        body = campaign_views.CampaignCreate.model_validate(
            {k: v for k, v in values.items() if v != ""}
        )
        with session.begin_nested():
            row = campaigns.create_campaign(session, **body.model_dump(), actor=principal.user)
    except PydanticError as exc:
        errors = [f"{'.'.join(map(str, e['loc'])) or 'form'}: {e['msg']}" for e in exc.errors()]
    except LiveQCError as exc:
        errors = [exc.detail]
    if errors:
        context = _form_context(values, errors)
        return _campaign_page(request, "campaign_form.html", principal, status=422, **context)
    request.session[FLASH] = ["ok", "campaigns_page.created"]
    return RedirectResponse(f"/spot-checks/campaigns/{row.id}", status_code=303)


def _runs(session: Session, campaign: Campaign) -> list[AuditEvent]:
    """Every run of the campaign, newest first, from its audit entries (console, API, CLI)."""
    query = select(AuditEvent).where(
        AuditEvent.object_type == Campaign.__tablename__,
        AuditEvent.object_id == str(campaign.id),
        AuditEvent.action == "run",
    )
    return list(session.scalars(query.order_by(AuditEvent.id.desc()).limit(100)))


def _run_job(
    request: Request, session: Session, principal: Principal, campaign: Campaign, job_id: int
) -> JobRead:
    """One of my runs of this campaign with its live progress."""
    row = job_service.get_or_raise(session, job_id, user_id=principal.user.id)
    if row.kind != job_kinds.CAMPAIGN_RUN or row.params.get("campaign_id") != campaign.id:
        raise NotFound(f"job {job_id} is not a run of campaign {campaign.id}")
    return JobRead.of(row, runner_for(request.app).live(row.id))


@router.get("/spot-checks/campaigns/{campaign_id}")
def campaign_detail(
    campaign_id: IdPath,
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    job: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    """Definition, runs, the latest report's figures and downloads; with ``job``, that run's
    progress bar (the page reloads when it ends, to show the new report)."""
    _regulator(principal)
    campaign = campaigns.get_campaign_or_raise(session, campaign_id)
    running = _run_job(request, session, principal, campaign, job) if job else None
    runs = _runs(session, campaign)
    people = dict(
        session.execute(
            select(User.id, User.email).where(User.id.in_({r.actor_user_id for r in runs}))
        ).all()
    )
    return _campaign_page(
        request, "campaign_detail.html", principal, campaign=campaign, report=campaign.report,
        runs=runs, people=people, job=running, formats=CAMPAIGN_FORMATS,
    )  # fmt: skip


@router.post("/spot-checks/campaigns/{campaign_id}/run")
def campaign_run(
    campaign_id: IdPath,
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    csrf: Csrf = "",
) -> Response:
    """Start the run as a background job; the campaign's page shows its progress bar."""
    if not check_csrf(request, csrf):
        raise PermissionDenied("the form expired; reload the page and try again")
    _regulator(principal, editing=True)
    campaigns.get_campaign_or_raise(session, campaign_id)
    params = {"campaign_id": campaign_id}
    started = start_job(request, session, principal, kind=job_kinds.CAMPAIGN_RUN, params=params)
    return RedirectResponse(f"/spot-checks/campaigns/{campaign_id}?job={started.id}", 303)


@router.get("/spot-checks/campaigns/{campaign_id}/report.{fmt}")
def campaign_report(
    campaign_id: IdPath, fmt: ReportFormat, principal: ConsolePrincipal, session: SessionDep
) -> Response:
    """The latest report as JSON, XLSX or PDF: the files the API serves."""
    _regulator(principal)
    return campaign_views.campaign_report(campaign_id, principal, session, format=fmt)
