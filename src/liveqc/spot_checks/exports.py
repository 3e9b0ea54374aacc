"""Spot-check results as XLSX, PDF (CJK through the built-in CID font STSong-Light) and a
structured JSON document for other government systems.

``export_rows`` turns checks into flat rows once; the three writers only lay them out.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from liveqc.accounts.service import Principal
from liveqc.db.types import utcnow
from liveqc.spot_checks import service
from liveqc.spot_checks.models import SpotCheck

SCHEMA = "liveqc.spot-check-results/1"
FORMATS = ("xlsx", "pdf", "json")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
}
#: Column key, Chinese header, English header.
COLUMNS = [
    ("spot_check_id", "抽检编号", "Check"),
    ("seller", "被抽检单位", "Inspected organisation"),
    ("product", "产品名称", "Product"),
    ("brand", "品牌", "Brand"),
    ("specification", "规格型号", "Specification"),
    ("supplier", "供应商", "Supplier"),
    ("batch", "批次", "Batch"),
    ("sampled_at", "抽样日期", "Sampled"),
    ("sample_place", "抽样地点", "Where bought"),
    ("order_number", "订单号", "Order"),
    ("lab", "检验机构", "Laboratory"),
    ("report_number", "报告编号", "Report"),
    ("verdict", "结论", "Verdict"),
    ("failed_items", "不合格项目", "Failed items"),
    ("status", "状态", "Status"),
]
_VERDICT_ZH = {"pass": "合格", "fail": "不合格", "needs_review": "待复核", "": "未检验"}


def _date(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""


def export_rows(
    session: Session,
    checks: Sequence[SpotCheck],
    *,
    reader: Principal | None = None,
    path: str = "",
) -> list[dict[str, Any]]:
    """One flat row per check, with its test items; ``reader``'s reads go to the access log."""
    rows = []
    for check in checks:
        details = service.product_snapshot(
            session, check, reader=reader, path=path, action="export"
        )
        items = [
            {
                "name": i.name,
                "limit": i.limit_text,
                "result": i.result_text,
                "unit": i.unit,
                "method": i.method,
                "verdict": i.verdict,
            }
            for i in check.items
        ]
        rows.append(
            {
                "spot_check_id": check.id,
                "plan_id": check.plan_id,
                "seller": details.get("agency", ""),
                "product": details.get("product", ""),
                "sku": details.get("sku", ""),
                "brand": details.get("brand", ""),
                "category": details.get("category", ""),
                "specification": details.get("specification", ""),
                "supplier": details.get("supplier", ""),
                "batch": check.batch,
                "sampled_at": _date(check.sampled_at),
                "sample_place": check.sample_place,
                "live_session_id": check.live_session_id,
                "live_room": check.live_room,
                "order_number": check.order_number,
                "lab": check.lab_name,
                "report_number": check.report_number,
                "tested_at": _date(check.tested_at),
                "verdict": check.verdict,
                "failed_items": "、".join(i["name"] for i in items if i["verdict"] == "fail"),
                "status": check.status.value,
                "concluded_at": _date(check.concluded_at),
                "items": items,
            }
        )
    return rows


def _cell(row: dict[str, Any], key: str) -> str:
    value = row.get(key, "")
    if key == "verdict":
        return _VERDICT_ZH.get(str(value), str(value))
    return "" if value is None else str(value)


def to_xlsx(rows: list[dict[str, Any]], *, title: str) -> bytes:
    """A workbook with a results sheet and a test-items sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "抽检结果"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet.append([f"{zh} {en}" for _, zh, en in COLUMNS])
    for row in rows:
        sheet.append([_safe(_cell(row, key)) for key, _, _ in COLUMNS])
    items = book.create_sheet("检验项目")
    items.append(["抽检编号 Check", "项目 Item", "标准要求 Limit", "检验结果 Result", "单位 Unit",
                  "单项判定 Verdict"])  # fmt: skip
    for row in rows:
        for item in row["items"]:
            items.append(
                [row["spot_check_id"]]
                + [_safe(str(item[k])) for k in ("name", "limit", "result", "unit")]
                + [_VERDICT_ZH.get(item["verdict"], item["verdict"])]
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _safe(text: str) -> str:
    """Keep spreadsheet software from running a cell as a formula (CSV/formula injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def to_pdf(rows: list[dict[str, Any]], *, title: str) -> bytes:
    """A landscape A4 table of the results, Chinese text in STSong-Light."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cjk", fontName="STSong-Light", fontSize=7.5, leading=9.5)
    head = ParagraphStyle("cjk-title", fontName="STSong-Light", fontSize=14, leading=18)
    keys = ["spot_check_id", "seller", "product", "brand", "supplier", "batch", "sampled_at",
            "lab", "verdict", "failed_items"]  # fmt: skip
    headers = {key: zh for key, zh, _ in COLUMNS}

    def para(text: str) -> Paragraph:
        return Paragraph(
            text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), style
        )

    data = [[para(headers[k]) for k in keys]]
    data += [[para(_cell(row, k)) for k in keys] for row in rows]
    table = Table(data, repeatRows=1, colWidths=[34, 70, 110, 50, 110, 60, 55, 90, 40, 150])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=title, author="liveqc")
    generated = f"生成时间 {utcnow().isoformat(timespec='seconds')}（UTC）· 共 {len(rows)} 条"
    doc.build([Paragraph(title, head), Paragraph(generated, style), Spacer(1, 8), table])
    return buffer.getvalue()


def to_json(
    rows: list[dict[str, Any]], *, title: str, regulator: str, plan: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A self-describing document: schema id, issuer, generation time, plan and results."""
    return {
        "schema": SCHEMA,
        "title": title,
        "issuer": regulator,
        "generated_at": utcnow().isoformat(),
        "plan": plan,
        "count": len(rows),
        "results": rows,
    }
