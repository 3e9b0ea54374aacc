"""Chinese numerals as spoken on air: parsing, ranges, scanning text, and writing numbers."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from liveqc.engine.numerals import (
    find_numbers,
    parse_number,
    parse_range,
    read_number_at,
    to_chinese,
    to_halfwidth,
)

NUMBERS = [
    ("十", 10), ("十五", 15), ("二十", 20), ("九十九", 99), ("一百", 100), ("一百二", 120),
    ("一百二十", 120), ("一百零五", 105), ("两百九十九", 299), ("二百五", 250), ("一千五", 1500),
    ("一千零五", 1005), ("一千零五十", 1050), ("一千二百九十九", 1299), ("一千二九九", 1299),
    ("一百九九", 199), ("一万", 10000), ("一万二", 12000), ("两万五", 25000), ("三万五千", 35000),
    ("一万零五百", 10500), ("十万", 100000), ("三十五万", 350000), ("一百万", 1000000),
    ("一千二万", 12000000), ("一亿", 100000000), ("三九九", 399), ("幺九九", 199),
    ("两九九", 299), ("九九", 99), ("二零二四", 2024), ("九点九", Decimal("9.9")),
    ("九十九点九", Decimal("99.9")), ("零点五", Decimal("0.5")), ("一点五万", 15000),
    ("1.2万", 12000), ("1万2", 12000), ("3千5", 3500), ("12万", 120000), ("99", 99),
    ("1,299", 1299), ("９９", 99), ("19.9", Decimal("19.9")), ("壹佰贰拾", 120),
]  # fmt: skip

NOT_NUMBERS = [
    "", "百", "千万", "一百两", "十两", "二两", "九十九九", "点九", "九点", "一点点", "零五",
    "三九九九九", "两两", "十十", "百十", "1.2.3", "九块九", "abc",
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), NUMBERS)
def test_spoken_number_is_read(text: str, value: int | Decimal) -> None:
    assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_malformed_number_is_refused(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("三四百", 300, 400), ("五六十", 50, 60), ("十七八", 17, 18), ("一两百", 100, 200),
        ("两三千", 2000, 3000), ("一百七八", 170, 180), ("三四十万", 300000, 400000),
        ("两三万", 20000, 30000), ("三五百", 300, 500), ("七八", 7, 8),
    ],
)  # fmt: skip
def test_two_neighbouring_digits_are_a_range(text: str, low: int, high: int) -> None:
    assert parse_range(text) == (Decimal(low), Decimal(high))


@pytest.mark.parametrize("text", ["一二九", "三九九", "四三百", "九十九", "二四", "一百"])
def test_digit_strings_and_plain_numbers_are_not_ranges(text: str) -> None:
    assert parse_range(text) is None


def test_writing_and_reading_back_agree() -> None:
    rng = random.Random(7)
    values = [*range(0, 2100), *(rng.randrange(10**9) for _ in range(2000))]
    for n in values:
        assert parse_number(to_chinese(n)) == n, (n, to_chinese(n))


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "零"), (10, "十"), (15, "十五"), (101, "一百零一"), (110, "一百一十"), (1005, "一千零五"),
     (10001, "一万零一"), (100000, "十万"), (123456789, "一亿二千三百四十五万六千七百八十九")],
)  # fmt: skip
def test_number_is_written_in_standard_numerals(n: int, text: str) -> None:
    assert to_chinese(n) == text


def test_negative_number_cannot_be_written() -> None:
    with pytest.raises(ValueError):
        to_chinese(-1)


def test_find_numbers_splits_numbers_said_in_a_row() -> None:
    spans = find_numbers("原价两百九十九今天九十九九十九一九十九")
    assert [(s.start, s.end, s.values) for s in spans] == [
        (2, 7, (Decimal(299),)),
        (9, 12, (Decimal(99),)),
        (12, 15, (Decimal(99),)),
        (15, 16, (Decimal(1),)),
        (16, 19, (Decimal(99),)),
    ]


def test_find_numbers_marks_vague_and_approximate_numbers() -> None:
    vague, approx = find_numbers("几十块 三千多万")
    assert vague.is_vague and vague.values == ()
    assert approx.is_approximate and approx.values == (Decimal(30_000_000),)
    assert (approx.start, approx.end) == (4, 8)


def test_read_number_at_gives_the_elided_unit_back_to_a_count() -> None:
    span = read_number_at("一百二一百二", 0)
    assert span is not None and (span.end, span.values) == (3, (Decimal(120),))
    assert read_number_at("原价", 0) is None


def test_to_halfwidth_keeps_one_character_for_one() -> None:
    text = "￥１９９．９　元"
    assert to_halfwidth(text) == "¥199.9 元" and len(to_halfwidth(text)) == len(text)


def test_half_width_maps_full_width_ascii_and_nothing_else() -> None:
    wide = {"\u3000": " ", "￥": "¥", "￠": "¢", "￡": "£"}
    for cp in range(0x10000):
        c = chr(cp)
        if 0xD800 <= cp < 0xE000:
            continue
        want = chr(cp - 0xFEE0) if 0xFF01 <= cp <= 0xFF5E else wide.get(c, c)
        assert to_halfwidth(c) == want
    assert to_halfwidth("原价２９９元，现在￥９９") == "原价299元,现在¥99"
    assert to_halfwidth("两百九十九") == "两百九十九"
