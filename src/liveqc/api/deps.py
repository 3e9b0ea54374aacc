"""Request dependencies: settings, one transaction per request, the current principal."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from liveqc.accounts import service as accounts
from liveqc.accounts.models import Role
from liveqc.accounts.service import Principal
from liveqc.config import Settings
from liveqc.db import tenancy
from liveqc.errors import AuthenticationRequired, ValidationFailed


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One session and one transaction per request, committed before the response is sent."""
    with request.app.state.session_factory() as session, session.begin():
        tenancy.set_organisation(session, None)
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


_ORG_ID = re.compile(r"^[0-9]{1,10}$")
#: Largest id a portable INTEGER column holds; larger path ids are a 422, not a database error.
MAX_ID = 2_147_483_647
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


def parse_org_header(value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    if not _ORG_ID.match(value.strip()):
        raise ValidationFailed("X-Liveqc-Org must be an organisation id (an integer)")
    return int(value.strip())


bearer = HTTPBearer(
    auto_error=False,
    description="A token from `liveqc token create` or `POST /api/v1/auth/login`.",
)


def get_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
    x_liveqc_org: Annotated[
        str | None,
        Header(description="Organisation id to act in (for users in several organisations)"),
    ] = None,
) -> Principal:
    """The bearer token's user in the chosen organisation; tenancy set on the session."""
    token = credentials.credentials.strip() if credentials else ""
    if not token:
        raise AuthenticationRequired("send `Authorization: Bearer <token>`")
    user = accounts.user_for_token(session, token)
    if user is None:
        raise AuthenticationRequired("the token is unknown, revoked, or its user is inactive")
    principal = accounts.principal_for(user, parse_org_header(x_liveqc_org))
    tenancy.set_organisation(session, principal.organisation.id)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that passes the principal through when it holds one of ``roles``."""

    def check(principal: CurrentPrincipal) -> Principal:
        principal.require(*roles)
        return principal

    return check


class Pagination:
    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    ) -> None:
        self.limit = limit
        self.offset = offset


PageDep = Annotated[Pagination, Depends()]
