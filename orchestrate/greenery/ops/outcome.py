"""What a dbt run did, in one summary: counts, failures, timings, and the job's exit code."""

from __future__ import annotations

import enum
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from greenery.warehouse.storage import is_storage_failure

if TYPE_CHECKING:  # dbt loads only for the commands that run it (1.7 s of imports)
    from dbt.cli.main import dbtRunnerResult


class ExitCode(enum.IntEnum):
    """Exit codes of the greenery jobs, documented in docs/jobs.md."""

    OK = 0
    TESTS_FAILED = 1  # every model built, but a data or unit test failed
    MODELS_ERRORED = 2  # a model, snapshot or seed errored (or dbt itself failed)
    FRESHNESS_FAILED = 3  # a source is older than its error_after threshold
    LOCK_HELD = 4  # another run of the job holds the lock
    CONFIG_ERROR = 5  # the project, profile or environment is not set up
    BAD_INPUT = 6  # input data rejected by the loader (or a replay refused), nothing changed
    INTERNAL_ERROR = 7  # an unexpected error: a bug in greenery (GREENERY_DEBUG=1 shows it)
    STORAGE_ERROR = 8  # the warehouse file or its disk failed: not a database, read-only, full
    TIMED_OUT = 9  # the run went past its --timeout: stopped, nothing published
    USAGE_ERROR = 64  # the command line itself is wrong (sysexits' EX_USAGE): nothing ran
    INTERRUPTED = 130  # stopped with Ctrl-C (SIGINT); the published warehouse is as it was
    TERMINATED = 143  # stopped by SIGTERM (systemd, CI); the published warehouse is as it was


TEST_TYPES = {"test", "unit_test"}
FRESHNESS_STEP = "source freshness"
#: the step `run-job --fail-on-gaps` fails when the night's days miss a day of events or orders
GAPS_STEP = "missing days"
EXPORTS_STEP = "export saved queries"
REPLAY_STEP = "replay"  # greenery replay: the weeks applied and snapshotted
REFUSED_STEP = "replay refused"  # the weeks or the data do not allow it: bad input
#: The project's on-run-start/end hooks: dbt reports them among the results; a failing one
#: fails the invocation, which the step records.
HOOKS = {"operation", "NodeType.Operation"}
FAILING = {"error", "fail", "runtime error"}


@dataclass
class NodeResult:
    unique_id: str
    resource_type: str
    name: str
    status: str
    execution_time: float
    rows_affected: int | None
    message: str | None
    failures: int | None

    @property
    def failed(self) -> bool:
        return self.status in FAILING


@dataclass
class Step:
    """One dbt invocation of a job (snapshot, build, freshness, ...)."""

    command: str
    success: bool
    seconds: float
    nodes: list[NodeResult] = field(default_factory=list)
    error: str | None = None


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def node_results(result: dbtRunnerResult) -> list[NodeResult]:
    """Per-node outcomes of a dbt invocation (empty when dbt failed before running nodes)."""
    run = result.result
    nodes = []
    for r in getattr(run, "results", None) or []:
        node = getattr(r, "node", None)
        if node is None or str(getattr(node, "resource_type", "")) in HOOKS:
            continue  # a project hook (on-run-start) is no node of the graph
        response = getattr(r, "adapter_response", None) or {}
        rows = response.get("rows_affected") if isinstance(response, dict) else None
        status = str(getattr(r.status, "value", r.status)).lower()
        nodes.append(
            NodeResult(
                unique_id=node.unique_id,
                resource_type=str(getattr(node.resource_type, "value", node.resource_type)),
                name=node.name,
                status=status,
                execution_time=round(float(r.execution_time or 0.0), 3),
                rows_affected=rows if isinstance(rows, int) and rows >= 0 else None,
                message=describe(r, status),
                failures=getattr(r, "failures", None),
            )
        )
    return nodes


