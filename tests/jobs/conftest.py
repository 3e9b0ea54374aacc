"""Jobs fixtures: an organisation with a user, and throw-away work kinds for the runner."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from liveqc.accounts import service as accounts
from liveqc.accounts.models import OrganisationKind, Role
from liveqc.db import tenancy
from liveqc.errors import ValidationFailed
from liveqc.events.service import record
from liveqc.jobs.runner import KINDS, JobContext, Outcome, Progress
from tests.conftest import _migrated_engine


@dataclass(frozen=True)
class Tenant:
    organisation_id: int
    user_id: int
    other_organisation_id: int
    other_user_id: int


def make_tenant(session: Session, suffix: str = "") -> Tenant:
    """Two agencies with one QC user each (committed by the caller's transaction)."""
    orgs = []
    for name, handle in (("甲", "a"), ("乙", "b")):
        org = accounts.create_organisation(
            session, name=f"任务测试{name}{suffix}", kind=OrganisationKind.AGENCY
        )
        user = accounts.create_user(
            session, email=f"jobs-{handle}{suffix}@example.test", password="long-enough-password"
        )
        accounts.add_membership(session, user=user, organisation=org, role=Role.QC_REVIEWER)
        orgs.append((org.id, user.id))
    return Tenant(orgs[0][0], orgs[0][1], orgs[1][0], orgs[1][1])


@pytest.fixture
def tenant(session_factory: sessionmaker[Session]) -> Tenant:
    with session_factory() as session, session.begin():
        return make_tenant(session)


@pytest.fixture
def in_org(session: Session, tenant: Tenant) -> Session:
    """The test session acting in the first organisation."""
    tenancy.set_organisation(session, tenant.organisation_id)
    return session


@dataclass
class Probe:
    """What the test kinds saw while they ran."""

    organisations: list[int | None] = field(default_factory=list)
    live: list[Any] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    reached: threading.Event = field(default_factory=threading.Event)
    runner: Any = None


@pytest.fixture
def probe() -> Iterator[Probe]:
    """Registers ``test.count``, ``test.refuse``, ``test.crash`` and ``test.wait``."""
    seen = Probe()

    def count(session: Session, context: JobContext, progress: Progress) -> Outcome:
        seen.organisations.append(tenancy.current_organisation(session))
        steps = int(context.params.get("steps", 3))
        for done in range(1, steps + 1):
            progress(done, steps, f"step {done}")
            if seen.runner is not None:
                seen.live.append(seen.runner.live(context.job_id))
        return Outcome({"counted": steps}, f"/jobs/{context.job_id}", f"counted {steps}")

    def refuse(session: Session, context: JobContext, progress: Progress) -> Outcome:
        record(session, None, context.organisation_id, ("test", "rolled-back"), "touch")
        progress(1, 2, "half way")
        raise ValidationFailed("sheet: row 7 has no SKU")

    def crash(session: Session, context: JobContext, progress: Progress) -> Outcome:
        raise RuntimeError("secret internals /srv/password=hunter2")

    def wait(session: Session, context: JobContext, progress: Progress) -> Outcome:
        progress(1, 4, "first quarter")
        seen.reached.set()
        assert seen.release.wait(20), "the test never released the job"
        return Outcome({"waited": True})

    kinds = {"test.count": count, "test.refuse": refuse, "test.crash": crash, "test.wait": wait}
    KINDS.update(kinds)
    yield seen
    for name in kinds:
        KINDS.pop(name, None)


@pytest.fixture
def fresh_engine(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database of its own whose rows really commit (for the thread pool)."""
    yield from _migrated_engine(backend, request, tmp_path_factory)
