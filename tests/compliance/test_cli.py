"""`liveqc scan`, `liveqc rules`, `liveqc eval` against the compliance-scan contract."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from liveqc.cli.main import app
from tests.engine.fixtures import PACKS

ONLY_FIXTURES = ["--rules", str(PACKS), "--no-builtin"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def scan(runner: CliRunner, *args: str, stdin: str | bytes | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["scan", *args, *ONLY_FIXTURES], input=stdin)


def records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_json_lines_input_gives_json_lines_output_in_input_order(runner: CliRunner) -> None:
    stdin = (
        '{"id": "u1", "text": "这款面霜最 好 用"}\n'
        '{"id": "u2", "text": "最近天气冷"}\n'
        '{"id": "u3", "text": "加V信私聊"}\n'
    )
    result = scan(runner, stdin=stdin)
    assert result.exit_code == 1
    recs = records(result.stdout)
    assert [r["id"] for r in recs] == ["u1", "u2", "u3"]
    assert recs[1]["findings"] == []
    f = recs[0]["findings"][0]
    assert set(f) == {
        "code",
        "rule",
        "severity",
        "start",
        "end",
        "match",
        "basis",
        "message",
        "suggestion",
    }
    assert (f["code"], f["start"], f["end"], f["match"]) == ("absolute_term", 4, 7, "最 好")
    assert recs[2]["findings"][0]["code"] == "off_platform_transaction"


def test_plain_text_lines_are_numbered_and_empty_lines_kept(runner: CliRunner) -> None:
    result = scan(runner, "--format", "jsonl", stdin="最好\n\n最近\n")
    assert [r["id"] for r in records(result.stdout)] == [1, 2, 3]
    assert result.exit_code == 1


def test_no_findings_exits_zero(runner: CliRunner) -> None:
    result = scan(runner, "--format", "jsonl", stdin="最近天气冷\n")
    assert result.exit_code == 0
    assert records(result.stdout) == [{"id": 1, "findings": []}]


def test_per_line_facts_override_the_command_line(runner: CliRunner, tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"lowest_price_7d": 99}), "utf-8")
    stdin = (
        '{"id": "a", "text": "原价299今天99"}\n'
        '{"id": "b", "text": "原价299今天99", "facts": {"lowest_price_7d": 299}}\n'
    )
    recs = records(scan(runner, "--facts", str(facts), stdin=stdin).stdout)
    assert [bool(r["findings"]) for r in recs] == [True, False]


def test_per_line_category_overrides_the_command_line(runner: CliRunner) -> None:
    stdin = '{"id": 1, "text": "能美白"}\n{"id": 2, "text": "能美白", "category": "food"}\n'
    recs = records(scan(runner, "--category", "cosmetics", stdin=stdin).stdout)
    assert [bool(r["findings"]) for r in recs] == [True, False]


def test_files_by_extension_and_json_array_format(runner: CliRunner, tmp_path: Path) -> None:
    jl = tmp_path / "a.jsonl"
    jl.write_text('{"id": "x", "text": "最好"}\n', "utf-8")
    txt = tmp_path / "b.txt"
    txt.write_text('{"not json lines in a .txt file"}\n', "utf-8")
    result = runner.invoke(app, ["scan", str(jl), str(txt), "--format", "json", *ONLY_FIXTURES])
    data = json.loads(result.stdout)
    assert [(r["id"], r["source"]) for r in data] == [("x", str(jl)), (1, str(txt))]
    empty = scan(runner, "--format", "json", stdin="")
    assert json.loads(empty.stdout) == [] and empty.exit_code == 0


def test_text_format_is_for_people(runner: CliRunner) -> None:
    result = scan(runner, stdin="家人们最好用\n最近好\n")
    out = result.stdout
    assert "<stdin>:1:4: absolute_term [high] 家人们«最好»用" in out
    assert "Advertising Law art. 9(3)" in out
    assert "建议: 改为客观描述" in out
    assert out.rstrip().endswith("1 finding in 1 of 2 utterances (absolute_term 1)")


@pytest.mark.parametrize(
    ("stdin", "needle"),
    [
        (b'{"id": 2, "text": \n', "<stdin>:2: malformed JSON"),
        (b'{"text": "a", "category": "spaceship"}\n', "<stdin>:2: unknown category"),
        (b'{"text": "a", "facts": {"colour": "red"}}\n', "<stdin>:2: unknown facts field"),
        (b'{"text": "\xff\xfe"}\n', "<stdin>:2: invalid UTF-8"),
    ],
)
def test_bad_input_exits_2_naming_the_line_with_nothing_on_stdout(
    runner: CliRunner, stdin: bytes, needle: str
) -> None:
    first_line_with_a_finding = '{"id": 1, "text": "最好"}\n'.encode()
    result = scan(runner, stdin=first_line_with_a_finding + stdin)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: Unreadable input: ")
    assert needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreadable_file_unknown_category_and_bad_facts_file(
    runner: CliRunner, tmp_path: Path
) -> None:
    missing = runner.invoke(app, ["scan", str(tmp_path / "nope.txt"), *ONLY_FIXTURES])
    assert missing.exit_code == 2 and "nope.txt: cannot read file" in missing.stderr
    cat = scan(runner, "--category", "spaceship", stdin="x\n")
    assert cat.exit_code == 2 and "--category" in cat.stderr
    bad = tmp_path / "f.json"
    bad.write_text('{"spf": 50,\n "colour": 1}', "utf-8")
    facts = scan(runner, "--facts", str(bad), stdin="x\n")
    assert facts.exit_code == 2 and "f.json: unknown facts field" in facts.stderr
    assert facts.stdout == ""


def test_disable_and_a_broken_rule_pack(runner: CliRunner, tmp_path: Path) -> None:
    off = scan(
        runner, "--disable", "absolute_term.superlatives", "--format", "jsonl", stdin="最好\n"
    )
    assert off.exit_code == 0
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "pack.yaml").write_text("pack: p\nrules: [{id: x.y}]\n", "utf-8")
    broken = runner.invoke(app, ["scan", "--rules", str(tmp_path / "p")], input="x\n")
    assert broken.exit_code == 2
    assert "error: Invalid rule pack:" in broken.stderr and "pack.yaml" in broken.stderr


def test_a_10_mb_single_line(runner: CliRunner, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("家人们好" * 2_500_000 + "最好\n", "utf-8")
    result = runner.invoke(app, ["scan", str(big), "--format", "jsonl", *ONLY_FIXTURES])
    assert result.exit_code == 1
    (rec,) = records(result.stdout)
    assert rec["findings"][0]["start"] == 10_000_000


def test_rules_list_show_and_test(runner: CliRunner) -> None:
    listed = runner.invoke(app, ["rules", "list", "--code", "price_fraud", *ONLY_FIXTURES])
    assert listed.exit_code == 0
    assert "basic/price_fraud.lowest_price\tprice_fraud\thigh" in listed.stdout
    assert "absolute_term" not in listed.stdout
    shown = runner.invoke(app, ["rules", "show", "absolute_term.superlatives", *ONLY_FIXTURES])
    data = json.loads(shown.stdout)
    assert data["examples"]["ok"] == ["最近天气冷，大家注意保暖", "开封后最好冷藏"]
    assert data["basis"] == "Advertising Law art. 9(3)"
    missing = runner.invoke(app, ["rules", "show", "nope.nope", *ONLY_FIXTURES])
    assert missing.exit_code != 0 and "nope.nope" in missing.stderr
    tested = runner.invoke(app, ["rules", "test", *ONLY_FIXTURES])
    assert tested.exit_code == 0
    assert "14 of 14 rules pass their examples" in tested.stdout


def test_rules_test_reports_misses_per_rule(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "pack.yaml").write_text(
        "pack: p\nrules:\n  - {id: superstition.x, code: superstition, severity: low,"
        " basis: b, message: m, suggestion: s, keywords: [开光]}\n",
        "utf-8",
    )
    (folder / "examples.yaml").write_text(
        "superstition.x: {hit: [转运手串], ok: [开光手串]}\n", "utf-8"
    )
    result = runner.invoke(app, ["rules", "test", "--rules", str(folder), "--no-builtin"])
    assert result.exit_code == 1
    assert "p/superstition.x: 2 misses" in result.stdout
    assert "hit: 转运手串" in result.stdout


def test_eval_prints_the_per_code_table(runner: CliRunner, tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    lines = [
        {"id": 1, "text": "这是最好的", "codes": ["absolute_term"]},
        {"id": 2, "text": "最近很好", "codes": [], "hard_negative": True},
    ]
    corpus.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    text = runner.invoke(app, ["eval", str(corpus), *ONLY_FIXTURES])
    assert text.exit_code == 0
    assert "absolute_term" in text.stdout and "micro" in text.stdout and "macro" in text.stdout
    js = runner.invoke(app, ["eval", str(corpus), "--format", "json", *ONLY_FIXTURES])
    data = json.loads(js.stdout)
    row = next(c for c in data["codes"] if c["code"] == "absolute_term")
    assert (row["precision"], row["recall"], row["support"]) == (1.0, 1.0, 1)
    assert data["hard_negatives"] == 1


def test_progress_bar_on_a_terminal_leaves_the_output_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    from contextlib import ExitStack

    from liveqc.compliance import cli
    from liveqc.engine import Facts

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(cli.sys, "stderr", Terminal())
    data = tmp_path / "a.txt"
    data.write_text("最好\n" * 3000, "utf-8")
    with ExitStack() as stack:
        got = list(cli._utterances([str(data)], None, Facts(), "transcript", stack))
    assert [u.line for u, _ in got] == list(range(1, 3001))
