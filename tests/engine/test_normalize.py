import random
import re

import pytest

from liveqc.engine.normalize import _WHITESPACE, Normalizer, _patterns, char_table

NOISE = [" ", "*", "-", "/", "，", "。", "\u200b", "😀", "~", "　", "!", "【", "】", "·"]


@pytest.fixture(scope="module")
def normalizer() -> Normalizer:
    return Normalizer()


def test_width_case_and_traditional_are_folded_one_to_one(normalizer: Normalizer) -> None:
    nt = normalizer("這款ＳＰＦ５０面霜最好")
    assert nt.norm == "这款spf50面霜最好"
    assert nt.to_original(9, 11) == (9, 11)
    assert nt.original[9:11] == "最好"


def test_noise_between_characters_is_removed(normalizer: Normalizer) -> None:
    assert normalizer("最*低*价").norm == "最低价"
    assert normalizer("最 好 用").norm == "最好用"
    assert normalizer("最\u200b好😀用").norm == "最好用"


def test_decimal_point_between_digits_is_kept(normalizer: Normalizer) -> None:
    assert normalizer("原价9.9元。NO.1").norm == "原价9.9元no1"


def test_span_maps_back_to_original_text_with_noise_inside(normalizer: Normalizer) -> None:
    text = "家人们 最 * 好 用！"
    nt = normalizer(text)
    start = nt.norm.index("最好")
    s, e = nt.to_original(start, start + 2)
    assert text[s:e] == "最 * 好"


def test_offsets_survive_random_noise_insertion(normalizer: Normalizer) -> None:
    rng = random.Random(7)
    base = "家人们这款面霜真的最好用还有全网最低价赶紧加微信"
    for _ in range(300):
        chars: list[str] = []
        for c in base:
            chars.append(c)
            if rng.random() < 0.4:
                chars.append("".join(rng.choice(NOISE) for _ in range(rng.randint(1, 3))))
        text = "".join(chars)
        nt = normalizer(text)
        assert nt.norm == base
        for word in ("最好", "全网最低价", "加微信", "家人们"):
            i = nt.norm.index(word)
            s, e = nt.to_original(i, i + len(word))
            assert normalizer(text[s:e]).norm == word
            assert text[s] == word[0] and text[e - 1] == word[-1]


def test_text_without_noise_maps_identically(normalizer: Normalizer) -> None:
    nt = normalizer("最好用")
    assert nt.folded is None
    assert nt.to_original(0, 2) == (0, 2)


def test_the_offset_map_is_built_only_when_needed(normalizer: Normalizer) -> None:
    nt = normalizer("，最 好")
    assert nt.seg_norm == ()
    assert nt.to_original(0, 2) == (1, 4)
    assert nt.seg_norm == (0, 1)


def test_text_that_is_all_noise(normalizer: Normalizer) -> None:
    nt = normalizer("，。 ")
    assert nt.norm == ""


def test_phrase_normalises_like_text(normalizer: Normalizer) -> None:
    assert normalizer.phrase("V 信") == normalizer("V 信").norm == "v信"


def test_split_gives_the_same_text_and_offsets_as_a_full_normalisation(
    normalizer: Normalizer,
) -> None:
    rng = random.Random(7)
    pieces = ["最好", "ＳＰＦ", "這款", "9.9", "面霜", "NO.1", "家人们", *NOISE]
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        norm, folded = normalizer.split(text)
        nt = normalizer(text)
        assert (nt.norm, nt.folded) == (norm, folded)
        assert norm == normalizer.phrase(text)
        for i in range(len(norm)):
            s, e = nt.to_original(i, i + 1)
            assert text[s:e].translate(char_table()) == norm[i]


def test_whitespace_is_spelled_out_exactly_as_backslash_s() -> None:
    spelled = re.compile("[" + _WHITESPACE + "]")
    for cp in range(0x110000):
        c = chr(cp)
        if 0xD800 <= cp < 0xE000:
            continue
        assert (spelled.match(c) is not None) == c.isspace() == (re.match(r"\s", c) is not None)


def test_the_first_character_needing_work_is_found_by_one_class() -> None:
    """``work`` is the union of the table's characters and noise: text it does not match is
    already normal, so the engine skips both steps."""
    _, maybe_noise, _, changes, work = _patterns()
    for cp in [*range(0x10000), *range(0x1F000, 0x1FB00)]:
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        either = changes.match(c) is not None or maybe_noise.match(c) is not None
        assert (work.match(c) is not None) == either
