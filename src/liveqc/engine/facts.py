"""Product facts: what the scanner knows about the product being sold (all fields optional)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from liveqc.engine.taxonomy import CATEGORIES


class InvalidFacts(ValueError):
    """A facts mapping with an unknown field or a value of the wrong type."""


_STR_LISTS = ("registrations", "efficacy_evidence", "health_functions", "verified_claims")


@dataclass(frozen=True, slots=True)
class Facts:
    """Product facts of the compliance-scan contract; ``None`` means "not known"."""

    category: str | None = None
    brand: str | None = None
    registrations: frozenset[str] = frozenset()
    efficacy_evidence: frozenset[str] = frozenset()
    spf: float | None = None
    pa: str | None = None
    health_functions: tuple[str, ...] = ()
    lowest_price_7d: float | None = None
    stock_remaining: int | None = None
    made_to_order: bool | None = None
    target_age_months: tuple[float, float] | None = None
    verified_claims: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Facts:
        """Validate a JSON-style mapping into Facts.

        Raises:
            InvalidFacts: on an unknown field or a value of the wrong type.
        """
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise InvalidFacts("facts must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidFacts(f"unknown facts field {unknown[0]!r}")
        kw: dict[str, Any] = {}
        for key, value in data.items():
            if value is None:
                continue
            kw[key] = _coerce(key, value)
        return cls(**kw)


def _coerce(key: str, value: Any) -> Any:
    if key in _STR_LISTS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidFacts(f"facts field {key!r} must be a list of strings")
        if key in ("registrations", "efficacy_evidence"):
            return frozenset(value)
        return tuple(value)
    if key == "category":
        if value not in CATEGORIES:
            raise InvalidFacts(f"unknown category {value!r}")
        return value
    if key in ("brand", "pa"):
        if not isinstance(value, str):
            raise InvalidFacts(f"facts field {key!r} must be a string")
        return value
    if key in ("spf", "lowest_price_7d"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidFacts(f"facts field {key!r} must be a number")
        return float(value)
    if key == "stock_remaining":
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidFacts("facts field 'stock_remaining' must be an integer")
        return value
    if key == "made_to_order":
        if not isinstance(value, bool):
            raise InvalidFacts("facts field 'made_to_order' must be true or false")
        return value
    # target_age_months
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    )
    if not ok:
        raise InvalidFacts("facts field 'target_age_months' must be [min, max] in months")
    return (float(value[0]), float(value[1]))
