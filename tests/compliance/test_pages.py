from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from liveqc.compliance import pages
from liveqc.compliance.engines import engines
from liveqc.compliance.models import EntryKind, FindingStatus
from liveqc.config import Settings
from liveqc.engine import CODES, SCENES
from liveqc.engine.taxonomy import SEVERITIES
from liveqc.web.i18n import catalogue
from tests.factories.compliance import load_demo

TEMPLATES = Path(pages.__file__).parent / "templates" / "compliance"


@pytest.fixture(autouse=True)
def fresh_engines() -> Iterator[None]:
    engines.clear()
    yield
    engines.wait_all()
    engines.clear()


@pytest.fixture
def demo(
    session_factory: sessionmaker[Session], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Any:
    return load_demo(session_factory, settings, monkeypatch)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "form without CSRF token"
    return match.group(1)


def sign_in(client: TestClient, email: str) -> str:
    token = csrf_of(client.get("/login").text)
    data = {"email": email, "password": "demo-password", "csrf": token}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    return csrf_of(client.get("/compliance").text)


def marked(html: str) -> list[tuple[str, str]]:
    """(severity, text) of every inline highlight in the scanned text (not the legend)."""
    return re.findall(r'<mark class="cq-sev-(\w+)" title="[^"]*">([^<]*)<sup>', html)


def finding(start: int, end: int, severity: str) -> Any:
    return SimpleNamespace(start=start, end=end, severity=severity)


def test_highlight_splits_overlaps_and_keeps_the_worst_severity() -> None:
    text = "全网最低价加微信"
    pieces = pages.highlight(text, [finding(0, 5, "medium"), finding(2, 5, "high")])
    assert "".join(p.text for p in pieces) == text
    assert [(p.text, p.numbers, p.severity) for p in pieces] == [
        ("全网", (1,), "medium"),
        ("最低价", (1, 2), "high"),
        ("加微信", (), ""),
    ]
    assert pages.highlight("", []) == []


def test_scan_page_highlights_findings_inline(client: TestClient, demo: Any) -> None:
    csrf = sign_in(client, "compliance@xinghe.example")
    text = "家人们这是全网最低价\n有问题加微信"
    page = client.post(
        "/compliance/scan", data={"text": text, "category": "cosmetics", "csrf": csrf}
    )
    assert page.status_code == 200
    html = page.text
    highlights = marked(html)
    assert ("high", "全网最低价") in highlights
    assert any(part.startswith("加微信") for _, part in highlights)
    assert "价格欺诈" in html and "法律依据" in html and "修改建议" in html
    assert 'href="/compliance/assets/compliance.css"' in html


def test_pasted_markup_is_escaped(client: TestClient, demo: Any) -> None:
    csrf = sign_in(client, "compliance@xinghe.example")
    text = "<script>alert(1)</script>全网最低价<img src=x onerror=alert(2)>"
    html = client.post("/compliance/scan", data={"text": text, "csrf": csrf}).text
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_scan_form_needs_csrf_and_reports_bad_facts(client: TestClient, demo: Any) -> None:
    csrf = sign_in(client, "compliance@xinghe.example")
    assert client.post("/compliance/scan", data={"text": "最好", "csrf": "x"}).status_code == 400
    bad = client.post("/compliance/scan", data={"text": "最好", "facts": "[1", "csrf": csrf})
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    unknown = {"text": "最好", "facts": '{"colour": "red"}', "csrf": csrf}
    response = client.post("/compliance/scan", data=unknown)
    assert response.status_code == 422 and "colour" in response.text


def test_product_picker_supplies_category_and_store_links_the_scan(
    client: TestClient, demo: Any
) -> None:
    csrf = sign_in(client, "compliance@xinghe.example")
    form = client.get("/compliance").text
    sunscreen = demo.products["XH-003"]
    assert f'value="{sunscreen.id}"' in form and "QH-001" not in form
    data = {
        "text": "这款防晒能美白",
        "product_id": str(sunscreen.id),
        "store": "on",
        "csrf": csrf,
    }
    html = client.post("/compliance/scan", data=data).text
    match = re.search(r'href="/compliance/scans/(\d+)"', html)
    assert match and "功效无依据" in html
    detail = client.get(f"/compliance/scans/{match.group(1)}")
    assert detail.status_code == 200 and "cosmetics" in detail.text
    assert '"brand": "美妍"' in detail.text.replace("&#34;", '"')


def test_review_from_the_scan_page(client: TestClient, demo: Any) -> None:
    csrf = sign_in(client, "compliance@xinghe.example")
    scans = client.get("/compliance/scans").text
    scan_ids = re.findall(r'href="/compliance/scans/(\d+)"', scans)
    assert scan_ids
    detail = client.get(f"/compliance/scans/{scan_ids[-1]}").text
    finding_id = re.search(r"/compliance/findings/(\d+)/review", detail)
    assert finding_id
    url = f"/compliance/findings/{finding_id.group(1)}/review"
    data = {"action": "accept", "reason": "已取得第三方报告", "csrf": csrf}
    response = client.post(url, data=data, follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "已取得第三方报告" in page and "已接受" in page
    listing = client.get("/compliance/findings", params={"status": "accepted"}).text
    assert "已接受" in listing


def test_findings_page_filters(client: TestClient, demo: Any) -> None:
    sign_in(client, "compliance@xinghe.example")
    html = client.get("/compliance/findings", params={"code": "off_platform_transaction"}).text
    assert "站外交易引导" in html and "加微信" in html and "立竿见影" not in html
    assert "立竿见影" in client.get("/compliance/findings").text


def test_dictionary_page_add_applies_to_the_next_scan_and_remove(
    client: TestClient, demo: Any
) -> None:
    csrf = sign_in(client, "compliance@xinghe.example")
    text = "这口锅真是煮饭小钢炮"
    assert marked(client.post("/compliance/scan", data={"text": text, "csrf": csrf}).text) == []
    entry = {
        "kind": "banned",
        "phrase": "小钢炮",
        "code": "absolute_term",
        "severity": "low",
        "csrf": csrf,
    }
    added = client.post("/compliance/dictionary", data=entry, follow_redirects=False)
    assert added.status_code == 303
    html = client.post("/compliance/scan", data={"text": text, "csrf": csrf}).text
    assert marked(html) == [("low", "小钢炮")]
    page = client.get("/compliance/dictionary").text
    assert "小钢炮" in page and "神器" in page
    ids = re.findall(r"/compliance/dictionary/(\d+)/delete", page)
    assert len(ids) == 2
    for one in ids:
        client.post(f"/compliance/dictionary/{one}/delete", data={"csrf": csrf})
    assert "小钢炮" not in client.get("/compliance/dictionary").text
    assert marked(client.post("/compliance/scan", data={"text": text, "csrf": csrf}).text) == []


def test_dictionary_page_reports_bad_entries(client: TestClient, demo: Any) -> None:
    csrf = sign_in(client, "compliance@xinghe.example")
    entry = {"kind": "banned", "phrase": "小钢炮", "code": "", "csrf": csrf}
    response = client.post("/compliance/dictionary", data=entry)
    assert response.status_code == 422 and "code" in response.text


def test_non_reviewers_see_no_edit_forms_and_are_refused(client: TestClient, demo: Any) -> None:
    csrf = sign_in(client, "qc@xinghe.example")
    page = client.get("/compliance/dictionary").text
    assert "/delete" not in page and 'action="/compliance/dictionary"' not in page
    entry = {"kind": "allow", "phrase": "第一课", "csrf": csrf}
    assert client.post("/compliance/dictionary", data=entry).status_code == 403


def test_pages_show_only_my_organisations_rows(client: TestClient, demo: Any) -> None:
    sign_in(client, "admin@qinghe.example")
    scans = client.get("/compliance/scans").text
    assert "磁力片" in scans and "黑芝麻丸" not in scans
    mine = re.findall(r'href="/compliance/scans/(\d+)"', scans)
    sign_in(client, "admin@xinghe.example")
    for scan_id in mine:
        assert client.get(f"/compliance/scans/{scan_id}").status_code == 404
    assert "闭眼入" not in client.get("/compliance/dictionary").text


def test_every_template_key_exists_in_both_catalogues() -> None:
    keys = set()
    for template in TEMPLATES.glob("*.html"):
        keys |= set(re.findall(r"""t\(["']([a-z_.]+)["']""", template.read_text("utf-8")))
    assert keys
    vocab = {
        "compliance.code.": CODES,
        "compliance.kind.": [k.value for k in EntryKind],
        "compliance.scene.": sorted(SCENES),
        "compliance.severity.": SEVERITIES,
        "compliance.status.": [s.value for s in FindingStatus],
    }
    for prefix in [k for k in keys if k.endswith(".")]:
        keys.remove(prefix)
        keys |= {prefix + value for value in vocab[prefix]}
    for locale in ("zh-CN", "en"):
        missing = sorted(k for k in keys if k not in catalogue(locale))
        assert not missing, (locale, missing)
    zh = {k for k in catalogue("zh-CN") if k.startswith("compliance.")}
    en = {k for k in catalogue("en") if k.startswith("compliance.")}
    assert zh == en


def test_signed_out_visitors_go_to_login(client: TestClient) -> None:
    response = client.get("/compliance", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
