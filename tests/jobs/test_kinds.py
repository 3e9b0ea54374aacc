"""The console's long work run as jobs on the demo data: import, Blue Book, campaign run."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from liveqc import uploads
from liveqc.accounts import service as accounts
from liveqc.config import Settings
from liveqc.db import tenancy
from liveqc.jobs import kinds, service
from liveqc.jobs.models import Job, JobStatus
from liveqc.jobs.runner import JobRunner
from liveqc.products.models import Product
from tests.products.test_importing import good_row, xlsx


def run(
    factory: sessionmaker[Session], runner: JobRunner, email: str, kind: str, **params: Any
) -> Job:
    """Submit as the demo user ``email`` (runs inline on commit) and return the finished row."""
    with factory() as session, session.begin():
        who = accounts.principal_for(accounts.get_user_or_raise(session, email))
        tenancy.set_organisation(session, who.organisation.id)
        job_id = runner.submit(session, kind=kind, params=params, user_id=who.user.id).id
    with factory() as session:
        tenancy.set_organisation(session, who.organisation.id)
        return service.get_or_raise(session, job_id)


@pytest.fixture
def runner(session_factory: sessionmaker[Session], settings: Settings) -> JobRunner:
    return JobRunner(session_factory, settings)


def test_product_import_job_imports_the_stored_upload(
    demo: Any, session_factory: sessionmaker[Session], runner: JobRunner, settings: Settings
) -> None:
    digest = kinds.store(settings, xlsx([good_row("JOB-1"), good_row("JOB-2", gtin="")]))
    job = run(session_factory, runner, "qc@xinghe.example", kinds.PRODUCTS_IMPORT, upload=digest)
    assert job.status is JobStatus.SUCCEEDED, job.error
    assert job.result is not None and (job.result["accepted"], job.result["rejected"]) == (2, 0)
    assert (job.done, job.total) == (4, 4)  # two rows checked, two written
    assert job.result_ref == f"/products/import?job={job.id}"
    with session_factory() as session:
        tenancy.set_organisation(session, job.organisation_id)
        skus = select(func.count()).where(Product.sku.in_(["JOB-1", "JOB-2"]))
        assert session.scalar(skus) == 2


def test_a_broken_upload_fails_the_job_with_the_reason(
    demo: Any, session_factory: sessionmaker[Session], runner: JobRunner, settings: Settings
) -> None:
    digest = kinds.store(settings, b"not a workbook")
    job = run(session_factory, runner, "qc@xinghe.example", kinds.PRODUCTS_IMPORT, upload=digest)
    assert job.status is JobStatus.FAILED
    assert job.error == "Validation failed: file: not an .xlsx workbook"


def test_bluebook_job_stores_the_report_file(
    demo: Any, session_factory: sessionmaker[Session], runner: JobRunner, settings: Settings
) -> None:
    year = str(date.today().year)
    job = run(
        session_factory, runner, "admin@xinghe.example", kinds.BLUEBOOK,
        period=year, fmt="xlsx", lang="en",
    )  # fmt: skip
    assert job.status is JobStatus.SUCCEEDED, job.error
    assert job.result is not None and job.result["filename"] == f"bluebook-{year}-en.xlsx"
    assert (job.done, job.total) == (len(kinds.BLUEBOOK_STEPS), len(kinds.BLUEBOOK_STEPS))
    body = uploads.get(kinds.store_root(settings), job.result["sha256"])
    assert len(body) == job.result["bytes"] and body.startswith(b"PK")
    assert job.result_ref == f"/jobs/{job.id}/download"


def test_bluebook_job_refuses_an_unknown_format(
    demo: Any, session_factory: sessionmaker[Session], runner: JobRunner
) -> None:
    job = run(
        session_factory, runner, "admin@xinghe.example", kinds.BLUEBOOK, period="2026", fmt="doc"
    )
    assert job.status is JobStatus.FAILED and "'doc' is not a report format" in (job.error or "")


def test_campaign_run_job_stores_the_report_and_its_workbook(
    demo: Any, session_factory: sessionmaker[Session], runner: JobRunner, settings: Settings
) -> None:
    from liveqc.spot_checks import campaigns

    with session_factory() as session, session.begin():
        user = accounts.get_user_or_raise(session, "inspector@binjiang.example")
        tenancy.set_organisation(session, accounts.principal_for(user).organisation.id)
        campaign_id = campaigns.create_campaign(
            session,
            title="直播话术专项整治",
            codes=["absolute_term", "price_fraud"],
            period_from=date.today() - timedelta(days=60),
            period_to=date.today() + timedelta(days=1),
            actor=user,
        ).id
    job = run(
        session_factory, runner, "inspector@binjiang.example", kinds.CAMPAIGN_RUN,
        campaign_id=campaign_id,
    )  # fmt: skip
    assert job.status is JobStatus.SUCCEEDED, job.error
    assert job.total is not None and job.done == job.total
    with session_factory() as session:
        tenancy.set_organisation(session, job.organisation_id)
        stored = campaigns.get_campaign_or_raise(session, campaign_id)
        assert stored.report is not None and job.result is not None
        assert job.result["total"] == stored.report["total"]
    body = uploads.get(kinds.store_root(settings), job.result["sha256"])
    assert load_workbook(io.BytesIO(body), read_only=True).sheetnames


def test_campaign_run_job_is_refused_for_an_agency(
    demo: Any, session_factory: sessionmaker[Session], runner: JobRunner
) -> None:
    job = run(session_factory, runner, "qc@xinghe.example", kinds.CAMPAIGN_RUN, campaign_id=1)
    assert job.status is JobStatus.FAILED and job.error and job.error.startswith("Permission")
