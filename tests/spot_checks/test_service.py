"""Plan creation rules and who sees which checks, notices and objections."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from liveqc.errors import NotFound, PermissionDenied, ValidationFailed
from liveqc.spot_checks import service
from liveqc.spot_checks.schemas import PlanCreate
from tests.spot_checks.conftest import principal

INSPECTOR = "inspector@binjiang.example"


def test_a_plan_gets_a_recorded_seed(db: Session) -> None:
    reg = principal(db, INSPECTOR)
    a = service.create_plan(db, data=PlanCreate(name="a", sample_count=1), principal=reg)
    b = service.create_plan(db, data=PlanCreate(name="b", sample_count=1), principal=reg)
    assert a.seed and b.seed and a.seed != b.seed
    given = service.create_plan(
        db, data=PlanCreate(name="c", sample_count=1, seed="S-1"), principal=reg
    )
    assert given.seed == "S-1" and given.status.value == "draft"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"method": "stratified"}, "stratify_by"),
        ({"method": "simple", "weights": {1: 2.0}}, "weights"),
    ],
)
def test_inconsistent_plans_are_refused(db: Session, fields: dict, message: str) -> None:
    reg = principal(db, INSPECTOR)
    with pytest.raises(ValidationFailed, match=message):
        service.create_plan(db, data=PlanCreate(name="x", sample_count=2, **fields), principal=reg)


def test_only_regulators_plan(db: Session) -> None:
    agency = principal(db, "admin@xinghe.example")
    with pytest.raises(PermissionDenied):
        service.create_plan(db, data=PlanCreate(name="x", sample_count=1), principal=agency)


def test_agencies_see_checks_of_their_own_products_only(db: Session) -> None:
    reg = principal(db, INSPECTOR)
    all_checks, total = service.list_checks(db, principal=reg)
    xinghe = principal(db, "admin@xinghe.example")
    mine, mine_total = service.list_checks(db, principal=xinghe)
    assert 0 < mine_total < total
    assert {c.subject_organisation_id for c in mine} == {xinghe.organisation.id}
    other = next(c for c in all_checks if c.subject_organisation_id != xinghe.organisation.id)
    with pytest.raises(NotFound):
        service.get_check_or_raise(db, other.id, principal=xinghe)
    own = service.get_check_or_raise(db, mine[0].id, principal=xinghe)
    assert own.custody  # loaded through the agency's view


def test_regulator_sees_objections_to_its_checks(db: Session) -> None:
    reg = principal(db, INSPECTOR)
    rows, total = service.list_objections(db, principal=reg, limit=10, offset=0)
    assert total == 2 and {r.regulator_organisation_id for r in rows} == {reg.organisation.id}
    xinghe = principal(db, "admin@xinghe.example")
    own, own_total = service.list_objections(db, principal=xinghe, limit=10, offset=0)
    assert own_total == 1 and own[0].organisation_id == xinghe.organisation.id
