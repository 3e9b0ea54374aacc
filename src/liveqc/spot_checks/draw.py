"""The reproducible spot-check draw (pure).

The same seed and the same candidate list give the same selection on any machine: candidates
are sorted by id first, and the generator is Python's Mersenne Twister seeded from the seed
text (``random.Random(str)`` hashes the text with SHA-512, independent of PYTHONHASHSEED), so a
recorded draw can be re-created and checked by anyone with the seed and the candidate list.

Methods:
- ``simple``: a uniform sample without replacement.
- ``stratified``: the sample is shared out between strata (category or organisation) in
  proportion to their size by the largest-remainder method (ties to the larger stratum, then
  the stratum name), then a uniform sample is drawn in each stratum, strata in name order.
- ``risk_weighted``: weighted sampling without replacement (Efraimidis–Spirakis: each candidate
  gets the key ``u ** (1 / weight)`` and the largest keys win); weight 0 is never drawn.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from liveqc.errors import ValidationFailed

METHODS = ("simple", "stratified", "risk_weighted")


@dataclass(frozen=True)
class Candidate:
    id: int
    stratum: str = ""
    weight: float = 1.0


@dataclass(frozen=True)
class DrawResult:
    selected: tuple[int, ...]  # sorted ids
    allocation: dict[str, int]  # stratum → count (stratified only)
    shortfall: int  # how many fewer than asked were available


def _sorted(candidates: Iterable[Candidate]) -> list[Candidate]:
    ordered = sorted(candidates, key=lambda c: c.id)
    for prev, cur in itertools.pairwise(ordered):
        if prev.id == cur.id:
            raise ValidationFailed(f"candidate id {cur.id} appears twice")
    return ordered


def allocate(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Share ``n`` between strata in proportion to ``sizes`` (largest-remainder method)."""
    total = sum(sizes.values())
    n = min(n, total)
    if total == 0 or n <= 0:
        return {key: 0 for key in sizes}
    quotas = {key: Fraction(size * n, total) for key, size in sizes.items()}
    counts = {key: int(q) for key, q in quotas.items()}
    left = n - sum(counts.values())
    order = sorted(sizes, key=lambda k: (-(quotas[k] - counts[k]), -sizes[k], k))
    for key in order:
        if left == 0:
            break
        if counts[key] < sizes[key]:
            counts[key] += 1
            left -= 1
    return counts


def draw(
    candidates: Iterable[Candidate], *, n: int, seed: str, method: str = "simple"
) -> DrawResult:
    """Select up to ``n`` candidates; the same inputs always give the same result.

    Raises:
        ValidationFailed: an unknown method, a negative count or weight, an empty seed.
    """
    if method not in METHODS:
        raise ValidationFailed(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if n < 0:
        raise ValidationFailed("sample_count must not be negative")
    if not str(seed).strip():
        raise ValidationFailed("seed must not be empty")
    pool = _sorted(candidates)
    rng = random.Random(f"liveqc-draw:{seed}")
    allocation: dict[str, int] = {}
    if method == "simple":
        chosen = [c.id for c in rng.sample(pool, min(n, len(pool)))]
    elif method == "stratified":
        strata: dict[str, list[Candidate]] = {}
        for c in pool:
            strata.setdefault(c.stratum, []).append(c)
        allocation = allocate({key: len(group) for key, group in strata.items()}, n)
        chosen = []
        for key in sorted(strata):
            chosen += [c.id for c in rng.sample(strata[key], allocation[key])]
    else:
        chosen = _weighted(pool, n, rng)
    available = len(pool) if method != "risk_weighted" else sum(c.weight > 0 for c in pool)
    return DrawResult(tuple(sorted(chosen)), allocation, max(0, n - available))


def _weighted(pool: Sequence[Candidate], n: int, rng: random.Random) -> list[int]:
    keyed = []
    for c in pool:
        if c.weight < 0 or c.weight != c.weight:  # negative or NaN
            raise ValidationFailed(f"weight of candidate {c.id} must be a number ≥ 0")
        u = rng.random()
        if c.weight > 0:
            keyed.append((u ** (1.0 / c.weight), c.id))
    keyed.sort(key=lambda item: (-item[0], item[1]))
    return [cid for _, cid in keyed[:n]]


def verify(
    candidates: Iterable[Candidate],
    *,
    n: int,
    seed: str,
    method: str,
    recorded: Sequence[int],
) -> tuple[bool, tuple[int, ...]]:
    """Re-create a draw and compare it with the recorded selection: (matches, re-created)."""
    again = draw(candidates, n=n, seed=seed, method=method).selected
    return again == tuple(sorted(recorded)), again
