"""Console pages: paste-and-scan with inline highlights, stored scans, findings, dictionary."""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from liveqc.accounts.service import Principal
from liveqc.api.deps import MAX_ID, IdPath, SessionDep
from liveqc.compliance import flows, service
from liveqc.compliance.engines import engines
from liveqc.compliance.models import EntryKind, Finding, FindingStatus, Scan
from liveqc.compliance.schemas import MAX_TEXT
from liveqc.compliance.views import REVIEW_ROLES, STORE_ROLES
from liveqc.engine import CATEGORIES, CODES, SCENES
from liveqc.engine.taxonomy import SEVERITIES, SEVERITY_RANK
from liveqc.errors import LiveQCError, PermissionDenied
from liveqc.products import service as products
from liveqc.web import tables
from liveqc.web.i18n import pick_locale, translator
from liveqc.web.rendering import PageRenderer, page_templates
from liveqc.web.tables import Column, Table
from liveqc.web.views import ConsolePrincipal, check_csrf

HERE = Path(__file__).parent
router = APIRouter(prefix="/compliance", include_in_schema=False)
PAGE = 50


def _permissions(principal: Principal | None, t: Any) -> dict[str, bool]:
    """Which of the review and dictionary forms the page offers."""
    return {
        "can_review": principal is not None and principal.has_any(*REVIEW_ROLES),
        "can_store": principal is not None and principal.has_any(*STORE_ROLES),
    }


#: A compliance page inside the console layout; template names are under ``compliance/``.
render = PageRenderer(
    page_templates(HERE),
    active="compliance",
    prefix="compliance/",
    context={
        "codes": CODES,
        "severities": SEVERITIES,
        "statuses": [s.value for s in FindingStatus],
    },
    extra=_permissions,
)


@dataclass(frozen=True)
class Piece:
    """A run of the scanned text and the findings (1-based numbers) that cover it."""

    text: str
    numbers: tuple[int, ...] = ()
    severity: str = ""


