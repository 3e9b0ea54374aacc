"""Accounts API: login, tokens, me, my organisations, users of my organisation."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, status

from liveqc.accounts import service
from liveqc.accounts.models import ApiToken, Role, User
from liveqc.accounts.schemas import (
    LoginRequest,
    LoginResult,
    Me,
    MyOrganisation,
    OrganisationPage,
    OrganisationRead,
    TokenCreate,
    TokenCreated,
    TokenPage,
    TokenRead,
    UserPage,
    UserRead,
)
from liveqc.accounts.service import Principal
from liveqc.api.deps import CurrentPrincipal, IdPath, PageDep, SessionDep, require_roles
from liveqc.errors import AuthenticationRequired, NotFound, RateLimited

router = APIRouter(tags=["accounts"])


def _me(principal: Principal) -> Me:
    return Me(
        id=principal.user.id,
        email=principal.user.email,
        display_name=principal.user.display_name,
        organisation=OrganisationRead.model_validate(principal.organisation),
        roles=sorted(principal.roles),
        organisations=_my_organisations(principal),
    )


def _my_organisations(principal: Principal) -> list[MyOrganisation]:
    return [
        MyOrganisation(**OrganisationRead.model_validate(org).model_dump(), roles=roles)
        for org, roles in service.organisations_of(principal.user)
    ]


def _created(row: ApiToken, token: str) -> TokenCreated:
    return TokenCreated(**TokenRead.model_validate(row).model_dump(), token=token)


@router.post("/auth/login", status_code=status.HTTP_201_CREATED, response_model=LoginResult)
def login(body: LoginRequest, request: Request, session: SessionDep) -> LoginResult:
    """Exchange email and password for a new bearer token (for scripts)."""
    throttle = request.app.state.login_throttle
    address = request.client.host if request.client else "unknown"
    wait = throttle.retry_after(body.email, address)
    if wait > 0:
        raise RateLimited(
            f"too many failed logins; try again in {int(wait) + 1} s", retry_after=wait
        )
    try:
        user = service.authenticate(session, email=body.email, password=body.password)
    except AuthenticationRequired:
        throttle.failed(body.email, address)
        raise
    throttle.succeeded(body.email)
    principal = service.principal_for(user)
    row, token = service.create_token(session, user=user, name=body.token_name)
    return LoginResult(**_created(row, token).model_dump(), user=_me(principal))


@router.post("/auth/tokens", status_code=status.HTTP_201_CREATED, response_model=TokenCreated)
def create_token(
    body: TokenCreate, principal: CurrentPrincipal, session: SessionDep
) -> TokenCreated:
    """Create a bearer token; the response is the only time the token is shown."""
    row, token = service.create_token(session, user=principal.user, name=body.name)
    return _created(row, token)


@router.get("/auth/tokens", response_model=TokenPage)
def list_tokens(principal: CurrentPrincipal, session: SessionDep) -> TokenPage:
    rows = service.list_tokens(session, user=principal.user)
    return TokenPage(items=[TokenRead.model_validate(row) for row in rows], total=len(rows))


@router.get("/auth/tokens/{token_id}", response_model=TokenRead)
def get_token(token_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> TokenRead:
    for row in service.list_tokens(session, user=principal.user):
        if row.id == token_id:
            return TokenRead.model_validate(row)
    raise NotFound(f"token {token_id} does not exist")


@router.delete("/auth/tokens/{token_id}", response_model=TokenRead)
def revoke_token(token_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> TokenRead:
    """Revoke a token; it stops working at once."""
    return TokenRead.model_validate(
        service.revoke_token(session, user=principal.user, token_id=token_id)
    )


@router.get("/me", response_model=Me)
def me(principal: CurrentPrincipal) -> Me:
    return _me(principal)


@router.get("/organisations", response_model=OrganisationPage)
def my_organisations(principal: CurrentPrincipal) -> OrganisationPage:
    items = _my_organisations(principal)
    return OrganisationPage(items=items, total=len(items))


@router.get("/organisations/{organisation_id}", response_model=MyOrganisation)
def my_organisation(organisation_id: IdPath, principal: CurrentPrincipal) -> MyOrganisation:
    for item in _my_organisations(principal):
        if item.id == organisation_id:
            return item
    raise NotFound(f"organisation {organisation_id} does not exist")


@router.get("/users", response_model=UserPage)
def list_users(
    session: SessionDep,
    page: PageDep,
    principal: Principal = Depends(require_roles(Role.ADMIN)),
) -> UserPage:
    """Users of my organisation (admins only)."""
    rows, total = service.users_in(
        session, principal.organisation.id, limit=page.limit, offset=page.offset
    )
    return UserPage(
        items=[_user(user, roles) for user, roles in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/users/{user_id}", response_model=UserRead)
def get_user(
    user_id: IdPath,
    session: SessionDep,
    principal: Principal = Depends(require_roles(Role.ADMIN)),
) -> UserRead:
    user, roles = service.member_or_raise(session, principal.organisation.id, user_id)
    return _user(user, roles)


def _user(user: User, roles: list[Role]) -> UserRead:
    return UserRead(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        is_active=user.is_active,
        roles=roles,
    )
