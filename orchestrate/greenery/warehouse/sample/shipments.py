"""When the published week's orders ship: 2 to 9 hours after the order, every night hour busy.

The published events end with a shipment 9 hours after the last order, and every hour until
then has an event: the night hours, when nobody browses, are filled by shipments.
"""

from __future__ import annotations

import random
from datetime import timedelta

from greenery.warehouse.sample.draws import seconds
from greenery.warehouse.sample.sessions import PlacedOrder

NIGHT_HOURS = 8


def plan_shipments(rng: random.Random, orders: list[PlacedOrder]) -> None:
    """package_shipped comes 2 to 9 hours after the order, and fills the night hours."""
    for order in orders:
        if order.status != "preparing":
            order.shipped_at = order.created_at + seconds(rng, 2 * 3600, 9 * 3600)
    last = max(orders, key=lambda o: o.created_at)
    last.shipped_at = last.created_at + timedelta(hours=9)  # the last event published
    fill_night_hours(rng, orders, last)


def fill_night_hours(rng: random.Random, orders: list[PlacedOrder], last: PlacedOrder) -> None:
    """Every hour of the night until the last shipment has an event: for each, the latest
    order that can still ship in it does."""
    night = last.created_at.replace(hour=0, minute=0, second=0) + timedelta(days=1)
    used = {id(last)}
    latest_first = sorted(orders, key=lambda o: o.created_at, reverse=True)
    for h in range(NIGHT_HOURS):
        hour = night + timedelta(hours=h)
        for order in latest_first:
            low = max(order.created_at + timedelta(hours=2), hour)
            high = min(order.created_at + timedelta(hours=9), hour + timedelta(seconds=3599))
            if order.status != "preparing" and id(order) not in used and low <= high:
                order.shipped_at = low + seconds(rng, 0, (high - low).total_seconds())
                used.add(id(order))
                break
