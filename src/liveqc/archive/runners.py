"""Where the parts of an audit run: a local process pool, or Dask distributed.

Both keep a bounded number of parts in flight and yield results in the order of the parts,
so memory stays flat on any archive size and the findings come out in source order. Every
worker process builds its engine once (pool initializer / ``Client.run``) before scanning.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from itertools import islice
from types import TracebackType
from typing import Any

from liveqc.archive.audit import PartResult, ScanSpec, scan_part, warm
from liveqc.archive.sources import Part
from liveqc.errors import InputError


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _ordered(
    submit: Callable[[Part], Any],
    result: Callable[[Any], PartResult],
    parts: Sequence[Part],
    window: int,
) -> Iterator[PartResult]:
    """Submit parts with at most ``window`` in flight; yield results in part order."""
    it = iter(parts)
    pending: deque[Any] = deque(submit(p) for p in islice(it, window))
    while pending:
        head = pending.popleft()
        following = next(it, None)
        if following is not None:
            pending.append(submit(following))
        yield result(head)


class LocalRunner:
    """A pool of ``workers`` processes on this machine (``workers=1`` scans in this process)."""

    name: str = "local"
    scheduler: str | None = None

    def __init__(self, rules: tuple[str, ...], workers: int | None = None) -> None:
        self.rules = rules
        self.workers = workers or default_workers()
        self.startup_seconds = 0.0
        self._pool: Executor | None = None

    def __enter__(self) -> LocalRunner:
        started = time.perf_counter()
        if self.workers > 1:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=warm,
                initargs=(self.rules,),
            )
            try:
                # start every worker (and its engine) now, not inside the timed scan
                list(self._pool.map(warm, [self.rules] * self.workers))
            except BaseException:
                self.__exit__(None, None, None)
                raise
        else:
            warm(self.rules)
        self.startup_seconds = time.perf_counter() - started
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def map(self, spec: ScanSpec, parts: Sequence[Part]) -> Iterator[PartResult]:
        """Results of ``scan_part`` for every part, in order."""
        pool = self._pool
        if pool is None:
            return (scan_part(spec, p) for p in parts)

        def submit(part: Part) -> Future[PartResult]:
            return pool.submit(scan_part, spec, part)

        return _ordered(submit, Future.result, parts, 2 * self.workers + 2)


class DaskRunner:
    """Dask distributed: a LocalCluster of ``workers`` processes, or the cluster at ``scheduler``.

    Workers of an external cluster must have liveqc installed and see the files at the same
    absolute paths (a shared file system).
    """

    name: str = "dask"

    def __init__(
        self,
        rules: tuple[str, ...],
        workers: int | None = None,
        scheduler: str | None = None,
        connect_timeout: float = 10.0,
    ) -> None:
        if scheduler is not None and workers is not None:
            raise InputError("--workers: an external Dask cluster decides its own workers")
        self.rules = rules
        self.connect_timeout = connect_timeout
        self.scheduler = scheduler
        self.workers = workers or default_workers()
        self.startup_seconds = 0.0
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskRunner:
        from distributed import Client, LocalCluster

        started = time.perf_counter()
        where = self.scheduler or "a local cluster"
        try:
            if self.scheduler is None:
                self._cluster = LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self._client = Client(self._cluster)  # type: ignore[no-untyped-call]
            else:
                self._client = Client(  # type: ignore[no-untyped-call]
                    self.scheduler, timeout=f"{self.connect_timeout}s"
                )
            self._client.wait_for_workers(1, timeout=self.connect_timeout)
            # build the engine in every worker up front (and fail early on a broken pack)
            self._client.run(warm, self.rules)
            self.workers = len(self._client.scheduler_info()["workers"])
        except OSError as exc:
            self.__exit__(None, None, None)
            raise InputError(f"--scheduler: no Dask workers at {where} ({exc})") from None
        except BaseException:
            self.__exit__(None, None, None)
            raise
        self.startup_seconds = time.perf_counter() - started
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def map(self, spec: ScanSpec, parts: Sequence[Part]) -> Iterator[PartResult]:
        """Results of ``scan_part`` for every part, in order."""
        client = self._client

        def submit(part: Part) -> Any:
            return client.submit(scan_part, spec, part, pure=False)

        def result(future: Any) -> PartResult:
            value: PartResult = future.result()
            future.release()
            return value

        return _ordered(submit, result, parts, 2 * self.workers + 2)


def make_runner(
    engine: str, rules: tuple[str, ...], workers: int | None, scheduler: str | None
) -> LocalRunner | DaskRunner:
    """The runner for ``--engine``.

    Raises:
        InputError: an unknown engine, a scheduler without Dask, or fewer than one worker.
    """
    if workers is not None and workers < 1:
        raise InputError("--workers: must be at least 1")
    if engine == "local":
        if scheduler is not None:
            raise InputError("--scheduler: only with --engine dask")
        return LocalRunner(rules, workers)
    if engine == "dask":
        return DaskRunner(rules, workers, scheduler)
    raise InputError(f"--engine: unknown engine {engine!r} (local or dask)")
