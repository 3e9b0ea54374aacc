"""Jurisdiction: region matching, coverage, regulator reads (audited, read-only, limited)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.accounts import service as accounts
from liveqc.accounts.models import OrganisationKind, Role
from liveqc.db import tenancy
from liveqc.errors import Conflict, PermissionDenied, ValidationFailed
from liveqc.products.models import Product
from liveqc.spot_checks import jurisdiction
from liveqc.spot_checks.jurisdiction import region_matches
from tests.spot_checks.conftest import principal

INSPECTOR = "inspector@binjiang.example"


@pytest.mark.parametrize(
    ("region", "prefix", "expected"),
    [
        ("浙江省杭州市滨江区", "浙江省杭州市滨江区", True),
        ("浙江省杭州市滨江区", "杭州市滨江区", True),
        ("浙江省杭州市滨江区", "浙江省杭州市", True),
        ("浙江省杭州市滨江区", "杭州市", True),
        ("浙江省杭州市滨江区", "滨江区", True),
        ("浙江省杭州市余杭区", "杭州市滨江区", False),
        ("浙江省杭州市滨江区", "杭州", True),
        ("浙江省杭州市滨江区", "滨江", True),
        ("浙江省杭州市滨江区", "杭州市滨", False),
        ("浙江省宁波市杭州湾新区", "杭州", False),
        ("吉林省延边朝鲜族自治州延吉市", "延边朝鲜族自治州", True),
        ("吉林省延边朝鲜族自治州延吉市", "延吉市", True),
        ("浙江省 杭州市 滨江区", "杭州市滨江区", True),
        ("", "杭州市", False),
        ("浙江省杭州市滨江区", "", False),
    ],
)
def test_region_matches(region: str, prefix: str, expected: bool) -> None:
    assert region_matches(region, prefix) is expected


def test_demo_regulator_covers_both_agencies(db: Session) -> None:
    regulator = accounts.get_organisation_by_name(db, "滨江区市场监管局")
    cover = jurisdiction.coverage(db, regulator.id)
    names = {accounts.get_organisation_or_raise(db, i).name for i in cover.organisations}
    assert names == {"星河直播", "青禾优选"}


def test_jurisdiction_rows_are_validated(db: Session) -> None:
    regulator = accounts.get_organisation_by_name(db, "滨江区市场监管局")
    agency = accounts.get_organisation_by_name(db, "星河直播")
    with pytest.raises(Conflict):
        jurisdiction.add_jurisdiction(db, regulator=regulator, region_prefix="浙江省杭州市滨江区")
    with pytest.raises(ValidationFailed, match="regulator"):
        jurisdiction.add_jurisdiction(db, regulator=agency, region_prefix="杭州市")
    with pytest.raises(ValidationFailed, match="region"):
        jurisdiction.add_jurisdiction(db, regulator=regulator, region_prefix="  ")


def small_regulator(db: Session, *, category: str | None = None) -> Any:
    """A second regulator covering only 滨江区 (星河直播), optionally one category."""
    org = accounts.create_organisation(
        db, name="西湖区市场监管局", kind=OrganisationKind.REGULATOR, region="浙江省杭州市西湖区"
    )
    user = accounts.create_user(db, email="inspector@xihu.example", password="demo-password")
    accounts.add_membership(db, user=user, organisation=org, role=Role.INSPECTOR)
    jurisdiction.add_jurisdiction(
        db, regulator=org, region_prefix="杭州市滨江区", category=category
    )
    return accounts.principal_for(user)


def products_of(db: Session, org_name: str) -> list[Product]:
    org = accounts.get_organisation_by_name(db, org_name)
    with tenancy.bypass_tenancy(db, reason="test setup"):
        return list(db.scalars(select(Product).where(Product.organisation_id == org.id)))


def test_scope_lists_only_covered_organisations_and_categories(db: Session) -> None:
    who = small_regulator(db, category="food")
    with jurisdiction.regulator_scope(db, who) as scope:
        rows, total = scope.products(limit=200)
    expected = {p.id for p in products_of(db, "星河直播") if p.category == "food"}
    assert {p.id for p in rows} == expected and total == len(expected)


def test_scope_outside_jurisdiction_is_not_found(db: Session) -> None:
    from liveqc.errors import NotFound

    who = small_regulator(db)
    theirs = products_of(db, "青禾优选")[0]
    with pytest.raises(NotFound), jurisdiction.regulator_scope(db, who) as scope:
        scope.product(theirs.id)


def test_scope_refuses_changes_to_agency_rows(db: Session) -> None:
    who = principal(db, INSPECTOR)
    target = products_of(db, "星河直播")[0]
    with pytest.raises(PermissionDenied), jurisdiction.regulator_scope(db, who) as scope:
        scope.product(target.id).name = "改名"
    db.rollback()


def test_only_regulators_open_a_scope(db: Session) -> None:
    agency = principal(db, "admin@xinghe.example")
    with pytest.raises(PermissionDenied), jurisdiction.regulator_scope(db, agency):
        pass


# -- through the API ---------------------------------------------------------------------------


def test_regulator_reads_are_logged_and_the_agency_sees_who_looked(
    client: TestClient, sc_login: Any
) -> None:
    regulator, xinghe = sc_login(INSPECTOR), sc_login("admin@xinghe.example")
    before = client.get("/api/v1/access-log", headers=xinghe).json()["total"]
    listed = client.get("/api/v1/regulator/products", headers=regulator).json()
    mine = client.get("/api/v1/products", headers=xinghe).json()["items"]
    one = mine[0]["id"]
    assert client.get(f"/api/v1/regulator/products/{one}", headers=regulator).status_code == 200
    log = client.get("/api/v1/access-log", headers=xinghe, params={"limit": 200}).json()
    assert log["total"] == before + len(mine) + 1
    newest = log["items"][0]
    assert newest["object_type"] == "products" and newest["object_id"] == str(one)
    assert newest["action"] == "read" and newest["path"] == f"/api/v1/regulator/products/{one}"
    assert listed["total"] >= len(mine)
    entry = client.get(f"/api/v1/access-log/{newest['id']}", headers=xinghe)
    assert entry.status_code == 200
    qinghe = sc_login("admin@qinghe.example")
    assert client.get(f"/api/v1/access-log/{newest['id']}", headers=qinghe).status_code == 404


def test_regulator_cannot_write_agency_products(client: TestClient, sc_login: Any) -> None:
    regulator, xinghe = sc_login(INSPECTOR), sc_login("admin@xinghe.example")
    one = client.get("/api/v1/products", headers=xinghe).json()["items"][0]["id"]
    for method in ("PATCH", "PUT", "DELETE"):
        response = client.request(method, f"/api/v1/regulator/products/{one}", headers=regulator,
                                  json={"name": "x"})  # fmt: skip
        assert response.status_code == 403, method
        assert response.json()["code"] == "permission-denied"


def test_agencies_cannot_use_regulator_endpoints(client: TestClient, sc_login: Any) -> None:
    xinghe = sc_login("admin@xinghe.example")
    for path in ("/api/v1/regulator/products", "/api/v1/spot-check-plans", "/api/v1/jurisdictions"):
        assert client.get(path, headers=xinghe).status_code == 403, path


def test_jurisdiction_limits_reads_to_404(client: TestClient, sc_login: Any, db: Session) -> None:
    small_regulator(db)
    db.commit()
    xihu = sc_login("inspector@xihu.example")
    qinghe_products = client.get("/api/v1/products", headers=sc_login("admin@qinghe.example"))
    for row in qinghe_products.json()["items"]:
        response = client.get(f"/api/v1/regulator/products/{row['id']}", headers=xihu)
        assert response.status_code == 404
        assert response.json()["code"] == "not-found"
    covered = client.get("/api/v1/regulator/organisations", headers=xihu).json()
    assert [o["name"] for o in covered["items"]] == ["星河直播"]


def test_regulator_admin_manages_jurisdiction_over_the_api(
    client: TestClient, sc_login: Any
) -> None:
    inspector = sc_login(INSPECTOR)
    rows = client.get("/api/v1/jurisdictions", headers=inspector).json()
    assert rows["total"] == 2
    one = rows["items"][0]["id"]
    assert client.get(f"/api/v1/jurisdictions/{one}", headers=inspector).status_code == 200
    refused = client.post("/api/v1/jurisdictions", headers=inspector, json={"region": "杭州市"})
    assert refused.status_code == 403  # an inspector, not an admin


def test_sessions_outside_jurisdiction_are_not_found(db: Session) -> None:
    from datetime import UTC, datetime

    from liveqc.errors import NotFound
    from liveqc.live_sessions.models import LiveSession

    who = small_regulator(db)
    ids = {}
    for name in ("星河直播", "青禾优选"):
        org = accounts.get_organisation_by_name(db, name)
        with tenancy.bypass_tenancy(db, reason="test setup"):
            live = LiveSession(organisation_id=org.id, platform="抖音", room=name, title="场次",
                               scheduled_at=datetime(2026, 7, 1, tzinfo=UTC))  # fmt: skip
            db.add(live)
            db.flush()
        ids[name] = live.id
    with jurisdiction.regulator_scope(db, who) as scope:
        assert scope.row(LiveSession, ids["星河直播"]).room == "星河直播"
        rows, _ = scope.rows(LiveSession, limit=200)
        with pytest.raises(NotFound):
            scope.row(LiveSession, ids["青禾优选"])
    assert ids["青禾优选"] not in {r.id for r in rows}


def test_scope_refuses_new_rows_for_other_organisations(db: Session) -> None:
    from liveqc.spot_checks.models import Notice

    who = principal(db, INSPECTOR)
    agency = accounts.get_organisation_by_name(db, "星河直播")
    with pytest.raises(PermissionDenied), jurisdiction.regulator_scope(db, who):
        db.add(Notice(organisation_id=agency.id, spot_check_id=1,
                      regulator_organisation_id=who.organisation.id, kind="x"))  # fmt: skip
    db.rollback()
