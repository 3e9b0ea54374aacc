"""Text normalisation that keeps a map back to the original character offsets.

Two steps, both cheap per utterance because everything is precomputed:

1. a one-to-one character table (``str.translate``): NFKC, full width to half width, case folding
   and traditional to simplified (OpenCC ``t2s``), so offsets do not move;
2. deletion of noise runs (spaces, punctuation, emoji, zero-width characters, ``*``, ``-``,
   ``/`` ...) with one regular expression; a list of segment starts maps normalised offsets back.

Homophones, pinyin and aliases are not rewritten in the text: the matcher expands the trigger
phrases instead (see ``variants.py``), which keeps offsets exact and legitimate words untouched.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

_KEEP_PUNCT = ".%+"
_ASCII_NOISE = "".join(
    re.escape(c) for c in map(chr, range(0x21, 0x7F)) if not c.isalnum() and c not in _KEEP_PUNCT
)
#: Every whitespace character, spelled out: a class of plain characters compiles to a bitmap,
#: while ``\s`` is tested per character (twice as slow); Unicode has no whitespace above the BMP.
_WHITESPACE = "".join(re.escape(chr(cp)) for cp in range(0x10000) if chr(cp).isspace())
#: Characters removed as noise wherever they occur.
_NOISE_CLASS = (
    _WHITESPACE
    + r"\u00a0\u00ad\u00b7\u200b-\u200f\u2010-\u2027\u2030-\u205e\u2060-\u2064\u2190-\u21ff"
    r"\u2300-\u23ff\u2500-\u27bf\u2b00-\u2bff\u3001-\u3003\u3008-\u3011\u3014-\u301f\u30fb"
    r"\ufe00-\ufe0f\ufe10-\ufe1f\ufe30-\ufe4f\ufeff\uff65\U0001f000-\U0001faff" + _ASCII_NOISE
)
#: Noise runs; a period is kept only between two digits (3.5, 9.9).
NOISE_PATTERN = "[" + _NOISE_CLASS + r"]+|(?<!\d)\.+|\.(?!\d)"

_T2S_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))


@lru_cache(maxsize=1)
def char_table() -> dict[int, str]:
    """The one-to-one table: NFKC + case folding for every BMP character, then OpenCC t2s."""
    table: dict[int, str] = {}
    for cp in range(0x41, 0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        mapped = unicodedata.normalize("NFKC", c).casefold()
        if len(mapped) == 1 and mapped != c:
            table[cp] = mapped
    try:
        import opencc

        converter = opencc.OpenCC("t2s")
    except ImportError:  # pragma: no cover - opencc is a declared dependency
        return table
    for lo, hi in _T2S_RANGES:
        chars = [table.get(cp, chr(cp)) for cp in range(lo, hi)]
        converted = converter.convert("\n".join(chars)).split("\n")
        if len(converted) != len(chars):  # pragma: no cover - defensive
            continue
        for cp, src, dst in zip(range(lo, hi), chars, converted, strict=True):
            if len(dst) == 1 and dst != src:
                table[cp] = dst
    return table


@dataclass(slots=True)
class NormalizedText:
    """Original text, its normalised form and the map between them (read-only by convention;
    not frozen because it is built for every utterance on the hot path)."""

    original: str
    norm: str
    #: the text after the character table, before noise removal; None when nothing was removed
    folded: str | None = None
    #: normalised offsets where a kept segment starts, and the original offset of that start
    #: (built on first use: most utterances never need it)
    seg_norm: tuple[int, ...] = ()
    seg_orig: tuple[int, ...] = ()

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span (end exclusive) to the original text's span."""
        if self.folded is None:
            return start, end
        if not self.seg_norm:
            self._segments()
        return self._pos(start), self._pos(end - 1) + 1

    def _segments(self) -> None:
        seg_norm: list[int] = []
        seg_orig: list[int] = []
        folded = self.folded or ""
        pos = npos = 0
        noise, _, no_period, _, _ = _patterns()
        for m in (noise if "." in folded else no_period).finditer(folded):
            s, e = m.span()
            if s > pos:
                seg_norm.append(npos)
                seg_orig.append(pos)
                npos += s - pos
            pos = e
        if pos < len(folded) or not seg_norm:
            seg_norm.append(npos)
            seg_orig.append(pos)
        self.seg_norm, self.seg_orig = tuple(seg_norm), tuple(seg_orig)

    def _pos(self, i: int) -> int:
        k = bisect_right(self.seg_norm, i) - 1
        return self.seg_orig[k] + i - self.seg_norm[k]


def _class_body(codepoints: list[int]) -> str:
    """The inside of a regex character class matching exactly ``codepoints`` (as ranges)."""
    out: list[str] = []
    i = 0
    while i < len(codepoints):
        j = i
        while j + 1 < len(codepoints) and codepoints[j + 1] == codepoints[j] + 1:
            j += 1
        lo, hi = codepoints[i], codepoints[j]
        out.append(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}")
        i = j + 1
    return "".join(out)


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], ...]:
    """The noise pattern, extended with every character the table maps to noise (full-width
    punctuation), and a class of the characters the table really has to change. Splitting them
    lets text whose only oddity is punctuation skip the character table; their union finds, in
    one pass, the first character that needs any work (most utterances have none)."""
    table = char_table()
    base = re.compile("[" + _NOISE_CLASS + "]")
    to_noise = sorted(cp for cp, v in table.items() if base.fullmatch(v))
    noise_class = _NOISE_CLASS + _class_body(to_noise)
    noise = re.compile("[" + noise_class + r"]+|(?<!\d)\.+|\.(?!\d)")
    maybe_noise = re.compile("[" + noise_class + r"\.]")  # one cheap class test first
    no_period = re.compile("[" + noise_class + "]+")  # enough when the text has no period
    changes_body = _class_body(sorted(set(table) - set(to_noise)))
    changes = re.compile("[" + changes_body + "]")
    work = re.compile("[" + noise_class + r"\." + changes_body + "]")
    return noise, maybe_noise, no_period, changes, work


class Normalizer:
    """Turn an utterance into a :class:`NormalizedText` (one method, precomputed tables)."""

    def __init__(self) -> None:
        self._table = char_table()
        noise, maybe_noise, no_period, changes, work = _patterns()
        self._work = work.search
        self._changes = changes.search
        self._maybe_noise = maybe_noise.search
        self._sub = noise.sub
        self._sub_no_period = no_period.sub

    def __call__(self, text: str) -> NormalizedText:
        return NormalizedText(text, *self.split(text))

    def split(self, text: str) -> tuple[str, str | None]:
        """The normalised text and the folded text it came from (``None`` when no character
        was removed, so offsets are the same). The engine calls this on its hot path and builds
        the :class:`NormalizedText` only when the matcher found a candidate."""
        first = self._work(text)
        if first is None:  # nothing to fold, nothing to remove
            return text, None
        pos = first.start()  # everything before it is already normal
        # fold from there on only: the table costs a dictionary miss per character
        folded = (
            text[:pos] + text[pos:].translate(self._table) if self._changes(text, pos) else text
        )
        if self._maybe_noise(folded, pos) is None:
            return folded, None
        norm = self._sub("", folded) if "." in folded else self._sub_no_period("", folded)
        if len(norm) == len(folded):  # nothing removed: offsets are the same
            return norm, None
        return norm, folded

    def phrase(self, text: str) -> str:
        """Normalise a trigger phrase the same way as text (offsets not needed)."""
        return self._sub("", text.translate(self._table))
