"""Run jobs in a thread pool of the web process, each in its own sessions with its tenant set.

A job is handed to the pool only once the transaction that created it commits, so the worker
always finds its row. The work runs in one transaction, committed together with the
``succeeded`` state; a failure rolls the work back and records ``failed`` with a message.

Progress is kept in memory for the pages of this process and, where the database takes a second
writer while the work's transaction is open (PostgreSQL), committed to the row at most every
``min_interval`` seconds (``LIVEQC_JOB_PROGRESS_INTERVAL``), which every web process reads. SQLite
has one writer, held by the work until it ends, so there the row only learns the final figures;
its single web process answers from memory, reading the rows through
:mod:`liveqc.jobs.reading` so the polls do not wait for the job.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.orm import Session, sessionmaker

from liveqc.config import Settings
from liveqc.db import tenancy
from liveqc.errors import LiveQCError, NotFound
from liveqc.jobs import service
from liveqc.jobs.models import Job
from liveqc.jobs.progress import Progress, no_progress

__all__ = ["KINDS", "JobContext", "JobRunner", "Outcome", "Progress", "kind", "no_progress"]

log = logging.getLogger("liveqc.jobs")


@dataclass(frozen=True)
class JobContext:
    """What a work function knows about its job."""

    job_id: int
    kind: str
    organisation_id: int
    user_id: int
    params: dict[str, Any]
    settings: Settings


@dataclass
class Outcome:
    """What a work function returns: a small JSON summary and where its product is."""

    result: dict[str, Any] = field(default_factory=dict)
    ref: str | None = None
    message: str = ""


Work = Callable[[Session, JobContext, Progress], Outcome]
#: session.info key: ids of the jobs queued in the session's open transaction.
PENDING = "liveqc.jobs.pending"
#: kind → work function; see ``liveqc.jobs.kinds``.
KINDS: dict[str, Work] = {}


def kind(name: str) -> Callable[[Work], Work]:
    """Register a work function under ``name``."""

    def register(work: Work) -> Work:
        KINDS[name] = work
        return work

    return register


def process_name() -> str:
    """``host:pid`` of this process, stored on the jobs it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def is_orphan(job: Job, *, me: str | None = None) -> bool:
    """True when the process named on ``job`` is gone (on this host), or none is named.

    Jobs of another host are left alone: that host recovers them when it starts.
    """
    if not job.runner:
        return True
    me = me or process_name()
    host, _, pid_text = job.runner.rpartition(":")
    if host != me.rpartition(":")[0]:
        return False
    if job.runner == me:
        return False
    try:
        os.kill(int(pid_text), 0)
    except (ValueError, ProcessLookupError):
        return True
    except PermissionError:
        return False
    return False


def failure_text(exc: BaseException) -> str:
    """The user-facing message of a failed job: liveqc's own errors say what went wrong;
    anything else is logged with its traceback and named only by its type."""
    if isinstance(exc, LiveQCError):
        return f"{exc.title}: {exc.detail}"
    return f"unexpected error ({type(exc).__name__}); the server log has the details"


