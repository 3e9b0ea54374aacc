from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from liveqc.cli.main import app
from liveqc.config import get_settings
from liveqc.db.session import make_db_engine
from tests.conftest import make_settings


@pytest.fixture
def loaded_db(tmp_path: Path, cli_runner: CliRunner) -> dict[str, str]:
    env = {"LIVEQC_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "LIVEQC_ENV": "test"}
    get_settings.cache_clear()
    for args in (["db", "upgrade"], ["demo", "load"]):
        result = cli_runner.invoke(app, args, env=env)
        assert result.exit_code == 0, result.output
    yield env
    get_settings.cache_clear()


def test_verify_passes_on_an_intact_chain(cli_runner: CliRunner, loaded_db) -> None:
    get_settings.cache_clear()
    result = cli_runner.invoke(app, ["audit", "verify"], env=loaded_db)
    assert result.exit_code == 0
    assert "audit chain ok" in result.output


def test_verify_names_the_first_tampered_entry(
    cli_runner: CliRunner, loaded_db, tmp_path: Path
) -> None:
    engine = make_db_engine(make_settings(tmp_path, database_url=loaded_db["LIVEQC_DATABASE_URL"]))
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET object_id = '999' WHERE id IN (7, 9)"))
    engine.dispose()
    get_settings.cache_clear()
    result = cli_runner.invoke(app, ["audit", "verify"], env=loaded_db)
    assert result.exit_code == 1
    assert "BROKEN at entry 7" in result.output
