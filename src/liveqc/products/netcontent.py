"""Net content (净含量) of prepackaged goods: tolerable deficiency T and the lot verdict.

T follows attachment 3 of the 定量包装商品计量监督管理办法; the lot rules (per-unit shortfall
against T and 2T, the mean test q̄ ≥ Qn − λ·s, the sample size by lot size) follow the sampling
plan printed with the 2005 Measures, which JJF 1070 carries. Decimal arithmetic throughout;
the rounding mode of T is explicit because the regulation does not name one. Pure module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from liveqc.errors import ValidationFailed


class Rounding(StrEnum):
    HALF_EVEN = "half-even"  # GB/T 8170 数值修约 (round half to even)
    HALF_UP = "half-up"


DEFAULT_ROUNDING = Rounding.HALF_EVEN
_DECIMAL_MODE = {Rounding.HALF_EVEN: ROUND_HALF_EVEN, Rounding.HALF_UP: ROUND_HALF_UP}

#: unit -> (basis, base unit, factor to the base unit)
UNITS: dict[str, tuple[str, str, Decimal]] = {
    "g": ("mass", "g", Decimal(1)),
    "kg": ("mass", "g", Decimal(1000)),
    "mL": ("volume", "mL", Decimal(1)),
    "L": ("volume", "mL", Decimal(1000)),
    "mm": ("length", "m", Decimal("0.001")),
    "cm": ("length", "m", Decimal("0.01")),
    "m": ("length", "m", Decimal(1)),
    "mm2": ("area", "m2", Decimal("0.000001")),
    "cm2": ("area", "m2", Decimal("0.0001")),
    "dm2": ("area", "m2", Decimal("0.01")),
    "m2": ("area", "m2", Decimal(1)),
    "count": ("count", "count", Decimal(1)),
}
#: The units of the ``netcontent tolerance`` contract.
MASS_VOLUME_UNITS = ("g", "kg", "mL", "L")
_ALIASES = {"ml": "mL", "l": "L", "mm²": "mm2", "cm²": "cm2", "dm²": "dm2", "m²": "m2"}
_ALIASES |= {"pcs": "count", "个": "count", "件": "count", "片": "count", "只": "count"}

#: Mass/volume bands in g or mL: (upper bound, "%" or "abs", value). A boundary value belongs
#: to the band above it (500 g → "15 g"); T is continuous there, so only ``rule`` differs.
#: The last band includes its upper bound, 50 kg (L).
MASS_VOLUME_BANDS: tuple[tuple[Decimal, str, Decimal], ...] = tuple(
    (Decimal(upper), kind, Decimal(value))
    for upper, kind, value in (
        (50, "%", "9"),
        (100, "abs", "4.5"),
        (200, "%", "4.5"),
        (300, "abs", "9"),
        (500, "%", "3"),
        (1000, "abs", "15"),
        (10000, "%", "1.5"),
        (15000, "abs", "150"),
        (50000, "%", "1"),
    )
)


def parse_unit(unit: str, allowed: Iterable[str] = UNITS) -> str:
    """Canonical unit name (``ml`` → ``mL``) or ``ValidationFailed``."""
    text = str(unit).strip()
    canonical = text if text in UNITS else _ALIASES.get(text.lower(), text.lower())
    allowed = tuple(allowed)
    if canonical not in allowed:
        raise ValidationFailed(f"unknown unit {unit!r}; use one of {', '.join(allowed)}")
    return canonical


def to_decimal(value: str | float | int | Decimal, what: str = "quantity") -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationFailed(f"{what} {value!r} is not a number") from None
    if not number.is_finite():
        raise ValidationFailed(f"{what} {value!r} is not a finite number")
    return number


def fmt_decimal(value: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros (15.0 → 15, 0.030 → 0.03)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass(frozen=True)
class Tolerance:
    """Tolerable deficiency T for one unit labelled ``nominal`` ``unit`` (T in that unit)."""

    nominal: Decimal
    unit: str
    t: Decimal
    t_unit: str
    rule: str
    raw_t: Decimal
    rounding: Rounding

    @property
    def two_t(self) -> Decimal:
        return 2 * self.t

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON object."""
        return {
            "nominal": _json_number(self.nominal),
            "unit": self.unit,
            "t": float(self.t),
            "t_unit": self.t_unit,
            "rule": self.rule,
        }


