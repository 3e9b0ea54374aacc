"""Every cell of Tables 1, 2-A, 2-B and 2-C against an independent transcription.

The expected tables below are written in a different notation from the source data: Table 1 by
inspection level (columns), Tables 2-x as run-length rows, where ``↓3`` is three down-arrows,
``↑2`` two up-arrows, ``+k`` the next k pairs of the row's Ac/Re series starting at 1/2, and
``–`` a cell without a plan.
"""

from __future__ import annotations

import pytest

from liveqc.products.aql_tables import (
    AQL_COLUMNS,
    LEVELS,
    NORMAL_SAMPLE_SIZES,
    REDUCED_SAMPLE_SIZES,
    TABLE_1,
    TABLES,
    TIGHTENED_SAMPLE_SIZES,
)

LOT_RANGES = [
    (2, 8),
    (9, 15),
    (16, 25),
    (26, 50),
    (51, 90),
    (91, 150),
    (151, 280),
    (281, 500),
    (501, 1200),
    (1201, 3200),
    (3201, 10000),
    (10001, 35000),
    (35001, 150000),
    (150001, 500000),
    (500001, None),
]
TABLE_1_BY_LEVEL = {
    "S-1": "AAAABBBBCCCCDDD",
    "S-2": "AAABBBCCCDDDEEE",
    "S-3": "AABBCCDDEEFFGGH",
    "S-4": "AABCCDEEFGGHJJK",
    "I": "AABCCDEFGHJKLMN",
    "II": "ABCDEFGHJKLMNPQ",
    "III": "BCDEFGHJKLMNPQR",
}

SERIES_NORMAL = ["1/2", "2/3", "3/4", "5/6", "7/8", "10/11", "14/15", "21/22", "30/31", "44/45"]
SERIES_TIGHTENED = ["1/2", "2/3", "3/4", "5/6", "8/9", "12/13", "18/19", "27/28", "41/42"]
SERIES_REDUCED = ["1/2", "2/3", "3/4", "5/6", "6/7", "8/9", "10/11", "14/15", "21/22"]

EXPECTED_NORMAL = {
    "A": "↓14 0/1 ↓2 +9",
    "B": "↓13 0/1 ↑1 ↓1 +10",
    "C": "↓12 0/1 ↑1 ↓1 +10 ↑1",
    "D": "↓11 0/1 ↑1 ↓1 +10 ↑2",
    "E": "↓10 0/1 ↑1 ↓1 +10 ↑3",
    "F": "↓9 0/1 ↑1 ↓1 +8 ↑6",
    "G": "↓8 0/1 ↑1 ↓1 +8 ↑7",
    "H": "↓7 0/1 ↑1 ↓1 +8 ↑8",
    "J": "↓6 0/1 ↑1 ↓1 +8 ↑9",
    "K": "↓5 0/1 ↑1 ↓1 +8 ↑10",
    "L": "↓4 0/1 ↑1 ↓1 +8 ↑11",
    "M": "↓3 0/1 ↑1 ↓1 +8 ↑12",
    "N": "↓2 0/1 ↑1 ↓1 +8 ↑13",
    "P": "↓1 0/1 ↑1 ↓1 +8 ↑14",
    "Q": "0/1 ↑1 ↓1 +8 ↑15",
    "R": "↑2 +8 ↑16",
}
EXPECTED_TIGHTENED = {
    "A": "↓15 0/1 ↓2 +8",
    "B": "↓14 0/1 ↓2 +9",
    "C": "↓13 0/1 ↓2 +9 ↑1",
    "D": "↓12 0/1 ↓2 +9 ↑2",
    "E": "↓11 0/1 ↓2 +9 ↑3",
    "F": "↓10 0/1 ↓2 +7 ↑6",
    "G": "↓9 0/1 ↓2 +7 ↑7",
    "H": "↓8 0/1 ↓2 +7 ↑8",
    "J": "↓7 0/1 ↓2 +7 ↑9",
    "K": "↓6 0/1 ↓2 +7 ↑10",
    "L": "↓5 0/1 ↓2 +7 ↑11",
    "M": "↓4 0/1 ↓2 +7 ↑12",
    "N": "↓3 0/1 ↓2 +7 ↑13",
    "P": "↓2 0/1 ↓2 +7 ↑14",
    "Q": "↓1 0/1 ↓2 +7 ↑15",
    "R": "0/1 ↑1 ↓1 +7 ↑16",
    "S": "–2 1/2 –23",
}
EXPECTED_REDUCED = {
    "A": "↓14 0/1 ↓2 +9",  # rows A and B use the normal series
    "B": "↓13 0/1 ↑1 ↓2 +9",
    "C": "↓12 0/1 ↑1 ↓2 +9 ↑1",
    "D": "↓11 0/1 ↑1 ↓2 +9 ↑2",
    "E": "↓10 0/1 ↑1 ↓2 +9 ↑3",
    "F": "↓9 0/1 ↑1 ↓2 +7 ↑6",
    "G": "↓8 0/1 ↑1 ↓2 +7 ↑7",
    "H": "↓7 0/1 ↑1 ↓2 +7 ↑8",
    "J": "↓6 0/1 ↑1 ↓2 +7 ↑9",
    "K": "↓5 0/1 ↑1 ↓2 +7 ↑10",
    "L": "↓4 0/1 ↑1 ↓2 +7 ↑11",
    "M": "↓3 0/1 ↑1 ↓2 +7 ↑12",
    "N": "↓2 0/1 ↑1 ↓2 +7 ↑13",
    "P": "↓1 0/1 ↑1 ↓2 +7 ↑14",
    "Q": "0/1 ↑2 ↓1 +7 ↑15",
    "R": "↑3 +7 ↑16",
}
SIZES = {
    "normal": dict(zip("ABCDEFGHJKLMNPQR", [2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500,
                                              800, 1250, 2000], strict=True)),
    "reduced": dict(zip("ABCDEFGHJKLMNPQR", [2, 2, 2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200,
                                               315, 500, 800], strict=True)),
}  # fmt: skip
SIZES["tightened"] = {**SIZES["normal"], "S": 3150}


