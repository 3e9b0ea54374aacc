from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import (
    Column,
    Connection,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    exc,
    insert,
    select,
)

from liveqc.db.bulk import Batch, BulkInsert, BulkUpdate, result_converters
from liveqc.db.types import StrEnumType, UTCDateTime
from liveqc.products.models import ProductStatus

METADATA = MetaData()
ITEMS = Table(
    "bulk_test_items",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("name", String(8), nullable=False),
    Column("status", StrEnumType(ProductStatus), nullable=False),
    Column("at", UTCDateTime(), nullable=True),
    Column("amount", Float, nullable=True),
    Column("note", Text, nullable=True),
)
COLUMNS = ("name", "status", "at", "amount", "note")
AT = datetime(2026, 11, 29, 13, 5, 7, 123456, tzinfo=timezone(timedelta(hours=8)))
ROWS = [
    ("九十九", ProductStatus.APPROVED, AT, 99.9, '他说"全网最低"\\n，{"a": 1}'),
    ("emoji😀", "draft", AT + timedelta(microseconds=1), None, None),
    ("空", ProductStatus.SUSPENDED, None, 0.0, ""),
]


@pytest.fixture
def items(db_connection: Connection) -> Connection:
    """The test table, created inside the test's transaction (rolled back after it)."""
    METADATA.create_all(db_connection)
    return db_connection


def read(connection: Connection, where=None) -> list[tuple]:
    query = select(*(ITEMS.c[name] for name in COLUMNS)).order_by(ITEMS.c.id)
    return [
        tuple(row) for row in connection.execute(query if where is None else query.where(where))
    ]


def test_bulk_rows_read_back_exactly_as_rows_written_through_the_column_types(items) -> None:
    BulkInsert(ITEMS, COLUMNS).execute(items, ROWS)
    bulk = read(items)
    items.execute(ITEMS.delete())
    items.execute(insert(ITEMS), [dict(zip(COLUMNS, row, strict=True)) for row in ROWS])
    assert bulk == read(items)
    assert bulk[0][2] == AT and bulk[0][2].tzinfo is not None and bulk[1][3] is None
    assert bulk[0][1] is ProductStatus.APPROVED and bulk[0][4] == ROWS[0][4]


def test_bulk_datetimes_compare_with_bound_datetimes(items) -> None:
    """On SQLite a datetime is text: the bulk text must be the one a bound value compares to."""
    BulkInsert(ITEMS, COLUMNS).execute(items, ROWS)
    assert [row[0] for row in read(items, ITEMS.c.at == AT)] == ["九十九"]
    later = read(items, ITEMS.c.at > AT.astimezone(UTC))
    assert [row[0] for row in later] == ["emoji😀"]


def test_returning_gives_each_row_its_id(items) -> None:
    returned = BulkInsert(ITEMS, COLUMNS, returning=("id", "name")).execute(items, ROWS)
    ids = {name: row_id for row_id, name in returned}
    assert set(ids) == {row[0] for row in ROWS}
    stored = dict(items.execute(select(ITEMS.c.name, ITEMS.c.id)).all())
    assert stored == ids


def test_a_value_too_long_for_its_column_is_never_cut(items, backend) -> None:
    """PostgreSQL refuses it, as it refuses it from any INSERT; SQLite, which does not check
    lengths, keeps all of it."""
    row = ("九个汉字太长了啊啊", "draft", None, None, None)
    if backend == "postgresql":
        with pytest.raises(exc.DataError, match="too long"):
            BulkInsert(ITEMS, COLUMNS).execute(items, [row])
    else:
        BulkInsert(ITEMS, COLUMNS).execute(items, [row])
        assert read(items)[0][0] == row[0]


