"""Every bad export of the corpus (`bad_inputs/cases.py`) meets the outcome it declares.

One clean one-week export is generated and loaded once (the baseline), with the staging and
intermediate views built and every test on them passing. Each case's mutated export is then
loaded with `greenery load --csv` (in-process, through Click's runner) into a copy of the
baseline:

- rejected: exit code 6, no traceback, the message names the file, column and line, and the
  warehouse file is byte-identical afterwards (no write-ahead log left either);
- caught: the load succeeds, and the tests that `dbt build` reaches on the changed sources fail
  exactly on the declared tests, each with its failing rows stored;
- accepted: the load succeeds and the data is stored as it is (or equals the clean export's),
  and every test passes.

How a caught case is run, to keep this file fast while exact:

- caught by the staging or intermediate tests: `dbt build` of the changed sources and what
  reads them (marts, snapshots and unit tests excluded), one run per case;
- caught by tests on its source alone: a failing test on a source makes `dbt build` skip
  everything that reads that source, so only the tests on the source run. Such cases are run in
  batches of cases on different tables, one export and one `dbt test --select source:...` per
  batch: a test on one source reads that table only, so each case is judged on its own table's
  tests exactly as if it ran alone.

dbt runs in-process through dbtRunner with the project's manifest parsed once for the module
(greenery.dbt.Dbt gives the arguments and environment), so no run parses the project again.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bad_inputs.cases import CASES, Accepted, Case, Caught, Rejected
from click.testing import CliRunner
from dbt.cli.main import dbtRunner
from dbt_helpers import PROJECT, published_rows
from greenery.cli import main
from greenery.dbt.runner import Dbt, environment
from greenery.ops.outcome import ExitCode
from greenery.warehouse import arrivals, database, datasets
from greenery.warehouse.facts import RAW_TABLES

#: What a case caught downstream of its source builds: the changed sources and what reads
#: them, short of the marts.
EXCLUDE = (
    "path:models/marts",
    "path:models/monitoring",
    "resource_type:snapshot",
    "resource_type:unit_test",
    "resource_type:exposure",
)
PASSING = {"pass", "success", "skipped"}

REJECTED = [c for c in CASES if isinstance(c.expect, Rejected)]
CAUGHT = [c for c in CASES if isinstance(c.expect, Caught)]
ACCEPTED = [c for c in CASES if isinstance(c.expect, Accepted)]


def ids(cases: list[Case]) -> list[str]:
    return [c.name for c in cases]


# ---------------------------------------------------------------------------- dbt
def dbt(path: Path, command: list[str], manifest: Any = None) -> Any:
    """`dbt <command>` in this process on the warehouse at `path`, from a parsed manifest."""
    project = Dbt(duckdb_path=path)
    with environment(project.env()), contextlib.redirect_stdout(sys.stderr):
        return dbtRunner(manifest=manifest).invoke([*command, *project.common_args()])


def results_by_name(result: Any) -> dict[str, Any]:
    assert result.result is not None, result.exception
    return {r.node.name: r for r in result.result.results}


def build(manifest: Any, path: Path, tables: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """`dbt build` of the tables' sources and what reads them, with the reference seeds they
    join (the funnel steps order the event types); every node's result by name."""
    selection = [f"source:greenery.{t}+" for t in tables] + ["resource_type:seed"]
    command = ["build", "--select", *selection, "--exclude", *EXCLUDE, "--no-write-json"]
    return results_by_name(dbt(path, command, manifest))


def run_source_tests(manifest: Any, path: Path, tables: list[str]) -> dict[str, Any]:
    """`dbt test` of the tests on the tables' sources; every test's result by name."""
    selection = [f"source:greenery.{t}" for t in tables]
    return results_by_name(dbt(path, ["test", "--select", *selection, "--no-write-json"], manifest))


def on_one_source(manifest: Any) -> dict[str, str]:
    """Each test that reads one source table and nothing else: the table, by test name."""
    tables = {}
    for node in manifest.nodes.values():
        parents = getattr(node.depends_on, "nodes", [])  # seeds depend on macros only
        if node.resource_type == "test" and [p.rsplit(".", 1)[0] for p in parents] == [
            "source.greenery.greenery"
        ]:
            tables[node.name] = parents[0].rsplit(".", 1)[1]
    return tables


