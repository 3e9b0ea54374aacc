from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liveqc.accounts.models import OrganisationKind
from liveqc.accounts.service import create_organisation
from liveqc.compliance.models import (
    DictionaryEntry,
    DictionaryState,
    DisabledRule,
    EntryKind,
    Finding,
    FindingStatus,
    Scan,
)
from liveqc.db import tenancy
from liveqc.errors import PermissionDenied


@pytest.fixture
def orgs(session: Session) -> tuple[Any, Any]:
    a = create_organisation(session, name="甲机构", kind=OrganisationKind.AGENCY, region="")
    b = create_organisation(session, name="乙机构", kind=OrganisationKind.AGENCY, region="")
    session.flush()
    return a, b


def a_scan(**overrides: Any) -> Scan:
    values: dict[str, Any] = {
        "source_type": "adhoc",
        "scene": "script",
        "catalogue_version": "abc123",
        "text": "全网最低价",
    }
    values.update(overrides)
    return Scan(**values)


def test_scan_defaults_and_findings_in_position_order(session: Session, orgs: Any) -> None:
    tenancy.set_organisation(session, orgs[0].id)
    scan = a_scan(facts={"brand": "美妍", "registrations": ["cosmetic_filing"]})
    common = {"rule": "r", "severity": "high", "basis": "b", "message": "m", "suggestion": "s"}
    scan.findings = [
        Finding(
            position=1,
            code="price_fraud",
            start=0,
            end=5,
            match="全网最低价",
            catalogue_version="abc123",
            **common,
        ),
        Finding(
            position=0,
            code="absolute_term",
            start=0,
            end=5,
            match="全网最低价",
            catalogue_version="abc123",
            **common,
        ),
    ]
    session.add(scan)
    session.flush()
    session.expire_all()
    row = session.scalars(select(Scan).where(Scan.id == scan.id)).one()
    assert row.organisation_id == orgs[0].id and row.finding_count == 0
    assert row.facts == {"brand": "美妍", "registrations": ["cosmetic_filing"]}
    assert [f.code for f in row.findings] == ["absolute_term", "price_fraud"]
    assert all(f.status is FindingStatus.OPEN and f.status_reason == "" for f in row.findings)
    assert all(f.organisation_id == orgs[0].id for f in row.findings)


def test_dictionary_phrase_is_unique_per_organisation_and_kind(session: Session, orgs: Any) -> None:
    a, b = orgs
    tenancy.set_organisation(session, a.id)
    session.add(DictionaryEntry(kind=EntryKind.BANNED, phrase="小钢炮", code="absolute_term"))
    session.add(DictionaryEntry(kind=EntryKind.ALLOW, phrase="小钢炮"))
    session.flush()
    tenancy.set_organisation(session, b.id)
    session.add(DictionaryEntry(kind=EntryKind.BANNED, phrase="小钢炮", code="absolute_term"))
    session.flush()
    tenancy.set_organisation(session, a.id)
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(DictionaryEntry(kind=EntryKind.BANNED, phrase="小钢炮", code="price_fraud"))
        session.flush()


def test_one_state_row_and_unique_disabled_rule_per_organisation(
    session: Session, orgs: Any
) -> None:
    tenancy.set_organisation(session, orgs[0].id)
    session.add(DictionaryState(version=1, fingerprint="f"))
    session.add(DisabledRule(rule="ad_law/absolute_term.superlatives"))
    session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(DictionaryState(version=2, fingerprint="g"))
        session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(DisabledRule(rule="ad_law/absolute_term.superlatives"))
        session.flush()


def test_rows_are_invisible_and_unwritable_across_organisations(
    session: Session, orgs: Any
) -> None:
    a, b = orgs
    tenancy.set_organisation(session, a.id)
    scan = a_scan()
    session.add(scan)
    session.add(DictionaryEntry(kind=EntryKind.ALLOW, phrase="第一次"))
    session.flush()
    tenancy.set_organisation(session, b.id)
    assert session.scalars(select(Scan)).all() == []
    assert session.scalars(select(DictionaryEntry)).all() == []
    scan.text = "篡改"
    with pytest.raises(PermissionDenied):
        session.flush()
