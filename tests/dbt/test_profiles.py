"""profiles.example.yml, the documented template, against the committed profiles.yml."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from dbt_helpers import PROJECT

BIN = Path(sys.executable).parent


def outputs(name: str) -> dict[str, dict]:
    return yaml.safe_load((PROJECT / name).read_text())["greenery"]["outputs"]


def test_the_example_defines_the_committed_targets_with_the_same_adapters():
    example, committed = outputs("profiles.example.yml"), outputs("profiles.yml")
    assert sorted(example) == sorted(committed)
    assert {t: o["type"] for t, o in example.items()} == {
        t: o["type"] for t, o in committed.items()
    }
    snowflake = [o for o in example.values() if o["type"] == "snowflake"]
    assert any("password" in o for o in snowflake)  # both ways to authenticate are shown
    assert any("private_key_path" in o for o in snowflake)
    secrets = [o[k] for o in snowflake for k in ("password", "private_key_passphrase") if k in o]
    assert all("env_var(" in s for s in secrets if s != "emulated")  # no secret in the file


def test_dbt_reads_the_example_as_a_profile(tmp_path):
    """dbt parses the project with the example as its profile (the embedded target)."""
    shutil.copy(PROJECT / "profiles.example.yml", tmp_path / "profiles.yml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBT_", "GREENERY_"))}
    result = subprocess.run(
        [BIN / "dbt", "debug", "--config-dir", "--profiles-dir", tmp_path],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    listed = subprocess.run(
        [BIN / "dbt", "ls", "--profiles-dir", tmp_path, "--target", "dev", "-q", "--select",
         "f_weekly_sales_funnel", "--target-path", tmp_path / "target"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert listed.returncode == 0 and "f_weekly_sales_funnel" in listed.stdout, listed.stdout[
        -2000:
    ]
