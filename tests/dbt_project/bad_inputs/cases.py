"""Bad greenery exports, each a named mutation of a clean one-week CSV export with its outcome.

A case is data: a name, one line saying what the export got wrong, a small mutation applied to a
copy of the clean export (`greenery generate --weeks 1`), and what must happen to it:

- `Rejected`: `greenery load --csv` refuses it (exit 6, no traceback, the warehouse file
  untouched), with a message naming the table's file, the column and the line where there is
  one, plus any phrases in `says`. Lines are the file's own (the header is line 1; data row n is
  line n + 1 unless a quoted value holds a newline).
- `Caught`: it loads (it is valid CSV of the right types), and exactly the dbt tests named fail
  on it, with their failing rows stored, when the tests of the sources and of what reads them
  (staging and intermediate) run as `dbt build` runs them: a failing test on a source skips
  what reads that source, so the tests there are not reached.
- `Accepted`: it loads as the data it is and every test passes: text that looks like SQL or
  Jinja is stored verbatim; `stored=None` means the load equals the clean export's.

tests/dbt_project/test_corpus.py runs every case.
"""

from __future__ import annotations

import csv
import gzip
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

Mutation = Callable[[Path], None]
Value = str | Callable[[dict[str, str]], str]


# ---------------------------------------------------------------------------- outcomes
@dataclass(frozen=True)
class Rejected:
    """The load fails, naming `table`'s file, the column and the line (when given)."""

    table: str
    column: str | None = None
    line: int | None = None
    says: tuple[str, ...] = ()


@dataclass(frozen=True)
class Caught:
    """The load succeeds and exactly these dbt tests fail."""

    tests: tuple[str, ...]


@dataclass(frozen=True)
class Accepted:
    """The load succeeds and every test passes; `stored` is (table, column, text) kept as is."""

    stored: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class Case:
    group: str
    name: str
    doc: str
    mutate: Mutation
    expect: Rejected | Caught | Accepted
    #: the mutation relies on file permissions, which root ignores (see test_corpus.py)
    needs_permissions: bool = False


def rejected(
    table: str, column: str | None = None, line: int | None = None, *says: str
) -> Rejected:
    return Rejected(table, column, line, says)


def caught(*tests: str) -> Caught:
    return Caught(tests)


# ---------------------------------------------------------------------------- mutations
def path_of(directory: Path, table: str) -> Path:
    return directory / f"{table}.csv"


def read(directory: Path, table: str) -> list[list[str]]:
    with path_of(directory, table).open(
        encoding="utf-8", errors="surrogateescape", newline=""
    ) as f:
        return list(csv.reader(f))


def write(directory: Path, table: str, rows: list[list[str]]) -> None:
    """Write rows as CSV; lone surrogates (\\udc80-\\udcff) become the raw bytes they stand for."""
    with path_of(directory, table).open(
        "w", encoding="utf-8", errors="surrogateescape", newline=""
    ) as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def apply(row: list[str], header: list[str], changes: Mapping[str, Value]) -> None:
    named = dict(zip(header, row, strict=True))
    for column, value in changes.items():
        row[header.index(column)] = value(named) if callable(value) else value


def edit(table: str, row: int, **changes: Value) -> Mutation:
    """Set columns of data row `row` (1 is the first row after the header)."""

    def mutate(directory: Path) -> None:
        rows = read(directory, table)
        apply(rows[row], rows[0], changes)
        write(directory, table, rows)

    return mutate


def edit_first(table: str, where: Mapping[str, str], **changes: Value) -> Mutation:
    """Set columns of the first data row whose columns equal `where`."""

    def mutate(directory: Path) -> None:
        rows = read(directory, table)
        header = rows[0]
        row = next(r for r in rows[1:] if all(r[header.index(c)] == v for c, v in where.items()))
        apply(row, header, changes)
        write(directory, table, rows)

    return mutate


def append_copy(table: str, row: int, **changes: Value) -> Mutation:
    """Append a copy of data row `row`, with changes."""

    def mutate(directory: Path) -> None:
        rows = read(directory, table)
        copy = list(rows[row])
        apply(copy, rows[0], changes)
        write(directory, table, [*rows, copy])

    return mutate


def copy_fields(table: str, source: int, target: int, *columns: str) -> Mutation:
    """Give data row `target` the values of data row `source` in these columns."""

    def change(rows: list[list[str]]) -> None:
        for column in columns:
            at = rows[0].index(column)
            rows[target][at] = rows[source][at]

    return with_rows(table, change)


