from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liveqc.compliance import flows, service
from liveqc.compliance.engines import engines
from liveqc.compliance.models import EntryKind, Finding, FindingStatus, Scan
from liveqc.config import Settings
from liveqc.db import tenancy
from liveqc.errors import NotFound, PermissionDenied, ValidationFailed
from liveqc.events.models import AuditEvent
from tests.factories.compliance import load_demo


@pytest.fixture(autouse=True)
def fresh_engines() -> Iterator[None]:
    """Each test starts and ends with an empty engine cache (dictionaries roll back)."""
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


def test_scan_and_store_keeps_findings_with_the_catalogue_version(
    session: Session, demo: Any
) -> None:
    as_org(session, demo, "星河直播")
    actor = demo.users["compliance@xinghe.example"]
    row = service.scan_and_store(
        session,
        text="这是全网最低价，加微信下单",
        category="cosmetics",
        facts={"brand": "美妍"},
        source_type="segment",
        source_id="seg-7",
        actor=actor,
    )
    assert row.id and row.created_by_id == actor.id and row.source_id == "seg-7"
    assert row.facts == {"brand": "美妍"} and row.scene == "script"
    codes = {f.code for f in row.findings}
    assert {"price_fraud", "off_platform_transaction"} <= codes
    assert row.finding_count == len(row.findings)
    assert [f.position for f in row.findings] == list(range(len(row.findings)))
    for finding in row.findings:
        assert finding.status is FindingStatus.OPEN
        assert finding.catalogue_version == row.catalogue_version
        assert row.text[finding.start : finding.end] == finding.match
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "compliance_scans", AuditEvent.object_id == str(row.id)
        )
    ).one()
    assert event.after is not None and event.after["findings"] == row.finding_count


def test_scan_without_findings_is_stored_too(session: Session, demo: Any) -> None:
    as_org(session, demo, "青禾优选")
    row = service.scan_and_store(session, text="纯棉T恤，透气舒服。", category="apparel")
    assert row.finding_count == 0 and row.findings == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"category": "spaceships"}, "category"),
        ({"facts": {"colour": "red"}}, "facts"),
        ({"facts": {"spf": "high"}}, "facts"),
        ({"scene": "radio"}, "scene"),
    ],
)
def test_bad_context_names_the_field(
    session: Session, demo: Any, kwargs: dict[str, Any], field: str
) -> None:
    as_org(session, demo, "星河直播")
    with pytest.raises(ValidationFailed, match=f"^{field}: "):
        service.scan_and_store(session, text="最好用", **kwargs)


def test_scanning_needs_an_organisation(session: Session, demo: Any) -> None:
    tenancy.set_organisation(session, None)
    with pytest.raises(PermissionDenied):
        service.scan(session, text="最好用")
    org = as_org(session, demo, "星河直播")
    with pytest.raises(PermissionDenied):
        service.engine_for(session, org + 1000)


def test_banned_phrase_reaches_the_next_scan_with_its_code_and_severity(
    session: Session, demo: Any
) -> None:
    org = as_org(session, demo, "星河直播")
    text = "这口锅真是煮饭小钢炮"
    assert service.scan(session, text=text, category="appliance").findings == ()
    before = service.engine_for(session, org)
    flows.add_entry(
        session,
        kind=EntryKind.BANNED,
        phrase="小钢炮",
        code="absolute_term",
        severity="high",
        actor=None,
    )
    engines.wait(org)
    after = service.engine_for(session, org)
    assert after is not before and after.version != before.version
    (finding,) = service.scan(session, text=text, category="appliance").findings
    assert (finding.code, finding.severity, finding.match) == ("absolute_term", "high", "小钢炮")
    assert finding.rule == "absolute_term.org_dictionary_high"


def test_old_engine_serves_until_the_rebuild_is_ready(session: Session, demo: Any) -> None:
    org = as_org(session, demo, "星河直播")
    old = service.engine_for(session, org)
    stale = service.load_dictionary(session)
    flows.add_entry(
        session, kind=EntryKind.BANNED, phrase="小钢炮", code="absolute_term", actor=None
    )
    # Another process's cache: it has the old engine and learns of the change at its next scan.
    engines.wait(org)
    engines.clear()
    engines.get(org, stale)
    assert engines.current(org) is not None
    served = service.engine_for(session, org)
    assert served.version == old.version  # the old catalogue, not a blocked request
    engines.wait(org)
    assert service.engine_for(session, org).version != old.version


