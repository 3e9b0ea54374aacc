from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liveqc.accounts.models import Membership, Role, User
from liveqc.config import Settings
from liveqc.db.session import lock_audit_chain, make_db_engine, safe_url, session_scope


def test_foreign_keys_are_enforced(session: Session) -> None:
    session.add(Membership(user_id=999_999, organisation_id=999_999, role=Role.VIEWER))
    with pytest.raises(IntegrityError):
        session.flush()


def test_sqlite_turns_foreign_keys_on(settings: Settings) -> None:
    engine = make_db_engine(settings)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_datetimes_come_back_as_utc(session: Session, demo) -> None:
    user = session.get(User, demo.users["qc@xinghe.example"].id)
    local = datetime(2026, 3, 15, 20, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    user.last_login_at = local
    session.flush()
    session.expire(user)
    assert user.last_login_at == local
    assert user.last_login_at.tzinfo is not None
    assert user.last_login_at.utcoffset() == timedelta(0)
    assert user.last_login_at.astimezone(UTC).hour == 12


def test_naive_datetimes_are_refused(session: Session, demo) -> None:
    session.get(User, demo.users["qc@xinghe.example"].id).last_login_at = datetime(2026, 1, 1)
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()


def test_audit_chain_lock_runs_on_each_backend(session: Session, db_engine: Engine) -> None:
    lock_audit_chain(session)
    assert session.execute(text("SELECT 1")).scalar() == 1


def test_session_scope_rolls_back_on_error(session_factory, demo) -> None:
    from liveqc.accounts.models import Organisation, OrganisationKind

    with pytest.raises(RuntimeError), session_scope(session_factory) as session:
        session.add(Organisation(name="半途而废", kind=OrganisationKind.AGENCY))
        session.flush()
        raise RuntimeError("boom")
    with session_factory() as session:
        names = session.scalars(text("SELECT name FROM organisations")).all()
    assert "半途而废" not in names


def test_safe_url_hides_the_password() -> None:
    assert "hunter2" not in safe_url("postgresql+psycopg://u:hunter2@h/db")


def test_system_session_sees_every_organisation_and_is_audited(session_factory, demo) -> None:
    from sqlalchemy import func, select

    from liveqc.db.session import system_session
    from liveqc.events.models import AuditEvent
    from liveqc.products.models import Product

    with system_session(session_factory, reason="regulator sweep") as system:
        assert system.scalar(select(func.count(Product.id))) == len(demo.products)
        last = system.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last.action == "bypass" and last.after == {"reason": "regulator sweep"}
    with session_factory() as plain:
        assert plain.scalar(select(func.count(Product.id))) == 0
