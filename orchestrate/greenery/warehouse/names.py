"""Invented people and places: first and last names, e-mail domains, streets and zip codes.

The lists are data (`data/names.yml`), not code; the published week (`sample/`) and the
simulated activity (`activity.py`) draw from them. Both make street addresses and phone numbers
the same way, with the draws below.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Names:
    """The building blocks, in the order of the data file (draws depend on it)."""

    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    email_domains: tuple[str, ...]
    streets: tuple[str, ...]
    street_kinds: tuple[str, ...]
    new_england_zips: dict[str, int]  # state -> its zip code, the leading 0 lost
    state_zips: dict[str, tuple[int, int]]  # state -> the range of its zip codes


@cache
def names() -> Names:
    """The data file, parsed."""
    spec = yaml.safe_load(
        resources.files("greenery.warehouse").joinpath("data/names.yml").read_text()
    )
    return Names(
        first_names=tuple(spec["first_names"]),
        last_names=tuple(spec["last_names"]),
        email_domains=tuple(spec["email_domains"]),
        streets=tuple(spec["streets"]),
        street_kinds=tuple(spec["street_kinds"]),
        new_england_zips=dict(spec["new_england_zips"]),
        state_zips={state: (low, high) for state, (low, high) in spec["state_zips"].items()},
    )


def street_address(rng: random.Random) -> str:
    """A house number, a street and its kind: `1234 Maple Avenue`."""
    places = names()
    return f"{rng.randint(1, 9999)} {rng.choice(places.streets)} {rng.choice(places.street_kinds)}"


def phone_number(rng: random.Random) -> str:
    """A US phone number as the source writes it: `555-123-0042`."""
    return f"{rng.randint(201, 989)}-{rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
