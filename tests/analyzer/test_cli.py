"""`triage analyze` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.analyzer.builders import two_tier, write_traces
from triage.cli import _register, cli

_register()


@pytest.fixture
def traces(tmp_path: Path) -> Path:
    return write_traces(
        tmp_path / "t.jsonl", two_tier("0" * 31 + "1", inner_cause="schedule.too_soon")
    )


def test_json_output(traces: Path) -> None:
    """--format json prints the report dict."""
    result = CliRunner().invoke(cli, ["analyze", str(traces), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["summary"]["failed"] == 1
    assert data["groups"][0]["cause"] == "schedule.too_soon"


def test_json_carries_evidence_unless_asked_not_to(traces: Path) -> None:
    """The evidence section is in the JSON by default and null with --no-evidence."""
    runner = CliRunner()
    full = json.loads(runner.invoke(cli, ["analyze", str(traces), "-f", "json"]).stdout)
    bare = json.loads(
        runner.invoke(
            cli, ["analyze", str(traces), "-f", "json", "--no-evidence"]
        ).stdout
    )

    assert [item["id"] for item in full["evidence"]["h1"]] == [
        "client_sends_now",
        "time_zone",
        "clocks_disagree",
        "too_soon",
    ]
    assert bare["evidence"] is None


def test_html_to_file(traces: Path, tmp_path: Path) -> None:
    """--format html writes one self-contained page."""
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        cli, ["analyze", str(traces), "-f", "html", "-o", str(out)]
    )
    assert result.exit_code == 0
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "schedule.too_soon" in page
    assert "<script src=" not in page


def test_markdown_to_file(traces: Path, tmp_path: Path) -> None:
    """--output writes the Markdown report to a file."""
    out = tmp_path / "report.md"
    result = CliRunner().invoke(
        cli, ["analyze", str(traces), "-f", "markdown", "-o", str(out)]
    )
    assert result.exit_code == 0
    assert "| H1 |" in out.read_text()


def test_missing_input_exits_2_with_one_line(tmp_path: Path) -> None:
    """An unreadable input is one line on stderr and exit code 2."""
    from triage.errors import TriageError

    result = CliRunner().invoke(cli, ["analyze", str(tmp_path / "nope.jsonl")])
    assert isinstance(result.exception, TriageError)
    assert "no such file" in str(result.exception)


def test_bad_since_is_a_usage_error(traces: Path) -> None:
    """A --since that is not a time is an expected error."""
    from triage.errors import TriageError

    result = CliRunner().invoke(cli, ["analyze", str(traces), "--since", "yesterday"])
    assert isinstance(result.exception, TriageError)


def test_since_after_until_is_a_usage_error(traces: Path) -> None:
    """A window that ends before it starts is refused, not an empty report."""
    from triage.errors import TriageError

    result = CliRunner().invoke(
        cli, ["analyze", str(traces), "--since", "2020-01-02", "--until", "2020-01-01"]
    )
    assert isinstance(result.exception, TriageError)
    assert "--since must be earlier than --until" in str(result.exception)


def test_group_by(traces: Path) -> None:
    """--group-by splits groups by an attribute."""
    result = CliRunner().invoke(
        cli, ["analyze", str(traces), "-f", "json", "--group-by", "service"]
    )
    assert json.loads(result.stdout)["groups"][0]["by"] == "interviews"


def test_real_entry_point_exits_2(tmp_path: Path) -> None:
    """Through the real entry point: exit 2, one stderr line, no traceback."""
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from triage.cli import main; main()",
            "analyze",
            str(tmp_path / "nope.jsonl"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "Traceback" not in done.stderr


def test_filters_that_match_nothing_are_named(traces: Path) -> None:
    """An empty result after filtering says which filter emptied it."""
    result = CliRunner().invoke(
        cli, ["analyze", str(traces), "--since", "2099-01-01T00:00:00Z"]
    )

    assert result.exit_code == 0
    assert "No entry requests match --since." in result.stdout
