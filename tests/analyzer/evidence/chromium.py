"""Render a local HTML file in Debian's headless Chromium: screenshot and DOM text."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

CHROMIUM = shutil.which("chromium")
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,2000",
)


def _run(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [CHROMIUM, *_FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()]
    # subprocess.run kills the browser if it outlives the timeout.
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=True
    )


def screenshot(page: Path, png: Path, profile: Path) -> None:
    """Write a PNG screenshot of ``page``."""
    _run(page, profile, f"--screenshot={png}")


def dom_text(page: Path, profile: Path) -> str:
    """The DOM after scripts ran, serialised."""
    return _run(page, profile, "--dump-dom").stdout
