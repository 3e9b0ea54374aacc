"""Whose data a Blue Book counts: it follows the reader's organisation.

An agency or platform reads its own figures; a regulator reads the market it supervises (the
organisations its jurisdiction rows cover, plus its own spot checks); a consumer association
reads the organisations of its region. Cross-organisation reads go through a logged, read-only
tenancy read scope, and the report carries only aggregate figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.accounts.models import Organisation, OrganisationKind
from liveqc.db import tenancy
from liveqc.reports.schemas import Scope
from liveqc.spot_checks.jurisdiction import COVERED_KINDS, coverage, region_matches


@dataclass(frozen=True)
class Reach:
    """The scope printed on the cover and the organisations whose rows are read."""

    scope: Scope
    #: Organisations read (None: the session's own organisation, or everyone for a system read).
    organisation_ids: frozenset[int] | None
    #: Organisations whose products are the subject of the spot checks counted.
    subjects: frozenset[int] | None


def reach_of(session: Session, organisation: Organisation | None) -> Reach:
    """The reach of ``organisation``'s Blue Book (None: every organisation)."""
    if organisation is None:
        return Reach(Scope("all"), None, None)
    if organisation.kind is OrganisationKind.REGULATOR:
        covered = frozenset(coverage(session, organisation.id).organisations)
        return Reach(
            Scope("jurisdiction", organisation.name, len(covered)),
            covered | {organisation.id},
            None,
        )
    if organisation.kind is OrganisationKind.CONSUMER_ASSOCIATION:
        members = frozenset(
            org.id
            for org in session.scalars(
                select(Organisation).where(Organisation.kind.in_(COVERED_KINDS))
            )
            if region_matches(org.region, organisation.region)
        )
        return Reach(
            Scope("region", organisation.region or organisation.name, len(members)),
            members | {organisation.id},
            members,
        )
    return Reach(Scope("organisation", organisation.name, 1), None, frozenset({organisation.id}))


@contextmanager
def reading(session: Session, reach: Reach, organisation: Organisation | None) -> Iterator[None]:
    """Open the read scope of ``reach`` on ``session`` for the block (nothing to open for the
    reader's own organisation or a system read)."""
    if reach.organisation_ids is None or organisation is None:
        with nullcontext():
            yield
        return
    reason = f"blue book of {organisation.kind.value} {organisation.id}: {reach.scope.kind}"
    with tenancy.read_scope(session, reach.organisation_ids, reason=reason):
        yield
