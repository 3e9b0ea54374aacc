"""Matching: one Aho-Corasick automaton per catalogue, built once, one pass per utterance.

Every phrase the engine cares about goes into the same automaton, each spelling (see
``variants.py``) pointing back to what it stands for: rule keywords, rule exemptions, pack and
organisation allowlists, ordinal/time senses, ``all_of``/``none_of`` terms and the literal prefixes
of regex ``patterns``. A regex runs only where its literal prefix was found (anchored there); a
pattern without a literal prefix runs once over the normalised text.
"""

from __future__ import annotations

import re
import re._parser as _p  # the stdlib's own regex parser, to find literal prefixes
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import ahocorasick

from liveqc.engine.packs import Rule
from liveqc.engine.variants import VariantExpander

KW, EXEMPT, ALLOW, SENSE, TERM, RX, RXF = range(7)
_MAX_PREFIXES = 512
_MAX_CLASS = 24
_DIGITS = frozenset("0123456789")


def _class_chars(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """The characters of a small character class, or None (negated, large or opaque)."""
    chars: set[str] = set()
    for op, av in items:
        if op is _p.LITERAL:
            chars.add(chr(av))
        elif op is _p.RANGE and av[1] - av[0] < _MAX_CLASS:
            chars.update(map(chr, range(av[0], av[1] + 1)))
        elif op is _p.CATEGORY and av is _p.CATEGORY_DIGIT:
            chars |= _DIGITS
        else:
            return None
    return frozenset(chars) if len(chars) <= _MAX_CLASS else None


def _prefixes(items: Any) -> tuple[set[str], bool]:
    """Literal prefixes of a parsed sequence, and whether they spell the whole sequence."""
    result = {""}
    for op, av in items:
        alts: set[str] | None
        complete = True
        if op is _p.LITERAL:
            alts = {chr(av)}
        elif op is _p.IN:
            chars = _class_chars(av)
            alts = set(chars) if chars is not None else None
        elif op is _p.SUBPATTERN:
            alts, complete = _prefixes(av[-1])
        elif op is _p.BRANCH:
            alts, complete = set(), True
            for branch in av[1]:
                sub, sub_complete = _prefixes(branch)
                alts |= sub
                complete = complete and sub_complete
        elif op in (_p.MAX_REPEAT, _p.MIN_REPEAT) and av[0] >= 1:
            alts, _ = _prefixes(av[2])
            complete = False
        elif op in (_p.MAX_REPEAT, _p.MIN_REPEAT) and av[0] == 0 and av[1] == 1:
            sub, sub_complete = _prefixes(av[2])  # x? : with or without x
            if not sub_complete or "" in sub:
                return result, False
            result = result | {r + a for r in result for a in sub}
            if len(result) > _MAX_PREFIXES:
                return {""}, False
            continue
        else:
            return result, False
        if alts is None or "" in alts:
            return result, False
        result = {r + a for r in result for a in alts}
        if len(result) > _MAX_PREFIXES:
            return {""}, False
        if not complete:
            return result, False
    return result, True


def _complete(node: tuple[Any, Any]) -> set[str] | None:
    """All strings a node can match when it is a small set of literals, else None."""
    found, complete = _prefixes([node])
    return found if complete and "" not in found else None


def literal_factors(pattern: str) -> frozenset[str]:
    """The most selective set of literals one of which occurs in every match (empty: none).

    Consecutive literal elements of the top-level sequence are joined (全网, (全网|全国)最 ...);
    the run whose shortest string is longest wins, so ``([0-9]+|[一二]+)(个)?小时`` is found
    through ``小时`` rather than through every digit.
    """
    try:
        items = list(_p.parse(pattern).data)
    except re.error:
        return frozenset()
    if len(items) == 1 and items[0][0] is _p.SUBPATTERN:
        items = list(items[0][1][-1])
    best: set[str] = set()
    run: set[str] = {""}

    def better(a: set[str], b: set[str]) -> bool:
        if not b or "" in b:
            return False
        if not a:
            return True
        return (min(map(len, b)), -len(b)) > (min(map(len, a)), -len(a))

    for node in [*items, (None, None)]:
        alts = _complete(node) if node[0] is not None else None
        if alts is not None:
            joined = {r + a for r in run for a in alts}
            if len(joined) <= _MAX_PREFIXES:
                run = joined
                continue
        if better(best, run):
            best = run
        run = set(alts) if alts is not None else {""}
    return frozenset(best)


def literal_prefixes(pattern: str) -> frozenset[str]:
    """Literal strings one of which starts every match of ``pattern`` (empty: no such set)."""
    try:
        parsed = _p.parse(pattern)
    except re.error:
        return frozenset()
    found, _ = _prefixes(parsed.data)
    return frozenset() if "" in found else frozenset(found)


@dataclass(slots=True)
class Hits:
    """What one pass found: rule candidates plus the spans and terms the later stages need."""

    candidates: list[tuple[int, int, int, str]]
    spans: list[tuple[int, int, int, int]] = field(default_factory=list)
    terms: set[int] = field(default_factory=set)


Finder = Callable[[str], Iterable[tuple[int, int, int]]]


def _build_finder(literals: Sequence[str]) -> Finder | None:
    """All overlapping occurrences as (literal index, start, end) character offsets.

    ahocorasick-rs (Rust, contiguous NFA: a DFA is barely faster and takes ~70 MB more) when
    installed: about eight times faster per short utterance than
    pyahocorasick's iterator (see benchmarks/engine_throughput.py); pyahocorasick otherwise.
    """
    if not literals:
        return None
    try:
        import ahocorasick_rs
    except ImportError:  # pragma: no cover - ahocorasick-rs is a declared dependency
        return _pyahocorasick_finder(literals)
    ac = ahocorasick_rs.AhoCorasick(
        list(literals), implementation=ahocorasick_rs.Implementation.ContiguousNFA
    )
    find = ac.find_matches_as_indexes
    return lambda text: find(text, overlapping=True)


def _pyahocorasick_finder(literals: Sequence[str]) -> Finder:
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS, ahocorasick.KEY_STRING)
    for i, lit in enumerate(literals):
        automaton.add_word(lit, i)
    automaton.make_automaton()
    lengths = [len(lit) for lit in literals]

    def find(text: str) -> Iterable[tuple[int, int, int]]:
        return [(i, end + 1 - lengths[i], end + 1) for end, i in automaton.iter(text)]

    return find


