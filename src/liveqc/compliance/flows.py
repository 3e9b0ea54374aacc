"""Compliance workflows: reviewing findings and changing the organisation dictionary.

Each flow checks its transition table (findings) or its input, changes state, and records an
audit event. Dictionary changes bump the organisation's dictionary version and start the
background rebuild of its engine, so the change reaches the next scans without a restart.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.compliance import service
from liveqc.compliance.engines import EMPTY, engines
from liveqc.compliance.models import (
    DictionaryEntry,
    DictionaryState,
    DisabledRule,
    EntryKind,
    Finding,
    FindingStatus,
)
from liveqc.db.types import utcnow
from liveqc.engine import CODES
from liveqc.engine.taxonomy import SEVERITIES
from liveqc.errors import Conflict, InvalidTransition, ValidationFailed
from liveqc.events.service import record

#: Allowed review steps: status → {action: new status}.
TRANSITIONS: dict[FindingStatus, dict[str, FindingStatus]] = {
    FindingStatus.OPEN: {"accept": FindingStatus.ACCEPTED, "resolve": FindingStatus.RESOLVED},
    FindingStatus.ACCEPTED: {"reopen": FindingStatus.OPEN},
    FindingStatus.RESOLVED: {"reopen": FindingStatus.OPEN},
}


def _review(session: Session, finding: Finding, action: str, reason: str, actor: Any) -> Finding:
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(f"reason: a written reason is required to {action} a finding")
    target = TRANSITIONS[finding.status].get(action)
    if target is None:
        raise InvalidTransition(f"finding {finding.id} is {finding.status.value}; cannot {action}")
    before = {"status": finding.status, "reason": finding.status_reason}
    finding.status = target
    finding.status_reason = reason
    finding.status_by_id = getattr(actor, "id", actor)
    finding.status_at = utcnow()
    session.flush()
    after = {"status": target, "reason": reason, "code": finding.code, "match": finding.match}
    record(session, actor, finding.organisation_id, finding, action, before, after)
    return finding


def accept(session: Session, finding: Finding, *, reason: str, actor: Any) -> Finding:
    """A reviewer allows the flagged wording as it is (e.g. a verified claim)."""
    return _review(session, finding, "accept", reason, actor)


def resolve(session: Session, finding: Finding, *, reason: str, actor: Any) -> Finding:
    """The wording was changed or removed."""
    return _review(session, finding, "resolve", reason, actor)


def reopen(session: Session, finding: Finding, *, reason: str, actor: Any) -> Finding:
    """Back to review, e.g. when an acceptance was a mistake."""
    return _review(session, finding, "reopen", reason, actor)


def _bump(session: Session) -> DictionaryState:
    """Record a dictionary change: new version, new fingerprint, background rebuild started."""
    organisation_id = service.current_organisation_or_raise(session)
    dictionary = service.load_dictionary(session)
    state = service.dictionary_state(session)
    if state is None:
        state = DictionaryState(version=0, fingerprint=EMPTY.fingerprint)
        session.add(state)
    state.version += 1
    state.fingerprint = dictionary.fingerprint
    session.flush()
    engines.changed(organisation_id, dictionary)
    return state


def _check_entry(kind: EntryKind, phrase: str, code: str | None, severity: str | None) -> None:
    if not phrase.strip():
        raise ValidationFailed("phrase: must not be blank")
    if kind is EntryKind.BANNED:
        if code not in CODES:
            raise ValidationFailed(f"code: a banned phrase needs a violation code, not {code!r}")
        if severity not in SEVERITIES:
            raise ValidationFailed(f"severity: must be one of {', '.join(SEVERITIES)}")
    elif code is not None or severity is not None:
        raise ValidationFailed("code: an allow-list entry has no code or severity")


def _entry_summary(entry: DictionaryEntry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "phrase": entry.phrase,
        "code": entry.code,
        "severity": entry.severity,
        "note": entry.note,
        "is_active": entry.is_active,
    }


def add_entry(
    session: Session,
    *,
    kind: EntryKind,
    phrase: str,
    code: str | None = None,
    severity: str | None = None,
    note: str = "",
    actor: Any,
) -> DictionaryEntry:
    """Add a banned or allowed phrase to the organisation's dictionary."""
    phrase = phrase.strip()
    if kind is EntryKind.BANNED and severity is None:
        severity = "medium"
    _check_entry(kind, phrase, code, severity)
    query = select(DictionaryEntry).where(
        DictionaryEntry.kind == kind, DictionaryEntry.phrase == phrase
    )
    if session.scalars(query).first() is not None:
        raise Conflict(f"phrase {phrase!r} is already in the {kind.value} list")
    entry = DictionaryEntry(
        kind=kind, phrase=phrase, code=code, severity=severity, note=note.strip(), is_active=True
    )
    session.add(entry)
    session.flush()
    state = _bump(session)
    after = {**_entry_summary(entry), "dictionary_version": state.version}
    record(session, actor, entry.organisation_id, entry, "create", None, after)
    return entry


def update_entry(
    session: Session,
    entry: DictionaryEntry,
    *,
    changes: dict[str, Any],
    actor: Any,
) -> DictionaryEntry:
    """Change an entry's code, severity, note or active flag (the phrase and kind stay)."""
    before = _entry_summary(entry)
    for key in ("code", "severity", "note", "is_active"):
        if key in changes:
            setattr(entry, key, changes[key])
    _check_entry(entry.kind, entry.phrase, entry.code, entry.severity)
    session.flush()
    state = _bump(session)
    after = {**_entry_summary(entry), "dictionary_version": state.version}
    record(session, actor, entry.organisation_id, entry, "update", before, after)
    return entry


def remove_entry(session: Session, entry: DictionaryEntry, *, actor: Any) -> None:
    """Delete an entry; the next scans no longer use it."""
    before = _entry_summary(entry)
    organisation_id, ref = entry.organisation_id, ("compliance_dictionary_entries", entry.id)
    session.delete(entry)
    session.flush()
    state = _bump(session)
    record(
        session,
        actor,
        organisation_id,
        ref,
        "delete",
        before,
        {"dictionary_version": state.version},
    )


def disable_rule(session: Session, *, rule: str, reason: str = "", actor: Any) -> DisabledRule:
    """Switch off a built-in rule for the organisation."""
    found = service.find_rule(rule.strip())
    if found is None:
        raise ValidationFailed(f"rule: unknown rule {rule!r} (see GET /api/v1/compliance/rules)")
    if session.scalars(select(DisabledRule).where(DisabledRule.rule == found.key)).first():
        raise Conflict(f"rule {found.key} is already disabled")
    row = DisabledRule(rule=found.key, reason=reason.strip())
    session.add(row)
    session.flush()
    state = _bump(session)
    after = {"rule": row.rule, "reason": row.reason, "dictionary_version": state.version}
    record(session, actor, row.organisation_id, row, "disable", None, after)
    return row


def enable_rule(session: Session, row: DisabledRule, *, actor: Any) -> None:
    """Switch a disabled rule back on."""
    before = {"rule": row.rule, "reason": row.reason}
    organisation_id, ref = row.organisation_id, ("compliance_disabled_rules", row.id)
    session.delete(row)
    session.flush()
    state = _bump(session)
    record(
        session,
        actor,
        organisation_id,
        ref,
        "enable",
        before,
        {"dictionary_version": state.version},
    )
