"""Unified social credit codes (统一社会信用代码) with correct check characters, for demo rows.

The 9-character organisation code carries its GB 11714-1997 check character and the full code
its GB 32100-2015 check character.
"""

from __future__ import annotations

from liveqc.products.service import credit_code_check_char

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def organisation_code(base8: str) -> str:
    """``base8`` plus its GB 11714-1997 check character."""
    total = sum(_ORG_CHARS.index(ch) * w for ch, w in zip(base8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return base8 + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(region_code: str, base8: str, *, authority: str = "9", kind: str = "1") -> str:
    """A full 18-character code: authority (9 = 市场监管), kind (1 = 企业), region, org code."""
    first17 = authority + kind + region_code + organisation_code(base8)
    return first17 + credit_code_check_char(first17)
