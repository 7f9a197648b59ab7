"""`greenery doctor`'s pure checks, fed with small profile outputs as `profile_outputs` gives them.

Fast unit tests: no dbt run, no subprocess, no warehouse; the environment is set per test.
"""

from __future__ import annotations

import json
import os

import pytest
import yaml
from dbt_helpers import PROJECT
from greenery.ops import doctor

SECRETS = {
    "SNOWFLAKE_ACCOUNT": "acct-secret-1841",
    "SNOWFLAKE_USER": "user-secret-2093",
    "SNOWFLAKE_PASSWORD": "pw-secret-5527",
    "SNOWFLAKE_WAREHOUSE": "wh-secret-7710",
    "SNOWFLAKE_DATABASE": "db-secret-3306",
    "SNOWFLAKE_ROLE": "role-secret-9021",
}


@pytest.fixture(autouse=True)
def dbt_packages() -> None:
    """Overrides conftest's session fixture: these checks need no dbt packages installed."""


@pytest.fixture()
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("SNOWFLAKE_", "GREENERY_", "DBT_", "DOCTOR_TEST_")):
            monkeypatch.delenv(name)


def profile_output(target: str) -> dict:
    """One output of the repository's own profiles.yml, unrendered, as doctor.run reads it."""
    profile = yaml.safe_load((PROJECT / "profiles.yml").read_text())
    return profile["greenery"]["outputs"][target]


def by_name(checks: list[doctor.Check]) -> dict[str, doctor.Check]:
    names = [c.name for c in checks]
    assert len(names) == len(set(names)), f"a check is reported twice: {names}"
    return {c.name: c for c in checks}


def failing(checks: list[doctor.Check]) -> set[str]:
    return {c.name for c in checks if not c.ok}


def everything_shown(checks: list[doctor.Check]) -> str:
    """All doctor could print about the checks: its text lines and its JSON report."""
    return "\n".join(c.line() for c in checks) + json.dumps(doctor.report("t", checks))


# -------------------------------------------------------------------------- environment variables


def test_a_missing_required_variable_is_reported_missing_by_name(clean_env):
    output = {"type": "duckdb", "path": "{{ env_var('DOCTOR_TEST_PATH') }}"}
    (check,) = doctor.env_checks(output)
    assert check.name == "env DOCTOR_TEST_PATH"
    assert not check.ok
    assert "required" in check.detail
    assert check.line().startswith("MISSING env DOCTOR_TEST_PATH")


def test_a_set_required_variable_is_ok_and_its_value_never_shown(clean_env, monkeypatch):
    monkeypatch.setenv("DOCTOR_TEST_PATH", "value-do-not-print-4411")
    output = {"type": "duckdb", "path": "{{ env_var('DOCTOR_TEST_PATH') }}"}
    checks = doctor.env_checks(output)
    assert by_name(checks)["env DOCTOR_TEST_PATH"].ok
    assert "value-do-not-print-4411" not in everything_shown(checks)


def test_a_variable_set_to_an_empty_string_counts_as_missing(clean_env, monkeypatch):
    monkeypatch.setenv("DOCTOR_TEST_PATH", "")
    checks = doctor.env_checks({"path": "{{ env_var('DOCTOR_TEST_PATH') }}"})
    assert failing(checks) == {"env DOCTOR_TEST_PATH"}


def test_a_variable_with_a_default_is_not_required(clean_env, monkeypatch):
    output = {"schema": "{{ env_var('DOCTOR_TEST_SCHEMA', 'd') }}"}
    (unset,) = doctor.env_checks(output)
    assert unset.name == "env DOCTOR_TEST_SCHEMA" and unset.ok
    assert "default" in unset.detail
    monkeypatch.setenv("DOCTOR_TEST_SCHEMA", "mine")
    (given,) = doctor.env_checks(output)
    assert given.ok and given.detail == "set"


def test_nested_defaults_make_both_variables_optional(clean_env):
    output = {"role": "{{ env_var('DOCTOR_TEST_A', env_var('DOCTOR_TEST_B', 'TRANSFORMER')) }}"}
    checks = by_name(doctor.env_checks(output))
    assert set(checks) == {"env DOCTOR_TEST_A", "env DOCTOR_TEST_B"}
    assert all(c.ok for c in checks.values())


