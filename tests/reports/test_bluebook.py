from __future__ import annotations

import re
from dataclasses import asdict

import pytest

from liveqc.reports import bluebook, market
from liveqc.reports.charts import number
from liveqc.reports.schemas import (
    AfterSalesFigures,
    ChallengeFigures,
    Count,
    Figures,
    IndustryFigures,
    Period,
    QualityFigures,
    Report,
    RiskRow,
    Scope,
    Section,
    SpotCheckFigures,
    SupervisionFigures,
    Trend,
)

PERIOD = Period.parse("2026")


def full() -> Figures:
    months = len(PERIOD.months)
    return Figures(
        PERIOD,
        Scope("organisation", "星河直播", 1),
        industry=IndustryFigures(
            sessions=37,
            hosts=6,
            products=1234,
            sales_yuan=None,
            sessions_by_month=tuple([3] * (months - 1) + [4]),
            market=tuple(market.load()),
        ),
        supervision=SupervisionFigures(
            scans=58,
            findings=41,
            by_code=(
                Count("price_fraud", 11),
                Count("absolute_term", 23),
                Count("superstition", 7),
            ),
            by_category=(Count("cosmetics", 30), Count("food", 11)),
            by_severity=(Count("high", 9), Count("medium", 20), Count("low", 12)),
            trend=(
                Trend("high", tuple([0] * 4 + [9] + [0] * 7)),
                Trend("low", tuple([2] * 6 + [0] * 6)),
            ),
        ),
        quality=QualityFigures(
            products=52,
            vetting=(Count("approved", 31), Count("rejected", 5)),
            document_gaps=(Count("business_license", 4),),
            products_with_gaps=0,
            lots_inspected=None,
        ),
        after_sales=AfterSalesFigures(
            complaints=19,
            by_type=(Count("quality_defect", 12), Count("delivery", 7)),
            deadlines_due=16,
            deadlines_met=13,
            remedies=(Count("refund", 8),),
        ),
        spot_checks=SpotCheckFigures(spot_checks=0, disclosed=0),
        challenges=ChallengeFigures(
            top_codes=(Count("absolute_term", 23),),
            top_products=(RiskRow("玻尿酸面霜", 5, 8), RiskRow("蜂蜜", 1, 0)),
        ),
    )


def numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?", text)


def section(report: Report, key: str) -> Section:
    return next(s for s in report.sections if s.key == key)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_sections_follow_the_industry_report(lang: str) -> None:
    report = bluebook.build(full(), lang)
    assert [s.key for s in report.sections] == list(bluebook.SECTION_KEYS)
    assert all(s.summary and s.tables and s.charts for s in report.sections)
    assert "2026" in report.title


def test_summary_numbers_are_the_figures() -> None:
    report = bluebook.build(full(), "en")
    industry = " ".join(section(report, "industry").summary)
    assert {"37", "6", "1,234"} <= set(numbers(industry))
    assert "Not recorded: sales (yuan)." in industry
    supervision = " ".join(section(report, "supervision").summary)
    assert "“Absolute term” with 23 findings (56.1% of all findings)" in supervision
    assert "58 compliance scans" in supervision and "41 findings" in supervision
    assert "2026-05 (11)" in supervision  # 9 high + 2 low, the busiest month
    after = " ".join(section(report, "after_sales").summary)
    assert "13 of 16 handling deadlines" in after and "(81.2%)" in after
    challenges = " ".join(section(report, "challenges").summary)
    assert "玻尿酸面霜" in challenges and "5 complaints and 8 findings" in challenges


def test_zh_summary_numbers_are_the_figures() -> None:
    report = bluebook.build(full(), "zh-CN")
    industry = section(report, "industry").summary
    assert industry[0] == "统计期 2026，星河直播：直播 37 场，主播 6 名，商品 1,234 件。"
    assert industry[1] == "未记录：销售额（元）。"
    quality = " ".join(section(report, "quality").summary)
    assert "资质缺失商品数为零" in quality and "未记录：抽样检验批次。" in quality
    assert "“已批准”，共 31 件" in quality


def leaves(node: object) -> set[str]:
    """Every number held in the figures, printed as the report prints numbers."""
    if isinstance(node, bool) or node is None:
        return set()
    if isinstance(node, int | float):
        return {number(node)}
    if isinstance(node, str):
        return set(numbers(node))
    if isinstance(node, dict):
        return set().union(*(leaves(v) for v in node.values()), set())
    if isinstance(node, list | tuple):
        return set().union(*(leaves(v) for v in node), set())
    return set()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_summary_number_comes_from_the_figures(lang: str) -> None:
    figures = full()
    held = leaves(asdict(figures)) | {"56.1", "81.2", "5"}  # two shares; 5 market rows
    held |= {"2026", "05"}  # the period and the busiest month's label
    for part in bluebook.build(figures, lang).sections:
        for sentence in part.summary:
            for found in numbers(sentence):
                assert found in held, (found, sentence)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_zero_and_missing_are_said_plainly(lang: str) -> None:
    report = bluebook.build(Figures(PERIOD, Scope("organisation", "青禾优选", 1)), lang)
    for part in report.sections:
        text = " ".join(part.summary)
        assert not numbers(text.replace("2026", "")), text
    spot = bluebook.build(full(), lang)
    text = " ".join(section(spot, "spot_checks").summary)
    assert ("抽检数为零" in text) if lang == "zh-CN" else ("no spot checks" in text)
    empty = " ".join(section(report, "challenges").summary)
    assert ("未识别出突出风险" in empty) if lang == "zh-CN" else ("no risk stands out" in empty)


def test_no_deadline_due_is_not_a_zero_rate() -> None:
    figures = Figures(
        PERIOD,
        Scope("organisation", "x", 1),
        after_sales=AfterSalesFigures(complaints=2, deadlines_due=0, deadlines_met=0),
    )
    text = " ".join(section(bluebook.build(figures, "en"), "after_sales").summary)
    assert "No handling deadline fell due" in text and "%" not in text


def test_tables_hold_the_counts_and_shares() -> None:
    report = bluebook.build(full(), "en")
    by_code = section(report, "supervision").tables[0]
    assert ("Absolute term", 23, 56.1) in by_code.rows
    assert sum(row[1] for row in by_code.rows) == 41
    market_table = section(report, "industry").tables[1]
    assert len(market_table.rows) == len(market.load())


def test_bar_charts_are_sorted_largest_first() -> None:
    chart = section(bluebook.build(full(), "en"), "supervision").charts[0]
    assert chart.series[0].values == (23, 11, 7)


def test_unknown_keys_fall_back_to_the_key() -> None:
    t = lambda key, **_: key  # noqa: E731
    assert bluebook.label(t, "codes", "new_code") == "new_code"
