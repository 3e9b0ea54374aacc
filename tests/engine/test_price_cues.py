"""The price cue tables stay consistent: known kinds, seller words among the cues."""

from __future__ import annotations

import random

from liveqc.engine.price_cues import (
    ADJACENT,
    AFTER,
    CLASSIFIERS,
    CUES,
    FOLLOW_CHARS,
    MAX_CUE,
    NOT_SELLING,
    SELLER_WORDS,
)
from liveqc.engine.prices import KINDS, _cues_in


def test_every_cue_has_a_known_kind_and_strength() -> None:
    for word, (kind, strength) in CUES.items():
        assert word and " " not in word
        assert kind in (*KINDS, "none", None), word
        assert strength in (0, 1, 2, 3), word
        assert (kind is None) == (strength == 0), word
    assert set(ADJACENT.values()) <= set(KINDS)
    assert set(AFTER.values()) <= {*KINDS, "support"}


def test_only_charges_other_than_the_price_decide_alone() -> None:
    assert {kind for kind, strength in CUES.values() if strength == 3} == {"other"}


def test_seller_words_are_current_cues() -> None:
    assert all(CUES[w][0] == "current" for w in SELLER_WORDS)


def test_masking_words_are_longer_than_the_cue_they_hide() -> None:
    masks = [w for w, (kind, _) in CUES.items() if kind is None]
    assert "运费险" in masks and all(len(w) >= 2 for w in masks)
    assert max(len(w) for w in (*CUES, *ADJACENT)) == MAX_CUE


def test_counting_words_never_pass_as_price_followers() -> None:
    assert not CLASSIFIERS & FOLLOW_CHARS
    assert "销量" in NOT_SELLING and "库存" in NOT_SELLING


def _cues_by_word_size(s: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    """Leftmost-longest cue words, by trying every size at every position (the reference)."""
    found, k = [], lo
    while k < hi:
        for size in range(min(MAX_CUE, hi - k), 0, -1):
            if s[k : k + size] in CUES or s[k : k + size] in ADJACENT:
                found.append((k, k + size, s[k : k + size]))
                k += size
                break
        else:
            k += 1
    return found


def test_cue_words_are_found_leftmost_longest() -> None:
    rng = random.Random(3)
    words = [*CUES, *ADJACENT, "九十九", "的", "块", "两百", " ", "，"]
    for _ in range(500):
        s = "".join(rng.choice(words) for _ in range(rng.randint(0, 9)))
        lo = rng.randint(0, len(s))
        hi = rng.randint(lo, len(s))
        assert _cues_in(s, lo, hi) == _cues_by_word_size(s, lo, hi)
