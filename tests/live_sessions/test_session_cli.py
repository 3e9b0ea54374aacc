"""`liveqc session list | report | replay | purge-expired` against a file database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from liveqc.cli.main import app
from liveqc.config import get_settings
from liveqc.db.session import make_db_engine, make_session_factory
from liveqc.db.tenancy import bypass_tenancy
from liveqc.db.types import utcnow
from liveqc.events.models import AuditEvent
from liveqc.live_sessions.models import LiveSession, LiveSessionStatus
from liveqc.live_sessions.replay import RECORDINGS
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    path = tmp_path_factory.mktemp("cli") / "cli.db"
    env = {"LIVEQC_DATABASE_URL": f"sqlite:///{path}", "LIVEQC_ENV": "test"}
    runner = CliRunner()
    get_settings.cache_clear()
    for args in (["db", "upgrade"], ["demo", "load"]):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, result.output
    yield env
    get_settings.cache_clear()


def run(runner: CliRunner, env: dict[str, str], *args: str):
    get_settings.cache_clear()
    return runner.invoke(app, list(args), env=env)


def sessions(env: dict[str, str], tmp: Path) -> list[LiveSession]:
    engine = make_db_engine(make_settings(tmp, database_url=env["LIVEQC_DATABASE_URL"]))
    with make_session_factory(engine)() as session, bypass_tenancy(session, reason="test"):
        rows = list(session.scalars(select(LiveSession).order_by(LiveSession.id)))
    engine.dispose()
    return rows


def test_list_shows_the_virtual_host_label(cli_runner, loaded) -> None:
    result = run(cli_runner, loaded, "session", "list", "--org", "青禾优选")
    assert result.exit_code == 0 and "[AI virtual host]" in result.output
    assert "星河" not in result.output


def test_report_html_to_stdout_and_pdf_to_a_file(cli_runner, loaded, tmp_path: Path) -> None:
    ended = next(s for s in sessions(loaded, tmp_path) if s.status is LiveSessionStatus.ENDED)
    html = run(cli_runner, loaded, "session", "report", str(ended.id))
    assert html.exit_code == 0 and "直播合规报告" in html.output and "时间线" in html.output
    out = tmp_path / "r.pdf"
    pdf = run(
        cli_runner,
        loaded,
        "session",
        "report",
        str(ended.id),
        "--format",
        "pdf",
        "--output",
        str(out),
    )
    assert pdf.exit_code == 0 and out.read_bytes().startswith(b"%PDF")
    refused = run(cli_runner, loaded, "session", "report", str(ended.id), "--format", "pdf")
    assert refused.exit_code == 2 and "--output" in refused.output
    missing = run(cli_runner, loaded, "session", "report", "987654")
    assert missing.exit_code == 4 and "does not exist" in missing.output


def test_replay_into_the_database_then_resume(cli_runner, loaded, tmp_path: Path) -> None:
    ready = next(
        s
        for s in sessions(loaded, tmp_path)
        if s.status is LiveSessionStatus.READY and "星河" in s.title
    )
    recording = str(RECORDINGS / "xinghe.jsonl")
    args = ("session", "replay", recording, "--session", str(ready.id), "--speed", "0")
    first = run(cli_runner, loaded, *args)
    assert first.exit_code == 0, first.output
    assert "sent 22: 22 stored" in first.output and "off_platform_transaction" in first.output
    again = run(cli_runner, loaded, *args)
    assert "sent 0" in again.output
    assert (
        run(
            cli_runner,
            loaded,
            "session",
            "replay",
            recording,
            "--session",
            "1",
            "--url",
            "http://127.0.0.1:9",
        ).exit_code
        == 2
    )


def test_purge_expired_deletes_by_policy_and_audits(cli_runner, loaded, tmp_path: Path) -> None:
    engine = make_db_engine(make_settings(tmp_path, database_url=loaded["LIVEQC_DATABASE_URL"]))
    factory = make_session_factory(engine)
    with factory() as session, bypass_tenancy(session, reason="test"), session.begin():
        old = next(s for s in session.scalars(select(LiveSession)) if s.ended_at is not None)
        old.ended_at = utcnow() - timedelta(days=3 * 366 + 1)
        old_id = old.id
    dry = run(cli_runner, loaded, "session", "purge-expired", "--dry-run")
    assert dry.exit_code == 0 and f"would delete sessions {old_id}" in dry.output
    done = run(cli_runner, loaded, "session", "purge-expired", "--batch-size", "1")
    assert done.exit_code == 0 and "purged 1 expired sessions" in done.output
    with factory() as session, bypass_tenancy(session, reason="test"):
        assert session.get(LiveSession, old_id) is None
        assert session.scalars(
            select(AuditEvent).where(AuditEvent.action == "purge_expired")
        ).first()
    engine.dispose()
