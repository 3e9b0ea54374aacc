"""Archive audits: scan every utterance of many transcript files and write findings as Parquet.

The coordinator expands the paths, cuts the files into parts and hands the parts to a runner
(a local process pool or Dask); each worker process builds the compliance engine once and scans
its parts. Results come back in source order and are streamed into ``findings.parquet``, so the
output is identical whichever runner and however many workers ran it.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pyarrow as pa
import pyarrow.parquet as pq

from liveqc.archive.sources import BadRow, Part, plan, read_part
from liveqc.engine import CATEGORIES, CODES, ComplianceEngine, InvalidFacts
from liveqc.errors import InputError

FINDINGS_FILE = "findings.parquet"
SUMMARY_FILE = "summary.json"
#: Errors kept in summary.json (all are counted).
MAX_ERRORS = 1000

FINDINGS_SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("row", pa.int64()),
        ("id", pa.string()),
        ("session_id", pa.string()),
        ("organisation", pa.string()),
        ("ts", pa.string()),
        ("code", pa.string()),
        ("rule", pa.string()),
        ("severity", pa.string()),
        ("start", pa.int32()),
        ("end", pa.int32()),
        ("match", pa.string()),
        ("basis", pa.string()),
    ]
)


@dataclass(frozen=True, slots=True)
class ScanSpec:
    """What every worker needs to scan a part: extra rule folders, code filter, default category."""

    rules: tuple[str, ...] = ()
    codes: frozenset[str] | None = None
    category: str | None = None


@dataclass(slots=True)
class PartResult:
    """Findings (a FINDINGS_SCHEMA table) and counts of one part."""

    findings: pa.Table
    utterances: int
    flagged: int
    counts: dict[str, int]
    errors: list[tuple[int | None, str]]


_engines: dict[tuple[str, ...], ComplianceEngine] = {}
_engines_lock = threading.Lock()


def engine_for(rules: tuple[str, ...]) -> ComplianceEngine:
    """The engine for these extra rule folders, built once per process and then reused."""
    with _engines_lock:
        engine = _engines.get(rules)
        if engine is None:
            engine = _engines[rules] = ComplianceEngine(extra_rule_dirs=rules)
        return engine


def warm(rules: tuple[str, ...]) -> str:
    """Build this process's engine ahead of the first part; returns the catalogue version."""
    return engine_for(rules).version


def scan_part(spec: ScanSpec, part: Part) -> PartResult:
    """Scan one part with this process's engine (runs on the workers)."""
    engine = engine_for(spec.rules)
    cols: dict[str, list[Any]] = {name: [] for name in FINDINGS_SCHEMA.names}
    counts: Counter[str] = Counter()
    errors: list[tuple[int | None, str]] = []
    utterances = flagged = 0
    codes = spec.codes
    for rec in read_part(part):
        if isinstance(rec, BadRow):
            errors.append((rec.row, rec.error))
            continue
        category = rec.category or rec.facts.category or spec.category
        try:
            result = engine.check(rec.text, category=category, facts=rec.facts, scene=rec.scene)
        except InvalidFacts as exc:
            errors.append((rec.row, str(exc)))
            continue
        utterances += 1
        found = [f for f in result.findings if codes is None or f.code in codes]
        if not found:
            continue
        flagged += 1
        ident, session_id, organisation, ts = rec.details()
        for f in found:
            counts[f.code] += 1
            cols["row"].append(rec.row)
            cols["id"].append(ident)
            cols["session_id"].append(session_id)
            cols["organisation"].append(organisation)
            cols["ts"].append(ts)
            cols["code"].append(f.code)
            cols["rule"].append(f.rule)
            cols["severity"].append(f.severity)
            cols["start"].append(f.start)
            cols["end"].append(f.end)
            cols["match"].append(f.match)
            cols["basis"].append(f.basis)
    cols["file"] = [part.source] * len(cols["row"])
    table = pa.Table.from_pydict(cols, schema=FINDINGS_SCHEMA)
    return PartResult(table, utterances, flagged, dict(counts), errors)


class Runner(Protocol):
    """Runs ``scan_part`` over parts and yields the results in the order of the parts."""

    name: str
    workers: int
    scheduler: str | None
    startup_seconds: float

    def map(self, spec: ScanSpec, parts: Sequence[Part]) -> Iterable[PartResult]: ...


class ProgressSink(Protocol):
    """Where progress goes: the total rows once planned, then the rows of each finished part."""

    def start(self, total: int) -> None: ...

    def advance(self, rows: int) -> None: ...


@runtime_checkable
class FileProgressSink(ProgressSink, Protocol):
    """A sink that also hears, after each part, how many files are done and how many
    utterances were read so far (the CLI's bar shows them)."""

    def files(self, done: int, total: int, utterances: int) -> None: ...


@dataclass
class FileStats:
    file: str
    format: str
    rows: int = 0
    utterances: int = 0
    findings: int = 0
    errors: int = 0


