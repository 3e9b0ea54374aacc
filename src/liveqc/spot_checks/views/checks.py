"""Spot-check plans, the draw, checks, notices, objections and exports."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from liveqc.api.deps import MAX_ID, CurrentPrincipal, IdPath, PageDep, SessionDep
from liveqc.spot_checks import exports, flows, service
from liveqc.spot_checks.models import CheckStatus
from liveqc.spot_checks.schemas import (
    CheckPage,
    CheckRead,
    CustodyIn,
    DrawCheck,
    NoticePage,
    NoticeRead,
    ObjectionDecision,
    ObjectionIn,
    ObjectionPage,
    ObjectionRead,
    PlanCreate,
    PlanPage,
    PlanRead,
    ResultsIn,
    SampleIn,
)
from liveqc.spot_checks.views.deps import AgencyReviewer, Created, Regulator, RegulatorReader

router = APIRouter(tags=["spot checks"])


@router.get("/spot-check-plans", response_model=PlanPage)
def list_plans(_: RegulatorReader, session: SessionDep, page: PageDep) -> PlanPage:
    rows, total = service.list_plans(session, limit=page.limit, offset=page.offset)
    return PlanPage(
        items=[PlanRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/spot-check-plans", response_model=PlanRead, **Created)
def create_plan(body: PlanCreate, principal: Regulator, session: SessionDep) -> PlanRead:
    return PlanRead.model_validate(service.create_plan(session, data=body, principal=principal))


@router.get("/spot-check-plans/{plan_id}", response_model=PlanRead)
def get_plan(plan_id: IdPath, _: RegulatorReader, session: SessionDep) -> PlanRead:
    return PlanRead.model_validate(service.get_plan_or_raise(session, plan_id))


@router.post("/spot-check-plans/{plan_id}/draw", response_model=PlanRead)
def draw_plan(
    plan_id: IdPath, request: Request, principal: Regulator, session: SessionDep
) -> PlanRead:
    plan = service.get_plan_or_raise(session, plan_id)
    return PlanRead.model_validate(
        flows.draw_plan(session, plan=plan, principal=principal, path=request.url.path)
    )


@router.get("/spot-check-plans/{plan_id}/verify", response_model=DrawCheck)
def verify_plan(plan_id: IdPath, _: RegulatorReader, session: SessionDep) -> DrawCheck:
    """Re-create the draw from the recorded seed and candidates and compare."""
    return flows.verify_draw(service.get_plan_or_raise(session, plan_id))


# -- checks ----------------------------------------------------------------------------------

ExportFormat = Literal["xlsx", "pdf", "json"]


@router.get("/spot-checks/export", response_class=Response)
def export_checks(
    request: Request,
    principal: RegulatorReader,
    session: SessionDep,
    format: Annotated[ExportFormat, Query()] = "json",
    plan_id: Annotated[int | None, Query(gt=0, le=MAX_ID)] = None,
) -> Response:
    """Results as XLSX, PDF or structured JSON (attachment)."""
    plan = service.get_plan_or_raise(session, plan_id) if plan_id else None
    checks, _ = service.list_checks(
        session, principal=principal, limit=10_000, offset=0, plan_id=plan_id
    )
    rows = exports.export_rows(session, checks, reader=principal, path=request.url.path)
    title = f"{principal.organisation.name} 抽检结果" + (f" · {plan.name}" if plan else "")
    if format == "xlsx":
        content = exports.to_xlsx(rows, title=title)
    elif format == "pdf":
        content = exports.to_pdf(rows, title=title)
    else:
        plan_info = PlanRead.model_validate(plan).model_dump(mode="json") if plan else None
        document = exports.to_json(
            rows, title=title, regulator=principal.organisation.name, plan=plan_info
        )
        content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    name = f"spot-checks{f'-plan-{plan_id}' if plan_id else ''}.{format}"
    return Response(
        content,
        media_type=exports.MEDIA_TYPES[format],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/spot-checks", response_model=CheckPage)
def list_checks(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    plan_id: Annotated[int | None, Query(gt=0, le=MAX_ID)] = None,
    status: Annotated[CheckStatus | None, Query()] = None,
) -> CheckPage:
    """A regulator's checks, or (for an inspected organisation) the checks of its products."""
    rows, total = service.list_checks(
        session, principal=principal, limit=page.limit, offset=page.offset, plan_id=plan_id,
        status=status,
    )  # fmt: skip
    return CheckPage(
        items=[CheckRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/spot-checks/{check_id}", response_model=CheckRead)
def get_check(check_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> CheckRead:
    return CheckRead.model_validate(
        service.get_check_or_raise(session, check_id, principal=principal)
    )


@router.post("/spot-checks/{check_id}/sample", response_model=CheckRead)
def record_sample(
    check_id: IdPath, body: SampleIn, principal: Regulator, session: SessionDep
) -> CheckRead:
    check = service.get_check_or_raise(session, check_id, principal=principal)
    return CheckRead.model_validate(
        flows.record_sample(session, check=check, data=body, actor=principal.user)
    )


@router.post("/spot-checks/{check_id}/custody", response_model=CheckRead)
def add_custody(
    check_id: IdPath, body: CustodyIn, principal: Regulator, session: SessionDep
) -> CheckRead:
    check = service.get_check_or_raise(session, check_id, principal=principal)
    return CheckRead.model_validate(
        flows.add_custody(session, check=check, data=body, actor=principal.user)
    )


@router.post("/spot-checks/{check_id}/results", response_model=CheckRead)
def record_results(
    check_id: IdPath, body: ResultsIn, principal: Regulator, session: SessionDep
) -> CheckRead:
    check = service.get_check_or_raise(session, check_id, principal=principal)
    return CheckRead.model_validate(
        flows.record_results(session, check=check, data=body, actor=principal.user)
    )


@router.post("/spot-checks/{check_id}/conclude", response_model=CheckRead)
def conclude(check_id: IdPath, principal: Regulator, session: SessionDep) -> CheckRead:
    """Pass or fail on the computed verdict; a fail suspends, opens re-vetting and notifies."""
    check = service.get_check_or_raise(session, check_id, principal=principal)
    return CheckRead.model_validate(flows.conclude(session, check=check, actor=principal.user))


@router.post("/spot-checks/{check_id}/close", response_model=CheckRead)
def close(check_id: IdPath, principal: Regulator, session: SessionDep) -> CheckRead:
    check = service.get_check_or_raise(session, check_id, principal=principal)
    return CheckRead.model_validate(flows.close(session, check=check, actor=principal.user))


@router.post("/spot-checks/{check_id}/objection", response_model=ObjectionRead, **Created)
def file_objection(
    check_id: IdPath, body: ObjectionIn, principal: AgencyReviewer, session: SessionDep
) -> ObjectionRead:
    """The inspected organisation applies for re-inspection (复检) within the period."""
    check = service.get_check_or_raise(session, check_id, principal=principal)
    return ObjectionRead.model_validate(
        flows.file_objection(session, check=check, reason=body.reason, principal=principal)
    )


# -- notices and objections ------------------------------------------------------------------


@router.get("/spot-check-notices", response_model=NoticePage)
def list_notices(_: CurrentPrincipal, session: SessionDep, page: PageDep) -> NoticePage:
    rows, total = service.list_notices(session, limit=page.limit, offset=page.offset)
    return NoticePage(
        items=[NoticeRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/spot-check-notices/{notice_id}", response_model=NoticeRead)
def get_notice(notice_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> NoticeRead:
    return NoticeRead.model_validate(service.get_notice_or_raise(session, notice_id))


@router.get("/spot-check-objections", response_model=ObjectionPage)
def list_objections(
    principal: CurrentPrincipal, session: SessionDep, page: PageDep
) -> ObjectionPage:
    rows, total = service.list_objections(
        session, principal=principal, limit=page.limit, offset=page.offset
    )
    return ObjectionPage(
        items=[ObjectionRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/spot-check-objections/{objection_id}", response_model=ObjectionRead)
def get_objection(
    objection_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> ObjectionRead:
    return ObjectionRead.model_validate(
        service.get_objection_or_raise(session, objection_id, principal=principal)
    )


@router.post("/spot-check-objections/{objection_id}/withdraw", response_model=ObjectionRead)
def withdraw_objection(
    objection_id: IdPath, principal: AgencyReviewer, session: SessionDep
) -> ObjectionRead:
    objection = service.get_objection_or_raise(session, objection_id, principal=principal)
    check = service.get_check_or_raise(session, objection.spot_check_id, principal=principal)
    return ObjectionRead.model_validate(
        flows.withdraw_objection(session, objection=objection, check=check, principal=principal)
    )


@router.post("/spot-check-objections/{objection_id}/decision", response_model=ObjectionRead)
def decide_objection(
    objection_id: IdPath, body: ObjectionDecision, principal: Regulator, session: SessionDep
) -> ObjectionRead:
    objection = service.get_objection_or_raise(session, objection_id, principal=principal)
    check = service.get_check_or_raise(session, objection.spot_check_id, principal=principal)
    return ObjectionRead.model_validate(
        flows.decide_objection(
            session,
            objection=objection,
            check=check,
            accept=body.accept,
            note=body.note,
            principal=principal,
        )
    )
