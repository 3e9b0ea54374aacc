"""Archived transcripts: find the files, cut them into parts, stream the rows of one part.

Files are JSON Lines (``.jsonl``, ``.ndjson``) or Parquet (``.parquet``, ``.pq``, or any file
that starts with the Parquet magic). A part is a contiguous run of rows of one file: a byte range
of whole lines for JSON Lines, a run of row groups (or a slice of one large row group) for
Parquet, so workers read only their part and memory stays bounded. Rows are numbered from 1:
the line of a JSON Lines file (blank lines count, so numbers match an editor), the row of a
Parquet file.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from liveqc.engine import CATEGORIES, SCENES, Facts, InvalidFacts
from liveqc.errors import InputError

JSONL_SUFFIXES = (".jsonl", ".ndjson")
PARQUET_SUFFIXES = (".parquet", ".pq")
#: Columns (JSON keys) an utterance may carry; others are ignored.
FIELDS = ("text", "id", "session_id", "organisation", "category", "facts", "ts", "speaker", "scene")
_BLOCK = 1 << 20
_BATCH = 8192


@dataclass(frozen=True, slots=True)
class Part:
    """A contiguous run of ``rows`` rows of one file, the first numbered ``first_row``.

    ``path`` is absolute (what workers open); ``source`` is the file as the user named it.
    """

    path: str
    source: str
    fmt: str
    first_row: int
    rows: int
    offset: int = 0
    length: int = 0
    row_groups: tuple[int, ...] = ()
    skip: int = 0


Meta = tuple[str | None, str | None, str | None, str | None]
#: What ``Record.details()`` returns, in this order.
META = ("id", "session_id", "organisation", "ts")


@dataclass(frozen=True, slots=True)
class Record:
    """One utterance as read from an archive, validated.

    ``meta`` is id, session_id, organisation and ts, or a function that reads them: Parquet
    rows read them only when asked, since only rows with findings need them.
    """

    row: int
    text: str
    category: str | None
    facts: Facts
    scene: str
    meta: Meta | Callable[[], Meta] = (None, None, None, None)

    def details(self) -> Meta:
        """id, session_id, organisation and ts, as strings (ts in ISO 8601)."""
        meta = self.meta
        return meta() if callable(meta) else meta


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row (``row`` None: the whole file) that could not be read, and why."""

    row: int | None
    error: str


def _is_glob(pattern: str) -> bool:
    return any(ch in pattern for ch in "*?[")


