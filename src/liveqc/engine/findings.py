"""Scan results: immutable findings, optional explanations, the per-utterance result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a finding was raised or dropped (only when ``explain=True``)."""

    pattern: str
    normalised: str
    notes: tuple[str, ...] = ()
    #: every rule merged into this finding (``pack/id``), the reported one first
    rules: tuple[str, ...] = ()


class Finding(NamedTuple):
    """One violation: ``start``/``end`` are offsets into the original text, end exclusive.

    An immutable named tuple like :class:`ScanResult`: a frozen dataclass of twelve fields costs
    several times more to build, and one is built for every finding.
    """

    code: str
    rule: str
    severity: str
    start: int
    end: int
    match: str
    basis: str
    message: str
    suggestion: str
    pack: str
    version: str
    explanation: Explanation | None = None

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON shape of a finding."""
        return {
            "code": self.code,
            "rule": self.rule,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "match": self.match,
            "basis": self.basis,
            "message": self.message,
            "suggestion": self.suggestion,
        }


_new = tuple.__new__


def finding_of(
    rule: Any,
    start: int,
    end: int,
    original: str,
    version: str,
    explanation: Explanation | None = None,
) -> Finding:
    """The finding of a pack ``rule`` at ``original[start:end]``, built with ``tuple.__new__``
    (no argument checking) because it runs for every finding."""
    return _new(
        Finding,
        (
            rule.code,
            rule.id,
            rule.severity,
            start,
            end,
            original[start:end],
            rule.basis,
            rule.message,
            rule.suggestion,
            rule.pack,
            version,
            explanation,
        ),
    )


class ScanResult(NamedTuple):
    """Findings of one utterance in stable order, with the catalogue version that produced them.

    An immutable named tuple (cheaper to build than a frozen dataclass on the hot path).
    ``normalised`` and ``suppressed`` are filled only when the scan ran with ``explain=True``.
    """

    text: str
    findings: tuple[Finding, ...]
    version: str
    normalised: str | None = None
    suppressed: tuple[Finding, ...] = ()

    @property
    def codes(self) -> frozenset[str]:
        """The violation codes this utterance carries."""
        return frozenset(f.code for f in self.findings)
