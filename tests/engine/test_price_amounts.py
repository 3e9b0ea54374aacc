"""Reading amounts with their money words, and the offsets back into the transcript."""

from __future__ import annotations

from decimal import Decimal

import pytest

from liveqc.engine.numerals import to_halfwidth
from liveqc.engine.price_amounts import counts, may_say_a_number, normalise, scan_amounts


def read(text: str) -> list[tuple[str, tuple[Decimal, ...], str]]:
    s, _ = normalise(text)
    return [(s[a.start : a.end], a.values, a.money) for a in scan_amounts(s)]


@pytest.mark.parametrize(
    ("text", "said", "value", "money"),
    [
        ("九块九", "九块九", "9.9", "kuai"),
        ("九块九毛九", "九块九毛九", "9.99", "kuai"),
        ("两块五毛钱", "两块五毛钱", "2.5", "kuai"),
        ("三块零五", "三块零五", "3.05", "kuai"),
        ("一块半", "一块半", "1.5", "kuai"),
        ("九十九块钱", "九十九块钱", "99", "yuan"),
        ("九毛九", "九毛九", "0.99", "mao"),
        ("五毛钱", "五毛钱", "0.5", "yuan"),
        ("¥59.9", "¥59.9", "59.9", "yuan"),
        ("两百米", "两百米", "200", "mi"),
        ("2w", "2w", "20000", "mult"),
        ("三百多块", "三百多块", "300", "kuai"),
        ("九十九", "九十九", "99", ""),
    ],
)
def test_amount_is_read_with_its_money_words(text: str, said: str, value: str, money: str) -> None:
    assert read(text) == [(said, (Decimal(value),), money)]


def test_a_count_after_kuai_is_not_read_as_jiao() -> None:
    assert read("十块三个")[0][:2] == ("十块", (Decimal(10),))
    assert read("九块九两瓶")[0][:2] == ("九块九", (Decimal("9.9"),))


def test_the_last_digit_before_a_counting_word_is_the_count() -> None:
    assert [r[1] for r in read("两百一件")] == [(Decimal(200),), (Decimal(1),)]
    assert read("三九九一件")[0][1] == (Decimal(399),)


def test_x_to_y_is_a_range_and_the_bare_end_is_scaled() -> None:
    s, _ = normalise("三到五百块")
    low, high = scan_amounts(s)
    assert low.values == (Decimal(300),) and low.partner is high and high.partner is low


def test_vague_numbers_are_skipped() -> None:
    assert read("几十块钱") == [] and read("好几百") == []


def test_normalise_joins_an_amount_split_by_spaces_and_keeps_offsets() -> None:
    text = "原价 两百 九十九 元  今天 九十九"
    s, index = normalise(text)
    assert s == "原价 两百九十九元 今天 九十九"
    assert all(text[index[i]] == s[i] or s[i] == " " for i in range(len(s)))
    assert index[-1] == len(text)


def test_normalise_keeps_a_pause_between_two_prices() -> None:
    assert normalise("九十九 九十九")[0] == "九十九 九十九"
    assert normalise("三十九块九 三十九块九")[0] == "三十九块九 三十九块九"


def test_counting_words() -> None:
    assert counts("三件", 1) and not counts("九十九包邮", 3) and not counts("两瓶", 0)


@pytest.mark.parametrize(
    "text",
    ["原价ＡＢ塊錢两百", "ΣΑΣ原价", "İstanbul九十九", "九十九元", "", "两百 九十九", "299 元 包邮"],
)
def test_normalise_is_half_width_lower_case_with_an_offset_per_character(text: str) -> None:
    s, index = normalise(text)
    if text.split() == [text]:  # no space: each character maps to its own lower case
        trad = {"塊": "块", "圓": "圆", "錢": "钱", "萬": "万", "億": "亿"}
        half = to_halfwidth(text)
        assert s == "".join(trad.get(c) or c.lower() for c in half)
        assert index == list(range(len(text) + 1))
    else:  # spaces inside an amount go, other runs become one
        assert len(index) == len(s) + 1 and index[-1] == len(text)
        assert "  " not in s


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("家人们看一下这个质地", True),  # 一 can start a number
        ("今天给大家带来的是这款补水精华", False),
        ("链接已经上好了，大家可以去看看", False),
        ("到手价９９", True),
        ("萬元户", True),
        ("几块钱", True),
    ],
)
def test_the_pre_check_never_skips_a_sentence_with_a_number_start(
    text: str, expected: bool
) -> None:
    assert may_say_a_number(text) is expected
    if not expected:
        assert scan_amounts(normalise(text)[0]) == []
