"""The requirements matrix per category and condition, and the document checker."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from liveqc.errors import ConfigurationError, ValidationFailed
from liveqc.products.documents import (
    Category,
    Condition,
    DocumentRecord,
    DocumentType,
    check_documents,
    load_matrix,
)

TODAY = date(2026, 6, 1)
D = DocumentType
USCC = "91350100M000100Y43"


def docs(*types: DocumentType, **numbers: str) -> list[DocumentRecord]:
    """One current document of each type, with a well-formed number."""
    good = {
        D.BUSINESS_LICENSE: USCC,
        D.CCC_CERTIFICATE: "2021010703412345",
        D.SPECIAL_COSMETIC_REGISTRATION: "国妆特字G20210123",
        D.COSMETIC_FILING: "粤G妆网备字2021123456",
        D.SC_LICENSE: "SC10644010600012",
        D.HEALTH_FOOD_REGISTRATION: "国食健注G20190123",
        D.HEALTH_FOOD_FILING: "食健备G201832000123",
        D.MEDICAL_DEVICE_REGISTRATION: "粤械注准20192140123",
        D.MEDICAL_DEVICE_FILING: "粤穗械备20180123",
        D.DRUG_APPROVAL: "国药准字H20065432",
        D.CUSTOMS_DECLARATION: "222020211000123456",
    }
    return [DocumentRecord(t, numbers.get(t.value, good.get(t, "No. 2026-001"))) for t in types]


def missing_types(category: str, conditions: list[str], have: list[DocumentRecord]) -> set[str]:
    result = check_documents(category, conditions, have, TODAY)
    return {t.value for m in result.missing for t in m.document_types}


BASE = [D.BUSINESS_LICENSE, D.INSPECTION_REPORT]


@pytest.mark.parametrize(
    ("category", "conditions", "needed"),
    [
        ("general", [], set()),
        ("apparel", [], set()),
        ("jewelry", [], set()),
        ("agriculture", [], set()),  # edible farm produce needs no SC licence
        ("baby", [], set()),
        ("baby", ["ccc_catalogue"], {"ccc_certificate"}),
        ("general", ["ccc_catalogue"], {"ccc_certificate"}),
        ("appliance", [], {"ccc_certificate"}),
        ("electronics", [], {"ccc_certificate"}),
        ("toy", [], {"ccc_certificate"}),
        ("toy", ["outside_ccc_catalogue"], set()),
        ("food", [], {"sc_license"}),
        ("food", ["imported"], {"customs_declaration", "inspection_certificate"}),
        ("health_food", [], {"sc_license", "health_food_registration", "health_food_filing"}),
        ("cosmetics", [], {"cosmetic_filing"}),
        (
            "cosmetics",
            ["whitening"],
            {"special_cosmetic_registration", "efficacy_evaluation_report"},
        ),
        ("cosmetics", ["hair_dye"], {"special_cosmetic_registration"}),
        (
            "cosmetics",
            ["sunscreen", "imported"],
            {
                "special_cosmetic_registration",
                "efficacy_evaluation_report",
                "customs_declaration",
                "inspection_certificate",
            },
        ),
        ("medical_device", [], {"medical_device_registration", "medical_device_filing"}),
        ("drug", [], {"drug_approval"}),
        ("tobacco", [], {"tobacco_monopoly_license"}),
        ("general", ["not_brand_owner"], {"brand_authorization"}),
        ("agriculture", ["organic_claim"], {"organic_certificate"}),
        ("food", ["green_food_claim"], {"sc_license", "green_food_certificate"}),
        (
            "agriculture",
            ["geographical_indication_claim"],
            {"geographical_indication_certificate"},
        ),
    ],
)
def test_matrix_asks_for_what_the_category_and_conditions_need(
    category: str, conditions: list[str], needed: set[str]
) -> None:
    assert missing_types(category, conditions, docs(*BASE)) == needed


@pytest.mark.parametrize("category", list(Category))
def test_every_category_needs_a_business_licence_and_a_test_report(category: Category) -> None:
    assert {"business_license", "inspection_report"} <= missing_types(category, [], [])


@pytest.mark.parametrize("efficacy", ["whitening", "freckle", "sunscreen", "anti_hair_loss"])
def test_special_efficacy_cosmetic_with_only_a_filing_misses_registration(efficacy: str) -> None:
    have = docs(*BASE, D.COSMETIC_FILING, D.EFFICACY_EVALUATION_REPORT)
    assert missing_types("cosmetics", [efficacy], have) == {"special_cosmetic_registration"}


def test_complete_file_is_ok() -> None:
    have = docs(*BASE, D.SPECIAL_COSMETIC_REGISTRATION, D.EFFICACY_EVALUATION_REPORT)
    result = check_documents(Category.COSMETICS, [Condition.SUNSCREEN], have, TODAY)
    assert result.ok
    assert not (result.missing or result.expired or result.expiring or result.invalid)


def test_health_food_is_satisfied_by_either_registration_or_filing() -> None:
    assert (
        missing_types("health_food", [], docs(*BASE, D.SC_LICENSE, D.HEALTH_FOOD_FILING)) == set()
    )


def test_missing_entries_carry_reason_and_legal_basis() -> None:
    result = check_documents("food", [], docs(*BASE), TODAY)
    (missing,) = result.missing
    assert missing.requirement == "food_production_license"
    assert "SC" in missing.reason and "食品安全法" in missing.basis
    assert not result.ok


def test_tobacco_is_blocked_whatever_the_documents() -> None:
    have = docs(*BASE, D.TOBACCO_MONOPOLY_LICENSE)
    result = check_documents("tobacco", [], have, TODAY)
    assert not result.missing
    assert [b.rule for b in result.blocked] == ["tobacco_online_sale"]
    assert not result.ok


def test_prescription_drugs_are_blocked_but_otc_drugs_are_not() -> None:
    have = docs(*BASE, D.DRUG_APPROVAL)
    assert not check_documents("drug", ["prescription_drug"], have, TODAY).ok
    assert check_documents("drug", [], have, TODAY).ok


# --- expiry -------------------------------------------------------------------------------------


def with_expiry(days: int, window: int = 30) -> tuple[list[str], list[str]]:
    have = [
        DocumentRecord(D.BUSINESS_LICENSE, USCC),
        DocumentRecord(D.INSPECTION_REPORT, "R-1", valid_to=TODAY + timedelta(days=days)),
    ]
    result = check_documents("general", [], have, TODAY, expiring_within_days=window)
    return [i.type.value for i in result.expired], [i.type.value for i in result.expiring]


def test_document_expiring_today_is_still_valid_with_zero_days_left() -> None:
    assert with_expiry(0) == ([], ["inspection_report"])


def test_document_expiring_in_30_days_is_flagged_and_in_31_is_not() -> None:
    assert with_expiry(30) == ([], ["inspection_report"])
    assert with_expiry(31) == ([], [])


def test_document_that_ended_yesterday_is_expired() -> None:
    assert with_expiry(-1) == (["inspection_report"], [])


def test_expiring_window_is_configurable() -> None:
    assert with_expiry(31, window=60) == ([], ["inspection_report"])
    assert with_expiry(5, window=0) == ([], [])
    with pytest.raises(ValidationFailed, match="expiring_within_days"):
        with_expiry(5, window=-1)


def test_expiring_entry_reports_days_left_and_date() -> None:
    have = [DocumentRecord(D.INSPECTION_REPORT, "R-1", valid_to=date(2026, 6, 11))]
    (issue,) = check_documents("general", [], have, TODAY).expiring
    assert issue.days_left == 10 and "2026-06-11" in issue.reason


def test_expired_document_is_superseded_by_a_current_one_of_the_same_type() -> None:
    have = [
        DocumentRecord(D.BUSINESS_LICENSE, USCC),
        DocumentRecord(D.INSPECTION_REPORT, "old", valid_to=date(2025, 1, 1)),
        DocumentRecord(D.INSPECTION_REPORT, "new", valid_to=date(2027, 1, 1)),
    ]
    result = check_documents("general", [], have, TODAY)
    (old,) = result.expired
    assert old.index == 1 and old.superseded
    assert result.ok


def test_only_an_expired_document_makes_the_file_not_ok() -> None:
    have = [
        DocumentRecord(D.BUSINESS_LICENSE, USCC),
        DocumentRecord(D.INSPECTION_REPORT, "old", valid_to=date(2025, 1, 1)),
    ]
    result = check_documents("general", [], have, TODAY)
    assert not result.missing and not result.ok
    assert not result.expired[0].superseded


def test_document_not_yet_valid_or_with_reversed_dates_is_invalid() -> None:
    have = [
        DocumentRecord(D.BUSINESS_LICENSE, USCC, valid_from=date(2026, 7, 1)),
        DocumentRecord(
            D.INSPECTION_REPORT, "R", valid_from=date(2026, 5, 1), valid_to=date(2026, 4, 1)
        ),
    ]
    reasons = [i.reason for i in check_documents("general", [], have, TODAY).invalid]
    assert "not valid before 2026-07-01" in reasons[0]
    assert "before valid_from" in reasons[1]


# --- numbers ------------------------------------------------------------------------------------


def test_malformed_numbers_are_listed_as_invalid_with_the_validator_reason() -> None:
    have = docs(*BASE, D.SC_LICENSE, sc_license="SC1064401060001")
    result = check_documents("food", [], have, TODAY)
    (issue,) = result.invalid
    assert issue.type is D.SC_LICENSE and "14 digits" in issue.reason
    assert not result.missing and not result.ok


def test_business_licence_number_is_checked_as_a_credit_code() -> None:
    have = docs(*BASE, business_license="91350100M000100Y44")
    (issue,) = check_documents("general", [], have, TODAY).invalid
    assert "check character" in issue.reason


def test_domestic_registration_on_imported_product_is_invalid() -> None:
    have = docs(
        *BASE,
        D.SPECIAL_COSMETIC_REGISTRATION,
        D.EFFICACY_EVALUATION_REPORT,
        D.CUSTOMS_DECLARATION,
        D.INSPECTION_CERTIFICATE,
    )
    result = check_documents("cosmetics", ["whitening", "imported"], have, TODAY)
    (issue,) = result.invalid
    assert "domestic number on an imported product" in issue.reason


def test_import_number_on_product_not_marked_imported_is_invalid() -> None:
    have = docs(*BASE, D.COSMETIC_FILING, cosmetic_filing="国妆网备进字(沪)2022001234")
    (issue,) = check_documents("cosmetics", [], have, TODAY).invalid
    assert "mark the product imported" in issue.reason


def test_number_with_a_future_year_is_invalid() -> None:
    have = docs(*BASE, D.CCC_CERTIFICATE, ccc_certificate="2027010703412345")
    (issue,) = check_documents("appliance", [], have, TODAY).invalid
    assert "future" in issue.reason


def test_legacy_numbers_pass_with_a_note() -> None:
    have = docs(*BASE, D.HEALTH_FOOD_REGISTRATION, D.SC_LICENSE)
    have[2] = DocumentRecord(D.HEALTH_FOOD_REGISTRATION, "国食健字G20100123")
    result = check_documents("health_food", [], have, TODAY)
    assert result.ok and any("legacy" in n for n in result.notes)


def test_brand_authorisation_may_have_no_number_but_a_report_must() -> None:
    have = [
        DocumentRecord(D.BUSINESS_LICENSE, USCC),
        DocumentRecord(D.BRAND_AUTHORIZATION, ""),
        DocumentRecord(D.INSPECTION_REPORT, " "),
    ]
    (issue,) = check_documents("general", ["not_brand_owner"], have, TODAY).invalid
    assert issue.type is D.INSPECTION_REPORT and "empty" in issue.reason


def test_documents_may_be_given_as_mappings() -> None:
    have: list[dict[str, object]] = [
        {"type": "business_license", "number": USCC},
        {"type": "inspection_report", "number": "R", "valid_to": TODAY},
    ]
    result = check_documents("general", [], have, TODAY)
    assert result.ok and len(result.expiring) == 1


def test_mapping_dates_may_be_iso_strings() -> None:
    have = [
        {"type": "business_license", "number": USCC, "valid_to": ""},
        {"type": "inspection_report", "number": "R", "valid_to": "2026-05-31"},
    ]
    (issue,) = check_documents("general", [], have, TODAY).expired
    assert issue.valid_to == date(2026, 5, 31)
    with pytest.raises(ValidationFailed, match=r"^documents\[0\]\.valid_to: not a date"):
        check_documents("general", [], [{"type": "business_license", "valid_to": "soon"}], TODAY)


# --- input errors and the matrix file -----------------------------------------------------------


def test_unknown_category_condition_or_type_raise_naming_the_field() -> None:
    with pytest.raises(ValidationFailed, match=r"^category: unknown value 'pets'"):
        check_documents("pets", [], [], TODAY)
    with pytest.raises(ValidationFailed, match=r"^conditions: unknown value 'shiny'"):
        check_documents("general", ["shiny"], [], TODAY)
    with pytest.raises(ValidationFailed, match=r"^documents\[0\]\.type"):
        check_documents("general", [], [{"type": "passport", "number": "x"}], TODAY)
    with pytest.raises(ValidationFailed, match=r"^documents\[0\]"):
        check_documents("general", [], [{"type": "business_license", "colour": "x"}], TODAY)


def test_contradictory_ccc_conditions_are_refused() -> None:
    with pytest.raises(ValidationFailed, match="contradict"):
        check_documents("toy", ["ccc_catalogue", "outside_ccc_catalogue"], [], TODAY)


def test_every_document_type_has_both_labels() -> None:
    for t in DocumentType:
        assert t.label_zh and t.label_en
        assert any("\u4e00" <= c <= "\u9fff" for c in t.label_zh)


def test_registration_names_follow_the_compliance_contract() -> None:
    assert D.SPECIAL_COSMETIC_REGISTRATION.registration == "special_cosmetic"
    assert D.HEALTH_FOOD_FILING.registration == "health_food"
    assert D.SC_LICENSE.registration == "sc_license"
    assert D.INSPECTION_REPORT.registration is None


def test_packaged_matrix_covers_every_category() -> None:
    matrix = load_matrix()
    named = {c for r in matrix.requirements for c in r.categories}
    assert set(Category) - named - {"general", "apparel", "jewelry", "baby", "agriculture"} == set()
    assert len({r.id for r in matrix.requirements}) == len(matrix.requirements)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("requirements:\n  - categories: ['*']\n    any_of: [business_license]\n", "needs an id"),
        (
            "requirements:\n  - id: a\n    categories: [pets]\n    any_of: [inspection_report]\n",
            "a.categories",
        ),
        ("requirements:\n  - id: a\n    categories: ['*']\n    any_of: [passport]\n", "a.any_of"),
        ("requirements:\n  - id: a\n    categories: ['*']\n", "must list any_of"),
        ("- just a list\n", "expected a mapping"),
        ("requirements: [\n", "not valid YAML"),
        ("blocks:\n  - id: b\n    categories: ['*']\n    when_all: [nope]\n", "b.when_all"),
        (
            "requirements:\n  - id: a\n    categories: ['*']\n    any_of: [inspection_report]\n"
            "blocks:\n  - id: a\n    categories: [drug]\n",
            "duplicate ids",
        ),
    ],
)
def test_broken_matrix_files_are_refused_when_loaded(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "matrix.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message):
        load_matrix(path)


def test_custom_matrix_replaces_the_packaged_one(tmp_path: Path) -> None:
    path = tmp_path / "strict.yaml"
    path.write_text(
        "requirements:\n  - id: conformity\n    categories: [apparel]\n"
        "    any_of: [conformity_certificate]\n    reason: r\n    basis: b\n",
        encoding="utf-8",
    )
    result = check_documents("apparel", [], [], TODAY, matrix=load_matrix(path))
    assert [m.requirement for m in result.missing] == ["conformity"]
