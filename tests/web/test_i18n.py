from __future__ import annotations

import re
from pathlib import Path

from liveqc.web import i18n

TEMPLATES = Path(i18n.__file__).parent / "templates"


def test_catalogues_have_the_same_keys() -> None:
    assert set(i18n.catalogue("zh-CN")) == set(i18n.catalogue("en"))


def test_every_literal_key_in_templates_exists() -> None:
    keys = set()
    for template in TEMPLATES.glob("*.html"):
        keys |= set(re.findall(r't\("([a-z_.]+[a-z_])"', template.read_text(encoding="utf-8")))
    assert keys and keys <= set(i18n.catalogue("zh-CN"))


def test_templates_hold_no_chinese_text() -> None:
    for template in TEMPLATES.glob("*.html"):
        assert not re.search(r"[\u4e00-\u9fff]", template.read_text(encoding="utf-8")), template


def test_translator_formats_and_falls_back() -> None:
    t = i18n.translator("en")
    assert t("home.welcome", name="Li") == "Welcome, Li"
    assert i18n.translator("fr")("nav.home") == "首页"
    assert t("no.such.key") == "no.such.key"
