"""Validation: keep the candidates whose rule applies to this utterance (scene, category,
``all_of``/``none_of`` combinations, Python checks)."""

from __future__ import annotations

from collections.abc import Sequence

from liveqc.engine.checks import CHECKS, CheckInput
from liveqc.engine.facts import Facts
from liveqc.engine.matcher import Hits
from liveqc.engine.normalize import NormalizedText
from liveqc.engine.packs import Rule

#: A candidate: rule index, normalised start, normalised end (exclusive), the pattern that matched.
Candidate = tuple[int, int, int, str]
Trace = dict[tuple[int, int, int], list[str]]


class Validator:
    """Drop candidates whose rule does not apply; one method, tables prepared at build time."""

    def __init__(
        self,
        rules: Sequence[Rule],
        all_of: Sequence[tuple[frozenset[int], ...]],
        none_of: Sequence[frozenset[int]],
    ) -> None:
        self.rules = rules
        self.all_of = all_of
        self.none_of = none_of
        # rules with nothing to validate skip the per-candidate checks
        self._simple = [
            r.scenes is None
            and r.categories is None
            and not r.not_categories
            and not all_of[i]
            and not none_of[i]
            and r.check is None
            for i, r in enumerate(rules)
        ]

    def __call__(
        self,
        hits: Hits,
        nt: NormalizedText,
        category: str | None,
        scene: str,
        facts: Facts,
        trace: Trace | None = None,
    ) -> list[Candidate]:
        simple = self._simple
        if len(hits.candidates) == 1 and trace is None:
            cand = hits.candidates[0]
            if simple[cand[0]]:
                return hits.candidates
            reason = self._reason(*cand[:3], hits, nt, category, scene, facts)
            return hits.candidates if reason is None else []
        kept: list[Candidate] = []
        seen: set[tuple[int, int, int]] = set()
        for cand in hits.candidates:
            idx, start, end, _label = cand
            key = (idx, start, end)
            if key in seen:
                continue
            seen.add(key)
            if simple[idx]:
                kept.append(cand)
                continue
            reason = self._reason(idx, start, end, hits, nt, category, scene, facts)
            if reason is None:
                kept.append(cand)
            elif trace is not None:
                trace.setdefault(key, []).append(reason)
        return kept

    def _reason(
        self,
        idx: int,
        start: int,
        end: int,
        hits: Hits,
        nt: NormalizedText,
        category: str | None,
        scene: str,
        facts: Facts,
    ) -> str | None:
        """Why the rule does not apply, or None when it does."""
        rule = self.rules[idx]
        if rule.scenes is not None and scene not in rule.scenes:
            return f"scene {scene} is outside the rule's scenes"
        if category is not None:
            if rule.categories is not None and category not in rule.categories:
                return f"category {category} is outside the rule's categories"
            if category in rule.not_categories:
                return f"category {category} is excluded by the rule"
        for group in self.all_of[idx]:
            if not group & hits.terms:
                return "all_of: a required term is missing"
        if self.none_of[idx] & hits.terms:
            return "none_of: a cancelling term is present"
        if rule.check is not None:
            check = CHECKS[rule.check]
            if not check(CheckInput(nt, start, end, facts, category)):
                return f"check {rule.check}: the facts support the statement"
        return None