def with_rows(table: str, change: Callable[[list[list[str]]], None]) -> Mutation:
    """Any change to a table's rows, the header being rows[0]."""

    def mutate(directory: Path) -> None:
        rows = read(directory, table)
        change(rows)
        write(directory, table, rows)

    return mutate


def drop_column(table: str, column: str) -> Mutation:
    def change(rows: list[list[str]]) -> None:
        at = rows[0].index(column)
        for row in rows:
            del row[at]

    return with_rows(table, change)


def add_column(table: str, column: str, value: str) -> Mutation:
    return with_rows(
        table, lambda rows: [r.append(value if i else column) for i, r in enumerate(rows)]
    )


def rename_column(table: str, old: str, new: str) -> Mutation:
    return with_rows(table, lambda rows: rows[0].__setitem__(rows[0].index(old), new))


def swap_columns(table: str, a: str, b: str) -> Mutation:
    """Swap two columns, header and data alike: the values stay under their names."""

    def change(rows: list[list[str]]) -> None:
        i, j = rows[0].index(a), rows[0].index(b)
        for row in rows:
            row[i], row[j] = row[j], row[i]

    return with_rows(table, change)


def transform(table: str, change: Callable[[bytes], bytes]) -> Mutation:
    """Any change to a file's bytes."""

    def mutate(directory: Path) -> None:
        path = path_of(directory, table)
        path.write_bytes(change(path.read_bytes()))

    return mutate


def edit_line(table: str, line: int, change: Callable[[bytes], bytes]) -> Mutation:
    """Change one physical line of a file (1 is the header), without its newline."""

    def edit(data: bytes) -> bytes:
        lines = data.split(b"\n")
        lines[line - 1] = change(lines[line - 1])
        return b"\n".join(lines)

    return transform(table, edit)


def header_only(table: str) -> Mutation:
    return transform(table, lambda data: data.split(b"\n", 1)[0] + b"\n")


def remove(table: str) -> Mutation:
    return lambda directory: path_of(directory, table).unlink()


def make_directory(table: str) -> Mutation:
    def mutate(directory: Path) -> None:
        path_of(directory, table).unlink()
        path_of(directory, table).mkdir()

    return mutate


def symlink_to(table: str, target: str) -> Mutation:
    def mutate(directory: Path) -> None:
        path_of(directory, table).unlink()
        os.symlink(target, path_of(directory, table))

    return mutate


def unreadable(table: str) -> Mutation:
    return lambda directory: path_of(directory, table).chmod(0)


def both(*mutations: Mutation) -> Mutation:
    def mutate(directory: Path) -> None:
        for mutation in mutations:
            mutation(directory)

    return mutate


def shifted(column: str, **delta: float) -> Callable[[dict[str, str]], str]:
    """A row's timestamp moved by a timedelta."""

    def value(row: dict[str, str]) -> str:
        at = datetime.strptime(row[column], "%Y-%m-%dT%H:%M:%SZ") + timedelta(**delta)
        return at.strftime("%Y-%m-%dT%H:%M:%SZ")

    return value


def plus(column: str, amount: float) -> Callable[[dict[str, str]], str]:
    return lambda row: f"{float(row[column]) + amount:.2f}"


def unknown(n: int) -> str:
    """An id no table holds."""
    return f"00000000-0000-4000-8000-{n:012d}"


# ---------------------------------------------------------------------------- test names
def relationships(model: str, column: str, parent: str) -> str:
    return f"relationships_stg_greenery__{model}_{column}__{column}__ref_stg_greenery__{parent}_"


def clean_id(table: str, column: str) -> str:
    return f"source_greenery_{table}_{column}_is_clean"


def printable(table: str, column: str) -> str:
    return f"source_greenery_{table}_{column}_is_printable"


def amount(column: str) -> str:
    return f"source_greenery_orders_{column}_is_an_amount"


def has_rows(table: str) -> str:
    return f"assert_greenery_{table}_has_rows"