@dataclass
class Summary:
    """What an audit did: counts, errors with file and line, throughput, where the output is."""

    engine: str
    workers: int
    scheduler: str | None
    catalogue: str
    output: str
    codes: list[str] | None
    category: str | None
    files: list[FileStats] = field(default_factory=list)
    utterances: int = 0
    flagged: int = 0
    by_code: Counter[str] = field(default_factory=Counter)
    bad_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    startup_seconds: float = 0.0

    @property
    def findings(self) -> int:
        return sum(self.by_code.values())

    @property
    def throughput(self) -> float:
        return self.utterances / self.seconds if self.seconds > 0 else 0.0

    def add_error(self, file: str, line: int | None, error: str) -> None:
        self.bad_rows += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"file": file, "line": line, "error": error})

    def to_dict(self) -> dict[str, Any]:
        """The shape of summary.json."""
        shown = self.codes if self.codes is not None else list(CODES)
        return {
            "engine": self.engine,
            "workers": self.workers,
            "scheduler": self.scheduler,
            "catalogue": self.catalogue,
            "files": len(self.files),
            "rows": sum(f.rows for f in self.files),
            "utterances": self.utterances,
            "utterances_with_findings": self.flagged,
            "findings": self.findings,
            "findings_by_code": {c: self.by_code.get(c, 0) for c in shown},
            "bad_rows": self.bad_rows,
            "errors": self.errors,
            "errors_truncated": self.bad_rows > len(self.errors),
            "seconds": round(self.seconds, 3),
            "startup_seconds": round(self.startup_seconds, 3),
            "utterances_per_second": round(self.throughput, 1),
            "codes": self.codes,
            "category": self.category,
            "output": {
                "findings": str(Path(self.output, FINDINGS_FILE)),
                "summary": str(Path(self.output, SUMMARY_FILE)),
            },
            "by_file": [vars(f) for f in self.files],
        }


def parse_codes(codes: str | None) -> frozenset[str] | None:
    """``"a,b"`` → the set of codes, checked against the taxonomy (None: every code).

    Raises:
        InputError: an unknown code.
    """
    if codes is None:
        return None
    chosen = {c.strip() for c in codes.split(",") if c.strip()}
    unknown = sorted(chosen - set(CODES))
    if unknown or not chosen:
        raise InputError(f"--codes: unknown violation code {unknown[0] if unknown else codes!r}")
    return frozenset(chosen)


def _atomic_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def prepare_output(output: Path) -> None:
    """Create the output folder.

    Raises:
        InputError: it cannot be created.
    """
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise InputError(f"{output}: cannot create output folder ({reason})") from None


def run_audit(
    files: Sequence[Path],
    runner: Runner,
    *,
    output: Path,
    spec: ScanSpec,
    catalogue: str,
    chunk_rows: int = 20_000,
    progress: ProgressSink | None = None,
) -> Summary:
    """Audit ``files`` (see ``expand_paths``) with ``runner`` and write the output folder.

    Bad rows and unreadable files are recorded in the summary (never dropped); deciding what
    they mean for the exit status is the caller's business. Output files appear whole or not
    at all (written aside, then renamed).

    Raises:
        InputError: the output folder cannot be created.
    """
    prepare_output(output)
    summary = Summary(
        runner.name,
        runner.workers,
        runner.scheduler,
        catalogue,
        str(output),
        sorted(spec.codes, key=CODES.index) if spec.codes is not None else None,
        spec.category,
        startup_seconds=runner.startup_seconds,
    )
    started = time.perf_counter()
    parts: list[Part] = []
    stats: dict[str, FileStats] = {}
    unreadable: list[tuple[int, str, str]] = []
    for path in files:
        try:
            fmt = "parquet" if path.suffix.lower() in (".parquet", ".pq") else "jsonl"
            file_parts, rows = plan(path, chunk_rows)
            fmt = file_parts[0].fmt if file_parts else fmt
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__
            summary.files.append(FileStats(str(path), fmt, errors=1))
            unreadable.append((len(summary.files) - 1, str(path), f"cannot read file ({reason})"))
            continue
        stats[str(path)] = FileStats(str(path), fmt, rows)
        summary.files.append(stats[str(path)])
        parts.extend(file_parts)
    if progress is not None:
        progress.start(sum(p.rows for p in parts))
    target = output / FINDINGS_FILE
    tmp = target.with_name(target.name + ".tmp")
    try:
        _write(tmp, parts, runner.map(spec, parts), stats, unreadable, summary, progress)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, target)
    summary.seconds = time.perf_counter() - started
    _atomic_json(output / SUMMARY_FILE, summary.to_dict())
    return summary


def _write(
    tmp: Path,
    parts: Sequence[Part],
    results: Iterable[PartResult],
    stats: dict[str, FileStats],
    unreadable: list[tuple[int, str, str]],
    summary: Summary,
    progress: ProgressSink | None,
) -> None:
    """Stream results into the Parquet writer; errors are listed in file order."""
    order = {f.file: i for i, f in enumerate(summary.files)}
    pending = deque(unreadable)
    parts_left = Counter(part.source for part in parts)
    files_done = 0
    with pq.ParquetWriter(tmp, FINDINGS_SCHEMA, compression="zstd") as writer:
        for part, result in zip(parts, results, strict=True):
            while pending and pending[0][0] < order[part.source]:
                _, file, error = pending.popleft()
                summary.add_error(file, None, error)
            if result.findings.num_rows:
                writer.write_table(result.findings)
            stat = stats[part.source]
            stat.utterances += result.utterances
            stat.findings += result.findings.num_rows
            stat.errors += len(result.errors)
            summary.utterances += result.utterances
            summary.flagged += result.flagged
            summary.by_code.update(result.counts)
            for line, error in result.errors:
                summary.add_error(part.source, line, error)
            if progress is not None:
                progress.advance(part.rows)
            parts_left[part.source] -= 1
            files_done += parts_left[part.source] == 0
            if isinstance(progress, FileProgressSink):
                progress.files(files_done, len(parts_left), summary.utterances)
    for _, file, error in pending:
        summary.add_error(file, None, error)


def check_category(category: str | None) -> str | None:
    """The default category, checked against the taxonomy.

    Raises:
        InputError: an unknown category.
    """
    if category is not None and category not in CATEGORIES:
        raise InputError(f"--category: unknown category {category!r}")
    return category
