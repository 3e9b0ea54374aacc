"""Validators checked against published examples and an independent check-character model."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

import pytest

from liveqc.errors import ValidationFailed
from liveqc.products import validators as v

# --- an independent model of GB 32100-2015 -----------------------------------------------------
# Character values: digits 0-9, then the Latin letters minus I, O, S, V, Z numbered from 10.
_LETTERS = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in "IOSVZ"]
_VALUES = {**{str(d): d for d in range(10)}, **{c: 10 + i for i, c in enumerate(_LETTERS)}}
_BY_VALUE = {n: c for c, n in _VALUES.items()}


def model_uscc_check(first17: str) -> str:
    """Weight of position i is 3**i mod 31, check = (31 - sum mod 31) mod 31."""
    total = sum(_VALUES[c] * pow(3, i, 31) for i, c in enumerate(first17))
    return _BY_VALUE[(31 - total % 31) % 31]


def model_gtin_check(body: str) -> str:
    """Pad to 17 digits; odd positions from the left weigh 3 (the GS1 general table)."""
    padded = body.rjust(17, "0")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(padded))
    return str(-total % 10)


def random_uscc(rng: random.Random) -> str:
    alphabet = "".join(_VALUES)
    authority = rng.choice("159Y")
    body = (
        authority
        + rng.choice("123")
        + "".join(rng.choice("0123456789") for _ in range(6))
        + "".join(rng.choice(alphabet) for _ in range(9))
    )
    return body + model_uscc_check(body)


def test_model_agrees_with_published_uscc_example() -> None:
    assert model_uscc_check("91350100M000100Y4") == "3"


def test_published_uscc_example_is_valid_and_split_into_parts() -> None:
    check = v.parse_uscc("91350100M000100Y43")
    assert check.ok
    assert check.parts["division_code"] == "350100"
    assert check.parts["authority_name"] == "工商"
    assert check.parts["organization_code"] == "M000100Y4"


def test_uscc_is_normalised_from_full_width_lower_case_and_spaces() -> None:
    assert v.parse_uscc(" ９１３５0100m000100y43 ").value == "91350100M000100Y43"


def test_random_usccs_from_the_model_are_valid() -> None:
    rng = random.Random(32100)
    for _ in range(300):
        code = random_uscc(rng)
        assert v.is_valid_uscc(code), code


def test_any_single_substitution_breaks_the_uscc_check() -> None:
    rng = random.Random(2015)
    alphabet = "".join(_VALUES)
    for _ in range(200):
        code = random_uscc(rng)
        pos = rng.randrange(8, 18)  # the free part, so structure checks do not mask the checksum
        new = rng.choice(alphabet.replace(code[pos], ""))
        assert not v.is_valid_uscc(code[:pos] + new + code[pos + 1 :])


def test_wrong_uscc_check_character_names_the_expected_one() -> None:
    check = v.parse_uscc("91350100M000100Y44")
    assert not check.ok
    assert "expected 3" in check.reason


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_letters_gb32100_forbids_are_rejected(letter: str) -> None:
    code = "91350100M00010" + letter + "Y43"
    check = v.parse_uscc(code)
    assert not check.ok
    assert letter in check.reason and "not allowed" in check.reason


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y433", ""])
def test_uscc_of_wrong_length_is_rejected(code: str) -> None:
    assert "18 characters" in v.parse_uscc(code).reason


def test_uscc_with_undefined_authority_or_letters_in_division_code_is_rejected() -> None:
    body = "B1350100M000100Y4"
    assert "authority" in v.parse_uscc(body + model_uscc_check(body)).reason
    body = "9135A100M000100Y4"
    assert "division code" in v.parse_uscc(body + model_uscc_check(body)).reason


def test_embedded_organisation_code_failure_is_a_note_not_a_rejection() -> None:
    body = "91350100M000100Y5"  # organisation code check character altered
    check = v.parse_uscc(body + model_uscc_check(body))
    assert check.ok
    assert any("GB 11714" in n for n in check.notes)


def test_require_raises_validation_failed_naming_the_field() -> None:
    with pytest.raises(ValidationFailed, match=r"^supplier\.credit_code: .*check character"):
        v.parse_uscc("91350100M000100Y44").require("supplier.credit_code")
    assert v.parse_uscc("91350100M000100Y43").require("x") == "91350100M000100Y43"


# --- GTIN ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "fmt"),
    [
        ("96385074", "GTIN-8"),  # EAN-8 example
        ("036000291452", "GTIN-12"),  # UPC-A example
        ("4006381333931", "GTIN-13"),  # EAN-13 example
        ("6901234567892", "GTIN-13"),
        ("10012345678902", "GTIN-14"),
    ],
)
def test_published_gtins_of_every_length_are_valid(code: str, fmt: str) -> None:
    check = v.parse_gtin(code)
    assert check.ok, check.reason
    assert check.parts["format"] == fmt
    assert check.parts["gtin14"] == code.zfill(14)


@pytest.mark.parametrize("length", [8, 12, 13, 14])
def test_model_gtins_of_every_length_pass_and_wrong_check_digits_fail(length: int) -> None:
    rng = random.Random(length)
    for _ in range(100):
        body = str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(length - 2))
        good = body + model_gtin_check(body)
        assert v.is_valid_gtin(good), good
        bad = body + str((int(good[-1]) + rng.randint(1, 9)) % 10)
        assert not v.is_valid_gtin(bad)
        assert "check digit" in v.parse_gtin(bad).reason


@pytest.mark.parametrize("code", ["1234567", "123456789", "12345678901", "123456789012345"])
def test_gtin_of_wrong_length_is_rejected(code: str) -> None:
    assert "8, 12, 13 or 14" in v.parse_gtin(code).reason


def test_gtin_rejects_letters_and_all_zeros_and_accepts_spaces() -> None:
    assert "digits only" in v.parse_gtin("400638133393A").reason
    assert not v.is_valid_gtin("0000000000000")
    assert v.parse_gtin("400 6381 33393 1").value == "4006381333931"


def test_chinese_prefix_and_restricted_circulation_are_reported() -> None:
    assert v.parse_gtin("6901234567892").parts["registered_in"] == "CN"
    body = "200123456789"
    check = v.parse_gtin(body + model_gtin_check(body))
    assert check.ok and check.notes


# --- document numbers ---------------------------------------------------------------------------

TODAY = date(2026, 6, 1)
Parser = Callable[[str], v.NumberCheck]

VALID = [
    (v.parse_ccc_certificate, "2021010703412345", {"year": "2021", "body": "01"}),
    (v.parse_special_cosmetic_registration, "国妆特字G20210123", {"origin": "domestic"}),
    (v.parse_special_cosmetic_registration, "国妆特进字J20190456", {"origin": "imported"}),
    (v.parse_cosmetic_filing, "粤G妆网备字2021123456", {"province": "粤", "origin": "domestic"}),
    (
        v.parse_cosmetic_filing,
        "国妆网备进字（沪）2022001234",
        {"province": "沪", "origin": "imported"},
    ),
    (v.parse_sc_license, "SC10644010600012", {"category": "106", "province": "44"}),
    (v.parse_sc_license, "SC20132058100013", {"product": "food_additive"}),
    (v.parse_food_business_license, "JY14401060012345", {"business_type": "1"}),
    (v.parse_health_food_registration, "国食健注G20190123", {"origin": "domestic"}),
    (v.parse_health_food_registration, "国食健注J20200012", {"origin": "imported"}),
    (v.parse_health_food_filing, "食健备G201832000123", {"province": "32"}),
    (v.parse_health_food_filing, "食健备J202100000045", {"origin": "imported"}),
    (v.parse_device_registration, "国械注准20213140123", {"device_class": "3"}),
    (v.parse_device_registration, "国械注进20162460001", {"origin": "imported"}),
    (v.parse_device_registration, "国械注许20183060009", {"origin": "hk_macao_taiwan"}),
    (v.parse_device_registration, "粤械注准20192140123号", {"issuer": "粤"}),
    (v.parse_device_filing, "粤穗械备20180123", {"issuer": "粤穗"}),
    (v.parse_device_filing, "国械备20150001", {"origin": "imported"}),
    (v.parse_drug_approval, "国药准字H20065432", {"drug_type": "H", "origin": "domestic"}),
    (v.parse_drug_approval, "国药准字Z11020001", {"drug_type": "Z"}),
    (v.parse_drug_approval, "国药准字HJ20200001", {"origin": "imported"}),
    (v.parse_drug_approval, "国药准字SC20210005", {"origin": "hk_macao_taiwan"}),
    (v.parse_customs_declaration, "222020211000123456", {"direction": "1"}),
]


@pytest.mark.parametrize(("parser", "number", "parts"), VALID)
def test_valid_document_numbers_parse_into_parts(
    parser: Parser, number: str, parts: dict[str, str]
) -> None:
    check = parser(number)
    assert check.ok, check.reason
    assert parts.items() <= dict(check.parts).items()


INVALID = [
    (v.parse_ccc_certificate, "202101070341234", "format"),  # 15 digits
    (v.parse_ccc_certificate, "2021000703412345", "body code 00"),
    (v.parse_special_cosmetic_registration, "国妆特字20210123", "format"),  # G missing
    (v.parse_special_cosmetic_registration, "国妆特字G2021012", "format"),
    (v.parse_special_cosmetic_registration, "国妆特进字G20190456", "format"),
    (v.parse_cosmetic_filing, "粤G妆网备字202112345", "format"),  # 5-digit serial
    (v.parse_cosmetic_filing, "港G妆网备字2021123456", "format"),  # not a province
    (v.parse_sc_license, "SC30644010600012", "first being 1 or 2"),
    (v.parse_sc_license, "SC1064401060001", "14 digits"),
    (v.parse_sc_license, "SC10699010600012", "province code 99"),
    (v.parse_sc_license, "QS4401 0601 0001", "QS"),
    (v.parse_health_food_registration, "国食健注G2019012", "format"),
    (v.parse_health_food_filing, "食健备J202144000045", "00"),
    (v.parse_health_food_filing, "食健备G201899000123", "province code 99"),
    (v.parse_device_registration, "国械注准20212140123", "province"),  # NMPA + domestic + class II
    (v.parse_device_registration, "粤械注准20193140123", "class II"),
    (v.parse_device_registration, "粤械注进20192140123", "NMPA"),
    (v.parse_device_registration, "国械注准20211140123", "format"),  # class 1 cannot register
    (v.parse_device_filing, "粤穗械备2018012", "format"),
    (v.parse_drug_approval, "国药准字X20065432", "format"),
    (v.parse_drug_approval, "国药准字H2006543", "format"),
    (v.parse_customs_declaration, "222020210000123456", "import"),
    (v.parse_customs_declaration, "22202021100012345", "format"),
]


@pytest.mark.parametrize(("parser", "number", "why"), INVALID)
def test_invalid_document_numbers_say_why(parser: Parser, number: str, why: str) -> None:
    check = parser(number)
    assert not check.ok
    assert why in check.reason


def test_years_in_the_future_are_rejected_only_when_today_is_known() -> None:
    assert v.parse_ccc_certificate("2027010703412345").ok
    check = v.parse_ccc_certificate("2027010703412345", today=TODAY)
    assert "future" in check.reason
    assert not v.parse_special_cosmetic_registration("国妆特字G20270123", today=TODAY).ok
    assert not v.parse_health_food_filing("食健备G201432000123").ok  # filing began 2016


@pytest.mark.parametrize(
    ("parser", "number"),
    [
        (v.parse_special_cosmetic_registration, "卫妆特字(2008)第0123号"),
        (v.parse_special_cosmetic_registration, "卫妆特进字（2010）第0456号"),
        (v.parse_cosmetic_filing, "国妆备进字J20150012"),
        (v.parse_health_food_registration, "国食健字G20100123"),
        (v.parse_health_food_registration, "卫食健字(2002)第0123号"),
    ],
)
def test_legacy_numbers_are_accepted_but_marked(parser: Parser, number: str) -> None:
    check = parser(number)
    assert check.ok and check.legacy and check.notes


def test_legacy_imported_special_cosmetic_is_imported() -> None:
    assert (
        v.parse_special_cosmetic_registration("卫妆特进字(2010)第0456号").parts["origin"]
        == "imported"
    )


@pytest.mark.parametrize("text", ["", "   ", "x" * 65, "RPT\x00001"])
def test_free_text_numbers_must_be_present_bounded_and_printable(text: str) -> None:
    assert not v.parse_free_text(text, "inspection report number").ok


def test_free_text_numbers_keep_their_content() -> None:
    check = v.parse_free_text("  SGS  No. CANEC2312345601 ", "inspection report number")
    assert check.ok and check.value == "SGS No. CANEC2312345601"


def test_boolean_shortcuts_agree_with_parsers() -> None:
    assert v.is_valid_sc_license("SC10644010600012")
    assert not v.is_valid_sc_license("SC10644010600012X")
    assert v.is_valid_device_filing("国械备20150001")
    assert not v.is_valid_drug_approval("国药准字")
