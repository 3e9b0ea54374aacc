"""The spot-check console page for a regulator and for an inspected agency; forms need CSRF."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient


def sign_in(client: TestClient, email: str) -> str:
    form = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    r = client.post("/login", data={"email": email, "password": "demo-password", "csrf": csrf},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    page = client.get("/spot-checks")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def test_regulator_console_lists_plans_checks_and_publications(
    client: TestClient, sc_demo: Any
) -> None:
    sign_in(client, "inspector@binjiang.example")
    page = client.get("/spot-checks")
    assert page.status_code == 200
    assert "BJ-2026-Q4-0001" in page.text  # the recorded seed
    assert "抽检计划" in page.text and "公示" in page.text


def test_agency_console_shows_its_checks_and_who_looked(client: TestClient, sc_demo: Any) -> None:
    csrf = sign_in(client, "admin@xinghe.example")
    page = client.get("/spot-checks")
    assert "监管部门查阅记录" in page.text and "抽检通知" in page.text
    assert "抽检计划" not in page.text
    r = client.post("/spot-checks/999999/objection", data={"reason": "x", "csrf": csrf},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert "does not exist" in client.get("/spot-checks").text


def test_forms_without_csrf_are_refused(client: TestClient, sc_demo: Any) -> None:
    sign_in(client, "inspector@binjiang.example")
    r = client.post("/spot-checks/plans/1/draw", data={"csrf": "wrong"}, follow_redirects=False)
    assert r.status_code == 403


def test_console_needs_a_login(client: TestClient, sc_demo: Any) -> None:
    r = client.get("/spot-checks", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
