"""Context: drop matches that are not claims in this utterance.

Exemptions and allowlist entries (a longer legitimate phrase wins over the banned one inside it),
ordinal/time senses (最近, 第一次), the product's own brand, quotation or mention (“最好”这个词),
negation (我们不说最好, 不能说第一), and product facts that lift the rule (``lifted_by``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from liveqc.engine.facts import Facts
from liveqc.engine.matcher import ALLOW, EXEMPT, SENSE, Hits
from liveqc.engine.normalize import NormalizedText, Normalizer
from liveqc.engine.packs import Rule
from liveqc.engine.validate import Candidate, Trace

_NEGATION = re.compile(
    r"(?:不|没|别|禁止|不能|不得|不准|不许|不让|不要|不可以|不敢|从不|从来不|并不|绝不|决不|千万别|"
    r"严禁|不可)(?:再|能|会|敢|乱)?(?:说|讲|提|写|叫|用|喊|宣传|承诺|保证|标|称|自称|吹|打)?"
    r"(?:是|成|什么|自己)?$"
)
_CLAUSE_BREAK = re.compile(r"[，。！？；,!?;\n]|\.(?!\d)")
_OPEN_QUOTES = "“‘「『\"'《〈【"
_CLOSE_QUOTES = "”’」』\"'》〉】"
_MENTION_AFTER = re.compile(
    r"(?:这|那)?(?:[一二两三四五六几]个)?(?:字眼|字|词语|词儿|词|说法|用语|之类的词|这类词|类的词)"
)
_NEG_WINDOW = 9
_NEG_CHARS = re.compile("[不没别禁严]")
_ANY_QUOTE = re.compile("[" + re.escape(_OPEN_QUOTES) + "]")


def _covers(span_start: int, span_end: int, start: int, end: int) -> bool:
    """A legitimate phrase wins when it contains the match, or overlaps it and is longer."""
    if span_start <= start and end <= span_end:
        return True
    overlaps = span_start < end and start < span_end
    return overlaps and (span_end - span_start) > (end - start)


class ContextAdjuster:
    """Drop candidates that context shows are not claims (one method)."""

    def __init__(
        self,
        rules: Sequence[Rule],
        rule_allow: Sequence[int],
        global_allow: int,
        normalizer: Normalizer,
    ) -> None:
        self.rules = rules
        self.rule_allow = rule_allow
        self.global_allow = global_allow
        self.phrase = normalizer.phrase
        # per rule: (lifted_by or None, quotation, negation, senses), looked up once per match
        self._flags = [
            (r.lifted_by if r.lifted_by else None, r.quotation, r.negation, r.senses) for r in rules
        ]

    def __call__(
        self,
        cands: list[Candidate],
        hits: Hits,
        nt: NormalizedText,
        facts: Facts,
        category: str | None,
        trace: Trace | None = None,
    ) -> list[Candidate]:
        brand_spans: list[tuple[int, int]] = []
        if facts.brand is not None:
            brand = self.phrase(facts.brand)
            pos = nt.norm.find(brand) if brand else -1
            while pos >= 0:
                brand_spans.append((pos, pos + len(brand)))
                pos = nt.norm.find(brand, pos + 1)
        kept: list[Candidate] = []
        for cand in cands:
            reason = self._reason(cand, hits, nt, facts, category, brand_spans)
            if reason is None:
                kept.append(cand)
            elif trace is not None:
                trace.setdefault(cand[:3], []).append(reason)
        return kept

    def _reason(
        self,
        cand: Candidate,
        hits: Hits,
        nt: NormalizedText,
        facts: Facts,
        category: str | None,
        brand_spans: list[tuple[int, int]],
    ) -> str | None:
        idx, start, end, _label = cand
        lifted, quotation, negation, senses = self._flags[idx]
        allow = self.rule_allow[idx]
        for kind, ref, s, e in hits.spans:
            # _covers, inlined: this loop runs for every candidate
            if not ((s <= start and end <= e) or (s < end and start < e and e - s > end - start)):
                continue
            if kind == EXEMPT and ref == idx:
                return f"exemption {nt.norm[s:e]!r}"
            if kind == ALLOW and (ref == allow or ref == self.global_allow):
                return f"allowlist {nt.norm[s:e]!r}"
            if kind == SENSE and senses:
                return f"ordinal or time sense {nt.norm[s:e]!r}"
        for s, e in brand_spans:
            if _covers(s, e, start, end):
                return "the product's brand name"
        if lifted is not None and lifted.holds(facts, category):
            return "lifted by the product facts"
        if quotation and self._quoted(nt, start, end):
            return "quoted or mentioned, not claimed"
        if negation and self._negated(nt, start):
            return "negated"
        return None

    @staticmethod
    def _quoted(nt: NormalizedText, start: int, end: int) -> bool:
        if _MENTION_AFTER.match(nt.norm, end) is not None:
            return True
        if _ANY_QUOTE.search(nt.original) is None:
            return False
        ostart, oend = nt.to_original(start, end)
        text = nt.original
        i = ostart - 1
        while i >= 0 and text[i].isspace():
            i -= 1
        if i < 0 or text[i] not in _OPEN_QUOTES:
            return False
        j = oend
        while j < len(text) and text[j].isspace():
            j += 1
        return j < len(text) and text[j] in _CLOSE_QUOTES

    @staticmethod
    def _negated(nt: NormalizedText, start: int) -> bool:
        lo = max(0, start - _NEG_WINDOW)
        if _NEG_CHARS.search(nt.norm, lo, start) is None:  # cheap test before the full pattern
            return False
        m = _NEGATION.search(nt.norm, lo, start)
        if m is None:
            return False
        ostart, _ = nt.to_original(m.start(), m.start() + 1)
        omatch, _ = nt.to_original(start, start + 1)
        return _CLAUSE_BREAK.search(nt.original, ostart, omatch) is None