def test_bulk_update_changes_the_matched_rows_only(items) -> None:
    returned = BulkInsert(ITEMS, COLUMNS, returning=("id", "name")).execute(items, ROWS)
    ids = {name: row_id for row_id, name in returned}
    update = BulkUpdate(ITEMS, "id", ("status", "amount", "at"))
    later = AT + timedelta(days=1)
    changed = update.execute(
        items,
        [(ids["九十九"], "suspended", 1.5, later), (ids["空"], ProductStatus.DRAFT, None, None)],
    )
    assert changed == 2
    assert read(items) == [
        ("九十九", ProductStatus.SUSPENDED, later, 1.5, ROWS[0][4]),
        (ROWS[1][0], ProductStatus.DRAFT, *ROWS[1][2:]),
        ("空", ProductStatus.DRAFT, None, None, ""),
    ]


def test_no_rows_run_no_statement(items) -> None:
    assert BulkInsert(ITEMS, COLUMNS, returning=("id",)).execute(items, []) == []
    assert BulkUpdate(ITEMS, "id", ("amount",)).execute(items, []) == 0
    assert read(items) == []


def test_bad_columns_and_values_are_named() -> None:
    with pytest.raises(ValueError, match="bulk_test_items has no column colour"):
        BulkInsert(ITEMS, ("name", "colour"))
    with pytest.raises(ValueError, match="has no column row_id"):
        BulkInsert(ITEMS, COLUMNS, returning=("row_id",))


def test_a_value_json_cannot_carry_is_refused_by_type(items) -> None:
    with pytest.raises(TypeError, match="cannot write set"):
        BulkInsert(ITEMS, ("name", "status", "note")).execute(items, [("a", "draft", {1})])
    with pytest.raises(ValueError, match="shipped"):  # the column type's own check still runs
        BulkInsert(ITEMS, ("name", "status")).execute(items, [("a", "shipped")])


def check_batch_runs_in_order(items: Connection, backend: str) -> None:
    """A later statement sees what an earlier one wrote, as one after another would."""
    dialect = items.dialect
    param = "%(name)s" if backend == "postgresql" else ":name"
    batch = Batch(items)
    batch.add(*BulkInsert(ITEMS, COLUMNS).statement(dialect, ROWS))
    counted = batch.add(
        f"SELECT count(*) FROM bulk_test_items WHERE name <> {param}", {"name": "空"}
    )
    batch.add(*BulkUpdate(ITEMS, "id", ("amount",)).statement(dialect, [(-1, 5.0)]))
    answers = batch.run()
    assert answers[counted] == [(2,)] and answers[0] == [] and answers[2] == []
    assert batch.run() == []  # the statements ran once


def test_a_batch_runs_its_statements_in_order_and_answers_each(items, backend) -> None:
    check_batch_runs_in_order(items, backend)


def test_without_pipeline_mode_a_batch_runs_one_statement_after_another(
    items, backend, monkeypatch
) -> None:
    """A psycopg built on a libpq older than 14 has no pipeline mode: same answers."""
    import psycopg

    monkeypatch.setattr(psycopg.Pipeline, "is_supported", classmethod(lambda cls: False))
    check_batch_runs_in_order(items, backend)


def test_a_failing_batch_raises_and_the_transaction_rolls_back(items, backend) -> None:
    savepoint = items.begin_nested()
    batch = Batch(items)
    batch.add(*BulkInsert(ITEMS, COLUMNS).statement(items.dialect, ROWS))
    batch.add("SELECT * FROM no_such_table")
    with pytest.raises(Exception, match="no_such_table"):
        batch.run()
    savepoint.rollback()
    assert read(items) == []


def test_result_converters_give_what_sqlalchemy_returns(items) -> None:
    BulkInsert(ITEMS, COLUMNS).execute(items, ROWS[:1])
    batch = Batch(items)
    batch.add("SELECT status, at FROM bulk_test_items")
    ((status, at),) = batch.run()[0]
    convert_status, convert_at = result_converters(ITEMS, ("status", "at"), items.dialect)
    assert convert_status(status) is ProductStatus.APPROVED
    assert (convert_at or (lambda value: value))(at) == AT
