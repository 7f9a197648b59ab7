"""The deployment examples are valid: workflows, cron line and systemd units."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import click
import pytest
import yaml
from dbt_helpers import PROJECT
from greenery.cli import main

WORKFLOWS = sorted((PROJECT / ".github" / "workflows").glob("*.yml"))
CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")
CRON_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]


def greenery_calls(text: str) -> list[list[str]]:
    """Every `greenery ...` command line in a script, as arguments."""
    calls = []
    for match in re.finditer(r"(?:^|[\s;&|(])(?:\S*/)?greenery ([^\n;&|>)]*)", text):
        args = shlex.split(match.group(1))
        if args and not args[0].startswith("-"):
            calls.append(args)
    return calls


def assert_parses(args: list[str]) -> None:
    """Parse the arguments with the real CLI, as it would before running."""
    ctx = main.make_context("greenery", list(args), resilient_parsing=False)
    command = main.get_command(ctx, args[0])
    assert command is not None, f"greenery has no command {args[0]!r}"
    command.make_context(args[0], list(args[1:]), parent=ctx)


def valid_cron(expression: str) -> bool:
    fields = expression.split()
    if len(fields) != 5:
        return False
    for field, (low, high) in zip(fields, CRON_RANGES, strict=True):
        if not CRON_FIELD.match(field):
            return False
        numbers = [int(n) for n in re.findall(r"\d+", field.split("/")[0])]
        if any(n < low or n > high for n in numbers):
            return False
    return True


def test_there_are_ci_and_nightly_workflows():
    assert {w.stem for w in WORKFLOWS} == {"ci", "nightly"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.stem)
def test_workflow_is_valid(workflow):
    spec = yaml.safe_load(workflow.read_text())
    triggers = spec.get("on", spec.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers, "no triggers"
    for cron in (triggers.get("schedule") or []) if isinstance(triggers, dict) else []:
        assert valid_cron(cron["cron"])
    assert spec["jobs"]
    calls = []
    for name, job in spec["jobs"].items():
        assert job["runs-on"] and job["steps"], name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            if "run" in step:
                calls += greenery_calls(step["run"])
    for args in calls:
        assert_parses(args)
    if workflow.stem == "nightly":
        assert ["run-job", "--target", "prod", "--retry", "--json"] in calls
    else:
        assert any(a[:1] == ["ci"] and "--state" in a for a in calls)


def test_crontab_line():
    lines = [
        line
        for line in (PROJECT / "deploy" / "crontab").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(lines) == 1
    fields = lines[0].split(None, 5)
    assert valid_cron(" ".join(fields[:5]))
    (call,) = greenery_calls(fields[5])
    assert_parses(call)


def test_systemd_units():
    service = configparser.ConfigParser(strict=True)
    service.read(PROJECT / "deploy" / "greenery-nightly.service")
    timer = configparser.ConfigParser(strict=True)
    timer.read(PROJECT / "deploy" / "greenery-nightly.timer")
    assert service["Service"]["Type"] == "oneshot"
    exec_start = shlex.split(service["Service"]["ExecStart"])
    assert exec_start[0].endswith("/greenery") and exec_start[0].startswith("/")
    assert_parses(exec_start[1:])
    assert service["Service"]["SuccessExitStatus"] == "4"  # the lock-held code
    assert timer["Timer"]["Unit"] == "greenery-nightly.service"
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:\d\d UTC", timer["Timer"]["OnCalendar"])
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_validators_reject_bad_input():
    assert not valid_cron("0 25 * * *") and not valid_cron("0 5 * *")
    with pytest.raises(click.NoSuchOption):
        assert_parses(["run-job", "--no-such-option"])
    with pytest.raises(AssertionError):
        assert_parses(["no-such-command"])


def nightly_steps() -> list[dict]:
    spec = yaml.safe_load((PROJECT / ".github" / "workflows" / "nightly.yml").read_text())
    (job,) = spec["jobs"].values()
    return job["steps"]


def step_index(steps: list[dict], predicate) -> int:
    (index,) = [i for i, step in enumerate(steps) if predicate(step)]
    return index


def test_nightly_keeps_the_run_history_from_night_to_night():
    """`greenery history --target prod` reads runs/history.duckdb: the nightly job must bring
    the previous nights' file back before the job and keep tonight's after it, even on failure."""
    from greenery.ops import runlog

    history = runlog.history_path(Path("."), None).as_posix()
    assert history == "runs/history.duckdb"
    steps = nightly_steps()
    job = step_index(steps, lambda s: "greenery run-job --target prod" in s.get("run", ""))
    restore = step_index(steps, lambda s: s.get("uses", "").startswith("actions/cache/restore@"))
    save = step_index(steps, lambda s: s.get("uses", "").startswith("actions/cache/save@"))
    assert restore < job < save
    restored, saved = steps[restore]["with"], steps[save]["with"]
    assert restored["path"] == saved["path"] == history
    # a cache entry is immutable: every run saves under its own key...
    assert "${{ github.run_id }}" in saved["key"] and restored["key"] == saved["key"]
    # ...and restores the newest entry of any earlier run by the shared prefix
    prefix = restored["restore-keys"].strip()
    assert "\n" not in prefix and saved["key"].startswith(prefix) and "${{" not in prefix
    assert steps[save]["if"].startswith("always()")


def test_nightly_uploads_the_state_slim_ci_downloads():
    steps = nightly_steps()
    upload = step_index(steps, lambda s: s.get("uses", "").startswith("actions/upload-artifact@"))
    assert steps[upload]["if"] == "always()"
    assert steps[upload]["with"]["name"] == "prod-state"
    # a single directory: the artifact holds manifest.json at its top, where slim CI looks
    assert steps[upload]["with"]["path"].strip() == "prod-state/"
    copy = step_index(steps, lambda s: "cp runs/*/*.json prod-state/" in s.get("run", ""))
    assert copy < upload
    ci = (PROJECT / ".github" / "workflows" / "ci.yml").read_text()
    assert "--name prod-state --dir prod-state" in ci and "prod-state/manifest.json" in ci
