"""Anomaly warnings: what went quietly wrong in the days a night brought.

No data test fails when an extract delivers a tenth of a day's events, when a day never arrives
or when a conversion rate halves. The view `mon_anomalies` (models/monitoring) judges every day
of its window against the weeks before it; after each `run-job` the job reads the rows of the
days that night brought, from the staged build, into the run summary (`anomalies`), its
notification and `greenery history --anomalies`. Their bounds are the var `anomalies` in
dbt_project.yml (docs/operations.md).

A night also says when data arrived for days that are no longer in the late-data window: the
incremental models do not read that far back, so `greenery backfill` rebuilds those days.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from greenery.dbt.runner import Dbt
from greenery.warehouse import reader

logger = logging.getLogger(__name__)

MODEL = "mon_anomalies"
QUERY_OF = "select * from {} order by date_day, kind, subject"
#: kind of the rows a night adds itself (not from the view)
LATE = "late_beyond_window"


@dataclass(frozen=True)
class Anomaly:
    """One table's or metric's day outside its expected range."""

    kind: str  # volume, gap, rate, late_beyond_window
    subject: str  # the table or the funnel rate
    day: str
    value: float
    expected: float | None
    expected_low: float | None
    expected_high: float | None

    def message(self) -> str:
        if self.kind == "gap":
            return f"{self.subject}: no rows on {self.day}"
        if self.kind == LATE:
            return (
                f"{self.subject}: {self.value:,.0f} rows arrived for {self.day}, before the "
                f"late-data window: `greenery backfill --from {self.day} --to {self.day}` "
                "brings them into the marts"
            )
        number = f"{self.value:.3f}" if self.kind == "rate" else f"{self.value:,.0f}"
        low = fmt(self.expected_low, self.kind)
        high = fmt(self.expected_high, self.kind)
        return (
            f"{self.subject} on {self.day}: {number}, expected {low} to {high} "
            f"(median {fmt(self.expected, self.kind)} of the weeks before)"
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "message": self.message()}


def fmt(value: float | None, kind: str) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if kind == "rate" else f"{value:,.0f}"


def of_days(dbt: Dbt, since: date) -> list[Anomaly]:
    """The anomalies of the days from `since` on, from the build `dbt` points at (none when
    the view is not built)."""
    found = reader.rows(dbt, MODEL, QUERY_OF)
    if found is None:
        logger.info(f"anomalies: {MODEL} is not built, nothing judged")
        return []
    return [anomaly(row) for row in found if as_date(row["date_day"]) >= since]


def anomaly(row: dict[str, Any]) -> Anomaly:
    return Anomaly(
        kind=row["kind"],
        subject=row["subject"],
        day=as_date(row["date_day"]).isoformat(),
        value=float(row["observed"]),
        expected=number(row["expected"]),
        expected_low=number(row["expected_low"]),
        expected_high=number(row["expected_high"]),
    )


def number(value: Any) -> float | None:
    return None if value is None else float(value)


def as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def judged_since(data_clock: datetime | None, before_clock: datetime | None) -> date | None:
    """The first day a night judges: the day before the last published run's data clock (it
    may have received late rows), or the newest day when there is no published run."""
    if data_clock is None:
        return None
    if before_clock is None:
        return (data_clock - timedelta(days=1)).date()
    return min((before_clock - timedelta(days=1)).date(), (data_clock - timedelta(days=1)).date())


def late_beyond_window(
    before: dict[str, int] | None, now: dict[str, int], window_start: date
) -> list[Anomaly]:
    """Days older than the late-data window that hold more rows tonight than at the last
    published run: the incremental models will not read them (`greenery backfill` does)."""
    if not before:
        return []
    found = []
    for day, n in sorted(now.items()):
        grew = n - before.get(day, 0)
        if date.fromisoformat(day) < window_start and grew > 0:
            found.append(Anomaly(LATE, "events", day, float(grew), None, None, None))
    return found