def tolerance(
    nominal: str | float | int | Decimal,
    unit: str,
    rounding: Rounding | str = DEFAULT_ROUNDING,
) -> Tolerance:
    """Look up T for a nominal quantity (g, kg, mL, L; also length, area and count units).

    Mass/volume T is rounded to 0.1 g (mL) for Qn ≤ 1 kg (L) and to 1 g (mL) above, using
    ``rounding``; count T above 50 is rounded up to a whole unit.
    """
    unit = parse_unit(unit)
    mode = Rounding(rounding)
    qn = to_decimal(nominal, "nominal quantity")
    if qn <= 0:
        raise ValidationFailed(f"nominal quantity must be positive, got {fmt_decimal(qn)} {unit}")
    basis, base_unit, factor = UNITS[unit]
    q = qn * factor
    if basis in ("mass", "volume"):
        last = MASS_VOLUME_BANDS[-1][0]
        band = next((b for b in MASS_VOLUME_BANDS if q < b[0] or q == b[0] == last), None)
        if band is None:
            raise ValidationFailed(
                f"{fmt_decimal(qn)} {unit} is outside the tolerance table (0 < Qn ≤ 50 kg or 50 L)"
            )
        _, kind, value = band
        step = Decimal("0.1") if q <= 1000 else Decimal(1)
        if kind == "%":
            raw = q * value / 100
            rule = f"{fmt_decimal(value)} % × Qn (rounded to {fmt_decimal(step)} {base_unit})"
        else:
            raw = value
            rule = f"{fmt_decimal(value)} {base_unit}"
        t_base = raw.quantize(step, rounding=_DECIMAL_MODE[mode])
    elif basis == "length":
        raw = Decimal(0) if q <= 5 else q * 2 / 100
        rule = "no shortfall (Qn ≤ 5 m)" if q <= 5 else "2 % × Qn"
        t_base = raw
    elif basis == "area":
        raw = q * 3 / 100
        rule, t_base = "3 % × Qn", raw
    else:
        if q != q.to_integral_value():
            raise ValidationFailed(f"a count must be a whole number, got {fmt_decimal(qn)}")
        raw = Decimal(0) if q <= 50 else q / 100
        rule = "no shortfall (Qn ≤ 50)" if q <= 50 else "1 % × Qn, rounded up"
        t_base = raw.quantize(Decimal(1), rounding=ROUND_CEILING)
    return Tolerance(
        nominal=qn,
        unit=unit,
        t=t_base / factor,
        t_unit=unit,
        rule=rule,
        raw_t=raw / factor,
        rounding=mode,
    )


# --- lot verdict ----------------------------------------------------------------------------

#: (largest lot size or None, sample size or None for "all units", λ, max units T < d ≤ 2T)
SAMPLING_TABLE: tuple[tuple[int | None, int | None, Decimal | None, int], ...] = (
    (10, None, None, 0),
    (50, 10, Decimal("1.028"), 0),
    (99, 13, Decimal("0.848"), 1),
    (500, 50, Decimal("0.379"), 3),
    (3200, 80, Decimal("0.295"), 5),
    (None, 125, Decimal("0.234"), 7),
)


@dataclass(frozen=True)
class NetContentPlan:
    lot_size: int
    sample_size: int
    correction: Decimal | None  # λ; None when no mean test applies (lots of 1-10)
    max_t1: int

    @property
    def mean_test(self) -> bool:
        return self.correction is not None


def sampling_plan(lot_size: int) -> NetContentPlan:
    """Sample size, λ and allowed T1 units for a lot of ``lot_size`` units."""
    if lot_size < 1:
        raise ValidationFailed(f"lot size must be at least 1, got {lot_size}")
    for upper, n, lam, c1 in SAMPLING_TABLE:
        if upper is None or lot_size <= upper:
            return NetContentPlan(lot_size, n if n is not None else lot_size, lam, c1)
    raise AssertionError("the sampling table has an open last row")  # pragma: no cover


@dataclass(frozen=True)
class UnitResult:
    index: int
    actual: Decimal
    shortfall: Decimal
    category: str  # "ok", "T1" (T < d ≤ 2T) or "T2" (d > 2T)


@dataclass(frozen=True)
class NetContentVerdict:
    passed: bool
    tolerance: Tolerance
    plan: NetContentPlan
    units: tuple[UnitResult, ...]
    t1_count: int
    t2_count: int
    mean: Decimal
    stdev: Decimal | None
    mean_limit: Decimal | None
    borderline: bool
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        tol, plan = self.tolerance, self.plan
        return {
            "nominal": _json_number(tol.nominal),
            "unit": tol.unit,
            "t": float(tol.t),
            "two_t": float(tol.two_t),
            "rule": tol.rule,
            "rounding": str(tol.rounding),
            "lot_size": plan.lot_size,
            "sample_size": plan.sample_size,
            "correction": None if plan.correction is None else float(plan.correction),
            "max_t1": plan.max_t1,
            "t1_count": self.t1_count,
            "t2_count": self.t2_count,
            "mean": float(self.mean),
            "stdev": None if self.stdev is None else float(self.stdev),
            "mean_limit": None if self.mean_limit is None else float(self.mean_limit),
            "passed": self.passed,
            "borderline": self.borderline,
            "units": [
                {"index": u.index, "actual": float(u.actual), "shortfall": float(u.shortfall)}
                | {"class": u.category}
                for u in self.units
            ],
            "reasons": list(self.reasons),
        }


def _stdev(values: list[Decimal], mean: Decimal) -> Decimal:
    squares = sum(((v - mean) ** 2 for v in values), Decimal(0))
    return (squares / (len(values) - 1)).sqrt()