def test_a_variable_required_in_one_field_is_required_even_with_a_default_elsewhere(clean_env):
    output = {
        "schema": "{{ env_var('DOCTOR_TEST_V', 'fallback') }}",
        "database": "{{ env_var('DOCTOR_TEST_V') }}",
    }
    checks = doctor.env_checks(output)
    assert [c.name for c in checks] == ["env DOCTOR_TEST_V"]  # once, not twice
    assert failing(checks) == {"env DOCTOR_TEST_V"}


def test_variables_inside_nested_settings_are_found(clean_env):
    output = {"type": "duckdb", "settings": {"memory_limit": "{{ env_var('DOCTOR_TEST_MEM') }}"}}
    assert failing(doctor.env_checks(output)) == {"env DOCTOR_TEST_MEM"}


def test_literal_values_need_no_variables(clean_env):
    assert doctor.env_checks({"type": "duckdb", "path": "w.duckdb", "threads": 2}) == []


def test_the_embedded_target_needs_nothing_from_the_environment(clean_env):
    checks = doctor.env_checks(profile_output("dev"))
    assert checks and doctor.all_ok(checks)
    assert "env GREENERY_DUCKDB_PATH" in by_name(checks)


@pytest.mark.parametrize(
    ("target", "needed"),
    [
        ("ci", {"SNOWFLAKE_ACCOUNT", "SNOWFLAKE_USER", "SNOWFLAKE_WAREHOUSE"}),
        (
            "prod",
            {"SNOWFLAKE_ACCOUNT", "SNOWFLAKE_USER", "SNOWFLAKE_WAREHOUSE", "SNOWFLAKE_DATABASE"},
        ),
    ],
)
def test_a_snowflake_target_names_each_missing_variable_and_the_auth(clean_env, target, needed):
    checks = doctor.env_checks(profile_output(target))
    assert failing(checks) == {f"env {name}" for name in needed} | {"snowflake auth"}
    assert by_name(checks)["env SNOWFLAKE_PASSWORD"].ok  # has a default: one auth of several


@pytest.mark.parametrize("target", ["ci", "prod"])
def test_no_secret_value_appears_in_any_check(clean_env, monkeypatch, target):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    output = profile_output(target)
    checks = doctor.env_checks(output) + doctor.empty_checks(output)
    assert doctor.all_ok(checks), [c.line() for c in checks if not c.ok]
    shown = everything_shown(checks)
    for value in SECRETS.values():
        assert value not in shown


# -------------------------------------------------------------------------- snowflake auth


def auth(checks: list[doctor.Check]) -> doctor.Check:
    return by_name(checks)["snowflake auth"]


def test_snowflake_auth_by_password(clean_env, monkeypatch):
    monkeypatch.setenv("SNOWFLAKE_PASSWORD", SECRETS["SNOWFLAKE_PASSWORD"])
    check = auth(doctor.env_checks(profile_output("ci")))
    assert check.ok and "password" in check.detail
    assert SECRETS["SNOWFLAKE_PASSWORD"] not in check.line()


def test_snowflake_auth_by_a_key_file(clean_env, monkeypatch, tmp_path):
    key = tmp_path / "rsa_key.p8"
    key.write_text("-----BEGIN PRIVATE KEY-----\n")
    monkeypatch.setenv("SNOWFLAKE_PRIVATE_KEY_PATH", str(key))
    check = auth(doctor.env_checks(profile_output("ci")))
    assert check.ok and "key pair" in check.detail


@pytest.mark.parametrize("kind", ["absent", "a directory"])
def test_snowflake_auth_by_a_key_path_that_is_not_a_file_fails(
    clean_env, monkeypatch, tmp_path, kind
):
    key = tmp_path / "keys"
    if kind == "a directory":
        key.mkdir()
    monkeypatch.setenv("SNOWFLAKE_PRIVATE_KEY_PATH", str(key))
    monkeypatch.setenv("SNOWFLAKE_PASSWORD", SECRETS["SNOWFLAKE_PASSWORD"])  # a bad key still fails
    check = auth(doctor.env_checks(profile_output("ci")))
    assert not check.ok
    assert "SNOWFLAKE_PRIVATE_KEY_PATH" in check.detail
    assert str(key) not in check.detail


def test_snowflake_without_any_auth_names_both_ways(clean_env):
    check = auth(doctor.env_checks(profile_output("prod")))
    assert not check.ok
    assert "SNOWFLAKE_PASSWORD" in check.detail and "SNOWFLAKE_PRIVATE_KEY_PATH" in check.detail


