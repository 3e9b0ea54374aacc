"""Console translations: one folder of YAML files per language (a file per domain, so each
domain owns its texts), looked up with ``t(key)``."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LOCALE = "zh-CN"
LOCALES = ("zh-CN", "en")


@cache
def catalogue(locale: str) -> dict[str, str]:
    """The flat key → text mapping of ``locale`` (nested YAML keys joined with dots).

    Raises:
        ValueError: two files of the locale define the same top-level block.
    """
    data: dict[str, Any] = {}
    for path in sorted((LOCALES_DIR / locale).glob("*.yaml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        clash = sorted(set(part) & set(data))
        if clash:
            raise ValueError(f"{path.name} redefines {', '.join(clash)} in locale {locale}")
        data.update(part)
    flat: dict[str, str] = {}

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value)
        else:
            flat[prefix] = str(node)

    walk("", data)
    return flat


def pick_locale(requested: str | None) -> str:
    return requested if requested in LOCALES else DEFAULT_LOCALE


def translator(locale: str) -> Callable[..., str]:
    """``t(key, **values)`` for ``locale``, falling back to zh-CN, then to the key itself."""
    primary = catalogue(pick_locale(locale))
    fallback = catalogue(DEFAULT_LOCALE)

    def t(key: str, **values: Any) -> str:
        text = primary.get(key) or fallback.get(key) or key
        return text.format(**values) if values else text

    return t
