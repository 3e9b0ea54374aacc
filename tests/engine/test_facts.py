import pytest

from liveqc.engine.facts import Facts, InvalidFacts


def test_contract_facts_parse() -> None:
    facts = Facts.from_dict(
        {
            "category": "cosmetics",
            "brand": "第一坊",
            "registrations": ["special_cosmetic"],
            "efficacy_evidence": ["whitening"],
            "spf": 50,
            "pa": "++++",
            "health_functions": ["增强免疫力"],
            "lowest_price_7d": 99,
            "stock_remaining": 80,
            "made_to_order": False,
            "target_age_months": [0, 6],
            "verified_claims": ["销量第一: x"],
        }
    )
    assert facts.lowest_price_7d == 99.0
    assert facts.registrations == {"special_cosmetic"}
    assert facts.target_age_months == (0.0, 6.0)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"colour": "red"}, "unknown facts field 'colour'"),
        ({"category": "spaceship"}, "unknown category"),
        ({"spf": "50"}, "must be a number"),
        ({"registrations": "ccc"}, "list of strings"),
        ({"stock_remaining": 1.5}, "integer"),
        ({"target_age_months": [0]}, "[min, max]"),
        ({"made_to_order": "no"}, "true or false"),
    ],
)
def test_bad_facts_are_rejected(data: dict, needle: str) -> None:
    with pytest.raises(InvalidFacts, match=needle.replace("[", r"\[")):
        Facts.from_dict(data)


def test_null_means_not_known() -> None:
    assert Facts.from_dict({"spf": None}) == Facts()
