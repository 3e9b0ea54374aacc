"""Search results as the API returns them."""

from __future__ import annotations

from pydantic import BaseModel


class HitRead(BaseModel):
    kind: str
    id: int
    title: str
    detail: str
    url: str
    source: str = ""
    code: str = ""
    severity: str = ""


class GroupRead(BaseModel):
    kind: str
    total: int
    items: list[HitRead]


class SearchResults(BaseModel):
    q: str
    kind: str | None
    total: int
    groups: list[GroupRead]
