from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from liveqc.cli.main import LiveQCGroup
from liveqc.products import cli

runner = CliRunner()


def make_app() -> typer.Typer:
    """A root app like ``liveqc`` (same error handling) with only this domain mounted."""
    app = typer.Typer(cls=LiveQCGroup, pretty_exceptions_enable=False)
    cli.register(app)
    return app


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(make_app(), list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_aql_plan_json_matches_the_contract() -> None:
    code, out, _ = run(
        "aql", "plan", "--lot", "1200", "--level", "II", "--aql", "1.0", "--severity", "normal",
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out) == {
        "lot_size": 1200,
        "level": "II",
        "aql": 1.0,
        "severity": "normal",
        "code_letter": "J",
        "plan_code_letter": "J",
        "sample_size": 80,
        "accept": 2,
        "reject": 3,
        "inspect_all": False,
    }


def test_aql_plan_json_after_an_arrow_and_with_inspect_all() -> None:
    code, out, _ = run("aql", "plan", "--lot", "3", "--level", "II", "--aql", "4.0", "--format",
                       "json")  # fmt: skip
    data = json.loads(out)
    assert code == 0
    assert (data["code_letter"], data["plan_code_letter"]) == ("A", "B")
    assert (data["sample_size"], data["inspect_all"], data["aql"]) == (3, True, 4.0)


def test_aql_plan_text_for_people() -> None:
    code, out, _ = run("aql", "plan", "--lot", "1200", "--aql", "1.0", "--severity", "reduced")
    assert code == 0
    assert "Sample size: 32" in out and "Ac: 1" in out and "Re: 2" in out


@pytest.mark.parametrize(
    "args",
    [
        ["--lot", "1200", "--level", "IV", "--aql", "1.0"],
        ["--lot", "1200", "--level", "II", "--aql", "0.5"],
        ["--lot", "1", "--level", "II", "--aql", "1.0"],
        ["--lot", "1200", "--level", "II", "--aql", "1.0", "--severity", "strict"],
    ],
)
def test_aql_plan_bad_input_exits_2_with_one_line(args: list[str]) -> None:
    code, out, err = run("aql", "plan", *args)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1


def test_aql_switching_json() -> None:
    code, out, _ = run("aql", "switching", "--lot", "1200", "--aql", "1.0", "--defects",
                       "3,3,0", "--format", "json")  # fmt: skip
    rows = json.loads(out)
    assert code == 0
    assert [r["severity"] for r in rows] == ["normal", "normal", "tightened"]
    assert rows[1]["next"] == "tightened" and rows[2]["accept"] == 1


def test_aql_decide() -> None:
    code, out, _ = run("aql", "decide", "--lot", "1200", "--major", "1.0:2", "--minor",
                       "4.0:8", "--format", "json")  # fmt: skip
    data = json.loads(out)
    assert code == 0 and data["accepted"] is False
    assert [c["accepted"] for c in data["classes"]] == [True, False]
    code, _, err = run("aql", "decide", "--lot", "1200")
    assert code == 2 and err.startswith("error: ")


def test_netcontent_tolerance_json() -> None:
    code, out, _ = run("netcontent", "tolerance", "--nominal", "500", "--unit", "g", "--format",
                       "json")  # fmt: skip
    assert code == 0
    assert json.loads(out) == {
        "nominal": 500,
        "unit": "g",
        "t": 15.0,
        "t_unit": "g",
        "rule": "15 g",
    }
    code, out, _ = run("netcontent", "tolerance", "--nominal", "2", "--unit", "kg", "--format",
                       "json")  # fmt: skip
    data = json.loads(out)
    assert (data["t"], data["t_unit"]) == (0.03, "kg")


def test_netcontent_tolerance_text_and_rounding_option() -> None:
    code, out, _ = run("netcontent", "tolerance", "--nominal", "1.5", "--unit", "L")
    assert code == 0 and "0.022 L" in out
    _, out, _ = run("netcontent", "tolerance", "--nominal", "1.5", "--unit", "L", "--rounding",
                    "half-up")  # fmt: skip
    assert "0.023 L" in out


@pytest.mark.parametrize(
    ("nominal", "unit"), [("60", "kg"), ("500", "oz"), ("0", "g"), ("10", "m"), ("x", "g")]
)
def test_netcontent_tolerance_errors_exit_2(nominal: str, unit: str) -> None:
    code, _, err = run("netcontent", "tolerance", "--nominal", nominal, "--unit", unit)
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1


E4 = ["497", "503", "499", "501", "496", "502", "498", "500", "495", "504"]


def test_netcontent_check_values_on_the_command_line() -> None:
    code, out, _ = run("netcontent", "check", "--nominal", "500", "--unit", "g", "--lot", "40", *E4)
    assert code == 0
    assert out.strip().endswith("PASS") and "1.028" in out


def test_netcontent_check_from_a_file_with_header(tmp_path: Path) -> None:
    sample = tmp_path / "sample.csv"
    sample.write_text("actual_g\n" + "\n".join(["490", "492", "489", "491", "493"]) + "\n"
                      + "490,492,491\n489\n493\n", encoding="utf-8")  # fmt: skip
    code, out, _ = run("netcontent", "check", "--nominal", "500", "--unit", "g", "--lot", "40",
                       str(sample), "--format", "json")  # fmt: skip
    data = json.loads(out)
    assert code == 0 and data["passed"] is False and data["sample_size"] == 10


def test_netcontent_check_from_stdin() -> None:
    code, out, _ = run("netcontent", "check", "--nominal", "500", "--unit", "g", "-",
                       stdin="498 492 488\n503 486\n")  # fmt: skip
    assert code == 0 and "no mean test" in out


def test_netcontent_check_bad_file_line_is_named(tmp_path: Path) -> None:
    sample = tmp_path / "bad.txt"
    sample.write_text("500\n49o\n", encoding="utf-8")
    code, _, err = run("netcontent", "check", "--nominal", "500", "--unit", "g", str(sample))
    assert code == 2 and "line 2" in err


def test_netcontent_check_wrong_sample_size_exits_2() -> None:
    code, _, err = run("netcontent", "check", "--nominal", "500", "--unit", "g", "--lot", "40",
                       "500", "501")  # fmt: skip
    assert code == 2 and "needs a sample of 10" in err
