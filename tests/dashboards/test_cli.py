"""``triage dashboards build`` (triage/dashboards.py), through Typer's test runner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

import dashboards
from triage.dashboards import app
from triage.errors import TriageError

runner = CliRunner()


def test_check_passes_on_the_committed_folder():
    """`build --check` exits 0 when dashboards/generated matches the generator."""
    result = runner.invoke(app, ["build", "--check"])

    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_build_writes_every_dashboard(tmp_path):
    """`build --out DIR` writes each dashboard as JSON into DIR."""
    result = runner.invoke(app, ["build", "--out", str(tmp_path)])

    assert result.exit_code == 0, result.output
    written = sorted(path.name for path in tmp_path.glob("*.json"))
    assert written == sorted(dashboards.render_all())
    for path in tmp_path.glob("*.json"):
        assert json.loads(path.read_text())["uid"].startswith("triage-")


def test_check_fails_with_one_line_on_drift(tmp_path):
    """`build --check` on a stale folder exits 1 with a one-line summary on stderr."""
    dashboards.write(tmp_path)
    stale = tmp_path / "service-health.json"
    stale.write_text(stale.read_text().replace("Service health", "Old title"))

    result = runner.invoke(app, ["build", "--check", "--out", str(tmp_path)])

    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "service-health.json differs" in line


def test_check_reports_a_binary_file_as_a_difference(tmp_path):
    """A committed file that is not UTF-8 is a difference, not a decode crash."""
    dashboards.write(tmp_path)
    (tmp_path / "service-health.json").write_bytes(b"\xff\xfe not json")

    result = runner.invoke(app, ["build", "--check", "--out", str(tmp_path)])

    assert result.exit_code == 1
    assert "service-health.json differs (not UTF-8 text)" in result.stderr


def test_check_writes_nothing(tmp_path):
    """`build --check` only reads: an empty folder stays empty."""
    result = runner.invoke(app, ["build", "--check", "--out", str(tmp_path)])

    assert result.exit_code == 1
    assert list(tmp_path.iterdir()) == []


def test_unwritable_folder_is_an_expected_error(tmp_path):
    """A folder that cannot be made becomes a TriageError (one line, exit 2)."""
    blocker = tmp_path / "file"
    blocker.write_text("")

    result = runner.invoke(app, ["build", "--out", str(blocker / "sub")])

    assert isinstance(result.exception, TriageError)
    assert "cannot write dashboards" in str(result.exception)