def test_the_emulated_target_signs_in_with_the_password_in_its_profile(clean_env):
    check = auth(doctor.env_checks(profile_output("emulated")))
    assert check.ok and check.detail == "password from the profile"


def test_an_embedded_target_has_no_snowflake_auth_check(clean_env):
    assert "snowflake auth" not in by_name(doctor.env_checks(profile_output("dev")))


# -------------------------------------------------------------------------- fields rendering empty


def test_fields_gives_nested_settings_dotted_names_and_keeps_lists_whole():
    plugins = [{"module": "m"}]
    output = {
        "type": "duckdb",
        "settings": {"memory_limit": "1GB", "deep": {"threads": 2}},
        "plugins": plugins,
    }
    assert list(doctor.fields(output)) == [
        ("type", "duckdb"),
        ("settings.memory_limit", "1GB"),
        ("settings.deep.threads", 2),
        ("plugins", plugins),
    ]


def test_fields_of_an_empty_output_is_empty():
    assert list(doctor.fields({})) == []


def test_an_empty_field_names_the_field_and_every_variable_that_fills_it(clean_env):
    output = {"database": "{{ env_var('DOCTOR_TEST_A', env_var('DOCTOR_TEST_B', '')) }}"}
    (check,) = doctor.empty_checks(output)
    assert check.name == "profile database" and not check.ok
    assert "DOCTOR_TEST_A" in check.detail and "DOCTOR_TEST_B" in check.detail


def test_a_variable_set_fills_an_empty_field(clean_env, monkeypatch):
    output = {"database": "{{ env_var('DOCTOR_TEST_A', env_var('DOCTOR_TEST_B', '')) }}"}
    monkeypatch.setenv("DOCTOR_TEST_B", "ANALYTICS")
    assert doctor.empty_checks(output) == []


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_literal_asks_for_a_value_in_the_profile(clean_env, value):
    (check,) = doctor.empty_checks({"schema": value})
    assert check.name == "profile schema" and not check.ok
    assert "profile" in check.detail and "set " not in check.detail


def test_an_empty_nested_setting_is_named_by_its_dotted_name(clean_env):
    (check,) = doctor.empty_checks(
        {"settings": {"memory_limit": "{{ env_var('DOCTOR_TEST_M', '') }}"}}
    )
    assert check.name == "profile settings.memory_limit"
    assert "DOCTOR_TEST_M" in check.detail


@pytest.mark.parametrize("field", sorted(doctor.MAY_BE_EMPTY))
def test_password_and_key_fields_may_be_empty(clean_env, field):
    assert doctor.empty_checks({field: "{{ env_var('DOCTOR_TEST_SECRET', '') }}"}) == []
    assert doctor.empty_checks({field: ""}) == []


def test_the_snowflake_targets_auth_fields_are_not_reported_empty(clean_env, monkeypatch):
    for name, value in SECRETS.items():
        if name != "SNOWFLAKE_PASSWORD":
            monkeypatch.setenv(name, value)
    assert doctor.empty_checks(profile_output("ci")) == []


def test_a_field_with_a_missing_required_variable_is_left_to_the_env_check(clean_env):
    output = {"account": "{{ env_var('DOCTOR_TEST_ACCOUNT') }}"}
    assert doctor.empty_checks(output) == []
    assert failing(doctor.env_checks(output)) == {"env DOCTOR_TEST_ACCOUNT"}


def test_non_text_fields_and_templating_beyond_env_var_are_not_judged(clean_env):
    output = {"threads": 0, "keep_alive": False, "query": "{{ not_a_function() }}"}
    assert doctor.empty_checks(output) == []


def test_an_empty_value_is_never_confused_with_a_set_one(clean_env, monkeypatch):
    monkeypatch.setenv("DOCTOR_TEST_SCHEMA", SECRETS["SNOWFLAKE_DATABASE"])
    output = {"schema": "{{ env_var('DOCTOR_TEST_SCHEMA', '') }}", "database": ""}
    checks = doctor.empty_checks(output)
    assert [c.name for c in checks] == ["profile database"]
    assert SECRETS["SNOWFLAKE_DATABASE"] not in everything_shown(checks)


# -------------------------------------------------------------------------- adapter and plugins


@pytest.mark.parametrize("kind", ["postgres", None, ""])
def test_an_unknown_adapter_type_fails_and_says_which(kind):
    check = doctor.adapter_check(kind)
    assert not check.ok
    assert repr(kind) in check.detail


