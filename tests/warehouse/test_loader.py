"""Loading: CSV exports round-trip, bad input is named precisely, and nothing is half-loaded."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
from pathlib import Path

import pytest
from greenery.warehouse import database, datasets, loader
from greenery.warehouse.facts import RAW_TABLES


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("export")
    datasets.export_sample(directory)
    return directory


@pytest.fixture()
def bad_dir(export_dir: Path, tmp_path: Path) -> Path:
    directory = tmp_path / "bad"
    shutil.copytree(export_dir, directory)
    return directory


@pytest.fixture()
def loaded(tmp_path: Path) -> Path:
    """A warehouse holding a different sample (seed 7), to prove a failed load leaves it be."""
    path = tmp_path / "loaded.duckdb"
    datasets.load_sample(path, seed=7)
    return path


def fingerprint(path: Path) -> dict[str, str]:
    """A digest of every raw table's full contents."""
    with database.connect(path) as con:
        result = {}
        for table in RAW_TABLES:
            rows = con.execute(f"select * from raw.{table} order by all").fetchall()
            result[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
        return result


def rewrite(path: Path, edit) -> None:
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    edit(rows)
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_export_is_in_the_real_format(export_dir):
    with (export_dir / "orders.csv").open() as handle:
        header, first = handle.readline().strip(), handle.readline().strip()
    assert header.startswith("order_id,user_id,promo_id,address_id,created_at,")
    assert "2021-02-10T00:00:05Z" in first
    with (export_dir / "addresses.csv").open() as handle:
        zips = [row["zipcode"] for row in csv.DictReader(handle)]
    assert "2203" in zips and all(z.isdigit() for z in zips)


def test_csv_round_trip_equals_direct_load(export_dir, sample_path, tmp_path):
    path = tmp_path / "from_csv.duckdb"
    counts = datasets.load_export(path, export_dir)
    assert counts["events"] == 3553
    assert fingerprint(path) == fingerprint(sample_path)


def test_same_seed_same_bytes(tmp_path):
    digests = []
    for name in ("a", "b"):
        datasets.export_sample(tmp_path / name, scale_factor=2, seed=11)
        digests.append(
            {
                t: hashlib.sha256((tmp_path / name / f"{t}.csv").read_bytes()).hexdigest()
                for t in RAW_TABLES
            }
        )
    assert digests[0] == digests[1]
    datasets.export_sample(tmp_path / "c", scale_factor=2, seed=12)
    assert (
        hashlib.sha256((tmp_path / "c" / "events.csv").read_bytes()).hexdigest()
        != digests[0]["events"]
    )


def expect_rejected(path: Path, directory: Path, *fragments: str) -> None:
    before = fingerprint(path)
    with pytest.raises(loader.LoadError) as info:
        datasets.load_export(path, directory)
    for fragment in fragments:
        assert fragment in str(info.value)
    assert fingerprint(path) == before


def test_missing_table_file(loaded, bad_dir):
    (bad_dir / "promos.csv").unlink()
    expect_rejected(loaded, bad_dir, "promos.csv", "missing table file")


def test_missing_column(loaded, bad_dir):
    rewrite(bad_dir / "users.csv", lambda rows: [r.pop(4) for r in rows])
    expect_rejected(loaded, bad_dir, "users.csv", "line 1", "missing column(s) 'phone_number'")


def test_extra_column(loaded, bad_dir):
    rewrite(
        bad_dir / "products.csv",
        lambda rows: [r.append("x" if i else "color") for i, r in enumerate(rows)],
    )
    expect_rejected(loaded, bad_dir, "products.csv", "unexpected column(s) 'color'")


def test_renamed_column(loaded, bad_dir):
    def rename(rows):
        rows[0][rows[0].index("order_total")] = "total"

    rewrite(bad_dir / "orders.csv", rename)
    expect_rejected(
        loaded, bad_dir, "orders.csv", "renamed column(s) 'total' (expected 'order_total')"
    )


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("events", "created_at", "yesterday"),
        ("order_items", "quantity", "2.5"),
        ("orders", "shipping_cost", "five"),
        ("addresses", "zipcode", "02203-1234"),
    ],
)
def test_unparsable_value(loaded, bad_dir, table, column, value):
    def spoil(rows):
        rows[7][rows[0].index(column)] = value

    rewrite(bad_dir / f"{table}.csv", spoil)
    expect_rejected(loaded, bad_dir, f"{table}.csv", f"column '{column}'", "line(s) 8", repr(value))


