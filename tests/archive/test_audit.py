"""Scanning parts and writing the findings and the summary of an audit (in this process)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from liveqc.archive.audit import (
    FINDINGS_SCHEMA,
    ScanSpec,
    Summary,
    check_category,
    engine_for,
    parse_codes,
    run_audit,
)
from liveqc.archive.runners import LocalRunner
from liveqc.archive.sources import expand_paths
from liveqc.engine import CODES, Facts
from liveqc.errors import InputError
from tests.archive.conftest import Archive, write_jsonl


def audit(
    paths: list[Path], out: Path, spec: ScanSpec | None = None, chunk_rows: int = 8
) -> tuple[Summary, pa.Table]:
    spec = spec or ScanSpec()
    with LocalRunner(spec.rules, workers=1) as runner:
        summary = run_audit(
            expand_paths([str(p) for p in paths]),
            runner,
            output=out,
            spec=spec,
            catalogue=engine_for(spec.rules).version,
            chunk_rows=chunk_rows,
        )
    return summary, pq.read_table(out / "findings.parquet")


def expected(archive: Archive, category: str | None = None) -> list[tuple[Any, ...]]:
    """What scanning each row directly with the engine gives, in source order."""
    engine = engine_for(())
    out = []
    for file, row, obj in archive.rows:
        facts = Facts.from_dict(json.loads(obj["facts"])) if obj.get("facts") else Facts()
        cat = obj.get("category") or facts.category or category
        for f in engine.check(obj["text"], category=cat, facts=facts).findings:
            out.append((str(file), row, str(obj["id"]), f.code, f.rule, f.start, f.end, f.match))
    return out


def keys(table: pa.Table) -> list[tuple[Any, ...]]:
    cols = ["file", "row", "id", "code", "rule", "start", "end", "match"]
    return list(zip(*(table.column(c).to_pylist() for c in cols), strict=True))


def test_findings_are_what_the_engine_finds_row_by_row(archive: Archive, tmp_path: Path) -> None:
    summary, table = audit([archive.root], tmp_path / "out")
    assert table.schema.equals(FINDINGS_SCHEMA)
    assert keys(table) == expected(archive)
    codes = set(table.column("code").to_pylist())
    assert {"off_platform_transaction", "guarantee_claim", "superstition"} <= codes
    assert summary.utterances == len(archive.rows)
    assert summary.findings == table.num_rows


def test_row_category_and_facts_are_applied(archive: Archive, tmp_path: Path) -> None:
    _, table = audit([archive.root], tmp_path / "out")
    medical = {
        (Path(f).name, r)
        for f, r, c in zip(
            *(table.column(x).to_pylist() for x in ("file", "row", "code")), strict=True
        )
        if c == "medical_claim"
    }
    said = {
        (f.name, r, o.get("category"), o.get("facts"))
        for f, r, o in archive.rows
        if "治疗" in o["text"]
    }
    # drug rows (JSONL) and medical-device rows (Parquet facts) may name treatments
    assert {(n, r) for n, r, cat, facts in said if cat is None and not facts} == medical
    assert len(medical) < len(said)


def test_default_category_applies_only_to_rows_without_one(
    archive: Archive, tmp_path: Path
) -> None:
    _, table = audit([archive.root], tmp_path / "out", ScanSpec(category="drug"))
    assert keys(table) == expected(archive, category="drug")
    assert "medical_claim" not in table.column("code").to_pylist()


def test_codes_filter_keeps_only_those_codes(archive: Archive, tmp_path: Path) -> None:
    spec = ScanSpec(codes=frozenset({"superstition", "price_fraud"}))
    _, table = audit([archive.root], tmp_path / "out", spec)
    want = [k for k in expected(archive) if k[3] in spec.codes]
    assert want and keys(table) == want
    data = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert list(data["findings_by_code"]) == ["price_fraud", "superstition"]


def test_part_size_does_not_change_the_findings(archive: Archive, tmp_path: Path) -> None:
    _, small = audit([archive.root], tmp_path / "a", chunk_rows=1)
    _, large = audit([archive.root], tmp_path / "b", chunk_rows=10_000)
    assert small.equals(large)


def test_summary_json_counts(archive: Archive, tmp_path: Path) -> None:
    _, table = audit([archive.root], tmp_path / "out")
    data = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    codes = table.column("code").to_pylist()
    assert data["files"] == 2
    assert data["rows"] == 81  # 41 lines (one blank) + 40 Parquet rows
    assert data["utterances"] == 80
    assert data["findings"] == len(codes)
    assert data["findings_by_code"] == {c: codes.count(c) for c in CODES}
    flagged = {
        (f, r)
        for f, r in zip(
            table.column("file").to_pylist(), table.column("row").to_pylist(), strict=True
        )
    }
    assert data["utterances_with_findings"] == len(flagged)
    assert data["bad_rows"] == 0 and data["errors"] == []
    assert data["engine"] == "local" and data["workers"] == 1
    assert data["utterances_per_second"] > 0
    by_file = {Path(f["file"]).name: f for f in data["by_file"]}
    assert by_file["b.parquet"]["format"] == "parquet"
    assert by_file["a.jsonl"]["utterances"] == 40
    assert sum(f["findings"] for f in data["by_file"]) == len(codes)


def test_bad_rows_and_unreadable_files_are_listed_with_file_and_line(
    archive: Archive, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    write_jsonl(bad, [{"text": "加微信私聊"}, "{broken", {"text": "开光手串", "scene": "radio"}])
    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(b"PAR1 this is not parquet")
    summary, table = audit([bad, corrupt, archive.jsonl], tmp_path / "out", chunk_rows=2)
    assert [(Path(e["file"]).name, e["line"]) for e in summary.errors] == [
        ("bad.jsonl", 2),
        ("bad.jsonl", 3),
        ("corrupt.parquet", None),
    ]
    assert "malformed JSON" in summary.errors[0]["error"]
    assert "unknown scene" in summary.errors[1]["error"]
    assert summary.bad_rows == 3
    # the good rows around them were still scanned
    assert (str(bad), 1) in set(
        zip(table.column("file").to_pylist(), table.column("row").to_pylist(), strict=True)
    )
    assert summary.utterances == 1 + 40


def test_empty_input_writes_an_empty_findings_table(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    summary, table = audit([empty], tmp_path / "out")
    assert table.num_rows == 0 and table.schema.equals(FINDINGS_SCHEMA)
    assert summary.utterances == 0 and summary.findings == 0


def test_output_folder_that_cannot_be_created_is_an_input_error(
    archive: Archive, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="output folder"):
        audit([archive.jsonl], blocker / "out")


def test_codes_and_category_are_checked() -> None:
    assert parse_codes(" superstition , price_fraud") == {"superstition", "price_fraud"}
    assert parse_codes(None) is None
    with pytest.raises(InputError, match="unknown violation code 'nope'"):
        parse_codes("superstition,nope")
    assert check_category("food") == "food"
    with pytest.raises(InputError, match="unknown category"):
        check_category("spaceship")


class Recorder:
    def __init__(self) -> None:
        self.total: int | None = None
        self.steps: list[int] = []

    def start(self, total: int) -> None:
        self.total = total

    def advance(self, rows: int) -> None:
        self.steps.append(rows)


def test_progress_counts_every_row_once(archive: Archive, tmp_path: Path) -> None:
    progress = Recorder()
    with LocalRunner((), workers=1) as runner:
        run_audit(
            expand_paths([str(archive.root)]),
            runner,
            output=tmp_path / "out",
            spec=ScanSpec(),
            catalogue="test",
            chunk_rows=10,
            progress=progress,
        )
    assert progress.total == 81
    assert sum(progress.steps) == 81 and len(progress.steps) > 4
