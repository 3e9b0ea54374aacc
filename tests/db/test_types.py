from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from liveqc.db.types import PlainText, StrEnumType, utcnow
from liveqc.products.models import ProductStatus


def test_utcnow_is_aware_utc() -> None:
    now = utcnow()
    assert now.tzinfo is not None and now.utcoffset().total_seconds() == 0


def test_enum_type_stores_values_and_refuses_unknown_ones() -> None:
    column = StrEnumType(ProductStatus)
    assert column.process_bind_param(ProductStatus.APPROVED, None) == "approved"
    assert column.process_bind_param("submitted", None) == "submitted"
    assert column.process_result_value("draft", None) is ProductStatus.DRAFT
    with pytest.raises(ValueError):
        column.process_bind_param("shipped", None)


def test_plain_text_refuses_control_characters_but_keeps_newlines() -> None:
    adapter = TypeAdapter(PlainText)
    assert adapter.validate_python("第一行\n第二行\t！") == "第一行\n第二行\t！"
    for good in ("windows\r\n", " space", "private\ue000", "emoji\U0001f600"):
        assert adapter.validate_python(good) == good
    for bad in ("a\x00b", "bell\x07", "vt\x0b", "us\x1f", "del\x7f", "lo\ud800", "hi\udfff"):
        with pytest.raises(ValidationError):
            adapter.validate_python(bad)
