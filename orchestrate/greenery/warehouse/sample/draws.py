"""The draws every planner of the published week makes from the one random stream.

All planners share one `random.Random`: the order in which they draw is part of the sample, so
`generate` calls them in a fixed order and each draws in a fixed order.
"""

from __future__ import annotations

import random
from collections.abc import Hashable
from datetime import timedelta
from typing import TypeVar

Card = TypeVar("Card", bound=Hashable)


def deck(rng: random.Random, counts: dict[Card, int]) -> list[Card]:
    """Exactly counts[k] cards of each k, shuffled: a published count, by construction."""
    cards = [key for key, n in counts.items() for _ in range(n)]
    rng.shuffle(cards)
    return cards


def seconds(rng: random.Random, low: float, high: float) -> timedelta:
    """A whole number of seconds from `low` to `high`, both included."""
    return timedelta(seconds=rng.randint(int(low), int(high)))
