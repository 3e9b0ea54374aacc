"""Local process pool and Dask distributed give the same findings, in source order."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from distributed import LocalCluster

from liveqc.archive.audit import Runner, ScanSpec, Summary, engine_for, run_audit
from liveqc.archive.runners import DaskRunner, LocalRunner, make_runner
from liveqc.archive.sources import expand_paths
from liveqc.errors import InputError
from tests.archive.conftest import Archive, write_jsonl

CHUNK = 6  # many small parts, so that ordering across workers is exercised


def run(runner: Runner, archive: Archive, out: Path) -> tuple[Summary, pa.Table]:
    summary = run_audit(
        expand_paths([str(archive.root)]),
        runner,
        output=out,
        spec=ScanSpec(),
        catalogue=engine_for(()).version,
        chunk_rows=CHUNK,
    )
    return summary, pq.read_table(out / "findings.parquet")


@pytest.fixture
def with_bad_line(archive: Archive) -> Archive:
    write_jsonl(archive.root / "c.jsonl", [{"text": "加微信私聊"}, "{broken", {"text": "招财"}])
    return archive


@pytest.fixture(scope="module")
def external_cluster() -> Iterator[LocalCluster]:
    cluster = LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    yield cluster
    cluster.close()


@pytest.fixture
def reference(with_bad_line: Archive, tmp_path: Path) -> tuple[Summary, pa.Table]:
    with LocalRunner((), workers=1) as runner:
        return run(runner, with_bad_line, tmp_path / "reference")


def test_process_pool_matches_a_single_process(
    with_bad_line: Archive, reference: tuple[Summary, pa.Table], tmp_path: Path
) -> None:
    with LocalRunner((), workers=2) as runner:
        summary, table = run(runner, with_bad_line, tmp_path / "pool")
    assert table.num_rows > 0
    assert table.equals(reference[1])
    assert summary.errors == reference[0].errors
    assert summary.errors[0]["line"] == 2
    assert (summary.workers, summary.engine) == (2, "local")


def test_dask_local_cluster_matches_local_and_is_closed(
    with_bad_line: Archive, reference: tuple[Summary, pa.Table], tmp_path: Path
) -> None:
    runner = DaskRunner((), workers=2)
    with runner:
        cluster = runner._cluster
        summary, table = run(runner, with_bad_line, tmp_path / "dask")
    assert table.equals(reference[1])
    assert summary.to_dict()["findings_by_code"] == reference[0].to_dict()["findings_by_code"]
    assert summary.errors == reference[0].errors
    assert (summary.workers, summary.engine) == (2, "dask")
    assert runner._cluster is None and runner._client is None
    assert cluster.status.name == "closed"


def test_dask_on_an_existing_scheduler_matches_local(
    with_bad_line: Archive,
    reference: tuple[Summary, pa.Table],
    external_cluster: LocalCluster,
    tmp_path: Path,
) -> None:
    address = external_cluster.scheduler_address
    with make_runner("dask", (), None, address) as runner:
        summary, table = run(runner, with_bad_line, tmp_path / "external")
    assert table.equals(reference[1])
    assert (summary.scheduler, summary.workers) == (address, 1)
    # the cluster is someone else's: it keeps running after the audit
    assert external_cluster.status.name == "running"


def test_unreachable_scheduler_is_an_input_error() -> None:
    runner = DaskRunner((), scheduler="tcp://127.0.0.1:9", connect_timeout=0.5)
    with pytest.raises(InputError, match=r"no Dask workers at tcp://127\.0\.0\.1:9"), runner:
        pass


@pytest.mark.parametrize(
    ("engine", "workers", "scheduler", "message"),
    [
        ("local", None, "tcp://127.0.0.1:8786", "only with --engine dask"),
        ("local", 0, None, "at least 1"),
        ("dask", 2, "tcp://127.0.0.1:8786", "decides its own workers"),
        ("spark", None, None, "unknown engine"),
    ],
)
def test_runner_options_are_checked(
    engine: str, workers: int | None, scheduler: str | None, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        make_runner(engine, (), workers, scheduler)
