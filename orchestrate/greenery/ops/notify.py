"""Tell people how a job run went: a Slack-compatible JSON message to a webhook.

The URL comes from $GREENERY_WEBHOOK_URL (never from a file or an argument, so it stays a
secret); without it nothing is sent. The body is {"text": ..., "blocks": [...]}, which Slack
incoming webhooks, Mattermost and most chat tools accept.

Delivery never fails the job and never holds it: a few retries on 429, 5xx and connection
errors, a (connect, read) timeout per request, and a hard deadline for the whole delivery,
which runs in a daemon thread that is abandoned when the deadline passes. The URL is a secret
(its path, query or userinfo often hold a token): messages name only its scheme and host.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import urllib.parse
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from greenery.ops.outcome import RunSummary, first_line

logger = logging.getLogger(__name__)

WEBHOOK_ENV = "GREENERY_WEBHOOK_URL"
MAX_LISTED = 10
CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 10
TOTAL_DEADLINE_SECONDS = 20
RETRIES = 3
BACKOFF_FACTOR = 0.5
RETRY_STATUSES = (429, 500, 502, 503, 504)
INVALID_URL = "<invalid webhook URL>"
THREAD_NAME = "greenery-notify"


def message(summary: RunSummary) -> dict[str, Any]:
    ok = summary.exit_code == 0
    c = summary.counts()
    headline = (
        f"{'✅' if ok else '🚨'} greenery {summary.command} {summary.status} on "
        f"{summary.target} (exit {summary.exit_code}, run {summary.run_id})"
    )
    detail = (
        f"{c['pass']} passed, {c['warn']} warned, {c['fail']} failed, {c['skip']} skipped "
        f"in {summary.duration_seconds:.0f}s"
    )
    failed = summary.failed_nodes()
    lines = [f"• `{n.unique_id}`: {first_line(n.message)}" for n in failed[:MAX_LISTED]]
    if len(failed) > MAX_LISTED:
        lines.append(f"… and {len(failed) - MAX_LISTED} more")
    if summary.message:
        lines.insert(0, summary.message)
    if summary.anomalies:
        lines.append(f"{len(summary.anomalies)} anomalies in the days this run brought:")
        lines += [f"• {a['message']}" for a in summary.anomalies[:MAX_LISTED]]
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{headline}*\n{detail}"}},
    ]
    if lines:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}})
    text = "\n".join([headline, detail, *lines])
    return {"text": text, "blocks": blocks}


def redact(url: str) -> str:
    """The webhook URL as it may be shown: scheme://host[:port]/… and nothing else."""
    try:
        parts = urllib.parse.urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return INVALID_URL
    if parts.scheme not in ("http", "https") or not host:
        return INVALID_URL
    netloc = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{netloc}{f':{port}' if port is not None else ''}/…"


class QuietDelivery(logging.Filter):
    """Drop urllib3's log records from the delivery thread: they carry the URL's path and query."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != THREAD_NAME


for _logger in ("urllib3.connectionpool", "urllib3.util.retry"):
    logging.getLogger(_logger).addFilter(QuietDelivery())


def session() -> requests.Session:
    """A session that retries a few times, with backoff, on 429, 5xx and connection errors."""
    retry = Retry(
        total=RETRIES,
        backoff_factor=BACKOFF_FACTOR,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"POST"}),
        raise_on_status=False,
    )
    http = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    return http


def post(url: str, body: bytes) -> int:
    """POST the body; return the final status code. The response body is never read."""
    with (
        session() as http,
        http.post(
            url,
            data=body,
            headers={"Content-Type": "application/json"},
            timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
            stream=True,
        ) as response,
    ):
        return response.status_code


def deliver(url: str, body: bytes, deadline: float) -> int | BaseException | None:
    """Post in a daemon thread for at most `deadline` seconds: the status code, the exception
    the delivery raised, or None when it was still running at the deadline (it is abandoned;
    being a daemon, it never keeps the process alive)."""
    outcome: list[int | BaseException] = []

    def attempt() -> None:
        try:
            outcome.append(post(url, body))
        except BaseException as exc:  # reported by the caller, by type only
            outcome.append(exc)

    thread = threading.Thread(target=attempt, name=THREAD_NAME, daemon=True)
    thread.start()
    thread.join(deadline)
    return outcome[0] if outcome else None


def send(
    summary: RunSummary,
    on_success: bool,
    deadline: float = TOTAL_DEADLINE_SECONDS,
) -> bool:
    """Post the run's message if a webhook is configured and the run warrants it: a failure,
    anomalies (ops/anomalies.py), or a success when `on_success`.

    Returns whether it was delivered; never raises and never names more of the URL than
    `redact` shows.
    """
    url = os.environ.get(WEBHOOK_ENV)
    if not url or (summary.exit_code == 0 and not on_success and not summary.anomalies):
        return False
    where = redact(url)
    try:
        outcome = deliver(url, json.dumps(message(summary)).encode(), deadline)
    except Exception as exc:
        outcome = exc
    if outcome is None:
        logger.warning(f"warning: notification not delivered within {deadline:g}s ({where})")
        return False
    if isinstance(outcome, BaseException):
        logger.warning(f"warning: notification not delivered ({type(outcome).__name__}, {where})")
        return False
    if not 200 <= outcome < 300:
        logger.warning(f"warning: notification not delivered (HTTP {outcome}, {where})")
        return False
    logger.info(f"notification sent ({where})")
    return True
