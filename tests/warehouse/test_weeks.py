"""The multi-week history: the published week kept exactly, earlier weeks that vary like a shop."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from dbt_helpers import MARTS, scalar
from greenery.warehouse import database, datasets, sample, weeks
from greenery.warehouse.facts import RAW_TABLES

PUBLISHED = "2021-02-08"


def test_one_week_is_the_published_dataset():
    assert weeks.history(42, 1) == sample.generate(42)


#: sha256 of every generated row (table by table, each row's repr) as the generator wrote them
#: before it was split into planners with named records: the split changed no byte, and any
#: change to the sample (a draw, a name, a list's order) shows here first.
ROWS_SHA256 = {
    (42, 1): "ddd0edcd05a4a1c0d785a36ff2488a86b2c08e6a9f9697c220e747746fa05767",
    (7, 1): "25f1439898804775c9be32131b061cb807ea7c5c9ab6acb5a9dbdcb1c33c7528",
    (42, 13): "2ba8dfbec67375ece16e72b9cfdbae664c467a2c6cb28e3f5d245957516c738a",
}


def rows_sha256(tables: dict[str, list[tuple]]) -> str:
    digest = hashlib.sha256()
    for table in sorted(tables):
        digest.update(table.encode())
        for row in tables[table]:
            digest.update(repr(tuple(row)).encode() + b"\n")
    return digest.hexdigest()


@pytest.mark.parametrize(("seed", "n_weeks"), sorted(ROWS_SHA256))
def test_the_same_rows_as_before_the_generator_was_split(seed, n_weeks):
    assert rows_sha256(weeks.history(seed, n_weeks)) == ROWS_SHA256[(seed, n_weeks)]


def test_same_seed_and_weeks_same_rows_other_seed_other_rows():
    assert weeks.history(42, 4) == weeks.history(42, 4)
    assert weeks.history(7, 4)["events"] != weeks.history(42, 4)["events"]


def test_every_row_of_the_published_week_is_kept():
    published = sample.generate(42)
    history = weeks.history(42, 6)
    for table in RAW_TABLES:
        assert history[table][-len(published[table]) :] == published[table], table
    assert len(history["events"]) > 5 * len(published["events"])


def test_week_plans_show_the_calendar():
    plans = {p.start.date(): p for p in weeks.plans(42, 53)}
    assert len(plans) == 52
    assert min(plans) == date(2020, 2, 10) and max(plans) == date(2021, 2, 1)
    assert plans[date(2020, 11, 23)].label == "Black Friday"
    assert plans[date(2020, 11, 23)].traffic.campaign_promo == "leverage"
    assert plans[date(2020, 12, 21)].label == "Christmas"
    # the Black Friday rush is the busiest week, Christmas quieter than the weeks around it
    busiest = max(plans.values(), key=lambda p: p.traffic.sessions)
    assert busiest.label == "Black Friday"
    christmas = plans[date(2020, 12, 21)].traffic.sessions
    assert christmas < plans[date(2020, 12, 14)].traffic.sessions
    assert christmas < plans[date(2021, 1, 4)].traffic.sessions
    with_bots = [p for p in plans.values() if p.traffic.bot_sessions]
    assert 0 < len(with_bots) < len(plans) / 2


def test_rejects_no_weeks():
    with pytest.raises(ValueError, match="weeks"):
        weeks.history(42, 0)


# ---------------------------------------------------------------------------- in the marts
@pytest.fixture(scope="module")
def funnel(quarter_built):
    with database.connect(quarter_built) as con:
        rows = con.execute(f"select * from {MARTS}.f_weekly_sales_funnel order by wk").fetchall()
        columns = [d[0] for d in con.description]
    return [dict(zip(columns, row, strict=True)) for row in rows]


def test_a_quarter_gives_thirteen_weekly_rows(funnel):
    assert len(funnel) == 13
    assert str(funnel[0]["wk"]) == "2020-11-16" and str(funnel[-1]["wk"]) == PUBLISHED


def test_published_week_keeps_the_published_funnel(funnel, facts):
    week = next(r for r in funnel if str(r["wk"]) == PUBLISHED)
    expected = facts["funnel_week_2021_02_08"]
    for key in (
        "n_sessions",
        "n_page_view_sessions",
        "n_add_to_cart_sessions",
        "n_checkout_sessions",
        "n_package_shipped_sessions",
    ):
        assert week[key] == expected[key[2:]], key
    for key in ("add_to_cart_rate", "cart_to_checkout_rate", "overall_conversion_rate"):
        assert week[key] == pytest.approx(expected[key], abs=1e-6)


def test_published_week_keeps_every_product(quarter_built, facts):
    with database.connect(quarter_built) as con:
        rows = con.execute(
            f"select product_id, n_page_view_sessions, n_add_to_cart_sessions, "
            f"n_checkout_sessions from {MARTS}.f_weekly_product_sales_funnel "
            f"where wk = date '{PUBLISHED}'"
        ).fetchall()
    steps = ("page_view_sessions", "add_to_cart_sessions", "purchase_sessions")
    expected = {p["product_id"]: tuple(p[s] for s in steps) for p in facts["products"]}
    assert {r[0]: tuple(r[1:]) for r in rows} == expected


def test_other_weeks_differ_and_stay_realistic(funnel):
    earlier = [r for r in funnel if str(r["wk"]) != PUBLISHED]
    shapes = {
        (r["n_sessions"], r["n_add_to_cart_sessions"], r["n_checkout_sessions"]) for r in funnel
    }
    assert len(shapes) == 13  # every week differs from the published one and from each other
    for r in earlier:
        assert 200 <= r["n_sessions"] <= 1500, r
        assert 0.4 <= r["add_to_cart_rate"] <= 0.95, r
        assert 0.5 <= r["cart_to_checkout_rate"] <= 0.97, r
        assert 0.2 <= r["overall_conversion_rate"] <= 0.9, r
    rates = [r["overall_conversion_rate"] for r in earlier]
    assert max(rates) - min(rates) > 0.05  # conversion drifts


def test_history_has_bots_promos_statuses_and_a_moving_mix(quarter_built):
    with database.connect(quarter_built) as con:
        bot_weeks = scalar(
            con,
            "select count(distinct week) from (select user_id, date_trunc('week', created_at) "
            "as week from raw.events group by all having count(distinct session_id) >= 50)",
        )
        statuses = {s for (s,) in con.execute("select distinct status from raw.orders").fetchall()}
        campaign = con.execute(
            "select date_trunc('week', created_at)::date, count(*) filter "
            "(where promo_id = 'leverage') / count(*) from raw.orders group by 1 order by 2 desc "
            "limit 1"
        ).fetchone()
        leaders = con.execute(
            f"select wk, arg_max(product_id, n_page_view_sessions) from "
            f"{MARTS}.f_weekly_product_sales_funnel group by wk"
        ).fetchall()
    assert 1 <= bot_weeks < 13
    assert statuses == {"preparing", "shipped", "delivered"}
    assert str(campaign[0]) == "2020-11-23" and campaign[1] > 0.3
    assert len({product for _, product in leaders}) > 2  # the most viewed product changes


# ------------------------------------------------------- bots, days and states over history
STEP_COUNTS = [
    f"n_{human}{step}sessions"
    for human in ("", "human_")
    for step in ("", "page_view_", "add_to_cart_", "checkout_", "package_shipped_")
]


def test_the_bot_rule_flags_every_bot_episode_the_generator_planned(quarter_built):
    planned = {
        p.start.date(): p.traffic.bot_sessions
        for p in weeks.plans(42, datasets.DEFAULT_WEEKS)
        if p.traffic.bot_sessions
    }
    planned[date(2021, 2, 8)] = 217  # the published week's own bot (the facts' 219 - 2 bought)
    with database.connect(quarter_built) as con:
        flagged = dict(
            con.execute(
                f"select wk, n_suspected_bot_sessions from {MARTS}.f_weekly_sales_funnel "
                f"where n_suspected_bot_sessions > 0"
            ).fetchall()
        )
        bot_users = scalar(con, f"select count(*) from {MARTS}.dim_users where is_suspected_bot")
    assert flagged == planned
    assert bot_users == len(planned)


def test_a_weeks_days_add_up_to_the_week(quarter_built):
    sums = ", ".join(f"sum({c})" for c in STEP_COUNTS)
    columns = ", ".join(STEP_COUNTS)
    with database.connect(quarter_built) as con:
        weekly = con.execute(f"select wk, {columns} from {MARTS}.f_weekly_sales_funnel").fetchall()
        daily = con.execute(
            f"select wk, {sums} from {MARTS}.f_daily_sales_funnel group by wk"
        ).fetchall()
        days = scalar(con, f"select count(*) from {MARTS}.f_daily_sales_funnel")
    assert sorted(weekly) == sorted(daily)
    assert len(weekly) == 13 and days > 80


def test_a_products_days_add_up_to_its_week(quarter_built):
    counts = [
        f"n_{human}{step}_sessions"
        for human in ("", "human_")
        for step in ("page_view", "add_to_cart", "checkout", "package_shipped")
    ]
    sums = ", ".join(f"sum({c})" for c in counts)
    with database.connect(quarter_built) as con:
        weekly = con.execute(
            f"select wk, product_id, {', '.join(counts)} from {MARTS}.f_weekly_product_sales_funnel"
        ).fetchall()
        daily = con.execute(
            f"select wk, product_id, {sums} from {MARTS}.f_daily_product_sales_funnel "
            f"group by wk, product_id"
        ).fetchall()
    assert sorted(weekly) == sorted(daily)
    assert len(weekly) > 13 * 25


def test_the_states_add_up_to_the_day_and_regions_cover_them(quarter_built):
    sums = ", ".join(f"sum({c})" for c in STEP_COUNTS)
    columns = ", ".join(STEP_COUNTS)
    with database.connect(quarter_built) as con:
        daily = con.execute(
            f"select session_date, {columns} from {MARTS}.f_daily_sales_funnel"
        ).fetchall()
        by_state = con.execute(
            f"select session_date, {sums} from {MARTS}.f_daily_state_sales_funnel "
            f"group by session_date"
        ).fetchall()
        regions = {
            r
            for (r,) in con.execute(
                f"select distinct region from {MARTS}.f_daily_state_sales_funnel"
            ).fetchall()
        }
        states = scalar(
            con, f"select count(distinct state) from {MARTS}.f_daily_state_sales_funnel"
        )
        unmatched = scalar(
            con,
            f"select count(*) from {MARTS}.dim_users where state is not null and region is null",
        )
    assert sorted(daily) == sorted(by_state)
    assert regions == {"Northeast", "Midwest", "South", "West"}
    assert states > 30 and unmatched == 0
