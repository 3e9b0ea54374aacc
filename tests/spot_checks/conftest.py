"""Fixtures of the spot-check tests: the core demo plus the spot-check demo only (so these tests
do not depend on other domains' demo rows), a regulator principal and a fresh drawn plan."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from liveqc.accounts import service as accounts
from liveqc.accounts.service import Principal
from liveqc.config import Settings
from liveqc.db import tenancy


@pytest.fixture
def sc_demo(
    session_factory: sessionmaker[Session], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Any:
    from liveqc.demo import loader
    from liveqc.spot_checks import demo as spot_checks_demo

    monkeypatch.setattr(loader, "domain_loaders", lambda: [spot_checks_demo.load])
    with session_factory() as session, session.begin():
        return loader.load(session, settings)


@pytest.fixture
def db(session_factory: sessionmaker[Session], sc_demo: Any) -> Iterator[Session]:
    """A session over the demo rows, in a transaction of its own."""
    with session_factory() as session, session.begin():
        yield session


def principal(session: Session, email: str) -> Principal:
    user = accounts.get_user_or_raise(session, email)
    who = accounts.principal_for(user)
    tenancy.set_organisation(session, who.organisation.id)
    return who


@pytest.fixture
def sc_login(client: TestClient, sc_demo: Any) -> Any:
    """``sc_login(email)`` → headers with a bearer token for a demo user."""

    def _login(email: str) -> dict[str, str]:
        response = client.post(
            "/api/v1/auth/login", json={"email": email, "password": "demo-password"}
        )
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    return _login
