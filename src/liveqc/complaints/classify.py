"""Complaint triage: a transparent, rule-based classifier over consumers' own words.

Each category has weighted cues (``classify_cues.yaml``). A cue fires when one of its phrases
is found in the normalised text and is not negated in its clause ("没有过敏", "还好没吃"); a
co-occurrence cue fires when every group has a hit, optionally within a window of characters.
Harm comes first (convention 1 of the contract); otherwise the highest score wins, ties broken
by the contract's precedence. Weak signs of a product problem and nothing else fall back to
``quality_defect``; no signs at all give ``other``. ``reasons`` lists the cues that fired so
staff can see why.

Run ``python -m liveqc.complaints.classify --eval FILE.jsonl`` for per-category figures on a
labelled set (objects with ``text``, ``category`` and optionally ``split``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from liveqc.errors import RulePackError


class ComplaintCategory(StrEnum):
    """The contract's categories (docs/complaints.md)."""

    QUALITY_DEFECT = "quality_defect"
    SAFETY_INCIDENT = "safety_incident"
    FALSE_ADVERTISING = "false_advertising"
    PRICE_DISPUTE = "price_dispute"
    COUNTERFEIT = "counterfeit"
    DELIVERY = "delivery"
    AFTER_SALES_REFUSAL = "after_sales_refusal"
    OTHER = "other"


@dataclass(frozen=True)
class Classification:
    """The chosen category, whether it is urgent, and the cues that decided it."""

    category: ComplaintCategory
    urgent: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Cue:
    category: ComplaintCategory
    id: str
    weight: float
    groups: tuple[re.Pattern[str], ...]
    negatable: bool
    window: int | None
    exceptions: re.Pattern[str] | None
    per_hit_max: float | None
    ordered: bool


@dataclass(frozen=True)
class CueSet:
    """Cues, normalisation table and decision thresholds loaded from YAML."""

    cues: tuple[_Cue, ...]
    replacements: tuple[tuple[str, str], ...]
    negators: re.Pattern[str]
    negation_fillers: re.Pattern[str]
    negation_exceptions: tuple[str, ...]
    precedence: tuple[ComplaintCategory, ...]
    dominance: tuple[tuple[ComplaintCategory, frozenset[ComplaintCategory], float], ...]
    safety_min: float
    fallback: ComplaintCategory
    min_score: float


_CLAUSE_BREAK = re.compile(r"[，()\[\]「」“”\"'<>]")
# Links stop at the first non-ASCII character: Chinese text has no spaces to end them.
_NOISE = re.compile(
    r"(?:https?://|www\.)[\x21-\x7e]+|#[^#\s]{1,30}#|[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200B-\u200F]"
)
_WORDS = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+")
_MIN_SUBSTANCE = 6  # characters of words: shorter texts say too little to fall back on
_SPACES = re.compile(r"[ \t\u3000]+")
_PUNCT = re.compile(r"[,!?;:。…~、\n\r]+|(?<!\d)\.(?!\d)")


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def normalize(text: str, replacements: Iterable[tuple[str, str]] = ()) -> str:
    """NFKC, traditional to simplified, lower case, no links/#topics#/emoji/spaces, typos fixed."""
    text = unicodedata.normalize("NFKC", text)
    text = _t2s().convert(text)
    text = _NOISE.sub(" ", text.lower())
    text = _SPACES.sub("", text)
    text = _PUNCT.sub("，", text)
    for wrong, right in replacements:
        text = text.replace(wrong, right)
    return text


def _compile_group(items: Iterable[str], where: str = "cues") -> re.Pattern[str]:
    parts = []
    for item in items:
        item = str(item)
        if item.startswith("re:"):
            try:
                re.compile(item[3:])
            except re.error as exc:
                raise RulePackError(
                    f"complaint cues: {where}: bad pattern {item!r}: {exc}"
                ) from None
            parts.append(f"(?:{item[3:]})")
        else:
            parts.append(re.escape(normalize(item)))
    if not parts:
        raise RulePackError(f"complaint cues: {where}: empty phrase list")
    # Longest literal first so that the reported match is the most specific one.
    parts.sort(key=len, reverse=True)
    return re.compile("|".join(parts))


def _category(name: Any, where: str) -> ComplaintCategory:
    try:
        return ComplaintCategory(name)
    except ValueError:
        raise RulePackError(f"complaint cues: {where}: unknown category {name!r}") from None


