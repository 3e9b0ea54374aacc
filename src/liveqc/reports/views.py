"""Reports API: ``GET /api/v1/reports/bluebook`` (HTML, PDF or XLSX download)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from liveqc.api.deps import CurrentPrincipal, SessionDep
from liveqc.db.types import utcnow
from liveqc.reports import collect, market
from liveqc.reports.schemas import Lang, Period, ReportFormat

router = APIRouter(tags=["reports"])
PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2]))?$"


@router.get("/reports/bluebook", response_class=Response)
def bluebook(
    principal: CurrentPrincipal,
    session: SessionDep,
    period: Annotated[
        str, Query(pattern=PERIOD_PATTERN, max_length=7, description="A year (2026) or month")
    ],
    format: Annotated[ReportFormat, Query()] = ReportFormat.html,
    lang: Annotated[Lang, Query()] = Lang.zh_cn,
) -> Response:
    """The Blue Book of your organisation for a period, as a download.

    Market figures are the shipped national example; the CLI takes your own CSV.
    """
    span = Period.parse(period)
    body = collect.generate(
        session,
        period=span,
        organisation=principal.organisation,
        fmt=format,
        lang=lang.value,
        market=market.load(),
        generated_at=utcnow(),
    )
    return collect.attachment(body, period=span, fmt=format, lang=lang.value)
