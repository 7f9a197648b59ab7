"""Who greenery's customers are and where they live: the published week's addresses and users.

The published figures fix how many addresses there are, over how many states, and how many
users share a home; the draws only decide which address is whose.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from greenery.warehouse.names import names, phone_number, street_address
from greenery.warehouse.rows import AddressRow, UserRow, random_uuid
from greenery.warehouse.sample.draws import seconds

#: How many homes are shared by 1, 2, 3 and 4 users (130 users in 89 homes).
HOME_SHARING = {1: 60, 2: 20, 3: 6, 4: 3}
#: Share of profiles edited after the event window.
LATE_EDIT_SHARE = 0.15
DAY_SECONDS = 86399


def plan_addresses(rng: random.Random, facts: dict[str, Any]) -> list[AddressRow]:
    """The published number of addresses, over exactly the published number of states."""
    country = facts["addresses"]["country"]
    return [address(rng, state, country) for state in address_states(rng, facts)]


def address_states(rng: random.Random, facts: dict[str, Any]) -> list[str]:
    """The state of each address: every New England state (whose zip codes lose a leading 0 as
    numbers, a published shape) and other states up to the published count."""
    places = names()
    n = facts["source_schema"]["addresses"]["rows"]
    n_states = facts["addresses"]["distinct_states"]
    others = rng.sample(sorted(places.state_zips), n_states - len(places.new_england_zips))
    states = list(places.new_england_zips) + others
    states += [rng.choice(others) for _ in range(n - len(states))]
    rng.shuffle(states)
    return states


def address(rng: random.Random, state: str, country: str) -> AddressRow:
    places = names()
    if state in places.new_england_zips:
        zipcode = places.new_england_zips[state]
    else:
        zipcode = rng.randint(*places.state_zips[state])
    street = street_address(rng)
    return AddressRow(random_uuid(rng), street, zipcode, state, country)


@dataclass(frozen=True)
class SignUps:
    """When the users signed up, and when the event window ends (some edit later)."""

    first_day: datetime
    last_day: datetime
    events_end: datetime

    @classmethod
    def of(cls, facts: dict[str, Any]) -> SignUps:
        first, last = (datetime.fromisoformat(d) for d in facts["users"]["created_at_range"])
        events_end = datetime.fromisoformat(facts["events"]["created_at_range"][1])
        return cls(first, last, events_end)

    def created(self, rng: random.Random, i: int) -> datetime:
        """The first user signs up on the first day, the second on the last, the rest any day."""
        if i == 0:
            return self.first_day + seconds(rng, 0, DAY_SECONDS)
        if i == 1:
            return self.last_day + seconds(rng, 0, DAY_SECONDS)
        span = int((self.last_day - self.first_day).total_seconds()) + DAY_SECONDS
        return self.first_day + seconds(rng, 0, span)

    def updated(self, rng: random.Random, created: datetime) -> datetime:
        if rng.random() < LATE_EDIT_SHARE:
            return self.events_end + seconds(rng, 3600, 40 * 86400)
        return created + seconds(rng, 0, 30 * 86400)


def plan_users(
    rng: random.Random, facts: dict[str, Any], addresses: list[AddressRow]
) -> list[UserRow]:
    """The published number of users, in random order, living in the homes HOME_SHARING says."""
    signups = SignUps.of(facts)
    return [user(rng, i, home, signups) for i, home in enumerate(homes_of_users(rng, addresses))]


def homes_of_users(rng: random.Random, addresses: list[AddressRow]) -> list[str]:
    """The home address of each user: some homes have one user, some up to four."""
    homes = iter(rng.sample([a.address_id for a in addresses], sum(HOME_SHARING.values())))
    home_of_user = [
        home
        for sharing, n in HOME_SHARING.items()
        for _ in range(n)
        for home in [next(homes)] * sharing
    ]
    rng.shuffle(home_of_user)
    return home_of_user


def user(rng: random.Random, i: int, home: str, signups: SignUps) -> UserRow:
    places = names()
    first_name = rng.choice(places.first_names)
    last_name = rng.choice(places.last_names)
    created = signups.created(rng, i)
    updated = signups.updated(rng, created)
    email = f"{first_name[0]}{last_name}{i + 1}@{rng.choice(places.email_domains)}".lower()
    phone = phone_number(rng)
    return UserRow(random_uuid(rng), first_name, last_name, email, phone, created, updated, home)
