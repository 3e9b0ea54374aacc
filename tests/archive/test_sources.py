"""Finding archive files, cutting them into parts and reading the rows of a part."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from liveqc.archive import sources
from liveqc.archive.sources import (
    BadRow,
    Record,
    detect_format,
    expand_paths,
    plan,
    read_part,
    to_record,
)
from liveqc.errors import InputError
from tests.archive.conftest import Archive, write_jsonl


def all_rows(path: Path, chunk_rows: int) -> list[Record | BadRow]:
    parts, _ = plan(path, chunk_rows)
    return [r for p in parts for r in read_part(p)]


def test_directory_is_searched_recursively_for_archive_files_only(archive: Archive) -> None:
    assert expand_paths([str(archive.root)]) == [archive.jsonl, archive.parquet]


def test_glob_with_double_star_recurses_and_keeps_argument_order(archive: Archive) -> None:
    found = expand_paths([str(archive.root / "**" / "*.parquet"), str(archive.root / "*.jsonl")])
    assert found == [archive.parquet, archive.jsonl]


def test_a_file_named_twice_is_audited_once(archive: Archive) -> None:
    assert expand_paths([str(archive.jsonl), str(archive.root)]) == [archive.jsonl, archive.parquet]


def test_explicit_file_is_taken_whatever_its_suffix(archive: Archive) -> None:
    notes = archive.root / "notes.txt"
    assert expand_paths([str(notes)]) == [notes]


def test_missing_path_and_empty_glob_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        expand_paths([str(tmp_path / "missing.jsonl")])
    with pytest.raises(InputError, match="matches"):
        expand_paths([str(tmp_path / "*.parquet")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no JSON Lines or Parquet file in this folder"):
        expand_paths([str(tmp_path / "empty")])


def test_parquet_is_recognised_by_its_magic_bytes(archive: Archive, tmp_path: Path) -> None:
    renamed = tmp_path / "transcripts.dat"
    renamed.write_bytes(archive.parquet.read_bytes())
    assert detect_format(renamed) == "parquet"
    assert detect_format(archive.root / "notes.txt") == "jsonl"


@pytest.mark.parametrize("chunk_rows", [1, 3, 7, 1000])
def test_jsonl_parts_cover_every_line_once_with_line_numbers(
    archive: Archive, chunk_rows: int
) -> None:
    parts, total = plan(archive.jsonl, chunk_rows)
    assert total == len(archive.jsonl.read_bytes().splitlines())
    assert sum(p.rows for p in parts) == total
    assert all(a.offset + a.length == b.offset for a, b in itertools.pairwise(parts))
    rows = all_rows(archive.jsonl, chunk_rows)
    got = [(r.row, r.details()[0]) for r in rows if isinstance(r, Record)]
    assert got == [(line, obj["id"]) for f, line, obj in archive.rows if f == archive.jsonl]


@pytest.mark.parametrize("block", [1, 5, 64])
@pytest.mark.parametrize("chunk_rows", [1, 2, 3])
def test_jsonl_part_boundaries_do_not_depend_on_read_block_size(
    archive: Archive, monkeypatch: pytest.MonkeyPatch, block: int, chunk_rows: int
) -> None:
    data = archive.jsonl.read_bytes()
    starts = [0, *[i + 1 for i, b in enumerate(data) if b == ord("\n")][:-1]]
    monkeypatch.setattr(sources, "_BLOCK", block)
    parts, total = plan(archive.jsonl, chunk_rows)
    assert [p.offset for p in parts] == starts[::chunk_rows]
    assert [p.first_row for p in parts] == list(range(1, total + 1, chunk_rows))
    assert parts[-1].offset + parts[-1].length == len(data)


def test_last_line_without_newline_is_read(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(b'{"text": "a"}\n{"text": "b"}')
    assert plan(path, 1)[1] == 2
    assert [r.text for r in all_rows(path, 1) if isinstance(r, Record)] == ["a", "b"]


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"text": "x"}).encode() + b"\n")
    assert [type(r) for r in all_rows(path, 10)] == [Record]


@pytest.mark.parametrize("chunk_rows", [2, 5, 7, 16, 1000])
def test_parquet_parts_follow_row_groups_and_cover_every_row_once(
    archive: Archive, chunk_rows: int
) -> None:
    parts, total = plan(archive.parquet, chunk_rows)
    assert total == 40
    assert [p.first_row for p in parts] == [1] + [
        sum(q.rows for q in parts[:i]) + 1 for i in range(1, len(parts))
    ]
    assert all(p.rows <= max(chunk_rows, 1) for p in parts)
    rows = all_rows(archive.parquet, chunk_rows)
    got = [(r.row, r.details()[0]) for r in rows if isinstance(r, Record)]
    assert got == [(i + 1, str(1000 + i)) for i in range(40)]


def test_parquet_columns_become_strings_and_facts(archive: Archive) -> None:
    first = all_rows(archive.parquet, 100)[0]
    assert isinstance(first, Record)
    ts = datetime(2025, 3, 1, 20, 0, 0, tzinfo=UTC).isoformat()
    assert first.details() == ("1000", "s0", "acme", ts)
    assert first.facts.category == "medical_device"


def test_parquet_facts_may_be_a_struct_column(tmp_path: Path) -> None:
    path = tmp_path / "s.parquet"
    table = pa.Table.from_pylist(
        [{"text": "原价299今天99", "facts": {"lowest_price_7d": 99.0, "category": "general"}}]
    )
    pq.write_table(table, path)
    (rec,) = all_rows(path, 10)
    assert isinstance(rec, Record)
    assert rec.facts.lowest_price_7d == 99.0


def test_parquet_without_text_column_cannot_be_planned(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"body": ["a"]}), path)
    with pytest.raises(ValueError, match="text"):
        plan(path, 10)


def test_broken_lines_are_reported_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    write_jsonl(path, [{"text": "好"}, "{oops", "[1, 2]", {"id": "x"}, {"text": "ok"}])
    with path.open("ab") as fh:
        fh.write(b'{"text": "\xff"}\n')
    rows = all_rows(path, 2)
    bad = [(r.row, r.error.split(" (")[0]) for r in rows if isinstance(r, BadRow)]
    assert bad == [
        (2, "malformed JSON"),
        (3, "a JSON line must be an object"),
        (4, "field 'text' is required and must be a string"),
        (6, "invalid UTF-8"),
    ]
    assert [r.row for r in rows if isinstance(r, Record)] == [1, 5]


@pytest.mark.parametrize(
    ("obj", "error"),
    [
        ({"text": "a", "category": "spaceship"}, "unknown category"),
        ({"text": "a", "scene": "radio"}, "unknown scene"),
        ({"text": "a", "facts": {"colour": "red"}}, "unknown facts field"),
        ({"text": "a", "facts": "{not json"}, "facts is not valid JSON"),
        ({"text": "a", "id": {"nested": 1}}, "field 'id'"),
    ],
)
def test_invalid_fields_make_a_bad_row(obj: dict[str, object], error: str) -> None:
    got = to_record(9, obj)
    assert isinstance(got, BadRow)
    assert got.row == 9
    assert error in got.error


def test_numeric_id_and_defaults(tmp_path: Path) -> None:
    rec = to_record(3, {"text": "a", "id": 7})
    assert isinstance(rec, Record)
    assert (rec.details(), rec.scene, rec.category) == (("7", None, None, None), "transcript", None)


def test_parquet_rows_with_bad_values_are_reported_by_row(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    rows = [
        {"text": "加微信", "category": "food", "scene": None, "facts": None},
        {"text": None, "category": "food", "scene": None, "facts": None},
        {"text": "好", "category": "spaceship", "scene": None, "facts": None},
        {"text": "好", "category": None, "scene": "radio", "facts": None},
        {"text": "好", "category": None, "scene": "comment", "facts": '{"colour": 1}'},
        {"text": "好", "category": None, "scene": "comment", "facts": '{"spf": 30}'},
    ]
    pq.write_table(pa.Table.from_pylist(rows), path)
    got = all_rows(path, 100)
    assert [(r.row, r.error) for r in got if isinstance(r, BadRow)] == [
        (2, "field 'text' is required and must be a string"),
        (3, "unknown category 'spaceship'"),
        (4, "unknown scene 'radio'"),
        (5, "unknown facts field 'colour'"),
    ]
    good = [r for r in got if isinstance(r, Record)]
    assert [(r.row, r.scene, r.facts.spf) for r in good] == [
        (1, "transcript", None),
        (6, "comment", 30.0),
    ]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (pa.table({"text": [1, 2]}), "'text' must hold strings"),
        (pa.table({"text": ["a"], "id": [{"k": 1}]}), "'id' must hold strings or numbers"),
    ],
)
def test_parquet_columns_of_the_wrong_type_make_the_file_unreadable(
    tmp_path: Path, table: pa.Table, message: str
) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    with pytest.raises(ValueError, match=message):
        plan(path, 10)
