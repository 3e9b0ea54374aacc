"""Pydantic I/O for accounts: login, tokens, organisations, users."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from liveqc.accounts.models import OrganisationKind, Role
from liveqc.db.types import PlainText


class LoginRequest(BaseModel):
    email: PlainText = Field(min_length=3, max_length=254)
    password: PlainText = Field(min_length=1, max_length=1024)
    token_name: PlainText = Field(default="login", max_length=100)


class TokenCreate(BaseModel):
    name: PlainText = Field(default="", max_length=100)


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    is_active: bool


class TokenCreated(TokenRead):
    """Returned once, on creation: the only time the token itself is shown."""

    token: str
    token_type: str = "bearer"


class TokenPage(BaseModel):
    items: list[TokenRead]
    total: int


class OrganisationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: OrganisationKind
    region: str


class MyOrganisation(OrganisationRead):
    roles: list[Role]


class OrganisationPage(BaseModel):
    items: list[MyOrganisation]
    total: int


class UserRead(BaseModel):
    id: int
    email: str
    display_name: str
    is_active: bool
    roles: list[Role]


class UserPage(BaseModel):
    items: list[UserRead]
    total: int
    limit: int
    offset: int


class Me(BaseModel):
    id: int
    email: str
    display_name: str
    organisation: OrganisationRead
    roles: list[Role]
    organisations: list[MyOrganisation]


class LoginResult(TokenCreated):
    user: Me
