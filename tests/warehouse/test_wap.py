"""Write-audit-publish on the embedded warehouse, its lock and run lookup: fast, on tiny files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest
from greenery.jobs import run_job
from greenery.ops import lock
from greenery.warehouse import wap


def warehouse_with(path: Path, value: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute(f"create or replace table marts.t as select {value} as v")
        con.execute("create or replace view marts.v as select * from marts.t")
    return path


def value_of(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select v from marts.v").fetchone()[0]


def test_a_published_copy_replaces_the_warehouse_and_its_views_still_resolve(tmp_path):
    published = warehouse_with(tmp_path / "greenery.duckdb", 1)
    staged = wap.stage(published, "run-1")
    assert staged.path.name == published.name  # the database name views refer to is unchanged
    warehouse_with(staged.path, 2)
    assert value_of(published) == 1  # analysts see the old one until publication

    wap.publish(staged)

    assert value_of(published) == 2
    assert not wap.staging_folder(published).exists()


def test_a_failed_copy_is_kept_and_the_newest_few_only(tmp_path):
    published = warehouse_with(tmp_path / "greenery.duckdb", 1)
    kept = []
    for n in range(wap.KEEP_FAILED + 2):
        staged = wap.stage(published, f"run-{n}")
        warehouse_with(staged.path, 100 + n)
        kept.append(wap.keep_failed(staged))
    assert value_of(published) == 1
    assert value_of(kept[-1]) == 100 + wap.KEEP_FAILED + 1
    assert sorted(p.name for p in (tmp_path / wap.FAILED_DIR).iterdir()) == [
        f"run-{n}" for n in range(2, wap.KEEP_FAILED + 2)
    ]


def test_publication_is_refused_when_the_warehouse_changed_meanwhile(tmp_path):
    published = warehouse_with(tmp_path / "greenery.duckdb", 1)
    staged = wap.stage(published, "run-1")
    warehouse_with(published, 5)  # somebody wrote the published file without the lock
    with pytest.raises(wap.WarehouseChanged, match="changed while run run-1"):
        wap.publish(staged)
    assert value_of(published) == 5


def test_a_kept_copy_resumes_only_while_the_warehouse_is_as_that_run_left_it(tmp_path):
    published = warehouse_with(tmp_path / "greenery.duckdb", 1)
    staged = wap.stage(published, "run-1")
    warehouse_with(staged.path, 2)
    kept = wap.keep_failed(staged)
    # the run records itself in the history beside the warehouse: the file does not change

    resumed = wap.resume(published, kept, "retry-1")
    assert value_of(resumed.path) == 2
    wap.publish(resumed)
    assert value_of(published) == 2

    staged = wap.stage(published, "run-2")
    kept = wap.keep_failed(staged)
    warehouse_with(published, 7)  # new data arrived after the failed run
    with pytest.raises(wap.WarehouseChanged, match="changed since the failed run"):
        wap.resume(published, kept, "retry-2")


def test_a_killed_runs_staging_folder_is_cleared_by_the_next(tmp_path):
    published = warehouse_with(tmp_path / "greenery.duckdb", 1)
    wap.stage(published, "killed")  # never published nor kept: the run died
    staged = wap.stage(published, "next")
    assert staged.path.exists() and json.loads((staged.folder / wap.BASE_FILE).read_text())


def test_the_lock_is_the_warehouse_file_s_or_the_remote_target_s(tmp_path):
    one = lock.path_for(tmp_path / "a" / "greenery.duckdb", tmp_path, "dev")
    other = lock.path_for(tmp_path / "b" / "greenery.duckdb", tmp_path, "dev")
    assert one != other  # two warehouse files never wait for each other
    assert lock.path_for(None, tmp_path, "prod") == tmp_path / "runs" / "prod.lock"


def test_retry_finds_the_latest_run_of_its_own_target(tmp_path):
    for run_id, target in (("20210101T000000Z-a", "dev"), ("20210102T000000Z-b", "prod")):
        folder = run_job.runs_dir(tmp_path) / run_id
        folder.mkdir(parents=True)
        (folder / "run_results.json").write_text("{}")
        (folder / run_job.SUMMARY).write_text(json.dumps({"target": target}))
    assert run_job.latest_run(tmp_path, "dev").name == "20210101T000000Z-a"
    assert run_job.latest_run(tmp_path, "prod").name == "20210102T000000Z-b"
    assert run_job.latest_run(tmp_path, "ci") is None


def test_staging_never_opens_the_published_file_so_a_reader_holding_it_is_no_obstacle(tmp_path):
    """A read-only connection (BI, a notebook) holds the file: DuckDB would refuse a writer.
    Staging only reads it, and publishing renames the audited copy over it; the reader keeps
    its view until it reconnects, then sees the new warehouse."""
    published = warehouse_with(tmp_path / "greenery.duckdb", 1)
    reader = duckdb.connect(str(published), read_only=True)
    try:
        staged = wap.stage(published, "run-1")
        warehouse_with(staged.path, 2)
        wap.publish(staged)
        assert reader.execute("select v from marts.v").fetchone() == (1,)
    finally:
        reader.close()
    assert value_of(published) == 2


def test_a_stage_is_a_whole_copy_or_a_reflink_and_the_same_bytes(tmp_path):
    source = tmp_path / "source.bin"
    source.write_bytes(os.urandom(1 << 20))
    how = wap.clone(source, tmp_path / "copy.bin")
    assert how in ("reflink", "copy")
    assert (tmp_path / "copy.bin").read_bytes() == source.read_bytes()
