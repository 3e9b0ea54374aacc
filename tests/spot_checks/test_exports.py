"""XLSX, PDF (CJK font) and JSON exports of spot-check results."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from liveqc.spot_checks import exports, service
from tests.spot_checks.conftest import principal


def rows(db: Session) -> list[dict]:
    reg = principal(db, "inspector@binjiang.example")
    checks, _ = service.list_checks(db, principal=reg, limit=50)
    return exports.export_rows(db, checks)


def test_rows_carry_product_sample_and_failed_items(db: Session) -> None:
    data = rows(db)
    assert len(data) == 4
    failed = [r for r in data if r["verdict"] == "fail"]
    assert len(failed) == 2
    for row in failed:
        assert row["product"] and row["brand"] and row["supplier"] and row["batch"]
        assert row["failed_items"] and row["items"][0]["verdict"] == "fail"


def test_xlsx_has_bilingual_headers_and_one_row_per_check(db: Session) -> None:
    data = rows(db)
    book = load_workbook(io.BytesIO(exports.to_xlsx(data, title="抽检结果")))
    sheet = book["抽检结果"]
    assert sheet["A1"].value == "抽检结果"
    headers = [c.value for c in sheet[2]]
    assert "产品名称 Product" in headers and "不合格项目 Failed items" in headers
    assert sheet.max_row == 2 + len(data)
    verdicts = {row[headers.index("结论 Verdict")] for row in sheet.iter_rows(min_row=3,
                values_only=True)}  # fmt: skip
    assert "不合格" in verdicts
    assert book["检验项目"].max_row == 1 + sum(len(r["items"]) for r in data)


def test_xlsx_neutralises_formulas() -> None:
    row = {"spot_check_id": 1, "product": '=HYPERLINK("x")', "items": []}
    sheet = load_workbook(io.BytesIO(exports.to_xlsx([row], title="t"))).active
    assert sheet.cell(3, 3).value.startswith("'=")


def test_pdf_embeds_the_cjk_font(db: Session) -> None:
    pdf = exports.to_pdf(rows(db), title="滨江区市场监管局 抽检结果")
    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf


def test_json_document_is_self_describing(db: Session) -> None:
    data = rows(db)
    doc = exports.to_json(data, title="t", regulator="滨江区市场监管局")
    assert doc["schema"] == exports.SCHEMA and doc["count"] == len(data)
    assert json.loads(json.dumps(doc, ensure_ascii=False))["results"][0]["spot_check_id"]
