"""Console pages: the role home page at ``/`` and each figure's drill-down list.

Charts are the reports domain's server-side SVG (no JavaScript, no CDN), each followed by the
same figures as a table for screen readers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from liveqc.accounts.service import Principal
from liveqc.api.deps import SessionDep
from liveqc.dashboards import service
from liveqc.dashboards.figures import CHINA_TZ, ChartData
from liveqc.reports import charts
from liveqc.web.rendering import PageRenderer, page_templates
from liveqc.web.views import ConsolePrincipal

HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False)
Key = Annotated[str, PathParam(min_length=1, max_length=40, pattern=r"^[a-z_]+$")]


def labeller(t: Callable[..., str]) -> Callable[[str], str]:
    """``label(key)``: the catalogue text, or the key's last part when no text exists (a code
    raised by a rule the catalogue does not name yet)."""

    def label(key: str) -> str:
        text = t(key)
        return key.rsplit(".", 1)[-1] if text == key else text

    return label


def when(value: dt.date | dt.datetime | None) -> str:
    """A date as ISO, a moment in China time to the minute."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def legend_fits(names: list[str]) -> bool:
    """Whether ``charts``' one-line legend shows every name (it is laid out the same way)."""
    x = charts.LEFT
    for name in names:
        x += 14 + charts.text_width(charts.fit(name, 11, 160), 11) + 18
    return x - 18 <= charts.WIDTH - charts.RIGHT


def folded(series: list[tuple[str, tuple[float, ...]]], other: str) -> list[tuple[str, Any]]:
    """The largest series, the smallest folded into ``other`` until the legend fits; the data
    table under the chart keeps every series."""
    rows = list(series)
    while len(rows) > 2 and not legend_fits([name for name, _ in rows]):
        has_other = rows[-1][0] == other
        _, values = rows.pop(-2 if has_other else -1)
        if has_other:
            _, rest = rows.pop()
            values = tuple(a + b for a, b in zip(values, rest, strict=True))
        rows.append((other, values))
    return rows


def chart_svg(chart: ChartData, label: Callable[[str], str], t: Callable[..., str]) -> Markup:
    """The chart as inline SVG, its title and legend in the page's language."""
    series = [(label(s.key), tuple(map(float, s.values))) for s in chart.series]
    drawn = charts.Chart(
        kind=chart.kind,  # type: ignore[arg-type]
        title=t(chart.title_key),
        categories=chart.categories,
        series=tuple(
            charts.Series(name, values)
            for name, values in folded(series, label("dashboards.chart.other"))
        ),
        x_label=t(chart.axis_key),
        y_label=t("dashboards.chart.count"),
        empty_text=t("dashboards.chart.empty"),
    )
    return Markup(charts.to_svg(drawn))  # to_svg escapes every label


def _chart_helpers(principal: Principal | None, t: Callable[..., str]) -> dict[str, Any]:
    """``label``, ``when`` and ``svg`` in the page's language, for the panels and charts."""
    label = labeller(t)
    return {"label": label, "when": when, "svg": lambda chart: chart_svg(chart, label, t)}


render = PageRenderer(page_templates(HERE), active="home", extra=_chart_helpers)


@router.get("/")
def home(request: Request, principal: ConsolePrincipal, session: SessionDep) -> HTMLResponse:
    """What needs me now: the panels of each of my roles in the current organisation."""
    data = service.home(session, principal=principal)
    return render(request, "dashboards_home.html", principal, home=data)


@router.get("/dashboards/{panel_key}/{figure_key}")
def figure_list(
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    panel_key: Key,
    figure_key: Key,
) -> HTMLResponse:
    """Every row a home-page figure counts (for figures no other list page shows)."""
    panel = service.panel(session, principal=principal, key=panel_key)
    figure = panel.figure(figure_key)
    return render(request, "dashboards_list.html", principal, panel=panel, figure=figure)
