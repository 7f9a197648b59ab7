"""The published week's events: each session's views and adds in time, then checkout and
shipment.

A checkout session browses for a while before its checkout, a few seconds before its order;
exactly SESSIONS_CROSSING_AN_HOUR of them start in the hour before their checkout's, as
published. The bot's sessions all fall in one five-minute burst, a few seconds a step.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from greenery.warehouse.rows import EventRow, event_row, random_uuid
from greenery.warehouse.sample.draws import seconds
from greenery.warehouse.sample.sessions import PlacedOrder, Session

BOT_WINDOW_START = datetime(2021, 2, 11, 14, 20, 0)
BOT_WINDOW_SECONDS = 239
FIRST_SESSION_START = datetime(2021, 2, 9, 23, 55, 8)
SESSIONS_CROSSING_AN_HOUR = 34  # 947 = 578 sessions + 335 shipped hours + 34 crossings
MAX_BROWSE = timedelta(minutes=30)
MIN_BROWSE = timedelta(seconds=60)


def plan_events(rng: random.Random, sessions: list[Session]) -> list[EventRow]:
    """Every session's events, ordered by time (then id)."""
    buyers = [(s, s.order) for s in sessions if s.order]
    checkouts = [order.created_at - seconds(rng, 1, 5) for _, order in buyers]
    durations = browse_durations(rng, checkouts)
    rows: list[EventRow] = []
    for (session, order), checkout, duration in zip(buyers, checkouts, durations, strict=True):
        rows += checkout_events(rng, session, order, checkout - duration, checkout)
    for session in sessions:
        if not session.order:
            rows += burst_events(rng, session)
    rows.sort(key=lambda r: (r.created_at, r.event_id))
    return rows


def browse_durations(rng: random.Random, checkouts: list[datetime]) -> list[timedelta]:
    """How long each buyer browsed before checking out.

    Exactly SESSIONS_CROSSING_AN_HOUR sessions start in the hour before their checkout (the
    very first session, those whose checkout is too close to the hour, and a random few).
    """
    offsets = [c - c.replace(minute=0, second=0) for c in checkouts]
    first = checkouts.index(min(checkouts))
    crossing = {first} | {i for i, o in enumerate(offsets) if o < MIN_BROWSE}
    optional = [
        i
        for i, o in enumerate(offsets)
        if i not in crossing
        and o < MAX_BROWSE - MIN_BROWSE
        and checkouts[i] - MAX_BROWSE > FIRST_SESSION_START
    ]
    crossing |= set(rng.sample(optional, SESSIONS_CROSSING_AN_HOUR - len(crossing)))
    durations = []
    for i, (checkout, offset) in enumerate(zip(checkouts, offsets, strict=True)):
        if i == first:
            durations.append(checkout - FIRST_SESSION_START)
        elif i in crossing:
            durations.append(offset + seconds(rng, 1, (MAX_BROWSE - offset).total_seconds()))
        else:
            longest = min(offset, MAX_BROWSE).total_seconds()
            durations.append(seconds(rng, MIN_BROWSE.total_seconds(), longest))
    return durations


def checkout_events(
    rng: random.Random, session: Session, order: PlacedOrder, start: datetime, checkout: datetime
) -> list[EventRow]:
    """Views and adds spread from `start`, the checkout, and the shipment if it shipped."""
    steps = session.steps()
    times = spread(rng, start, checkout, len(steps))
    rows = [event(rng, session, kind, ref, t) for (kind, ref), t in zip(steps, times, strict=True)]
    rows.append(event(rng, session, "checkout", order.order_id, checkout))
    if order.shipped_at:
        rows.append(event(rng, session, "package_shipped", order.order_id, order.shipped_at))
    return rows


def burst_events(rng: random.Random, session: Session) -> list[EventRow]:
    """A bot session: its steps a few seconds apart, starting inside the bot's burst."""
    at = BOT_WINDOW_START + seconds(rng, 0, BOT_WINDOW_SECONDS)
    rows = []
    for kind, ref in session.steps():
        rows.append(event(rng, session, kind, ref, at))
        at += seconds(rng, 1, 5)
    return rows


def spread(rng: random.Random, start: datetime, end: datetime, n: int) -> list[datetime]:
    """n sorted times in [start, end), the first exactly at start."""
    width = max(int((end - start).total_seconds()) - 1, 0)
    inner = sorted(rng.randint(0, width) for _ in range(n - 1))
    return [start] + [start + timedelta(seconds=x) for x in inner]


def event(rng: random.Random, session: Session, kind: str, ref: str, at: datetime) -> EventRow:
    return event_row(random_uuid(rng), session.session_id, session.user_id, kind, ref, at)
