"""Tests of reading saved analyzer reports for a comparison."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.evidence.errors import ReportShapeError
from analyzer.evidence.reports import find_report, load_report, tally

REPORT = {
    "summary": {"entry_requests": 50, "failed": 7},
    "groups": [
        {"cause": "schedule.too_soon", "count": 4, "by": "UTC"},
        {"cause": "schedule.too_soon", "count": 2, "by": "Europe/Moscow"},
        {"cause": "db.unavailable", "count": 1},
    ],
    "hypotheses": [{"id": "H1", "verdict": "confirmed", "count": 6}],
}


def test_tally_sums_groups_split_by_attribute() -> None:
    """Groups split by a group-by value add up per cause."""
    counts = tally(REPORT)

    assert counts.causes == {"schedule.too_soon": 6, "db.unavailable": 1}
    assert (counts.requests, counts.failed) == (50, 7)
    assert counts.verdicts == {"H1": "confirmed"}


def test_a_folder_holding_report_json_is_found(tmp_path: Path) -> None:
    """A demo output folder names its report.json."""
    (tmp_path / "report.json").write_text(json.dumps(REPORT))

    assert find_report(tmp_path) == tmp_path / "report.json"


def test_telemetry_json_is_not_mistaken_for_a_report(tmp_path: Path) -> None:
    """An OTLP JSON file is not a report: it will be analysed instead."""
    path = tmp_path / "trace.json"
    path.write_text(json.dumps({"resourceSpans": []}))

    assert find_report(path) is None


def test_loading_a_non_report_names_the_file(tmp_path: Path) -> None:
    """A JSON file without a summary is refused with its path."""
    path = tmp_path / "x.json"
    path.write_text("[]")

    with pytest.raises(ReportShapeError, match=r"x\.json"):
        load_report(path)