class Matcher:
    """Build the automaton for a set of rules, then find :class:`Hits` in normalised text."""

    def __init__(
        self,
        rules: Sequence[Rule],
        *,
        allowlists: Sequence[Iterable[str]],
        rule_allow: Sequence[int],
        senses: Iterable[str],
        expander: VariantExpander | None = None,
    ) -> None:
        self.expander = expander or VariantExpander()
        phrase = self.expander.normalizer.phrase
        table: dict[str, list[tuple[int, int, str]]] = {}
        self.term_ids: dict[str, int] = {}
        self.regexes: list[tuple[int, re.Pattern[str], str]] = []
        self.free_regexes: list[int] = []
        self.keyword_count = 0

        def add(text: str, kind: int, ref: int, *, pinyin: bool, label: str) -> None:
            norm = phrase(text)
            for spelling in self.expander.expand(norm, pinyin=pinyin):
                table.setdefault(spelling, []).append((kind, ref, label))

        for i, rule in enumerate(rules):
            for kw in rule.keywords:
                self.keyword_count += 1
                add(kw, KW, i, pinyin=True, label=kw)
            for ex in rule.exemptions:
                add(ex, EXEMPT, i, pinyin=False, label=ex)
            for group in rule.all_of:
                for term in group:
                    add(term, TERM, self._term(phrase(term)), pinyin=False, label=term)
            for term in rule.none_of:
                add(term, TERM, self._term(phrase(term)), pinyin=False, label=term)
            for pattern in rule.patterns:
                idx = len(self.regexes)
                self.regexes.append((i, re.compile(pattern), pattern))
                prefixes = {phrase(p) for p in literal_prefixes(pattern)} - {""}
                factors = {phrase(f) for f in literal_factors(pattern)} - {""}
                if factors and (not prefixes or min(map(len, factors)) > min(map(len, prefixes))):
                    # a later literal is more selective: search the text when it occurs
                    for factor in factors:
                        table.setdefault(factor, []).append((RXF, idx, pattern))
                elif prefixes:
                    for prefix in prefixes:
                        table.setdefault(prefix, []).append((RX, idx, pattern))
                else:
                    self.free_regexes.append(idx)
        for pack_idx, allowed in enumerate(allowlists):
            for entry in allowed:
                add(entry, ALLOW, pack_idx, pinyin=False, label=entry)
        for sense in senses:
            add(sense, SENSE, 0, pinyin=False, label=sense)
        self.rule_allow = tuple(rule_allow)
        self.literals: tuple[str, ...] = tuple(table)
        self._entries = [tuple(dict.fromkeys(table[lit])) for lit in self.literals]
        self._find = _build_finder(self.literals)

    def _term(self, norm: str) -> int:
        return self.term_ids.setdefault(norm, len(self.term_ids))

    def term_set(self, terms: Iterable[str]) -> frozenset[int]:
        """Ids of already-registered terms (used by the validator)."""
        phrase = self.expander.normalizer.phrase
        return frozenset(self.term_ids[phrase(t)] for t in terms)

    def __call__(self, norm: str) -> Hits | None:
        """Find candidates in ``norm``; ``None`` when no rule can fire (the fast path)."""
        cands: list[tuple[int, int, int, str]] = []
        spans: list[tuple[int, int, int, int]] | None = None
        terms: set[int] | None = None
        searched: set[int] | None = None
        if self._find is not None:
            regexes = self.regexes
            entries = self._entries
            for lit_idx, start, end in self._find(norm):
                for kind, ref, label in entries[lit_idx]:
                    if kind == KW:
                        cands.append((ref, start, end, label))
                    elif kind == RX:
                        rule_idx, rx, pattern = regexes[ref]
                        m = rx.match(norm, start)
                        if m and m.end() > m.start():
                            cands.append((rule_idx, m.start(), m.end(), pattern))
                    elif kind == RXF:
                        if searched is None:
                            searched = set()
                        if ref not in searched:
                            searched.add(ref)
                            rule_idx, rx, pattern = regexes[ref]
                            for m in rx.finditer(norm):
                                if m.end() > m.start():
                                    cands.append((rule_idx, m.start(), m.end(), pattern))
                    elif kind == TERM:
                        if terms is None:
                            terms = set()
                        terms.add(ref)
                    else:
                        if spans is None:
                            spans = []
                        spans.append((kind, ref, start, end))
        for idx in self.free_regexes:
            rule_idx, rx, pattern = self.regexes[idx]
            for m in rx.finditer(norm):
                if m.end() > m.start():
                    cands.append((rule_idx, m.start(), m.end(), pattern))
        if not cands:
            return None
        return Hits(cands, spans or [], terms or set())
