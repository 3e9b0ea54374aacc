"""AQL single sampling (GB/T 2828.1-2012 = ISO 2859-1:1999): plans, lot decisions, switching.

Pure functions over the tables in ``aql_tables``: no database, web or CLI imports. Input errors
raise ``ValidationFailed`` so that every edge reports them the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from liveqc.errors import InvalidTransition, ValidationFailed
from liveqc.products.aql_tables import AQL_COLUMNS, AQL_VALUES, LEVELS, TABLE_1, TABLES


class Severity(StrEnum):
    NORMAL = "normal"
    TIGHTENED = "tightened"
    REDUCED = "reduced"


class DefectClass(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"


def parse_level(level: str) -> str:
    """Normalise an inspection level (``II``, ``s-2``, ``S2``) or raise ``ValidationFailed``."""
    text = str(level).strip().upper().replace("_", "-")
    if len(text) == 2 and text[0] == "S" and text[1].isdigit():
        text = f"S-{text[1]}"
    if text not in LEVELS:
        raise ValidationFailed(
            f"unknown inspection level {level!r}; use one of {', '.join(LEVELS)}", field="level"
        )
    return text


def parse_aql(aql: str | Decimal | float | int) -> Decimal:
    """Return the preferred AQL value equal to ``aql`` (``"1"`` and ``"1.0"`` are both 1.0)."""
    try:
        value = Decimal(str(aql).strip())
    except InvalidOperation:
        value = None
    if value is not None and value.is_finite():
        for preferred in AQL_VALUES:
            if value == preferred:
                return preferred
    raise ValidationFailed(
        f"AQL {aql!r} is not a preferred value of GB/T 2828.1 ({AQL_COLUMNS[0]} … "
        f"{AQL_COLUMNS[-1]}: {' '.join(AQL_COLUMNS)})",
        field="aql",
    )


def parse_severity(severity: str) -> Severity:
    try:
        return Severity(str(severity).strip().lower())
    except ValueError:
        raise ValidationFailed(
            f"unknown severity {severity!r}; use normal, tightened or reduced", field="severity"
        ) from None


def code_letter(lot_size: int, level: str) -> str:
    """Table 1: the sample size code letter for a lot size and inspection level."""
    if lot_size < 2:
        raise ValidationFailed(f"lot size must be at least 2, got {lot_size}", field="lot_size")
    column = LEVELS.index(parse_level(level))
    for upper, letters in TABLE_1:
        if upper is None or lot_size <= upper:
            return letters[column]
    raise AssertionError("Table 1 has an open last row")  # pragma: no cover


def resolve(severity: Severity | str, letter: str, aql: str | Decimal) -> tuple[str, int, int, int]:
    """Follow the arrows of a severity's table from (letter, AQL) to the plan they point to.

    Returns (plan letter, sample size, Ac, Re); the landing row supplies all three numbers.
    """
    sizes, rows = TABLES[parse_severity(severity)]
    column = AQL_VALUES.index(parse_aql(aql))
    letters = list(rows)
    index = letters.index(letter)
    while True:
        cell = rows[letters[index]][column]
        if isinstance(cell, tuple):
            return letters[index], sizes[letters[index]], cell[0], cell[1]
        step = {"↓": 1, "↑": -1}.get(cell)
        if step is None or not 0 <= index + step < len(letters):
            raise ValueError(f"no plan at {letters[index]}/{AQL_COLUMNS[column]} in {severity}")
        index += step


@dataclass(frozen=True)
class SamplingPlan:
    """A single sampling plan for one lot; ``sample_size`` is capped at the lot size."""

    lot_size: int
    level: str
    aql: Decimal
    severity: Severity
    code_letter: str
    plan_code_letter: str
    sample_size: int
    accept: int
    reject: int
    inspect_all: bool
    table_sample_size: int

    def accepts(self, nonconforming: int) -> bool:
        """d ≤ Ac accepts the lot; d ≥ Re (= Ac + 1) does not."""
        return nonconforming <= self.accept

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON object (``aql`` as a number)."""
        return {
            "lot_size": self.lot_size,
            "level": self.level,
            "aql": float(self.aql),
            "severity": str(self.severity),
            "code_letter": self.code_letter,
            "plan_code_letter": self.plan_code_letter,
            "sample_size": self.sample_size,
            "accept": self.accept,
            "reject": self.reject,
            "inspect_all": self.inspect_all,
        }


