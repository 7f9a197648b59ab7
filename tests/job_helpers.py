"""Helpers for tests that run greenery's commands in subprocesses, as a scheduler would: the
command line, its JSON summary checked against the schema, a local webhook, the run history."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from importlib import resources
from pathlib import Path

import jsonschema
from greenery.ops import runlog

SCHEMA = json.loads(
    resources.files("greenery.ops").joinpath("data/run_summary.schema.json").read_text()
)
COMMAND = [sys.executable, "-m", "greenery.cli"]


class Webhook:
    """A local HTTP server on 127.0.0.1 that records what is posted to it."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                return None

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/greenery"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def greenery(scratch: dict, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args], env=scratch["env"], capture_output=True, text=True, timeout=600
    )


def summary_of(result: subprocess.CompletedProcess[str]) -> dict:
    summary = json.loads(result.stdout)
    jsonschema.validate(summary, SCHEMA)
    assert summary["exit_code"] == result.returncode
    return summary


def history(path: Path, run_id: str) -> tuple:
    return runlog.query(
        runlog.history_path(path.parent, path),
        "select r.exit_code, r.status, count(n.unique_id), "
        "count(distinct n.unique_id) filter (where n.status in ('fail', 'error')) "
        f"from {runlog.SCHEMA}.runs r left join {runlog.SCHEMA}.node_runs n "
        "using (run_id) where run_id = ? group by all",
        [run_id],
    )[0]


# --------------------------------------------------------------- changes for CI to compare
RATES = "{{ session_funnel_rates() }},"
SHARE = "as suspected_bot_session_share"


def weekly_funnel_model(project: Path) -> Path:
    return project / "models" / "marts" / "product" / "f_weekly_sales_funnel.sql"


def halve_the_bot_share(project: Path) -> None:
    """A change that alters one rate of f_weekly_sales_funnel: the suspected-bot share, halved
    (the unit test weekly_funnel_rates_and_dropoffs pins it: leave unit tests out of its CI)."""
    model = weekly_funnel_model(project)
    assert RATES in model.read_text()
    halved = f'{{{{ session_funnel_rates() | replace("{SHARE}", "* 0.5 {SHARE}") }}}},'
    model.write_text(model.read_text().replace(RATES, halved))


def comment_dim_promos(project: Path) -> None:
    """A change that alters nothing: a comment in a mart no other model reads (state:modified
    all the same, so CI builds and compares it)."""
    model = project / "models" / "marts" / "core" / "dim_promos.sql"
    model.write_text("-- a note that changes nothing\n" + model.read_text())


#: What the two changes above make CI build: the changed mart, its child, the commented mart.
COMPARED_MARTS = ["dim_promos", "f_weekly_funnel_steps", "f_weekly_sales_funnel"]
