"""A small synthetic warehouse with the analyst marts of /work/specs/analyst_marts.md (issue #10).

Sessions are drawn at random (seeded), then every mart is derived from them with SQL, so the marts
agree with each other as the real ones do: five weeks of days, a handful of states in every
region (and 'Unknown'), six products, inventory snapshots with stock-outs, and suspected-bot
sessions that rarely go past a page view. Only the tables and columns the report reads are made.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

SCHEMA = "dev_marts"
FIRST_DAY = date(2021, 1, 11)  # a Monday
N_DAYS = 35  # five whole weeks: the latest is the week of 2021-02-08
STATES = (
    ("California", "CA", "West"),
    ("Oregon", "OR", "West"),
    ("New York", "NY", "Northeast"),
    ("Texas", "TX", "South"),
    ("Florida", "FL", "South"),
    ("Ohio", "OH", "Midwest"),
    ("Unknown", None, "Unknown"),
)
PRODUCTS = (
    ("p-monstera", "Monstera"),
    ("p-pothos", "Pothos"),
    ("p-fern", "Boston Fern"),
    ("p-cactus", "Cactus"),
    ("p-orchid", "Orchid"),
    ("p-snake", "Snake Plant"),
)
STEPS = ("page_view", "add_to_cart", "checkout", "package_shipped")


@dataclass(frozen=True)
class Session:
    session_id: str
    user_id: str
    started_at: datetime
    state: tuple[str, str | None, str]
    is_bot: bool
    steps: tuple[bool, bool, bool, bool]
    products: tuple[tuple[str, tuple[bool, bool, bool, bool]], ...]


def draw_session(rng: random.Random, n: int, day: date) -> Session:
    is_bot = rng.random() < 0.15
    viewed = rng.random() < 0.95
    added = viewed and rng.random() < (0.1 if is_bot else 0.55)
    checked_out = added and rng.random() < (0.2 if is_bot else 0.6)
    shipped = checked_out and rng.random() < 0.75
    steps = (viewed, added, checked_out, shipped)
    products = []
    if viewed:
        for product_id, _ in rng.sample(PRODUCTS, rng.randint(1, 3)):
            p_added = added and rng.random() < 0.7
            p_checked = p_added and checked_out
            products.append((product_id, (True, p_added, p_checked, p_checked and shipped)))
    started = datetime.combine(day, datetime.min.time()) + timedelta(minutes=rng.randrange(1440))
    return Session(
        session_id=f"s{n:05d}",
        user_id=f"u{rng.randrange(300):03d}",
        started_at=started,
        state=rng.choice(STATES),
        is_bot=is_bot,
        steps=steps,
        products=tuple(products),
    )


def draw_sessions(seed: int) -> list[Session]:
    rng = random.Random(seed)
    sessions = []
    for offset in range(N_DAYS):
        day = FIRST_DAY + timedelta(days=offset)
        for _ in range(rng.randint(15, 35)):
            sessions.append(draw_session(rng, len(sessions), day))
    return sessions


def counts(prefix: str, condition: str, steps: tuple[str, ...] = STEPS) -> str:
    """Sessions reaching each step (`condition` narrows them, e.g. to humans)."""
    columns = [
        f"count(distinct case when {condition} and has_{step} then session_id end)"
        f" as n_{prefix}{step}_sessions"
        for step in steps
    ]
    return ",\n".join(columns)


def ratio(num: str, den: str) -> str:
    return f"case when {den} = 0 then null else {num} * 1.0 / {den} end"


def session_rates(h: str) -> str:
    """The rates and drop-offs of the session funnels; `h` is '' or 'human_'."""
    pv, atc = f"n_{h}page_view_sessions", f"n_{h}add_to_cart_sessions"
    co, shipped = f"n_{h}checkout_sessions", f"n_{h}package_shipped_sessions"
    sessions = f"n_{h}sessions"
    pairs = {
        "add_to_cart_rate": (atc, pv),
        "cart_to_checkout_rate": (co, atc),
        "checkout_to_shipped_rate": (shipped, co),
        "overall_conversion_rate": (co, sessions),
    }
    columns = [f"{ratio(n, d)} as {h}{name}" for name, (n, d) in pairs.items()]
    columns += [
        f"1 - {ratio(atc, pv)} as {h}add_to_cart_dropoff",
        f"1 - {ratio(co, atc)} as {h}checkout_dropoff",
        f"1 - {ratio(shipped, co)} as {h}package_shipped_dropoff",
    ]
    return ",\n".join(columns)


def product_rates(h: str) -> str:
    pv, atc, co = (
        f"n_{h}page_view_sessions",
        f"n_{h}add_to_cart_sessions",
        f"n_{h}checkout_sessions",
    )
    return ",\n".join(
        [
            f"{ratio(atc, pv)} as {h}add_to_cart_rate",
            f"{ratio(co, atc)} as {h}checkout_rate",
            f"{ratio(co, pv)} as {h}conversion_rate",
            f"1 - {ratio(atc, pv)} as {h}add_to_cart_dropoff",
            f"1 - {ratio(co, atc)} as {h}checkout_dropoff",
        ]
    )


def session_funnel(keys: str) -> str:
    """A session funnel mart grouped by `keys`, from fct_funnel_sessions."""
    return f"""
        select *,
            n_sessions - n_human_sessions as n_suspected_bot_sessions,
            {session_rates("")},
            {session_rates("human_")}
        from (
            select {keys},
                count(*) as n_sessions,
                {counts("", "true")},
                count(case when not is_suspected_bot then 1 end) as n_human_sessions,
                {counts("human_", "not is_suspected_bot")}
            from {SCHEMA}.fct_funnel_sessions
            group by all
        )
    """


def product_funnel(keys: str) -> str:
    return f"""
        select *, {product_rates("")}, {product_rates("human_")}
        from (
            select {keys}, product_id, product_name,
                {counts("", "true")},
                {counts("human_", "not is_suspected_bot")}
            from {SCHEMA}.session_products
            group by all
        )
    """


def create_sessions(con: duckdb.DuckDBPyConnection, sessions: list[Session]) -> None:
    con.execute(
        f"""create table {SCHEMA}.fct_funnel_sessions (
            session_id varchar, user_id varchar, session_started_at timestamp,
            session_date date, session_week date, state varchar, state_code varchar,
            region varchar, has_page_view boolean, has_add_to_cart boolean,
            has_checkout boolean, has_package_shipped boolean, is_suspected_bot boolean)"""
    )
    con.executemany(
        f"insert into {SCHEMA}.fct_funnel_sessions values "
        "(?, ?, ?, ?, date_trunc('week', ?::date), ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (s.session_id, s.user_id, s.started_at, s.started_at.date(), s.started_at.date())
            + s.state
            + s.steps
            + (s.is_bot,)
            for s in sessions
        ],
    )
    names = dict(PRODUCTS)
    con.execute(
        "create temp table product_steps (session_id varchar, product_id varchar, "
        "product_name varchar, viewed boolean, added boolean, checked_out boolean, "
        "shipped boolean)"
    )
    con.executemany(
        "insert into product_steps values (?, ?, ?, ?, ?, ?, ?)",
        [
            (s.session_id, product_id, names[product_id], *steps)
            for s in sessions
            for product_id, steps in s.products
        ],
    )
    con.execute(
        f"""create temp table session_products as
        select s.session_id, s.session_date, s.session_week as wk, s.is_suspected_bot,
            p.product_id, p.product_name, p.viewed as has_page_view,
            p.added as has_add_to_cart, p.checked_out as has_checkout,
            p.shipped as has_package_shipped
        from product_steps p join {SCHEMA}.fct_funnel_sessions s using (session_id)"""
    )


def create_marts(con: duckdb.DuckDBPyConnection) -> None:
    sessions = f"(select *, session_week as wk from {SCHEMA}.fct_funnel_sessions)"
    marts = {
        "f_weekly_sales_funnel": session_funnel("wk").replace(
            f"{SCHEMA}.fct_funnel_sessions", sessions
        ),
        "f_daily_sales_funnel": session_funnel("session_date, wk").replace(
            f"{SCHEMA}.fct_funnel_sessions", sessions
        ),
        "f_daily_state_sales_funnel": session_funnel(
            "session_date, wk, state, state_code, region"
        ).replace(f"{SCHEMA}.fct_funnel_sessions", sessions),
        "f_weekly_product_sales_funnel": product_funnel("wk").replace(
            f"{SCHEMA}.session_products", "session_products"
        ),
        "f_daily_product_sales_funnel": product_funnel("session_date, wk").replace(
            f"{SCHEMA}.session_products", "session_products"
        ),
    }
    for name, sql in marts.items():
        con.execute(f"create table {SCHEMA}.{name} as {sql}")


def create_inventory(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    """Weekly inventory snapshots; the cactus runs out in the fourth week, the orchid twice."""
    rng = random.Random(seed + 1)
    rows = []
    for product_index, (product_id, name) in enumerate(PRODUCTS):
        previous = None
        for week_number in range(1, N_DAYS // 7 + 1):
            week = FIRST_DAY + timedelta(weeks=week_number - 1)
            inventory = rng.randint(0, 40)
            if name == "Cactus":
                inventory = 0 if week_number >= 4 else inventory
            if name == "Orchid" and week_number in (2, 3):
                inventory = 0
            as_of = datetime.combine(week + timedelta(days=6), datetime.max.time())
            change = None if previous is None else inventory - previous
            rows.append(
                (week_number, week, as_of, product_id, name, 10.0 + product_index)
                + (inventory, previous, change, inventory == 0)
            )
            previous = inventory
    con.execute(
        f"""create table {SCHEMA}.fct_product_inventory_weekly (
            week_number bigint, snapshot_week date, as_of timestamp, product_id varchar,
            product_name varchar, price double, inventory integer, previous_inventory integer,
            inventory_change integer, is_out_of_stock boolean)"""
    )
    con.executemany(
        f"insert into {SCHEMA}.fct_product_inventory_weekly values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def create_status_flow(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    """Orders moving on, week by week: preparing -> shipped, then shipped -> delivered."""
    rng = random.Random(seed + 2)
    rows = []
    for week_number in range(N_DAYS // 7):
        week = FIRST_DAY + timedelta(weeks=week_number)
        rows.append((week, "preparing", "shipped", "preparing -> shipped", rng.randint(5, 30)))
        if week_number:
            rows.append((week, "shipped", "delivered", "shipped -> delivered", rng.randint(5, 30)))
    con.execute(
        f"""create table {SCHEMA}.fct_order_status_transitions_weekly (
            wk date, previous_status varchar, status varchar, transition varchar,
            n_orders integer)"""
    )
    con.executemany(
        f"insert into {SCHEMA}.fct_order_status_transitions_weekly values (?, ?, ?, ?, ?)", rows
    )


def make_warehouse(path: Path, seed: int = 10) -> Path:
    """Write the synthetic marts into a new DuckDB file at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute(f"create schema {SCHEMA}")
        create_sessions(con, draw_sessions(seed))
        create_marts(con)
        create_inventory(con, seed)
        create_status_flow(con, seed)
    return path


if __name__ == "__main__":
    import sys

    print(make_warehouse(Path(sys.argv[1])))
