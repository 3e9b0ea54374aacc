"""Special governance campaigns (专项整治): define, run over the jurisdiction, read the report."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from liveqc.api.deps import IdPath, PageDep, SessionDep
from liveqc.jobs import kinds as job_kinds
from liveqc.jobs.deps import start_job
from liveqc.jobs.schemas import JobRead
from liveqc.spot_checks import campaigns
from liveqc.spot_checks.views.deps import Created, Regulator, RegulatorReader

router = APIRouter(tags=["campaigns"])


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    theme: str = Field(default="", max_length=200)
    codes: list[str] = Field(min_length=1, max_length=12)
    categories: list[str] = Field(default_factory=list, max_length=20)
    period_from: date
    period_to: date


class CampaignRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    theme: str
    codes: list[str]
    categories: list[str]
    period_from: date
    period_to: date
    run_at: datetime | None
    report: dict[str, Any] | None
    created_at: datetime


class CampaignPage(BaseModel):
    items: list[CampaignRead]
    total: int
    limit: int
    offset: int


@router.get("/regulator/campaigns", response_model=CampaignPage)
def list_campaigns(_: RegulatorReader, session: SessionDep, page: PageDep) -> CampaignPage:
    rows, total = campaigns.list_campaigns(session, limit=page.limit, offset=page.offset)
    return CampaignPage(
        items=[CampaignRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/regulator/campaigns", response_model=CampaignRead, **Created)
def create_campaign(body: CampaignCreate, principal: Regulator, session: SessionDep) -> Any:
    row = campaigns.create_campaign(session, **body.model_dump(), actor=principal.user)
    return CampaignRead.model_validate(row)


@router.get("/regulator/campaigns/{campaign_id}", response_model=CampaignRead)
def get_campaign(campaign_id: IdPath, _: RegulatorReader, session: SessionDep) -> Any:
    return CampaignRead.model_validate(campaigns.get_campaign_or_raise(session, campaign_id))


@router.post("/regulator/campaigns/{campaign_id}/run", response_model=CampaignRead)
def run_campaign(
    campaign_id: IdPath, request: Request, principal: Regulator, session: SessionDep
) -> Any:
    row = campaigns.run_campaign(session, principal, campaign_id=campaign_id, path=request.url.path)
    return CampaignRead.model_validate(row)


@router.post("/regulator/campaigns/{campaign_id}/run-job", response_model=JobRead, status_code=202)
def run_campaign_job(
    campaign_id: IdPath, request: Request, principal: Regulator, session: SessionDep
) -> Any:
    """Run the campaign as a background job; follow it at ``GET /api/v1/jobs/{id}``."""
    campaigns.get_campaign_or_raise(session, campaign_id)
    params = {"campaign_id": campaign_id}
    job = start_job(request, session, principal, kind=job_kinds.CAMPAIGN_RUN, params=params)
    return JobRead.of(job)


@router.get("/regulator/campaigns/{campaign_id}/report", response_class=Response)
def campaign_report(
    campaign_id: IdPath,
    _: RegulatorReader,
    session: SessionDep,
    format: Annotated[Literal["json", "xlsx", "pdf"], Query()] = "json",
) -> Response:
    """The stored report as JSON, XLSX or PDF (attachment)."""
    row = campaigns.get_campaign_or_raise(session, campaign_id)
    if format == "xlsx":
        content = campaigns.to_xlsx(row)
    elif format == "pdf":
        content = campaigns.to_pdf(row)
    else:
        content = json.dumps(campaigns.to_json(row), ensure_ascii=False, indent=2).encode()
    return Response(
        content,
        media_type=campaigns.MEDIA_TYPES[format],
        headers={
            "Content-Disposition": f'attachment; filename="campaign-{campaign_id}.{format}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
