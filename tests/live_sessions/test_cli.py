"""`liveqc prices parse` against the spoken-price contract: formats, order, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from liveqc.cli.main import app


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def parse(runner: CliRunner, *args: str, stdin: str | bytes | None = None) -> Result:
    return runner.invoke(app, ["prices", "parse", *args], input=stdin)


def records(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines()]


def test_json_lines_give_one_record_per_utterance_in_order(runner: CliRunner) -> None:
    stdin = (
        '{"id": "u1", "text": "原价两百九十九"}\n'
        '{"id": "u2", "text": "家人们晚上好"}\n'
        "\n"
        '{"id": 3, "text": "不要三九九不要两九九只要一九九"}\n'
    )
    result = parse(runner, stdin=stdin)
    assert result.exit_code == 0, result.output
    recs = records(result.stdout)
    assert [r["id"] for r in recs] == ["u1", "u2", 3]
    assert recs[0]["prices"] == [
        {"start": 2, "end": 7, "match": "两百九十九", "amount": 299.0, "kind": "original"}
    ]
    assert recs[1]["prices"] == []
    assert [p["kind"] for p in recs[2]["prices"]] == ["original", "original", "current"]


def test_output_keeps_chinese_unescaped(runner: CliRunner) -> None:
    result = parse(runner, stdin='{"id": "a", "text": "九块九包邮"}\n')
    assert '"match": "九块九"' in result.stdout and "\\u" not in result.stdout


def test_plain_text_lines_are_numbered_from_one(runner: CliRunner) -> None:
    result = parse(runner, stdin="只要九十九\n\n满三百减五十\n")
    assert result.exit_code == 0
    recs = records(result.stdout)
    assert [r["id"] for r in recs] == [1, 2, 3]
    assert [(p["amount"], p["kind"]) for p in recs[2]["prices"]] == [
        (300.0, "other"),
        (50.0, "other"),
    ]


def test_files_are_read_in_order_with_their_source(runner: CliRunner, tmp_path: Path) -> None:
    first = tmp_path / "a.jsonl"
    first.write_text('{"id": "x", "text": "到手价一百二"}\n', encoding="utf-8")
    second = tmp_path / "b.txt"
    second.write_text('{"id": "y", "text": "十块钱三个"}\n', encoding="utf-8")
    result = parse(runner, str(first), str(second))
    assert result.exit_code == 0
    recs = records(result.stdout)
    assert [(r["id"], r["source"]) for r in recs] == [("x", str(first)), ("y", str(second))]
    assert recs[1]["prices"][0]["amount"] == 10.0


def test_text_format_is_for_people(runner: CliRunner) -> None:
    result = parse(runner, "--format", "text", stdin="原价两百九十九今天只要九十九\n你好\n")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "<stdin>:1: 两百九十九 [2:7] 299 original; 九十九 [11:14] 99 current"
    assert lines[1] == "<stdin>:2: -"
    assert lines[-1] == "2 utterances, 2 prices (1 original, 1 current, 0 other)"


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (b'{"id": "u1", "text": "ok"}\n{"id": "u2", "text": \n', "<stdin>:2: malformed JSON"),
        (b'{"id": "u1", "text": "ok"}\n{"id": "u2"}\n', "<stdin>:2: field 'text'"),
        (b"\xe4\xb9\x9d\xe5\x9d\x97\n\xff\xfe\n", "<stdin>:2: invalid UTF-8"),
    ],
)
def test_unreadable_input_exits_2_naming_the_line_with_nothing_written(
    runner: CliRunner, stdin: bytes, message: str
) -> None:
    result = parse(runner, stdin=stdin)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: Unreadable input: " + message)


def test_missing_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = parse(runner, str(tmp_path / "nope.txt"))
    assert result.exit_code == 2 and "nope.txt" in result.stderr and result.stdout == ""


def test_unknown_format_is_a_usage_error(runner: CliRunner) -> None:
    assert parse(runner, "--format", "xml", stdin="九十九\n").exit_code == 2
