"""Compiled engines per organisation: the built-in catalogue plus the organisation's dictionary.

Engines are cached per process by the dictionary's fingerprint. A dictionary change rebuilds
the engine in a background thread and swaps it in atomically; the previous engine keeps serving
until the new one is ready, and the first build for an organisation happens on demand.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

from liveqc.engine import ComplianceEngine, Rule, RulePack, load_packs
from liveqc.engine.taxonomy import DEFAULT_BASIS
from liveqc.errors import LiveQCError

log = logging.getLogger("liveqc.compliance")

ORG_PACK = "org"
ORG_MESSAGE = "使用了本组织词库中的禁用词"
ORG_SUGGESTION = "删除或改写该用语"


@dataclass(frozen=True)
class Dictionary:
    """An organisation's active dictionary: what its engine is built from."""

    banned: tuple[tuple[str, str, str], ...] = ()  # (phrase, code, severity), sorted
    allow: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        payload = json.dumps(
            [self.banned, self.allow, self.disabled], ensure_ascii=False, sort_keys=True
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


EMPTY = Dictionary()


@cache
def builtin_packs() -> tuple[RulePack, ...]:
    """The built-in rule packs, loaded once per process (packs are immutable)."""
    return tuple(load_packs())


def _org_pack(banned: Sequence[tuple[str, str, str]]) -> RulePack:
    groups: dict[tuple[str, str], list[str]] = {}
    for phrase, code, severity in banned:
        groups.setdefault((code, severity), []).append(phrase)
    rules = tuple(
        Rule(
            pack=ORG_PACK,
            id=f"{code}.org_dictionary_{severity}",
            code=code,
            severity=severity,
            basis=DEFAULT_BASIS[code],
            message=ORG_MESSAGE,
            suggestion=ORG_SUGGESTION,
            keywords=tuple(sorted(set(phrases))),
            senses=code == "absolute_term",
        )
        for (code, severity), phrases in sorted(groups.items())
    )
    return RulePack(
        id=ORG_PACK, title="organisation dictionary", instrument="", path="", rules=rules
    )


def build_engine(dictionary: Dictionary) -> ComplianceEngine:
    """Compile the built-in catalogue with an organisation's dictionary.

    A disabled rule the catalogue no longer has (a newer release dropped it) is ignored, so an
    upgrade never stops an organisation from scanning.
    """
    packs = list(builtin_packs())
    known = {key for p in packs for r in p.rules for key in (r.id, r.key)}
    disabled = [rule for rule in dictionary.disabled if rule in known]
    if dictionary.banned:
        packs.append(_org_pack(dictionary.banned))
    return ComplianceEngine(packs=packs, disabled_rules=disabled, extra_allowlist=dictionary.allow)


class EngineCache:
    """Compiled engines per organisation, swapped atomically when its dictionary changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: dict[int, tuple[str, ComplianceEngine]] = {}
        self._pending: dict[int, tuple[str, Future[None]]] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="liveqc-engine")

    def _shared(self, fingerprint: str) -> ComplianceEngine | None:
        """An engine another organisation already built from the same dictionary."""
        for fp, engine in self._current.values():
            if fp == fingerprint:
                return engine
        return None

    def current(self, organisation_id: int) -> tuple[str, ComplianceEngine] | None:
        """(fingerprint, engine) now serving the organisation, if any."""
        with self._lock:
            return self._current.get(organisation_id)

    def get(self, organisation_id: int, dictionary: Dictionary) -> ComplianceEngine:
        """The engine for this dictionary; the old one while a rebuild is under way."""
        fingerprint = dictionary.fingerprint
        with self._lock:
            current = self._current.get(organisation_id)
            if current is not None and current[0] == fingerprint:
                return current[1]
            shared = self._shared(fingerprint)
            if shared is not None:
                self._current[organisation_id] = (fingerprint, shared)
                return shared
        if current is None:  # first build for this organisation: on demand
            engine = build_engine(dictionary)
            with self._lock:
                self._current.setdefault(organisation_id, (fingerprint, engine))
                return self._current[organisation_id][1]
        self.refresh(organisation_id, dictionary)
        return current[1]

    def refresh(self, organisation_id: int, dictionary: Dictionary) -> Future[None]:
        """Start building the engine for ``dictionary`` in the background (once per version)."""
        fingerprint = dictionary.fingerprint
        with self._lock:
            pending = self._pending.get(organisation_id)
            if pending is not None and pending[0] == fingerprint:
                return pending[1]
            future = self._pool.submit(self._build, organisation_id, dictionary, fingerprint)
            self._pending[organisation_id] = (fingerprint, future)
            return future

    def changed(self, organisation_id: int, dictionary: Dictionary) -> None:
        """A dictionary changed: rebuild in the background if the organisation has an engine
        (otherwise its first scan builds one on demand)."""
        if self.current(organisation_id) is not None:
            self.refresh(organisation_id, dictionary)

    def _build(self, organisation_id: int, dictionary: Dictionary, fingerprint: str) -> None:
        try:
            with self._lock:
                engine = self._shared(fingerprint)
            if engine is None:
                engine = build_engine(dictionary)
        except LiveQCError as exc:  # e.g. a disabled rule the catalogue no longer has
            log.error("organisation %s: dictionary rebuild failed: %s", organisation_id, exc)
            engine = None
        except Exception:
            log.exception("organisation %s: dictionary rebuild failed", organisation_id)
            engine = None
        with self._lock:
            if engine is not None:
                self._current[organisation_id] = (fingerprint, engine)
            if self._pending.get(organisation_id, ("", None))[0] == fingerprint:
                del self._pending[organisation_id]

    def wait(self, organisation_id: int, timeout: float = 30.0) -> None:
        """Block until the organisation's pending rebuild (if any) has finished."""
        with self._lock:
            pending = self._pending.get(organisation_id)
        if pending is not None:
            pending[1].result(timeout=timeout)

    def wait_all(self, timeout: float = 30.0) -> None:
        """Block until every pending rebuild has finished."""
        with self._lock:
            futures = [future for _, future in self._pending.values()]
        for future in futures:
            future.result(timeout=timeout)

    def clear(self) -> None:
        """Forget every engine (the next scan of each organisation builds on demand)."""
        with self._lock:
            self._current.clear()


#: The process-wide engine cache.
engines = EngineCache()
