from __future__ import annotations

from pathlib import Path

import pytest

from liveqc.errors import InputError
from liveqc.reports import market

HEADER = "key,label_zh,label_en,qualifier,value,unit_zh,unit_en,period,source\n"


def test_shipped_example_holds_the_national_figures() -> None:
    figures = {f.key: f for f in market.load()}
    assert figures["retail_sales_total"].value == 45
    assert figures["retail_sales_total"].qualifier == "≈"
    assert figures["retail_sales_total"].period == "2021"
    assert figures["live_commerce_share"].value == 5
    assert figures["live_commerce_forecast"].value == 4.9
    assert figures["live_commerce_forecast"].qualifier == ">"
    assert figures["live_commerce_forecast"].period == "2023"
    assert figures["registered_companies"].value == 8862
    assert figures["hosts_total"].value == 1_234_000
    assert all(f.source for f in figures.values())


def test_labels_and_units_follow_the_language() -> None:
    figure = market.load()[0]
    assert figure.label("zh-CN") == "社会消费品零售总额"
    assert figure.label("en") == "Total retail sales of consumer goods"
    assert figure.unit("en") == "trillion yuan" and figure.unit("zh-CN") == "万亿元"


def test_minimal_columns_and_thousands_separators() -> None:
    rows = market.parse('key,value,period,source\nshops,"1,200",2025-06,stats bureau\n')
    assert rows[0].value == 1200 and rows[0].label("en") == "shops"


def test_blank_lines_and_a_byte_order_mark_are_accepted() -> None:
    rows = market.parse("\ufeffkey,value,period,source\na,1,2024,s\n,,,\n")
    assert [r.key for r in rows] == ["a"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("a,x,,,many,,,2021,s\n", "line 2: column 'value' is not a number"),
        ("a,x,,,1,,,2021,\n", "line 2: column 'source' is empty"),
        ("a,x,,,1,,,21,s\n", "line 2: column 'period' must be YYYY or YYYY-MM"),
        ("a,x,,~,1,,,2021,s\n", "line 2: column 'qualifier'"),
        ("A B,x,,,1,,,2021,s\n", "line 2: column 'key' must be lower_snake_case"),
        ("a,x,,,nan,,,2021,s\n", "line 2: column 'value' is not a finite number"),
        ("a,x,,,1,,,2021,s\nb,y,,,2,,,2021,s,extra\n", "line 3: more fields than columns"),
        ("a,x,,,1,,,2021,s\na,y,,,2,,,2021,s\n", "line 3: duplicate key 'a'"),
    ],
)
def test_bad_rows_name_the_line_and_column(body: str, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        market.parse(HEADER + body, name="m.csv")


def test_missing_and_unknown_columns_are_refused() -> None:
    with pytest.raises(InputError, match="line 1: missing column"):
        market.parse("key,value\na,1\n")
    with pytest.raises(InputError, match=r"unknown column.*colour"):
        market.parse("key,value,period,source,colour\na,1,2021,s,red\n")


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        market.load(tmp_path / "absent.csv")
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("key,value,period,source\nx,1,2021,caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"cannot read latin1\.csv"):
        market.load(bad)
