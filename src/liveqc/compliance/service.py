"""Scans, findings and organisation dictionaries: queries, ``engine_for`` and ``scan_and_store``.

Each organisation scans with the built-in catalogue plus its own dictionary (banned phrases,
allow-list, disabled rules); ``liveqc.compliance.engines`` compiles and caches those engines.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from liveqc.compliance.engines import EMPTY, Dictionary, builtin_packs, engines
from liveqc.compliance.models import (
    DictionaryEntry,
    DictionaryState,
    DisabledRule,
    EntryKind,
    Finding,
    FindingStatus,
    Scan,
)
from liveqc.db.tenancy import current_organisation
from liveqc.engine import (
    CATEGORIES,
    SCENES,
    ComplianceEngine,
    Facts,
    InvalidFacts,
    Rule,
    ScanResult,
)
from liveqc.errors import NotFound, PermissionDenied, ValidationFailed
from liveqc.events.service import record


def current_organisation_or_raise(session: Session, organisation_id: int | None = None) -> int:
    org_id = current_organisation(session)
    if org_id is None or (organisation_id is not None and organisation_id != org_id):
        raise PermissionDenied("scans run in the session's own organisation")
    return org_id


def load_dictionary(session: Session) -> Dictionary:
    """The current organisation's active dictionary entries and disabled rules."""
    entries = session.scalars(select(DictionaryEntry).where(DictionaryEntry.is_active)).all()
    banned = sorted(
        (e.phrase, e.code or "", e.severity or "medium")
        for e in entries
        if e.kind is EntryKind.BANNED
    )
    allow = sorted(e.phrase for e in entries if e.kind is EntryKind.ALLOW)
    disabled = sorted(session.scalars(select(DisabledRule.rule)).all())
    return Dictionary(tuple(banned), tuple(allow), tuple(disabled))


def dictionary_state(session: Session) -> DictionaryState | None:
    return session.scalars(select(DictionaryState)).first()


def fingerprint_query(dialect_name: str, organisation_id: int) -> tuple[str, dict[str, int]]:
    """The driver SQL that reads the organisation's dictionary fingerprint, for a caller that
    sends its reads in one batch on the connection (live ingest); give what it answers to
    :func:`fingerprint_from` and that to ``engine_for(fingerprint=...)``."""
    param = "%(organisation_id)s" if dialect_name == "postgresql" else ":organisation_id"
    table = DictionaryState.__tablename__
    return (
        f"SELECT fingerprint FROM {table} WHERE organisation_id = {param}",
        {"organisation_id": organisation_id},
    )


def fingerprint_from(rows: list[tuple[Any, ...]]) -> str:
    """The fingerprint in :func:`fingerprint_query`'s answer (an organisation that never
    changed its dictionary has no state row: the empty dictionary's)."""
    return str(rows[0][0]) if rows else EMPTY.fingerprint


def engine_for(
    session: Session, organisation_id: int, *, fresh: bool = False, fingerprint: str | None = None
) -> ComplianceEngine:
    """The compiled engine for the organisation's current dictionary (cached per process).

    After a dictionary change the previous engine keeps serving while the new one builds in
    the background; ``fresh=True`` waits for the build instead (demo data, tests). A caller
    that has read the dictionary's ``fingerprint`` in this transaction passes it.
    """
    current_organisation_or_raise(session, organisation_id)
    if fingerprint is None:
        state = dictionary_state(session)
        fingerprint = state.fingerprint if state is not None else EMPTY.fingerprint
    current = engines.current(organisation_id)
    if current is not None and current[0] == fingerprint:
        return current[1]
    dictionary = load_dictionary(session)
    engine = engines.get(organisation_id, dictionary)
    if fresh:
        engines.wait(organisation_id)
        current = engines.current(organisation_id)
        if current is not None and current[0] == dictionary.fingerprint:
            return current[1]
    return engine


def parse_facts(facts: Mapping[str, Any] | None) -> Facts:
    """Validate product facts, naming the bad field (ValidationFailed)."""
    try:
        return Facts.from_dict(facts)
    except InvalidFacts as exc:
        raise ValidationFailed(f"facts: {exc}") from None


def check_context(category: str | None, scene: str) -> None:
    if category is not None and category not in CATEGORIES:
        raise ValidationFailed(f"category: unknown category {category!r}")
    if scene not in SCENES:
        raise ValidationFailed(f"scene: unknown scene {scene!r}")


def scan(
    session: Session,
    *,
    text: str,
    category: str | None = None,
    facts: Mapping[str, Any] | None = None,
    scene: str = "script",
    engine: ComplianceEngine | None = None,
) -> ScanResult:
    """Scan one utterance with the organisation's engine, storing nothing.

    ``engine`` skips the dictionary look-up when a caller scans many utterances in a row.
    """
    check_context(category, scene)
    if engine is None:
        engine = engine_for(session, current_organisation_or_raise(session))
    return engine.check(text, category=category, facts=parse_facts(facts), scene=scene)


def store_result(
    session: Session,
    result: ScanResult,
    *,
    category: str | None,
    facts: Mapping[str, Any] | None,
    scene: str,
    source_type: str,
    source_id: str | None,
    actor: Any,
) -> Scan:
    """Persist one scan result and its findings (flushed, not audited)."""
    row = Scan(
        source_type=source_type,
        source_id=source_id,
        scene=scene,
        category=category,
        facts=dict(facts) if facts else None,
        catalogue_version=result.version,
        created_by_id=getattr(actor, "id", actor),
        text=result.text,
        finding_count=len(result.findings),
    )
    row.findings = [
        Finding(
            position=i,
            code=f.code,
            rule=f.rule,
            severity=f.severity,
            start=f.start,
            end=f.end,
            match=f.match,
            basis=f.basis,
            message=f.message,
            suggestion=f.suggestion,
            catalogue_version=result.version,
            status=FindingStatus.OPEN,
            status_reason="",
        )
        for i, f in enumerate(result.findings)
    ]
    session.add(row)
    session.flush()
    return row


