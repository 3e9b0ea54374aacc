"""The Blue Book: figures → sections of tables, charts and generated summaries (zh-CN, English).

The section order follows the industry's own Blue Book: industry status, supervision, standards
and quality control, after-sales, spot checks and disclosure, challenges and measures. Every
number in a summary is read from the figures; a figure that is zero or not recorded is said so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from liveqc.engine.taxonomy import DEFAULT_BASIS
from liveqc.reports.charts import Chart, Series, number
from liveqc.reports.schemas import Cell, Counts, Figures, Report, Section, Table
from liveqc.web.i18n import pick_locale, translator

T = Callable[..., str]
SECTION_KEYS = ("industry", "supervision", "quality", "after_sales", "spot_checks", "challenges")
#: Rows shown in a chart; tables list everything.
CHART_ROWS = 10


#: Where the other domains keep the labels of their codes and statuses (looked up after ours).
LABEL_FALLBACKS = {
    "codes": "compliance.code",
    "severities": "compliance.severity",
    "categories": "products.cat",
    "statuses": "products.state",
    "documents": "products.doc",
    "complaint_types": "complaints.cat",
    "remedies": "complaints.remedy",
    "spot_statuses": "spot_checks.status",
}


def label(t: T, group: str, key: str) -> str:
    """The label of ``key``: ours, then the owning domain's catalogue, else ``key`` itself."""
    for prefix in (f"reports.{group}", LABEL_FALLBACKS.get(group)):
        if prefix:
            full = f"{prefix}.{key}"
            text = t(full)
            if text != full:
                return text
    return key


def percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}"


def facts(t: T, lead: str, items: Sequence[tuple[str, float | None]]) -> list[str]:
    """Sentences listing figures ``(name, value)``: recorded ones (zero said as "no …"), then
    the ones not recorded (value None)."""
    present, missing = [], []
    for name, value in items:
        what = t(f"reports.fig.{name}")
        if value is None:
            missing.append(what)
        elif value == 0:
            present.append(t("reports.zero", what=what))
        else:
            present.append(t(f"reports.figs.{name}", n=number(value)))
    sentences = []
    if present:
        sentences.append(t("reports.sentence", lead=lead, facts=t("reports.join").join(present)))
    if missing:
        sentences.append(t("reports.missing", what=t("reports.list_join").join(missing)))
    return sentences


def top(counts: Counts) -> tuple[str, float] | None:
    """The largest positive count (ties: the first listed)."""
    best = None
    for count in counts:
        if count.value > 0 and (best is None or count.value > best[1]):
            best = (count.key, count.value)
    return best


def count_table(t: T, title: str, group: str, counts: Counts) -> Table:
    total = sum(c.value for c in counts)
    rows: list[tuple[Cell, ...]] = [
        (label(t, group, c.key), c.value, float(percent(c.value, total)) if total else None)
        for c in counts
    ]
    return Table(
        title, (t("reports.col.item"), t("reports.col.count"), t("reports.col.share")), rows
    )


def count_chart(t: T, kind: str, title: str, group: str, counts: Counts) -> Chart:
    shown = sorted(counts, key=lambda c: -c.value)[:CHART_ROWS] if kind == "bar" else counts
    return Chart(
        kind,  # type: ignore[arg-type]
        title,
        tuple(label(t, group, c.key) for c in shown),
        (Series(t("reports.col.count"), tuple(c.value for c in shown)),),
        y_label=t("reports.col.count") if kind != "donut" else "",
        empty_text=t("reports.no_data"),
    )


def build(figures: Figures, lang: str) -> Report:
    """Assemble the report of ``figures`` in ``lang`` (zh-CN or en)."""
    lang = pick_locale(lang)
    t = translator(lang)
    scope = t(
        f"reports.scope.{figures.scope.kind}",
        name=figures.scope.name,
        count=figures.scope.organisations,
    )
    lead = t("reports.lead", period=figures.period.label, scope=scope)
    sections = [
        _industry(t, figures, lead, lang),
        _supervision(t, figures, lead),
        _quality(t, figures, lead),
        _after_sales(t, figures, lead),
        _spot_checks(t, figures, lead),
        _challenges(t, figures),
    ]
    return Report(
        lang=lang,
        title=t("reports.title", period=figures.period.label),
        subtitle=t("reports.subtitle", scope=scope),
        sections=sections,
        figures=figures,
    )


def _title(t: T, key: str) -> str:
    return t(f"reports.sections.{key}")


def _trend_chart(
    t: T, title: str, months: tuple[str, ...], name: str, values: tuple[int, ...]
) -> Chart:
    return Chart(
        "line",
        title,
        months if values else (),
        (Series(name, values),) if values else (),
        x_label=t("reports.col.month"),
        y_label=name,
        empty_text=t("reports.no_data"),
    )


