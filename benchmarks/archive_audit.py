"""Archive-audit throughput: Dask with 1 and 2 workers, and the local process pool.

Generates N utterances of host speech (deterministic; 15% with a violation, some spelled to
evade filters) as Parquet files in a temporary folder, audits them with each runner, prints
utterances/s and the speed-up, checks that every run wrote the same findings, and removes
everything it wrote.

    python benchmarks/archive_audit.py                # 5,000,000 utterances
    python benchmarks/archive_audit.py --n 200000     # a quick check
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from liveqc.archive.audit import ScanSpec, Summary, engine_for, run_audit
from liveqc.archive.runners import make_runner
from liveqc.archive.sources import expand_paths

FILLERS = [
    "家人们",
    "宝宝们",
    "姐妹们",
    "老铁们",
    "那个",
    "就是说",
    "来来来",
    "真的",
    "我跟你们说",
    "然后呢",
]
PRODUCTS = [
    ("面霜", "cosmetics"),
    ("精华液", "cosmetics"),
    ("口红", "cosmetics"),
    ("牛肉干", "food"),
    ("蜂蜜", "food"),
    ("蛋白粉", "health_food"),
    ("保温杯", "general"),
    ("羽绒服", "apparel"),
    ("电饭煲", "appliance"),
    ("手串", "jewelry"),
    ("儿童书包", "toy"),
    ("空气炸锅", "appliance"),
]
CLEAN = [
    "今天给大家带来一款{p}",
    "这个{p}质地很清爽",
    "链接已经上好了，点击下方小黄车",
    "这个{p}有三个颜色可以选",
    "关注主播不迷路",
    "这个{p}我自己也在用",
    "有问题可以问客服",
    "支持七天无理由退货",
    "喜欢的宝宝可以先加购物车",
    "我们看一下这个{p}的细节",
    "今天直播间下单有赠品",
    "这个颜色很百搭",
]
VIOLATIONS = [
    "这个{p}是全网最低价",
    "这款{p}绝对是最好的",
    "想要更便宜的加微信私聊",
    "这个{p}100%有效，无效退款",
    "吃了能治疗高血压",
    "开光的{p}能招财转运",
    "用了马上美白祛斑",
    "专柜价899今天只要99",
    "最终解释权归商家所有",
    "小朋友让爸爸妈妈给你买",
    "这款奶粉接近母乳",
    "yyds，{p}天花板",
    "库存不多了大家抓紧",
    "这款电子烟口味很多",
    "三甲医院的医生都推荐这个{p}",
    "今天zui低价只有这一场",
    "想要的加V私聊",
]
SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("session_id", pa.string()),
        ("organisation", pa.string()),
        ("ts", pa.timestamp("s", tz="UTC")),
        ("speaker", pa.string()),
        ("category", pa.string()),
        ("text", pa.string()),
    ]
)


def batches(n: int, seed: int, size: int) -> Iterator[pa.RecordBatch]:
    """``n`` utterances in record batches of ``size``; sessions of 500 lines about one product."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for first in range(0, n, size):
        cols: dict[str, list[object]] = {name: [] for name in SCHEMA.names}
        for i in range(first, min(first + size, n)):
            session = i // 500
            product, category = PRODUCTS[session % len(PRODUCTS)]
            template = rng.choice(VIOLATIONS if rng.random() < 0.15 else CLEAN)
            text = rng.choice(FILLERS) + "，" + template.format(p=product)
            if rng.random() < 0.3:
                text += "，" + rng.choice(FILLERS)
            cols["id"].append(f"u{i}")
            cols["session_id"].append(f"s{session}")
            cols["organisation"].append(f"org{session % 7}")
            cols["ts"].append(start + timedelta(seconds=i))
            cols["speaker"].append("host")
            cols["category"].append(category)
            cols["text"].append(text)
        yield pa.RecordBatch.from_pydict(cols, schema=SCHEMA)


def generate(folder: Path, n: int, files: int, row_group: int, seed: int) -> None:
    """Write ``n`` utterances as ``files`` Parquet files with row groups of ``row_group`` rows."""
    per_file = -(-n // files)
    writer = None
    written = 0
    try:
        for batch in batches(n, seed, row_group):
            if writer is None or written >= per_file:
                if writer is not None:
                    writer.close()
                index = len(list(folder.glob("*.parquet")))
                writer = pq.ParquetWriter(folder / f"part-{index:03d}.parquet", SCHEMA)
                written = 0
            writer.write_batch(batch)
            written += batch.num_rows
    finally:
        if writer is not None:
            writer.close()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def audit(folder: Path, engine: str, workers: int, chunk_rows: int, out: Path) -> Summary:
    with make_runner(engine, (), workers, None) as runner:
        return run_audit(
            expand_paths([str(folder)]),
            runner,
            output=out,
            spec=ScanSpec(),
            catalogue=engine_for(()).version,
            chunk_rows=chunk_rows,
        )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5_000_000, help="utterances (default 5,000,000)")
    ap.add_argument("--files", type=int, default=8, help="Parquet files")
    ap.add_argument("--row-group", type=int, default=50_000, help="rows per row group")
    ap.add_argument("--chunk-rows", type=int, default=50_000, help="rows per part")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = ap.parse_args(argv)

    runs = [("dask", 1), ("dask", 2), ("local", 2)]
    results: dict[str, Summary] = {}
    digests: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="liveqc-archive-bench-") as tmp:
        data = Path(tmp, "archive")
        data.mkdir()
        t0 = time.perf_counter()
        generate(data, args.n, args.files, args.row_group, args.seed)
        size = sum(p.stat().st_size for p in data.glob("*.parquet"))
        print(
            f"generated {args.n:,} utterances in {args.files} Parquet files "
            f"({size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
        )
        for engine, workers in runs:
            key = f"{engine} x{workers}"
            out = Path(tmp, key.replace(" ", ""))
            summary = audit(data, engine, workers, args.chunk_rows, out)
            results[key] = summary
            digests.add(sha256(out / "findings.parquet"))
            shutil.rmtree(out)
            print(
                f"{key:<9} {summary.utterances:>10,} utterances  {summary.findings:>9,} findings  "
                f"{summary.seconds:7.1f} s  {summary.throughput:>9,.0f} utterances/s  "
                f"(startup {summary.startup_seconds:.1f} s)"
            )
    base = results["dask x1"].throughput
    print(f"speed-up dask x2 / dask x1: {results['dask x2'].throughput / base:.2f}")
    print(f"speed-up local x2 / dask x1: {results['local x2'].throughput / base:.2f}")
    same = len(digests) == 1
    print(f"identical findings.parquet across runs: {'yes' if same else 'NO'}")
    if args.json:
        print(
            json.dumps(
                {
                    k: {
                        "utterances": s.utterances,
                        "findings": s.findings,
                        "seconds": round(s.seconds, 2),
                        "utterances_per_second": round(s.throughput),
                    }
                    for k, s in results.items()
                }
            )
        )
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
