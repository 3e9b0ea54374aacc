"""Organisations, users, memberships, authentication and API tokens.

Functions take the session first and never commit. Accounts tables are not organisation-owned
(a user may belong to several organisations); queries here name the organisation explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveqc.accounts.models import ApiToken, Membership, Organisation, OrganisationKind, Role, User
from liveqc.accounts.security import hash_password, hash_token, new_token, verify_password
from liveqc.db.types import utcnow
from liveqc.errors import (
    AuthenticationRequired,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from liveqc.events.service import record


@dataclass(frozen=True)
class Principal:
    """Who is acting, in which organisation, with which roles there."""

    user: User
    organisation: Organisation
    roles: frozenset[Role] = field(default_factory=frozenset)

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def require(self, *roles: Role) -> None:
        """Raise PermissionDenied unless the principal holds one of ``roles``."""
        if not self.has_any(*roles):
            wanted = ", ".join(sorted(role.value for role in roles))
            raise PermissionDenied(f"this action needs one of the roles: {wanted}")


def normalise_email(email: str) -> str:
    return email.strip().lower()


# -- organisations ---------------------------------------------------------------------------


def get_organisation_by_name(session: Session, name: str) -> Organisation | None:
    return session.scalars(select(Organisation).where(Organisation.name == name)).first()


def get_organisation_or_raise(session: Session, ref: str | int) -> Organisation:
    """Find an organisation by id or exact name."""
    org = None
    if isinstance(ref, int) or str(ref).isdigit():
        org = session.get(Organisation, int(ref))
    if org is None:
        org = get_organisation_by_name(session, str(ref))
    if org is None:
        raise NotFound(f"organisation {ref!r} does not exist")
    return org


def create_organisation(
    session: Session, *, name: str, kind: OrganisationKind, region: str = ""
) -> Organisation:
    if get_organisation_by_name(session, name) is not None:
        raise Conflict(f"organisation {name!r} already exists")
    org = Organisation(name=name, kind=kind, region=region)
    session.add(org)
    session.flush()
    record(session, None, org.id, org, "create", None, {"name": name, "kind": kind})
    return org


# -- users -----------------------------------------------------------------------------------


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == normalise_email(email))).first()


def get_user_or_raise(session: Session, email: str) -> User:
    user = get_user_by_email(session, email)
    if user is None:
        raise NotFound(f"user {email!r} does not exist")
    return user


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    display_name: str = "",
    actor: User | None = None,
) -> User:
    email = normalise_email(email)
    if "@" not in email:
        raise ValidationFailed(f"{email!r} is not an email address")
    if get_user_by_email(session, email) is not None:
        raise Conflict(f"user {email!r} already exists")
    user = User(email=email, display_name=display_name, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    record(session, actor, None, user, "create", None, {"email": email})
    return user


def add_membership(
    session: Session,
    *,
    user: User,
    organisation: Organisation,
    role: Role,
    actor: User | None = None,
) -> Membership:
    """Give ``user`` ``role`` in ``organisation`` (no-op when it already holds it)."""
    for membership in user.memberships:
        if membership.organisation_id == organisation.id and membership.role == role:
            return membership
    membership = Membership(user=user, organisation_id=organisation.id, role=role)
    session.add(membership)
    session.flush()
    record(session, actor, organisation.id, ("users", user.id), "grant_role", None, {"role": role})
    return membership


def organisations_of(user: User) -> list[tuple[Organisation, list[Role]]]:
    """The user's organisations in membership order, each with the user's roles there."""
    result: dict[int, tuple[Organisation, list[Role]]] = {}
    for membership in user.memberships:
        entry = result.setdefault(membership.organisation_id, (membership.organisation, []))
        entry[1].append(membership.role)
    return list(result.values())


def principal_for(user: User, organisation_id: int | None = None) -> Principal:
    """The user acting in ``organisation_id`` (default: their first organisation).

    Raises PermissionDenied when the user is not a member of that organisation, or of any.
    """
    organisations = organisations_of(user)
    if not organisations:
        raise PermissionDenied("this account belongs to no organisation")
    if organisation_id is None:
        org, roles = organisations[0]
        return Principal(user, org, frozenset(roles))
    for org, roles in organisations:
        if org.id == organisation_id:
            return Principal(user, org, frozenset(roles))
    raise PermissionDenied(f"you are not a member of organisation {organisation_id}")


def users_in(
    session: Session, organisation_id: int, *, limit: int = 50, offset: int = 0
) -> tuple[list[tuple[User, list[Role]]], int]:
    """Users with a membership in ``organisation_id`` and their roles there."""
    member_ids = select(Membership.user_id).where(Membership.organisation_id == organisation_id)
    total = session.scalar(select(func.count(User.id)).where(User.id.in_(member_ids))) or 0
    users = session.scalars(
        select(User).where(User.id.in_(member_ids)).order_by(User.id).limit(limit).offset(offset)
    ).all()
    return [
        (user, [m.role for m in user.memberships if m.organisation_id == organisation_id])
        for user in users
    ], total


# -- authentication --------------------------------------------------------------------------


def authenticate(session: Session, *, email: str, password: str) -> User:
    """The active user with this email and password, else AuthenticationRequired."""
    user = get_user_by_email(session, email)
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.is_active:
        raise AuthenticationRequired("wrong email or password")
    user.last_login_at = utcnow()
    return user


def create_token(session: Session, *, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a bearer token for ``user``; returns the row and the token (shown once)."""
    token = new_token()
    row = ApiToken(user_id=user.id, name=name, token_hash=hash_token(token), prefix=token[:10])
    session.add(row)
    session.flush()
    record(session, user, None, row, "create", None, {"name": name, "prefix": row.prefix})
    return row, token


def list_tokens(session: Session, *, user: User) -> list[ApiToken]:
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    )


def revoke_token(session: Session, *, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens; another user's token is NotFound, as a missing one."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"token {token_id} does not exist")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
        record(session, user, None, row, "revoke", {"active": True}, {"active": False})
    return row


def user_for_token(session: Session, token: str) -> User | None:
    """The active user owning an unrevoked ``token``, else None."""
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        row.last_used_at = now
    return user


def roles_from(values: Iterable[str]) -> list[Role]:
    return [Role(value) for value in values]


def member_or_raise(
    session: Session, organisation_id: int, user_id: int
) -> tuple[User, list[Role]]:
    """A user of ``organisation_id`` and their roles there; anyone else is NotFound."""
    user = session.get(User, user_id)
    roles = (
        [m.role for m in user.memberships if m.organisation_id == organisation_id] if user else []
    )
    if user is None or not roles:
        raise NotFound(f"user {user_id} does not exist")
    return user, roles
