"""The dbt options a job passes on to dbt, as the CLI's `--select`, `--vars`, ... give them."""

from __future__ import annotations

from dataclasses import dataclass, field

#: The dbt commands that stop at the first failure with --fail-fast.
FAIL_FAST_COMMANDS = ("build", "run", "test", "snapshot", "retry")
#: The dbt commands that rebuild incremental models with --full-refresh.
FULL_REFRESH_COMMANDS = ("build", "run")
#: `greenery ci`'s target: the embedded warehouse's CI output.
CI_TARGET = "ci_local"
#: A night of `greenery run-job` tests every table whole at least this often, in days of data
#: (of wall clock without a data clock): a row that went bad in place, outside any night's
#: window, is found within a week (jobs/night.py).
FULL_TESTS_EVERY_DAYS = 7


@dataclass
class DbtOptions:
    """The dbt options a job passes on: node selection, vars, threads, failure handling."""

    select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    vars: str | None = None
    threads: int | None = None
    fail_fast: bool = False
    full_refresh: bool = False
    extra: list[str] = field(default_factory=list)

    def args(self, command: str) -> list[str]:
        """The options as dbt's arguments for `command` (each only where dbt accepts it)."""
        args: list[str] = []
        if self.select:
            args += ["--select", *self.select]
        if self.exclude:
            args += ["--exclude", *self.exclude]
        if self.vars:
            args += ["--vars", self.vars]
        if self.threads:
            args += ["--threads", str(self.threads)]
        if self.fail_fast and command in FAIL_FAST_COMMANDS:
            args.append("--fail-fast")
        if self.full_refresh and command in FULL_REFRESH_COMMANDS:
            args.append("--full-refresh")
        return args + self.extra
