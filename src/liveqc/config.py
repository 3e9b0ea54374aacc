"""Settings: one pydantic-settings object, built once and passed explicitly.

Values come from ``LIVEQC_*`` environment variables or a ``.env`` file in the working
directory (nested fields use ``__``, e.g. ``LIVEQC_LOGIN__MAX_FAILURES_PER_ACCOUNT``).
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from liveqc.errors import ConfigurationError

#: Clearly marked development secret; refused outside development and test.
DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"
_PLACEHOLDERS = {"", "changeme", "change-me", "secret", "please-change", DEV_SECRET_KEY}


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class LoginLimits(BaseModel):
    """Sliding-window limits on failed logins."""

    window_seconds: int = Field(default=300, ge=1)
    max_failures_per_account: int = Field(default=5, ge=1)
    max_failures_per_address: int = Field(default=20, ge=1)


class IngestMode(StrEnum):
    """Where live segments are scanned: in the web process, or by ``liveqc worker`` processes
    fed through NATS JetStream (see docs/scaling.md)."""

    INPROCESS = "inprocess"
    BROKER = "broker"


class Settings(BaseSettings):
    """Every setting liveqc reads (documented in docs/settings.md)."""

    model_config = SettingsConfigDict(
        env_prefix="LIVEQC_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
    )

    env: Environment = Environment.DEVELOPMENT
    database_url: str = "sqlite:///liveqc.db"
    secret_key: str = DEV_SECRET_KEY
    upload_dir: Path = Path("uploads")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"
    session_max_age_seconds: int = Field(default=8 * 3600, ge=60)
    login: LoginLimits = LoginLimits()
    ingest_mode: IngestMode = IngestMode.INPROCESS
    nats_url: str = "nats://127.0.0.1:4222"
    #: Prefix of the JetStream stream and subjects, so several deployments (or test runs) can
    #: share one NATS server.
    nats_prefix: str = Field(default="liveqc", pattern=r"^[A-Za-z0-9_-]{1,40}$")
    #: Segment partitions (by live session id); per-session order holds within a partition.
    ingest_partitions: int = Field(default=16, ge=1, le=1024)
    #: Processes beside each web process that store and scan WebSocket ingest (0: a thread
    #: of the web process does it; SQLite uses at most one).
    ingest_writer_processes: int = Field(default=2, ge=0, le=32)
    #: Threads of a web process that run background jobs (imports, reports, campaign runs).
    job_workers: int = Field(default=2, ge=1, le=64)
    #: Least seconds between two progress writes of a running job to its row (PostgreSQL).
    job_progress_interval: float = Field(default=0.5, ge=0, le=60)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        return value

    @model_validator(mode="after")
    def _safe_secret(self) -> Settings:
        weak = self.secret_key.strip().lower() in _PLACEHOLDERS or len(self.secret_key) < 32
        if self.env is Environment.PRODUCTION and weak:
            raise ValueError(
                "LIVEQC_SECRET_KEY must be a random value of at least 32 characters in "
                "production; generate one with `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`"
            )
        return self

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION


def load_settings(**overrides: Any) -> Settings:
    """Build Settings, turning validation errors into one ConfigurationError line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "settings"
        name = f"LIVEQC_{field.upper().replace('.', '__')}" if first["loc"] else field
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigurationError(f"{name}: {message}" if first["loc"] else message) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide Settings, built on first use."""
    return load_settings()
