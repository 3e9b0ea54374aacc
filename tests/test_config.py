from __future__ import annotations

from pathlib import Path

import pytest

from liveqc.config import DEV_SECRET_KEY, Settings, load_settings
from liveqc.errors import ConfigurationError


def test_defaults_are_a_local_sqlite_development_setup() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "sqlite:///liveqc.db"
    assert settings.env == "development"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ConfigurationError, match="LIVEQC_SECRET_KEY"):
        load_settings(_env_file=None, env="production", secret_key=DEV_SECRET_KEY)
    with pytest.raises(ConfigurationError):
        load_settings(_env_file=None, env="production", secret_key="short")


def test_production_accepts_a_long_random_secret() -> None:
    settings = load_settings(_env_file=None, env="production", secret_key="x7" * 24)
    assert settings.is_production


def test_bad_values_name_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="LIVEQC_PORT"):
        load_settings(_env_file=None, port=0)
    with pytest.raises(ConfigurationError, match="LIVEQC_DATABASE_URL"):
        load_settings(_env_file=None, database_url="mysql://x")
    with pytest.raises(ConfigurationError, match="LIVEQC_LOGIN__WINDOW_SECONDS"):
        load_settings(_env_file=None, login={"window_seconds": 0})


def test_env_file_and_nested_delimiter(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("LIVEQC_PORT=9001\nLIVEQC_LOGIN__MAX_FAILURES_PER_ACCOUNT=3\n")
    settings = Settings(_env_file=env)  # type: ignore[call-arg]
    assert settings.port == 9001
    assert settings.login.max_failures_per_account == 3


def test_every_setting_is_documented() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "settings.md").read_text(encoding="utf-8")
    names = []
    for name, field in Settings.model_fields.items():
        sub = getattr(field.annotation, "model_fields", None)
        if sub:
            names += [f"LIVEQC_{name.upper()}__{inner.upper()}" for inner in sub]
        else:
            names.append(f"LIVEQC_{name.upper()}")
    missing = [name for name in names if f"`{name}`" not in doc]
    assert not missing
