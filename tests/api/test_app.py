from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from liveqc.api.app import create_app
from liveqc.db.session import make_db_engine, make_session_factory
from tests.conftest import make_settings


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok"}


def test_readiness_fails_when_the_database_is_unreachable(tmp_path) -> None:
    settings = make_settings(tmp_path, database_url=f"sqlite:///{tmp_path / 'no' / 'x.db'}")
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503


def test_openapi_and_docs_are_served_locally(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    for path in (
        "/api/v1/auth/login",
        "/api/v1/auth/tokens",
        "/api/v1/products/{product_id}",
        "/api/v1/suppliers",
        "/api/v1/audit-events",
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/organisations",
    ):
        assert path in spec["paths"], path
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "/api/docs/assets/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_request_id_is_echoed_or_generated(client: TestClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
        == "abc-123"
    )
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"}).headers[
        "X-Request-ID"
    ]
    assert len(generated) == 32


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/login").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self';" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]


def test_each_request_is_one_transaction(settings, db_connection) -> None:
    """A failing request leaves nothing behind, a successful one commits."""
    factory: sessionmaker = make_session_factory(
        db_connection, join_transaction_mode="create_savepoint"
    )
    from liveqc.demo.loader import load

    with factory() as session, session.begin():
        load(session, settings)
    app = create_app(settings, session_factory=factory)
    with TestClient(app) as client:
        token = client.post(
            "/api/v1/auth/login", json={"email": "qc@xinghe.example", "password": "demo-password"}
        ).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        before = client.get("/api/v1/products", headers=headers).json()["total"]
        bad = client.post(
            "/api/v1/products",
            headers=headers,
            json={"supplier_id": 99999, "sku": "XH-TX", "name": "x", "category": "food"},
        )
        assert bad.status_code == 422
        assert client.get("/api/v1/products", headers=headers).json()["total"] == before


def test_default_app_builds_its_own_engine(tmp_path) -> None:
    settings = make_settings(tmp_path)
    app = create_app(settings)
    assert app.state.session_factory.kw["bind"].url.database.endswith("liveqc-test.db")
    make_db_engine(settings).dispose()


def test_domain_routers_are_discovered() -> None:
    from liveqc.accounts.views import router as accounts
    from liveqc.api.app import api_routers
    from liveqc.events.views import router as events
    from liveqc.products.views import router as products

    routers = api_routers()
    assert all(router in routers for router in (accounts, events, products))


def test_openapi_documents_bearer_auth_and_problem_responses(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    operation = spec["paths"]["/api/v1/products/{product_id}"]["get"]
    assert operation["security"] == [{"HTTPBearer": []}]
    for status in ("401", "404", "422"):
        assert list(operation["responses"][status]["content"]) == ["application/problem+json"]