PRICE = "source_greenery_products_price_is_a_price"
ORDER_TIMES = "assert_greenery_orders_timestamps_are_plausible"
USER_TIMES = "assert_greenery_users_timestamps_are_plausible"
STATUS = "assert_greenery_orders_status_matches_fulfilment"
PAGE_URL = "assert_greenery_events_page_url_matches_event"
ORDER_STATUSES = "source_accepted_values_greenery_orders_status__preparing__shipped__delivered"
EVENT_TYPES = (
    "source_accepted_values_greenery_events_event_type__page_view__add_to_cart__checkout__"
    "package_shipped"
)
PROMO_STATUSES = "source_accepted_values_greenery_promos_status__active__inactive"
MONEY_RULE = "order_total_follows_money_rule"
COST_RULE = "order_cost_is_sum_of_lines"

MEGABYTE = "x" * 1_000_000
SQL_INJECTION = "Robert'); drop table raw.orders; --"
JINJA = "{{ run_query('drop schema raw cascade') }}{% do exceptions.raise_compiler_error('x') %}"
QUOTES = "Apt \"B\", 12 O'Hara's Yard"

# ---------------------------------------------------------------------------- the corpus
# fmt: off
CASES: tuple[Case, ...] = (
    # schema drift: the header must name exactly the contract's columns, in order
    Case("schema", "missing_column", "users.csv lost its phone_number column",
         drop_column("users", "phone_number"), rejected("users", "phone_number", 1, "missing")),
    Case("schema", "extra_column", "products.csv has an extra column, color",
         add_column("products", "color", "green"), rejected("products", "color", 1, "unexpected")),
    Case("schema", "renamed_column", "orders.csv calls order_total 'total'",
         rename_column("orders", "order_total", "total"),
         rejected("orders", "order_total", 1, "renamed")),
    Case("schema", "reordered_columns", "events.csv has user_id and page_url swapped, values too",
         swap_columns("events", "user_id", "page_url"),
         rejected("events", "user_id", 1, "out of order")),
    Case("schema", "repeated_column", "products.csv names 'name' twice and lacks price",
         rename_column("products", "price", "name"), rejected("products", "price", 1, "repeated")),
    Case("schema", "header_case_changed", "addresses.csv capitalises Address_ID",
         rename_column("addresses", "address_id", "Address_ID"),
         rejected("addresses", "address_id", 1)),
    Case("schema", "no_header_row", "promos.csv starts with data, no header row",
         transform("promos", lambda d: d.split(b"\n", 1)[1]), rejected("promos", "promo_id", 1)),
    Case("schema", "semicolon_delimited", "promos.csv is delimited by semicolons",
         transform("promos", lambda d: d.replace(b",", b";")), rejected("promos", "discount", 1)),
    Case("schema", "short_row", "order_items.csv row 10 lost its last field",
         edit_line("order_items", 11, lambda line: line.rsplit(b",", 1)[0]),
         rejected("order_items", None, 11, "Expected Number of Columns: 3 Found: 2")),
    Case("schema", "long_row", "promos.csv row 2 has a fourth field",
         edit_line("promos", 3, lambda line: line + b",extra"),
         rejected("promos", None, 3, "Expected Number of Columns: 3 Found: 4")),

    # types and overflow: every value must parse as its column's type and fit the column
    Case("types", "integer_overflow", "inventory 99999999999 does not fit INTEGER",
         edit("products", 2, inventory="99999999999"),
         rejected("products", "inventory", 3, "99999999999")),
    Case("types", "negative_integer_overflow", "quantity -2147483649 does not fit INTEGER",
         edit("order_items", 5, quantity="-2147483649"), rejected("order_items", "quantity", 6)),
    Case("types", "decimal_in_integer", "quantity 2.5 in a whole-number column",
         edit("order_items", 7, quantity="2.5"), rejected("order_items", "quantity", 8, "'2.5'")),
    Case("types", "text_in_float", "shipping_cost 'five'",
         edit("orders", 7, shipping_cost="five"), rejected("orders", "shipping_cost", 8, "'five'")),
    Case("types", "float_overflow", "price 1e400 overflows a double",
         edit("products", 4, price="1e400"), rejected("products", "price", 5, "'1e400'")),
    Case("types", "thousands_separator", "order_cost written 1,036.00",
         edit("orders", 3, order_cost="1,036.00"), rejected("orders", "order_cost", 4)),
    Case("types", "digit_separator", "discount written 1_000 (DuckDB alone would take it)",
         edit("promos", 1, discount="1_000"), rejected("promos", "discount", 2)),
    Case("types", "unparsable_timestamp", "event created_at 'yesterday'",
         edit("events", 8, created_at="yesterday"),
         rejected("events", "created_at", 9, "'yesterday'")),
    Case("types", "impossible_date", "user created on February 30th",
         edit("users", 3, created_at="2021-02-30T10:00:00Z"), rejected("users", "created_at", 4)),
    Case("types", "timestamp_with_offset", "delivered_at with a +02:00 offset, not UTC",
         edit("orders", 5, delivered_at="2021-02-13T00:40:53+02:00"),
         rejected("orders", "delivered_at", 6)),
    Case("types", "five_digit_year", "an estimate in the year 10000",
         edit("orders", 2, estimated_delivery_at="10000-01-01T00:00:00Z"),
         rejected("orders", "estimated_delivery_at", 3)),
    Case("types", "last_day_of_time", "an event on 9999-12-31: no midnight after it for the clock",
         edit("events", 20, created_at="9999-12-31T12:00:00Z"),
         rejected("events", "created_at", 21, "in the future", "data clock")),
    Case("types", "zip_plus_four", "zipcode 02203-1234 in a number column",
         edit("addresses", 7, zipcode="02203-1234"), rejected("addresses", "zipcode", 8)),

    # encodings: UTF-8 only; a UTF-8 byte order mark is harmless and skipped
    Case("encoding", "utf8_byte_order_mark", "products.csv starts with a UTF-8 byte order mark",
         transform("products", lambda d: b"\xef\xbb\xbf" + d), Accepted()),
    Case("encoding", "crlf_line_endings", "events.csv has Windows line endings",
         transform("events", lambda d: d.replace(b"\n", b"\r\n")), Accepted()),
    Case("encoding", "utf16_with_bom", "products.csv is UTF-16 with its byte order mark",
         transform("products", lambda d: d.decode().encode("utf-16")),
         rejected("products", None, 1, "UTF-16", "byte order mark")),
    Case("encoding", "utf16_without_bom", "users.csv is UTF-16 LE without a byte order mark",
         transform("users", lambda d: d.decode().encode("utf-16-le")),
         rejected("users", None, 1, "NUL", "UTF-16")),
    Case("encoding", "invalid_utf8_early", "a 0xFF byte in a product name, in the first 8 KB",
         edit("products", 2, name="Al\udcffe Vera"),
         rejected("products", "name", 3, "Invalid unicode (byte sequence mismatch) detected")),
    Case("encoding", "invalid_utf8_late", "a 0xFF byte in a page url 870 KB into events.csv",
         edit("events", 3500, page_url=lambda r: r["page_url"] + "\udcff"),
         rejected("events", "page_url", 3501, "Invalid unicode")),
    Case("encoding", "latin1_name", "a last name in Latin-1 (0xF1 for n tilde)",
         edit("users", 40, last_name="Mu\udcf1oz"),
         rejected("users", "last_name", 41, "Invalid unicode")),
    Case("encoding", "invalid_utf8_in_header", "a Latin-1 byte in users.csv's header",
         edit_line("users", 1, lambda line: line.replace(b"user_id", b"us\xe9r_id", 1)),
         rejected("users", None, 1, "not UTF-8")),
    Case("encoding", "gzip_file", "orders.csv is gzip-compressed",
         transform("orders", gzip.compress), rejected("orders", None, 1, "gzip")),
    Case("encoding", "zip_file", "products.csv is a zip archive (an Excel workbook)",
         transform("products", lambda d: b"PK\x03\x04" + d), rejected("products", None, 1, "zip")),

    # keys: present and unique (the loader); clean, and pointing at rows (the dbt tests)
    Case("keys", "duplicate_event_id", "event row 3 appears twice",
         append_copy("events", 3),
         rejected("events", "event_id", 4, "duplicate primary key", "3555")),
    Case("keys", "duplicate_order_line", "an order line repeats another's order and product",
         copy_fields("order_items", 1, 10, "order_id", "product_id"),
         rejected("order_items", "product_id", 2, "duplicate primary key")),
    Case("keys", "empty_primary_key", "a user without a user_id",
         edit("users", 5, user_id=""), rejected("users", "user_id", 6, "primary key is empty")),
    Case("keys", "quoted_empty_primary_key", 'a product whose product_id is ""',
         edit_line("products", 4, lambda line: b'""' + line[line.index(b","):]),
         rejected("products", "product_id", 4, "primary key is empty")),
    Case("keys", "empty_foreign_key", "an event whose user_id is empty",
         edit("events", 10, user_id=""), caught("source_not_null_greenery_events_user_id")),
    Case("keys", "whitespace_id", "an address whose id is three spaces",
         edit("addresses", 4, address_id="   "), caught(clean_id("addresses", "address_id"))),

    # orphans: rows pointing at rows that are not there
    Case("orphans", "order_item_unknown_order", "an order line of an order that does not exist",
         append_copy("order_items", 1, order_id=unknown(1)),
         caught(relationships("order_items", "order_id", "orders"))),
    Case("orphans", "event_unknown_user", "an event by a user who does not exist",
         edit("events", 200, user_id=unknown(3)),
         caught(relationships("events", "user_id", "users"))),
    Case("orphans", "event_unknown_product", "a page view (url and id) of an unknown product",
         edit("events", 1, product_id=unknown(4), page_url=f"https://greenary.com/product/{unknown(4)}"),
         caught(relationships("events", "product_id", "products"))),
    Case("orphans", "order_unknown_user", "an order by a user who does not exist",
         edit("orders", 20, user_id=unknown(6)),
         caught(relationships("orders", "user_id", "users"))),
    Case("orphans", "user_unknown_address", "a user living at an address that does not exist",
         edit("users", 30, address_id=unknown(8)),
         caught(relationships("users", "address_id", "addresses"))),

    # money: finite amounts in range, and the money rules
    Case("money", "order_total_off", "order_total is $5 more than cost + shipping - discount",
         edit("orders", 1, order_total=plus("order_total", 5)), caught(MONEY_RULE)),
    Case("money", "order_cost_off", "order_cost is $10 more than its lines cost",
         edit("orders", 3, order_cost=plus("order_cost", 10)), caught(COST_RULE)),
    Case("money", "negative_price", "a product priced -15.00",
         edit("products", 5, price="-15.0"), caught(PRICE)),
    Case("money", "nan_price", "a product priced NaN",
         edit("products", 6, price="NaN"), caught(PRICE)),
    Case("money", "infinite_price", "a product priced inf",
         edit("products", 7, price="inf"), caught(PRICE)),
    Case("money", "negative_shipping", "shipping_cost -4.00",
         edit("orders", 6, shipping_cost="-4.0"), caught(amount("shipping_cost"))),
    Case("money", "nan_order_total", "order_total NaN",
         edit("orders", 8, order_total="nan"), caught(amount("order_total"))),
    Case("money", "infinite_order_cost", "order_cost -inf",
         edit("orders", 12, order_cost="-inf"), caught(amount("order_cost"))),
    Case("money", "negative_inventory", "inventory -3",
         edit("products", 8, inventory="-3"),
         caught("source_greenery_products_inventory_is_not_negative")),
    Case("money", "negative_discount", "a promo worth -$13",
         edit("promos", 2, discount="-13"),
         caught("dbt_utils_accepted_range_stg_greenery__promos_discount__0")),
    Case("money", "zero_quantity", "an order line of 0 units",
         edit("order_items", 3, quantity="0"),
         caught("dbt_utils_accepted_range_stg_greenery__order_items_quantity__1")),

    # page_url and ids must agree
    Case("urls", "url_names_another_product", "a page view whose url names another product",
         edit("events", 2, page_url="https://greenary.com/product/6f3a3072-a24d-4d11-9cef-25b0b5f8a4af"),
         caught(PAGE_URL)),
    Case("urls", "url_names_another_order", "a checkout whose url names another order",
         edit("events", 8, page_url="https://greenary.com/checkout/cd65e328-19fb-4ed2-8da1-2b024a2c7830"),
         caught(PAGE_URL)),
    Case("urls", "add_to_cart_on_checkout_page", "an add_to_cart event on a checkout page",
         edit("events", 5, page_url="https://greenary.com/checkout/2cdb1625-b41f-4721-96af-d9ce799f52c0"),
         caught(PAGE_URL)),

    # whitespace and control characters in ids and names
    Case("whitespace", "trailing_space_in_event_user",
         "an event's user_id ends in a space: a 131st user",
         edit("events", 100, user_id=lambda r: r["user_id"] + " "),
         caught(clean_id("events", "user_id"))),
    Case("whitespace", "trailing_space_in_user_id", "a user's own id ends in a space",
         edit("users", 10, user_id=lambda r: r["user_id"] + " "),
         caught(clean_id("users", "user_id"))),
    Case("whitespace", "leading_space_in_order_id", "an order id starts with a space",
         edit("orders", 3, order_id=lambda r: " " + r["order_id"]),
         caught(clean_id("orders", "order_id"))),
    Case("whitespace", "tab_in_product_id", "an order line's product_id ends in a tab",
         edit("order_items", 5, product_id=lambda r: r["product_id"] + "\t"),
         caught(clean_id("order_items", "product_id"))),
    Case("whitespace", "nul_in_session_id", "a NUL byte inside a session id",
         edit("events", 50, session_id=lambda r: r["session_id"].replace("-", "\x00", 1)),
         caught(clean_id("events", "session_id"))),
    Case("whitespace", "nbsp_in_promo_id", "an order's promo id ends in a no-break space",
         edit("orders", 2, promo_id="Mandatory\u00a0"), caught(clean_id("orders", "promo_id"))),
    Case("whitespace", "newline_in_event_id", "an event id with a newline (quoted)",
         edit("events", 30, event_id=lambda r: r["event_id"] + "\n"),
         caught(clean_id("events", "event_id"))),
    Case("whitespace", "nul_in_product_name", "a NUL byte in a product name",
         edit("products", 2, name="Aloe\x00Vera"), caught(printable("products", "name"))),
    Case("whitespace", "tab_in_first_name", "a first name ending in a tab",
         edit("users", 5, first_name=lambda r: r["first_name"] + "\t"),
         caught(printable("users", "first_name"))),
    Case("whitespace", "newline_in_address", "a street address broken over two lines (quoted)",
         edit("addresses", 6, address=lambda r: r["address"].replace(" ", "\n", 1)),
         caught(printable("addresses", "address"))),
    Case("whitespace", "empty_product_name", "a product without a name",
         edit("products", 9, name=""), caught("not_null_stg_greenery__products_product_name")),

    # huge values
    Case("huge", "megabyte_name", "a 1 MB product name",
         edit("products", 3, name=MEGABYTE), caught(printable("products", "name"))),
    Case("huge", "megabyte_last_name", "a 1 MB last name",
         edit("users", 3, last_name=MEGABYTE), caught(printable("users", "last_name"))),
    Case("huge", "oversized_line", "a 3 MB product name: a line longer than DuckDB reads",
         edit("products", 3, name=MEGABYTE * 3),
         rejected("products", None, 4, "Maximum line size of 2000000 bytes exceeded")),

    # empty, header-only and missing files
    Case("empty", "empty_file", "promos.csv is empty (0 bytes)",
         transform("promos", lambda d: b""), rejected("promos", None, 1, "empty file")),
    Case("empty", "byte_order_mark_only", "users.csv holds nothing but a UTF-8 byte order mark",
         transform("users", lambda d: b"\xef\xbb\xbf"), rejected("users", None, 1, "empty file")),
    Case("empty", "header_only_orders", "orders.csv has its header only: every order looks deleted",
         header_only("orders"), caught(has_rows("orders"))),
    Case("empty", "header_only_products", "products.csv has its header only",
         header_only("products"), caught(has_rows("products"))),
    Case("empty", "header_only_events", "events.csv has its header only",
         header_only("events"), caught(has_rows("events"))),
    Case("empty", "missing_file", "events.csv is missing",
         remove("events"), rejected("events", None, None, "missing table file")),

    # timestamps out of range and out of order
    Case("timestamps", "order_in_year_9999", "an order placed in the year 9999",
         edit_first("orders", {"status": "preparing"}, created_at="9999-02-10T00:00:00Z"),
         rejected("orders", "created_at", None, "in the future")),
    Case("timestamps", "order_at_epoch", "an order placed on 1970-01-01, before the shop existed",
         edit_first("orders", {"status": "preparing"}, created_at="1970-01-01T00:00:00Z"),
         rejected("orders", "created_at", None, "before 2000-01-01")),
    Case("timestamps", "delivered_before_ordered", "an order delivered a day before it was placed",
         edit("orders", 11, delivered_at=shifted("created_at", days=-1)), caught(ORDER_TIMES)),
    Case("timestamps", "user_updated_before_created", "a user updated a day before signing up",
         edit("users", 12, updated_at=shifted("created_at", days=-1)), caught(USER_TIMES)),
    Case("timestamps", "user_created_in_future", "a user created in 2999",
         edit("users", 13, created_at="2999-01-01T00:00:00Z", updated_at="2999-01-02T00:00:00Z"),
         caught(USER_TIMES)),
    Case("timestamps", "event_before_shop", "an event in 1999",
         edit("events", 300, created_at="1999-12-31T23:59:59Z"),
         rejected("events", "created_at", 301, "before 2000-01-01")),

    # status contradictions
    Case("status", "delivered_without_time", "a delivered order without delivered_at",
         edit("orders", 1, delivered_at=""), caught(STATUS)),
    Case("status", "shipped_without_tracking", "a shipped order without a tracking id",
         edit_first("orders", {"status": "shipped"}, tracking_id=""), caught(STATUS)),
    Case("status", "preparing_yet_delivered", "a preparing order with a delivery time",
         edit_first("orders", {"status": "preparing"}, delivered_at=shifted("created_at", days=2)),
         caught(STATUS)),
    Case("status", "unknown_order_status", "an order with status 'lost'",
         edit("orders", 4, status="lost"), caught(ORDER_STATUSES)),
    Case("status", "unknown_event_type", "an event of type 'purchase'",
         edit("events", 4, event_type="purchase"), caught(EVENT_TYPES)),
    Case("status", "capitalised_promo_status", "a promo with status 'Active'",
         edit("promos", 3, status="Active"), caught(PROMO_STATUSES)),

    # injection: text that looks like SQL or Jinja is data, stored as it is
    Case("injection", "sql_in_product_name", "a product named Robert'); drop table raw.orders; --",
         edit("products", 4, name=SQL_INJECTION), Accepted(("products", "name", SQL_INJECTION))),
    Case("injection", "jinja_in_last_name", "a last name of Jinja that would drop the raw schema",
         edit("users", 6, last_name=JINJA), Accepted(("users", "last_name", JINJA))),
    Case("injection", "quotes_in_address", "an address with double and single quotes and a comma",
         edit("addresses", 8, address=QUOTES), Accepted(("addresses", "address", QUOTES))),
    Case("injection", "sql_as_user_id", "an event whose user_id is SQL: an unknown user",
         edit("events", 400, user_id="x'); drop table raw.users; --"),
         caught(relationships("events", "user_id", "users"))),

    # odd paths and files
    Case("files", "directory_for_file", "orders.csv is a directory",
         make_directory("orders"), rejected("orders", None, None, "a directory")),
    Case("files", "unreadable_file", "promos.csv cannot be read (mode 000)",
         unreadable("promos"), rejected("promos", None, None, "Permission denied"),
         needs_permissions=True),
    Case("files", "symlink_loop", "users.csv is a symbolic link to itself",
         symlink_to("users", "users.csv"), rejected("users", None, None, "symbolic link loop")),
    Case("files", "broken_symlink", "addresses.csv links to a file that does not exist",
         symlink_to("addresses", "gone.csv"),
         rejected("addresses", None, None, "broken symbolic link")),

    # quoting: structure errors are reported at the file's line, quoted newlines counted
    Case("quoting", "unterminated_quote", "a product name opens a quote it never closes",
         edit_line("products", 5, lambda line: line.replace(b",", b',"', 1)),
         rejected("products", None, 5, "Value with unterminated quote found")),
    Case("quoting", "newline_then_long_row", "a quoted newline in row 2, a fifth field on row 10",
         both(edit("products", 2, name="Aloe\nVera"),
              edit_line("products", 12, lambda line: line + b",x")),
         rejected("products", None, 12, "Expected Number of Columns: 4 Found: 5")),
    Case("quoting", "newline_then_bad_price", "a quoted newline in row 2, price 'cheap' in row 10",
         both(edit("products", 2, name="Aloe\nVera"), edit("products", 10, price="cheap")),
         rejected("products", "price", 12, "'cheap'")),
    Case("quoting", "newlines_then_duplicate",
         "quoted newlines in users rows 2 and 3; row 20 repeats row 3's id",
         both(edit("users", 2, first_name="A\nB"), edit("users", 3, last_name="C\r\nD"),
              copy_fields("users", 3, 20, "user_id")),
         rejected("users", "user_id", 23, "duplicate primary key")),
)
# fmt: on