def _known(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(JSONL_SUFFIXES + PARQUET_SUFFIXES)


def expand_paths(patterns: Sequence[str]) -> list[Path]:
    """Files named by paths, globs (``**`` recurses) and directories (searched recursively).

    Order is deterministic: arguments in the order given, the files of each argument sorted;
    a file named twice is kept once. Directories and globs contribute only JSON Lines and
    Parquet files; a file named explicitly is taken whatever its name.

    Raises:
        InputError: a path that does not exist or a glob that matches nothing.
    """
    seen: set[Path] = set()
    out: list[Path] = []
    for pattern in patterns:
        if _is_glob(pattern):
            found = [Path(p) for p in sorted(glob.glob(pattern, recursive=True))]
            files = [p for p in found if p.is_file() and _known(p)]
            for d in (p for p in found if p.is_dir()):
                files.extend(_walk(d))
            if not files:
                raise InputError(f"{pattern}: no JSON Lines or Parquet file matches")
        else:
            path = Path(pattern)
            if path.is_dir():
                files = _walk(path)
                if not files:
                    raise InputError(f"{pattern}: no JSON Lines or Parquet file in this folder")
            elif path.exists():
                files = [path]
            else:
                raise InputError(f"{pattern}: no such file or directory")
        for f in files:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def _walk(directory: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, names in os.walk(directory):
        dirs.sort()
        found.extend(Path(root, n) for n in sorted(names) if _known(Path(n)))
    return found


def detect_format(path: Path) -> str:
    """``"parquet"`` or ``"jsonl"``: by suffix, else by the Parquet magic bytes."""
    name = path.name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    with open(path, "rb") as fh:
        return "parquet" if fh.read(4) == b"PAR1" else "jsonl"


def plan(path: Path, chunk_rows: int) -> tuple[list[Part], int]:
    """Cut one file into parts of about ``chunk_rows`` rows; returns the parts and the row count.

    Raises:
        OSError: the file cannot be read.
        ValueError: a Parquet file that is corrupt or has no ``text`` column.
    """
    where = (str(path.resolve()), str(path))
    if detect_format(path) == "parquet":
        return _plan_parquet(where, chunk_rows)
    return _plan_jsonl(where, chunk_rows)


def _plan_jsonl(where: tuple[str, str], chunk_rows: int) -> tuple[list[Part], int]:
    path = where[0]
    parts: list[Part] = []
    start_off, start_line, pending, pos, last = 0, 1, 0, 0, b"\n"
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            i = 0
            while True:
                need = chunk_rows - pending
                if block.count(b"\n", i) < need:
                    pending += block.count(b"\n", i)
                    break
                for _ in range(need):
                    i = block.index(b"\n", i) + 1
                end = pos + i
                parts.append(
                    Part(*where, "jsonl", start_line, chunk_rows, start_off, end - start_off)
                )
                start_off, start_line, pending = end, start_line + chunk_rows, 0
            pos += len(block)
            last = block[-1:]
    if pos > start_off:
        rows = pending + (last != b"\n")
        parts.append(Part(*where, "jsonl", start_line, rows, start_off, pos - start_off))
    total = parts[-1].first_row + parts[-1].rows - 1 if parts else 0
    return parts, total


def _plan_parquet(where: tuple[str, str], chunk_rows: int) -> tuple[list[Part], int]:
    import pyarrow.parquet as pq

    try:
        with pq.ParquetFile(where[0]) as pf:
            meta, schema = pf.metadata, pf.schema_arrow
    except OSError:
        raise
    except Exception as exc:
        raise ValueError(f"not a readable Parquet file ({exc})") from None
    _check_schema(schema)
    parts: list[Part] = []
    row = 1
    group: list[int] = []
    group_rows = 0

    def flush() -> None:
        nonlocal row, group, group_rows
        if group_rows:
            parts.append(Part(*where, "parquet", row, group_rows, row_groups=tuple(group)))
            row += group_rows
        group, group_rows = [], 0

    for rg in range(meta.num_row_groups):
        n = meta.row_group(rg).num_rows
        if n > chunk_rows:
            flush()
            slices = -(-n // chunk_rows)
            step = -(-n // slices)
            for skip in range(0, n, step):
                take = min(step, n - skip)
                parts.append(Part(*where, "parquet", row, take, row_groups=(rg,), skip=skip))
                row += take
            continue
        if group_rows + n > chunk_rows:
            flush()
        group.append(rg)
        group_rows += n
    flush()
    return parts, row - 1


def _check_schema(schema: Any) -> None:
    """Refuse a Parquet schema whose columns cannot hold what they should (per file, once)."""
    import pyarrow as pa

    if "text" not in schema.names:
        raise ValueError("Parquet file has no 'text' column")
    for name in ("text", "category", "scene"):
        if name in schema.names and not _is_text(schema.field(name).type):
            raise ValueError(f"Parquet column {name!r} must hold strings")
    for name in META:
        if name in schema.names and pa.types.is_nested(schema.field(name).type):
            raise ValueError(f"Parquet column {name!r} must hold strings or numbers")


def _is_text(kind: Any) -> bool:
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def read_part(part: Part) -> Iterator[Record | BadRow]:
    """The rows of one part in order: a Record per utterance, a BadRow per unreadable row.

    Blank JSON lines are skipped. An I/O error ends the part with a BadRow for the whole file.
    """
    try:
        if part.fmt == "parquet":
            yield from _parquet_rows(part)
        else:
            yield from _jsonl_rows(part)
    except OSError as exc:
        yield BadRow(None, f"cannot read file ({exc.strerror or exc.__class__.__name__})")


def _jsonl_rows(part: Part) -> Iterator[Record | BadRow]:
    with open(part.path, "rb") as fh:
        fh.seek(part.offset)
        data = fh.read(part.length)
    if part.offset == 0 and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for row, raw in enumerate(lines, start=part.first_row):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except UnicodeDecodeError as exc:
            yield BadRow(row, f"invalid UTF-8 (byte {exc.start + 1} of the line)")
            continue
        except json.JSONDecodeError as exc:
            yield BadRow(row, f"malformed JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            yield BadRow(row, "a JSON line must be an object")
            continue
        yield to_record(row, obj)


def _parquet_rows(part: Part) -> Iterator[Record | BadRow]:
    import pyarrow.parquet as pq

    with pq.ParquetFile(part.path) as pf:
        columns = [c for c in FIELDS if c in pf.schema_arrow.names]
        skip, left, row = part.skip, part.rows, part.first_row
        groups = list(part.row_groups)
        for batch in pf.iter_batches(batch_size=_BATCH, row_groups=groups, columns=columns):
            if skip >= batch.num_rows:
                skip -= batch.num_rows
                continue
            batch = batch.slice(skip, left)
            skip = 0
            yield from _batch_rows(batch, row)
            row += batch.num_rows
            left -= batch.num_rows
            if left <= 0:
                return


def _batch_rows(batch: Any, first_row: int) -> Iterator[Record | BadRow]:
    """Rows of one Arrow batch; category and scene are checked once per distinct value."""
    names = batch.schema.names
    n = batch.num_rows

    def column(name: str) -> list[Any]:
        return batch.column(name).to_pylist() if name in names else [None] * n

    texts, categories, scenes = column("text"), column("category"), column("scene")
    facts = column("facts") if "facts" in names else None
    bad_categories = set(categories) - CATEGORIES - {None}
    bad_scenes = set(scenes) - SCENES - {None}
    metas = tuple(batch.column(c) if c in names else None for c in META)
    no_facts = Facts()
    for i in range(n):
        row = first_row + i
        text, category, scene = texts[i], categories[i], scenes[i]
        if text is None:
            yield BadRow(row, "field 'text' is required and must be a string")
            continue
        if category in bad_categories:
            yield BadRow(row, f"unknown category {category!r}")
            continue
        if scene in bad_scenes:
            yield BadRow(row, f"unknown scene {scene!r}")
            continue
        row_facts = no_facts
        if facts is not None and facts[i] is not None:
            try:
                row_facts = _facts(facts[i])
            except InvalidFacts as exc:
                yield BadRow(row, str(exc))
                continue
        meta = partial(_arrow_meta, metas, i)
        yield Record(row, text, category, row_facts, scene or "transcript", meta)


def _arrow_meta(arrays: tuple[Any, ...], index: int) -> Meta:
    a, b, c, d = (None if arr is None else _opt_str(arr[index].as_py()) for arr in arrays)
    return a, b, c, d


_facts_cache: dict[str, Facts] = {}


def _facts(value: Any) -> Facts:
    if value is None:
        return Facts()
    if isinstance(value, str):
        cached = _facts_cache.get(value)
        if cached is None:
            try:
                data = json.loads(value)
            except json.JSONDecodeError as exc:
                raise InvalidFacts(f"facts is not valid JSON ({exc.msg})") from None
            cached = Facts.from_dict(data)
            if len(_facts_cache) > 4096:
                _facts_cache.clear()
            _facts_cache[value] = cached
        return cached
    return Facts.from_dict(value)


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool | dict | list):
        raise ValueError
    return str(value)


def to_record(row: int, obj: dict[str, Any]) -> Record | BadRow:
    """Validate one row's fields into a Record, or say what is wrong with it."""
    text = obj.get("text")
    if not isinstance(text, str):
        return BadRow(row, "field 'text' is required and must be a string")
    category = obj.get("category")
    if category is not None and category not in CATEGORIES:
        return BadRow(row, f"unknown category {category!r}")
    scene = obj.get("scene")
    if scene is None:
        scene = "transcript"
    elif scene not in SCENES:
        return BadRow(row, f"unknown scene {scene!r}")
    try:
        facts = _facts(obj.get("facts"))
    except InvalidFacts as exc:
        return BadRow(row, str(exc))
    values = []
    for key in META:
        try:
            values.append(_opt_str(obj.get(key)))
        except ValueError:
            return BadRow(row, f"field {key!r} must be a string or a number")
    a, b, c, d = values
    return Record(row, text, category, facts, scene, (a, b, c, d))
