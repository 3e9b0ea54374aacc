"""Product quality-control commands: ``liveqc aql ...`` and ``liveqc netcontent ...``.

Thin: parse options, call the pure modules, print text for people or JSON for scripts.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from liveqc.errors import InputError, ValidationFailed
from liveqc.products import aql, netcontent
from liveqc.products.aql_tables import EDITION

aql_app = typer.Typer(
    help="AQL sampling plans and switching rules (GB/T 2828.1-2012 = ISO 2859-1:1999).",
    no_args_is_help=True,
)
netcontent_app = typer.Typer(
    help="Net content (净含量): tolerable deficiency T and lot verdicts.", no_args_is_help=True
)

FormatOpt = Annotated[str, typer.Option("--format", help="text or json.")]
LotOpt = Annotated[int, typer.Option("--lot", help="Lot (batch) size N.")]
LevelOpt = Annotated[str, typer.Option("--level", help="S-1, S-2, S-3, S-4, I, II or III.")]
AqlOpt = Annotated[str, typer.Option("--aql", help="Preferred AQL value, e.g. 0.65, 1.0, 10.")]
RoundingOpt = Annotated[
    str, typer.Option("--rounding", help="How T is rounded: half-even (GB/T 8170) or half-up.")
]
_SEVERITY_ZH = {"normal": "正常检验", "tightened": "加严检验", "reduced": "放宽检验"}


def _format(value: str) -> str:
    fmt = value.strip().lower()
    if fmt not in ("text", "json"):
        raise ValidationFailed(f"unknown format {value!r}; use text or json")
    return fmt


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False))


def _plan_text(p: aql.SamplingPlan) -> str:
    moved = "" if p.plan_code_letter == p.code_letter else f" → plan {p.plan_code_letter}"
    lines = [
        f"{EDITION} · {_SEVERITY_ZH[p.severity]} {p.severity} inspection",
        f"批量 Lot size: {p.lot_size}   检验水平 Level: {p.level}   AQL: {p.aql}",
        f"样本量字码 Code letter: {p.code_letter}{moved}",
        f"样本量 Sample size: {p.sample_size}",
        f"接收数 Ac: {p.accept}   拒收数 Re: {p.reject}",
    ]
    if p.inspect_all:
        lines.append(
            f"全检 100% inspection: the plan's sample ({p.table_sample_size}) is not smaller "
            f"than the lot; inspect all {p.lot_size} units with Ac {p.accept} / Re {p.reject}"
        )
    return "\n".join(lines)


@aql_app.command("plan")
def plan_command(
    lot: LotOpt,
    aql_value: AqlOpt,
    level: LevelOpt = "II",
    severity: Annotated[
        str, typer.Option("--severity", help="normal, tightened or reduced.")
    ] = "normal",
    fmt: FormatOpt = "text",
) -> None:
    """Print the single sampling plan for a lot.

    Example: liveqc aql plan --lot 1200 --level II --aql 1.0 --severity normal --format json
    """
    output = _format(fmt)
    p = aql.plan(lot, level, aql_value, severity)
    if output == "json":
        _json(p.to_dict())
    else:
        typer.echo(_plan_text(p))


def _counts(text: str) -> list[int]:
    values = [t for t in re.split(r"[\s,;]+", text.strip()) if t]
    if not values or not all(v.isdigit() for v in values):
        raise ValidationFailed(f"--defects must be non-negative whole numbers, got {text!r}")
    return [int(v) for v in values]


@aql_app.command("switching")
def switching_command(
    lot: LotOpt,
    aql_value: AqlOpt,
    defects: Annotated[
        str, typer.Option("--defects", help="Nonconforming counts of successive lots: 0,2,1,...")
    ],
    level: LevelOpt = "II",
    steady: Annotated[
        bool, typer.Option("--steady/--not-steady", help="Production at a steady rate.")
    ] = True,
    approve_reduced: Annotated[
        bool,
        typer.Option("--approve-reduced", help="The authority approves reduced inspection."),
    ] = False,
    fmt: FormatOpt = "text",
) -> None:
    """Run successive lots through the switching rules and show each lot's plan and switch.

    Example: liveqc aql switching --lot 1200 --aql 1.0 --defects 0,3,4,0,0,0,0,0
    """
    output = _format(fmt)
    history = aql.run_lots(
        lot,
        level,
        aql_value,
        _counts(defects),
        production_steady=steady,
        reduced_approved=approve_reduced,
    )
    rows = [
        {
            "lot": i,
            "severity": str(p.severity),
            "plan_code_letter": p.plan_code_letter,
            "sample_size": p.sample_size,
            "accept": p.accept,
            "reject": p.reject,
            "nonconforming": d,
            "accepted": p.accepts(d),
            "switching_score": after.switching_score,
            "next": str(after.state),
            "reason": after.reason,
        }
        for i, (p, d, after) in enumerate(history, start=1)
    ]
    if output == "json":
        _json(rows)
        return
    for r in rows:
        verdict = "accepted" if r["accepted"] else "NOT accepted"
        typer.echo(
            f"lot {r['lot']}: {r['severity']} {r['plan_code_letter']} n={r['sample_size']} "
            f"Ac/Re {r['accept']}/{r['reject']} d={r['nonconforming']} {verdict} → "
            f"{r['next']} ({r['reason']})"
        )
    if history and history[-1][2].state is aql.InspectionState.DISCONTINUED:
        typer.echo("sampling discontinued: remaining lots were not inspected")


def _class_spec(text: str | None, name: str) -> tuple[str, int] | None:
    if text is None:
        return None
    aql_text, _, count = text.partition(":")
    if not count.strip().isdigit():
        raise ValidationFailed(f"--{name} takes AQL:COUNT such as 1.0:2, got {text!r}")
    return aql_text, int(count)


@aql_app.command("decide")
def decide_command(
    lot: LotOpt,
    level: LevelOpt = "II",
    critical: Annotated[str | None, typer.Option(help="AQL:COUNT for critical.")] = None,
    major: Annotated[str | None, typer.Option(help="AQL:COUNT for major.")] = None,
    minor: Annotated[str | None, typer.Option(help="AQL:COUNT for minor.")] = None,
    severity: Annotated[str, typer.Option(help="Severity for every class.")] = "normal",
    fmt: FormatOpt = "text",
) -> None:
    """Accept or reject a lot from its nonconforming counts per class.

    Example: liveqc aql decide --lot 1200 --major 1.0:2 --minor 4.0:8
    """
    output = _format(fmt)
    specs = {
        name: spec
        for name, text in (("critical", critical), ("major", major), ("minor", minor))
        if (spec := _class_spec(text, name)) is not None
    }
    if not specs:
        raise ValidationFailed("give at least one of --critical, --major, --minor as AQL:COUNT")
    decision = aql.decide_lot(
        lot,
        level,
        {k: v[0] for k, v in specs.items()},
        {k: v[1] for k, v in specs.items()},
        dict.fromkeys(specs, severity),
    )
    if output == "json":
        _json(
            {
                "accepted": decision.accepted,
                "classes": [
                    {"class": str(c.defect_class), "nonconforming": c.nonconforming}
                    | {"accepted": c.accepted, "plan": c.plan.to_dict()}
                    for c in decision.classes
                ],
                "reasons": list(decision.reasons),
            }
        )
        return
    typer.echo("\n".join(decision.reasons))
    typer.echo("lot ACCEPTED 接收" if decision.accepted else "lot NOT ACCEPTED 不接收")


@netcontent_app.command("tolerance")
def tolerance_command(
    nominal: Annotated[str, typer.Option("--nominal", help="Labelled quantity Qn.")],
    unit: Annotated[str, typer.Option("--unit", help="g, kg, mL or L.")],
    fmt: FormatOpt = "text",
    rounding: RoundingOpt = str(netcontent.DEFAULT_ROUNDING),
) -> None:
    """Print the tolerable deficiency T (允许短缺量) of one unit labelled Qn.

    Example: liveqc netcontent tolerance --nominal 500 --unit g --format json
    """
    output = _format(fmt)
    unit = netcontent.parse_unit(unit, netcontent.MASS_VOLUME_UNITS)
    tol = netcontent.tolerance(nominal, unit, _rounding(rounding))
    if output == "json":
        _json(tol.to_dict())
        return
    fmt_ = netcontent.fmt_decimal
    typer.echo(
        f"净含量 Qn = {fmt_(tol.nominal)} {unit}: 允许短缺量 T = {fmt_(tol.t)} {tol.t_unit} "
        f"({tol.rule}, {tol.rounding})\n"
        f"within T at ≥ {fmt_(tol.nominal - tol.t)} {unit}; "
        f"short by more than 2T below {fmt_(tol.nominal - tol.two_t)} {unit}"
    )


def _rounding(value: str) -> netcontent.Rounding:
    try:
        return netcontent.Rounding(value.strip().lower())
    except ValueError:
        raise ValidationFailed(f"unknown rounding {value!r}; use half-even or half-up") from None


def _read_values(sources: list[str]) -> list[str]:
    """Values from the arguments, or from one file (``-`` for stdin), one or more per line."""
    if len(sources) == 1 and (sources[0] == "-" or Path(sources[0]).is_file()):
        name = sources[0]
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{name}: {exc}") from None
        values: list[str] = []
        for number, line in enumerate(text.splitlines(), start=1):
            tokens = [t for t in re.split(r"[\s,;\t]+", line.strip()) if t]
            if not tokens or tokens[0].startswith("#"):
                continue
            bad = [t for t in tokens if not _is_number(t)]
            if bad and number == 1 and len(bad) == len(tokens):
                continue  # a header row
            if bad:
                raise InputError(f"{name}, line {number}: {bad[0]!r} is not a number")
            values.extend(tokens)
        return values
    return [t for s in sources for t in re.split(r"[\s,;]+", s.strip()) if t]


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


@netcontent_app.command("check")
def check_command(
    values: Annotated[
        list[str], typer.Argument(help="Actual net contents, or one file of them (- = stdin).")
    ],
    nominal: Annotated[str, typer.Option("--nominal", help="Labelled quantity Qn.")],
    unit: Annotated[str, typer.Option("--unit", help="g, kg, mL, L (also m, m2, count).")],
    lot: Annotated[
        int | None, typer.Option("--lot", help="Lot size N (default: the sample, ≤ 10 units).")
    ] = None,
    fmt: FormatOpt = "text",
    rounding: RoundingOpt = str(netcontent.DEFAULT_ROUNDING),
) -> None:
    """Judge a lot from its sample units' actual net contents (after tare).

    Example: liveqc netcontent check --nominal 500 --unit g --lot 40 497 503 499 501 496 502
    498 500 495 504
    """
    output = _format(fmt)
    verdict = netcontent.check_batch(nominal, unit, _read_values(values), lot, _rounding(rounding))
    if output == "json":
        _json(verdict.to_dict())
    else:
        typer.echo("\n".join(verdict.reasons))


products_app = typer.Typer(
    help="Product catalogue: Excel import and export, facts, expired-document sweep.\n\n"
    "Example: liveqc products import products.xlsx --org 星河直播",
    no_args_is_help=True,
)
OrgOpt = Annotated[str, typer.Option("--org", help="Organisation name or id.")]


def _factory() -> Any:
    from liveqc.config import get_settings
    from liveqc.db.migrate import require_current_schema
    from liveqc.db.session import make_db_engine, make_session_factory

    engine = make_db_engine(get_settings())
    require_current_schema(engine)
    return make_session_factory(engine)


@contextmanager
def _org_session(org: str, actor_email: str | None = None) -> Iterator[tuple[Any, Any]]:
    """A transaction acting in ``org`` (and the acting user, if given)."""
    from liveqc.accounts import service as accounts
    from liveqc.db import tenancy
    from liveqc.db.session import session_scope

    with session_scope(_factory()) as session:
        organisation = accounts.get_organisation_or_raise(session, org)
        tenancy.set_organisation(session, organisation.id)
        actor = accounts.get_user_or_raise(session, actor_email) if actor_email else None
        yield session, actor


@products_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="The .xlsx workbook.")],
    org: OrgOpt,
    valid_only: Annotated[
        bool, typer.Option("--valid-only", help="Import the valid rows and skip the rest.")
    ] = False,
    actor: Annotated[str | None, typer.Option("--as", help="Email of the importing user.")] = None,
    fmt: FormatOpt = "text",
) -> None:
    """Import products (and one document per row) from an Excel workbook.

    All-or-nothing unless --valid-only. Prints a per-row report; exit status 1 when a row was
    rejected, 2 when the file cannot be read.

    Example: liveqc products import products.xlsx --org 星河直播 --as qc@xinghe.example
    """
    from liveqc.jobs.progress import terminal_bar
    from liveqc.products import importing

    fmt = _format(fmt)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(f"{file}: {exc.strerror or exc}") from None
    with _org_session(org, actor) as (session, user), terminal_bar("import") as progress:
        report = importing.import_products(
            session, data=data, actor=user, valid_only=valid_only, progress=progress
        )
    if fmt == "json":
        _json(report.to_dict())
    else:
        for row in report.rows:
            verdict = "accepted" if row.accepted else "rejected: " + "; ".join(row.reasons)
            typer.echo(f"{file}:{row.row}: {row.sku or '-'}: {verdict}")
        done = "imported" if report.imported else "nothing imported"
        typer.echo(f"{report.accepted} accepted, {report.rejected} rejected; {done}")
    if report.rejected:
        raise typer.Exit(1)


@products_app.command("export")
def export_command(
    org: OrgOpt,
    fmt: Annotated[str, typer.Option("--format", help="xlsx or csv.")] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (CSV: stdout if omitted).")
    ] = None,
) -> None:
    """Export the catalogue with each product's status as CSV or .xlsx.

    Example: liveqc products export --org 星河直播 --format xlsx -o products.xlsx
    """
    from liveqc.products import importing

    fmt = fmt.strip().lower()
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed(f"unknown format {fmt!r}; use csv or xlsx")
    if fmt == "xlsx" and output is None:
        raise ValidationFailed("--output is required for xlsx")
    with _org_session(org) as (session, _):
        body = importing.export_xlsx(session) if fmt == "xlsx" else importing.export_csv(session)
    if output is None:
        typer.echo(body, nl=False)
    elif isinstance(body, bytes):
        output.write_bytes(body)
    else:
        output.write_text(body, encoding="utf-8-sig")


@products_app.command("facts")
def facts_command(product_id: Annotated[int, typer.Argument(min=1)], org: OrgOpt) -> None:
    """Print a product's facts as JSON (the compliance contract's shape).

    Example: liveqc products facts 3 --org 星河直播
    """
    from liveqc.products import flows

    with _org_session(org) as (session, _):
        _json(flows.product_facts(session, product_id))


@products_app.command("sweep")
def sweep_command(org: OrgOpt) -> None:
    """Open re-vetting for approved products holding an expired document.

    Example: liveqc products sweep --org 星河直播
    """
    from liveqc.products import flows

    with _org_session(org) as (session, _):
        products = flows.revet_expired_documents(session)
        lines = [f"{p.sku}: re-vetting opened ({p.status.value})" for p in products]
    typer.echo("\n".join(lines) if lines else "no approved product holds an expired document")


def register(root: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    root.add_typer(aql_app, name="aql")
    root.add_typer(netcontent_app, name="netcontent")
    root.add_typer(products_app, name="products")