class JobRunner:
    """The pool of one process. ``inline`` runs jobs in the committing thread, which a session
    factory bound to a single connection (tests) needs: one connection is not shared by threads.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        settings: Settings,
        *,
        workers: int | None = None,
        min_interval: float | None = None,
        inline: bool | None = None,
    ) -> None:
        import liveqc.jobs.kinds  # noqa: F401  (registers the work kinds)

        bind = session_factory.kw.get("bind")
        self.factory = session_factory
        self.settings = settings
        self.inline = isinstance(bind, Connection) if inline is None else inline
        dialect = getattr(getattr(bind, "dialect", None), "name", "")
        self.persist_progress = not self.inline and dialect != "sqlite"
        self.min_interval = settings.job_progress_interval if min_interval is None else min_interval
        self.workers = settings.job_workers if workers is None else workers
        self.name = process_name()
        self._pool = (
            None
            if self.inline
            else ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="liveqc-job")
        )
        self._live: dict[int, tuple[int, int | None, str]] = {}
        self._lock = threading.Lock()

    def submit(
        self,
        session: Session,
        *,
        kind: str,
        params: dict[str, Any],
        user_id: int,
        message: str = "",
    ) -> Job:
        """Queue a job in ``session``'s transaction; it starts once that commits."""
        if kind not in KINDS:
            raise NotFound(f"no job kind {kind!r}")
        job = service.create(
            session, kind=kind, params=params, user_id=user_id, runner=self.name, message=message
        )
        if not event.contains(session, "after_commit", self._after_commit):
            event.listen(session, "after_commit", self._after_commit)
            event.listen(session, "after_soft_rollback", self._after_rollback)
        session.info.setdefault(PENDING, []).append(job.id)
        return job

    def _after_commit(self, session: Session) -> None:
        for job_id in session.info.pop(PENDING, []):
            self.dispatch(job_id)

    def _after_rollback(self, session: Session, previous_transaction: Any) -> None:
        if not session.in_transaction():  # the whole transaction is gone, and its jobs
            session.info.pop(PENDING, None)

    def dispatch(self, job_id: int) -> None:
        if self._pool is None:
            self.run(job_id)
        else:
            self._pool.submit(self.run, job_id)

    def live(self, job_id: int) -> tuple[int, int | None, str] | None:
        """(done, total, message) of a job running in this process, or None."""
        with self._lock:
            return self._live.get(job_id)

    def run(self, job_id: int) -> None:
        """Run one queued job to its end; never raises (the row says how it ended)."""
        try:
            context = self._start(job_id)
        except Exception:
            log.exception("job %s: could not start", job_id)
            return
        if context is None:
            return
        with self._lock:
            self._live[job_id] = (0, None, "")
        try:
            self._work(context)
        except Exception as exc:
            log.exception("job %s (%s) failed", job_id, context.kind)
            self._fail(context, failure_text(exc))
        finally:
            with self._lock:
                self._live.pop(job_id, None)

    def _start(self, job_id: int) -> JobContext | None:
        with self.factory() as session, session.begin():
            with tenancy.bypass_tenancy(session, reason=f"jobs: load job {job_id}", quiet=True):
                job = service.get(session, job_id)
            if job is None:
                log.warning("job %s: no such row; nothing to run", job_id)
                return None
            tenancy.set_organisation(session, job.organisation_id)
            service.start(session, job, runner=self.name)
            return JobContext(
                job.id, job.kind, job.organisation_id, job.user_id, dict(job.params), self.settings
            )

    def _work(self, context: JobContext) -> None:
        with self.factory() as session, session.begin():
            tenancy.set_organisation(session, context.organisation_id)
            job = service.get_or_raise(session, context.job_id)
            work = KINDS.get(context.kind)
            if work is None:
                raise NotFound(f"no job kind {context.kind!r} in this version of liveqc")
            outcome = work(session, context, self._reporter(context))
            live = self.live(context.job_id)
            if live is not None:
                job.done, job.total = live[0], live[1]
            service.succeed(
                session, job, result=outcome.result, result_ref=outcome.ref, message=outcome.message
            )

    def _fail(self, context: JobContext, error: str) -> None:
        try:
            with self.factory() as session, session.begin():
                tenancy.set_organisation(session, context.organisation_id)
                service.fail(session, service.get_or_raise(session, context.job_id), error=error)
        except Exception:
            log.exception("job %s: could not record its failure", context.job_id)

    def _reporter(self, context: JobContext) -> Progress:
        last = [0.0]

        def progress(done: int, total: int | None = None, message: str = "") -> None:
            with self._lock:
                self._live[context.job_id] = (done, total, message)
            now = time.monotonic()
            finished = total is not None and done >= total
            if not self.persist_progress or (now - last[0] < self.min_interval and not finished):
                return
            last[0] = now
            try:
                with self.factory() as session, session.begin():
                    tenancy.set_organisation(session, context.organisation_id)
                    service.set_progress(
                        session, context.job_id, done=done, total=total, message=message
                    )
            except Exception:
                log.warning("job %s: could not store progress", context.job_id, exc_info=True)

        return progress

    def recover(self) -> list[int]:
        """Fail the jobs that a stopped process left queued or running; return their ids."""
        with self.factory() as session, session.begin():
            tenancy.set_organisation(session, None)
            failed = service.recover_orphans(
                session, is_orphan=lambda job: is_orphan(job, me=self.name)
            )
            ids = [job.id for job in failed]
        if ids:
            log.warning("jobs: %d left by a stopped process marked failed: %s", len(ids), ids)
        return ids

    def shutdown(self, *, wait: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
