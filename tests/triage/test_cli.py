"""The ``triage`` entry point: help, usage errors as one line, exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _triage(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triage.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["analyze"], "Missing argument"),
        (["analyze", "x", "--format", "xml"], "'xml' is not one of"),
        (["demo", "--requests", "0"], "--requests"),
        (["nosuch"], "No such command 'nosuch'"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(args: list[str], says: str) -> None:
    """A usage error is one plain line on stderr, exit code 2, no usage box."""
    result = _triage(*args)

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("triage: error: ")
    assert says in result.stderr
    assert "--help" in result.stderr


def test_bare_command_prints_help_and_succeeds() -> None:
    """``triage`` alone shows the commands, exit code 0."""
    result = _triage()

    assert result.returncode == 0
    assert "analyze" in result.stdout and "demo" in result.stdout
