"""Compliance test data: the demo set limited to the core rows and the compliance domain."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from liveqc.compliance import demo as compliance_demo
from liveqc.config import Settings
from liveqc.demo import loader


def load_demo(
    session_factory: sessionmaker[Session], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Any:
    """Organisations, users, products and the compliance demo rows (no other domain's rows),
    so compliance tests do not depend on other domains' demo data."""
    monkeypatch.setattr(loader, "domain_loaders", lambda: [compliance_demo.load])
    with session_factory() as session, session.begin():
        return loader.load(session, settings)
