"""Failure notifications (`ops/notify.py`): delivered, retried, bounded in time, never leaking
the webhook's secrets. Local HTTP servers on 127.0.0.1, no dbt."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from dbt_helpers import PROJECT
from greenery.ops import notify
from greenery.ops.outcome import RunSummary

SECRET = "s3cret"


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
