"""A lock so two runs of the production job never overlap.

An exclusive, non-blocking flock on a file: the second run finds it held and exits at once with
ExitCode.LOCK_HELD. The kernel releases the lock when the holder exits, even if it crashes, so a
killed run never leaves a stale lock behind. The file records who holds it, for the message.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LockHeld(Exception):
    pass


@contextmanager
def exclusive(path: Path, holder: str) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            current = handle.read().strip() or "another run"
            raise LockHeld(f"{path} is held by {current}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{holder} (pid {os.getpid()})\n")
        handle.flush()
        yield
    finally:
        handle.close()
