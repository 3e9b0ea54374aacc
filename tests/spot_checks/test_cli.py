"""`liveqc spot-checks`: jurisdiction add/list, redraw (and its tamper check), export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from liveqc.cli.main import app
from liveqc.config import get_settings
from liveqc.db.session import make_db_engine
from tests.conftest import make_settings


@pytest.fixture
def env(tmp_path: Path, cli_runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    from liveqc.demo import loader
    from liveqc.spot_checks import demo

    monkeypatch.setattr(loader, "domain_loaders", lambda: [demo.load])
    values = {"LIVEQC_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "LIVEQC_ENV": "test"}
    get_settings.cache_clear()
    for args in (["db", "upgrade"], ["demo", "load"]):
        result = cli_runner.invoke(app, args, env=values)
        assert result.exit_code == 0, result.output
    yield values
    get_settings.cache_clear()


def run(cli_runner: CliRunner, env: dict, *args: str):  # type: ignore[no-untyped-def]
    get_settings.cache_clear()
    return cli_runner.invoke(app, ["spot-checks", *args], env=env)


def test_redraw_confirms_the_recorded_draw(cli_runner: CliRunner, env: dict) -> None:
    result = run(cli_runner, env, "redraw", "1")
    assert result.exit_code == 0, result.output
    assert "ok: the draw is reproducible" in result.output
    assert "seed=BJ-2026-Q4-0001" in result.output


def test_redraw_detects_a_tampered_selection(
    cli_runner: CliRunner, env: dict, tmp_path: Path
) -> None:
    engine = make_db_engine(make_settings(tmp_path, database_url=env["LIVEQC_DATABASE_URL"]))
    with engine.begin() as connection:
        connection.execute(text("UPDATE spot_check_plans SET selected_ids = '[1, 2, 3, 4]'"))
    engine.dispose()
    result = run(cli_runner, env, "redraw", "1")
    assert result.exit_code == 1
    assert "MISMATCH" in result.output


def test_redraw_of_a_missing_plan_is_not_found(cli_runner: CliRunner, env: dict) -> None:
    result = run(cli_runner, env, "redraw", "99")
    assert result.exit_code == 4 and "does not exist" in result.output


def test_jurisdiction_add_and_list(cli_runner: CliRunner, env: dict) -> None:
    added = run(cli_runner, env, "jurisdiction", "add", "--regulator", "滨江区市场监管局",
                "--region", "浙江省杭州市", "--category", "food")  # fmt: skip
    assert added.exit_code == 0, added.output
    listed = run(cli_runner, env, "jurisdiction", "list", "--regulator", "滨江区市场监管局")
    assert "浙江省杭州市\tfood" in listed.output
    assert "covers\t星河直播\tall" in listed.output and "covers\t快购平台\tfood" in listed.output
    bad = run(cli_runner, env, "jurisdiction", "add", "--regulator", "星河直播", "--region", "x")
    assert bad.exit_code == 2 and "not a regulator" in bad.output
    unknown = run(cli_runner, env, "jurisdiction", "add", "--regulator", "滨江区市场监管局",
                  "--region", "x", "--category", "weapons")  # fmt: skip
    assert unknown.exit_code == 2 and "--category" in unknown.output


def test_export_writes_each_format(cli_runner: CliRunner, env: dict, tmp_path: Path) -> None:
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        out = tmp_path / f"r.{fmt}"
        result = run(cli_runner, env, "export", "--regulator", "滨江区市场监管局",
                     "--format", fmt, "-o", str(out))  # fmt: skip
        assert result.exit_code == 0, result.output
        assert out.read_bytes().startswith(magic)
    out = tmp_path / "r.json"
    run(cli_runner, env, "export", "--regulator", "滨江区市场监管局", "--plan", "1", "-o", str(out))
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["count"] == 4 and doc["issuer"] == "滨江区市场监管局"
    bad = run(cli_runner, env, "export", "--regulator", "滨江区市场监管局", "--format", "doc",
              "-o", str(out))  # fmt: skip
    assert bad.exit_code == 2