def expand(row: str, series: list[str]) -> list[str]:
    cells: list[str] = []
    pairs = iter(series)
    for token in row.split():
        if token[0] in "↓↑–":
            cells += [token[0]] * int(token[1:])
        elif token.startswith("+"):
            cells += [next(pairs) for _ in range(int(token[1:]))]
        else:
            cells.append(token)
    return cells


def as_text(cell: object) -> str:
    return f"{cell[0]}/{cell[1]}" if isinstance(cell, tuple) else str(cell)


def expected_rows(severity: str) -> dict[str, list[str]]:
    if severity == "normal":
        return {k: expand(v, SERIES_NORMAL) for k, v in EXPECTED_NORMAL.items()}
    if severity == "tightened":
        return {k: expand(v, SERIES_TIGHTENED) for k, v in EXPECTED_TIGHTENED.items()}
    return {
        k: expand(v, SERIES_NORMAL if k in "AB" else SERIES_REDUCED)
        for k, v in EXPECTED_REDUCED.items()
    }


@pytest.mark.parametrize("severity", ["normal", "tightened", "reduced"])
def test_every_cell_matches_the_transcription(severity: str) -> None:
    _, rows = TABLES[severity]
    expected = expected_rows(severity)
    assert list(rows) == list(expected)
    mismatches = [
        (letter, AQL_COLUMNS[i], as_text(got), want)
        for letter, want_row in expected.items()
        for i, (got, want) in enumerate(zip(rows[letter], want_row, strict=True))
        if as_text(got) != want
    ]
    assert all(len(r) == 26 for r in expected.values())
    assert mismatches == []


@pytest.mark.parametrize("severity", ["normal", "tightened", "reduced"])
def test_sample_sizes_per_letter(severity: str) -> None:
    sizes, _ = TABLES[severity]
    assert sizes == SIZES[severity]


def test_named_sample_size_tables() -> None:
    assert SIZES["normal"] == NORMAL_SAMPLE_SIZES
    assert SIZES["tightened"] == TIGHTENED_SAMPLE_SIZES
    assert SIZES["reduced"] == REDUCED_SAMPLE_SIZES


def test_every_re_is_ac_plus_one() -> None:
    for _, rows in TABLES.values():
        for cells in rows.values():
            assert all(c[1] == c[0] + 1 for c in cells if isinstance(c, tuple))


def test_table_1_every_cell_by_level() -> None:
    assert len(TABLE_1) == len(LOT_RANGES)
    for row, ((_, upper), (table_upper, letters)) in enumerate(
        zip(LOT_RANGES, TABLE_1, strict=True)
    ):
        assert upper == table_upper
        for column, level in enumerate(LEVELS):
            assert letters[column] == TABLE_1_BY_LEVEL[level][row], (row, level)
