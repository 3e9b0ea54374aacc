from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from liveqc.accounts.models import Role
from liveqc.db import tenancy
from liveqc.events import service
from liveqc.events.models import AuditEvent


def test_record_chains_each_entry_to_the_previous_one(session: Session, demo) -> None:
    org = demo.organisations["星河直播"].id
    tenancy.set_organisation(session, org)
    first = service.record(session, None, org, ("products", 1), "approve", {"s": "a"}, {"s": "b"})
    second = service.record(session, None, org, ("products", 1), "update", None, {"n": 1})
    assert second.prev_hash == first.hash
    assert service.compute_hash(second) == second.hash
    assert service.verify(session).ok


def test_summaries_are_json_safe_and_redact_secrets(session: Session, demo) -> None:
    event = service.record(
        session,
        None,
        None,
        ("users", 1),
        "update",
        {"password_hash": "$argon2id$...", "role": Role.ADMIN},
        {"at": datetime(2026, 1, 1, tzinfo=UTC), "price": Decimal("9.90"), "api_token": "lqc_x"},
    )
    assert event.before == {"password_hash": "[redacted]", "role": "admin"}
    assert event.after == {
        "at": "2026-01-01T00:00:00+00:00",
        "price": "9.90",
        "api_token": "[redacted]",
    }


def test_a_tampered_row_is_named(session: Session, demo) -> None:
    org = demo.organisations["青禾优选"].id
    tenancy.set_organisation(session, org)
    target = service.record(session, None, org, ("products", 5), "approve", None, {"ok": True})
    service.record(session, None, org, ("products", 6), "approve", None, {"ok": True})
    session.execute(
        text("UPDATE audit_events SET action = 'reject' WHERE id = :id"), {"id": target.id}
    )
    session.expire_all()
    report = service.verify(session)
    assert not report.ok and report.broken_id == target.id
    assert "hash" in report.reason


def test_a_deleted_row_breaks_the_link(session: Session, demo) -> None:
    a = service.record(session, None, None, ("x", 1), "a")
    b = service.record(session, None, None, ("x", 2), "b")
    c = service.record(session, None, None, ("x", 3), "c")
    assert a.id < b.id < c.id
    session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": b.id})
    session.expire_all()
    report = service.verify(session)
    assert report.broken_id == c.id and "prev_hash" in report.reason


def test_list_shows_only_my_organisation(session: Session, demo) -> None:
    org = demo.organisations["星河直播"].id
    tenancy.set_organisation(session, org)
    rows, total = service.list_(session, limit=500)
    assert total == len(rows) > 0
    assert {row.organisation_id for row in rows} == {org}
    with tenancy.bypass_tenancy(session, reason="test"):
        assert session.scalars(select(AuditEvent)).all().__len__() > total
