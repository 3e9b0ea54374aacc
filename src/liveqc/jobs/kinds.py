"""The long work the console runs as jobs. Each kind adapts one domain function, which stays
in its domain and reports through its ``progress`` parameter.

Inputs and outputs that are files live in the content-addressed upload store under
``<upload_dir>/jobs``; a job's params and result hold only their digests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from liveqc import uploads
from liveqc.accounts import service as accounts
from liveqc.accounts.models import Organisation, User
from liveqc.config import Settings
from liveqc.errors import NotFound, ValidationFailed
from liveqc.jobs.runner import JobContext, Outcome, Progress, kind

PRODUCTS_IMPORT = "products.import"
BLUEBOOK = "reports.bluebook"
CAMPAIGN_RUN = "spot_checks.campaign_run"
#: The Blue Book's steps, in the order ``reports.collect.generate`` announces them.
BLUEBOOK_STEPS = (
    "industry",
    "supervision",
    "quality",
    "after_sales",
    "spot_checks",
    "challenges",
    "render",
)


def store_root(settings: Settings) -> Path:
    """Where job inputs and outputs are stored."""
    return Path(settings.upload_dir) / "jobs"


def store(settings: Settings, data: bytes) -> str:
    """Keep ``data`` for a job (an upload to import, a rendered report); return its digest."""
    return uploads.put(store_root(settings), data)


def _user(session: Session, context: JobContext) -> User:
    user = session.get(User, context.user_id)
    if user is None or not user.is_active:
        raise NotFound(f"user {context.user_id} is gone or inactive; the job cannot run as them")
    return user


@kind(PRODUCTS_IMPORT)
def products_import(session: Session, context: JobContext, progress: Progress) -> Outcome:
    """params: ``upload`` (digest of the .xlsx), ``valid_only``, ``filename``."""
    from liveqc.products import importing

    data = uploads.get(store_root(context.settings), str(context.params.get("upload", "")))
    report = importing.import_products(
        session,
        data=data,
        actor=_user(session, context),
        valid_only=bool(context.params.get("valid_only")),
        progress=progress,
    )
    result = json.loads(json.dumps(report.to_dict(), default=str))
    result["filename"] = context.params.get("filename", "")
    message = f"{report.accepted} accepted, {report.rejected} rejected"
    return Outcome(result, f"/products/import?job={context.job_id}", message)


@kind(BLUEBOOK)
def bluebook(session: Session, context: JobContext, progress: Progress) -> Outcome:
    """params: ``period`` (e.g. ``2026``), ``fmt`` (html, pdf, xlsx), ``lang``."""
    from liveqc.db.types import utcnow
    from liveqc.reports import collect, market
    from liveqc.reports.schemas import Period, ReportFormat

    period = Period.parse(str(context.params.get("period", "")))
    try:
        fmt = ReportFormat(str(context.params.get("fmt", "")))
    except ValueError:
        raise ValidationFailed(
            f"fmt: {context.params.get('fmt')!r} is not a report format"
        ) from None
    lang = str(context.params.get("lang") or "zh-CN")
    organisation = session.get(Organisation, context.organisation_id)
    steps = len(BLUEBOOK_STEPS)

    def step(name: str) -> None:
        done = BLUEBOOK_STEPS.index(name) if name in BLUEBOOK_STEPS else 0
        progress(done, steps, name)

    body = collect.generate(
        session,
        period=period,
        organisation=organisation,
        fmt=fmt,
        lang=lang,
        market=market.load(),
        generated_at=utcnow(),
        progress=step,
    )
    progress(steps, steps, "done")
    result: dict[str, Any] = {
        "sha256": store(context.settings, body),
        "filename": f"bluebook-{period.label}-{lang}.{fmt.value}",
        "format": fmt.value,
        "bytes": len(body),
    }
    return Outcome(result, f"/jobs/{context.job_id}/download", result["filename"])


@kind(CAMPAIGN_RUN)
def campaign_run(session: Session, context: JobContext, progress: Progress) -> Outcome:
    """params: ``campaign_id``."""
    from liveqc.spot_checks import campaigns

    campaign_id = int(context.params.get("campaign_id", 0))
    principal = accounts.principal_for(_user(session, context), context.organisation_id)
    row = campaigns.run_campaign(
        session,
        principal,
        campaign_id=campaign_id,
        path=f"job {context.job_id}",
        progress=progress,
    )
    report = row.report or {}
    workbook = campaigns.to_xlsx(row)
    result = {
        "campaign_id": row.id,
        "total": report.get("total", 0),
        "sha256": store(context.settings, workbook),
        "filename": f"campaign-{row.id}.xlsx",
        "format": "xlsx",
        "bytes": len(workbook),
    }
    return Outcome(result, f"/jobs/{context.job_id}/download", f"{result['total']} hits")
