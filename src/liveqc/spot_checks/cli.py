"""`liveqc spot-checks ...`: jurisdictions, re-checking a draw, exports (system commands)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from liveqc.config import get_settings

app = typer.Typer(
    help="Regulatory spot checks (抽检): jurisdictions, draws and exports.\n\n"
    "Example: liveqc spot-checks redraw 1",
    no_args_is_help=True,
)
jurisdiction_app = typer.Typer(
    help="Which organisations a regulator covers.\n\n"
    "Example: liveqc spot-checks jurisdiction list --regulator 滨江区市场监管局",
    no_args_is_help=True,
)
app.add_typer(jurisdiction_app, name="jurisdiction")

RegulatorOpt = Annotated[str, typer.Option("--regulator", help="Regulator name or id.")]


def _system(reason: str):  # type: ignore[no-untyped-def]
    from liveqc.db.migrate import require_current_schema
    from liveqc.db.session import make_db_engine, make_session_factory, system_session

    engine = make_db_engine(get_settings())
    require_current_schema(engine)
    return system_session(make_session_factory(engine), reason=reason)


@jurisdiction_app.command("add")
def jurisdiction_add(
    regulator: RegulatorOpt,
    region: Annotated[str, typer.Option("--region", help="Region prefix, e.g. 杭州市滨江区.")],
    category: Annotated[
        str, typer.Option("--category", help="Product category (default: all).")
    ] = "",
) -> None:
    """Let a regulator cover the organisations of a region (one category or all).

    Example: liveqc spot-checks jurisdiction add --regulator 滨江区市场监管局 --region 杭州市滨江区
    """
    from liveqc.accounts import service as accounts
    from liveqc.errors import ValidationFailed
    from liveqc.products.models import ProductCategory
    from liveqc.spot_checks import jurisdiction

    if category and category not in {c.value for c in ProductCategory}:
        names = ", ".join(c.value for c in ProductCategory)
        raise ValidationFailed(f"--category: unknown {category!r} (one of {names})")
    with _system("spot-checks jurisdiction add") as session:
        org = accounts.get_organisation_or_raise(session, regulator)
        row = jurisdiction.add_jurisdiction(
            session, regulator=org, region_prefix=region, category=category or None
        )
        typer.echo(
            f"jurisdiction {row.id}: {org.name} covers {row.region_prefix} "
            f"({row.category or 'all categories'})"
        )


@jurisdiction_app.command("list")
def jurisdiction_list(regulator: RegulatorOpt) -> None:
    """List a regulator's jurisdiction and the organisations it covers today.

    Example: liveqc spot-checks jurisdiction list --regulator 滨江区市场监管局
    """
    from liveqc.accounts import service as accounts
    from liveqc.accounts.models import Organisation
    from liveqc.spot_checks import jurisdiction

    with _system("spot-checks jurisdiction list") as session:
        org = accounts.get_organisation_or_raise(session, regulator)
        for row in jurisdiction.list_jurisdictions(session, regulator_id=org.id):
            typer.echo(f"{row.id}\t{row.region_prefix}\t{row.category or 'all'}")
        cover = jurisdiction.coverage(session, org.id)
        for org_id, cats in sorted(cover.organisations.items()):
            covered = session.get(Organisation, org_id)
            name = covered.name if covered else org_id
            typer.echo(f"covers\t{name}\t{','.join(sorted(cats)) if cats else 'all'}")


@app.command("redraw")
def redraw(plan_id: Annotated[int, typer.Argument(help="Plan id.", min=1)]) -> None:
    """Re-create a plan's draw from its recorded seed and candidates, and check it.

    Exits 1 and prints MISMATCH when the recorded selection is not what the seed gives.

    Example: liveqc spot-checks redraw 1
    """
    from liveqc.spot_checks import flows, service

    with _system(f"spot-checks redraw {plan_id}") as session:
        plan = service.get_plan_or_raise(session, plan_id)
        result = flows.verify_draw(plan)
        typer.echo(
            f"plan {plan.id} seed={plan.seed} method={plan.method.value} "
            f"candidates={len(plan.candidates)} n={plan.sample_count}"
        )
        typer.echo(f"recorded:   {' '.join(map(str, result.recorded))}")
        typer.echo(f"re-created: {' '.join(map(str, result.recreated))}")
    if not result.matches:
        typer.echo("MISMATCH: the recorded selection is not what the seed gives", err=True)
        raise typer.Exit(1)
    typer.echo("ok: the draw is reproducible")


@app.command("export")
def export(
    regulator: RegulatorOpt,
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="xlsx, pdf or json.")] = "json",
    plan_id: Annotated[int | None, typer.Option("--plan", help="Only this plan.", min=1)] = None,
) -> None:
    """Export a regulator's spot-check results as XLSX, PDF or structured JSON.

    Example: liveqc spot-checks export --regulator 滨江区市场监管局 --format xlsx -o results.xlsx
    """
    from liveqc.accounts import service as accounts
    from liveqc.errors import ValidationFailed
    from liveqc.spot_checks import exports, service

    fmt = fmt.strip().lower()
    if fmt not in exports.FORMATS:
        raise ValidationFailed(f"--format: must be one of {', '.join(exports.FORMATS)}")
    with _system("spot-checks export") as session:
        org = accounts.get_organisation_or_raise(session, regulator)
        checks = service.checks_of(session, regulator_id=org.id, plan_id=plan_id)
        rows = exports.export_rows(session, checks)
    title = f"{org.name} 抽检结果"
    if fmt == "xlsx":
        output.write_bytes(exports.to_xlsx(rows, title=title))
    elif fmt == "pdf":
        output.write_bytes(exports.to_pdf(rows, title=title))
    else:
        document = exports.to_json(rows, title=title, regulator=org.name)
        output.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    typer.echo(f"wrote {len(rows)} results to {output}")


campaign_app = typer.Typer(
    help="Special governance campaigns (专项整治).\n\nExample: liveqc spot-checks campaign run 1",
    no_args_is_help=True,
)
app.add_typer(campaign_app, name="campaign")


@campaign_app.command("run")
def campaign_run(
    campaign_id: Annotated[int, typer.Argument(help="Campaign id.", min=1)],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Also write the report (.json, .xlsx or .pdf)."),
    ] = None,
) -> None:
    """Run a campaign over its regulator's jurisdiction, as the user who defined it.

    Example: liveqc spot-checks campaign run 1 -o campaign.xlsx
    """
    from sqlalchemy import select

    from liveqc.accounts import service as accounts
    from liveqc.accounts.models import User
    from liveqc.db import tenancy
    from liveqc.db.migrate import require_current_schema
    from liveqc.db.session import make_db_engine, make_session_factory
    from liveqc.errors import NotFound, ValidationFailed
    from liveqc.jobs.progress import terminal_bar
    from liveqc.spot_checks import campaigns
    from liveqc.spot_checks.models import Campaign

    engine = make_db_engine(get_settings())
    require_current_schema(engine)
    with make_session_factory(engine)() as session, session.begin():
        with tenancy.bypass_tenancy(session, reason=f"spot-checks campaign run {campaign_id}"):
            row = session.scalars(select(Campaign).where(Campaign.id == campaign_id)).first()
            if row is None:
                raise NotFound(f"campaign {campaign_id} does not exist")
            user = session.get(User, row.created_by_user_id) if row.created_by_user_id else None
            if user is None:
                raise ValidationFailed(f"campaign {campaign_id}: has no defining user to run as")
            principal = accounts.principal_for(user, row.organisation_id)
        # The run reads in the regulator's own tenancy, as a request of that user would.
        tenancy.set_organisation(session, row.organisation_id)
        with terminal_bar("campaign") as progress:
            row = campaigns.run_campaign(
                session,
                principal,
                campaign_id=campaign_id,
                path=f"cli campaign run {campaign_id}",
                progress=progress,
            )
        report = campaigns.to_json(row)
        if output is not None:
            if output.suffix.lower() == ".xlsx":
                output.write_bytes(campaigns.to_xlsx(row))
            elif output.suffix.lower() == ".pdf":
                output.write_bytes(campaigns.to_pdf(row))
            else:
                text = json.dumps(report, ensure_ascii=False, indent=2)
                output.write_text(text, encoding="utf-8")
    typer.echo(
        f"campaign {campaign_id} {report['title']}: {report['total']} hits in "
        f"{len(report['by_organisation'])} of {report['organisations_covered']} organisations"
    )
    for code, count in report["by_code"].items():
        typer.echo(f"{code}\t{count}")
    for item in report["by_organisation"]:
        typer.echo(f"organisation\t{item['organisation']}\t{item['count']}")


def register(root: typer.Typer) -> None:
    """Add `spot-checks` to the root app."""
    root.add_typer(app, name="spot-checks")
