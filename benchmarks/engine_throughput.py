"""Throughput and latency of the compliance engine on generated host speech.

Times are CPU time of this process (``time.process_time``), so other work on a shared machine
does not count; latency percentiles are wall-clock per call. Prints, in one run: catalogue build
time; whole-pipeline MB/s and utterances/s; the same for raw
pyahocorasick matching of the catalogue's literal patterns (every spelling the engine's
automaton holds) over the same utterances, and the ratio; p50/p99 per-utterance latency; peak
memory; and a side-by-side of candidate matchers on the same literals.

    python benchmarks/engine_throughput.py            # 50 MB, as reported in docs/engine.md
    python benchmarks/engine_throughput.py --mb 5     # a quick run
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speech_corpus import corpus

from liveqc.engine import ComplianceEngine


def rss_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_loop(fn: Callable[[str], object], texts: Sequence[str]) -> float:
    gc.collect()
    start = time.process_time()
    for t in texts:
        fn(t)
    return time.process_time() - start


def latencies_us(fn: Callable[[str], object], texts: Sequence[str]) -> tuple[float, float]:
    clock = time.perf_counter_ns
    samples = []
    for t in texts:
        t0 = clock()
        fn(t)
        samples.append(clock() - t0)
    samples.sort()
    n = len(samples)
    return samples[n // 2] / 1000, samples[min(n - 1, int(n * 0.99))] / 1000


def pyahocorasick(literals: Sequence[str]) -> Callable[[str], object]:
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for i, lit in enumerate(literals):
        automaton.add_word(lit, i)
    automaton.make_automaton()
    it = automaton.iter

    def run(text: str) -> int:
        n = 0
        for _ in it(text):
            n += 1
        return n

    return run


def ahocorasick_rs_str(literals: Sequence[str]) -> Callable[[str], object]:
    import ahocorasick_rs

    ac = ahocorasick_rs.AhoCorasick(list(literals))
    find = ac.find_matches_as_indexes
    return lambda text: find(text, overlapping=True)


def ahocorasick_rs_bytes(literals: Sequence[str]) -> Callable[[str], object]:
    import ahocorasick_rs

    ac = ahocorasick_rs.BytesAhoCorasick([lit.encode() for lit in literals])
    find = ac.find_matches_as_indexes
    return lambda text: find(text.encode(), overlapping=True)


def hyperscan_literal(literals: Sequence[str]) -> Callable[[str], object]:
    import hyperscan

    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(
        expressions=[lit.encode() for lit in literals],
        ids=list(range(len(literals))),
        elements=len(literals),
        flags=0,
        literal=True,
    )
    hits: list[int] = []

    def on_match(pid: int, start: int, end: int, flags: int, ctx: object) -> None:
        hits.append(end)

    def run(text: str) -> int:
        hits.clear()
        db.scan(text.encode(), match_event_handler=on_match)
        return len(hits)

    return run


MATCHERS: dict[str, Callable[[Sequence[str]], Callable[[str], object]]] = {
    "pyahocorasick .iter()": pyahocorasick,
    "ahocorasick-rs str, overlapping": ahocorasick_rs_str,
    "ahocorasick-rs bytes, overlapping": ahocorasick_rs_bytes,
    "hyperscan literal mode": hyperscan_literal,
}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="corpus size in MB (default 50)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latency-sample", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each loop; best is kept")
    parser.add_argument("--skip-matchers", action="store_true", help="no side-by-side table")
    args = parser.parse_args(argv)

    texts = corpus(args.mb, args.seed)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    mb = nbytes / 1e6
    print(
        f"corpus: {len(texts):,} utterances, {mb:.1f} MB UTF-8, "
        f"{min(map(len, texts))}-{max(map(len, texts))} chars, "
        f"median {statistics.median(map(len, texts)):.0f}"
    )

    rss_before = rss_mb()
    t0 = time.process_time()
    engine = ComplianceEngine()
    build = time.process_time() - t0
    t0 = time.process_time()
    ComplianceEngine(packs=engine.packs)  # compile only, packs already parsed
    compile_only = time.process_time() - t0
    literals = engine.literals
    print(
        f"catalogue: {len(engine.packs)} packs, {len(engine.rules)} rules, "
        f"{len(literals):,} literal spellings, version {engine.version}"
    )
    print(f"build: {build:.3f} s (load + compile; compile alone {compile_only:.3f} s)")

    check = engine.check
    found = sum(1 for t in texts[:100_000] if check(t).findings)
    print(f"utterances with findings (first 100k): {found / min(len(texts), 100_000):.1%}")

    raw_fn = pyahocorasick(literals)
    pipeline = raw = float("inf")
    for _ in range(args.repeat):  # alternate the two and keep the fastest run of each
        pipeline = min(pipeline, timed_loop(check, texts))
        raw = min(raw, timed_loop(raw_fn, texts))
    p_mbs, r_mbs = mb / pipeline, mb / raw
    n = len(texts)
    print(f"pipeline (check):     {p_mbs:7.2f} MB/s  {n / pipeline:10,.0f} utt/s")
    print(f"raw pyahocorasick:    {r_mbs:7.2f} MB/s  {n / raw:10,.0f} utt/s")
    print(f"ratio pipeline/raw:   {p_mbs / r_mbs:7.1%}  (target >= 50%)")

    sample = texts[: args.latency_sample]
    p50, p99 = latencies_us(check, sample)
    print(
        f"latency per utterance (<= 80 chars): p50 {p50:.1f} us, p99 {p99:.1f} us "
        f"(target p99 < 100 us)"
    )
    print(f"peak memory: {rss_mb():.0f} MB RSS (before the engine: {rss_before:.0f} MB)")

    if args.skip_matchers:
        return
    print("\nmatchers on the same literals, one call per utterance:")
    print(f"  {'library':<36}{'build s':>9}{'MB/s':>9}{'p99 us':>9}")
    for name, factory in MATCHERS.items():
        try:
            t0 = time.process_time()
            fn = factory(literals)
            built = time.process_time() - t0
        except ImportError:
            print(f"  {name:<36}  (not installed, skipped)")
            continue
        elapsed = timed_loop(fn, texts)
        _, m99 = latencies_us(fn, sample)
        print(f"  {name:<36}{built:>9.3f}{mb / elapsed:>9.1f}{m99:>9.1f}")


if __name__ == "__main__":
    main()
