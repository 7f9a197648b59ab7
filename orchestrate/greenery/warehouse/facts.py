"""The published facts about greenery's real warehouse, and the raw-table contract they imply.

`data/published_facts.yml` is a verbatim copy of the figures analysts measured on the real
warehouse. The sample generator is calibrated to it and the tests check the marts against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

#: Raw tables in load order (parents before children).
RAW_TABLES: tuple[str, ...] = (
    "addresses",
    "users",
    "promos",
    "products",
    "orders",
    "order_items",
    "events",
)

#: Primary key of each raw table.
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "addresses": ("address_id",),
    "users": ("user_id",),
    "promos": ("promo_id",),
    "products": ("product_id",),
    "orders": ("order_id",),
    "order_items": ("order_id", "product_id"),
    "events": ("event_id",),
}

#: How each Snowflake type of the facts file is stored in the embedded DuckDB warehouse.
DUCKDB_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "number": "INTEGER",
    "float": "DOUBLE",
    "timestamp_ntz": "TIMESTAMP",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # the facts file's (Snowflake) type name

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]


@cache
def published_facts() -> dict[str, Any]:
    """The facts file, parsed."""
    text = resources.files("greenery.warehouse").joinpath("data/published_facts.yml").read_text()
    return yaml.safe_load(text)


@cache
def weekly_history() -> dict[str, Any]:
    """The weekly changes replayed onto the raw tables, keyed by product_id and order_id."""
    text = resources.files("greenery.warehouse").joinpath("data/weekly_history.yml").read_text()
    return yaml.safe_load(text)


def raw_columns(table: str) -> tuple[Column, ...]:
    """The columns of a raw table, in physical order."""
    spec = published_facts()["source_schema"][table]["columns"]
    return tuple(Column(name, type_) for name, type_ in spec.items())