# ---------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def clean_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one-week sample as an export (what `greenery generate --weeks 1` writes)."""
    directory = tmp_path_factory.mktemp("clean_export")
    datasets.export_sample(directory)
    return directory


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The project parsed once: every dbt run of this module starts from it."""
    path = tmp_path_factory.mktemp("parse") / "greenery.duckdb"
    result = dbt(path, ["parse"])
    assert result.success, result.exception
    return result.result


@pytest.fixture(scope="module")
def baseline(clean_export: Path, manifest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The clean export loaded, staging and intermediate built, every test on them passing."""
    path = tmp_path_factory.mktemp("baseline") / "greenery.duckdb"
    loaded = load(path, clean_export)
    assert loaded.exit_code == 0, loaded.output
    results = build(manifest, path, RAW_TABLES)
    assert results and all(r.status in ("pass", "success") for r in results.values()), {
        name: r.status for name, r in results.items() if r.status not in ("pass", "success")
    }
    with database.connect(path) as con:
        con.execute("force checkpoint")
    return path


@pytest.fixture(scope="module")
def baseline_raw(baseline: Path) -> dict[str, str]:
    return raw_digest(baseline)


@pytest.fixture(scope="module")
def source_of(manifest) -> dict[str, str]:
    return on_one_source(manifest)


@pytest.fixture(scope="module")
def batches(source_of: dict[str, str]) -> list[dict[str, Case]]:
    """Cases caught on their source alone, grouped so that no two in a group share a table."""
    groups: list[dict[str, Case]] = []
    for case in CAUGHT:
        table = single_source(case, source_of)
        if table is None:
            continue
        group = next((g for g in groups if table not in g), None)
        if group is None:
            groups.append(group := {})
        group[table] = case
    return groups


@pytest.fixture(scope="module")
def batch_runs(
    batches, clean_export, baseline, manifest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[int], tuple[Path, dict[str, Any]]]:
    """Each batch's warehouse and test results, run when a case of it is first tested."""
    runs: dict[int, tuple[Path, dict[str, Any]]] = {}

    def run(index: int) -> tuple[Path, dict[str, Any]]:
        if index not in runs:
            directory = tmp_path_factory.mktemp(f"batch{index}")
            export = directory / "export"
            shutil.copytree(clean_export, export)
            for table, case in batches[index].items():
                before = snapshot(export)
                case.mutate(export)
                assert changed_tables(export, before) == [table], f"{case.name} changes more"
            path = fresh_copy(baseline, directory / "warehouse" / "greenery.duckdb")
            loaded = load(path, export)
            assert loaded.exit_code == 0, loaded.output
            runs[index] = (path, run_source_tests(manifest, path, list(batches[index])))
        return runs[index]

    return run


# ---------------------------------------------------------------------------- helpers
def single_source(case: Case, source_of: dict[str, str]) -> str | None:
    """The one source table whose own tests a case declares, if that is all it declares."""
    assert isinstance(case.expect, Caught)
    tables = {source_of.get(test) for test in case.expect.tests}
    return next(iter(tables)) if len(tables) == 1 and None not in tables else None


def mutated(case: Case, clean_export: Path, directory: Path) -> Path:
    export = directory / "export"
    shutil.copytree(clean_export, export)
    case.mutate(export)
    return export


def snapshot(export: Path) -> dict[str, bytes | None]:
    """Every table file's bytes (None where there is no regular file)."""
    return {
        t: (export / f"{t}.csv").read_bytes() if (export / f"{t}.csv").is_file() else None
        for t in RAW_TABLES
    }


def changed_tables(export: Path, before: dict[str, bytes | None]) -> list[str]:
    """The tables whose file differs from before."""
    after = snapshot(export)
    return [t for t in RAW_TABLES if after[t] != before[t]]