def highlight(text: str, findings: list[Any]) -> list[Piece]:
    """Split ``text`` at every finding boundary; each run carries the most severe covering one.

    Overlapping findings are handled; the template escapes each run, so pasted markup stays text.
    """
    spans = [
        (max(0, f.start), min(len(text), f.end), n, f.severity)
        for n, f in enumerate(findings, start=1)
    ]
    cuts = sorted({0, len(text), *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    pieces = []
    for left, right in pairwise(cuts):
        if left >= right:
            continue
        covering = [(n, sev) for s, e, n, sev in spans if s <= left and right <= e and s < e]
        if covering:
            worst = min((sev for _, sev in covering), key=lambda v: SEVERITY_RANK.get(v, 9))
            pieces.append(Piece(text[left:right], tuple(n for n, _ in covering), worst))
        else:
            pieces.append(Piece(text[left:right]))
    return pieces


@router.get("/assets/compliance.css")
def stylesheet() -> FileResponse:
    return FileResponse(HERE / "static" / "compliance.css", media_type="text/css")


def _scan_form(
    request: Request,
    principal: Principal,
    session: SessionDep,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    items, _ = products.list_products(session, limit=200)
    form = {"text": "", "category": "", "scene": "script", "facts": "", "product_id": ""}
    form.update(context.pop("form", {}))
    return render(
        request,
        "scan.html",
        principal,
        status,
        tab="scan",
        products=items,
        categories=sorted(CATEGORIES),
        scenes=sorted(SCENES),
        form=form,
        max_text=MAX_TEXT,
        **context,
    )


@router.get("")
def scan_page(request: Request, principal: ConsolePrincipal, session: SessionDep) -> HTMLResponse:
    return _scan_form(request, principal, session)


def _facts_from_form(
    raw: str, product_id: str, session: SessionDep
) -> tuple[dict[str, Any] | None, str]:
    """The facts JSON (validated later by the engine) merged over the picked product's."""
    facts: dict[str, Any] = {}
    category = ""
    if product_id:
        if not product_id.isdigit() or int(product_id) > MAX_ID:
            raise ValueError("product_id")
        product = products.get_product_or_raise(session, int(product_id))
        category = product.category.value
        facts = {"category": category}
        if product.brand:
            facts["brand"] = product.brand
    if raw.strip():
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("facts")
        facts.update(data)
    return (facts or None), category


@router.post("/scan")
def scan_submit(
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    text: Annotated[str, Form(max_length=MAX_TEXT)] = "",
    category: Annotated[str, Form(max_length=32)] = "",
    scene: Annotated[str, Form(max_length=16)] = "script",
    facts: Annotated[str, Form(max_length=20_000)] = "",
    product_id: Annotated[str, Form(max_length=12)] = "",
    store: Annotated[str, Form(max_length=8)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> HTMLResponse:
    """Scan the pasted script and show the findings inline (stored when asked and allowed)."""
    t = translator(pick_locale(request.session.get("locale")))
    form = {
        "text": text,
        "category": category,
        "scene": scene,
        "facts": facts,
        "product_id": product_id,
    }
    if not check_csrf(request, csrf):
        return _scan_form(request, principal, session, 400, form=form, error=t("login.csrf"))
    if not text.strip():
        error = t("compliance.scan.empty")
        return _scan_form(request, principal, session, 422, form=form, error=error)
    try:
        fact_data, product_category = _facts_from_form(facts, product_id, session)
    except (ValueError, LiveQCError):
        error = t("compliance.scan.bad_facts")
        return _scan_form(request, principal, session, 422, form=form, error=error)
    kwargs: dict[str, Any] = {
        "text": text,
        "category": category or product_category or None,
        "facts": fact_data,
        "scene": scene or "script",
    }
    stored = None
    try:
        if store and principal.has_any(*STORE_ROLES):
            stored = service.scan_and_store(session, **kwargs, actor=principal.user)
            findings: list[Any] = list(stored.findings)
            version = stored.catalogue_version
        else:
            result = service.scan(session, **kwargs)
            findings, version = list(result.findings), result.version
    except LiveQCError as exc:
        return _scan_form(request, principal, session, 422, form=form, error=exc.detail)
    return _scan_form(
        request,
        principal,
        session,
        form=form,
        scanned=True,
        pieces=highlight(text, findings),
        findings=findings,
        version=version,
        stored=stored,
    )


SCANS = Table(
    "scans",
    (
        Column("id", "search.col.id", Scan.id),
        Column("created_at", "search.col.created_at", Scan.created_at),
        Column("source_type", "search.col.source", Scan.source_type, "text"),
        Column("category", "search.col.category", Scan.category, "text"),
        Column("text", "search.col.text", Scan.text, "text"),
        Column("finding_count", "search.col.findings", Scan.finding_count),
    ),
    default_order=(Scan.id.desc(),),
    per_page=PAGE,
)


@router.get("/scans", response_model=None)
def scans_page(request: Request, principal: ConsolePrincipal, session: SessionDep) -> Response:
    listing = tables.serve(request, session, SCANS, select(Scan))
    if isinstance(listing, Response):
        return listing
    return render(
        request,
        "scans.html",
        principal,
        tab="scans",
        rows=listing.rows,
        total=listing.total,
        listing=listing,
    )


@router.get("/scans/{scan_id}")
def scan_detail(
    request: Request, scan_id: IdPath, principal: ConsolePrincipal, session: SessionDep
) -> HTMLResponse:
    row = service.get_scan_or_raise(session, scan_id)
    return render(
        request,
        "scan_detail.html",
        principal,
        tab="scans",
        row=row,
        pieces=highlight(row.text, list(row.findings)),
        findings=row.findings,
        facts=json.dumps(row.facts, ensure_ascii=False, sort_keys=True) if row.facts else "",
    )


@router.post("/findings/{finding_id}/review")
def review(
    request: Request,
    finding_id: IdPath,
    principal: ConsolePrincipal,
    session: SessionDep,
    action: Annotated[str, Form(pattern="^(accept|resolve|reopen)$")],
    reason: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Accept, resolve or reopen a finding with a written reason, from the scan's page."""
    if not check_csrf(request, csrf):
        raise PermissionDenied("the form expired; reload the page and try again")
    principal.require(*REVIEW_ROLES)
    finding = service.get_finding_or_raise(session, finding_id)
    step = {"accept": flows.accept, "resolve": flows.resolve, "reopen": flows.reopen}[action]
    step(session, finding, reason=reason, actor=principal.user)
    return RedirectResponse(f"/compliance/scans/{finding.scan_id}#f-{finding.id}", 303)


FINDINGS = Table(
    "findings",
    (
        Column("severity", "compliance.findings.severity", Finding.severity, "exact",
               choices=tuple(SEVERITIES)),
        Column("code", "compliance.findings.code", Finding.code, "exact", choices=tuple(CODES)),
        Column("match", "compliance.finding.match", Finding.match, "text"),
        Column("basis", "compliance.finding.basis", Finding.basis, "text"),
        Column("status", "compliance.findings.status", Finding.status, "exact",
               choices=tuple(s.value for s in FindingStatus)),
        Column("scan_id", "compliance.findings.scan", Finding.scan_id),
    ),
    default_order=(Finding.scan_id.desc(), Finding.position),
    per_page=PAGE,
    aliases={"code": "code", "severity": "severity", "status": "status"},
)  # fmt: skip


@router.get("/findings", response_model=None)
def findings_page(
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    code: Annotated[str, Query(max_length=40)] = "",
    severity: Annotated[str, Query(max_length=16)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    listing = tables.serve(request, session, FINDINGS, select(Finding))
    if isinstance(listing, Response):
        return listing
    filters = {"code": code, "severity": severity, "status": status}
    return render(
        request,
        "findings.html",
        principal,
        tab="findings",
        rows=listing.rows,
        total=listing.total,
        listing=listing,
        filters=filters,
    )


def _dictionary(
    request: Request, principal: Principal, session: SessionDep, status: int = 200, **ctx: Any
) -> HTMLResponse:
    rows, total = service.list_entries(session, limit=500)
    state = service.dictionary_state(session)
    return render(
        request,
        "dictionary.html",
        principal,
        status,
        tab="dictionary",
        rows=rows,
        total=total,
        version=state.version if state else 0,
        disabled=service.list_disabled_rules(session),
        kinds=[k.value for k in EntryKind],
        **ctx,
    )


@router.get("/dictionary")
def dictionary_page(
    request: Request, principal: ConsolePrincipal, session: SessionDep
) -> HTMLResponse:
    return _dictionary(request, principal, session)


@router.post("/dictionary", response_model=None)
def dictionary_add(
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    kind: Annotated[str, Form(max_length=16)] = "banned",
    phrase: Annotated[str, Form(max_length=100)] = "",
    code: Annotated[str, Form(max_length=40)] = "",
    severity: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Add an entry; the next scan uses it (the rebuild finishes before the redirect)."""
    if not check_csrf(request, csrf):
        raise PermissionDenied("the form expired; reload the page and try again")
    principal.require(*REVIEW_ROLES)
    try:
        entry_kind = EntryKind(kind)
        banned = entry_kind is EntryKind.BANNED
        flows.add_entry(
            session,
            kind=entry_kind,
            phrase=phrase,
            code=(code or None) if banned else None,
            severity=(severity or None) if banned else None,
            note=note,
            actor=principal.user,
        )
    except (ValueError, LiveQCError) as exc:
        form = {"kind": kind, "phrase": phrase, "code": code, "severity": severity, "note": note}
        detail = exc.detail if isinstance(exc, LiveQCError) else "kind"
        return _dictionary(request, principal, session, 422, error=detail, form=form)
    engines.wait(principal.organisation.id)
    return RedirectResponse("/compliance/dictionary", 303)


@router.post("/dictionary/{entry_id}/delete")
def dictionary_delete(
    request: Request,
    entry_id: IdPath,
    principal: ConsolePrincipal,
    session: SessionDep,
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    if not check_csrf(request, csrf):
        raise PermissionDenied("the form expired; reload the page and try again")
    principal.require(*REVIEW_ROLES)
    flows.remove_entry(session, service.get_entry_or_raise(session, entry_id), actor=principal.user)
    engines.wait(principal.organisation.id)
    return RedirectResponse("/compliance/dictionary", 303)
