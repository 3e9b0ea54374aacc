"""`liveqc audit-archive`: output files, printed summary, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from liveqc.cli.main import app
from tests.archive.conftest import Archive, write_jsonl


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def audit(runner: CliRunner, *args: str, pool: bool = False):  # type: ignore[no-untyped-def]
    """Run the command; in this process unless ``pool`` or ``--workers`` asks otherwise."""
    one = [] if pool or "--workers" in args else ["--workers", "1"]
    return runner.invoke(app, ["audit-archive", *args, *one])


def summary(out: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_findings_exit_1_and_write_parquet_and_summary(
    runner: CliRunner, archive: Archive, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    parquet = str(archive.root / "**" / "*.parquet")
    result = audit(runner, parquet, str(archive.jsonl), "--output", str(out), pool=True)
    assert result.exit_code == 1, result.output
    table = pq.read_table(out / "findings.parquet")
    data = summary(out)
    assert data["findings"] == table.num_rows > 0
    assert data["files"] == 2 and data["utterances"] == 80
    assert [Path(f["file"]).name for f in data["by_file"]] == ["b.parquet", "a.jsonl"]
    assert "off_platform_transaction" in result.stdout
    assert "utterances/s" in result.stdout
    assert f"{data['findings']:,}" in result.stdout


def test_clean_archive_exits_0(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "clean.jsonl"
    write_jsonl(path, [{"text": "点击下方小黄车"}, {"text": "关注主播不迷路"}])
    result = audit(runner, str(path), "--output", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert summary(tmp_path / "out")["utterances"] == 2


def test_missing_path_exits_2_with_one_line_error(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = audit(runner, str(tmp_path / "nope.jsonl"), "--output", str(out))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: Unreadable input: {tmp_path / 'nope.jsonl'}: no such file or directory"
    ]
    assert not out.exists()


def test_bad_line_exits_2_naming_file_and_line_unless_skipped(
    runner: CliRunner, archive: Archive, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    write_jsonl(bad, [{"text": "加微信私聊"}, {"text": "好"}, '{"text": 3}', "{oops"])
    out = tmp_path / "out"
    result = audit(runner, str(bad), str(archive.jsonl), "--output", str(out))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: Unreadable input: {bad}:3: field 'text'")
    assert "(and 1 more)" in result.stderr
    data = summary(out)
    assert [(e["file"], e["line"]) for e in data["errors"]] == [(str(bad), 3), (str(bad), 4)]
    assert data["bad_rows"] == 2 and data["utterances"] == 42

    skipped = audit(runner, str(bad), "--output", str(out), "--skip-bad")
    assert skipped.exit_code == 1
    assert summary(out)["bad_rows"] == 2


def test_codes_option_filters_and_is_checked(
    runner: CliRunner, archive: Archive, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = audit(runner, str(archive.jsonl), "--codes", "superstition", "--output", str(out))
    assert result.exit_code == 1
    assert set(pq.read_table(out / "findings.parquet").column("code").to_pylist()) == {
        "superstition"
    }
    bad = audit(runner, str(archive.jsonl), "--codes", "superstition,nope", "--output", str(out))
    assert bad.exit_code == 2
    assert "unknown violation code 'nope'" in bad.stderr


def test_category_option_is_checked(runner: CliRunner, archive: Archive, tmp_path: Path) -> None:
    result = audit(runner, str(archive.jsonl), "--category", "spaceship")
    assert result.exit_code == 2
    assert "unknown category 'spaceship'" in result.stderr


def test_dask_engine_runs_from_the_command_line(
    runner: CliRunner, archive: Archive, tmp_path: Path
) -> None:
    local, dask = tmp_path / "local", tmp_path / "dask"
    assert audit(runner, str(archive.root), "--output", str(local)).exit_code == 1
    result = audit(
        runner, str(archive.root), "--engine", "dask", "--workers", "1", "--output", str(dask)
    )
    assert result.exit_code == 1, result.output
    assert summary(dask)["engine"] == "dask"
    assert pq.read_table(dask / "findings.parquet").equals(
        pq.read_table(local / "findings.parquet")
    )


HOUSE_PACK = """\
pack: house
title: 本公司词库
instrument: Live-Streaming Marketing Measures (2021)
rules:
  - id: off_platform_transaction.house_code
    code: off_platform_transaction
    severity: high
    basis: Live-Streaming Marketing Measures (2021) art. 18
    message: 暗号引导站外交易
    suggestion: 删除暗号
    keywords: [蓝色小鸟]
"""


def test_extra_rule_packs_reach_the_worker_processes(runner: CliRunner, tmp_path: Path) -> None:
    pack = tmp_path / "packs" / "house"
    pack.mkdir(parents=True)
    (pack / "pack.yaml").write_text(HOUSE_PACK, encoding="utf-8")
    (pack / "examples.yaml").write_text(
        "off_platform_transaction.house_code:\n  hit: [找蓝色小鸟下单]\n  ok: [今天天气好]\n",
        encoding="utf-8",
    )
    path = tmp_path / "t.jsonl"
    write_jsonl(path, [{"text": f"第{i}位，找蓝色小鸟下单"} for i in range(6)])
    out = tmp_path / "out"
    args = [str(path), "--rules", str(tmp_path / "packs"), "--chunk-rows", "2"]
    result = audit(runner, *args, "--workers", "2", "--output", str(out))
    assert result.exit_code == 1, result.output
    table = pq.read_table(out / "findings.parquet")
    assert table.column("rule").to_pylist() == ["off_platform_transaction.house_code"] * 6
    assert table.column("row").to_pylist() == [1, 2, 3, 4, 5, 6]


def test_broken_rule_pack_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    pack = tmp_path / "packs" / "broken"
    pack.mkdir(parents=True)
    (pack / "pack.yaml").write_text(HOUSE_PACK.replace("off_platform_transaction\n", "nope\n"))
    path = tmp_path / "t.jsonl"
    write_jsonl(path, [{"text": "好"}])
    result = audit(runner, str(path), "--rules", str(tmp_path / "packs"))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: Invalid rule pack:")