def scan_and_store(
    session: Session,
    *,
    text: str,
    category: str | None = None,
    facts: Mapping[str, Any] | None = None,
    scene: str = "script",
    source_type: str = "adhoc",
    source_id: str | None = None,
    actor: Any = None,
    engine: ComplianceEngine | None = None,
) -> Scan:
    """Scan one utterance and store the scan with its findings (audited).

    Other domains call this for scripts, live transcript segments and complaints; each finding
    records the catalogue version that produced it.

    Raises:
        ValidationFailed: unknown category, scene or facts field.
    """
    result = scan(session, text=text, category=category, facts=facts, scene=scene, engine=engine)
    row = store_result(
        session,
        result,
        category=category,
        facts=facts,
        scene=scene,
        source_type=source_type,
        source_id=source_id,
        actor=actor,
    )
    record(session, actor, row.organisation_id, row, "create", None, _scan_summary(row))
    return row


def _scan_summary(row: Scan) -> dict[str, Any]:
    return {
        "source_type": row.source_type,
        "source_id": row.source_id,
        "findings": row.finding_count,
        "catalogue_version": row.catalogue_version,
    }


def get_scan_or_raise(session: Session, scan_id: int) -> Scan:
    query = select(Scan).where(Scan.id == scan_id).options(selectinload(Scan.findings))
    row = session.scalars(query).first()
    if row is None:
        raise NotFound(f"scan {scan_id} does not exist")
    return row


def list_scans(
    session: Session,
    *,
    limit: int = 50,
    offset: int = 0,
    source_type: str | None = None,
    flagged: bool | None = None,
) -> tuple[list[Scan], int]:
    """The organisation's scans, newest first."""
    query = select(Scan)
    if source_type is not None:
        query = query.where(Scan.source_type == source_type)
    if flagged is not None:
        query = query.where(Scan.finding_count > 0 if flagged else Scan.finding_count == 0)
    total = session.scalar(query.with_only_columns(func.count(Scan.id))) or 0
    rows = session.scalars(query.order_by(Scan.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def get_finding_or_raise(session: Session, finding_id: int) -> Finding:
    row = session.scalars(select(Finding).where(Finding.id == finding_id)).first()
    if row is None:
        raise NotFound(f"finding {finding_id} does not exist")
    return row


def list_findings(
    session: Session,
    *,
    limit: int = 50,
    offset: int = 0,
    code: str | None = None,
    severity: str | None = None,
    status: FindingStatus | None = None,
    scan_id: int | None = None,
) -> tuple[list[Finding], int]:
    """The organisation's findings, newest first, filtered."""
    query = select(Finding)
    if code is not None:
        query = query.where(Finding.code == code)
    if severity is not None:
        query = query.where(Finding.severity == severity)
    if status is not None:
        query = query.where(Finding.status == status)
    if scan_id is not None:
        query = query.where(Finding.scan_id == scan_id)
    total = session.scalar(query.with_only_columns(func.count(Finding.id))) or 0
    order = (Finding.scan_id.desc(), Finding.position)
    rows = session.scalars(query.order_by(*order).limit(limit).offset(offset))
    return list(rows), total


def list_entries(
    session: Session, *, kind: EntryKind | None = None, limit: int = 200, offset: int = 0
) -> tuple[list[DictionaryEntry], int]:
    query = select(DictionaryEntry)
    if kind is not None:
        query = query.where(DictionaryEntry.kind == kind)
    total = session.scalar(query.with_only_columns(func.count(DictionaryEntry.id))) or 0
    order = (DictionaryEntry.kind, DictionaryEntry.phrase)
    rows = session.scalars(query.order_by(*order).limit(limit).offset(offset))
    return list(rows), total


def get_entry_or_raise(session: Session, entry_id: int) -> DictionaryEntry:
    row = session.scalars(select(DictionaryEntry).where(DictionaryEntry.id == entry_id)).first()
    if row is None:
        raise NotFound(f"dictionary entry {entry_id} does not exist")
    return row


def list_disabled_rules(session: Session) -> list[DisabledRule]:
    return list(session.scalars(select(DisabledRule).order_by(DisabledRule.rule)))


def get_disabled_rule_or_raise(session: Session, disabled_id: int) -> DisabledRule:
    row = session.scalars(select(DisabledRule).where(DisabledRule.id == disabled_id)).first()
    if row is None:
        raise NotFound(f"disabled rule {disabled_id} does not exist")
    return row


def catalogue_rules(*, code: str | None = None, category: str | None = None) -> list[Rule]:
    """The built-in rules, optionally of one code or applying to one category."""
    rules = [r for p in builtin_packs() for r in p.rules]
    if code is not None:
        rules = [r for r in rules if r.code == code]
    if category is not None:
        rules = [
            r
            for r in rules
            if (r.categories is None or category in r.categories)
            and category not in r.not_categories
        ]
    return rules


def find_rule(rule_id: str) -> Rule | None:
    """A built-in rule by ``id`` or ``pack/id``."""
    for rule in catalogue_rules():
        if rule_id in (rule.id, rule.key):
            return rule
    return None
