"""Operations around the dbt runs: notifications, doctor, package sources, the emulator's extra.

Fast unit tests: local HTTP servers on 127.0.0.1, temporary projects, no dbt build.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from click.testing import CliRunner
from greenery import cli, emulator
from greenery.dbt import packages
from greenery.dbt.project import ConfigError, MissingVariable, render
from greenery.ops import doctor, notify
from greenery.ops.outcome import ExitCode, RunSummary

PROJECT = Path(__file__).resolve().parents[1]
SECRET = "s3cret"

# -------------------------------------------------------------------------- notifications


def failed_run() -> RunSummary:
    return RunSummary(
        run_id="r1", command="run-job", target="dev", started_at="now", exit_code=2, status="x"
    )


class Server:
    """A local HTTP server whose handler a test chooses; `stop` ends trickling handlers."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.stop = threading.Event()
        handler.stop = self.stop  # type: ignore[attr-defined]
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook?token=abc"
        self.shown = f"http://127.0.0.1:{self.server.server_port}/…"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


class Quiet(BaseHTTPRequestHandler):
    stop: threading.Event

    def log_message(self, *args: object) -> None:
        return None

    def read_body(self) -> bytes:
        return self.rfile.read(int(self.headers["Content-Length"]))

    def answer(self, status: int) -> None:
        self.read_body()
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


@pytest.fixture()
def serve() -> Iterator[Callable[[type[BaseHTTPRequestHandler]], Server]]:
    servers: list[Server] = []

    def start(handler: type[BaseHTTPRequestHandler]) -> Server:
        servers.append(Server(handler))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def send(
    url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, deadline: float = 3
) -> tuple[bool, list[str]]:
    """Notify a failed run: whether it was delivered, and what notify logged about it."""
    monkeypatch.setenv(notify.WEBHOOK_ENV, url)
    # DEBUG: caplog's handler takes this level too, and a test may read urllib3's DEBUG records
    caplog.set_level(logging.DEBUG, logger=notify.__name__)
    delivered = notify.send(failed_run(), False, deadline=deadline)
    return delivered, [r.getMessage() for r in caplog.records if r.name == notify.__name__]


def test_delivered_on_200(serve, monkeypatch, caplog):
    class Ok(Quiet):
        def do_POST(self) -> None:
            self.answer(200)

    server = serve(Ok)
    delivered, said = send(server.url, monkeypatch, caplog)
    assert delivered
    assert said == [f"notification sent ({server.shown})"]


