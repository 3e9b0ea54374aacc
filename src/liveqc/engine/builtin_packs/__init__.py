"""The built-in rule packs: one folder per legal instrument or theme (pack.yaml + examples.yaml)."""

from __future__ import annotations

from pathlib import Path

#: Directory holding the built-in pack folders; published through the ``liveqc.rule_packs`` group.
PACK_DIR = Path(__file__).resolve().parent
