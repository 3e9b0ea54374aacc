from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from liveqc.cli.main import app
from liveqc.config import get_settings


@pytest.fixture
def env(tmp_path: Path, cli_runner: CliRunner) -> dict[str, str]:
    env = {"LIVEQC_DATABASE_URL": f"sqlite:///{tmp_path / 'acc.db'}", "LIVEQC_ENV": "test"}
    get_settings.cache_clear()
    assert cli_runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    get_settings.cache_clear()
    assert cli_runner.invoke(app, ["demo", "load"], env=env).exit_code == 0
    yield env
    get_settings.cache_clear()


def invoke(cli_runner: CliRunner, args: list[str], env: dict[str, str], **kwargs):
    get_settings.cache_clear()
    return cli_runner.invoke(app, args, env=env, **kwargs)


def test_token_create_prints_only_a_working_token(cli_runner: CliRunner, env, tmp_path) -> None:
    result = invoke(
        cli_runner, ["token", "create", "--user", "qc@xinghe.example", "--name", "probe"], env
    )
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("lqc_") and " " not in lines[0]
    from fastapi.testclient import TestClient

    from liveqc.api.app import create_app
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, database_url=env["LIVEQC_DATABASE_URL"])
    with TestClient(create_app(settings)) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {lines[0]}"})
    assert me.status_code == 200 and me.json()["email"] == "qc@xinghe.example"


def test_token_create_for_an_unknown_user_fails(cli_runner: CliRunner, env) -> None:
    result = invoke(cli_runner, ["token", "create", "--user", "ghost@x.example"], env)
    assert result.exit_code == 4 and "error: Not found" in result.output


def test_user_create_with_prompted_password(cli_runner: CliRunner, env) -> None:
    result = invoke(
        cli_runner,
        ["user", "create", "--email", "Host@Xinghe.example", "--org", "星河直播", "--role", "host"],
        env,
        input="long-enough-pw\nlong-enough-pw\n",
    )
    assert result.exit_code == 0, result.output
    assert "host@xinghe.example" in result.output and "host in 星河直播" in result.output
    again = invoke(
        cli_runner,
        [
            "user",
            "create",
            "--email",
            "host@xinghe.example",
            "--org",
            "青禾优选",
            "--role",
            "viewer",
        ],
        env,
    )
    assert again.exit_code == 0 and "viewer in 青禾优选" in again.output


def test_user_create_refuses_short_passwords_and_unknown_orgs(cli_runner: CliRunner, env) -> None:
    short = invoke(
        cli_runner,
        [
            "user",
            "create",
            "--email",
            "a@b.example",
            "--org",
            "星河直播",
            "--role",
            "host",
            "--password",
            "short",
        ],
        env,
    )
    assert short.exit_code == 2
    unknown = invoke(
        cli_runner,
        [
            "user",
            "create",
            "--email",
            "a@b.example",
            "--org",
            "不存在",
            "--role",
            "host",
            "--password",
            "long-enough-pw",
        ],
        env,
    )
    assert unknown.exit_code == 4
    bad_role = invoke(
        cli_runner,
        [
            "user",
            "create",
            "--email",
            "a@b.example",
            "--org",
            "星河直播",
            "--role",
            "boss",
            "--password",
            "long-enough-pw",
        ],
        env,
    )
    assert bad_role.exit_code == 2
