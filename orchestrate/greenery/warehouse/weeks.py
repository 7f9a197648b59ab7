"""Greenery's past: the weeks before the published week, so the warehouse has a history.

`history(seed, weeks)` is the published week (exactly `sample.generate(seed)`, every row) plus
`weeks - 1` earlier weeks of activity by the same and new users, simulated (`activity.py`) from
a plan per week that analysts can discover in the marts:

- traffic that grows over the year towards the published week, with a spring peak and a
  summer lull, a Black Friday / Cyber Monday rush, a quiet Christmas and New Year, and a
  Mother's Day bump;
- conversion that drifts from week to week (slow waves plus noise), a little better in
  holiday weeks;
- a product mix that shifts (each product's popularity rises and falls on its own cycle);
- a promo campaign in the Black Friday week (the `leverage` code on ~45 % of orders);
- bot episodes in some weeks and not others (one user, a hundred or more sessions within five
  minutes, never buying);
- orders in the state they are in when the published data was extracted: older orders
  delivered, the latest still shipped.

Each week draws from its own random generator, seeded by the seed and the week, so the same seed
and number of weeks always give the same rows.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from greenery.warehouse import sample
from greenery.warehouse.activity import Activity, Customer, Product, Promo, Simulator, Traffic
from greenery.warehouse.facts import RAW_TABLES, published_facts

PUBLISHED_WEEK = date(2021, 2, 8)  # Monday of the week every published figure describes
BASE_HUMAN_SESSIONS = 700  # a typical week's human sessions at the published week's size
BASE_ADD_TO_CART_RATE = 0.68
BASE_CHECKOUT_RATE = 0.80
CAMPAIGN_PROMO = "leverage"  # the one promo still active
CAMPAIGN_SHARE = 0.45


@dataclass(frozen=True)
class WeekPlan:
    """What one earlier week looks like; `weeks_before` counts back from the published week."""

    weeks_before: int
    start: datetime
    label: str  # the holiday or event of the week, '' for an ordinary week
    traffic: Traffic


def published_now() -> datetime:
    """When the published data was extracted: its newest event."""
    return datetime.fromisoformat(published_facts()["events"]["created_at_range"][1])


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def holiday(start: date) -> tuple[str, float]:
    """The holiday a week holds and its traffic multiplier."""
    end = start + timedelta(days=7)
    thanksgiving = nth_weekday(start.year, 11, 3, 4)
    days = {
        "Black Friday": (thanksgiving + timedelta(days=1), 1.6),
        "Christmas": (date(start.year, 12, 25), 0.7),
        "New Year": (date(start.year, 1, 1), 0.8),
        "Mother's Day": (nth_weekday(start.year, 5, 6, 2), 1.35),
    }
    for label, (day, factor) in days.items():
        for year_day in (day, day.replace(year=day.year + 1)):
            if start <= year_day < end:
                return label, factor
    return "", 1.0


def plan_week(weeks_before: int, rng: random.Random) -> WeekPlan:
    """The plan of the week `weeks_before` weeks before the published one."""
    start = PUBLISHED_WEEK - timedelta(weeks=weeks_before)
    label, holiday_factor = holiday(start)
    trend = max(0.35, 1 - 0.008 * weeks_before)  # the shop grows towards the published week
    season = 1 + 0.2 * math.cos(2 * math.pi * (start.timetuple().tm_yday - 125) / 365)
    noise = math.exp(rng.gauss(0, 0.08))
    sessions = round(BASE_HUMAN_SESSIONS * trend * season * holiday_factor * noise)
    lift = 0.05 if label in ("Black Friday", "Mother's Day") else 0.0
    add_rate = BASE_ADD_TO_CART_RATE + 0.06 * math.sin(weeks_before / 7) + rng.gauss(0, 0.02)
    checkout_rate = BASE_CHECKOUT_RATE + 0.05 * math.cos(weeks_before / 11) + rng.gauss(0, 0.02)
    weights = {}
    for i, product in enumerate(published_facts()["products"]):
        cycle = math.sin(2 * math.pi * weeks_before / (13 + i % 9) + i)
        weights[product["product_id"]] = product["page_view_sessions"] * math.exp(0.35 * cycle)
    bots = weeks_before % 6 == 3 or rng.random() < 0.2
    traffic = Traffic(
        sessions=sessions,
        add_to_cart_rate=min(0.95, max(0.4, add_rate + lift)),
        checkout_rate=min(0.95, max(0.5, checkout_rate + lift)),
        product_weights=weights,
        campaign_promo=CAMPAIGN_PROMO if label == "Black Friday" else None,
        campaign_share=CAMPAIGN_SHARE if label == "Black Friday" else 0.0,
        bot_sessions=rng.randint(90, 260) if bots else 0,
    )
    return WeekPlan(weeks_before, datetime.combine(start, datetime.min.time()), label, traffic)


def week_rng(seed: int, weeks_before: int) -> random.Random:
    return random.Random(f"greenery-week:{seed}:{weeks_before}")


def plans(seed: int, weeks: int) -> list[WeekPlan]:
    """The plans of the earlier weeks, oldest first."""
    return [plan_week(k, week_rng(seed, k)) for k in range(weeks - 1, 0, -1)]


def history(seed: int = 42, weeks: int = 1) -> dict[str, list[NamedTuple]]:
    """The raw tables of `weeks` weeks ending with the published week, rows in column order."""
    if weeks < 1:
        raise ValueError(f"weeks must be a whole number >= 1, got {weeks}")
    published = sample.generate(seed)
    if weeks == 1:
        return published
    customers = [Customer(u.user_id, u.created_at, u.address_id) for u in published["users"]]
    addresses = [a.address_id for a in published["addresses"]]
    products = [Product(p.product_id, float(p.price)) for p in published["products"]]
    promos = [Promo(p.promo_id, int(p.discount)) for p in published["promos"]]
    past = Activity()
    as_of = published_now()
    for plan in plans(seed, weeks):
        simulator = Simulator(
            week_rng(seed, plan.weeks_before), products, promos, addresses, customers
        )
        end = plan.start + timedelta(days=7)
        past.extend(simulator.simulate(plan.start, end, plan.traffic, as_of))
        customers, addresses = simulator.customers, simulator.address_ids
    new_rows: dict[str, list[NamedTuple]] = {
        "addresses": list(past.addresses),
        "users": list(past.users),
        "orders": list(past.orders),
        "order_items": list(past.order_items),
        "events": list(past.events),
    }
    return {table: new_rows.get(table, []) + published[table] for table in RAW_TABLES}