def test_retried_after_server_errors_and_logs_keep_the_url(serve, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    posts: list[bytes] = []

    class FlakyThenOk(Quiet):
        def do_POST(self) -> None:
            posts.append(self.read_body())
            status = 500 if len(posts) <= 2 else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    delivered, said = send(serve(FlakyThenOk).url, monkeypatch, caplog, deadline=15)
    assert delivered, said
    assert len(posts) == 3 and posts[0] == posts[2]
    assert "abc" not in caplog.text and "token" not in caplog.text


def test_given_up_after_the_retries(serve, monkeypatch, caplog):
    class Down(Quiet):
        def do_POST(self) -> None:
            self.answer(503)

    server = serve(Down)
    delivered, said = send(server.url, monkeypatch, caplog, deadline=15)
    assert not delivered
    assert said == [f"warning: notification not delivered (HTTP 503, {server.shown})"]


def trickle(handler: Quiet, head: bytes) -> None:
    handler.read_body()
    handler.wfile.write(head)
    handler.wfile.flush()
    while not handler.stop.wait(2):
        handler.wfile.write(b"x")
        handler.wfile.flush()


def test_trickled_headers_hit_the_total_deadline(serve, monkeypatch, caplog):
    class TrickledHeaders(Quiet):
        def do_POST(self) -> None:
            trickle(self, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Slow: ")

    server = serve(TrickledHeaders)
    start = time.monotonic()
    delivered, said = send(server.url, monkeypatch, caplog, deadline=3)
    assert time.monotonic() - start < 3 + 2
    assert not delivered
    assert said == [f"warning: notification not delivered within 3s ({server.shown})"]


def test_trickled_body_is_not_read(serve, monkeypatch, caplog):
    class TrickledBody(Quiet):
        def do_POST(self) -> None:
            trickle(self, b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")

    start = time.monotonic()
    delivered, _ = send(serve(TrickledBody).url, monkeypatch, caplog, deadline=3)
    assert delivered  # the status came with the headers: the body does not matter
    assert time.monotonic() - start < 2


@pytest.fixture()
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel does) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_silent_server_hits_the_total_deadline(silent_port, monkeypatch, caplog):
    start = time.monotonic()
    delivered, said = send(f"http://127.0.0.1:{silent_port}/hook", monkeypatch, caplog, deadline=3)
    assert time.monotonic() - start < 3 + 2
    assert not delivered
    shown = f"http://127.0.0.1:{silent_port}/…"
    assert said == [f"warning: notification not delivered within 3s ({shown})"]


def test_abandoned_delivery_does_not_keep_the_process_alive(silent_port):
    code = (
        "import os, time, sys\n"
        "from greenery.ops import notify\n"
        "from greenery.ops.outcome import RunSummary\n"
        f"os.environ[notify.WEBHOOK_ENV] = 'http://127.0.0.1:{silent_port}/hook'\n"
        "run = RunSummary(run_id='r', command='c', target='t', started_at='s', exit_code=2)\n"
        "notify.send(run, False, deadline=1)\n"
        "print(time.time(), flush=True)\n"
    )
    env = {"PYTHONPATH": str(PROJECT / "orchestrate"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert time.time() - float(result.stdout) < 5  # not the read timeout times the retries


@pytest.mark.parametrize(
    "url",
    [
        f"https://user:{SECRET}@127.0.0.1:1/hook?token=abc",
        f"{SECRET}-token-no-scheme",
        f"user:{SECRET}@hooks.example/abc",
        "http://[::1",
        f"http://[::1/{SECRET}?token=abc",
    ],
)
def test_bad_urls_are_reported_without_their_secrets(url, monkeypatch, caplog):
    delivered, said = send(url, monkeypatch, caplog, deadline=15)
    assert not delivered
    assert len(said) == 1 and said[0].startswith("warning: notification not delivered (")
    for secret in (SECRET, "abc", "token-no-scheme", "user"):
        assert secret not in said[0]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://hooks.slack.com/services/T0/B0/XyZ", "https://hooks.slack.com/…"),
        (f"https://user:{SECRET}@127.0.0.1:8443/hook?token=abc", "https://127.0.0.1:8443/…"),
        ("http://[::1]:8080/x", "http://[::1]:8080/…"),
        (f"{SECRET}-token-no-scheme", notify.INVALID_URL),
        (f"{SECRET}://abc", notify.INVALID_URL),
        ("https://host:notaport/x", notify.INVALID_URL),
        ("http://[::1", notify.INVALID_URL),
        ("", notify.INVALID_URL),
    ],
)
def test_redact(url, shown):
    assert notify.redact(url) == shown


def test_nothing_sent_without_a_webhook_or_for_a_quiet_success(monkeypatch):
    monkeypatch.delenv(notify.WEBHOOK_ENV, raising=False)
    assert not notify.send(failed_run(), False, print)
    monkeypatch.setenv(notify.WEBHOOK_ENV, "http://127.0.0.1:1/")
    success = failed_run()
    success.exit_code = 0
    assert not notify.send(success, False, print)


# -------------------------------------------------------------------------- package sources


class FakeDbt:
    """A Dbt whose `dbt deps` either fails (the hub unreachable) or installs "hub" packages."""

    def __init__(self, project: Path, hub_reachable: bool) -> None:
        self.project = project
        self.hub_reachable = hub_reachable
        self.calls: list[list[str]] = []

    def invoke(self, command: list[str]) -> SimpleNamespace:
        self.calls.append(command)
        if not self.hub_reachable:
            return SimpleNamespace(success=False, exception="hub unreachable")
        shutil.rmtree(self.project / packages.INSTALL_DIR, ignore_errors=True)  # as dbt deps does
        for name in packages.required(self.project):
            package = self.project / packages.INSTALL_DIR / name
            package.mkdir(parents=True)
            (package / "dbt_project.yml").write_text(f"name: {name}\n# from the hub\n")
        return SimpleNamespace(success=True, exception=None)


def from_hub(project: Path) -> bool:
    return all(
        "from the hub" in (project / packages.INSTALL_DIR / name / "dbt_project.yml").read_text()
        for name in packages.required(project)
    )


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copy2(PROJECT / "packages.yml", tmp_path / "packages.yml")
    shutil.copytree(PROJECT / packages.OFFLINE_DIR, tmp_path / packages.OFFLINE_DIR)
    return tmp_path


def install(project: Path, mode: str | None, hub_reachable: bool, monkeypatch) -> FakeDbt:
    if mode is None:
        monkeypatch.delenv(packages.MODE_ENV, raising=False)
    else:
        monkeypatch.setenv(packages.MODE_ENV, mode)
    dbt = FakeDbt(project, hub_reachable)
    dbt.source = packages.install(dbt)  # type: ignore[attr-defined]
    return dbt


@pytest.mark.parametrize("mode", [None, "auto", "offline"])
def test_offline_install_is_recorded(project, mode, monkeypatch):
    assert packages.installed_source(project) is None
    dbt = install(project, mode, hub_reachable=False, monkeypatch=monkeypatch)
    assert dbt.source == "offline"
    assert (project / "dbt_packages" / ".greenery-packages").read_text() == "offline\n"
    assert packages.installed_source(project) == "offline"
    assert dbt.calls == ([] if mode == "offline" else [["deps", "--log-level", "none"]])
    # kept from then on, as the tests' session fixture relies on
    assert install(project, mode, hub_reachable=True, monkeypatch=monkeypatch).source == "present"
    assert packages.installed_source(project) == "offline"


def test_changed_stand_ins_are_installed_again(project, monkeypatch):
    install(project, "auto", hub_reachable=False, monkeypatch=monkeypatch)
    added = Path("dbt_utils", "macros", "new_macro.sql")
    (project / packages.OFFLINE_DIR / added).write_text("{% macro new_macro() %}1{% endmacro %}\n")
    dbt = install(project, "auto", hub_reachable=True, monkeypatch=monkeypatch)
    assert dbt.source == "offline" and dbt.calls == []  # the stand-ins again, the hub not asked
    assert (project / packages.INSTALL_DIR / added).exists()
    assert packages.installed_source(project) == "offline" and packages.offline_current(project)
    assert install(project, "auto", hub_reachable=True, monkeypatch=monkeypatch).source == "present"


def test_hub_mode_refuses_offline_stand_ins_when_the_hub_fails(project, monkeypatch):
    install(project, "offline", hub_reachable=False, monkeypatch=monkeypatch)
    with pytest.raises(ConfigError, match="GREENERY_PACKAGES=hub.*offline stand-ins.*refused"):
        install(project, "hub", hub_reachable=False, monkeypatch=monkeypatch)
    assert packages.installed_source(project) == "offline"  # never claimed to be the hub's


def test_hub_mode_replaces_offline_stand_ins(project, monkeypatch):
    install(project, "offline", hub_reachable=False, monkeypatch=monkeypatch)
    dbt = install(project, "hub", hub_reachable=True, monkeypatch=monkeypatch)
    assert dbt.source == "hub" and from_hub(project)
    assert (project / "dbt_packages" / ".greenery-packages").read_text() == "hub\n"
    assert packages.installed_source(project) == "hub"
    again = install(project, "hub", hub_reachable=True, monkeypatch=monkeypatch)
    assert again.source == "present" and again.calls == []
    # the hub's packages are fine for offline and auto runs too
    for mode in ("offline", "auto"):
        assert install(project, mode, hub_reachable=False, monkeypatch=monkeypatch).calls == []
    assert packages.installed_source(project) == "hub"


def test_packages_without_a_marker_are_of_unknown_source(project, monkeypatch):
    install(project, "offline", hub_reachable=False, monkeypatch=monkeypatch)
    (project / "dbt_packages" / ".greenery-packages").unlink()
    assert packages.installed_source(project) == "unknown"
    assert install(project, "auto", hub_reachable=True, monkeypatch=monkeypatch).calls == []
    assert install(project, "hub", hub_reachable=True, monkeypatch=monkeypatch).source == "hub"
    assert packages.installed_source(project) == "hub"


def test_an_unknown_mode_is_a_config_error(project, monkeypatch):
    with pytest.raises(ConfigError, match="expected one of auto, hub, offline"):
        install(project, "sometimes", hub_reachable=True, monkeypatch=monkeypatch)


# -------------------------------------------------------------------------- doctor

PASSWORD = "pw-do-not-print-7781"


def profile_output(target: str) -> dict:
    profile = yaml.safe_load((PROJECT / "profiles.yml").read_text())
    return profile["greenery"]["outputs"][target]


@pytest.fixture()
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("SNOWFLAKE_", "GREENERY_", "DBT_")):
            monkeypatch.delenv(name)


def test_adapter_check(monkeypatch):
    assert doctor.adapter_check("duckdb").ok
    monkeypatch.setattr(doctor, "version_of", lambda package: None)
    missing = doctor.adapter_check("snowflake")
    assert not missing.ok
    assert missing.name == "adapter dbt-snowflake"
    assert 'pip install -e ".[snowflake]"' in missing.detail
    assert not doctor.adapter_check("postgres").ok


EMPTY_DATABASE = "renders empty: set SNOWFLAKE_CI_DATABASE or SNOWFLAKE_DATABASE"


def test_values_rendering_empty_are_missing(clean_env, monkeypatch):
    output = profile_output("ci")
    # password and the key pair's fields may be empty: one auth method is enough
    assert doctor.empty_checks(output) == [doctor.Check("profile database", False, EMPTY_DATABASE)]
    monkeypatch.setenv("SNOWFLAKE_DATABASE", "ANALYTICS")
    assert doctor.empty_checks(output) == []
    monkeypatch.setenv("SNOWFLAKE_CI_DATABASE", "")  # set, but to nothing, wins as in dbt
    assert [c.name for c in doctor.empty_checks(output)] == ["profile database"]
    nested = {"schema": "", "settings": {"memory_limit": "{{ env_var('M', '') }}"}}
    assert doctor.empty_checks(nested) == [
        doctor.Check("profile schema", False, "renders empty: give it a value in the profile"),
        doctor.Check("profile settings.memory_limit", False, "renders empty: set M"),
    ]
    assert doctor.empty_checks({"threads": 4, "x": "{{ unknown_function() }}"}) == []


def test_render_as_dbt_does(clean_env, monkeypatch):
    monkeypatch.setenv("A", "a")
    assert render("{{ env_var('A') }}/{{ env_var('B', 'b') | as_text }}") == "a/b"
    with pytest.raises(MissingVariable):
        render("{{ env_var('B') }}")


@pytest.mark.parametrize(
    ("mode", "installed_from", "ok"),
    [
        (None, "offline", True),
        ("offline", "hub", True),
        ("hub", "hub", True),
        ("hub", "offline", False),
        ("hub", None, False),
        ("sometimes", "hub", False),
    ],
)
def test_packages_check_names_the_source(project, clean_env, monkeypatch, mode, installed_from, ok):
    if installed_from is not None:
        install(project, installed_from, installed_from == "hub", monkeypatch)
    if mode is not None:
        monkeypatch.setenv(packages.MODE_ENV, mode)
    else:
        monkeypatch.delenv(packages.MODE_ENV, raising=False)
    check = doctor.packages_check(project)
    assert check.ok is ok
    if installed_from is not None and mode != "sometimes":
        assert check.detail.startswith(f"{installed_from}: ")


@pytest.fixture()
def doctor_project(project, clean_env, monkeypatch) -> Path:
    """A project for `greenery doctor`: the profile and the offline stand-ins."""
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy2(PROJECT / name, project / name)
    packages.install_offline(project)
    monkeypatch.setenv("GREENERY_PROJECT_DIR", str(project))
    monkeypatch.setenv("GREENERY_DUCKDB_PATH", str(project / "absent.duckdb"))
    return project


def doctor_cli(*args: str):
    return CliRunner().invoke(cli.main, ["doctor", *args], catch_exceptions=False)


def test_doctor_json_all_ok(doctor_project):
    result = doctor_cli("--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["target"] == "dev" and report["ok"] is True
    checks = {c["name"]: c for c in report["checks"]}
    assert set(checks["python"]) == {"name", "ok", "detail"}
    assert checks["adapter dbt-duckdb"]["ok"]
    assert checks["dbt packages"]["detail"].startswith("offline: ")


def test_doctor_json_missing_snowflake_settings(doctor_project, monkeypatch):
    for name in ("ACCOUNT", "USER", "WAREHOUSE"):
        monkeypatch.setenv(f"SNOWFLAKE_{name}", f"value-of-{name}")
    monkeypatch.setenv("SNOWFLAKE_PASSWORD", PASSWORD)
    result = doctor_cli("--json", "--target", "ci")
    assert result.exit_code == int(ExitCode.CONFIG_ERROR)
    report = json.loads(result.stdout)
    assert report["target"] == "ci" and report["ok"] is False
    failed = {c["name"]: c["detail"] for c in report["checks"] if not c["ok"]}
    assert failed == {"profile database": EMPTY_DATABASE}
    assert PASSWORD not in result.output and "value-of-" not in result.output
    monkeypatch.setenv("SNOWFLAKE_DATABASE", PASSWORD)  # a value: shown as set, never printed
    result = doctor_cli("--json", "--target", "ci")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output


def test_doctor_text_and_hub_mode_with_stand_ins(doctor_project, monkeypatch):
    monkeypatch.setenv(packages.MODE_ENV, "hub")
    result = doctor_cli()
    assert result.exit_code == int(ExitCode.CONFIG_ERROR)
    assert "MISSING dbt packages: offline: the offline stand-ins" in result.stdout
    assert "GREENERY_PACKAGES=hub" in result.stdout
    assert "ok  adapter dbt-duckdb: " in result.stdout


# -------------------------------------------------------------------------- emulator extra

MISSING_MODULES = ["fakesnow", "snowflake.connector"]
NEEDS_FAKESNOW = 'the Snowflake emulator needs fakesnow: pip install -e ".[emulator]"'


@pytest.mark.parametrize("module", MISSING_MODULES)
def test_emulator_without_its_extra(module, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    with pytest.raises(emulator.EmulatorError) as error:
        emulator.require_fakesnow()
    assert str(error.value) == NEEDS_FAKESNOW
    with pytest.raises(emulator.EmulatorError), emulator.emulated_snowflake(tmp_path / "db"):
        pass
    assert not (tmp_path / "db").exists()


@pytest.mark.parametrize("module", MISSING_MODULES)
def test_emulator_cli_without_its_extra(module, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, module, None)
    monkeypatch.setenv("GREENERY_TARGET", emulator.TARGET)  # which the CLI sets, restored after
    monkeypatch.setenv("GREENERY_DUCKDB_PATH", str(tmp_path / "greenery.duckdb"))
    result = CliRunner().invoke(cli.main, ["--snowflake-emulator", str(tmp_path / "emu"), "doctor"])
    assert result.exit_code == int(ExitCode.CONFIG_ERROR), result.output
    assert result.stderr == f"error: {NEEDS_FAKESNOW}\n"
    assert result.stdout == ""
    assert not (tmp_path / "greenery.duckdb").exists()  # no sample loaded for nothing


def test_emulator_version_check_names_the_extra(monkeypatch):
    def absent(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", absent)
    with pytest.raises(emulator.EmulatorError, match=r'pip install -e "\.\[emulator\]"'):
        emulator.check_version()