def describe(result: Any, status: str) -> str | None:
    """What to tell a person about a failing or warning node."""
    if status not in FAILING | {"warn"}:
        return None
    if getattr(result, "max_loaded_at", None) is not None:  # a source freshness result
        hours = float(getattr(result, "age", 0.0)) / 3600
        return f"stale: newest row at {result.max_loaded_at}, {hours:,.0f} hours old"
    return result.message


def run_step(command: str, invoke: Any) -> Step:
    """Time a dbt invocation and keep its per-node results."""
    start = time.perf_counter()
    result: dbtRunnerResult = invoke()
    seconds = round(time.perf_counter() - start, 3)
    error = None if result.exception is None else str(result.exception).strip()
    return Step(command, bool(result.success), seconds, node_results(result), error)


def python_step(command: str, action: Callable[[], object]) -> Step:
    """Time a step of the job's own (not dbt's): failed, with its error, if it raises."""
    start = time.perf_counter()
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - the step's failure is its outcome, named in the summary
        seconds = round(time.perf_counter() - start, 3)
        return Step(command, False, seconds, [], f"{type(exc).__name__}: {exc}")
    return Step(command, True, round(time.perf_counter() - start, 3))


@dataclass
class RunSummary:
    """The JSON summary of a job run (see data/run_summary.schema.json)."""

    run_id: str
    command: str
    target: str
    started_at: str
    ended_at: str = ""
    duration_seconds: float = 0.0
    status: str = "running"
    exit_code: int = 0
    steps: list[Step] = field(default_factory=list)
    funnel: dict[str, Any] | None = None
    warehouse: str | None = None
    message: str | None = None
    failed_copy: str | None = None  # where a failed run's staged warehouse is kept
    report: str | None = None  # the funnel report (HTML) of a run that passed
    night: dict[str, Any] | None = None  # what a night tested and skipped (jobs/night.py)
    anomalies: list[dict[str, Any]] = field(default_factory=list)  # ops/anomalies.py
    changes: list[dict[str, Any]] | None = None  # slim CI: marts compared (warehouse/compare.py)

    @property
    def nodes(self) -> list[NodeResult]:
        latest: dict[str, NodeResult] = {}
        for step in self.steps:
            for node in step.nodes:
                latest[node.unique_id] = node
        return list(latest.values())

    def counts(self) -> dict[str, int]:
        counts = {"pass": 0, "warn": 0, "fail": 0, "skip": 0, "total": 0}
        for node in self.nodes:
            counts["total"] += 1
            if node.failed:
                counts["fail"] += 1
            elif node.status == "warn":
                counts["warn"] += 1
            elif node.status == "skipped":
                counts["skip"] += 1
            else:
                counts["pass"] += 1
        return counts

    def failed_nodes(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.failed]

    def slowest_models(self, n: int = 5) -> list[NodeResult]:
        models = [n for n in self.nodes if n.resource_type in ("model", "snapshot")]
        return sorted(models, key=lambda m: -m.execution_time)[:n]

    def storage_failure(self) -> bool:
        """A node or step failed because the disk or the file did (full, read-only)."""
        messages = [n.message for n in self.failed_nodes()]
        messages += [s.error for s in self.steps if not s.success]
        return any(is_storage_failure(m) for m in messages)

    def classify(self) -> ExitCode:
        """The exit code the run ends with, from what its steps did."""
        for step in self.steps:
            if step.command in (FRESHNESS_STEP, GAPS_STEP) and not step.success:
                return ExitCode.FRESHNESS_FAILED
            if step.command == REFUSED_STEP:
                return ExitCode.BAD_INPUT
        if self.storage_failure():
            return ExitCode.STORAGE_ERROR
        failed = self.failed_nodes()
        if any(n.resource_type not in TEST_TYPES for n in failed):
            return ExitCode.MODELS_ERRORED
        if failed:
            return ExitCode.TESTS_FAILED
        if any(not s.success for s in self.standing_steps()):
            return ExitCode.MODELS_ERRORED  # dbt failed before running any node
        return ExitCode.OK

    def standing_steps(self) -> list[Step]:
        """The steps whose outcome stands: a retry that passed resolves the failed build and
        retries before it (it reran what they failed or skipped)."""
        standing: list[Step] = []
        for step in self.steps:
            if step.command == "retry" and step.success:
                standing = [s for s in standing if s.command not in ("build", "retry")]
            standing.append(step)
        return standing

    def finish(self, started: float, code: ExitCode | None = None) -> RunSummary:
        self.ended_at = now_iso()
        self.duration_seconds = round(time.perf_counter() - started, 3)
        exit_code = code if code is not None else self.classify()
        self.exit_code = int(exit_code)
        self.status = "success" if exit_code == ExitCode.OK else exit_code.name.lower()
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "command": self.command,
            "target": self.target,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "duration_seconds": self.duration_seconds,
            "status": self.status,
            "exit_code": self.exit_code,
            "message": self.message,
            "warehouse": self.warehouse,
            "failed_copy": self.failed_copy,
            "report": self.report,
            "counts": self.counts(),
            "steps": [
                {"command": s.command, "success": s.success, "seconds": s.seconds, "error": s.error}
                for s in self.steps
            ],
            "failed_nodes": [
                {
                    "unique_id": n.unique_id,
                    "resource_type": n.resource_type,
                    "status": n.status,
                    "message": n.message,
                    "failures": n.failures,
                }
                for n in self.failed_nodes()
            ],
            "slowest_models": [
                {"unique_id": n.unique_id, "seconds": n.execution_time}
                for n in self.slowest_models()
            ],
            "funnel": self.funnel,
            "night": self.night,
            "anomalies": self.anomalies,
            "changes": self.changes,
        }

    def text(self) -> str:
        """The human summary printed at the end of a run."""
        c = self.counts()
        lines = [
            f"{self.command} {self.status} (exit {self.exit_code}) on target {self.target} "
            f"in {self.duration_seconds:.1f}s, run {self.run_id}",
            f"nodes: {c['pass']} passed, {c['warn']} warned, {c['fail']} failed, "
            f"{c['skip']} skipped, {c['total']} total",
        ]
        if self.message:
            lines.append(self.message)
        for node in self.failed_nodes():
            lines.append(f"  FAILED {node.unique_id}: {first_line(node.message)}")
        slow = self.slowest_models(3)
        if slow:
            lines.append("slowest: " + ", ".join(f"{m.name} {m.execution_time:.2f}s" for m in slow))
        if self.funnel:
            f = self.funnel
            lines.append(
                f"funnel week {f['wk']}: {f['n_sessions']} sessions, "
                f"{f['n_add_to_cart_sessions']} add to cart, {f['n_checkout_sessions']} checkout "
                f"(drop-off {f['add_to_cart_dropoff']:.1%} then {f['checkout_dropoff']:.1%})"
            )
            if f.get("n_suspected_bot_sessions"):
                lines.append(
                    f"  without {f['n_suspected_bot_sessions']} suspected bot sessions: "
                    f"{f['n_human_sessions']} sessions, {f['n_human_add_to_cart_sessions']} add "
                    f"to cart, {f['n_human_checkout_sessions']} checkout (drop-off "
                    f"{percent(f['human_add_to_cart_dropoff'])} then "
                    f"{percent(f['human_checkout_dropoff'])})"
                )
        if self.night:
            lines.append(night_line(self.night))
        for anomaly in self.anomalies:
            lines.append(f"  ANOMALY {anomaly['kind']}: {anomaly['message']}")
        if self.report:
            lines.append(f"report: {self.report}")
        return "\n".join(lines)


def night_line(night: dict[str, Any]) -> str:
    """What a night tested and skipped, in one line."""
    line = f"tests: {night.get('reason')}"
    skipped = night.get("skipped")
    if skipped:
        counts = ", ".join(f"{n} {kind}s" for kind, n in sorted(skipped["counts"].items()))
        line += f"; skipped {counts or 'nothing'}: {skipped['reason']}"
    return line


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def now_iso() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
