"""Find every domain's ``models`` module so the metadata is complete (for Alembic and tests)."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

from sqlalchemy import MetaData

import liveqc
from liveqc.db.base import Base


def load_all_models() -> MetaData:
    """Import ``liveqc.<domain>.models`` for every domain that has one; return the metadata."""
    for module in pkgutil.iter_modules(liveqc.__path__):
        if not module.ispkg:
            continue
        name = f"liveqc.{module.name}.models"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    return Base.metadata
