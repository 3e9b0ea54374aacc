import pytest

from liveqc.engine.variants import VariantExpander


@pytest.fixture(scope="module")
def expander() -> VariantExpander:
    return VariantExpander()


@pytest.mark.parametrize(
    ("phrase", "spelling"),
    [
        ("最低价", "zui低价"),
        ("最低价", "z低价"),
        ("最低价", "zuidijia"),
        ("最好", "zuihao"),
        ("最低价", "醉低价"),
        ("绝对", "决对"),
        ("绝对", "jue对"),
        ("治疗", "zhi疗"),
        ("加微信", "加v信"),
        ("加微信", "加vx"),
        ("加微信", "加薇信"),
        ("加微信", "加威信"),
        ("加微信", "加wei信"),
        ("第一", "第1"),
    ],
)
def test_evasion_spellings_are_generated(
    expander: VariantExpander, phrase: str, spelling: str
) -> None:
    assert spelling in expander.expand(phrase)


def test_homophones_that_change_meaning_are_not_generated(expander: VariantExpander) -> None:
    spellings = expander.expand("第一")
    assert "低一" not in spellings
    assert "d1" not in spellings  # no Chinese character left: would match model numbers


def test_an_initial_never_ends_a_phrase(expander: VariantExpander) -> None:
    assert "最h" not in expander.expand("最好")


def test_pinyin_can_be_turned_off(expander: VariantExpander) -> None:
    spellings = expander.expand("最好", pinyin=False)
    assert "zuihao" not in spellings
    assert "醉好" in spellings


def test_a_repeated_character_may_be_spelled_in_pinyin_everywhere(
    expander: VariantExpander,
) -> None:
    spellings = expander.expand("不退不换")
    assert "bu退bu换" in spellings
    assert "bu退不换" in spellings
