"""One writer at a time per warehouse: the lock every command that writes it takes.

The lock guards what it protects: an embedded warehouse's DuckDB file (`<file>.lock` beside it),
or, for a remote warehouse, the target (`runs/<target>.lock`). `load`, `arrive`, `replay`,
`build`, `run-job`, `retry` and `ci` all take it, so a second writer finds it held and exits at
once with ExitCode.LOCK_HELD instead of failing half way on the file.

The lock is an flock (the `filelock` library) on the lock file: the kernel releases it when its
holder exits, however it exits, so a run killed with `kill -9` leaves no stale lock behind. Who
holds it is written to `<lock>.holder`, for the message the second writer prints.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from greenery.warehouse.storage import StorageError


class LockHeld(Exception):
    pass


def path_for(duckdb_path: Path | None, project: Path, target: str) -> Path:
    """The lock of an embedded warehouse file, else of the (remote) target."""
    if duckdb_path is not None:
        return duckdb_path.with_name(duckdb_path.name + ".lock")
    return project / "runs" / f"{target}.lock"


def holder_path(path: Path) -> Path:
    return path.with_name(path.name + ".holder")


@contextmanager
def exclusive(path: Path, holder: str) -> Iterator[None]:
    """Hold the lock for the block, or raise LockHeld naming who holds it."""
    lock = FileLock(path, timeout=0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout:  # before OSError, which it is
        try:
            current = holder_path(path).read_text().strip()
        except OSError:
            current = ""
        raise LockHeld(f"{path} is held by {current or 'another greenery command'}") from None
    except OSError as exc:  # a read-only or immutable folder: nothing can be written there
        raise StorageError.from_exception(exc, path) or exc from exc
    try:
        holder_path(path).write_text(f"{holder} (pid {os.getpid()})\n")
        yield
    finally:
        holder_path(path).unlink(missing_ok=True)
        lock.release()