@pytest.mark.parametrize("kind", sorted(doctor.ADAPTERS))
def test_a_known_adapter_reports_its_version(kind, monkeypatch):
    monkeypatch.setattr(doctor, "version_of", lambda package: "9.8.7")
    check = doctor.adapter_check(kind)
    assert check.ok
    assert check.name == f"adapter {doctor.ADAPTERS[kind][0]}"
    assert "9.8.7" in check.detail and kind in check.detail


@pytest.mark.parametrize("kind", sorted(doctor.ADAPTERS))
def test_a_missing_adapter_says_how_to_install_it(kind, monkeypatch):
    asked: list[str] = []

    def absent(package: str) -> None:
        asked.append(package)

    monkeypatch.setattr(doctor, "version_of", absent)
    check = doctor.adapter_check(kind)
    package, command = doctor.ADAPTERS[kind]
    assert not check.ok
    assert asked == [package]
    assert command in check.detail


def test_the_dev_targets_plugins_import_in_this_python():
    checks = doctor.plugin_checks(profile_output("dev"))
    assert checks and doctor.all_ok(checks)
    assert [c.name for c in checks] == ["dbt-duckdb plugin greenery.warehouse.dbt_plugin"]


@pytest.mark.parametrize("module", ["greenery_no_such_plugin", "json.no_such_submodule"])
def test_a_plugin_that_does_not_import_fails_with_a_hint(module):
    (check,) = doctor.plugin_checks({"plugins": [{"module": module}]})
    assert not check.ok
    assert module in check.name
    assert "pip install" in check.detail


def test_each_plugin_is_checked_on_its_own():
    output = {"plugins": [{"module": "json"}, {"module": "greenery_no_such_plugin"}]}
    assert [c.ok for c in doctor.plugin_checks(output)] == [True, False]


@pytest.mark.parametrize("output", [{}, {"plugins": None}, {"plugins": []}])
def test_no_plugins_no_plugin_checks(output):
    assert doctor.plugin_checks(output) == []


# -------------------------------------------------------------------------- report and lines


def test_all_ok_needs_every_check():
    good = doctor.Check("a", True, "fine")
    bad = doctor.Check("b", False, "broken")
    assert doctor.all_ok([]) and doctor.all_ok([good, good])
    assert not doctor.all_ok([good, bad]) and not doctor.all_ok([bad])


def test_the_report_keeps_the_order_and_is_json():
    checks = [doctor.Check("b", True, "fine"), doctor.Check("a", False, "set X")]
    report = json.loads(json.dumps(doctor.report("ci", checks)))
    assert report == {
        "target": "ci",
        "ok": False,
        "checks": [
            {"name": "b", "ok": True, "detail": "fine"},
            {"name": "a", "ok": False, "detail": "set X"},
        ],
    }
    assert doctor.report("dev", checks[:1])["ok"] is True


def test_a_line_says_ok_or_missing_then_name_and_detail():
    ok = doctor.Check("env A", True, "set").line()
    missing = doctor.Check("env B", False, "missing (required)").line()
    assert ok.startswith("ok") and not ok.startswith("MISSING")
    assert ok.endswith("env A: set")
    assert missing == "MISSING env B: missing (required)"


@pytest.mark.parametrize("module", [".relative_plugin", "", "..", "json..x"])
def test_a_plugin_name_that_cannot_be_looked_up_fails_instead_of_raising(module):
    (check,) = doctor.plugin_checks({"plugins": [{"module": module}]})
    assert not check.ok and "not importable" in check.detail


def test_double_quoted_variables_are_found_as_single_quoted_ones(clean_env, monkeypatch):
    output = {
        "type": "duckdb",
        "path": '{{ env_var("DOCTOR_TEST_PATH") }}',
        "schema": "{{ env_var(\"DOCTOR_TEST_SCHEMA\", 'dev') }}",
    }
    checks = by_name(doctor.env_checks(output))
    assert not checks["env DOCTOR_TEST_PATH"].ok  # required, and missing
    assert checks["env DOCTOR_TEST_SCHEMA"].ok  # has a default
    monkeypatch.setenv("DOCTOR_TEST_PATH", "/tmp/x.duckdb")
    assert by_name(doctor.env_checks(output))["env DOCTOR_TEST_PATH"].ok
