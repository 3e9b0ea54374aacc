"""Amounts of money as said: a number with its money words, read from normalised text.

``normalise`` maps a transcript to half-width, lower-case text with offsets back to the original;
``scan_amounts`` finds every number in it with the money words that belong to it (元, 块, 块钱,
毛, ¥, slang 米, w/k), the 角 and 分 said after 块 (九块九毛九), and ranges said as X到Y. Whether an
amount is a price, and of which kind, is decided in ``liveqc.engine.prices``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from liveqc.engine.numerals import (
    BIG_UNITS,
    DIGITS,
    SMALL_UNITS,
    is_numeral_char,
    number_at,
    parse_number,
    to_halfwidth,
)
from liveqc.engine.price_cues import CLASSIFIERS, RANGE_SEP


@dataclass(slots=True)
class Amount:
    """An amount read from normalised text: ``[start, end)`` there, with how it was said."""

    start: int
    end: int
    values: tuple[Decimal, ...]
    money: str  # "yuan" (元/块钱/¥), "kuai", "mao", "mi", "mult", or "" for a bare number
    short: bool  # a single spoken digit with no unit (never a price on its own)
    partner: Amount | None = None  # the other end of an X到Y range
    kind: str = ""
    explicit: bool = False  # its kind came from a cue, not from the default
    topic: bool = False  # it is a charge named before it (运费十五): what follows is one too
    per_unit: bool = False  # a unit price worked out aloud (算下来一斤十块九)


#: What a vague number (几十块) is read as, only to skip its money words.
_ZERO = (Decimal(0),)
#: Traditional money characters read as their simplified forms.
_TRADITIONAL = {"塊": "块", "圓": "圆", "錢": "钱", "萬": "万", "億": "亿"}
#: Where a number (or a vague 几) may start: what ``scan_amounts`` jumps to.
_NUMBER_START = re.compile(
    "[" + re.escape("".join(sorted({*DIGITS, *SMALL_UNITS, *BIG_UNITS, "几"}))) + "0-9０-９]"
)


def may_say_a_number(text: str) -> bool:
    """False when no number can start anywhere in ``text`` (the usual sentence): a cheap
    pre-check before normalising and scanning."""
    return _NUMBER_START.search(text) is not None


def normalise(text: str) -> tuple[str, list[int]]:
    """Half-width and lower-case, with offsets back into ``text``.

    Spaces inside an amount (两百 九十九, 299 元) go; other runs of spaces become one, since in
    a transcript they often mark a pause between phrases.
    """
    half = to_halfwidth(text)
    if half.split() == [half] and "Σ" not in half:  # no space: one character for one
        low = half.lower()
        if len(low) == len(half):  # no character lower-cases to two
            for old, new in _TRADITIONAL.items():
                if old in low:
                    low = low.replace(old, new)
            return low, list(range(len(text) + 1))
    chars: list[str] = []
    index: list[int] = []
    for pos, c in enumerate(half):
        if c.isspace():
            prev = chars[-1] if chars else ""
            if prev and prev != " " and not (prev in "¥￥" or _joins(chars, half, pos)):
                chars.append(" ")
                index.append(pos)
            continue
        chars.append(_TRADITIONAL.get(c) or c.lower())
        index.append(pos)
    index.append(len(text))
    return "".join(chars), index


def _joins(chars: list[str], text: str, pos: int) -> bool:
    """Whether the space at ``text[pos]`` sits inside one amount (两百 九十九, 299 元)."""
    j = pos
    while j < len(text) and text[j].isspace():
        j += 1
    after = ""
    while j < len(text) and is_numeral_char(text[j]):
        after += text[j]
        j += 1
    if not after:
        return (
            bool(chars) and is_numeral_char(chars[-1]) and text[j : j + 1] in tuple("元块毛角米钱")
        )
    before = ""
    k = len(chars)
    while k > 0 and is_numeral_char(chars[k - 1]):
        before = chars[k - 1] + before
        k -= 1
    if not before or before[-1] not in "十百千万" or chars[k - 1 : k] == ["块"]:
        return False  # 两百 九十九 is one amount; 九十九 九十九 and 一百二 四双 are not
    return parse_number(before + after) is not None


def _read_money(s: str, num_start: int, i: int, values: tuple[Decimal, ...]) -> Amount:
    """The money words after the number ``s[num_start:i]``: 元, 块(钱) with 角/分 digits
    (九块九毛九), 毛, 米, w/k."""
    start = num_start
    if start > 0 and s[start - 1] in "¥￥":
        start -= 1
    short = i - num_start == 1
    if i < len(s) and s[i] in "多来余" and s[i + 1 : i + 2] in ("块", "元", "米"):
        i += 1
    money = "yuan" if start < num_start else ""
    if s.startswith(("块钱", "元钱", "元", "圆", "块"), i):
        money = "yuan" if s[i] != "块" or s.startswith("块钱", i) else "kuai"
        i += 2 if s.startswith(("块钱", "元钱"), i) else 1
        short = False
        if len(values) == 1 and values[0] == values[0].to_integral():
            i, cents = _read_cents(s, i)
            values = (values[0] + cents,)
    elif s.startswith(("毛钱", "角钱", "毛", "角"), i) and len(values) == 1:
        money = "yuan" if s.startswith(("毛钱", "角钱"), i) else "mao"
        i += 2 if money == "yuan" else 1
        values = (values[0] / 10,)
        if i < len(s) and s[i] in "一二三四五六七八九" and not counts(s, i + 1):
            values = (values[0] + Decimal(_digit(s[i])) / 100,)
            i += 1
        short = False
    elif s.startswith("分钱", i):
        money, i, values, short = "yuan", i + 2, tuple(v / 100 for v in values), False
    elif s.startswith("米", i):
        money, i = "mi", i + 1
    elif i < len(s) and s[i] in "wk" and s[num_start].isdigit():
        mult = 10_000 if s[i] == "w" else 1000
        money, i, values = "mult", i + 1, tuple(v * mult for v in values)
    return Amount(start, i, values, money, short and not money)


def _digit(c: str) -> int:
    return "零一二三四五六七八九".index(c) if c in "零一二三四五六七八九" else int(c)


def _read_cents(s: str, i: int) -> tuple[int, Decimal]:
    """角 and 分 spoken after 块/元: 九(毛)(九分), 半, 零五."""
    if s.startswith("半", i):
        return i + 1, Decimal("0.5")
    digits = "零一二两三四五六七八九0123456789"
    j, cents, place = i, Decimal(0), Decimal("0.1")
    if s.startswith("零", j) and j + 1 < len(s) and s[j + 1] in digits[1:]:
        j, place = j + 1, Decimal("0.01")
    while j < len(s) and s[j] in digits and place >= Decimal("0.01"):
        nxt = s[j + 1 : j + 2]
        if counts(s, j + 1) or nxt in ("块", "元") or (s[j] == "两" and nxt not in ("毛", "角")):
            break
        cents += _digit("二" if s[j] == "两" else s[j]) * place
        j += 1
        unit = ("毛", "角") if place == Decimal("0.1") else ("分",)
        if s.startswith(unit, j):
            j += 1
        place /= 10
    if s.startswith("钱", j) and j > i:
        j += 1
    return j, cents


def scan_amounts(s: str) -> list[Amount]:
    """Every number in ``s`` with its money words; vague numbers (几十块) are skipped."""
    out: list[Amount] = []
    i = 0
    while i < len(s):
        found = _NUMBER_START.search(s, i)  # skip to the next numeral (or stay) in one C call
        if found is None:
            break
        i = found.start()
        num = number_at(s, i)  # read_number_at's fields, without building a NumberSpan
        if num is None:
            while i < len(s) and (is_numeral_char(s[i]) or s[i] == "几"):
                i += 1
            continue
        start, end, values, _, vague = num
        if vague or (i > 0 and s[i - 1] in "几好上成数"):
            i = _read_money(s, start, end, _ZERO).end
            continue
        end, values = _count_split(s, start, end, values)
        amount = _read_money(s, start, end, values)
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.end < start <= prev.end + 1
            and s[prev.end] in RANGE_SEP
            and prev.values[-1] < amount.values[0]
        ):
            _link_range(prev, amount, s)
        out.append(amount)
        i = amount.end
    return out


def _count_split(
    s: str, start: int, end: int, values: tuple[Decimal, ...]
) -> tuple[int, tuple[Decimal, ...]]:
    """两百一件 is 两百 and 一件, 三九九一件 is 三九九 and 一件: the last digit is a count.
    Gives the end and values of the number ``s[start:end]`` read as ``values``."""
    if end >= len(s) or s[end] not in CLASSIFIERS or len(values) != 1:
        return end, values
    text = s[start:end]
    elided = len(text) >= 3 and text[-1] in "一两" and text[-2] in "百千万"
    digits = len(text) == 4 and all(c in "零一二两三四五六七八九幺" for c in text)
    if elided or digits:
        value = parse_number(text[:-1])
        if value is not None:
            return end - 1, (value,)
    return end, values


def _link_range(low: Amount, high: Amount, s: str) -> None:
    """X到Y: the bare end borrows the other's money word; 三到五百 scales 三 to 三百."""
    if not low.money and high.money:
        low.money = "range"
    if low.short and len(high.values) == 1:
        text = s[high.start : high.end]
        units = [u for c, u in (("万", 10_000), ("千", 1000), ("百", 100), ("十", 10)) if c in text]
        if units and low.values[0] < 10:
            low.values = (low.values[0] * units[0],)
            low.short = False
    low.partner, high.partner = high, low


def counts(s: str, i: int) -> bool:
    """A counting word at ``s[i]`` (件, 盒…), not 包邮."""
    if s[i : i + 1] == "两" and s[i + 1 : i + 2] in CLASSIFIERS:
        return False  # 九块九两瓶: 两 is the count of bottles, not a weight
    return s[i : i + 1] in CLASSIFIERS and not s.startswith(("包邮", "包装"), i)
