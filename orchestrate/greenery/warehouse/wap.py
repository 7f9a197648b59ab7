"""Write-audit-publish for the embedded warehouse: nothing that fails a test reaches analysts.

A job never builds in the warehouse analysts read. It copies the DuckDB file into
`<folder>/.staging/<file stem>/` (write), runs snapshots, models and every test there (audit), and
only when all of it passed moves the copy over the published file with one atomic rename
(publish). The copy keeps the published file's name, so the database name that dbt writes into
views is the same in both. A run that fails moves its copy to `<folder>/failed/<run id>/`, where
it can be opened and inspected (the failing rows of each test are in its audit schema) and where
`greenery retry` resumes it; the published file, snapshot history included, is as it was.
The staging path is the same for every run of a warehouse (one run at a time holds its lock),
so dbt's partial parsing, which starts over whenever the profile's path changes, keeps working
from run to run.

A run killed at any point leaves either the old or the new published file, never a mix: the
rename is atomic, and a staging folder left by a killed run is removed by the next run (all
of this happens under the warehouse lock, `lock.py`). The copy shares the published file's
blocks where the file system can (`clone`), and the published file is never opened for writing
by a run, so readers holding it open see the old warehouse until they reconnect.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from greenery.warehouse.storage import StorageError

AUDIT_ENV = "GREENERY_AUDIT_SUFFIX"  # remote warehouses: see build.audited_remote
AUDIT_SUFFIX = "__audit"
STAGING_DIR = ".staging"
FAILED_DIR = "failed"
BASE_FILE = "base.json"
KEEP_FAILED = 3


class WarehouseChanged(Exception):
    """The published warehouse changed after a staged copy was taken from it."""


@dataclass(frozen=True)
class Stamp:
    """What identifies a version of the published file: size and modification time."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> Stamp:
        stat = path.stat()
        return cls(stat.st_size, stat.st_mtime_ns)


@dataclass(frozen=True)
class Stage:
    """A staged copy of the published warehouse that one run writes to."""

    published: Path
    path: Path
    run_id: str
    base: Stamp

    @property
    def folder(self) -> Path:
        return self.path.parent


def wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def checkpoint(path: Path) -> None:
    """Fold DuckDB's write-ahead log into the file, so the file alone is the whole database."""
    try:
        with duckdb.connect(str(path)) as con:
            con.execute("checkpoint")
    except (duckdb.Error, OSError) as exc:  # a full disk, a read-only file: the storage's
        raise StorageError.from_exception(exc, path) or exc from exc
    if wal(path).exists():
        raise WarehouseChanged(f"{wal(path)} is still there after a checkpoint")


def staging_folder(published: Path) -> Path:
    return published.parent / STAGING_DIR / published.stem


def clear_stale(published: Path) -> bool:
    """Remove the staging folder a killed run left behind (call under the warehouse lock)."""
    folder = staging_folder(published)
    if not folder.exists():
        return False
    shutil.rmtree(folder)
    return True


def stage(published: Path, run_id: str) -> Stage:
    """Copy the published warehouse into a staging folder of the run.

    The published file is only read, never opened by DuckDB, so a reader holding it open (a BI
    tool, a notebook: DuckDB lets readers share a file but not with a writer) does not stop
    the run; it keeps its view until it reconnects after the publication. Only a file left with
    a write-ahead log by a writer that died is checkpointed first, which needs it free.
    """
    clear_stale(published)
    if wal(published).exists():
        checkpoint(published)
    folder = staging_folder(published)
    copy = folder / published.name
    try:
        folder.mkdir(parents=True)
        clone(published, copy)
        base = Stamp.of(published)
        (folder / BASE_FILE).write_text(json.dumps(base.__dict__))
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)  # a half copy would keep a full disk full
        raise StorageError.from_exception(exc, folder) or exc from exc
    return Stage(published, copy, run_id, base)


#: Linux's ioctl FICLONE (linux/fs.h): make `dest` share `source`'s blocks, copy-on-write.
FICLONE = 0x40049409


def clone(source: Path, dest: Path) -> str:
    """Copy a file, sharing its blocks where the file system can (a reflink).

    On a copy-on-write file system (XFS, Btrfs, bcachefs, ZFS 2.2, OCFS2) the staged copy costs
    a few metadata writes however large the warehouse, and only the blocks a run rewrites take
    new space: staging a night is O(what it writes). Elsewhere (ext4, tmpfs) it is a whole copy,
    at the disk's speed (benchmarks/bench_build.py measures both). Returns "reflink" or "copy".
    """
    with source.open("rb") as src, dest.open("wb") as dst:
        try:
            import fcntl

            fcntl.ioctl(dst.fileno(), FICLONE, src.fileno())
            return "reflink"
        except (ImportError, OSError):
            pass
    shutil.copyfile(source, dest)
    return "copy"


def publish(staged: Stage) -> None:
    """Replace the published warehouse with the audited copy, atomically."""
    checkpoint(staged.path)
    if Stamp.of(staged.published) != staged.base or wal(staged.published).exists():
        raise WarehouseChanged(
            f"{staged.published} changed while run {staged.run_id} was building; not published"
        )
    try:
        os.replace(staged.path, staged.published)
        fsync_dir(staged.published.parent)
    except OSError as exc:
        raise StorageError.from_exception(exc, staged.published) or exc from exc
    shutil.rmtree(staged.folder, ignore_errors=True)


def keep_failed(staged: Stage) -> Path:
    """Move a failed run's copy aside for inspection; keep only the newest few."""
    root = staged.published.parent / FAILED_DIR
    root.mkdir(exist_ok=True)
    kept = root / staged.run_id
    os.replace(staged.folder, kept)
    for old in sorted(p for p in root.glob("*") if p.is_dir())[:-KEEP_FAILED]:
        shutil.rmtree(old, ignore_errors=True)
    return kept / staged.published.name


def discard(staged: Stage) -> None:
    shutil.rmtree(staged.folder, ignore_errors=True)


def resume(published: Path, failed_copy: Path, run_id: str) -> Stage:
    """Stage a failed run's kept copy again (for `greenery retry`).

    Refused when the published warehouse changed since that run staged it (new data arrived or
    another run published): publishing the old copy would undo that change.
    """
    base_file = failed_copy.parent / BASE_FILE
    if not failed_copy.exists() or not base_file.exists():
        raise WarehouseChanged(f"{failed_copy} is not a kept copy of a failed run")
    base = Stamp(**json.loads(base_file.read_text()))
    if Stamp.of(published) != base:
        raise WarehouseChanged(
            f"{published} changed since the failed run staged it; run the job again instead"
        )
    clear_stale(published)
    folder = staging_folder(published)
    folder.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(failed_copy.parent, folder)
    return Stage(published, folder / published.name, run_id, base)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
