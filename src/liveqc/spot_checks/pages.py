"""Console page for spot checks (regulator and inspected agency) and the public disclosure
pages and Atom feed, which need no login."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from liveqc.accounts import service as accounts
from liveqc.accounts.service import Principal
from liveqc.api.deps import IdPath, PageDep, SessionDep
from liveqc.db.types import utcnow
from liveqc.errors import LiveQCError, PermissionDenied, ValidationFailed
from liveqc.spot_checks import disclosure, flows, jurisdiction, service
from liveqc.spot_checks.models import CheckStatus, SpotCheck
from liveqc.web import tables
from liveqc.web.i18n import LOCALES, pick_locale, translator
from liveqc.web.tables import Column, Table
from liveqc.web.views import HERE as WEB_DIR
from liveqc.web.views import SECTIONS, ConsolePrincipal, check_csrf, csrf_token

HERE = Path(__file__).parent
templates = Jinja2Templates(
    env=Environment(
        loader=ChoiceLoader(
            [FileSystemLoader(HERE / "templates"), FileSystemLoader(WEB_DIR / "templates")]
        ),
        autoescape=select_autoescape(["html"]),
    )
)
router = APIRouter(include_in_schema=False)
FLASH = "spot_checks_flash"
Csrf = Annotated[str, Form(max_length=128)]


def render(
    request: Request,
    template: str,
    principal: Principal | None,
    *,
    locale: str | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    chosen = pick_locale(locale or request.session.get("locale"))
    return templates.TemplateResponse(
        request,
        template,
        {
            "t": translator(chosen),
            "locale": chosen,
            "locales": LOCALES,
            "csrf": csrf_token(request),
            "principal": principal,
            "sections": SECTIONS,
            "organisations": accounts.organisations_of(principal.user) if principal else [],
            "active": "spot_checks",
            "flash": request.session.pop(FLASH, None),
            **context,
        },
        status_code=status,
    )


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
        listing = tables.serve(request, session, CHECKS, service._checks_query(principal))
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