def fresh_copy(baseline: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(baseline, target)
    return target


def file_state(path: Path) -> tuple[str, list[str]]:
    """The warehouse file's hash and the files beside it (a write would leave a .wal).

    The warehouse's lock file (`<file>.lock`, taken by every load) is not data: it is left out.
    """
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest, sorted(p.name for p in path.parent.iterdir() if p.suffix != ".lock")


def load(path: Path, export: Path) -> Any:
    return CliRunner().invoke(main, ["load", "--warehouse", str(path), "--csv", str(export)])


def raw_digest(path: Path) -> dict[str, str]:
    with database.connect(path) as con:
        return {
            t: hashlib.sha256(
                repr(con.execute(f"select * from raw.{t} order by all").fetchall()).encode()
            ).hexdigest()
            for t in RAW_TABLES
        }


def names_line(message: str, line: int) -> bool:
    """The message puts `line` among the lines it names ("line 12", "line(s) 3, 8", "lines 4")."""
    return re.search(rf"\bline(?:s|\(s\))? (?:\d+, )*{line}\b", message) is not None


def drop_permission_override() -> None:
    """In a child process: drop root's override of file permissions (CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH) from the bounding set, so what it runs is refused a mode-000 file as
    anyone else would be."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop = 24
    for capability in (1, 2):
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def load_in_child(path: Path, export: Path) -> subprocess.CompletedProcess[str]:
    """`greenery load --csv` in a child process that file permissions apply to, even as root."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PROJECT / "orchestrate"), env.get("PYTHONPATH")) if p
    )
    command = [sys.executable, "-m", "greenery.cli", "load", "--warehouse", str(path)]
    return subprocess.run(
        [*command, "--csv", str(export)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=drop_permission_override if os.geteuid() == 0 else None,
        check=False,
    )


def assert_failures_stored(path: Path, results: dict[str, Any], tests: tuple[str, ...]) -> None:
    with database.connect(path) as con:
        for name in tests:
            relation = results[name].node.relation_name
            assert relation, f"{name} stores no failures"
            (stored,) = con.execute(f"select count(*) from {relation}").fetchone()
            assert stored >= 1, name


# ---------------------------------------------------------------------------- the corpus
def test_corpus_covers_every_kind_of_bad_input():
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)
    for case in CASES:
        assert re.fullmatch(r"[a-z0-9_]+", case.name), case.name
        assert case.doc and "\n" not in case.doc and len(case.doc) <= 100, case.name
    assert {c.group for c in CASES} >= {
        "schema", "types", "encoding", "keys", "orphans", "money", "urls", "whitespace", "huge",
        "empty", "timestamps", "status", "injection", "files", "quoting",
    }  # fmt: skip
    for case in REJECTED:
        assert case.expect.table in RAW_TABLES, case.name
    assert len(REJECTED) >= 30 and len(CAUGHT) >= 30


@pytest.mark.parametrize("case", REJECTED, ids=ids(REJECTED))
def test_rejected(case: Case, clean_export, baseline, tmp_path):
    expect = case.expect
    assert isinstance(expect, Rejected)
    export = mutated(case, clean_export, tmp_path)
    path = fresh_copy(baseline, tmp_path / "warehouse" / "greenery.duckdb")
    before = file_state(path)

    if case.needs_permissions:
        # root reads a mode-000 file anyway: the load runs in a child without that privilege
        if os.geteuid() == 0:
            probe = subprocess.run(
                ["cat", str(export / f"{expect.table}.csv")],
                capture_output=True,
                preexec_fn=drop_permission_override,
                check=False,
            )
            assert probe.returncode != 0, "the file must be unreadable to the loader"
        child = load_in_child(path, export)
        exit_code, message = child.returncode, child.stderr + child.stdout
    else:
        result = load(path, export)
        assert isinstance(result.exception, SystemExit), result.exception  # not a crash
        exit_code, message = result.exit_code, result.output

    assert exit_code == ExitCode.BAD_INPUT == 6, message
    assert "Traceback" not in message
    assert f"{expect.table}.csv" in message, message
    if expect.column is not None:
        assert expect.column in message, message
    if expect.line is not None:
        assert names_line(message, expect.line), message
    for phrase in expect.says:
        assert phrase in message, message
    assert "nothing was loaded" in message
    assert file_state(path) == before


