"""Python checks: logic a phrase list cannot express, registered by name for packs (``check:``).

A check runs after its rule's trigger matched and returns True when the violation stands. Checks
read numbers from the original text (prices, SPF, counts) and compare them with the product facts;
a claim that needs a fact that is not on file stands.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from liveqc.engine.facts import Facts
from liveqc.engine.normalize import NormalizedText


class CheckInput(NamedTuple):
    """What a check sees: the utterance, the trigger's normalised span, the facts (a named
    tuple: one is built for every candidate of a rule with a check)."""

    text: NormalizedText
    start: int
    end: int
    facts: Facts
    category: str | None

    @property
    def window(self) -> str:
        """The normalised text from the trigger to the end of the utterance (next 16 chars)."""
        return self.text.norm[self.start : self.end + 16]


Check = Callable[[CheckInput], bool]
CHECKS: dict[str, Check] = {}


def register(name: str) -> Callable[[Check], Check]:
    """Register a check under ``name`` (packs refer to it with ``check: name``)."""

    def deco(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn

    return deco


_DIGITS = {"零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_NUM_RE = re.compile(r"\d+(?:\.\d+)?|[零〇一幺二两三四五六七八九十百千万]+")


def _shared_parser() -> Callable[[str], Any] | None:
    """The numeral parser of ``liveqc.engine.numerals`` when it is installed."""
    try:
        from liveqc.engine import numerals
    except ImportError:  # pragma: no cover - numerals ships with the engine
        return None
    fn = getattr(numerals, "parse_chinese_number", None) or getattr(numerals, "parse_number", None)
    return fn if callable(fn) else None


def _number(token: str) -> float | None:
    """A number written in digits or Chinese numerals (299, 两百九十九, 三九九, 十)."""
    if token[0].isdigit():
        return float(token)
    shared = _shared_parser()
    if shared is not None:
        value = shared(token)
        if value is not None:
            return float(value)
    if all(c in _DIGITS for c in token):  # read digit by digit: 三九九 -> 399
        return float("".join(str(_DIGITS[c]) for c in token))
    total = section = 0
    digit: int | None = None
    for c in token:
        if c in _DIGITS:
            digit = _DIGITS[c]
        elif c == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * _UNITS[c]
            digit = None
    if digit is not None:
        last = token[-2] if len(token) > 1 else ""
        unit = _UNITS.get(last, 1)
        section += digit * (unit // 10 if unit >= 100 else 1)
    return float(total + section)


def _first_number(text: str) -> float | None:
    m = _NUM_RE.search(text)
    return _number(m.group()) if m else None


def _original_prices(inp: CheckInput) -> list[float]:
    """Original/reference prices said in the utterance (the amount right after the trigger when
    the price extractor does not recognise the cue, e.g. an evasive spelling of 原价)."""
    amounts: list[float] = []
    try:
        from liveqc.engine import prices

        found = prices.extract_prices(inp.text.original)
        amounts = [float(p.amount) for p in found if p.kind == "original"]
    except (ImportError, AttributeError):
        pass
    if not amounts:
        m = _NUM_RE.match(inp.text.norm, inp.end) or _NUM_RE.match(inp.text.norm, inp.end + 1)
        value = _number(m.group()) if m else None
        if value is not None:
            amounts.append(value)
    return amounts


@register("price_vs_history")
def price_vs_history(inp: CheckInput) -> bool:
    """An original/crossed-out price above the 7-day lowest price, or with no history on file."""
    amounts = _original_prices(inp)
    if not amounts:
        return False
    lowest = inp.facts.lowest_price_7d
    if lowest is None:
        return True
    return any(a > lowest + 0.005 for a in amounts)


_SPF_RE = re.compile(r"spf(\d+)")
_PA_RE = re.compile(r"pa(\++)")


@register("spf_claim")
def spf_claim(inp: CheckInput) -> bool:
    """A sun-protection claim without sunscreen evidence, or SPF/PA above what was tested."""
    facts = inp.facts
    if "sunscreen" not in facts.efficacy_evidence:
        return True
    norm = inp.text.norm
    for m in _SPF_RE.finditer(norm):
        if facts.spf is None or float(m.group(1)) > facts.spf:
            return True
    for m in _PA_RE.finditer(norm):
        if facts.pa is None or len(m.group(1)) > facts.pa.count("+"):
            return True
    return False


@register("scarcity_vs_stock")
def scarcity_vs_stock(inp: CheckInput) -> bool:
    """ "最后三单" when more is in stock, or any scarcity claim with stock unknown."""
    stock = inp.facts.stock_remaining
    if stock is None:
        return True
    claimed = _first_number(inp.window)
    if claimed is None:
        return stock > 20
    return stock > claimed


#: Health-food functions grouped by their core, so 提高免疫力 and 增强免疫力 are the same claim.
FUNCTION_CORES = (
    "免疫",
    "疲劳",
    "睡眠",
    "血脂",
    "血糖",
    "血压",
    "骨密度",
    "记忆",
    "抗氧化",
    "体重",
    "减肥",
    "脂肪",
    "视",
    "眼",
    "肠",
    "便",
    "咽",
    "皮肤",
    "痤疮",
    "色斑",
    "铅",
    "胃",
    "缺氧",
    "贫血",
    "肝",
    "生长发育",
)


def _cores(text: str) -> set[str]:
    return {c for c in FUNCTION_CORES if c in text}


@register("health_function_covered")
def health_function_covered(inp: CheckInput) -> bool:
    """A health function claimed that the product's approval does not list."""
    claimed = _cores(inp.text.norm[inp.start : inp.end]) or {inp.text.norm[inp.start : inp.end]}
    allowed: set[str] = set()
    for fn in inp.facts.health_functions:
        allowed |= _cores(fn) or {fn}
    is_health_food = inp.category == "health_food" or "health_food" in inp.facts.registrations
    return not (is_health_food and claimed <= allowed)


@register("verified_claim")
def verified_claim(inp: CheckInput) -> bool:
    """A ranking claim stands unless it is on file in ``verified_claims``."""
    from liveqc.engine.normalize import Normalizer

    phrase = Normalizer().phrase
    span = inp.text.norm[inp.start : inp.end]
    for claim in inp.facts.verified_claims:
        key = phrase(claim.split(":", 1)[0])
        if key and (span in key or key in inp.text.norm):
            return False
    return True


_AGE_RE = re.compile(r"(\d+)(?:到|至|~|-)?(\d+)?个?月")
_INFANT_STAGES = re.compile(r"(?:[一二1２2]|pre|早产|新生|初生)段|pre|早产儿|新生儿|婴儿配方")
_TODDLER_STAGES = re.compile(r"(?:[三3四4])段|幼儿配方|儿童配方")


@register("target_age_infant")
def target_age_infant(inp: CheckInput) -> bool:
    """Formula promoted for infants under 12 months (stage Pre/1/2, preterm, 0-12 months)."""
    norm = inp.text.norm
    if _INFANT_STAGES.search(norm):
        return True
    for m in _AGE_RE.finditer(inp.text.original.replace(" ", "")):
        if float(m.group(1)) < 12:
            return True
    if _TODDLER_STAGES.search(norm):
        return False
    ages = inp.facts.target_age_months
    return ages is not None and ages[0] < 12
