"""The records the published week is planned in: sessions, and the orders checked out in them.

A session collects what it views and adds while the planners deal out the published counts;
`events.py` then turns each into its rows. An order's checkout session carries the order, so
its events can be timed around it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class PlacedOrder:
    """An order as its session sees it: what was bought, when, and when it shipped."""

    order_id: str
    created_at: datetime
    status: str
    basket: list[str]  # product ids, in the basket's order
    shipped_at: datetime | None = None


@dataclass
class Session:
    session_id: str
    user_id: str
    viewed: list[str] = field(default_factory=list)  # product ids, in browsing order
    added: set[str] = field(default_factory=set)
    repeat_views: set[str] = field(default_factory=set)  # products viewed a second time
    repeat_add: str | None = None  # a product added twice
    order: PlacedOrder | None = None  # the order checked out in this session

    def add_view(self, product_id: str) -> None:
        if product_id not in self.viewed:
            self.viewed.append(product_id)

    def add_to_cart(self, product_id: str) -> None:
        """View the product (if not yet) and add it to the cart."""
        self.add_view(product_id)
        self.added.add(product_id)

    def steps(self) -> list[tuple[str, str]]:
        """The session's page views and adds, in browsing order: (event type, product id)."""
        steps = []
        for product_id in self.viewed:
            steps.append(("page_view", product_id))
            if product_id in self.repeat_views:
                steps.append(("page_view", product_id))
            if product_id in self.added:
                steps.append(("add_to_cart", product_id))
                if self.repeat_add == product_id:
                    steps.append(("add_to_cart", product_id))
        return steps
