"""Chinese numerals as hosts say them, to numbers and back.

Covers what live-stream speech uses: positional numerals with units (两百九十九), elided trailing
units (一百二 → 120, 一万五 → 15000), digit strings (三九九 → 399, 幺九九 → 199), decimals with
点 (九点九), Arabic and full-width digits mixed with units (1.2万, 3千), approximate 多/来/余
(三千多), and ranges of two neighbouring digits (三四百 → 300 and 400). Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

#: Digit characters and their values (两 and 幺 are spoken forms of 2 and 1).
DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "洞": 0,
    "一": 1, "幺": 1, "壹": 1,
    "二": 2, "两": 2, "贰": 2, "兩": 2,
    "三": 3, "叁": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
#: Positional units below 万.
SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
#: Section multipliers.
BIG_UNITS: dict[str, int] = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
POINTS = frozenset("点.．")
#: Words that make an amount approximate without changing the number said (三千多, 十来块).
APPROX = frozenset("多来余")

_ARABIC = re.compile(r"[0-9０-９]+(?:,[0-9]{3})*")
_ZEROS = frozenset("零〇○洞")
_SPOKEN_ONLY = frozenset("两兩幺洞")  # never read as a digit inside a digit string after the first


def to_halfwidth(text: str) -> str:
    """Map full-width ASCII (０-９, ．, ￥…) to half-width, one character for one."""
    if _FULL_WIDTH.search(text) is None:  # the usual case: nothing to map
        return text
    return text.translate(_HALF)


_WIDE = {"\u3000": " ", "￥": "¥", "￠": "¢", "￡": "£"}
_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {ord(k): v for k, v in _WIDE.items()}
_FULL_WIDTH = re.compile("[\uff01-\uff5e" + "".join(_WIDE) + "]")


def _is_digit_char(c: str) -> bool:
    return c in DIGITS or "0" <= c <= "9" or "０" <= c <= "９"


def is_numeral_char(c: str) -> bool:
    """True for any character that can be part of a spoken number."""
    if len(c) == 1:  # the usual call: one set lookup
        return c in _NUMERAL_CHARS
    return _is_digit_char(c) or c in SMALL_UNITS or c in BIG_UNITS


_NUMERAL_CHARS = frozenset(
    [*DIGITS, *SMALL_UNITS, *BIG_UNITS, *"0123456789", *"０１２３４５６７８９"]
)


def _digit_value(c: str) -> int:
    if c in DIGITS:
        return DIGITS[c]
    return int(to_halfwidth(c))


def _digit_string(s: str) -> int | None:
    """A run of single digits read one by one: 三九九 → 399; 两/幺 only as the first."""
    if not s or not all(_is_digit_char(c) for c in s):
        return None
    if len(s) > 4 and not s.isascii():
        return None
    if any(c in _SPOKEN_ONLY and c != "幺" for c in s[1:]):
        return None
    return int("".join(str(_digit_value(c)) for c in s))


def _parse_section(s: str) -> int | None:
    """A number below 10^4 written with 十/百/千 (or a plain digit string)."""
    if not s:
        return None
    plain = _digit_string(s)
    if plain is not None:
        if len(s) > 1 and s[0] in _ZEROS and not s.isascii():
            return None
        return plain
    total, last_unit, pending, zero = 0, 0, None, False
    i = 0
    while i < len(s):
        c = s[i]
        if c in SMALL_UNITS:
            unit = SMALL_UNITS[c]
            if last_unit and unit >= last_unit:
                return None
            if pending is None:
                if unit != 10 or (last_unit and not zero):
                    return None
                pending = 1
            elif pending > 9:
                return None
            total += pending * unit
            last_unit, pending, zero = unit, None, False
            i += 1
        elif c in _ZEROS and not c.isascii():
            if pending is not None or not last_unit:
                return None
            zero = True
            i += 1
        elif _is_digit_char(c):
            if pending is not None:
                return None
            j = i
            while j < len(s) and _is_digit_char(s[j]) and s[j] not in _ZEROS:
                j += 1
            run = s[i:j]
            if j < len(s):  # a coefficient of the next unit
                if len(run) != 1 or run in _ZEROS:
                    return None
                pending = _digit_value(run)
                i = j
                continue
            # trailing digits after the last unit
            if len(run) == 1:
                d = _digit_value(run)
                if run in "两兩" or run == "幺":
                    return None
                if zero or last_unit == 10:
                    return total + d
                return total + d * (last_unit // 10)
            value = _digit_string(run)
            if value is None or zero or len(run) != len(str(last_unit)) - 1:
                return None
            return total + value
        else:
            return None
    if zero or pending is not None:
        return None
    return total


def _parse_integer(s: str) -> Decimal | None:
    for big in ("亿", "億", "万", "萬"):
        if big in s:
            i = s.index(big)
            head, tail = s[:i], s[i + 1 :]
            h = _parse_head(head)
            if h is None:
                return None
            mult = BIG_UNITS[big]
            if not tail:
                return h * mult
            if tail[0] in _ZEROS and not tail.isascii():
                tail = tail[1:]
                t = _parse_integer(tail) if tail else None
                if t is None or t >= mult // 10:
                    return None
                return h * mult + t
            if len(tail) == 1 and _is_digit_char(tail) and tail not in "两兩幺":
                return h * mult + _digit_value(tail) * (mult // 10)
            if all(_is_digit_char(c) for c in tail) and len(tail) != len(str(mult)) - 1:
                return None
            t = _parse_integer(tail)
            if t is None or t >= mult:
                return None
            return h * mult + t
    value = _parse_section(s)
    return None if value is None else Decimal(value)


def _parse_head(s: str) -> Decimal | None:
    """The part before 万/亿: an integer or a decimal (1.2万, 一点五万)."""
    if not s:
        return None
    return parse_number(s)


@lru_cache(maxsize=4096)  # pure; hosts repeat the same few prices (九十九, 两百九十九) all day
def parse_number(text: str) -> Decimal | None:
    """Read the whole of ``text`` as one spoken number, or None if it is not one.

    >>> parse_number("一百二"), parse_number("三九九"), parse_number("1.2万")
    (Decimal('120'), Decimal('399'), Decimal('12000'))
    """
    s = to_halfwidth(text).replace(",", "")
    if not s:
        return None
    for big in ("亿", "億", "万", "萬"):
        if s.endswith(big) and any(p in s for p in POINTS):
            head = parse_number(s[:-1])
            return None if head is None else head * BIG_UNITS[big]
    points = [i for i, c in enumerate(s) if c in POINTS]
    if len(points) > 1:
        return None
    if points:
        whole, frac = s[: points[0]], s[points[0] + 1 :]
        w = _parse_integer(whole) if whole else None
        f = _digit_string(frac)
        if w is None or f is None or any(c in _SPOKEN_ONLY and c != "洞" for c in frac):
            return None
        return w + Decimal(f) / (Decimal(10) ** len(frac))
    if s.isascii():
        return Decimal(s) if s.isdigit() else None
    return _parse_integer(s)


def parse_range(text: str) -> tuple[Decimal, Decimal] | None:
    """Read two neighbouring digits as a range: 三四百 → (300, 400), 十七八 → (17, 18).

    The pair must be followed by a unit or end the number, and rise by one or two (三五百).
    """
    s = to_halfwidth(text)
    for i in range(len(s) - 1):
        a, b = s[i], s[i + 1]
        if a not in DIGITS or b not in DIGITS or a in _ZEROS or a == "幺" or b == "幺":
            continue
        if i > 0 and s[i - 1] in DIGITS:
            continue
        if i + 2 < len(s) and s[i + 2] not in SMALL_UNITS and s[i + 2] not in BIG_UNITS:
            continue
        if b in "两兩" and a not in "一壹":
            continue
        if not 1 <= DIGITS[b] - DIGITS[a] <= 2:
            continue
        if DIGITS[b] - DIGITS[a] == 2 and (i > 0 or (i + 2 == len(s) and a != "三")):
            continue  # 三五百 and 三五 are ranges; 一百二四 is not
        low = parse_number(s[:i] + a + s[i + 2 :])
        high = parse_number(s[:i] + b + s[i + 2 :])
        if low is not None and high is not None and low < high:
            return low, high
    return None


@dataclass(frozen=True, slots=True)
class NumberSpan:
    """A spoken number found in text: ``text[start:end]`` reads as ``values`` (two for a range)."""

    start: int
    end: int
    values: tuple[Decimal, ...]
    is_approximate: bool = False
    is_vague: bool = False


_RUN_CHARS = (
    frozenset(DIGITS) | set(SMALL_UNITS) | set(BIG_UNITS) | set("0123456789０１２３４５６７８９")
)


def _char_class(chars: Iterable[str]) -> str:
    return "[" + "".join(map(re.escape, sorted(chars))) + "]"


#: A run of numeral characters (and 几) from its first character on, where a point, or a comma
#: after an Arabic digit (the only run characters that are ``isdigit``), may sit between the
#: first character and a digit: 9.9, 九点九, 1,299.
_RUN = re.compile(
    "{run}(?:{run}|{point}(?={digit})|(?<=[0-9０-９]),(?={digit}))*".format(
        run=_char_class(_RUN_CHARS | {"几"}),
        point=_char_class(POINTS),
        digit=_char_class([*DIGITS, *"0123456789", *"０１２３４５６７８９"]),
    )
)


def _run_end(s: str, i: int) -> int:
    """End of the longest run of numeral characters (with single inner points) from ``i``."""
    found = _RUN.match(s, i)
    return i if found is None else found.end()


def read_number_at(s: str, i: int) -> NumberSpan | None:
    """The longest spoken number that starts at ``s[i]`` (``s`` already half-width)."""
    found = number_at(s, i)
    return None if found is None else NumberSpan(*found)


#: The fields of a NumberSpan: start, end, values, is_approximate, is_vague.
SpanFields = tuple[int, int, tuple[Decimal, ...], bool, bool]


def number_at(s: str, i: int) -> SpanFields | None:
    """``read_number_at`` as a plain tuple, for scanners that read every number of a sentence
    (a frozen dataclass costs more to build than the rest of the reading)."""
    end = _run_end(s, i)
    if end == i:
        return None
    run = s[i:end]
    if "几" in run:
        return i, end, (), False, True
    read = _read_run(run)
    if read is None:
        return None
    j, values = i + read[0], read[1]
    # fold 多/来/余 between a number and its 万/亿 into the span: 三千多万 → 30,000,000
    if (
        j + 1 < len(s)
        and s[j] in APPROX
        and (s[j - 1] in SMALL_UNITS or s[j - 1] in BIG_UNITS)
        and s[j + 1] in BIG_UNITS
    ):
        return i, j + 2, tuple(v * BIG_UNITS[s[j + 1]] for v in values), True, False
    return i, j, values, False, False


@lru_cache(maxsize=4096)  # pure: depends on the run alone; hosts repeat the same few numbers
def _read_run(run: str) -> tuple[int, tuple[Decimal, ...]] | None:
    """The longest number at the start of a run of numeral characters: (its length, values)."""
    for j in range(len(run), 0, -1):
        last = run[j - 1]
        if last in POINTS or last == ",":
            continue
        # a digit right before a unit is that unit's coefficient: 一九十九 is 一 then 九十九
        if j < len(run) and (run[j] in SMALL_UNITS or run[j] in BIG_UNITS) and _is_digit_char(last):
            continue
        piece = run[:j]
        rng = parse_range(piece)
        if rng is not None:
            return j, rng
        value = parse_number(piece)
        if value is not None:
            return j, (value,)
    return None


def find_numbers(text: str) -> list[NumberSpan]:
    """Every maximal spoken number in ``text``, left to right, with original offsets."""
    s = to_halfwidth(text)
    out: list[NumberSpan] = []
    i = 0
    while i < len(s):
        if s[i] in _RUN_CHARS or s[i] == "几":
            span = read_number_at(s, i)
            if span is not None:
                out.append(span)
                i = span.end
                continue
            i = max(_run_end(s, i), i + 1)
            continue
        i += 1
    return out


_CN_DIGITS = "零一二三四五六七八九"


def _section_to_chinese(n: int) -> str:
    out, zero = [], False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit % 10
        if d:
            if zero:
                out.append("零")
                zero = False
            out.append(_CN_DIGITS[d] + name)
        elif out:
            zero = True
    return "".join(out)


def to_chinese(n: int) -> str:
    """Write a non-negative integer in standard Chinese numerals: 299 → 二百九十九."""
    if n < 0:
        raise ValueError("negative numbers are not spoken prices")
    if n == 0:
        return "零"
    parts: list[str] = []
    for mult, name in ((10**8, "亿"), (10**4, "万"), (1, "")):
        section = n // mult % 10**4 if mult < 10**8 else n // mult
        if section:
            if parts and section < 1000:
                parts.append("零")
            parts.append(
                (to_chinese(section) if section >= 10**4 else _section_to_chinese(section)) + name
            )
        elif parts and n % mult:
            parts.append("零")
    text = "".join(parts)
    text = re.sub("零+", "零", text).rstrip("零")
    if text.startswith("一十"):
        text = text[1:]
    return text