def plan(
    lot_size: int, level: str, aql: str | Decimal, severity: Severity | str = "normal"
) -> SamplingPlan:
    """Look up the single sampling plan for a lot (Table 1, then Table 2-A/2-B/2-C)."""
    level = parse_level(level)
    value = parse_aql(aql)
    sev = parse_severity(severity)
    letter = code_letter(lot_size, level)
    plan_letter, n, ac, re_ = resolve(sev, letter, value)
    return SamplingPlan(
        lot_size=lot_size,
        level=level,
        aql=value,
        severity=sev,
        code_letter=letter,
        plan_code_letter=plan_letter,
        sample_size=min(n, lot_size),
        accept=ac,
        reject=re_,
        inspect_all=n >= lot_size,
        table_sample_size=n,
    )


# --- lot decision by class of nonconformity -------------------------------------------------


@dataclass(frozen=True)
class ClassResult:
    defect_class: DefectClass
    plan: SamplingPlan
    nonconforming: int
    accepted: bool


@dataclass(frozen=True)
class LotDecision:
    classes: tuple[ClassResult, ...]
    accepted: bool
    reasons: tuple[str, ...]


def decide_lot(
    lot_size: int,
    level: str,
    aqls: Mapping[str, str | Decimal],
    nonconforming: Mapping[str, int],
    severities: Mapping[str, Severity | str] | None = None,
) -> LotDecision:
    """Accept or reject a lot per class (each with its own AQL and severity) and overall.

    The lot is accepted only when every class is accepted.
    """
    severities = severities or {}
    unknown = set(nonconforming) - set(aqls)
    if unknown:
        raise ValidationFailed(f"defect counts for classes without an AQL: {sorted(unknown)}")
    results: list[ClassResult] = []
    reasons: list[str] = []
    for name, aql in aqls.items():
        try:
            cls = DefectClass(str(name).lower())
        except ValueError:
            raise ValidationFailed(
                f"unknown defect class {name!r}; use critical, major or minor"
            ) from None
        count = int(nonconforming.get(name, 0))
        if count < 0:
            raise ValidationFailed(f"{cls}: nonconforming count cannot be negative ({count})")
        p = plan(lot_size, level, aql, severities.get(name, Severity.NORMAL))
        ok = p.accepts(count)
        results.append(ClassResult(cls, p, count, ok))
        verdict = "accepted" if ok else "not accepted"
        reasons.append(
            f"{cls}: d={count} with Ac={p.accept}/Re={p.reject} "
            f"(n={p.sample_size}, AQL {p.aql}, {p.severity}) → {verdict}"
        )
    return LotDecision(tuple(results), all(r.accepted for r in results), tuple(reasons))


# --- switching rules (clause 9) -------------------------------------------------------------


class InspectionState(StrEnum):
    NORMAL = "normal"
    TIGHTENED = "tightened"
    REDUCED = "reduced"
    DISCONTINUED = "discontinued"


@dataclass(frozen=True)
class LotResult:
    """One lot's outcome for one class of nonconformity, with the conditions switching needs."""

    plan: SamplingPlan
    nonconforming: int
    resubmitted: bool = False
    production_steady: bool = True
    reduced_approved: bool = False
    return_to_normal: bool = False

    @property
    def accepted(self) -> bool:
        return self.plan.accepts(self.nonconforming)


@dataclass(frozen=True)
class SwitchingState:
    """Where a supplier/product/class stands; ``reason`` explains the last step."""

    state: InspectionState = InspectionState.NORMAL
    normal_results: tuple[bool, ...] = ()
    switching_score: int = 0
    tightened_accepted_run: int = 0
    tightened_not_accepted: int = 0
    lots: int = 0
    switched: bool = False
    reason: str = "inspection starts on normal"

    @property
    def severity(self) -> Severity | None:
        """The table to use for the next lot; None while sampling is discontinued."""
        if self.state is InspectionState.DISCONTINUED:
            return None
        return Severity(self.state.value)


def _fresh(state: InspectionState, lots: int, reason: str) -> SwitchingState:
    return SwitchingState(state=state, lots=lots, switched=True, reason=reason)


def _tighter_accepts(lot: LotResult) -> bool:
    """Whether d would pass one AQL step tighter, read in the row actually used.

    When arrows moved the plan to another letter, the tighter column of that row (same n) is
    used; if that plan has a different sample size the lot does not qualify.
    """
    column = AQL_VALUES.index(lot.plan.aql)
    if column == 0:
        return False
    _, n, ac, _ = resolve(Severity.NORMAL, lot.plan.plan_code_letter, AQL_VALUES[column - 1])
    return n == lot.plan.table_sample_size and lot.nonconforming <= ac


def _score(state: SwitchingState, lot: LotResult) -> tuple[int, str]:
    if lot.plan.accept >= 2:
        if lot.accepted and _tighter_accepts(lot):
            return state.switching_score + 3, "+3 (would pass one AQL step tighter)"
        return 0, "reset to 0 (would not pass one AQL step tighter)"
    if lot.accepted:
        return state.switching_score + 2, "+2 (accepted, Ac ≤ 1)"
    return 0, "reset to 0 (not accepted)"


