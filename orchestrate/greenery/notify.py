"""Tell people how a job run went: a Slack-compatible JSON message to a webhook.

The URL comes from $GREENERY_WEBHOOK_URL (never from a file or an argument, so it stays a
secret); without it nothing is sent. The body is {"text": ..., "blocks": [...]}, which Slack
incoming webhooks, Mattermost and most chat tools accept.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from greenery.outcome import RunSummary, first_line

WEBHOOK_ENV = "GREENERY_WEBHOOK_URL"
MAX_LISTED = 10
TIMEOUT_SECONDS = 10


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
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{headline}*\n{detail}"}},
    ]
    if lines:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}})
    text = "\n".join([headline, detail, *lines])
    return {"text": text, "blocks": blocks}


def send(summary: RunSummary, on_success: bool, say: Callable[[str], None]) -> bool:
    """Post the run's message if a webhook is configured and the run warrants it."""
    url = os.environ.get(WEBHOOK_ENV)
    if not url or (summary.exit_code == 0 and not on_success):
        return False
    body = json.dumps(message(summary)).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        # the webhook URL is a secret: name the failure, never the address
        say(f"warning: notification not delivered ({type(exc).__name__})")
        return False
    say("notification sent")
    return True
