"""The app starts its runner with its lifespan, recovering what a stopped process left."""

from __future__ import annotations

import socket
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from liveqc.api.app import create_app
from liveqc.config import Settings
from liveqc.db import tenancy
from liveqc.jobs import service
from liveqc.jobs.deps import runner_for
from liveqc.jobs.models import JobStatus
from tests.jobs.conftest import Tenant


def test_starting_the_app_fails_jobs_of_a_stopped_process(
    settings: Settings, session_factory: sessionmaker[Session], tenant: Tenant
) -> None:
    with session_factory() as session, session.begin():
        tenancy.set_organisation(session, tenant.organisation_id)
        job = service.create(session, kind="products.import", params={}, user_id=tenant.user_id)
        service.start(session, job, runner=f"{socket.gethostname()}:999999999")
    app: Any = create_app(settings, session_factory=session_factory)
    with TestClient(app):
        assert runner_for(app) is app.state.job_runner
        with session_factory() as session:
            tenancy.set_organisation(session, tenant.organisation_id)
            stored = service.get_or_raise(session, job.id)
            assert stored.status is JobStatus.FAILED and stored.error == service.ORPHANED
