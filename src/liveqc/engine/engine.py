"""The compliance engine: normalise → match → validate → context → merge, built once, reused."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from liveqc.engine.context import ContextAdjuster
from liveqc.engine.facts import Facts, InvalidFacts
from liveqc.engine.findings import Explanation, Finding, ScanResult, finding_of
from liveqc.engine.matcher import Hits, Matcher
from liveqc.engine.merge import Merger
from liveqc.engine.normalize import NormalizedText, Normalizer
from liveqc.engine.packs import Rule, RulePack, load_packs
from liveqc.engine.taxonomy import CATEGORIES, CODES, DEFAULT_BASIS, SCENES
from liveqc.engine.validate import Trace, Validator
from liveqc.engine.variants import DATA_FILE, VariantExpander, load_variant_data
from liveqc.errors import RulePackError

ORG_PACK = "org"
_NO_FACTS = Facts()
#: ``tuple.__new__(ScanResult, fields)``: builds a result without the named tuple's Python-level
#: ``__new__`` (it runs once per utterance)
_result = tuple.__new__


def _org_rules(extra_keywords: Mapping[str, Iterable[str]]) -> list[Rule]:
    rules = []
    for code, words in sorted(extra_keywords.items()):
        if code not in CODES:
            raise RulePackError(f"extra_keywords: field code: unknown code {code!r}")
        keywords = tuple(sorted({w.strip() for w in words if w and w.strip()}))
        if keywords:
            rules.append(
                Rule(
                    pack=ORG_PACK,
                    id=f"{code}.org_dictionary",
                    code=code,
                    severity="medium",
                    basis=DEFAULT_BASIS[code],
                    message="使用了本组织词库中的禁用词",
                    suggestion="删除或改写该用语",
                    keywords=keywords,
                    senses=code == "absolute_term",
                )
            )
    return rules


def _fingerprint(rule: Rule) -> dict[str, Any]:
    def norm(v: Any) -> Any:
        if isinstance(v, frozenset | set):
            return sorted(v)
        if isinstance(v, tuple):
            return [norm(x) for x in v]
        return v

    data = {f.name: norm(getattr(rule, f.name)) for f in fields(rule)}
    lifted = rule.lifted_by
    data["lifted_by"] = [
        sorted(lifted.registrations),
        sorted(lifted.efficacy_evidence),
        None if lifted.categories is None else sorted(lifted.categories),
    ]
    return data


class ComplianceEngine:
    """Scan utterances against a rule catalogue. Immutable after construction; thread-safe reads.

    Args:
        packs: packs to use; ``None`` loads the built-in packs (entry points).
        extra_rule_dirs: more pack folders (a pack folder or a directory of pack folders).
        disabled_rules: rule ids (``id`` or ``pack/id``) to leave out.
        extra_keywords: organisation dictionary, violation code → banned phrases.
        extra_allowlist: organisation allowlist, legitimate phrases that win over any rule.

    Raises:
        RulePackError: a pack is invalid, or a disabled rule or an extra keyword code is unknown.
    """

    def __init__(
        self,
        packs: Sequence[RulePack] | None = None,
        extra_rule_dirs: Iterable[Path | str] = (),
        disabled_rules: Iterable[str] = (),
        extra_keywords: Mapping[str, Iterable[str]] | None = None,
        extra_allowlist: Iterable[str] = (),
    ) -> None:
        extra_dirs = list(extra_rule_dirs)
        if packs is None:
            loaded = load_packs(extra_dirs)
        else:
            loaded = [*packs, *load_packs(extra_dirs, include_builtin=False)]
        self.packs: tuple[RulePack, ...] = tuple(loaded)
        disabled = set(disabled_rules)
        known = {r.id for p in loaded for r in p.rules} | {r.key for p in loaded for r in p.rules}
        unknown = sorted(disabled - known)
        if unknown:
            raise RulePackError(f"disabled rules: unknown rule id {unknown[0]!r}")
        rules: list[Rule] = []
        rule_allow: list[int] = []
        for pack_idx, pack in enumerate(loaded):
            for rule in pack.rules:
                if rule.id not in disabled and rule.key not in disabled:
                    rules.append(rule)
                    rule_allow.append(pack_idx)
        org = _org_rules(extra_keywords or {})
        rules.extend(org)
        global_allow = len(loaded)
        rule_allow.extend([global_allow] * len(org))
        allowlists = [list(p.allowlist) for p in loaded]
        allowlists.append(sorted({a.strip() for a in extra_allowlist if a and a.strip()}))
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.version = self._version(rules, allowlists)

        self._normalize = Normalizer()
        self._split = self._normalize.split
        expander = VariantExpander(self._normalize)
        senses = [str(s) for s in load_variant_data()["senses"]]
        self._match = Matcher(
            rules,
            allowlists=allowlists,
            rule_allow=rule_allow,
            senses=senses,
            expander=expander,
        )
        self._validate = Validator(
            rules,
            [tuple(self._match.term_set(g) for g in r.all_of) for r in rules],
            [self._match.term_set(r.none_of) for r in rules],
        )
        self._context = ContextAdjuster(rules, rule_allow, global_allow, self._normalize)
        self._merge = Merger(rules, self.version)

    @staticmethod
    def _version(rules: list[Rule], allowlists: list[list[str]]) -> str:
        payload = json.dumps(
            {
                "rules": [_fingerprint(r) for r in rules],
                "allow": allowlists,
                "variants": DATA_FILE.read_text(encoding="utf-8"),
                "schema": 1,
            },
            ensure_ascii=False,
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]

    @property
    def literals(self) -> tuple[str, ...]:
        """Every literal spelling in the automaton (for benchmarks and diagnostics)."""
        return self._match.literals

    def rule(self, rule_id: str) -> Rule:
        """The rule with this ``id`` or ``pack/id``.

        Raises:
            KeyError: no such rule.
        """
        for rule in self.rules:
            if rule_id in (rule.id, rule.key):
                return rule
        raise KeyError(rule_id)

    def check(
        self,
        text: str,
        *,
        category: str | None = None,
        facts: Facts | Mapping[str, Any] | None = None,
        scene: str = "transcript",
        explain: bool = False,
    ) -> ScanResult:
        """Scan one utterance.

        Raises:
            InvalidFacts: unknown category, scene or facts field.
        """
        if facts is None:
            facts = _NO_FACTS
        elif not isinstance(facts, Facts):
            facts = Facts.from_dict(facts)
        if category is None:
            category = facts.category
        elif category not in CATEGORIES:
            raise InvalidFacts(f"unknown category {category!r}")
        if scene not in SCENES:
            raise InvalidFacts(f"unknown scene {scene!r}")
        norm, folded = self._split(text)
        hits = self._match(norm)
        if hits is None:  # most utterances: no offset map, no further stage
            return _result(ScanResult, (text, (), self.version, norm if explain else None, ()))
        nt = NormalizedText(text, norm, folded)
        return self._finish(nt, hits, category, scene, facts, explain)

    def _finish(
        self,
        nt: NormalizedText,
        hits: Hits,
        category: str | None,
        scene: str,
        facts: Facts,
        explain: bool,
    ) -> ScanResult:
        """Validate, apply context and merge the candidates of one utterance."""
        text = nt.original
        if not explain:  # the hot path: positional calls, no trace
            cands = self._validate(hits, nt, category, scene, facts)
            if cands:
                cands = self._context(cands, hits, nt, facts, category)
            findings = self._merge(cands, nt) if cands else ()
            return _result(ScanResult, (text, findings, self.version, None, ()))
        trace: Trace = {}
        cands = self._validate(hits, nt, category, scene, facts, trace)
        if cands:
            cands = self._context(cands, hits, nt, facts, category, trace)
        findings = self._merge(cands, nt, trace) if cands else ()
        return ScanResult(text, findings, self.version, nt.norm, self._suppressed(trace, hits, nt))

    def _suppressed(self, trace: Trace, hits: Any, nt: Any) -> tuple[Finding, ...]:
        out = []
        labels = {c[:3]: c[3] for c in hits.candidates}
        for (idx, s, e), notes in sorted(trace.items()):
            rule = self.rules[idx]
            start, end = nt.to_original(s, e)
            explanation = Explanation(labels.get((idx, s, e), ""), nt.norm[s:e], tuple(notes))
            out.append(finding_of(rule, start, end, nt.original, self.version, explanation))
        return tuple(out)

    def check_many(
        self,
        texts: Iterable[str],
        *,
        category: str | None = None,
        facts: Facts | Mapping[str, Any] | None = None,
        scene: str = "transcript",
        explain: bool = False,
    ) -> list[ScanResult]:
        """Scan many utterances that share category, facts and scene (facts parsed once)."""
        if not isinstance(facts, Facts):
            facts = _NO_FACTS if facts is None else Facts.from_dict(facts)
        check = self.check
        return [
            check(t, category=category, facts=facts, scene=scene, explain=explain) for t in texts
        ]