@pytest.mark.parametrize("case", CAUGHT, ids=ids(CAUGHT))
def test_caught(
    case: Case, clean_export, baseline, manifest, source_of, batches, batch_runs, tmp_path
):
    expect = case.expect
    assert isinstance(expect, Caught)
    table = single_source(case, source_of)
    if table is not None:
        index = next(i for i, group in enumerate(batches) if group.get(table) is case)
        path, everything = batch_runs(index)
        results = {n: r for n, r in everything.items() if source_of.get(n) == table}
        assert results, f"no test ran on source {table}"
    else:
        export = mutated(case, clean_export, tmp_path)
        tables = changed_tables(export, snapshot(clean_export))
        path = fresh_copy(baseline, tmp_path / "warehouse" / "greenery.duckdb")
        loaded = load(path, export)
        assert loaded.exit_code == 0, loaded.output
        results = build(manifest, path, tables)

    failed = {name: r.status for name, r in results.items() if r.status not in PASSING}
    assert set(failed) == set(expect.tests), failed
    assert set(failed.values()) == {"fail"}, failed  # failed, not errored
    assert_failures_stored(path, results, expect.tests)


@pytest.mark.parametrize("case", ACCEPTED, ids=ids(ACCEPTED))
def test_accepted(case: Case, clean_export, baseline, baseline_raw, manifest, tmp_path):
    expect = case.expect
    assert isinstance(expect, Accepted)
    export = mutated(case, clean_export, tmp_path)
    tables = changed_tables(export, snapshot(clean_export))
    assert tables, "the mutation changed no file"
    path = fresh_copy(baseline, tmp_path / "warehouse" / "greenery.duckdb")

    loaded = load(path, export)
    assert loaded.exit_code == 0, loaded.output

    if expect.stored is None:
        assert raw_digest(path) == baseline_raw
        return
    table, column, text = expect.stored
    with database.connect(path) as con:
        query = f"select count(*) from raw.{table} where {column} = ?"
        assert con.execute(query, [text]).fetchone() == (1,)
        present = {r for (r,) in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert set(RAW_TABLES) <= present
    results = build(manifest, path, tables)
    assert {n: r.status for n, r in results.items() if r.status not in PASSING} == {}


def test_a_failing_source_test_keeps_the_bad_table_out_of_its_snapshot(
    clean_export, baseline, manifest, tmp_path
):
    """`dbt build` runs the tests on a source before the snapshot that reads it."""
    snapshots = ("orders_snapshot", "product_inventory_snapshot")
    selection = ["source:greenery.orders", "source:greenery.products", *snapshots]

    def snapshot_statuses(path: Path) -> dict[str, str]:
        command = ["build", "--select", *selection, "--no-write-json"]
        results = results_by_name(dbt(path, command, manifest))
        return {name: results[name].status for name in snapshots}

    clean = fresh_copy(baseline, tmp_path / "clean" / "greenery.duckdb")
    assert snapshot_statuses(clean) == dict.fromkeys(snapshots, "success")

    cases = {c.name: c for c in CASES}
    export = mutated(cases["header_only_orders"], clean_export, tmp_path)
    cases["nan_price"].mutate(export)
    path = fresh_copy(baseline, tmp_path / "bad" / "greenery.duckdb")
    assert load(path, export).exit_code == 0
    assert snapshot_statuses(path) == dict.fromkeys(snapshots, "skipped")


# ---------------------------------------------------------------------------- through the job
def job_groups(clean_export: Path, directory: Path) -> list[list[Case]]:
    """Every caught case, grouped so that no two cases of a group change the same table."""
    groups: list[tuple[set[str], list[Case]]] = []
    for case in CAUGHT:
        export = mutated(case, clean_export, directory / case.name)
        tables = set(changed_tables(export, snapshot(clean_export)))
        shutil.rmtree(directory / case.name)
        group = next((g for g in groups if not g[0] & tables), None)
        if group is None:
            groups.append(group := (set(), []))
        group[0].update(tables)
        group[1].append(case)
    return [cases for _, cases in groups]


def arrive_as_tonight(path: Path, clean: Path, bad: Path) -> None:
    """Make the rows a bad export changed arrive in `path` tonight, inside the night's window.

    Both exports are loaded (as `greenery load` types them) into their own files; a row of the
    bad one that the clean one lacks is written into `path`'s raw table, replacing the clean row
    it changed (same first column, the table's key) or added to it; a clean row the bad export
    lacks is deleted, and an emptied table is emptied. A changed event keeps its bad values but
    happens an hour before the data clock, as a night's arrivals do, unless its time is what
    went bad (a changed event whose time is still one of the changed clean rows' kept it).
    """
    with database.connect(path) as con:
        (clock,) = con.execute("select max(now) from greenery_meta.clock").fetchone()
        con.execute(f"attach '{clean}' as clean (read_only)")
        con.execute(f"attach '{bad}' as bad (read_only)")
        con.execute("begin transaction")
        for table in RAW_TABLES:
            key = con.execute(
                "select column_name from information_schema.columns where table_schema = 'raw' "
                "and table_name = ? order by ordinal_position limit 1",
                [table],
            ).fetchone()[0]
            con.execute(
                f"create temp table gone as select * from clean.raw.{table} "
                f"except all select * from bad.raw.{table}"
            )
            con.execute(
                f"create temp table came as select * from bad.raw.{table} "
                f"except all select * from clean.raw.{table}"
            )
            if table == "events":  # an event that kept its time arrives tonight
                con.execute(
                    "update came set created_at = ? - interval 1 hour "
                    "where created_at in (select gone.created_at from gone)",
                    [clock],
                )
            (left,) = con.execute(f"select count(*) from bad.raw.{table}").fetchone()
            if left == 0:  # the export emptied the table: tonight it holds nothing
                con.execute(f"delete from raw.{table}")
            con.execute(f"delete from raw.{table} where ({key}) in (select {key} from gone)")
            con.execute(f"insert into raw.{table} select * from came")
            con.execute("drop table gone; drop table came")
        con.execute("commit")


def test_every_caught_case_through_a_night_publishes_nothing(built, clean_export, tmp_path):
    """Each bad row arriving in a night's window fails that night (`greenery run-job`, testing
    what the night wrote): the case's tests fail (or are skipped behind a failure upstream, never
    pass), and marts and snapshots stay row for row. `greenery build` catching every case is
    `test_caught`'s.

    Cases run in groups that change different tables (a group fails if any of its cases does,
    and publishes nothing then).
    """
    from greenery.jobs import run_job
    from greenery.jobs.options import DbtOptions

    baseline = database.copy(built, tmp_path / "baseline" / "greenery.duckdb")  # and history
    with database.connect(baseline) as con:
        arrivals.arrive(con, 1, 42)
    first = run_job.run(Dbt(duckdb_path=baseline), DbtOptions(), run_job.JobOptions(False))
    assert first.exit_code == 0, first.text()
    before = published_rows(baseline)
    clean = tmp_path / "clean" / "greenery.duckdb"
    clean.parent.mkdir()
    assert load(clean, clean_export).exit_code == 0
    groups = job_groups(clean_export, tmp_path / "cases")
    assert sum(len(g) for g in groups) == len(CAUGHT)
    path = tmp_path / "warehouse" / "greenery.duckdb"  # one path: dbt's partial parse holds
    for group in groups:
        export = tmp_path / "export"
        shutil.rmtree(export, ignore_errors=True)
        shutil.copytree(clean_export, export)
        for case in group:
            case.mutate(export)
        bad = tmp_path / "bad" / "greenery.duckdb"
        shutil.rmtree(bad.parent, ignore_errors=True)
        bad.parent.mkdir()
        assert load(bad, export).exit_code == 0, [c.name for c in group]
        database.copy(baseline, path)
        arrive_as_tonight(path, clean, bad)

        summary = run_job.run(Dbt(duckdb_path=path), DbtOptions(), run_job.JobOptions(False))

        names = [c.name for c in group]
        assert summary.night["tests"] == "window", names
        assert summary.exit_code in (ExitCode.TESTS_FAILED, ExitCode.MODELS_ERRORED), names
        # a case's tests failed, or were skipped behind a failure upstream: none passed
        status = {n.name: n.status for n in summary.nodes}
        for case in group:
            reached = {status.get(test) for test in case.expect.tests}
            assert reached <= {"fail", "error", "skipped"}, (case.name, reached)
        assert summary.failed_copy and "nothing published" in (summary.message or ""), names
        assert published_rows(path) == before, names