def _industry(t: T, figures: Figures, lead: str, lang: str) -> Section:
    f = figures.industry
    summary = [
        *facts(
            t,
            lead,
            [
                ("sessions", f.sessions),
                ("hosts", f.hosts),
                ("products", f.products),
                ("sales", f.sales_yuan),
            ],
        )
    ]
    if f.market:
        first = f.market[0]
        summary.append(
            t(
                "reports.industry.market",
                n=len(f.market),
                label=first.label(lang),
                value=f"{first.qualifier}{number(first.value)}",
                unit=first.unit(lang),
                period=first.period,
                source=first.source,
            )
        )
    else:
        summary.append(t("reports.industry.no_market"))
    own = Table(
        t("reports.industry.own"),
        (t("reports.col.item"), t("reports.col.value")),
        [
            (t("reports.fig.sessions"), f.sessions),
            (t("reports.fig.hosts"), f.hosts),
            (t("reports.fig.products"), f.products),
            (t("reports.fig.sales"), f.sales_yuan),
        ],
    )
    market = Table(
        t("reports.industry.market_title"),
        tuple(
            t(f"reports.col.{c}")
            for c in ("item", "qualifier", "value", "unit", "period", "source")
        ),
        [(m.label(lang), m.qualifier, m.value, m.unit(lang), m.period, m.source) for m in f.market],
    )
    chart = _trend_chart(
        t,
        t("reports.industry.trend"),
        figures.period.months,
        t("reports.fig.sessions"),
        f.sessions_by_month,
    )
    return Section("industry", _title(t, "industry"), summary, [own, market], [chart])


def _supervision(t: T, figures: Figures, lead: str) -> Section:
    f = figures.supervision
    summary = [*facts(t, lead, [("scans", f.scans), ("findings", f.findings)])]
    best = top(f.by_code)
    if best and f.findings:
        summary.append(
            t(
                "reports.supervision.top",
                code=label(t, "codes", best[0]),
                n=number(best[1]),
                share=percent(best[1], f.findings),
            )
        )
    months = figures.period.months
    totals = (
        tuple(sum(tr.values[i] for tr in f.trend) for i in range(len(months))) if f.trend else ()
    )
    if totals and max(totals) > 0:
        peak = max(range(len(totals)), key=lambda i: (totals[i], -i))
        summary.append(t("reports.supervision.peak", month=months[peak], n=number(totals[peak])))
    tables = [
        count_table(t, t("reports.supervision.by_code"), "codes", f.by_code),
        count_table(t, t("reports.supervision.by_category"), "categories", f.by_category),
        count_table(t, t("reports.supervision.by_severity"), "severities", f.by_severity),
    ]
    stacked = Chart(
        "stacked",
        t("reports.supervision.trend"),
        months if f.trend else (),
        tuple(Series(label(t, "severities", tr.key), tr.values) for tr in f.trend),
        x_label=t("reports.col.month"),
        y_label=t("reports.fig.findings"),
        empty_text=t("reports.no_data"),
    )
    charts = [
        count_chart(t, "bar", t("reports.supervision.by_code"), "codes", f.by_code),
        count_chart(t, "donut", t("reports.supervision.by_category"), "categories", f.by_category),
        stacked,
    ]
    return Section("supervision", _title(t, "supervision"), summary, tables, charts)


def _quality(t: T, figures: Figures, lead: str) -> Section:
    f = figures.quality
    summary = [
        *facts(
            t,
            lead,
            [
                ("vetted_products", f.products),
                ("products_with_gaps", f.products_with_gaps),
                ("lots_inspected", f.lots_inspected),
            ],
        )
    ]
    best = top(f.vetting)
    if best:
        summary.append(
            t("reports.quality.top_status", status=label(t, "statuses", best[0]), n=number(best[1]))
        )
    gap = top(f.document_gaps)
    if gap:
        summary.append(
            t("reports.quality.top_gap", document=label(t, "documents", gap[0]), n=number(gap[1]))
        )
    tables = [
        count_table(t, t("reports.quality.vetting"), "statuses", f.vetting),
        count_table(t, t("reports.quality.gaps"), "documents", f.document_gaps),
        count_table(t, t("reports.quality.inspections"), "outcomes", f.inspection_outcomes),
    ]
    charts = [
        count_chart(t, "donut", t("reports.quality.vetting"), "statuses", f.vetting),
        count_chart(t, "bar", t("reports.quality.gaps"), "documents", f.document_gaps),
        count_chart(t, "bar", t("reports.quality.inspections"), "outcomes", f.inspection_outcomes),
    ]
    return Section("quality", _title(t, "quality"), summary, tables, charts)


