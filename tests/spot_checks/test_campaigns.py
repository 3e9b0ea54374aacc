"""Special governance campaigns: definition, the audited run over the jurisdiction, the stored
report and its exports, the API and the CLI."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveqc.compliance import service as compliance
from liveqc.compliance.models import Finding
from liveqc.db import tenancy
from liveqc.errors import PermissionDenied, ValidationFailed
from liveqc.live_sessions.models import Alert, Segment
from liveqc.spot_checks import campaigns, jurisdiction
from liveqc.spot_checks.models import AccessLog
from tests.spot_checks.conftest import principal

REGULATOR = "inspector@binjiang.example"
ALL_CODES = ["absolute_term", "price_fraud", "medical_claim", "off_platform_transaction",
             "guarantee_claim", "efficacy_unsupported"]  # fmt: skip
TODAY = date.today()


def _define(session: Session, codes: list[str], **kw: Any) -> Any:
    reg = principal(session, REGULATOR)
    row = campaigns.create_campaign(
        session,
        title=kw.pop("title", "直播话术专项整治"),
        codes=codes,
        period_from=kw.pop("period_from", TODAY - timedelta(days=30)),
        period_to=kw.pop("period_to", TODAY + timedelta(days=1)),
        actor=reg.user,
        **kw,
    )
    return reg, row


def test_create_validates_fields(demo: Any, session: Session) -> None:
    principal(session, REGULATOR)
    with pytest.raises(ValidationFailed, match="codes"):
        _define(session, ["no_such_code"])
    with pytest.raises(ValidationFailed, match="codes"):
        _define(session, [])
    with pytest.raises(ValidationFailed, match="categories"):
        _define(session, ["price_fraud"], categories=["spaceships"])
    with pytest.raises(ValidationFailed, match="period_to"):
        _define(session, ["price_fraud"], period_from=TODAY, period_to=TODAY - timedelta(days=1))


def test_run_collects_hits_of_covered_organisations(demo: Any, session: Session) -> None:
    reg, row = _define(session, ALL_CODES)
    covered = jurisdiction.coverage(session, reg.organisation.id).organisations
    assert covered
    campaigns.run_campaign(session, reg, campaign_id=row.id)
    report = row.report
    assert report is not None and row.run_at is not None
    with tenancy.bypass_tenancy(session, reason="test", quiet=True):
        alerts = session.scalar(
            select(func.count(Alert.id)).where(
                Alert.organisation_id.in_(covered), Alert.code.in_(ALL_CODES)
            )
        )
        findings = session.scalar(
            select(func.count(Finding.id)).where(
                Finding.organisation_id.in_(covered), Finding.code.in_(ALL_CODES)
            )
        )
    assert report["total"] > 0
    assert report["by_source"].get("alert", 0) == alerts
    assert report["by_source"].get("finding", 0) == findings
    assert sum(report["by_code"].values()) == report["total"]
    assert sum(o["count"] for o in report["by_organisation"]) == report["total"]
    assert {o["organisation_id"] for o in report["by_organisation"]} <= set(covered)
    assert 0 < len(report["examples"]) <= campaigns.MAX_EXAMPLES
    assert all(e["code"] in ALL_CODES and e["organisation"] for e in report["examples"])


def test_rescan_applies_rules_added_since(demo: Any, session: Session) -> None:
    """A phrase banned after the broadcast is found in the stored transcript."""
    from liveqc.compliance import flows as compliance_flows
    from liveqc.compliance.models import EntryKind

    admin = principal(session, "admin@xinghe.example")
    segment = session.scalars(select(Segment).order_by(Segment.id)).first()
    assert segment is not None
    phrase = segment.text.strip()[:4]
    _, before = _define(session, ["superstition"])
    reg = principal(session, REGULATOR)
    campaigns.run_campaign(session, reg, campaign_id=before.id)
    first = dict(before.report)
    assert phrase not in {p["phrase"] for p in first["top_phrases"]}
    principal(session, "admin@xinghe.example")
    compliance_flows.add_entry(
        session, kind=EntryKind.BANNED, phrase=phrase, code="superstition", actor=admin.user
    )
    compliance.engine_for(session, admin.organisation.id, fresh=True)
    reg = principal(session, REGULATOR)
    campaigns.run_campaign(session, reg, campaign_id=before.id)
    report = before.report
    rescanned = report["by_source"].get("rescan", 0) - first["by_source"].get("rescan", 0)
    assert rescanned >= 1
    assert report["total"] == first["total"] + rescanned
    assert {"phrase": phrase, "count": rescanned} in report["top_phrases"]
    example = next(e for e in report["examples"] if e["match"] == phrase)
    assert example["organisation"] == "星河直播" and example["live_session_id"]
    assert phrase in example["sentence"] and example["session_title"]
    assert example["source"] == "rescan"


def test_run_filters_by_category_and_period_and_logs_access(demo: Any, session: Session) -> None:
    reg, row = _define(session, ALL_CODES, categories=["food"])
    with tenancy.bypass_tenancy(session, reason="test", quiet=True):
        logged = session.scalar(select(func.count(AccessLog.id))) or 0
    campaigns.run_campaign(session, reg, campaign_id=row.id)
    assert row.report["total"] > 0
    assert set(row.report["by_category"]) == {"food"}
    with tenancy.bypass_tenancy(session, reason="test", quiet=True):
        after = session.scalar(select(func.count(AccessLog.id))) or 0
    assert after - logged >= row.report["total"]
    _, old = _define(session, ALL_CODES, period_from=date(2020, 1, 1), period_to=date(2020, 12, 31))
    campaigns.run_campaign(session, reg, campaign_id=old.id)
    assert old.report["total"] == 0 and old.report["examples"] == []
    assert old.report["by_code"] == dict.fromkeys(ALL_CODES, 0)


def test_only_regulators_run_campaigns(demo: Any, session: Session) -> None:
    _, row = _define(session, ["price_fraud"])
    agency = principal(session, "admin@xinghe.example")
    with pytest.raises(PermissionDenied):
        campaigns.run_campaign(session, agency, campaign_id=row.id)


def test_api_create_run_and_export(client: Any, login: Any) -> None:
    reg = login(REGULATOR)
    body = {
        "title": "虚构原价专项整治",
        "theme": "虚构原价",
        "codes": ["price_fraud"],
        "period_from": str(TODAY - timedelta(days=30)),
        "period_to": str(TODAY + timedelta(days=1)),
    }
    bad = client.post("/api/v1/regulator/campaigns", json={**body, "codes": ["nope"]}, headers=reg)
    assert bad.status_code == 422 and "codes" in bad.text
    agency = login("admin@xinghe.example")
    assert client.post("/api/v1/regulator/campaigns", json=body, headers=agency).status_code == 403
    created = client.post("/api/v1/regulator/campaigns", json=body, headers=reg)
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    assert client.get(f"/api/v1/regulator/campaigns/{cid}/report", headers=reg).status_code == 422
    ran = client.post(f"/api/v1/regulator/campaigns/{cid}/run", headers=reg)
    assert ran.status_code == 200, ran.text
    report = ran.json()["report"]
    assert report["total"] == report["by_code"]["price_fraud"] > 0
    listed = client.get("/api/v1/regulator/campaigns", headers=reg).json()
    assert listed["total"] >= 1 and any(i["id"] == cid for i in listed["items"])
    as_json = client.get(f"/api/v1/regulator/campaigns/{cid}/report", headers=reg)
    assert as_json.headers["content-disposition"].startswith("attachment")
    assert as_json.headers["x-content-type-options"] == "nosniff"
    assert json.loads(as_json.content)["total"] == report["total"]
    xlsx = client.get(f"/api/v1/regulator/campaigns/{cid}/report?format=xlsx", headers=reg)
    book = load_workbook(io.BytesIO(xlsx.content))
    examples = book["例句"]
    assert examples.max_row - 1 == len(report["examples"])
    assert book["按违规类型"]["B2"].value == report["total"]
    pdf = client.get(f"/api/v1/regulator/campaigns/{cid}/report?format=pdf", headers=reg)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert report["title"] in text and "例句" in text
    assert client.get("/api/v1/regulator/campaigns/99999", headers=reg).status_code == 404


def test_cli_runs_a_campaign(tmp_path: Any, cli_runner: Any) -> None:
    from liveqc.cli.main import app
    from liveqc.config import get_settings
    from liveqc.db.session import make_db_engine, make_session_factory
    from tests.conftest import make_settings

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {"LIVEQC_DATABASE_URL": url, "LIVEQC_ENV": "test"}
    get_settings.cache_clear()
    for args in (["db", "upgrade"], ["demo", "load"]):
        result = cli_runner.invoke(app, args, env=env)
        assert result.exit_code == 0, result.output
    engine = make_db_engine(make_settings(tmp_path, database_url=url))
    with make_session_factory(engine)() as session, session.begin():
        _, row = _define(session, ["price_fraud", "medical_claim"])
        cid = row.id
    engine.dispose()
    out = tmp_path / "report.xlsx"
    get_settings.cache_clear()
    result = cli_runner.invoke(
        app, ["spot-checks", "campaign", "run", str(cid), "-o", str(out)], env=env
    )
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert f"campaign {cid} 直播话术专项整治:" in result.output
    assert "organisation\t星河直播" in result.output
    assert load_workbook(out)["概览"]["B1"].value == "直播话术专项整治"
    missing = cli_runner.invoke(app, ["spot-checks", "campaign", "run", "999"], env=env)
    get_settings.cache_clear()
    assert missing.exit_code == 4 and "does not exist" in missing.output
