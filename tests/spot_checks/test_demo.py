"""The spot-check demo: jurisdiction over both agencies, a drawn plan, published failures and
objections; loading twice creates nothing new."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from liveqc.config import Settings
from liveqc.db import tenancy
from liveqc.spot_checks import demo
from liveqc.spot_checks.models import (
    Jurisdiction,
    Objection,
    ObjectionStatus,
    Publication,
    SpotCheck,
    SpotCheckPlan,
)


def count(session: Session, model: Any) -> int:
    with tenancy.bypass_tenancy(session, reason="test count"):
        return session.scalar(select(func.count(model.id))) or 0


def test_demo_rows(db: Session, sc_demo: Any) -> None:
    assert sc_demo.created["jurisdictions"] == 2 and sc_demo.created["spot_check_plans"] == 1
    assert count(db, SpotCheck) == 4 and count(db, Publication) == 3
    with tenancy.bypass_tenancy(db, reason="test read"):
        plan = db.scalars(select(SpotCheckPlan)).one()
        assert plan.seed == demo.SEED and len(plan.selected_ids) == 4
        owners = {c.subject_organisation_id for c in db.scalars(select(SpotCheck))}
        statuses = sorted(o.status for o in db.scalars(select(Objection)))
    assert len(owners) == 2
    assert statuses == [ObjectionStatus.PENDING, ObjectionStatus.REJECTED]


def test_loading_again_creates_nothing(
    session_factory: sessionmaker[Session], settings: Settings, sc_demo: Any
) -> None:
    from liveqc.demo import loader

    with session_factory() as session, session.begin():
        again = loader.load(session, settings)
        assert again.created == {}
        assert count(session, Jurisdiction) == 2 and count(session, SpotCheck) == 4
