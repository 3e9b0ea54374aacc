"""Prices said on air: find each amount of money in host speech and tell what kind of price it is.

An amount is found from its money word (元, 块, 块钱, ¥, 毛, slang 米) or, for a bare number,
from the cue that governs it (原价两百九十九, 只要三九九). Its kind comes from the nearest cue:
a compared or reference price is ``original``, what the buyer pays now is ``current``, and coupons,
thresholds, savings, deposits, shipping, subsidies, red packets, cashback and gift values are
``other``. Sizes, counts, dates, times, percentages, discounts, ranks, idioms and look-alikes
(跑八百米, 4K电视, 一分钱不赚) are not prices. Pure and deterministic; see docs/prices.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from liveqc.engine.numerals import is_numeral_char
from liveqc.engine.price_amounts import (
    Amount,
    counts,
    may_say_a_number,
    normalise,
    scan_amounts,
)
from liveqc.engine.price_cues import (
    ADJACENT,
    AFTER,
    ALONE_REST,
    BOUNDARY,
    CLASSIFIERS,
    CUES,
    FOLLOW_CHARS,
    FOLLOW_WORDS,
    GIFT_WORDS,
    IDIOM_AFTER,
    LENGTH_BEFORE,
    MAX_CUE,
    NOT_PRICE_AFTER,
    NOT_SELLING,
    NOT_YUAN,
    PER_UNIT_WORDS,
    SELLER_WORDS,
)

KINDS = ("original", "current", "other")


@dataclass(frozen=True, slots=True)
class PriceMention:
    """One amount said: ``match`` is ``text[start:end]``, ``amount`` in yuan."""

    start: int
    end: int
    match: str
    amount: float
    kind: str


@dataclass(frozen=True, slots=True)
class _Cue:
    """A cue before an amount: its kind, strength, distance to the amount and the word."""

    kind: str
    strength: int
    gap: int
    word: str


def _cues_in(s: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    """Cue words in ``s[lo:hi]``, leftmost-longest, as (start, end, word)."""
    return [(m.start(), m.end(), m.group()) for m in _CUE_WORDS.finditer(s, lo, hi)]


def _longest_first(words: Iterable[str]) -> re.Pattern[str]:
    """Any of ``words``, the longest one at each position (what a loop over word sizes does, in
    one C call; ``finditer`` resumes after each word found).

    Grouped by first character, 原(?:建议零售价|...|价|), each group's endings longest first:
    only one group can match at a position, and the first ending that matches in it is the
    longest. One flat alternative per word would try every word at every position.
    """
    groups: dict[str, set[str]] = {}
    for w in words:
        groups.setdefault(w[0], set()).add(w[1:])
    return re.compile(
        "|".join(
            re.escape(first)
            + "(?:"
            + "|".join(map(re.escape, sorted(ends, key=lambda e: (-len(e), e))))
            + ")"
            for first, ends in sorted(groups.items())
        )
    )


def _leads(word: str) -> bool:
    """A cue strong enough to take over after a pause (原价, 只要, 我们; not 是 or 卖)."""
    kind, strength = CUES.get(word, ("other", 2))
    return kind is not None and (strength >= 2 or word in SELLER_WORDS)


# Derived once at import from the tables (the hot paths below run on every amount said).
#: Every cue word (cues before an amount and ADJACENT ones).
_CUE_WORDS = _longest_first(w for w in (*CUES, *ADJACENT) if 0 < len(w) <= MAX_CUE)
#: Cue words that take over after a pause (``_leads``), and those that decide alone (strength 3).
_LEADERS = frozenset(w for w in (*CUES, *ADJACENT) if _leads(w))
_DECISIVE = frozenset(w for w, (_, strength) in CUES.items() if strength == 3)
#: Cue words after a bare number that still let it be a price (not masks, not counting words).
_PRICE_CUES = frozenset(
    w for w in (*CUES, *ADJACENT) if CUES.get(w, ("other", 2))[0] not in (None, "none")
)
#: AFTER words, longest first, so ``match`` at a position gives the longest one said there.
_AFTER_WORDS = _longest_first(w for w in AFTER if 0 < len(w) <= 5)
_FOLLOW_WORDS = tuple(FOLLOW_WORDS)
#: The last pause (space or comma) in a window, and the last sentence end: ``.*`` is greedy, so
#: the match ends just after the rightmost one (one C call instead of a loop over the window).
_LAST_PAUSE = re.compile(r".*[ ,，、]", re.DOTALL)
_LAST_STOP = re.compile(r".*[。！？!?；;\n]", re.DOTALL)
_NOT_SELLING = re.compile("|".join(map(re.escape, NOT_SELLING)))
_TENTH = Decimal("0.1")


def _cue_before(s: str, start: int, lo: int) -> _Cue | None:
    """The cue that governs an amount starting at ``start`` (window ``s[lo:start]``)."""
    lo = max(lo, start - 12)
    cues = _cues_in(s, lo, start)
    if not cues:
        return None
    # after a pause (a space or comma), the cues said since the pause govern; the pause is a
    # character of s[lo:start - 1] (endpos never below pos, so an empty window finds none)
    found = _LAST_PAUSE.match(s, lo, max(lo, start - 1))
    pause = found.end() - 1 if found is not None else -1
    if pause >= 0 and any(c_start > pause and w in _LEADERS for c_start, _, w in cues):
        cues = [c for c in cues if c[0] > pause or c[2] in _DECISIVE]
    best: tuple[str, int, int, str] | None = None  # the _Cue fields, built once at the end
    for c_start, c_end, word in cues:
        gap = start - c_end
        entry = CUES.get(word)
        if entry is not None:
            kind, strength = entry
            if kind is None or (strength == 1 and gap > 4) or (kind == "none" and gap > 6):
                continue
            if word == "价值":
                kind = (
                    "other"
                    if any(g in s[max(0, c_start - 6) : c_start] for g in GIFT_WORDS)
                    else kind
                )
        elif gap <= 2:
            kind, strength = ADJACENT[word], 2
        else:
            continue
        if best is None or (best[1] < 3 and strength >= best[1]):
            best = (kind, strength, gap, word)
    return None if best is None else _Cue(*best)


def _cue_word_at(s: str, i: int) -> str:
    """The longest cue word that starts at ``s[i]`` ('' if none)."""
    found = _CUE_WORDS.match(s, i)  # alternatives longest first: the first to match is longest
    return "" if found is None else found.group()


def _cue_after(s: str, end: int) -> str | None:
    """The kind named right after an amount (五十元优惠券 → other), or "support" (的价格)."""
    if s.startswith("的", end) and AFTER.get(s[end + 1 : end + 3]) in ("other", "original"):
        return AFTER[s[end + 1 : end + 3]]  # 十二块钱的运费, 两百九十九的原价
    # the longest AFTER word said here, unless a longer cue word starts here (运费险 masks 运费)
    found = _AFTER_WORDS.match(s, end)
    if found is None or found.end() - end < len(_cue_word_at(s, end)):
        return None
    return AFTER[found.group()]


def _follows_like_price(s: str, end: int, lenient: bool = False) -> bool:
    """What comes after a bare number (or after 块) lets it be a price.

    Under a strong cue (``lenient``) anything but a counting, time or size word may follow.
    """
    c = s[end : end + 1]  # the next character ('' at the end), without copying the rest
    if c in ("多", "来", "余", "把") and end + 1 < len(s):
        return _follows_like_price(s, end + 1, lenient)
    if not c or c in BOUNDARY or s.startswith(_FOLLOW_WORDS, end):
        return True
    if c in "一两二三四五六七八九" and counts(s, end + 1):
        return True  # per unit or bundle: 九十九一件, 十块两个
    if lenient and not counts(s, end) and c not in NOT_PRICE_AFTER:
        return not (c.isascii() and c.isalpha())
    if c in FOLLOW_CHARS or (c != "点" and is_numeral_char(c)):
        return True
    return _cue_word_at(s, end) in _PRICE_CUES


def _number_start(s: str, a: Amount) -> int:
    return a.start + 1 if s[a.start] in "¥￥" else a.start


def _rejected(s: str, a: Amount) -> bool:
    """Look-alikes that are never prices: ranks, dates, percentages, idioms, model names."""
    n0 = _number_start(s, a)
    before = s[max(0, n0 - 3) : n0]
    if before[-2:-1] == "米" and is_numeral_char(before[-3:-2] or "x"):
        return True  # 一米七二: a height
    if before[-1:] == "双" and not is_numeral_char(before[-2:-1] or "x"):
        return True  # 双十一, not 两双一百二
    if before[-1:] in ("第", "初", "周", "号") or before.endswith(("星期", "礼拜", "分之")):
        return True
    if s[n0].isdigit() and before[-1:].isascii() and before[-1:].isalpha():
        return not before.endswith(("rmb", "cny"))
    after = s[a.end : a.end + 3]
    if a.money != "mult" and after[:1].isascii() and after[:1].isalpha() and not a.money:
        return True
    if s[a.end - 1] == "元" and after[:1] in NOT_YUAN:
        return True
    if after.startswith(IDIOM_AFTER):
        return True
    return a.values[0] <= _TENTH and ("不" in before[-2:] or "没" in before[-2:])


def _supported(s: str, a: Amount, cue: _Cue | None, after: str | None) -> bool:
    """Whether an amount is a price at all, given its money word and its cues."""
    has_cue = (cue is not None and cue.kind != "none") or after is not None
    if cue is not None and cue.kind == "none" and a.money in ("", "range", "mult", "mi"):
        return False
    if a.money == "yuan" or (a.money == "range" and a.partner is not None):
        return True
    if a.money == "kuai":
        if not _follows_like_price(s, a.end) and not s.startswith("钱", a.end):
            return False
        return a.values[0] != 1 or has_cue or s[a.end - 1] != "块"
    if a.money == "mi":
        n0 = _number_start(s, a)
        if a.values[0] < 10 or s[a.end : a.end + 1] in set("长宽高深远开内外的色饭粒粉面线酒左多"):
            return False
        if is_numeral_char(s[a.end : a.end + 1] or "x") or s[max(0, n0 - 4) : n0].endswith(
            LENGTH_BEFORE
        ):
            return False
        return has_cue or _follows_like_price(s, a.end)
    if a.money in ("mao", "mult"):
        return has_cue and _follows_like_price(s, a.end)
    # a bare number
    strong = cue is not None and cue.kind != "none" and cue.strength >= 2 and cue.gap <= 4
    if a.short or not _follows_like_price(s, a.end, strong):
        return False
    if s[a.start : a.end] == "二百五" and not (strong and cue is not None and cue.gap == 0):
        return False
    head = s[max(0, a.start - 4) : a.start].removesuffix("的").removesuffix("装")
    bundle = len(head) >= 2 and head[-1] in CLASSIFIERS and is_numeral_char(head[-2])
    per_unit = s[a.end : a.end + 1] in set("一两二三四五六七八九") and counts(s, a.end + 1)
    return has_cue or bundle or per_unit


def extract_prices(text: str) -> list[PriceMention]:
    """Every amount of money said in ``text``, in order, with offsets into ``text``.

    A range (三四百, 一百到两百) gives two mentions; vague amounts (几十块) give none.
    """
    if not may_say_a_number(text):  # most sentences say no number at all
        return []
    s, index = normalise(text)
    amounts = scan_amounts(s)
    accepted: list[Amount] = []
    waiting: list[Amount] = []
    lo = 0
    for a in amounts:
        # cues reach back to the last sentence end since the last accepted amount
        found = _LAST_STOP.match(s, lo, a.start)
        stop = lo if found is None else found.end()
        if _rejected(s, a):
            continue
        cue = _cue_before(s, _number_start(s, a), stop)
        after = _cue_after(s, a.end)
        if a.partner is not None and any(a.partner is b for b in accepted):
            a.kind, a.explicit = a.partner.kind, a.partner.explicit
        elif after == "other" or (cue is not None and cue.strength == 3 and cue.kind == "other"):
            a.kind, a.explicit = "other", True
            a.topic = after != "other"
        elif cue is None and not after and accepted and accepted[-1].topic:
            a.kind, a.explicit, a.topic = "other", True, True  # 运费十五 偏远地区二十
        elif (
            after
            and after != "support"
            and (cue is None or cue.kind == "none" or cue.strength < 2 or cue.gap > 4)
        ):
            a.kind, a.explicit = after, True
        elif cue is not None and cue.kind != "none":
            a.kind, a.explicit = cue.kind, cue.strength > 1 or cue.word in SELLER_WORDS
            a.per_unit = cue.word in PER_UNIT_WORDS
        else:
            a.kind = "current"
        if not _supported(s, a, cue, after):
            if a.money in ("", "mult", "mao", "range") and not a.short:
                waiting.append(a)
            continue
        accepted.append(a)
        lo = a.end
    accepted += [a for a in waiting if _said_alone(s, a, accepted, waiting)]
    for a in waiting:  # the other end of an accepted range (三到五百) is a price too
        partner_said = a.partner is not None and any(a.partner is b for b in accepted)
        if partner_said and a.partner is not None and not any(a is b for b in accepted):
            a.kind, a.explicit = a.partner.kind, a.partner.explicit
            accepted.append(a)
    accepted.sort(key=lambda a: a.start)
    _mark_compared(accepted)
    out: list[PriceMention] = []
    for a in accepted:
        start, end = index[a.start], index[a.end - 1] + 1
        for value in a.values:
            amount = float(round(value, 2))
            out.append(PriceMention(start, end, text[start:end], amount, a.kind or "current"))
    return out


def _said_alone(s: str, a: Amount, accepted: list[Amount], waiting: list[Amount]) -> bool:
    """Whether a bare number with no cue is still a price: the whole utterance (一百二), a
    repeat of a price (九十九九十九只要九十九), undercut by a later current price, or a number
    that ends a phrase or describes the goods (一百六十八的羽绒服) where nothing is counted."""
    text = s[a.start : a.end]
    if not _follows_like_price(s, a.end) or len(text) < 2 or text == "二百五":
        return False
    if any(a.values[0] in b.values for b in accepted):
        return True
    digits = "零一二三四五六七八九"
    if len(text) > 2 and all(digits.find(x) - digits.find(y) == 1 for x, y in pairwise(text)):
        return False  # a countdown: 五四三二一
    if ALONE_REST.issuperset(s[: a.start]) and ALONE_REST.issuperset(s[a.end :]):
        return True
    later = [
        b
        for b in accepted
        if b.start > a.end and b.explicit and b.kind == "current" and not b.per_unit
    ]
    if later and max(b.values[-1] for b in later) < a.values[0]:
        return True
    if _NOT_SELLING.search(s) is not None or a.values[0] < 10:
        return False
    rest = s[a.end :].lstrip("啊呀吧哦哈呢嘛哇啦了")
    if not rest or rest[0] in BOUNDARY or rest[0] == "的":
        return True
    return sum(b.values == a.values for b in waiting) >= 2


def _mark_compared(amounts: list[Amount]) -> None:
    """A price said with no cue and then undercut by a cued current price is the compared one."""
    for i, a in enumerate(amounts):
        if a.explicit or a.kind != "current" or a.partner is not None:
            continue
        later = [
            b for b in amounts[i + 1 :] if b.explicit and b.kind == "current" and not b.per_unit
        ]
        if later and max(b.values[-1] for b in later) < a.values[0]:
            a.kind = "original"
