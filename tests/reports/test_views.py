"""GET /api/v1/reports/bluebook."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from pypdf import PdfReader

from liveqc.db.types import utcnow

URL = "/api/v1/reports/bluebook"
YEAR = str(utcnow().year)


def test_every_format_is_an_attachment_of_my_organisation(client, login) -> None:
    headers = login("qc@qinghe.example")
    html = client.get(URL, params={"period": YEAR}, headers=headers)
    assert html.status_code == 200, html.text
    assert html.headers["content-type"].startswith("text/html")
    assert (
        html.headers["content-disposition"] == f'attachment; filename="bluebook-{YEAR}-zh-CN.html"'
    )
    assert html.headers["x-content-type-options"] == "nosniff"
    assert "统计范围：青禾优选" in html.text and "星河直播" not in html.text
    pdf = client.get(URL, params={"period": YEAR, "format": "pdf", "lang": "en"}, headers=headers)
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "1. Industry status" in text and "Scope: 青禾优选" in text
    xlsx = client.get(URL, params={"period": YEAR, "format": "xlsx"}, headers=headers)
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert len(load_workbook(io.BytesIO(xlsx.content)).sheetnames) == 6


BAD = [
    ({}, "period"),
    ({"period": "2026-13"}, "period"),
    ({"period": YEAR, "format": "docx"}, "format"),
    ({"period": YEAR, "lang": "fr"}, "lang"),
]


def test_bad_parameters_are_a_422_naming_the_field(client, login) -> None:
    headers = login("qc@xinghe.example")
    for params, field in BAD:
        response = client.get(URL, params=params, headers=headers)
        assert response.status_code == 422, params
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in response.text
    response = client.get(URL, params={"period": "1999"}, headers=headers)
    assert response.status_code == 422 and "period must be" in response.json()["detail"]
    assert client.get(URL, params={"period": YEAR}).status_code == 401
