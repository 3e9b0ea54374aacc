"""Compliance API: scan (with or without storing), stored scans and findings, review,
organisation dictionary and disabled rules, and the rule catalogue."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response, status
from sqlalchemy.orm import Session

from liveqc.accounts.models import Role
from liveqc.accounts.service import Principal
from liveqc.api.deps import MAX_ID, CurrentPrincipal, IdPath, PageDep, SessionDep, require_roles
from liveqc.compliance import flows, service
from liveqc.compliance.engines import engines
from liveqc.compliance.models import (
    DictionaryEntry,
    DisabledRule,
    EntryKind,
    Finding,
    FindingStatus,
)
from liveqc.compliance.schemas import (
    DisabledRuleCreate,
    DisabledRulePage,
    DisabledRuleRead,
    EntryCreate,
    EntryPage,
    EntryRead,
    EntryUpdate,
    FindingOut,
    FindingPage,
    FindingRead,
    ReviewIn,
    RulePage,
    RuleRead,
    ScanBatchOut,
    ScanDetail,
    ScanItemOut,
    ScanOneOut,
    ScanPage,
    ScanRead,
    ScanRequest,
)
from liveqc.engine import Rule
from liveqc.errors import NotFound

router = APIRouter(prefix="/compliance", tags=["compliance"])

#: Who may store scans, review findings and edit the dictionary.
STORE_ROLES = (Role.ADMIN, Role.COMPLIANCE_REVIEWER, Role.QC_REVIEWER, Role.HOST)
REVIEW_ROLES = (Role.ADMIN, Role.COMPLIANCE_REVIEWER)
Reviewer = Annotated[Principal, Depends(require_roles(*REVIEW_ROLES))]


def _finding_out(finding: Any) -> FindingOut:
    return FindingOut.model_validate(finding.to_dict())


@router.post("/scan", response_model=ScanOneOut | ScanBatchOut)
def scan(body: ScanRequest, principal: CurrentPrincipal, session: SessionDep) -> Any:
    """Scan one utterance or a batch of up to 1,000; ``"store": true`` also stores them."""
    if body.store:
        principal.require(*STORE_ROLES)
    single = body.utterances is None
    items = (
        [(body.id if body.id is not None else 1, body.text or "", None, None, None)]
        if single
        else [
            (u.id if u.id is not None else i, u.text, u.category, u.facts, u.scene)
            for i, u in enumerate(body.utterances or (), start=1)
        ]
    )
    results: list[ScanItemOut] = []
    engine = service.engine_for(session, principal.organisation.id)
    version = engine.version
    for ident, text, category, facts, scene in items:
        kwargs: dict[str, Any] = {
            "text": text,
            "category": category or body.category,
            "facts": facts if facts is not None else body.facts,
            "scene": scene or body.scene or "transcript",
        }
        if body.store:
            source_id = body.source_id if single else str(ident)
            row = service.scan_and_store(
                session,
                **kwargs,
                source_type=body.source_type,
                source_id=source_id,
                actor=principal.user,
                engine=engine,
            )
            found = [FindingOut.model_validate(f, from_attributes=True) for f in row.findings]
            results.append(ScanItemOut(id=ident, findings=found, scan_id=row.id))
        else:
            result = service.scan(session, **kwargs, engine=engine)
            found = [_finding_out(f) for f in result.findings]
            results.append(ScanItemOut(id=ident, findings=found))
    if single:
        return ScanOneOut(**results[0].model_dump(), version=version, catalogue_version=version)
    return ScanBatchOut(
        results=results, total=len(results), version=version, catalogue_version=version
    )


def _scan(scan_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> Any:
    return service.get_scan_or_raise(session, scan_id)


def _finding(finding_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> Finding:
    return service.get_finding_or_raise(session, finding_id)


def _entry(entry_id: IdPath, _: Reviewer, session: SessionDep) -> DictionaryEntry:
    return service.get_entry_or_raise(session, entry_id)


def _disabled(disabled_id: IdPath, _: Reviewer, session: SessionDep) -> DisabledRule:
    return service.get_disabled_rule_or_raise(session, disabled_id)


@router.get("/scans", response_model=ScanPage)
def list_scans(
    _: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    source_type: Annotated[str | None, Query(max_length=32)] = None,
    flagged: Annotated[
        bool | None, Query(description="only scans with (or without) findings")
    ] = None,
) -> ScanPage:
    rows, total = service.list_scans(
        session, limit=page.limit, offset=page.offset, source_type=source_type, flagged=flagged
    )
    items = [ScanRead.model_validate(row) for row in rows]
    return ScanPage(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/scans/{scan_id}", response_model=ScanDetail)
def get_scan(row: Annotated[Any, Depends(_scan)]) -> ScanDetail:
    return ScanDetail.model_validate(row)


@router.get("/findings", response_model=FindingPage)
def list_findings(
    _: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    code: Annotated[str | None, Query(max_length=40)] = None,
    severity: Annotated[str | None, Query(max_length=16)] = None,
    status: Annotated[FindingStatus | None, Query()] = None,
    scan_id: Annotated[int | None, Query(gt=0, le=MAX_ID)] = None,
) -> FindingPage:
    rows, total = service.list_findings(
        session,
        limit=page.limit,
        offset=page.offset,
        code=code,
        severity=severity,
        status=status,
        scan_id=scan_id,
    )
    items = [FindingRead.model_validate(row) for row in rows]
    return FindingPage(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/findings/{finding_id}", response_model=FindingRead)
def get_finding(row: Annotated[Finding, Depends(_finding)]) -> FindingRead:
    return FindingRead.model_validate(row)


@router.post("/findings/{finding_id}/{action}", response_model=FindingRead)
def review_finding(
    action: Annotated[str, Path(pattern="^(accept|resolve|reopen)$")],
    body: ReviewIn,
    row: Annotated[Finding, Depends(_finding)],
    principal: Reviewer,
    session: SessionDep,
) -> FindingRead:
    """``accept`` (allowed as is), ``resolve`` (wording fixed) or ``reopen``, with a reason."""
    step = {"accept": flows.accept, "resolve": flows.resolve, "reopen": flows.reopen}[action]
    return FindingRead.model_validate(step(session, row, reason=body.reason, actor=principal.user))


def _entry_page(session: Session, kind: EntryKind | None = None) -> EntryPage:
    rows, total = service.list_entries(session, kind=kind)
    state = service.dictionary_state(session)
    return EntryPage(
        items=[EntryRead.model_validate(r) for r in rows],
        total=total,
        version=state.version if state else 0,
    )


def _applied(session: Session) -> None:
    """Wait for the rebuild a dictionary change started, so the next scan sees it."""
    engines.wait(service.current_organisation_or_raise(session))


@router.get("/dictionary", response_model=EntryPage)
def list_dictionary(
    _: CurrentPrincipal,
    session: SessionDep,
    kind: Annotated[EntryKind | None, Query()] = None,
) -> EntryPage:
    return _entry_page(session, kind)


@router.post("/dictionary", status_code=status.HTTP_201_CREATED, response_model=EntryRead)
def add_entry(body: EntryCreate, principal: Reviewer, session: SessionDep) -> EntryRead:
    entry = flows.add_entry(session, **body.model_dump(), actor=principal.user)
    _applied(session)
    return EntryRead.model_validate(entry)


@router.get("/dictionary/{entry_id}", response_model=EntryRead)
def get_entry(entry_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> EntryRead:
    return EntryRead.model_validate(service.get_entry_or_raise(session, entry_id))


@router.patch("/dictionary/{entry_id}", response_model=EntryRead)
def update_entry(
    body: EntryUpdate,
    entry: Annotated[DictionaryEntry, Depends(_entry)],
    principal: Reviewer,
    session: SessionDep,
) -> EntryRead:
    changes = body.model_dump(exclude_unset=True)
    entry = flows.update_entry(session, entry, changes=changes, actor=principal.user)
    _applied(session)
    return EntryRead.model_validate(entry)


@router.delete("/dictionary/{entry_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_entry(
    entry: Annotated[DictionaryEntry, Depends(_entry)], principal: Reviewer, session: SessionDep
) -> Response:
    flows.remove_entry(session, entry, actor=principal.user)
    _applied(session)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/disabled-rules", response_model=DisabledRulePage)
def list_disabled_rules(_: CurrentPrincipal, session: SessionDep) -> DisabledRulePage:
    rows = service.list_disabled_rules(session)
    return DisabledRulePage(
        items=[DisabledRuleRead.model_validate(r) for r in rows], total=len(rows)
    )


@router.post(
    "/disabled-rules", status_code=status.HTTP_201_CREATED, response_model=DisabledRuleRead
)
def disable_rule(
    body: DisabledRuleCreate, principal: Reviewer, session: SessionDep
) -> DisabledRuleRead:
    row = flows.disable_rule(session, rule=body.rule, reason=body.reason, actor=principal.user)
    _applied(session)
    return DisabledRuleRead.model_validate(row)


@router.get("/disabled-rules/{disabled_id}", response_model=DisabledRuleRead)
def get_disabled_rule(
    disabled_id: IdPath, _: CurrentPrincipal, session: SessionDep
) -> DisabledRuleRead:
    return DisabledRuleRead.model_validate(service.get_disabled_rule_or_raise(session, disabled_id))


@router.delete("/disabled-rules/{disabled_id}", status_code=status.HTTP_204_NO_CONTENT)
def enable_rule(
    row: Annotated[DisabledRule, Depends(_disabled)], principal: Reviewer, session: SessionDep
) -> Response:
    flows.enable_rule(session, row, actor=principal.user)
    _applied(session)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def rule_read(rule: Rule) -> RuleRead:
    return RuleRead(
        id=rule.id,
        key=rule.key,
        pack=rule.pack,
        code=rule.code,
        severity=rule.severity,
        basis=rule.basis,
        message=rule.message,
        suggestion=rule.suggestion,
        categories=sorted(rule.categories) if rule.categories is not None else None,
        scenes=sorted(rule.scenes) if rule.scenes is not None else None,
    )


@router.get("/rules", response_model=RulePage)
def list_rules(
    _: CurrentPrincipal,
    code: Annotated[str | None, Query(max_length=40)] = None,
    category: Annotated[str | None, Query(max_length=32)] = None,
) -> RulePage:
    """The built-in rule catalogue with the legal basis of each rule."""
    rules = service.catalogue_rules(code=code, category=category)
    return RulePage(items=[rule_read(r) for r in rules], total=len(rules))


@router.get("/rules/{rule_id:path}", response_model=RuleRead)
def get_rule(rule_id: str, _: CurrentPrincipal) -> RuleRead:
    rule = service.find_rule(rule_id)
    if rule is None:
        raise NotFound(f"rule {rule_id!r} does not exist")
    return rule_read(rule)
