"""The published week's browsing beyond the purchases: the bot's sessions, and every view and
add the published per-product counts ask for.

The checkout sessions view and add exactly what they buy. What is left of each product's
published sessions and events is dealt out here: adds beyond purchases to the bot's adding
sessions, views without an add to its viewing sessions and then to any session, second views of
a product, and second adds.
"""

from __future__ import annotations

import random
from typing import Any

from greenery.warehouse.rows import UserRow, random_uuid
from greenery.warehouse.sample.draws import deck
from greenery.warehouse.sample.sessions import Session


def plan_browsing(
    rng: random.Random, facts: dict[str, Any], checkouts: list[Session], bot: UserRow
) -> list[Session]:
    """The checkout sessions and the bot's, with all the published views and adds dealt out."""
    products = facts["products"]
    sessions_by_type = facts["events"]["sessions_by_type"]
    adders = bot_sessions(rng, bot, sessions_by_type["add_to_cart"] - len(checkouts))
    viewers = bot_sessions(
        rng, bot, sessions_by_type["page_view"] - sessions_by_type["add_to_cart"]
    )
    everyone = checkouts + adders + viewers
    extra_adds = {
        p["product_id"]: p["add_to_cart_sessions"] - p["purchase_sessions"] for p in products
    }
    deal_adds(rng, adders, deck(rng, extra_adds))
    extra_views = {
        p["product_id"]: p["page_view_sessions"] - p["add_to_cart_sessions"] for p in products
    }
    deal_views(rng, viewers, everyone, deck(rng, extra_views))
    plan_repeat_views(rng, products, everyone)
    extra_add_events = facts["events"]["by_type"]["add_to_cart"] - sum(
        p["add_to_cart_sessions"] for p in products
    )
    plan_repeat_adds(rng, checkouts, extra_add_events)
    return everyone


def bot_sessions(rng: random.Random, bot: UserRow, n: int) -> list[Session]:
    return [Session(random_uuid(rng), bot.user_id) for _ in range(n)]


def deal_adds(rng: random.Random, adders: list[Session], cards: list[str]) -> None:
    """One add to each adding session first, the rest anywhere among them (once a product)."""
    for session, product_id in zip(adders, cards, strict=False):
        session.add_to_cart(product_id)
    for product_id in cards[len(adders) :]:
        rng.choice([s for s in adders if product_id not in s.added]).add_to_cart(product_id)


def deal_views(
    rng: random.Random, viewers: list[Session], everyone: list[Session], cards: list[str]
) -> None:
    """One view to each view-only session first, the rest to any session that has not seen the
    product, at a random place in its browsing."""
    for session, product_id in zip(viewers, cards, strict=False):
        session.add_view(product_id)
    for product_id in cards[len(viewers) :]:
        while product_id in (session := rng.choice(everyone)).viewed:
            pass
        session.add_view(product_id)
        session.viewed.insert(rng.randrange(len(session.viewed)), session.viewed.pop())


def plan_repeat_views(
    rng: random.Random, products: list[dict[str, Any]], everyone: list[Session]
) -> None:
    """Second views of a product within a session: its published events beyond its sessions."""
    for product in products:
        product_id = product["product_id"]
        viewers = [s for s in everyone if product_id in s.viewed]
        repeats = product["page_view_events"] - product["page_view_sessions"]
        for session in rng.sample(viewers, repeats):
            session.repeat_views.add(product_id)


def plan_repeat_adds(rng: random.Random, checkouts: list[Session], n: int) -> None:
    """A product added twice in `n` checkout sessions: the published add events beyond the adds."""
    for session in rng.sample(checkouts, n):
        session.repeat_add = rng.choice(sorted(session.added))