def _after_sales(t: T, figures: Figures, lead: str) -> Section:
    f = figures.after_sales
    summary = [*facts(t, lead, [("complaints", f.complaints)])]
    if f.deadlines_due is None or f.deadlines_met is None:
        summary.append(t("reports.after_sales.deadlines_missing"))
    elif f.deadlines_due == 0:
        summary.append(t("reports.after_sales.deadlines_none"))
    else:
        summary.append(
            t(
                "reports.after_sales.deadlines",
                met=number(f.deadlines_met),
                due=number(f.deadlines_due),
                rate=percent(f.deadlines_met, f.deadlines_due),
            )
        )
    best = top(f.by_type)
    if best:
        summary.append(
            t(
                "reports.after_sales.top_type",
                type=label(t, "complaint_types", best[0]),
                n=number(best[1]),
            )
        )
    due, met = f.deadlines_due, f.deadlines_met
    missed = due - met if due is not None and met is not None else None
    deadlines = Table(
        t("reports.after_sales.deadlines_title"),
        (t("reports.col.item"), t("reports.col.value")),
        [
            (t("reports.fig.deadlines_due"), due),
            (t("reports.fig.deadlines_met"), met),
            (t("reports.fig.deadlines_missed"), missed),
            (t("reports.col.rate"), float(percent(met, due)) if due and met is not None else None),
        ],
    )
    tables = [
        count_table(t, t("reports.after_sales.by_type"), "complaint_types", f.by_type),
        deadlines,
        count_table(t, t("reports.after_sales.remedies"), "remedies", f.remedies),
    ]
    charts = [
        count_chart(t, "bar", t("reports.after_sales.by_type"), "complaint_types", f.by_type),
        count_chart(t, "donut", t("reports.after_sales.remedies"), "remedies", f.remedies),
        _trend_chart(
            t,
            t("reports.after_sales.trend"),
            figures.period.months,
            t("reports.fig.complaints"),
            f.by_month,
        ),
    ]
    return Section("after_sales", _title(t, "after_sales"), summary, tables, charts)


def _spot_checks(t: T, figures: Figures, lead: str) -> Section:
    f = figures.spot_checks
    summary = [*facts(t, lead, [("spot_checks", f.spot_checks), ("disclosed", f.disclosed)])]
    best = top(f.by_outcome)
    if best:
        summary.append(
            t("reports.spot_checks.top", outcome=label(t, "outcomes", best[0]), n=number(best[1]))
        )
    tables = [
        count_table(t, t("reports.spot_checks.by_status"), "spot_statuses", f.by_status),
        count_table(t, t("reports.spot_checks.by_outcome"), "outcomes", f.by_outcome),
    ]
    charts = [
        count_chart(t, "donut", t("reports.spot_checks.by_status"), "spot_statuses", f.by_status),
        count_chart(t, "bar", t("reports.spot_checks.by_outcome"), "outcomes", f.by_outcome),
    ]
    return Section("spot_checks", _title(t, "spot_checks"), summary, tables, charts)


def _challenges(t: T, figures: Figures) -> Section:
    f = figures.challenges
    summary: list[str] = []
    best = top(f.top_codes)
    if best:
        summary.append(
            t("reports.challenges.code", code=label(t, "codes", best[0]), n=number(best[1]))
        )
    risky = [r for r in f.top_products if r.complaints + r.findings > 0]
    if risky:
        first = risky[0]
        summary.append(
            t(
                "reports.challenges.product",
                name=first.name,
                complaints=number(first.complaints),
                findings=number(first.findings),
            )
        )
    if not summary:
        summary.append(t("reports.challenges.none"))
    measures = Table(
        t("reports.challenges.measures"),
        (t("reports.col.code"), t("reports.col.count"), t("reports.col.measure")),
        [
            (
                label(t, "codes", c.key),
                c.value,
                t("reports.challenges.measure", basis=DEFAULT_BASIS.get(c.key, "—")),
            )
            for c in f.top_codes
            if c.value > 0
        ],
    )
    products = Table(
        t("reports.challenges.products"),
        (t("reports.col.product"), t("reports.fig.complaints"), t("reports.fig.findings")),
        [(r.name, r.complaints, r.findings) for r in f.top_products],
    )
    shown = f.top_products[:CHART_ROWS]
    charts = [
        count_chart(t, "bar", t("reports.challenges.codes_title"), "codes", f.top_codes),
        Chart(
            "stacked",
            t("reports.challenges.products"),
            tuple(r.name for r in shown),
            (
                Series(t("reports.fig.complaints"), tuple(r.complaints for r in shown)),
                Series(t("reports.fig.findings"), tuple(r.findings for r in shown)),
            )
            if shown
            else (),
            y_label=t("reports.col.count"),
            empty_text=t("reports.no_data"),
        ),
    ]
    return Section("challenges", _title(t, "challenges"), summary, [measures, products], charts)