def _load(data: Mapping[str, Any]) -> CueSet:
    """Build a CueSet from parsed YAML, validating it (RulePackError names cue and field)."""
    cues: list[_Cue] = []
    for name, spec in data["categories"].items():
        category = _category(name, "categories")
        for cue in spec.get("cues", []):
            where = f"{name}.{cue.get('id')}"
            if "any" in cue:
                groups = (_compile_group(cue["any"], f"{where}.any"),)
            elif "all" in cue:
                groups = tuple(_compile_group(g, f"{where}.all") for g in cue["all"])
            else:
                raise RulePackError(f"complaint cues: {where}: needs 'any' or 'all'")
            exceptions = cue.get("except")
            cues.append(
                _Cue(
                    category=category,
                    id=str(cue["id"]),
                    weight=float(cue["weight"]),
                    groups=groups,
                    negatable=bool(cue.get("negatable", False)),
                    window=cue.get("window"),
                    exceptions=_compile_group(exceptions, f"{where}.except")
                    if exceptions
                    else None,
                    per_hit_max=float(cue["per_hit_max"]) if "per_hit_max" in cue else None,
                    ordered=bool(cue.get("ordered", False)),
                )
            )
    negation = data["negation"]
    return CueSet(
        cues=tuple(cues),
        replacements=tuple((str(k), str(v)) for k, v in data.get("typos", {}).items()),
        negators=re.compile("(?:" + "|".join(map(re.escape, negation["negators"])) + ")$"),
        negation_fillers=re.compile("^(?:" + "|".join(negation["fillers"]) + ")*$"),
        negation_exceptions=tuple(negation.get("not_negation", [])),
        precedence=tuple(_category(c, "precedence") for c in data["precedence"]),
        dominance=tuple(
            (
                _category(d["winner"], "dominance"),
                frozenset(_category(c, "dominance") for c in d["over"]),
                float(d["min"]),
            )
            for d in data.get("dominance", [])
        ),
        safety_min=float(data["thresholds"]["safety_min"]),
        fallback=_category(data.get("fallback", "other"), "fallback"),
        min_score=float(data["thresholds"]["min_score"]),
    )


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (a second ``except:`` would silently win)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise RulePackError(
                    f"complaint cues: duplicate key {key!r} at {key_node.start_mark}"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


@lru_cache(maxsize=1)
def default_cues() -> CueSet:
    """The built-in cue set (``classify_cues.yaml`` next to this module)."""
    source = resources.files("liveqc.complaints").joinpath("classify_cues.yaml")
    return _load(yaml.load(source.read_text(encoding="utf-8"), Loader=_StrictLoader))


def _blank(text: str, phrases: Iterable[str]) -> str:
    """Replace phrases with spaces of the same length, keeping positions stable."""
    for phrase in phrases:
        text = text.replace(phrase, " " * len(phrase))
    return text


def _is_negated(text: str, start: int, cues: CueSet) -> bool:
    clause_start = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    before = text[max(clause_start, start - 8) : start]
    for cut in range(len(before)):
        head, filler = before[: len(before) - cut], before[len(before) - cut :]
        if cues.negators.search(head) and cues.negation_fillers.match(filler):
            return True
    return False


def _hits(pattern: re.Pattern[str], masked: str, cue: _Cue, cues: CueSet) -> list[re.Match[str]]:
    found = []
    for m in pattern.finditer(masked):
        if cue.negatable and _is_negated(masked, m.start(), cues):
            continue
        found.append(m)
    return found


def _match_cue(cue: _Cue, view: str, cues: CueSet) -> list[re.Match[str]]:
    """The hits that make a cue fire (all hits for one-group cues), or [] when it does not."""
    per_group = [_hits(group, view, cue, cues) for group in cue.groups]
    if not all(per_group):
        return []
    if len(per_group) == 1:
        return per_group[0]
    if cue.window is None:
        return [hits[0] for hits in per_group]
    for anchor in per_group[0]:
        chosen = [anchor]
        for hits in per_group[1:]:
            near = [
                h
                for h in hits
                if abs(h.start() - anchor.start()) <= cue.window
                and (not cue.ordered or h.start() >= anchor.end())
            ]
            if not near:
                break
            chosen.append(near[0])
        else:
            return chosen
    return []


def score(
    text: str, cues: CueSet | None = None
) -> tuple[dict[ComplaintCategory, float], list[str]]:
    """Per-category scores and the reasons (cues that fired) for one complaint."""
    cues = cues or default_cues()
    norm = normalize(text, cues.replacements)
    masked = _blank(norm, cues.negation_exceptions)
    scores = dict.fromkeys(ComplaintCategory, 0.0)
    reasons: list[str] = []
    for cue in cues.cues:
        view = masked
        if cue.exceptions is not None:
            view = cue.exceptions.sub(lambda m: " " * len(m.group()), masked)
        matched = _match_cue(cue, view, cues)
        if not matched:
            continue
        weight = cue.weight
        if cue.per_hit_max is not None:
            distinct = {norm[m.start() : m.end()] for m in matched}
            weight = min(cue.weight * len(distinct), cue.per_hit_max)
        scores[cue.category] += weight
        words = "+".join(dict.fromkeys(norm[m.start() : m.end()] for m in matched))
        reasons.append(f"{cue.category}:{cue.id}「{words}」{weight:+g}")
    return scores, reasons


def decide(
    scores: Mapping[ComplaintCategory, float],
    cues: CueSet | None = None,
    *,
    substantive: bool = True,
) -> ComplaintCategory:
    """Apply the contract's conventions to the scores.

    ``substantive`` is false for texts too short to be about anything (they become ``other``).
    """
    cues = cues or default_cues()
    if scores[ComplaintCategory.SAFETY_INCIDENT] >= cues.safety_min:
        return ComplaintCategory.SAFETY_INCIDENT
    rank = {c: i for i, c in enumerate(cues.precedence)}
    scores = dict(scores)
    for winner, losers, minimum in cues.dominance:
        if scores[winner] >= minimum:
            for loser in losers:
                scores[loser] = min(scores[loser], scores[winner] - 0.5)
    candidates = [
        c
        for c in cues.precedence
        if c not in (ComplaintCategory.SAFETY_INCIDENT, ComplaintCategory.OTHER)
    ]
    best = max(candidates, key=lambda c: (scores[c], -rank[c]))
    other = scores[ComplaintCategory.OTHER]
    if scores[best] < cues.min_score:
        # Weak signs of a product problem and no "other" matter (host conduct, privacy,
        # invoices ...): the complaint is most likely about the product itself.
        if other < cues.min_score and substantive and scores[cues.fallback] > 0:
            return cues.fallback
        return ComplaintCategory.OTHER
    if scores[best] <= other:
        return ComplaintCategory.OTHER
    return best


def classify(text: str, cues: CueSet | None = None) -> Classification:
    """Classify one complaint text into exactly one category."""
    scores, reasons = score(text, cues)
    words = _WORDS.findall(normalize(text))
    category = decide(scores, cues, substantive=len("".join(words)) >= _MIN_SUBSTANCE)
    return Classification(
        category=category,
        urgent=category is ComplaintCategory.SAFETY_INCIDENT,
        reasons=tuple(reasons),
    )


def evaluate(rows: Iterable[Mapping[str, Any]], cues: CueSet | None = None) -> dict[str, Any]:
    """Precision, recall and F1 per category, and accuracy, over labelled rows."""
    tp: dict[str, int] = dict.fromkeys(ComplaintCategory, 0)
    fp = dict(tp)
    fn = dict(tp)
    total = correct = 0
    errors: list[tuple[str, str, str]] = []
    for row in rows:
        want = ComplaintCategory(row["category"])
        got = classify(str(row["text"]), cues).category
        total += 1
        if got == want:
            correct += 1
            tp[want] += 1
        else:
            fp[got] += 1
            fn[want] += 1
            errors.append((str(row.get("id", total)), want.value, got.value))
    per: dict[str, dict[str, float]] = {}
    for c in ComplaintCategory:
        p = tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else 0.0
        r = tp[c] / (tp[c] + fn[c]) if tp[c] + fn[c] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        per[c.value] = {"precision": p, "recall": r, "f1": f1, "support": tp[c] + fn[c]}
    return {
        "n": total,
        "accuracy": correct / total if total else 0.0,
        "per_category": per,
        "errors": errors,
    }


def format_report(name: str, result: Mapping[str, Any]) -> str:
    """A plain-text table of an ``evaluate`` result."""
    lines = [f"{name}: n={result['n']} accuracy={result['accuracy']:.3f}"]
    lines.append(f"  {'category':<20} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>4}")
    for cat, m in result["per_category"].items():
        lines.append(
            f"  {cat:<20} {m['precision']:>6.2f} {m['recall']:>6.2f} {m['f1']:>6.2f} "
            f"{int(m['support']):>4}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m liveqc.complaints.classify --eval FILE.jsonl [--errors]``."""
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m liveqc.complaints.classify")
    parser.add_argument("--eval", required=True, metavar="FILE", help="labelled JSON Lines")
    parser.add_argument("--errors", action="store_true", help="also list misclassified ids")
    args = parser.parse_args(argv)
    with open(args.eval, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    splits = sorted({str(r.get("split", "all")) for r in rows})
    for split in [*splits, "all"] if len(splits) > 1 else splits:
        chosen = [r for r in rows if split == "all" or str(r.get("split", "all")) == split]
        result = evaluate(chosen)
        print(format_report(split, result))
        if args.errors:
            for rid, want, got in result["errors"]:
                print(f"    {rid}: want {want}, got {got}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
