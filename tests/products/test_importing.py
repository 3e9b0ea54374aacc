from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from liveqc.db import tenancy
from liveqc.demo.credit_codes import credit_code
from liveqc.errors import ValidationFailed
from liveqc.products import cli, importing, service
from liveqc.products.models import Product, QualificationDocument
from tests.products.test_cli import make_app

TODAY = date(2026, 6, 1)
NEW_SUPPLIER = credit_code("330110", "MA2KX9P5")
HEADER = [
    "sku", "name", "category", "supplier_credit_code", "supplier_name", "licence_valid_to",
    "gtin", "document_type", "document_number", "document_valid_to",
]  # fmt: skip


def xlsx(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_row(sku: str, gtin: object = "6901234567892") -> list[object]:
    return [sku, "临安山核桃", "agriculture", NEW_SUPPLIER, "杭州新禾农业有限公司", "2030-12-31",
            gtin, "inspection_report", "No. 7", date(2027, 1, 1)]  # fmt: skip


def count_products(session: Session) -> int:
    return session.scalar(select(func.count(Product.id))) or 0


@pytest.fixture
def xinghe(session: Session, demo) -> Session:
    tenancy.set_organisation(session, demo.organisations["星河直播"].id)
    return session


def test_valid_rows_are_imported_with_supplier_and_document(xinghe: Session) -> None:
    data = xlsx([good_row("IM-1"), good_row("IM-2", gtin=6901234567885)])
    report = importing.import_products(xinghe, data=data, actor=None, today=TODAY)
    assert report.imported and (report.accepted, report.rejected) == (2, 0)
    first = service.get_product_or_raise(xinghe, report.rows[0].product_id)
    assert first.supplier.credit_code == NEW_SUPPLIER and first.gtin == "6901234567892"
    assert first.supplier.licence_valid_to == date(2030, 12, 31)
    docs = xinghe.scalars(
        select(QualificationDocument).where(QualificationDocument.product_id == first.id)
    ).all()
    assert [(d.type.value, d.valid_to) for d in docs] == [("inspection_report", date(2027, 1, 1))]
    second = service.get_product_or_raise(xinghe, report.rows[1].product_id)
    assert second.supplier_id == first.supplier_id  # the new supplier is created once


def test_bad_rows_are_reported_and_nothing_is_imported(xinghe: Session) -> None:
    before = count_products(xinghe)
    rows = [
        good_row("IM-1"),
        good_row("IM-2", gtin="6901234567890"),  # wrong check digit
        [*good_row("IM-3")[:5], "2020-01-01", *good_row("IM-3")[6:]],  # expired licence
        ["IM-4", "x", "玄学用品", NEW_SUPPLIER, "杭州新禾农业有限公司"],  # unknown category
        good_row("IM-1"),  # duplicate row
        ["IM-5", "x", "food", "91330110MA2KX9P5X0", "坏码公司"],  # bad credit code
        ["IM-6", "x", "food", NEW_SUPPLIER, "杭州新禾农业有限公司", None, None,
         "sc_license", "SC123", "2030-01-01"],  # malformed document number
        [*good_row("IM-7")[:9], "2026-05-01"],  # expired document
        ["XH-001", "x", "food", NEW_SUPPLIER, "杭州新禾农业有限公司"],  # SKU already on file
    ]  # fmt: skip
    report = importing.import_products(xinghe, data=xlsx(rows), actor=None, today=TODAY)
    assert not report.imported and count_products(xinghe) == before
    reasons = {r.row: " | ".join(r.reasons) for r in report.rows}
    assert reasons[2] == ""
    assert "gtin" in reasons[3] and "check digit" in reasons[3]
    assert "licence_valid_to" in reasons[4] and "expired" in reasons[4]
    assert "unknown category '玄学用品'" in reasons[5]
    assert "duplicate of row 2" in reasons[6]
    assert "supplier_credit_code" in reasons[7]
    assert "document_number" in reasons[8]
    assert "document_valid_to" in reasons[9] and "expired" in reasons[9]
    assert "already in the catalogue" in reasons[10]
    assert (report.accepted, report.rejected) == (1, 8)


def test_valid_only_imports_the_good_rows(xinghe: Session) -> None:
    before = count_products(xinghe)
    rows = [good_row("IM-1"), good_row("IM-2", gtin="123"), good_row("IM-3", gtin=None)]
    report = importing.import_products(
        xinghe, data=xlsx(rows), actor=None, valid_only=True, today=TODAY
    )
    assert report.imported and [r.accepted for r in report.rows] == [True, False, True]
    assert count_products(xinghe) == before + 2
    assert report.rows[1].product_id is None


def test_chinese_headers_and_labels_are_understood(xinghe: Session) -> None:
    header = ["商品编码", "商品名称", "类目", "统一社会信用代码", "供应商名称", "是否进口",
              "资质类型", "资质编号"]  # fmt: skip
    row = ["IM-9", "进口橄榄油", "食品", NEW_SUPPLIER, "杭州新禾农业有限公司", "是",
           "进口货物报关单", "222020211000123456"]  # fmt: skip
    report = importing.import_products(
        xinghe, data=xlsx([row], header=header), actor=None, today=TODAY
    )
    assert report.imported, report.to_dict()
    product = service.get_product_or_raise(xinghe, report.rows[0].product_id)
    assert product.category.value == "food" and product.is_imported


def test_unreadable_files_are_refused(xinghe: Session) -> None:
    with pytest.raises(ValidationFailed, match="xlsx"):
        importing.import_products(xinghe, data=b"sku,name\n", actor=None)
    with pytest.raises(ValidationFailed, match="supplier_credit_code"):
        importing.import_products(xinghe, data=xlsx([], header=["sku", "name"]), actor=None)


def test_export_has_every_product_with_status_and_quotes_formulas(xinghe: Session) -> None:
    rows = [["IM-F", "@SUM(1+1) 积木", "food", NEW_SUPPLIER, "新禾"]]
    assert importing.import_products(xinghe, data=xlsx(rows), actor=None).imported
    text = importing.export_csv(xinghe)
    lines = text.splitlines()
    assert len(lines) == count_products(xinghe) + 1
    assert "'@SUM(1+1) 积木" in text
    sheet = load_workbook(io.BytesIO(importing.export_xlsx(xinghe))).active
    rows = list(sheet.iter_rows(values_only=True))
    statuses = {row[3] for row in rows[1:]}
    assert {"approved", "draft"} <= statuses


def test_cli_import_reports_rows_and_exit_status(
    session_factory, demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_factory", lambda: session_factory)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([good_row("CL-1"), good_row("CL-2", gtin="1")]))
    result = CliRunner().invoke(make_app(), ["products", "import", str(bad), "--org", "星河直播"])
    assert result.exit_code == 1
    assert f"{bad}:3: CL-2: rejected: gtin" in result.stdout
    assert "1 accepted, 1 rejected; nothing imported" in result.stdout
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([good_row("CL-1")]))
    args = ["products", "import", str(good), "--org", "星河直播", "--format", "json"]
    result = CliRunner().invoke(make_app(), args)
    assert result.exit_code == 0, result.output
    assert '"imported": true' in result.stdout
    exported = CliRunner().invoke(make_app(), ["products", "export", "--org", "星河直播"])
    assert exported.exit_code == 0 and ",CL-1," in exported.stdout
    missing = CliRunner().invoke(
        make_app(), ["products", "import", str(tmp_path / "nope.xlsx"), "--org", "星河直播"]
    )
    assert missing.exit_code == 2 and "error: Unreadable input" in missing.stderr
