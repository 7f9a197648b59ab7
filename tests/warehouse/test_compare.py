"""warehouse/compare.py on two DuckDB tables: what a change moved, within the common range."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import duckdb
import pytest
from greenery.warehouse import compare

WEEKS = [date(2021, 2, 1) + timedelta(weeks=i) for i in range(6)]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "create table prod (wk date, product_id varchar, n_sessions integer, rate double, "
        "dbt_loaded_at timestamp)"
    )
    for i, wk in enumerate(WEEKS[:5]):  # production: weeks 0-4
        for product in ("a", "b"):
            con.execute("insert into prod values (?, ?, ?, ?, now())", [wk, product, 10 + i, 0.5])
    # CI: weeks 1-5 (a newer extract), rebuilt (a later dbt_loaded_at), with one rate changed,
    # one row gone and one new product, and a column of its own
    con.execute("create table ci as select * from prod where wk > ?", [WEEKS[0]])
    con.execute("update ci set dbt_loaded_at = dbt_loaded_at + interval 1 hour")
    con.execute(
        "insert into ci select ?, product_id, 99, 0.5, now() from prod where wk = ?",
        [WEEKS[5], WEEKS[4]],
    )
    con.execute("update ci set rate = 0.25 where wk = ? and product_id = 'a'", [WEEKS[2]])
    con.execute("delete from ci where wk = ? and product_id = 'b'", [WEEKS[3]])
    con.execute("insert into ci values (?, 'c', 1, 1.0, now())", [WEEKS[1]])
    con.execute("alter table ci add column note varchar")
    return con


def answers(con: duckdb.DuckDBPyConnection):
    def query(sql: str) -> list[dict[str, Any]]:
        cursor = con.execute(sql)
        names = [d[0].lower() for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def columns_of(relation: str) -> list[str]:
        return [d[0].lower() for d in con.execute(compare.columns_sql(relation)).description]

    return query, columns_of


def mart(keys: tuple[str, ...] = ("wk", "product_id"), event_time: str | None = "wk"):
    return compare.Mart("f_weekly", "ci", "prod", keys, event_time)


def test_a_change_is_counted_by_key_and_column_within_the_range_both_cover(con):
    change = compare.compare(*answers(con), mart())

    # weeks 1-4 on both sides: production's week 0 and CI's week 5 are outside the range
    assert (change.compared_from, change.compared_to) == (str(WEEKS[1]), str(WEEKS[4]))
    assert (change.prod_rows, change.ci_rows) == (8, 8)  # 8 - one removed + one added
    assert (change.rows_added, change.rows_removed, change.rows_changed) == (1, 1, 1)
    assert change.columns_changed == {"rate": 1}  # dbt_loaded_at changed everywhere: ignored
    assert change.columns_added == ["note"] and change.columns_removed == []
    assert not change.unchanged
    by_change = {e["change"]: e for e in change.examples}
    assert by_change["changed"]["rate__ci"] == 0.25 and by_change["changed"]["rate__prod"] == 0.5
    assert by_change["added"]["product_id"] == "c" and by_change["removed"]["product_id"] == "b"
    markdown = compare.markdown([change])
    assert "1 of the 1 marts" in markdown and "`rate` (1)" in markdown and "+`note`" in markdown


def test_an_unchanged_mart_is_an_empty_diff(con):
    con.execute("create table same as select * from prod")
    con.execute("update same set dbt_loaded_at = dbt_loaded_at + interval 1 day")
    change = compare.compare(
        *answers(con), compare.Mart("m", "same", "prod", ("wk", "product_id"), "wk")
    )
    assert change.unchanged and change.examples == [] and change.columns_changed == {}
    assert (change.rows_added, change.rows_removed, change.rows_changed) == (0, 0, 0)
    assert "0 of the 1 marts" in compare.markdown([change])


def test_without_a_key_or_a_time_a_mart_is_compared_by_counts_over_all_rows(con):
    change = compare.compare(*answers(con), mart(keys=(), event_time=None))
    assert (change.prod_rows, change.ci_rows) == (10, 10)
    assert change.rows_added is None and change.compared_from is None
    assert change.columns_added == ["note"] and not change.unchanged


def test_keys_come_from_the_uniqueness_tests_the_narrowest_first():
    nodes = {
        "test.a": {
            "resource_type": "test",
            "attached_node": "model.greenery.m",
            "test_metadata": {
                "name": "unique_combination_of_columns",
                "kwargs": {"combination_of_columns": ["wk", "product_id"]},
            },
        },
        "test.b": {
            "resource_type": "test",
            "attached_node": "model.greenery.m",
            "test_metadata": {"name": "unique", "kwargs": {"column_name": "event_id"}},
        },
        "test.c": {
            "resource_type": "test",
            "attached_node": "model.greenery.n",
            "test_metadata": {"name": "not_null", "kwargs": {"column_name": "x"}},
        },
    }
    assert compare.declared_keys(nodes) == {"model.greenery.m": ("event_id",)}
