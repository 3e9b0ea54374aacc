from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liveqc.compliance import flows, service
from liveqc.compliance.engines import engines
from liveqc.compliance.models import EntryKind, Finding, FindingStatus
from liveqc.config import Settings
from liveqc.db import tenancy
from liveqc.errors import Conflict, InvalidTransition, ValidationFailed
from liveqc.events.models import AuditEvent
from tests.factories.compliance import load_demo


@pytest.fixture(autouse=True)
def fresh_engines() -> Iterator[None]:
    engines.clear()
    yield
    engines.wait_all()
    engines.clear()


@pytest.fixture
def demo(
    session_factory: sessionmaker[Session], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Any:
    return load_demo(session_factory, settings, monkeypatch)


def as_org(session: Session, demo: Any, name: str) -> int:
    org_id: int = demo.organisations[name].id
    tenancy.set_organisation(session, org_id)
    return org_id


def events_for(session: Session, table: str, object_id: int) -> list[AuditEvent]:
    query = select(AuditEvent).where(
        AuditEvent.object_type == table, AuditEvent.object_id == str(object_id)
    )
    return list(session.scalars(query.order_by(AuditEvent.id)))


def a_finding(session: Session) -> Finding:
    return service.scan_and_store(session, text="这是全网最低价").findings[0]


def test_accept_records_reason_reviewer_and_audit_event(session: Session, demo: Any) -> None:
    as_org(session, demo, "星河直播")
    reviewer = demo.users["compliance@xinghe.example"]
    finding = a_finding(session)
    flows.accept(session, finding, reason="  有第三方价格监测报告  ", actor=reviewer)
    assert finding.status is FindingStatus.ACCEPTED
    assert finding.status_reason == "有第三方价格监测报告"
    assert finding.status_by_id == reviewer.id and finding.status_at is not None
    (event,) = [e for e in events_for(session, "compliance_findings", finding.id)]
    assert event.action == "accept" and event.actor_user_id == reviewer.id
    assert event.before == {"status": "open", "reason": ""}
    assert event.after is not None and event.after["status"] == "accepted"
    assert event.after["reason"] == "有第三方价格监测报告"


def test_review_needs_a_written_reason(session: Session, demo: Any) -> None:
    as_org(session, demo, "星河直播")
    finding = a_finding(session)
    with pytest.raises(ValidationFailed, match=r"^reason: "):
        flows.resolve(session, finding, reason="   ", actor=None)
    assert finding.status is FindingStatus.OPEN


def test_transition_table_is_enforced(session: Session, demo: Any) -> None:
    as_org(session, demo, "星河直播")
    finding = a_finding(session)
    with pytest.raises(InvalidTransition):
        flows.reopen(session, finding, reason="x", actor=None)
    flows.resolve(session, finding, reason="已改稿", actor=None)
    with pytest.raises(InvalidTransition, match="resolved; cannot accept"):
        flows.accept(session, finding, reason="x", actor=None)
    flows.reopen(session, finding, reason="改稿未生效", actor=None)
    assert finding.status is FindingStatus.OPEN
    actions = [e.action for e in events_for(session, "compliance_findings", finding.id)]
    assert actions == ["resolve", "reopen"]


def test_every_dictionary_change_bumps_the_version(session: Session, demo: Any) -> None:
    as_org(session, demo, "青禾优选")
    start = service.dictionary_state(session)
    assert start is not None  # the demo entry
    version = start.version
    entry = flows.add_entry(
        session, kind=EntryKind.BANNED, phrase="小钢炮", code="absolute_term", actor=None
    )
    assert entry.severity == "medium"  # default for a banned phrase
    state = service.dictionary_state(session)
    assert state is not None and state.version == version + 1
    assert state.fingerprint == service.load_dictionary(session).fingerprint
    flows.update_entry(session, entry, changes={"is_active": False}, actor=None)
    assert state.version == version + 2
    assert "小钢炮" not in [p for p, _, _ in service.load_dictionary(session).banned]
    flows.remove_entry(session, entry, actor=None)
    assert state.version == version + 3
    actions = [e.action for e in events_for(session, "compliance_dictionary_entries", entry.id)]
    assert actions == ["create", "update", "delete"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": EntryKind.BANNED, "phrase": "小钢炮"}, "code"),
        ({"kind": EntryKind.BANNED, "phrase": "小钢炮", "code": "rudeness"}, "code"),
        (
            {
                "kind": EntryKind.BANNED,
                "phrase": "小钢炮",
                "code": "absolute_term",
                "severity": "x",
            },
            "severity",
        ),
        ({"kind": EntryKind.ALLOW, "phrase": "第一次", "code": "absolute_term"}, "code"),
        ({"kind": EntryKind.ALLOW, "phrase": "   "}, "phrase"),
    ],
)
def test_bad_entries_name_the_field(
    session: Session, demo: Any, kwargs: dict[str, Any], field: str
) -> None:
    as_org(session, demo, "青禾优选")
    with pytest.raises(ValidationFailed, match=f"^{field}: "):
        flows.add_entry(session, **kwargs, actor=None)


def test_duplicate_entry_is_a_conflict(session: Session, demo: Any) -> None:
    as_org(session, demo, "青禾优选")
    flows.add_entry(session, kind=EntryKind.ALLOW, phrase="第一课", actor=None)
    with pytest.raises(Conflict):
        flows.add_entry(session, kind=EntryKind.ALLOW, phrase=" 第一课 ", actor=None)


def test_disable_rule_checks_the_catalogue(session: Session, demo: Any) -> None:
    as_org(session, demo, "青禾优选")
    with pytest.raises(ValidationFailed, match=r"^rule: "):
        flows.disable_rule(session, rule="absolute_term.no_such_rule", actor=None)
    rule = service.catalogue_rules(code="superstition")[0]
    row = flows.disable_rule(session, rule=rule.id, reason="  非本机构业务 ", actor=None)
    assert row.rule == rule.key and row.reason == "非本机构业务"
    with pytest.raises(Conflict):
        flows.disable_rule(session, rule=rule.key, actor=None)
    assert rule.key in service.load_dictionary(session).disabled
    flows.enable_rule(session, row, actor=None)
    assert rule.key not in service.load_dictionary(session).disabled
    actions = [e.action for e in events_for(session, "compliance_disabled_rules", row.id)]
    assert actions == ["disable", "enable"]
