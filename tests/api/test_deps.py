from __future__ import annotations

import pytest

from liveqc.api.deps import parse_org_header
from liveqc.errors import ValidationFailed


def test_org_header_is_an_ascii_integer_or_absent() -> None:
    assert parse_org_header(None) is None
    assert parse_org_header("  ") is None
    assert parse_org_header(" 12 ") == 12
    for bad in ("abc", "1.5", "-3", "²", "١٢", "12345678901"):
        with pytest.raises(ValidationFailed):
            parse_org_header(bad)
