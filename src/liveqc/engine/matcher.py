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
from collections.abc import Set as AbstractSet
from functools import partial
from typing import Any, NamedTuple

import ahocorasick

from liveqc.engine.packs import Rule
from liveqc.engine.variants import VariantExpander

#: What a literal stands for. EXEMPT, ALLOW and SENSE must stay 1-3: the matcher tells these
#: span kinds apart from the others with one comparison (``kind <= SENSE``).
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


#: The most frequent characters of Mandarin text: a factor made of them alone says little about
#: whether a pattern can match (我 occurs in every other utterance, 岁 rarely).
_COMMON = frozenset(
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自"
)


def _selectivity(run: set[str]) -> tuple[int, int, int]:
    """Ordering key of a factor run, larger is more selective: longest shortest string, fewest
    strings, then not made of common characters alone."""
    return (min(map(len, run)), -len(run), -sum(set(s) <= _COMMON for s in run))


def literal_runs(pattern: str) -> list[frozenset[str]]:
    """Every run of consecutive literal elements of the top-level sequence, each a set of
    strings one of which occurs in every match: ``(全网|全国)最[^，]{0,6}第一`` gives
    {全网最, 全国最} and {第一}."""
    try:
        items = list(_p.parse(pattern).data)
    except re.error:
        return []
    if len(items) == 1 and items[0][0] is _p.SUBPATTERN:
        items = list(items[0][1][-1])
    runs: list[frozenset[str]] = []
    run: set[str] = {""}
    for node in [*items, (None, None)]:
        alts = _complete(node) if node[0] is not None else None
        if alts is not None:
            joined = {r + a for r in run for a in alts}
            if len(joined) <= _MAX_PREFIXES:
                run = joined
                continue
        if run and "" not in run:
            runs.append(frozenset(run))
        run = set(alts) if alts is not None else {""}
    return runs


def literal_factors(pattern: str) -> frozenset[str]:
    """The most selective set of literals one of which occurs in every match (empty: none).

    Consecutive literal elements of the top-level sequence are joined (全网, (全网|全国)最 ...);
    the run whose shortest string is longest wins, so ``([0-9]+|[一二]+)(个)?小时`` is found
    through ``小时`` rather than through every digit; on a tie, the run with fewer strings, then
    the one not made of common characters (``我...岁`` is found through ``岁``).
    """
    best: frozenset[str] = frozenset()
    for run in literal_runs(pattern):
        if not best or _selectivity(run) > _selectivity(best):
            best = run
    return best


def literal_prefixes(pattern: str) -> frozenset[str]:
    """Literal strings one of which starts every match of ``pattern`` (empty: no such set)."""
    try:
        parsed = _p.parse(pattern)
    except re.error:
        return frozenset()
    found, _ = _prefixes(parsed.data)
    return frozenset() if "" in found else frozenset(found)


class Hits(NamedTuple):
    """What one pass found: rule candidates plus the spans and terms the later stages need
    (a named tuple: built for every utterance with a candidate)."""

    candidates: list[tuple[int, int, int, str]]
    spans: Sequence[tuple[int, int, int, int]] = ()
    terms: AbstractSet[int] = frozenset()


Finder = Callable[[str], Iterable[tuple[int, int, int]]]
_hits = tuple.__new__
_NO_TERMS: frozenset[int] = frozenset()

#: Most strings in a run checked with ``in`` before a factor-searched regex runs.
_MAX_NEED = 8
_LOCAL_IGNORECASE = re.compile(r"\(\?[aiLmsux-]*i")


def _other_runs(
    pattern: str, rx: re.Pattern[str], best: frozenset[str]
) -> tuple[tuple[str, ...], ...]:
    """The literal runs other than ``best`` that every match of ``rx`` contains verbatim (none
    when the pattern ignores case: then a literal need not occur as written)."""
    if rx.flags & re.IGNORECASE or _LOCAL_IGNORECASE.search(pattern):
        return ()
    runs = [r for r in literal_runs(pattern) if r != best and len(r) <= _MAX_NEED]
    return tuple(tuple(sorted(r)) for r in runs)


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
    return partial(ac.find_matches_as_indexes, overlapping=True)  # no Python frame per call


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
        #: per regex: the literal runs besides its best factor that every match contains; when
        #: the regex is searched through that factor, one string of each must be in the text
        self._needs: list[tuple[tuple[str, ...], ...]] = []
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
                rx = re.compile(pattern)
                self.regexes.append((i, rx, pattern))
                prefixes = {phrase(p) for p in literal_prefixes(pattern)} - {""}
                best = literal_factors(pattern)
                factors = {phrase(f) for f in best} - {""}
                self._needs.append(_other_runs(pattern, rx, best))
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
        found = self._find(norm) if self._find is not None else ()
        if not found and not self.free_regexes:  # a third of all utterances: nothing at all
            return None
        cands: list[tuple[int, int, int, str]] = []
        spans: list[tuple[int, int, int, int]] | None = None
        terms: set[int] | None = None
        searched: set[int] | None = None
        regexes = self.regexes
        entries = self._entries
        for lit_idx, start, end in found:
            for kind, ref, label in entries[lit_idx]:
                if kind == KW:
                    cands.append((ref, start, end, label))
                elif kind <= SENSE:  # EXEMPT, ALLOW, SENSE: spans the context stage reads
                    if spans is None:
                        spans = []
                    spans.append((kind, ref, start, end))
                elif kind == TERM:
                    if terms is None:
                        terms = set()
                    terms.add(ref)
                elif kind == RX:
                    rule_idx, rx, pattern = regexes[ref]
                    m = rx.match(norm, start)
                    if m and m.end() > start:
                        cands.append((rule_idx, start, m.end(), pattern))
                else:  # RXF
                    if searched is None:
                        searched = set()
                    if ref not in searched:
                        searched.add(ref)
                        needs = self._needs[ref]
                        if needs and not all(any(w in norm for w in r) for r in needs):
                            continue  # another literal every match needs is absent
                        rule_idx, rx, pattern = regexes[ref]
                        for m in rx.finditer(norm):
                            if m.end() > m.start():
                                cands.append((rule_idx, m.start(), m.end(), pattern))
        for idx in self.free_regexes:
            rule_idx, rx, pattern = regexes[idx]
            for m in rx.finditer(norm):
                if m.end() > m.start():
                    cands.append((rule_idx, m.start(), m.end(), pattern))
        if not cands:
            return None
        return _hits(Hits, (cands, spans or (), terms or _NO_TERMS))
