"""Every analysis in analyses/ compiles, runs on the built warehouse and answers its question."""

from __future__ import annotations

from pathlib import Path

import pytest
from greenery.dbt.runner import Dbt
from greenery.warehouse import database


@pytest.fixture(scope="module")
def answers(replayed_and_built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    dbt = Dbt(duckdb_path=replayed_and_built, target_path=tmp_path_factory.mktemp("target"))
    dbt.check(["compile", "--select", "resource_type:analysis"])
    compiled = dbt.artifacts / "compiled" / "greenery" / "analyses"
    queries = {p.stem: p.read_text() for p in compiled.glob("*.sql")}
    assert set(queries) == {p.stem for p in (dbt.project / "analyses").glob("*.sql")}
    with database.connect(replayed_and_built) as con:
        return {name: con.execute(sql).fetchall() for name, sql in queries.items()}


def test_inventory_questions(answers, facts):
    expected = facts["weekly_history"]["answers"]
    assert [r[0] for r in answers["inventory_changed_week_3_to_4"]] == expected[
        "changed_week_3_to_4"
    ]
    assert dict(answers["products_by_total_fluctuation"]) == expected["total_absolute_fluctuation"]
    episodes = answers["out_of_stock_episodes"]
    assert all(first == last and weeks == 1 for _, first, last, weeks, _, _ in episodes)
    assert {n: f"week {w} ({b} -> 0 -> {a})" for n, w, _, _, b, a in episodes} == expected[
        "out_of_stock"
    ]
    # ranked by how often, not how much: the two rankings differ
    by_changes = answers["products_by_number_of_changes"]
    assert [r[0] for r in by_changes] != [r[0] for r in answers["products_by_total_fluctuation"]]
    assert all(a[1] >= b[1] for a, b in zip(by_changes, by_changes[1:], strict=False))


def test_orders_that_changed(answers, facts):
    flow = {str(wk): n for wk, transition, n in answers["order_status_flow"]}
    assert all(t == "preparing -> shipped" for _, t, _ in answers["order_status_flow"])
    assert sum(flow.values()) == sum(
        len(v) for v in facts["weekly_history"]["orders_shipped"].values()
    )
    by_day: dict[str, list[str]] = {}
    for day, order_id, before, after, *_ in answers["orders_that_changed"]:
        assert (before, after) == ("preparing", "shipped")
        by_day.setdefault(str(day), []).append(order_id)
    assert list(by_day.values()) == [
        sorted(v) for v in facts["weekly_history"]["orders_shipped"].values()
    ]


def test_funnel_questions(answers, facts):
    f = facts["funnel_week_2021_02_08"]
    ((wk, n, pv, ac, co, atc_drop, co_drop, step),) = answers["overall_funnel_and_dropoffs"]
    assert (str(wk), n, pv, ac, co) == (
        "2021-02-08",
        f["sessions"],
        f["page_view_sessions"],
        f["add_to_cart_sessions"],
        f["checkout_sessions"],
    )
    assert step == "add to cart -> checkout"
    products = facts["products"]
    for step, rate_of in (
        ("add_to_cart", lambda p: 1 - p["add_to_cart_sessions"] / p["page_view_sessions"]),
        ("checkout", lambda p: 1 - p["purchase_sessions"] / p["add_to_cart_sessions"]),
    ):
        ranked = sorted(products, key=lambda p: (-rate_of(p), p["name"]))
        most = [p["name"] for p in ranked[:3]]
        least = [p["name"] for p in sorted(products, key=lambda p: (rate_of(p), p["name"]))[:3]]
        rows = [r[1:] for r in answers["products_by_dropoff"] if r[0] == step]
        assert [r[1] for r in rows if r[0] == "most"] == most
        assert sorted(r[1] for r in rows if r[0] == "least") == sorted(least)
    conversion = {name: rate for name, _, _, rate in answers["conversion_by_product"]}
    assert conversion == pytest.approx(
        {p["name"]: p["purchase_sessions"] / p["page_view_sessions"] for p in products}
    )


def test_customer_and_operations_questions(answers, facts):
    assert [n for _, n in answers["users_by_order_count"]] == facts["users"][
        "users_with_1_2_3plus_orders"
    ]
    ((repeat, buyers, rate),) = answers["repeat_rate"]
    assert (repeat, buyers, round(rate, 6)) == (99, 124, facts["users"]["repeat_rate"])
    ((hours, per_hour),) = answers["orders_per_hour"]
    assert (hours, round(per_hour, 6)) == (48, facts["orders"]["avg_orders_per_hour"])
    ((delivered, avg_hours, _),) = answers["average_delivery_time"]
    assert (delivered, round(avg_hours, 6)) == (305, facts["orders"]["avg_delivery_hours"])