def next_state(state: SwitchingState, lot: LotResult) -> SwitchingState:
    """Apply one lot on original inspection to the switching state (GB/T 2828.1 clause 9)."""
    if state.state is InspectionState.DISCONTINUED:
        raise InvalidTransition(
            "acceptance sampling is discontinued after 5 lots not accepted on tightened "
            "inspection; resume only after corrective action approved by the authority"
        )
    if lot.resubmitted:
        return replace(state, switched=False, reason="resubmitted lot: ignored by switching rules")
    if lot.plan.severity != state.severity:
        raise ValidationFailed(
            f"lot inspected under {lot.plan.severity} but switching requires {state.severity}"
        )
    lots = state.lots + 1
    accepted = lot.accepted
    word = "accepted" if accepted else "not accepted"
    if state.state is InspectionState.NORMAL:
        window = (*state.normal_results, accepted)[-5:]
        rejected = window.count(False)
        if rejected >= 2:
            return replace(
                _fresh(InspectionState.TIGHTENED, lots, ""),
                reason=f"normal → tightened: {rejected} of the last {len(window)} lots on "
                "normal inspection not accepted",
            )
        score, how = _score(state, lot)
        steady, approved = lot.production_steady, lot.reduced_approved
        if score >= 30 and steady and approved:
            return _fresh(
                InspectionState.REDUCED,
                lots,
                f"normal → reduced: switching score {score} ≥ 30, production steady, "
                "authority approves",
            )
        missing = [
            text
            for ok, text in ((steady, "production not steady"), (approved, "no authority approval"))
            if not ok
        ]
        note = f"; score ≥ 30 but {', '.join(missing)}" if score >= 30 and missing else ""
        return replace(
            state,
            normal_results=window[-4:],
            switching_score=score,
            lots=lots,
            switched=False,
            reason=f"lot {word} on normal; switching score {how} = {score}{note}",
        )
    if state.state is InspectionState.TIGHTENED:
        if accepted:
            run = state.tightened_accepted_run + 1
            if run >= 5:
                return _fresh(
                    InspectionState.NORMAL,
                    lots,
                    "tightened → normal: 5 consecutive lots accepted on tightened inspection",
                )
            return replace(
                state,
                tightened_accepted_run=run,
                lots=lots,
                switched=False,
                reason=f"lot accepted on tightened ({run} of 5 consecutive needed)",
            )
        total = state.tightened_not_accepted + 1
        if total >= 5:
            return _fresh(
                InspectionState.DISCONTINUED,
                lots,
                "tightened → discontinued: 5 lots not accepted during this tightened run",
            )
        return replace(
            state,
            tightened_accepted_run=0,
            tightened_not_accepted=total,
            lots=lots,
            switched=False,
            reason=f"lot not accepted on tightened ({total} of 5 that discontinue sampling)",
        )
    # reduced
    causes = [
        text
        for hit, text in (
            (not accepted, "a lot was not accepted"),
            (not lot.production_steady, "production irregular or delayed"),
            (lot.return_to_normal, "other conditions warrant normal inspection"),
        )
        if hit
    ]
    if causes:
        return _fresh(InspectionState.NORMAL, lots, f"reduced → normal: {'; '.join(causes)}")
    return replace(state, lots=lots, switched=False, reason="lot accepted on reduced")


def resume(state: SwitchingState, *, corrective_action_approved: bool) -> SwitchingState:
    """Resume after discontinuation, on tightened inspection, once the authority agrees."""
    if state.state is not InspectionState.DISCONTINUED:
        raise InvalidTransition(f"sampling is not discontinued (state: {state.state})")
    if not corrective_action_approved:
        raise InvalidTransition("resumption needs the authority to approve corrective action")
    return _fresh(
        InspectionState.TIGHTENED,
        state.lots,
        "resumed on tightened after approved corrective action",
    )


def run_lots(
    lot_size: int,
    level: str,
    aql: str | Decimal,
    nonconforming: Iterable[int],
    *,
    production_steady: bool = True,
    reduced_approved: bool = False,
    state: SwitchingState | None = None,
) -> list[tuple[SamplingPlan, int, SwitchingState]]:
    """Inspect a sequence of equal lots, switching severity as the rules say.

    Stops after discontinuation. Returns (plan used, d, state after) for each lot.
    """
    current = state or SwitchingState()
    history: list[tuple[SamplingPlan, int, SwitchingState]] = []
    for d in nonconforming:
        if current.severity is None:
            break
        used = plan(lot_size, level, aql, current.severity)
        current = next_state(
            current,
            LotResult(
                used, d, production_steady=production_steady, reduced_approved=reduced_approved
            ),
        )
        history.append((used, d, current))
    return history
