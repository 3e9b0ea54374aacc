"""`liveqc complaints classify | deadline | compensation | return-window`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from liveqc.cli.main import app


def _rows(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_classify_jsonl_keeps_order_and_id_types(cli_runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        '{"id": "c1", "text": "吃了以后全家上吐下泻，去医院挂了水"}\n'
        "\n"
        '{"id": 2, "text": "下单半个月了还没发货"}\n'
        '{"id": "c3", "text": "专柜验了说是假货"}\n',
        encoding="utf-8",
    )
    result = cli_runner.invoke(app, ["complaints", "classify", str(src)])
    assert result.exit_code == 0, result.output
    assert _rows(result.stdout) == [
        {"id": "c1", "category": "safety_incident", "urgent": True},
        {"id": 2, "category": "delivery", "urgent": False},
        {"id": "c3", "category": "counterfeit", "urgent": False},
    ]
    assert "安全" not in result.stdout  # only the contract's fields


def test_classify_plain_text_from_stdin_numbers_lines_from_one(cli_runner: CliRunner) -> None:
    text = "主播说能祛斑，用了一个月没效果\n\n退货寄回去签收半个月了，钱还没退\n"
    result = cli_runner.invoke(app, ["complaints", "classify"], input=text)
    assert result.exit_code == 0, result.output
    assert _rows(result.stdout) == [
        {"id": 1, "category": "false_advertising", "urgent": False},
        {"id": 3, "category": "after_sales_refusal", "urgent": False},
    ]


def test_classify_output_is_not_ascii_escaped_and_explains_on_request(
    cli_runner: CliRunner,
) -> None:
    result = cli_runner.invoke(
        app, ["complaints", "classify", "-", "--explain"], input="脸上过敏红肿\n"
    )
    assert result.exit_code == 0
    row = _rows(result.stdout)[0]
    assert row["category"] == "safety_incident"
    assert any("过敏" in r for r in row["reasons"])  # type: ignore[union-attr]
    assert "\\u" not in result.stdout


def test_text_format_prints_one_line_per_complaint_for_people(cli_runner: CliRunner) -> None:
    lines = '{"id": "x", "text": "吃完就拉肚子住院了"}\n{"id": "y", "text": "快递一直没发货"}\n'
    result = cli_runner.invoke(app, ["complaints", "classify", "--format", "text"], input=lines)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["x\tsafety_incident URGENT", "y\tdelivery"]


def test_a_gold_category_key_in_the_input_is_ignored(cli_runner: CliRunner) -> None:
    line = '{"id": 7, "text": "收到的是假货，防伪码查不到", "category": "counterfeit"}\n'
    result = cli_runner.invoke(app, ["complaints", "classify"], input=line)
    assert result.exit_code == 0
    assert _rows(result.stdout) == [{"id": 7, "category": "counterfeit", "urgent": False}]


def test_several_files_are_read_in_order(cli_runner: CliRunner, tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.jsonl"
    a.write_text("快递丢了\n", encoding="utf-8")
    b.write_text('{"id": "b1", "text": "保价被拒，不给补差价"}\n', encoding="utf-8")
    result = cli_runner.invoke(app, ["complaints", "classify", str(a), str(b)])
    assert [r["id"] for r in _rows(result.stdout)] == [1, "b1"]
    assert _rows(result.stdout)[1]["category"] == "price_dispute"


def test_bad_json_line_exits_2_naming_file_and_line_with_nothing_on_stdout(
    cli_runner: CliRunner, tmp_path: Path
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "快递丢了"}\n{"id": 2, "text": \n', encoding="utf-8")
    result = cli_runner.invoke(app, ["complaints", "classify", str(src)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{src}:2:" in result.stderr
    assert result.stderr.startswith("error: ")


def test_missing_text_field_and_missing_file_exit_2(cli_runner: CliRunner, tmp_path: Path) -> None:
    result = cli_runner.invoke(app, ["complaints", "classify"], input='{"id": 1}\n')
    assert result.exit_code == 2
    assert "<stdin>:1:" in result.stderr
    missing = tmp_path / "nope.jsonl"
    result = cli_runner.invoke(app, ["complaints", "classify", str(missing)])
    assert result.exit_code == 2
    assert str(missing) in result.stderr


def test_invalid_utf8_exits_2_with_line(cli_runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_bytes("快递丢了\n".encode() + b"\xff\xfe bad\n")
    result = cli_runner.invoke(app, ["complaints", "classify", str(src)])
    assert result.exit_code == 2
    assert f"{src}:2:" in result.stderr
    assert result.stdout == ""


def test_deadline_command_counts_working_days(cli_runner: CliRunner) -> None:
    result = cli_runner.invoke(app, ["complaints", "deadline", "--received", "2025-09-30"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["resolution_due"] == "2025-10-21"
    bad = cli_runner.invoke(app, ["complaints", "deadline", "--received", "2999-01-01"])
    assert bad.exit_code == 2
    assert "outside" in bad.stderr


def test_compensation_command(cli_runner: CliRunner) -> None:
    food = cli_runner.invoke(app, ["complaints", "compensation", "food", "--price", "59.9"])
    assert json.loads(food.stdout)["amount"] == "1000.00"
    fraud = cli_runner.invoke(app, ["complaints", "compensation", "fraud", "--price", "400"])
    assert json.loads(fraud.stdout)["amount"] == "1200.00"
    bad = cli_runner.invoke(app, ["complaints", "compensation", "fraud", "--price", "-3"])
    assert bad.exit_code == 2


def test_return_window_command(cli_runner: CliRunner) -> None:
    result = cli_runner.invoke(app, ["complaints", "return-window", "--received", "2025-10-01"])
    assert json.loads(result.stdout)["last_day"] == "2025-10-08"
    excluded = cli_runner.invoke(
        app,
        ["complaints", "return-window", "--received", "2025-10-01", "--exclusion", "custom_made"],
    )
    assert json.loads(excluded.stdout)["applies"] is False
