"""Evasion variants of trigger phrases, generated once when the catalogue is built.

Rather than rewriting the text (which would move offsets and turn 喝醉了 into 喝最了), every
trigger phrase is expanded into the spellings hosts use to dodge filters: homophones and
look-alikes (醉低价, 决对), aliases (V信, vx, 薇信 for 微信), digits for Chinese numerals (第1), and
pinyin or its initial for one character (zui低价, z低价) or the whole phrase (zuidijia). The
tables are data (``data/variants.yaml``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Any

import yaml

from liveqc.engine.normalize import Normalizer

DATA_FILE = Path(__file__).resolve().parent / "data" / "variants.yaml"

#: Most pinyin readings used per character (pypinyin lists the common one first).
_MAX_READINGS = 1
#: Most whole-phrase pinyin spellings per phrase (product of readings).
_MAX_FULL_PINYIN = 4


@lru_cache(maxsize=1)
def load_variant_data() -> dict[str, Any]:
    """The homophone, alias, numeral and sense tables."""
    with DATA_FILE.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def _is_cjk(c: str) -> bool:
    return "\u3400" <= c <= "\u9fff"


@lru_cache(maxsize=8192)
def _readings(c: str) -> tuple[str, ...]:
    from pypinyin import Style, pinyin

    got = pinyin(c, style=Style.NORMAL, heteronym=True, errors="ignore")
    if not got:
        return ()
    return tuple(r for r in got[0] if r.isascii() and r.isalpha())[:_MAX_READINGS]


def _initials(reading: str) -> tuple[str, ...]:
    if reading[:2] in ("zh", "ch", "sh"):
        return (reading[0], reading[:2])
    return (reading[0],)


@dataclass
class VariantExpander:
    """Expand a normalised trigger phrase into its evasion spellings."""

    normalizer: Normalizer = field(default_factory=Normalizer)

    def __post_init__(self) -> None:
        data = load_variant_data()
        norm = self.normalizer.phrase
        self.homophones: dict[str, tuple[str, ...]] = {
            norm(k): tuple(norm(str(v)) for v in vs) for k, vs in data["homophones"].items()
        }
        self.numerals: dict[str, tuple[str, ...]] = {}
        for k, vs in data["numerals"].items():
            alts = tuple(norm(str(v)) for v in vs)
            self.numerals[k] = alts
        self.aliases: dict[str, tuple[str, ...]] = {
            norm(k): tuple(norm(str(v)) for v in vs) for k, vs in data["aliases"].items()
        }

    def expand(self, phrase: str, *, pinyin: bool = True) -> set[str]:
        """All spellings of ``phrase`` (already normalised), the phrase itself included."""
        if not phrase:
            return set()
        bases = {phrase}
        for key, alts in self.aliases.items():
            if key in phrase:
                bases.update(phrase.replace(key, alt) for alt in alts)
        out: set[str] = set(bases)
        for base in bases:
            for v in self._char_variants(base, pinyin=pinyin and base == phrase):
                # a mixed spelling keeps at least one character (d1 or zh alone match anything)
                if v in out or any(_is_cjk(c) for c in v) or (v.isalpha() and len(v) > 3):
                    out.add(v)
        return out

    def _char_variants(self, phrase: str, *, pinyin: bool) -> Iterable[str]:
        chars = list(phrase)
        yield phrase
        if len(chars) < 2:
            return
        subs: list[tuple[str, ...]] = []  # homophone / numeral substitutes per position
        latin: list[tuple[str, ...]] = []  # pinyin / initials per position
        for c in chars:
            subs.append(self.homophones.get(c, ()) + self.numerals.get(c, ()))
            if pinyin and _is_cjk(c):
                spellings: list[str] = []
                for r in _readings(c):
                    spellings.append(r)
                    if len(latin) < len(chars) - 1:  # an initial never ends the phrase
                        spellings.extend(_initials(r))
                latin.append(tuple(dict.fromkeys(spellings)))
            else:
                latin.append(())
        n = len(chars)
        for i in range(n):
            for alt in subs[i]:
                yield "".join(chars[:i]) + alt + "".join(chars[i + 1 :])
                for j in range(n):  # one homophone and one more substitution
                    if j == i:
                        continue
                    for alt2 in subs[j] + latin[j]:
                        v = chars.copy()
                        v[i], v[j] = alt, alt2
                        yield "".join(v)
            for sp in latin[i]:
                yield "".join(chars[:i]) + sp + "".join(chars[i + 1 :])
        for c in dict.fromkeys(chars):  # a repeated character spelled the same everywhere
            if chars.count(c) > 1:
                for sp in latin[chars.index(c)]:
                    yield phrase.replace(c, sp)
        if pinyin and all(latin) and n <= 8:
            full = [_readings(c) for c in chars]
            if all(full):
                for k, combo in enumerate(product(*full)):
                    if k >= _MAX_FULL_PINYIN:
                        break
                    yield "".join(combo)
