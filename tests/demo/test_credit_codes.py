from __future__ import annotations

from liveqc.demo.credit_codes import credit_code, organisation_code
from liveqc.products.service import is_valid_credit_code


def test_published_example_codes_validate() -> None:
    # The example of GB 32100-2015 and a code printed on a real business licence.
    for code in ("91350100M000100Y43", "911100001000044477"):
        assert is_valid_credit_code(code), code


def test_organisation_code_check_character() -> None:
    assert organisation_code("M000100Y") == "M000100Y4"
    assert organisation_code("10000444") == "100004447"


def test_generated_codes_have_correct_check_characters() -> None:
    code = credit_code("330108", "MA2H7K3Q")
    assert len(code) == 18 and code.startswith("91330108")
    assert is_valid_credit_code(code)
    assert not is_valid_credit_code(code[:-1] + ("0" if code[-1] != "0" else "1"))
