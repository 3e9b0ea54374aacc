"""Small generated archives with known violations: JSON Lines and Parquet, one of each."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

#: Host speech: clean lines and lines with well-known violations.
SPEECH = [
    "家人们今天给大家带来一款口红",
    "这款面霜是全网最低价，加微信私聊再便宜",
    "点击下方小黄车，链接已经上好了",
    "这个精华100%有效，无效退款",
    "这个药能治疗高血压",
    "开光手串招财转运",
    "关注主播不迷路",
    "这款奶粉接近母乳",
]


@dataclass(frozen=True)
class Archive:
    root: Path
    jsonl: Path
    parquet: Path
    #: (file, row) → the fields of every utterance, in source order
    rows: list[tuple[Path, int, dict[str, Any]]]


def write_jsonl(path: Path, objs: list[dict[str, Any] | str]) -> None:
    """One line per item: dicts as JSON, strings verbatim (blank or broken lines)."""
    lines = [o if isinstance(o, str) else json.dumps(o, ensure_ascii=False) for o in objs]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def make_archive(root: Path, n: int = 40) -> Archive:
    """A folder with a.jsonl (n lines, one blank) and sub/b.parquet (n rows, row groups of 7)."""
    rows: list[tuple[Path, int, dict[str, Any]]] = []
    jsonl = root / "a.jsonl"
    objs: list[dict[str, Any] | str] = []
    for i in range(n):
        obj: dict[str, Any] = {"id": f"j{i}", "text": SPEECH[i % len(SPEECH)], "session_id": "s1"}
        if i % 5 == 4:
            obj["category"] = "drug"
        objs.append(obj)
    objs.insert(10, "")
    write_jsonl(jsonl, objs)
    for line, obj in enumerate(objs, start=1):
        if isinstance(obj, dict):
            rows.append((jsonl, line, obj))
    (root / "sub").mkdir()
    parquet = root / "sub" / "b.parquet"
    prows = []
    for i in range(n):
        facts = {"category": "medical_device"} if i % 3 == 0 else None
        prows.append(
            {
                "id": 1000 + i,
                "text": SPEECH[(i * 3) % len(SPEECH)],
                "session_id": f"s{i // 10}",
                "organisation": "acme",
                "facts": json.dumps(facts) if facts else None,
                "ts": datetime(2025, 3, 1, 20, 0, i, tzinfo=UTC),
            }
        )
    pq.write_table(pa.Table.from_pylist(prows), parquet, row_group_size=7)
    rows.extend((parquet, i + 1, r) for i, r in enumerate(prows))
    (root / "notes.txt").write_text("not an archive\n", encoding="utf-8")
    return Archive(root, jsonl, parquet, rows)


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    root = tmp_path / "archive"
    root.mkdir()
    return make_archive(root)
