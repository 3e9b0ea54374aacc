"""Console page ``/reports``: the Blue Book of the current organisation, with downloads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from liveqc.api.deps import SessionDep
from liveqc.db.types import utcnow
from liveqc.errors import InputError, PermissionDenied
from liveqc.jobs import kinds as job_kinds
from liveqc.jobs.deps import start_job
from liveqc.reports import bluebook, collect, market, render
from liveqc.reports.schemas import Period, ReportFormat
from liveqc.web.i18n import pick_locale
from liveqc.web.rendering import PageRenderer, page_templates
from liveqc.web.views import ConsolePrincipal, check_csrf

HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False)
#: A reports page in the console layout (``render`` is the Blue Book's HTML module).
page = PageRenderer(
    page_templates(HERE), active="reports", context={"formats": [f.value for f in ReportFormat]}
)
PeriodQuery = Annotated[str | None, Query(max_length=16)]
LangQuery = Annotated[str | None, Query(max_length=8)]


def _period(text: str | None) -> Period:
    return Period.parse(text or str(utcnow().year))


@router.get("/reports/assets/bluebook.css")
def stylesheet() -> Response:
    """The report's stylesheet (the console's CSP refuses inline styles)."""
    css = (HERE / "templates" / "bluebook.css").read_text(encoding="utf-8")
    return Response(
        css, media_type="text/css; charset=utf-8", headers={"Cache-Control": "no-cache"}
    )


@router.get("/reports")
def reports_page(
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    period: PeriodQuery = None,
    lang: LangQuery = None,
) -> HTMLResponse:
    locale = pick_locale(request.session.get("locale"))
    report_lang = pick_locale(lang or locale)
    context: dict[str, Any] = {"period": period or str(utcnow().year), "report_lang": report_lang}
    status = 200
    try:
        span = _period(period)
    except InputError as exc:
        context.update(error=exc.detail, body=None)
        status = 422
    else:
        figures = collect.collect(
            session, period=span, organisation=principal.organisation, market=market.load()
        )
        context["body"] = render.render_body(bluebook.build(figures, report_lang), utcnow())
    return page(request, "reports_page.html", principal, status, **context)


@router.post("/reports/bluebook/jobs")
def bluebook_job(
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    fmt: Annotated[ReportFormat, Form()],
    period: Annotated[str, Form(max_length=16)] = "",
    lang: Annotated[str, Form(max_length=8)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Generate the report as a background job; its page links to the file when done."""
    if not check_csrf(request, csrf):
        raise PermissionDenied("the form expired; reload the page and try again")
    params = {"period": _period(period).label, "fmt": fmt.value, "lang": pick_locale(lang)}
    job = start_job(request, session, principal, kind=job_kinds.BLUEBOOK, params=params)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/reports/bluebook.{fmt}")
def download(
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    fmt: ReportFormat,
    period: PeriodQuery = None,
    lang: LangQuery = None,
) -> Response:
    """The report as a download for the console's links."""
    span = _period(period)
    report_lang = pick_locale(lang or request.session.get("locale"))
    body = collect.generate(
        session,
        period=span,
        organisation=principal.organisation,
        fmt=fmt,
        lang=report_lang,
        market=market.load(),
        generated_at=utcnow(),
    )
    return collect.attachment(body, period=span, fmt=fmt, lang=report_lang)
