"""Property-based API fuzzing: every operation of /api/openapi.json, on the demo database.

Schemathesis generates valid and invalid requests from the OpenAPI document and sends them,
authenticated with real bearer tokens of demo users, to the real application. Each operation
is one test per backend, inside the demo database's rolled-back transaction, so the state
changes it makes are thrown away. No request may end in a 5xx, and every status, content type
and response body must be as documented.

Requests act as the agency admin of 星河直播, or, on regulator operations, as the inspector of
滨江区市场监管局 (also made its admin so that jurisdiction changes are allowed). Integer path
parameters are mixed with small ids so that requests reach existing demo rows, and JSON bodies
are also sent with an unpaired surrogate appended to every string.

The run is bounded (``LIVEQC_FUZZ_EXAMPLES`` examples per operation, default 5; no deadline)
and derandomized, so CI replays the same requests every time. ``LIVEQC_FUZZ_DEEP=1`` adds
schemathesis' coverage phase for a long exploratory run (about 10 minutes per backend).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig
from schemathesis.python.asgi import ASGIClient
from sqlalchemy.orm import Session, sessionmaker

from liveqc.accounts import service as accounts
from liveqc.accounts.models import Role
from liveqc.api.app import create_app
from tests.conftest import make_settings

BASE_URL = "http://testserver"
#: No 5xx; every status, content type and response body as documented.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: Examples per operation: enough to reach validation edges, small enough for CI (< 3 minutes).
MAX_EXAMPLES = int(os.environ.get("LIVEQC_FUZZ_EXAMPLES", "5"))
STREAM_SECONDS = 0.2
#: Small ids reach the demo rows (ids start at 1 on both backends); the rest probe the edges.
DEMO_IDS = st.integers(min_value=1, max_value=12)
#: Operations a regulator performs; every other operation acts as the agency's admin.
REGULATOR_PREFIXES = (
    "/api/v1/regulator/",
    "/api/v1/jurisdictions",
    "/api/v1/access-log",
    "/api/v1/spot-check-plans",
    "/api/v1/spot-checks/",
    "/api/v1/spot-check-objections/{objection_id}/decision",
    "/api/v1/publications",
)
AGENCY_EXCEPTIONS = ("/api/v1/spot-checks/{check_id}/objection",)


def _schema_app() -> Any:
    """An application built only to publish its OpenAPI document (it never touches a DB)."""
    settings = make_settings(Path(tempfile.gettempdir()) / "liveqc-openapi")
    return create_app(settings, session_factory=sessionmaker())


#: The coverage phase sends every boundary value of every parameter: hundreds of requests per
#: operation, so only a deep run has it.
DEEP = os.environ.get("LIVEQC_FUZZ_DEEP") == "1"
CONFIG = SchemathesisConfig.from_dict(
    {
        "base-url": BASE_URL,
        "generation": {"mode": "all"},
        "phases": {"coverage": {"enabled": DEEP}},
    }
)
schema = schemathesis.openapi.from_dict(_schema_app().openapi(), config=CONFIG)


@schema.hook
def before_generate_path_parameters(context: Any, strategy: Any) -> Any:
    """Mix existing demo ids into integer path parameters, so handlers past the lookup run."""

    def mix(parameters: dict[str, Any]) -> Any:
        if not isinstance(parameters, dict):
            return st.just(parameters)
        return st.fixed_dictionaries(
            {
                name: st.one_of(st.just(value), DEMO_IDS)
                if isinstance(value, int) and not isinstance(value, bool)
                else st.just(value)
                for name, value in parameters.items()
            }
        )

    return strategy.flatmap(mix)


def _poison(value: Any) -> Any:
    """``value`` with a lone surrogate (which no database can store) appended to each string."""
    if isinstance(value, str):
        return value + "\ud800"
    if isinstance(value, dict):
        return {key: _poison(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_poison(item) for item in value]
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _acts_as_regulator(path: str) -> bool:
    if path in AGENCY_EXCEPTIONS:
        return False
    return path.startswith(REGULATOR_PREFIXES)


@pytest.fixture
def identities(demo: Any, session: Session) -> dict[str, dict[str, str]]:
    """Bearer-token headers of the agency admin and of a regulator inspector who is also admin."""
    agency = demo.organisations["星河直播"]
    regulator = demo.organisations["滨江区市场监管局"]
    admin = accounts.get_user_or_raise(session, "admin@xinghe.example")
    inspector = accounts.get_user_or_raise(session, "inspector@binjiang.example")
    reg_org = accounts.get_organisation_or_raise(session, regulator.id)
    accounts.add_membership(session, user=inspector, organisation=reg_org, role=Role.ADMIN)
    _, agency_token = accounts.create_token(session, user=admin, name="schemathesis")
    _, regulator_token = accounts.create_token(session, user=inspector, name="schemathesis")
    session.commit()
    return {
        "agency": {"Authorization": f"Bearer {agency_token}", "X-Liveqc-Org": str(agency.id)},
        "regulator": {
            "Authorization": f"Bearer {regulator_token}",
            "X-Liveqc-Org": str(regulator.id),
        },
    }


@pytest.fixture
def transport(client: TestClient) -> ASGIClient:
    """Schemathesis' in-process client on the test's app (whose lifespan ``client`` runs)."""
    return ASGIClient(client.app)


@schema.parametrize()
@schema.given(data=st.data())
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_api_operation_never_fails_with_a_server_error(
    case: Any, data: Any, transport: ASGIClient, identities: dict[str, dict[str, str]]
) -> None:
    path = case.operation.path
    # The identity's headers replace generated ones, so every request gets past auth.
    headers = identities["regulator" if _acts_as_regulator(path) else "agency"]
    if path.endswith("/alerts/stream"):
        # The feed stays open until max_seconds (default 300); keep each stream short.
        seconds = case.query.get("max_seconds") if isinstance(case.query, dict) else None
        if seconds is None or (_is_number(seconds) and seconds > STREAM_SECONDS):
            case.query = {**(case.query or {}), "max_seconds": STREAM_SECONDS}
    extra: dict[str, Any] = {}
    poisoned = _poison(case.body)
    if "json" in (case.media_type or "") and poisoned != case.body and data.draw(st.booleans()):
        # Hypothesis never generates an unpaired surrogate, yet JSON can carry one
        # ("\\ud800") and it used to reach the database and the engine.
        extra["json"] = poisoned
    case.call_and_validate(
        session=transport,
        headers=headers,
        checks=CHECKS,
        **extra,
    )
