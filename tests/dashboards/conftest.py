"""Fixtures for the home pages: demo principals on a tenant-scoped session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from liveqc.accounts.service import Principal
from tests.factories.products import act_as


@pytest.fixture
def as_user(session: Session, demo: Any) -> Callable[[str], Principal]:
    """``as_user(email)``: the demo user as a principal, the session switched to their org."""

    def _as(email: str) -> Principal:
        return act_as(session, demo, email)

    return _as
