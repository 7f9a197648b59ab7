"""When the warehouse's file or its disk fails: one error, naming the file and the cause.

A storage fault is the machine's, not greenery's: a path that holds something else than a
DuckDB database (a text file, an empty or truncated file), a file or folder that cannot be
written (read-only, immutable, on a read-only mount), a disk that fills. Each ends a command
with ExitCode.STORAGE_ERROR and a message saying which file and why (docs/faults.md), never as
"a bug in greenery". `StorageError.from_exception` recognises them among the OS's errors and
DuckDB's.
"""

from __future__ import annotations

import errno
from pathlib import Path

import duckdb

#: OS errors that are the storage's: the disk, the file system, the file's permissions.
STORAGE_ERRNOS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "the operation is not permitted (an immutable file or folder?)",
    errno.EIO: "an input/output error of the disk",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "the path is a folder",
}
#: How DuckDB words the same faults, and what the file turned out not to be.
DUCKDB_MESSAGES = {
    "no space left on device": "the disk is full",
    "disk quota exceeded": "the disk quota is exceeded",
    "read-only file system": "the file system is read-only",
    "permission denied": "permission denied",
    "operation not permitted": "the operation is not permitted (an immutable file or folder?)",
    "not a valid duckdb database": "it is not a DuckDB database",
    "is not a valid duckdb": "it is not a DuckDB database",
    "could not read enough bytes": "it is truncated or damaged",
    "failed to read database header": "it is truncated or damaged",
    "invalid metadata": "it is truncated or damaged",
    "checksum": "it is damaged (a block's checksum does not match)",
    "input/output error": "an input/output error of the disk",
}


class StorageError(Exception):
    """The warehouse's file or its disk failed; the message names the file and the cause."""

    @classmethod
    def from_exception(cls, exc: BaseException, path: Path | str | None) -> StorageError | None:
        """The storage fault `exc` is, about `path`; None when it is not one."""
        where = f"{path}: " if path else ""
        if isinstance(exc, StorageError):
            return exc
        if isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS:
            target = exc.filename or path
            return cls(f"{target}: {STORAGE_ERRNOS[exc.errno]} ({exc.strerror})")
        if isinstance(exc, duckdb.Error):
            text = str(exc).lower()
            if "conflicting lock" in text or "could not set lock" in text:
                return None  # another process holds the file: a lock, not a fault
            for marker, cause in DUCKDB_MESSAGES.items():
                if marker in text:
                    return cls(f"{where}{cause} ({first_line(str(exc))})")
        return None


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def is_storage_failure(message: str | None) -> bool:
    """A dbt node's or step's error message that is the disk's or the file's."""
    text = (message or "").lower()
    return any(
        marker in text
        for marker in (
            "no space left on device",
            "disk quota exceeded",
            "read-only file system",
            "operation not permitted",
        )
    )


#: A DuckDB file starts with its main header and two database headers of 4 KB each, then
#: its blocks (DuckDB's storage format: FILE_HEADER_SIZE, three times).
HEADERS_BYTES = 3 * 4096


def check_database(path: Path) -> None:
    """Raise StorageError unless `path` opens as a whole DuckDB database (read-only, so a
    reader holding it is no obstacle). DuckDB reads blocks only when a query needs them, so a
    file cut short opens; its header says how many blocks are in use, which the file's size must
    cover. (Not its total blocks: a checkpoint gives free blocks at the end back to the file
    system, and the total still counts them.)"""
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            con.execute("select count(*) from duckdb_tables()").fetchone()
            block_size, used_blocks = con.execute(
                "select block_size, used_blocks from pragma_database_size()"
            ).fetchone()
    except duckdb.ConnectionException:
        return  # open for writing in this process already (dbt's connection): it is one
    except (duckdb.Error, OSError) as exc:
        fault = StorageError.from_exception(exc, path)
        if fault is None:
            raise
        raise fault from exc
    described = HEADERS_BYTES + block_size * used_blocks
    size = path.stat().st_size
    if size < described:
        raise StorageError(
            f"{path}: it is truncated or damaged ({size} bytes, where the blocks its header "
            f"says are in use take {described})"
        )
