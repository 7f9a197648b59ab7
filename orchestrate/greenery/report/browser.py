"""Open the report in headless Chromium, with the network off: its DOM after the scripts ran,
or a screenshot of the whole page. For the tests, and for `greenery report --screenshot`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

ENV = "GREENERY_CHROMIUM"
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Virtual time the page gets to run its scripts: it advances only while the page is busy, so
#: a page that finishes early returns early.
BUDGET_MS = 15_000
TIMEOUT_S = 120
WIDTH = 1300
#: The page writes its height here once every chart is drawn (see page.js).
HEIGHT_ATTRIBUTE = re.compile(r'data-page-height="(\d+)"')


class BrowserError(Exception):
    """Chromium is missing, or it failed to open the page."""


def find() -> str | None:
    """$GREENERY_CHROMIUM, else the first Chromium or Chrome on the PATH."""
    if env := os.environ.get(ENV):
        return env if shutil.which(env) else None
    return next((found for name in NAMES if (found := shutil.which(name))), None)


def url(page: Path, fragment: str = "") -> str:
    return page.resolve().as_uri() + (f"#{fragment}" if fragment else "")


@dataclass(frozen=True)
class Chromium:
    """Headless Chromium; every page it opens is offline (no proxy, no name resolves)."""

    executable: str

    def run(self, args: list[str], target: str) -> str:
        with tempfile.TemporaryDirectory(prefix="greenery-chromium-") as profile:
            command = [
                self.executable,
                "--headless",
                "--no-sandbox",  # root in containers and CI
                "--disable-gpu",
                "--disable-extensions",
                "--no-first-run",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                "--proxy-server=http://127.0.0.1:9",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                f"--virtual-time-budget={BUDGET_MS}",
                *args,
                target,
            ]
            try:
                done = subprocess.run(
                    command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise BrowserError(f"chromium could not open {target}: {exc}") from exc
        if done.returncode != 0:
            tail = "\n".join(done.stderr.splitlines()[-5:])
            raise BrowserError(f"chromium exited {done.returncode} on {target}:\n{tail}")
        return done.stdout

    def dump_dom(self, page: Path, fragment: str = "", width: int = WIDTH) -> str:
        """The page's DOM, serialized after its scripts ran."""
        return self.run(["--dump-dom", f"--window-size={width},1000"], url(page, fragment))

    def screenshot(self, page: Path, png: Path, fragment: str = "", width: int = WIDTH) -> Path:
        """A PNG of the whole page (its height is measured first)."""
        match = HEIGHT_ATTRIBUTE.search(self.dump_dom(page, fragment, width))
        height = int(match.group(1)) if match else 3000
        png.parent.mkdir(parents=True, exist_ok=True)
        self.run(
            [f"--screenshot={png.resolve()}", f"--window-size={width},{height}"],
            url(page, fragment),
        )
        if not png.exists():
            raise BrowserError(f"chromium wrote no screenshot to {png}")
        return png


def chromium() -> Chromium:
    """The installed Chromium, or BrowserError saying how to get one."""
    executable = find()
    if executable is None:
        raise BrowserError(
            "no Chromium found: install it (Debian: apt-get install -y chromium) "
            f"or set {ENV} to a Chromium or Chrome executable"
        )
    return Chromium(executable)