def _evaluate(
    tol: Tolerance, plan: NetContentPlan, values: list[Decimal]
) -> tuple[bool, tuple[UnitResult, ...], Decimal, Decimal | None, Decimal | None, list[str]]:
    u, qn = tol.unit, tol.nominal
    units = []
    for i, q in enumerate(values, start=1):
        d = qn - q
        category = "ok" if d <= tol.t else ("T1" if d <= tol.two_t else "T2")
        units.append(UnitResult(i, q, d, category))
    t1 = [x for x in units if x.category == "T1"]
    t2 = [x for x in units if x.category == "T2"]
    mean = sum(values, Decimal(0)) / len(values)
    t_text = f"{fmt_decimal(tol.t)} {u}"
    rule = "" if tol.rule == t_text else f" ({tol.rule})"
    reasons = [
        f"T = {t_text}{rule}, 2T = {fmt_decimal(tol.two_t)} {u}; "
        f"lot N = {plan.lot_size} → n = {plan.sample_size}, "
        f"at most {plan.max_t1} unit(s) with T < d ≤ 2T, none with d > 2T"
    ]
    for x in (*t1, *t2):
        bound = "T < d ≤ 2T" if x.category == "T1" else "d > 2T"
        short = f"{fmt_decimal(x.actual)} {u} is short by {fmt_decimal(x.shortfall)} {u}"
        reasons.append(f"unit {x.index}: {short} ({bound})")
    passed = True
    if t2:
        passed = False
        limit_2t = f"2T = {fmt_decimal(tol.two_t)} {u}"
        reasons.append(f"FAIL: {len(t2)} unit(s) short by more than {limit_2t}")
    if len(t1) > plan.max_t1:
        passed = False
        reasons.append(f"FAIL: {len(t1)} unit(s) with T < d ≤ 2T, at most {plan.max_t1} allowed")
    elif not t2:
        reasons.append(f"units: {len(t1)} with T < d ≤ 2T (≤ {plan.max_t1}), none beyond 2T")
    stdev = limit = None
    if plan.correction is None:
        reasons.append(f"lot of {plan.lot_size} (1–10 units): units only, no mean test")
    else:
        stdev = _stdev(values, mean)
        limit = qn - plan.correction * stdev
        ok = mean >= limit
        passed = passed and ok
        reasons.append(
            f"{'mean' if ok else 'FAIL: mean'} q̄ = {mean:.4f} {u} "
            f"{'≥' if ok else '<'} Qn − λ·s = {fmt_decimal(qn)} − {plan.correction} × {stdev:.4f} "
            f"= {limit:.4f} {u}"
        )
    return passed, tuple(units), mean, stdev, limit, reasons


def check_batch(
    nominal: str | float | int | Decimal,
    unit: str,
    actual_quantities: Iterable[str | float | int | Decimal],
    lot_size: int | None = None,
    rounding: Rounding | str = DEFAULT_ROUNDING,
) -> NetContentVerdict:
    """Judge an inspection lot from the actual net contents of its sample units.

    Actual quantities are in ``unit``, after tare. Without ``lot_size`` the sample is taken to
    be the whole lot, which is allowed only for lots of at most 10 units. The verdict is marked
    borderline when the other rounding mode for T would change it.
    """
    values = [to_decimal(v, "actual quantity") for v in actual_quantities]
    if not values:
        raise ValidationFailed("no actual quantities given")
    if any(v < 0 for v in values):
        raise ValidationFailed("actual quantities cannot be negative")
    if lot_size is None:
        if len(values) > 10:
            raise ValidationFailed("give the lot size: a sample of more than 10 units")
        lot_size = len(values)
    tol = tolerance(nominal, unit, rounding)
    plan = sampling_plan(lot_size)
    if len(values) != plan.sample_size:
        raise ValidationFailed(
            f"a lot of {lot_size} needs a sample of {plan.sample_size} units, got {len(values)}"
        )
    passed, units, mean, stdev, limit, reasons = _evaluate(tol, plan, values)
    other_mode = Rounding.HALF_UP if tol.rounding is Rounding.HALF_EVEN else Rounding.HALF_EVEN
    other = tolerance(nominal, unit, other_mode)
    borderline = other.t != tol.t and _evaluate(other, plan, values)[0] != passed
    if borderline:
        reasons.append(
            f"borderline: with T rounded {other_mode} (T = {fmt_decimal(other.t)} {tol.unit}) "
            f"the verdict would be {'pass' if not passed else 'fail'}"
        )
    reasons.append("PASS" if passed else "FAIL")
    return NetContentVerdict(
        passed=passed,
        tolerance=tol,
        plan=plan,
        units=units,
        t1_count=sum(u.category == "T1" for u in units),
        t2_count=sum(u.category == "T2" for u in units),
        mean=mean,
        stdev=stdev,
        mean_limit=limit,
        borderline=borderline,
        reasons=tuple(reasons),
    )
