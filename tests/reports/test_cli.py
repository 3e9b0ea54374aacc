"""`liveqc report bluebook` against a migrated file database with the demo data."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from liveqc.cli.main import app
from liveqc.config import get_settings
from liveqc.db.types import utcnow

YEAR = str(utcnow().year)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    path = tmp_path_factory.mktemp("bluebook") / "cli.db"
    env = {"LIVEQC_DATABASE_URL": f"sqlite:///{path}", "LIVEQC_ENV": "test"}
    runner = CliRunner()
    get_settings.cache_clear()
    for args in (["db", "upgrade"], ["demo", "load"]):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, result.output
    yield env
    get_settings.cache_clear()


def run(runner: CliRunner, env: dict[str, str], *args: str):
    get_settings.cache_clear()
    return runner.invoke(app, ["report", "bluebook", *args], env=env)


def test_html_goes_to_stdout_for_one_organisation(cli_runner, loaded) -> None:
    result = run(cli_runner, loaded, "--period", YEAR, "--org", "星河直播")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert "统计范围：星河直播" in result.stdout and "一、行业发展现状" in result.stdout


def test_pdf_to_a_file_in_english(cli_runner, loaded, tmp_path: Path) -> None:
    out = tmp_path / "bluebook.pdf"
    result = run(
        cli_runner,
        loaded,
        "--period",
        YEAR,
        "--org",
        "青禾优选",
        "--format",
        "pdf",
        "--output",
        str(out),
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "Scope: 青禾优选" in text and "5. Spot checks and disclosure" in text


def test_xlsx_for_every_organisation_with_my_market_csv(cli_runner, loaded, tmp_path: Path) -> None:
    csv = tmp_path / "market.csv"
    csv.write_text(
        "key,label_en,value,period,source\nshops,Live shops,321,2025,my survey\n", encoding="utf-8"
    )
    out = tmp_path / "all.xlsx"
    result = run(
        cli_runner,
        loaded,
        "--period",
        YEAR,
        "--all",
        "--format",
        "xlsx",
        "-o",
        str(out),
        "--market",
        str(csv),
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert any(row[0] == "Live shops" and row[2] == 321 and row[5] == "my survey" for row in rows)
    assert any(row[0] == "Scope: all organisations" for row in rows)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", YEAR], "give exactly one of --org ORG or --all"),
        (["--period", YEAR, "--org", "星河直播", "--all"], "give exactly one of"),
        (["--period", "26", "--all"], "period must be a year"),
        (["--period", YEAR, "--org", "nobody"], ""),
    ],
)
def test_bad_usage_is_a_clear_error(cli_runner, loaded, args: list[str], message: str) -> None:
    result = run(cli_runner, loaded, *args)
    assert result.exit_code != 0 and result.exit_code != 1
    assert message in result.stderr
    assert result.stderr.startswith("error: ")


def test_bad_market_csv_names_the_line(cli_runner, loaded, tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text("key,value,period,source\nok,1,2021,s\nbad,lots,2021,s\n", encoding="utf-8")
    result = run(cli_runner, loaded, "--period", YEAR, "--all", "--market", str(csv))
    assert result.exit_code == 2
    assert "bad.csv: line 3: column 'value' is not a number" in result.stderr


def test_unknown_format_is_refused_by_the_option(cli_runner, loaded) -> None:
    result = run(cli_runner, loaded, "--period", YEAR, "--all", "--format", "docx")
    assert result.exit_code == 2


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_and_silence_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    from liveqc.reports import cli

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    with cli._progress() as advance:
        for step in cli.STEPS:
            advance(step)
    assert "render" in terminal.getvalue() and f"{len(cli.STEPS)}/{len(cli.STEPS)}" in (
        terminal.getvalue()
    )
    monkeypatch.setattr("sys.stderr", io.StringIO())
    with cli._progress() as advance:
        assert advance is None


def test_a_regulator_report_covers_its_jurisdiction(cli_runner, loaded) -> None:
    result = run(cli_runner, loaded, "--period", YEAR, "--org", "滨江区市场监管局")
    assert result.exit_code == 0, result.output
    assert "滨江区市场监管局辖区（2 家机构）" in result.stdout
