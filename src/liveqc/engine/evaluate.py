"""Per-code precision, recall and F1 of the engine on a labelled corpus (``liveqc eval``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from liveqc.engine.engine import ComplianceEngine
from liveqc.engine.scanio import Utterance
from liveqc.engine.taxonomy import CODES
from liveqc.errors import InputError


@dataclass
class CodeScore:
    """Counts and scores of one violation code."""

    code: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    hard_negative_fp: int = 0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.support if self.support else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "support": self.support,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "hard_negative_fp": self.hard_negative_fp,
        }


@dataclass
class EvalReport:
    """Per-code scores plus micro and macro averages."""

    scores: dict[str, CodeScore] = field(default_factory=dict)
    utterances: int = 0
    hard_negatives: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def micro(self) -> CodeScore:
        total = CodeScore("micro")
        for s in self.scores.values():
            total.tp += s.tp
            total.fp += s.fp
            total.fn += s.fn
            total.hard_negative_fp += s.hard_negative_fp
        return total

    def macro(self) -> dict[str, float]:
        """Unweighted means over the codes that occur in the corpus."""
        used = [s for s in self.scores.values() if s.support]
        if not used:
            return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
        n = len(used)
        return {
            "precision": sum(s.precision for s in used) / n,
            "recall": sum(s.recall for s in used) / n,
            "f1": sum(s.f1 for s in used) / n,
        }

    def to_dict(self) -> dict[str, Any]:
        micro = self.micro.to_dict()
        micro.pop("code")
        return {
            "utterances": self.utterances,
            "hard_negatives": self.hard_negatives,
            "codes": [s.to_dict() for s in self.scores.values()],
            "micro": micro,
            "macro": {k: round(v, 4) for k, v in self.macro().items()},
        }


def gold_codes(utt: Utterance) -> frozenset[str]:
    """The labelled codes of a corpus line.

    Raises:
        InputError: ``codes`` missing, not a list, or naming an unknown code.
    """
    raw = utt.raw or {}
    codes = raw.get("codes")
    where = f"{utt.source}:{utt.line}"
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise InputError(f"{where}: field 'codes' is required (a list of codes)")
    for c in codes:
        if c not in CODES:
            raise InputError(f"{where}: unknown code {c!r}")
    return frozenset(codes)


def evaluate(engine: ComplianceEngine, corpus: Iterable[Utterance]) -> EvalReport:
    """Scan every corpus line and count true/false positives per code."""
    report = EvalReport({c: CodeScore(c) for c in CODES})
    for utt in corpus:
        gold = gold_codes(utt)
        hard = bool((utt.raw or {}).get("hard_negative"))
        got = engine.check(utt.text, category=utt.category, facts=utt.facts, scene=utt.scene).codes
        report.utterances += 1
        report.hard_negatives += hard
        for code in got | gold:
            s = report.scores[code]
            if code in got and code in gold:
                s.tp += 1
            elif code in got:
                s.fp += 1
                s.hard_negative_fp += hard
            else:
                s.fn += 1
        if got != gold:
            report.errors.append(
                {"id": utt.id, "text": utt.text, "gold": sorted(gold), "got": sorted(got)}
            )
    return report
