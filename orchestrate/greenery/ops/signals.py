"""Stopping a command: Ctrl-C (SIGINT), SIGTERM (what systemd, cron's timeout and CI runners
send) and a run's own time limit (`run-job --timeout`) end every command the same way
(docs/faults.md).

`stoppable` turns each into a KeyboardInterrupt in the main thread (`Terminated` for SIGTERM,
`TimedOut` for the time limit), so dbt stops its nodes and cancels its queries for all three,
each job's write-audit-publish keeps its staged copy unpublished, and the run ends with its own
exit code (130, 143 or 9), recorded in the run history and notified like any failure. A signal
that lands while DuckDB runs a query surfaces as that query's "interrupted" error instead:
`stop_of` still names the stop, from the signal that was received.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

import duckdb

from greenery.ops.outcome import ExitCode


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM."""


class TimedOut(KeyboardInterrupt):
    """The run went past its time limit."""


#: What each stop is called and the code it ends with.
STOPS: dict[type[KeyboardInterrupt], tuple[str, ExitCode]] = {
    KeyboardInterrupt: ("interrupted (Ctrl-C)", ExitCode.INTERRUPTED),
    Terminated: ("terminated (SIGTERM)", ExitCode.TERMINATED),
    TimedOut: ("timed out", ExitCode.TIMED_OUT),
}
#: The last stop received in this process (its signal handlers set it).
received: list[type[KeyboardInterrupt]] = []


def is_stop(exc: BaseException) -> bool:
    """Ctrl-C, SIGTERM or the time limit, however it surfaced: as KeyboardInterrupt, or as the
    query DuckDB was running when the signal came ("Query interrupted")."""
    if isinstance(exc, KeyboardInterrupt):
        return True
    return isinstance(exc, duckdb.InterruptException | RuntimeError) and (
        "interrupted" in str(exc).lower()
    )


def stop_of(exc: BaseException) -> type[KeyboardInterrupt]:
    if isinstance(exc, Terminated | TimedOut):
        return type(exc)
    return received[-1] if received else KeyboardInterrupt


def stop_code(exc: BaseException) -> ExitCode:
    return STOPS[stop_of(exc)][1]


def stop_message(exc: BaseException) -> str:
    return STOPS[stop_of(exc)][0]


def raising(stop: type[KeyboardInterrupt]) -> Callable[[int, FrameType | None], None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        received.append(stop)
        raise stop()

    return handler


@contextmanager
def stoppable(timeout: float | None = None) -> Iterator[None]:
    """SIGINT, SIGTERM and, after `timeout` seconds, the time limit raise their stop in the main
    thread for the duration (elsewhere: unchanged, no time limit)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handlers = {
        signal.SIGINT: raising(KeyboardInterrupt),
        signal.SIGTERM: raising(Terminated),
        signal.SIGALRM: raising(TimedOut),
    }
    previous = {signum: signal.signal(signum, handler) for signum, handler in handlers.items()}
    if timeout:
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        yield
    finally:
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, 0)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
