from __future__ import annotations

from fastapi.testclient import TestClient

LOGIN = "/api/v1/auth/login"


def test_login_returns_a_working_token(client: TestClient, demo) -> None:
    response = client.post(LOGIN, json={"email": "qc@xinghe.example", "password": "demo-password"})
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("lqc_") and body["token_type"] == "bearer"
    assert body["user"]["organisation"]["name"] == "星河直播"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json()["email"] == "qc@xinghe.example"
    assert me.json()["roles"] == ["qc_reviewer"]


def test_bad_password_is_401_problem(client: TestClient, demo) -> None:
    response = client.post(LOGIN, json={"email": "qc@xinghe.example", "password": "guess"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "authentication-required"


def test_unknown_account_looks_like_a_bad_password(client: TestClient, demo) -> None:
    unknown = client.post(LOGIN, json={"email": "nobody@x.example", "password": "guess"})
    wrong = client.post(LOGIN, json={"email": "qc@xinghe.example", "password": "guess"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json()["detail"] == wrong.json()["detail"]


def test_repeated_failures_are_rate_limited_even_with_the_right_password(
    client: TestClient, demo
) -> None:
    for _ in range(5):
        client.post(LOGIN, json={"email": "admin@xinghe.example", "password": "guess"})
    response = client.post(
        LOGIN, json={"email": "admin@xinghe.example", "password": "demo-password"}
    )
    assert response.status_code == 429
    assert response.json()["code"] == "rate-limited"
    assert int(response.headers["Retry-After"]) > 0
    other = client.post(LOGIN, json={"email": "qc@xinghe.example", "password": "demo-password"})
    assert other.status_code == 201


def test_token_lifecycle_create_list_use_revoke(client: TestClient, login) -> None:
    headers = login("admin@qinghe.example")
    created = client.post("/api/v1/auth/tokens", json={"name": "etl"}, headers=headers)
    assert created.status_code == 201
    token, token_id = created.json()["token"], created.json()["id"]
    mine = client.get("/api/v1/auth/tokens", headers=headers).json()
    assert mine["total"] == len(mine["items"]) >= 2
    assert all("token" not in item for item in mine["items"])
    assert any(item["id"] == token_id and item["name"] == "etl" for item in mine["items"])
    assert client.get(f"/api/v1/auth/tokens/{token_id}", headers=headers).status_code == 200
    etl = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=etl).status_code == 200
    revoked = client.delete(f"/api/v1/auth/tokens/{token_id}", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["is_active"] is False
    assert client.get("/api/v1/me", headers=etl).status_code == 401


def test_another_users_token_cannot_be_seen_or_revoked(client: TestClient, login) -> None:
    owner = login("admin@qinghe.example")
    token_id = client.get("/api/v1/auth/tokens", headers=owner).json()["items"][0]["id"]
    intruder = login("qc@xinghe.example")
    assert client.get(f"/api/v1/auth/tokens/{token_id}", headers=intruder).status_code == 404
    assert client.delete(f"/api/v1/auth/tokens/{token_id}", headers=intruder).status_code == 404


def test_missing_or_malformed_credentials_are_401(client: TestClient, demo) -> None:
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    bogus = client.get("/api/v1/me", headers={"Authorization": "Bearer lqc_nope"})
    assert bogus.status_code == 401 and bogus.headers["WWW-Authenticate"] == "Bearer"


def test_org_header_picks_one_of_my_organisations(
    client: TestClient, login, session_factory, demo
) -> None:
    from liveqc.accounts import service
    from liveqc.accounts.models import Role, User

    qinghe = demo.organisations["青禾优选"]
    with session_factory() as session, session.begin():
        account = session.get(User, demo.users["qc@xinghe.example"].id)
        service.add_membership(session, user=account, organisation=qinghe, role=Role.VIEWER)
    headers = login("qc@xinghe.example")
    assert client.get("/api/v1/me", headers=headers).json()["organisation"]["name"] == "星河直播"
    orgs = client.get("/api/v1/organisations", headers=headers).json()
    assert orgs["total"] == 2
    headers["X-Liveqc-Org"] = str(qinghe.id)
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["organisation"]["name"] == "青禾优选" and me["roles"] == ["viewer"]
    skus = {p["sku"] for p in client.get("/api/v1/products", headers=headers).json()["items"]}
    assert skus and all(sku.startswith("QH-") for sku in skus)


def test_org_header_for_a_foreign_organisation_is_403(client: TestClient, login, demo) -> None:
    headers = login("qc@xinghe.example", org=demo.organisations["青禾优选"].id)
    response = client.get("/api/v1/products", headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "permission-denied"
    headers["X-Liveqc-Org"] = "999999"
    assert client.get("/api/v1/me", headers=headers).status_code == 403


def test_users_list_is_for_admins_of_my_organisation(client: TestClient, login) -> None:
    assert client.get("/api/v1/users", headers=login("qc@xinghe.example")).status_code == 403
    body = client.get("/api/v1/users", headers=login("admin@xinghe.example")).json()
    assert body["total"] == 4
    assert {u["email"] for u in body["items"]} == {
        "qc@xinghe.example",
        "compliance@xinghe.example",
        "aftersales@xinghe.example",
        "admin@xinghe.example",
    }
    first = body["items"][0]["id"]
    admin = login("admin@xinghe.example")
    assert client.get(f"/api/v1/users/{first}", headers=admin).status_code == 200
    other = login("admin@qinghe.example")
    assert client.get(f"/api/v1/users/{first}", headers=other).status_code == 404