def test_duplicate_primary_key(loaded, bad_dir):
    rewrite(bad_dir / "events.csv", lambda rows: rows.append(list(rows[3])))
    expect_rejected(
        loaded, bad_dir, "events.csv", "column 'event_id'", "duplicate primary key", "lines 4, 3555"
    )


def test_duplicate_composite_key(loaded, bad_dir):
    def dupe(rows):
        rows[10][:2] = rows[2][:2]

    rewrite(bad_dir / "order_items.csv", dupe)
    expect_rejected(
        loaded, bad_dir, "order_items.csv", "column 'order_id, product_id'", "lines 3, 11"
    )


def test_empty_primary_key(loaded, bad_dir):
    def blank(rows):
        rows[5][0] = ""

    rewrite(bad_dir / "users.csv", blank)
    expect_rejected(
        loaded, bad_dir, "users.csv", "column 'user_id'", "line(s) 6", "primary key is empty"
    )


def test_ragged_row_is_rejected(loaded, bad_dir):
    with (bad_dir / "promos.csv").open("a") as handle:
        handle.write("broken,1\n")
    expect_rejected(loaded, bad_dir, "promos.csv", "cannot be read as CSV")


def test_failed_load_into_new_warehouse_creates_no_tables(bad_dir, tmp_path):
    (bad_dir / "events.csv").unlink()
    path = tmp_path / "new.duckdb"
    with pytest.raises(loader.LoadError):
        datasets.load_export(path, bad_dir)
    assert not database.has_raw_data(path)


def test_failure_while_publishing_rolls_back_every_table(loaded):
    before = fingerprint(loaded)
    with database.connect(loaded) as con:
        datasets.stage_sample(con, seed=42)
        selects = {t: loader.typed_select(t, loader.stage_name(t)) for t in RAW_TABLES}
        selects["events"] = "select * from no_such_table"  # the last table fails
        with pytest.raises(Exception, match="no_such_table"):
            loader.publish(con, selects)
    assert fingerprint(loaded) == before


def test_cli_reports_bad_input_and_exit_code(loaded, bad_dir):
    from click.testing import CliRunner
    from greenery.cli import main
    from greenery.ops.outcome import ExitCode

    (bad_dir / "orders.csv").unlink()
    result = CliRunner().invoke(main, ["load", "--warehouse", str(loaded), "--csv", str(bad_dir)])
    assert result.exit_code == ExitCode.BAD_INPUT == 6
    assert "orders.csv" in result.output and "nothing was loaded" in result.output


def test_pipe_in_place_of_a_file_is_refused_without_reading_it(loaded, bad_dir):
    import threading

    (bad_dir / "promos.csv").unlink()
    os.mkfifo(bad_dir / "promos.csv")  # opening it to read would wait for a writer forever
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            datasets.load_export(loaded, bad_dir)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert outcome, "the loader blocked on a pipe"
    assert isinstance(outcome[0], loader.LoadError)
    assert "promos.csv" in str(outcome[0]) and "not a regular file" in str(outcome[0])


def test_lines_are_the_files_own_with_blank_lines_crlf_and_quoted_newlines(loaded, bad_dir):
    path = bad_dir / "products.csv"
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"Aloe Vera", b'"Aloe\r\nVera"')  # row 2 spans lines 3-4
    lines.insert(5, b"")  # a blank line (7), which the reader skips
    parts = lines[10].split(b",")
    parts[2] = b"cheap"  # data row 9: line 10, one line later for each of the two above
    lines[10] = b",".join(parts)
    path.write_bytes(b"\r\n".join(lines))
    expect_rejected(loaded, bad_dir, "products.csv", "column 'price'", "line(s) 12", "'cheap'")
    assert loader.data_record_lines(path, [0, 1, 2, 8]) == {0: 2, 1: 3, 2: 5, 8: 12}
