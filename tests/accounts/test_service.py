from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.accounts import service
from liveqc.accounts.models import ApiToken, OrganisationKind, Role, User
from liveqc.errors import AuthenticationRequired, Conflict, NotFound, PermissionDenied
from liveqc.events.models import AuditEvent


def user(session: Session, demo, email: str) -> User:
    return session.get(User, demo.users[email].id)


def test_authenticate_accepts_the_right_password_only(session: Session, demo) -> None:
    assert service.authenticate(session, email="QC@Xinghe.example", password="demo-password")
    with pytest.raises(AuthenticationRequired):
        service.authenticate(session, email="qc@xinghe.example", password="nope")
    with pytest.raises(AuthenticationRequired):
        service.authenticate(session, email="ghost@xinghe.example", password="demo-password")


def test_inactive_users_cannot_log_in(session: Session, demo) -> None:
    user(session, demo, "qc@xinghe.example").is_active = False
    with pytest.raises(AuthenticationRequired):
        service.authenticate(session, email="qc@xinghe.example", password="demo-password")


def test_a_user_may_hold_roles_in_several_organisations(session: Session, demo) -> None:
    account = user(session, demo, "qc@xinghe.example")
    qinghe = demo.organisations["青禾优选"]
    service.add_membership(session, user=account, organisation=qinghe, role=Role.VIEWER)
    service.add_membership(session, user=account, organisation=qinghe, role=Role.VIEWER)
    orgs = service.organisations_of(account)
    assert [(org.name, roles) for org, roles in orgs] == [
        ("星河直播", [Role.QC_REVIEWER]),
        ("青禾优选", [Role.VIEWER]),
    ]
    assert service.principal_for(account).organisation.name == "星河直播"
    assert service.principal_for(account, qinghe.id).roles == {Role.VIEWER}
    with pytest.raises(PermissionDenied):
        service.principal_for(account, demo.organisations["快购平台"].id)


def test_principal_require_checks_roles(session: Session, demo) -> None:
    principal = service.principal_for(user(session, demo, "qc@xinghe.example"))
    principal.require(Role.ADMIN, Role.QC_REVIEWER)
    with pytest.raises(PermissionDenied, match="admin"):
        principal.require(Role.ADMIN)


def test_duplicate_users_and_organisations_conflict(session: Session, demo) -> None:
    with pytest.raises(Conflict):
        service.create_user(session, email="QC@xinghe.example", password="x" * 12)
    with pytest.raises(Conflict):
        service.create_organisation(session, name="星河直播", kind=OrganisationKind.AGENCY)


def test_tokens_are_stored_hashed_and_stop_working_when_revoked(session: Session, demo) -> None:
    account = user(session, demo, "admin@qinghe.example")
    row, token = service.create_token(session, user=account, name="ci")
    stored = session.scalars(select(ApiToken.token_hash).where(ApiToken.id == row.id)).one()
    assert token not in stored and len(stored) == 64
    assert service.user_for_token(session, token) is account
    service.revoke_token(session, user=account, token_id=row.id)
    assert service.user_for_token(session, token) is None
    assert service.user_for_token(session, "lqc_forged") is None


def test_revoking_someone_elses_token_is_not_found(session: Session, demo) -> None:
    row, _ = service.create_token(session, user=user(session, demo, "admin@qinghe.example"))
    with pytest.raises(NotFound):
        service.revoke_token(
            session, user=user(session, demo, "qc@xinghe.example"), token_id=row.id
        )


def test_account_changes_are_audited_without_secrets(session: Session, demo) -> None:
    account = user(session, demo, "admin@qinghe.example")
    _, token = service.create_token(session, user=account, name="nightly")
    from liveqc.db.tenancy import bypass_tenancy

    with bypass_tenancy(session, reason="test"):
        events = session.scalars(select(AuditEvent).where(AuditEvent.object_type == "api_tokens"))
        dumped = [str(event.after) for event in events]
    assert dumped and all(token not in text for text in dumped)
    assert not any("argon2" in str(e.after) for e in session.scalars(select(AuditEvent)))


def test_users_in_lists_members_with_their_roles(session: Session, demo) -> None:
    rows, total = service.users_in(session, demo.organisations["星河直播"].id)
    assert total == 4
    assert {u.email: roles for u, roles in rows}["admin@xinghe.example"] == [Role.ADMIN]