def test_allow_list_entry_silences_a_rule_on_the_next_scan(session: Session, demo: Any) -> None:
    org = as_org(session, demo, "青禾优选")
    text = "我们是行业第一品牌"
    assert {f.code for f in service.scan(session, text=text).findings} == {"absolute_term"}
    flows.add_entry(session, kind=EntryKind.ALLOW, phrase="行业第一品牌", actor=None)
    engines.wait(org)
    assert service.scan(session, text=text).findings == ()


def test_disabled_rule_is_left_out_and_enabled_again(session: Session, demo: Any) -> None:
    org = as_org(session, demo, "青禾优选")
    text = "有问题加微信聊"
    (finding,) = service.scan(session, text=text).findings
    row = flows.disable_rule(session, rule=finding.rule, reason="测试", actor=None)
    assert row.rule.endswith("/" + finding.rule)
    engines.wait(org)
    assert service.scan(session, text=text).findings == ()
    flows.enable_rule(session, row, actor=None)
    engines.wait(org)
    assert len(service.scan(session, text=text).findings) == 1


def test_dictionaries_are_per_organisation(session: Session, demo: Any) -> None:
    xinghe = as_org(session, demo, "星河直播")
    flows.add_entry(
        session, kind=EntryKind.BANNED, phrase="小钢炮", code="absolute_term", actor=None
    )
    engines.wait(xinghe)
    assert service.scan(session, text="小钢炮来了").findings
    as_org(session, demo, "青禾优选")
    assert service.scan(session, text="小钢炮来了").findings == ()
    phrases = [e.phrase for e in service.list_entries(session)[0]]
    assert "小钢炮" not in phrases


def test_scans_and_findings_of_another_organisation_are_not_found(
    session: Session, demo: Any
) -> None:
    as_org(session, demo, "星河直播")
    row = service.scan_and_store(session, text="全网最低价")
    finding_id = row.findings[0].id
    as_org(session, demo, "青禾优选")
    with pytest.raises(NotFound):
        service.get_scan_or_raise(session, row.id)
    with pytest.raises(NotFound):
        service.get_finding_or_raise(session, finding_id)
    assert all(s.id != row.id for s in service.list_scans(session, limit=200)[0])
    assert service.list_findings(session, scan_id=row.id) == ([], 0)


def test_list_filters(session: Session, demo: Any) -> None:
    as_org(session, demo, "星河直播")
    row = service.scan_and_store(session, text="全网最低价，加微信", source_type="segment")
    clean = service.scan_and_store(session, text="今天天气不错", source_type="segment")
    rows, total = service.list_scans(session, source_type="segment")
    assert total == 2 and [r.id for r in rows] == [clean.id, row.id]
    assert [r.id for r in service.list_scans(session, source_type="segment", flagged=True)[0]] == [
        row.id
    ]
    found, total = service.list_findings(session, code="off_platform_transaction", scan_id=row.id)
    assert total == 1 and found[0].match.startswith("加微信")
    high, _ = service.list_findings(session, severity="high", status=FindingStatus.OPEN)
    assert high and all(f.severity == "high" for f in high)


def test_catalogue_rules_filter_by_code_and_category() -> None:
    rules = service.catalogue_rules(code="efficacy_unsupported")
    assert rules and all(r.code == "efficacy_unsupported" and r.basis for r in rules)
    for_toys = service.catalogue_rules(category="toy")
    assert all(r.categories is None or "toy" in r.categories for r in for_toys)
    rule = rules[0]
    assert service.find_rule(rule.id) is rule and service.find_rule(rule.key) is rule
    assert service.find_rule("no.such_rule") is None


def test_findings_cascade_with_their_scan(session: Session, demo: Any) -> None:
    as_org(session, demo, "星河直播")
    row = service.scan_and_store(session, text="全网最低价")
    ids = [f.id for f in row.findings]
    session.delete(row)
    session.flush()
    assert session.scalars(select(Finding).where(Finding.id.in_(ids))).all() == []
    assert session.get(Scan, row.id) is None
