from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from liveqc.cli.main import app
from liveqc.config import get_settings


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    get_settings.cache_clear()
    yield {"LIVEQC_DATABASE_URL": f"sqlite:///{tmp_path / 'sys.db'}", "LIVEQC_ENV": "development"}
    get_settings.cache_clear()


def run(cli_runner: CliRunner, args: list[str], env: dict[str, str]):
    get_settings.cache_clear()
    return cli_runner.invoke(app, args, env=env)


def test_upgrade_then_demo_load_twice(cli_runner: CliRunner, env) -> None:
    first = run(cli_runner, ["db", "upgrade"], env)
    assert first.exit_code == 0 and "migrated: empty ->" in first.output
    assert "up to date" in run(cli_runner, ["db", "upgrade"], env).output
    loaded = run(cli_runner, ["demo", "load"], env)
    assert loaded.exit_code == 0 and "9 users" in loaded.output
    again = run(cli_runner, ["demo", "load"], env)
    assert again.exit_code == 0 and "nothing to create" in again.output


def test_demo_load_is_refused_in_production(cli_runner: CliRunner, env) -> None:
    run(cli_runner, ["db", "upgrade"], env)
    production = {**env, "LIVEQC_ENV": "production", "LIVEQC_SECRET_KEY": "s" * 48}
    result = run(cli_runner, ["demo", "load"], production)
    assert result.exit_code == 3
    assert "error: Invalid configuration: demo data is refused" in result.output


def test_demo_load_before_upgrade_names_the_fix(cli_runner: CliRunner, env) -> None:
    result = run(cli_runner, ["demo", "load"], env)
    assert result.exit_code == 3 and "run `liveqc db upgrade` first" in result.output


def test_bad_configuration_is_one_line(cli_runner: CliRunner, env) -> None:
    result = run(cli_runner, ["db", "upgrade"], {**env, "LIVEQC_DATABASE_URL": "mysql://x/y"})
    assert result.exit_code == 3
    assert result.output.strip().count("\n") == 0
    assert "LIVEQC_DATABASE_URL" in result.output


def test_unreachable_database_is_one_line(cli_runner: CliRunner, env, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}"
    result = run(cli_runner, ["db", "upgrade"], {**env, "LIVEQC_DATABASE_URL": url})
    assert result.exit_code == 3
    assert result.output.startswith("error: Invalid configuration: cannot reach the database")
    assert result.output.strip().count("\n") == 0


def test_serve_refuses_an_unmigrated_database(cli_runner: CliRunner, env) -> None:
    result = run(cli_runner, ["serve", "--port", "0"], env)
    assert result.exit_code == 3 and "liveqc db upgrade" in result.output


@pytest.mark.parametrize("args", [["serve"], ["db", "upgrade"], ["demo", "load"]])
def test_help_ends_with_an_example(cli_runner: CliRunner, args: list[str]) -> None:
    result = cli_runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0 and "Example: liveqc" in result.output


@pytest.mark.parametrize(
    "args",
    [["user", "create"], ["token", "create"], ["audit", "verify"]],
)
def test_other_foundation_commands_have_examples(cli_runner: CliRunner, args: list[str]) -> None:
    result = cli_runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output
