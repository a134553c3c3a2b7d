"""Tests of ``triage trace`` and ``triage compare`` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.analyzer.evidence.factories import otlp_line, span

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def _triage(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "triage.cli", *args]
    env = {"COLUMNS": "200", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, env=env, check=False
    )


@pytest.fixture
def skewed(tmp_path: Path) -> Path:
    """One OTLP trace file: video-rooms answers from 90 s in the future."""
    outer = span(TRACE, "interviews", "server", 0, 200, http_status=400,
                 name="POST /api/mock-interviews")  # fmt: skip
    client = span(TRACE, "interviews", "client", 10, 190, parent=outer["span_id"])
    inner = span(TRACE, "video-rooms", "server", 90_020, 90_180,
                 parent=client["span_id"], cause="schedule.in_past",
                 http_status=400, lead_ms=-30_000.0)  # fmt: skip
    path = tmp_path / "traces.jsonl"
    path.write_text(otlp_line([outer, client, inner]) + "\n")
    return path


def test_trace_prints_the_waterfall_for_an_upper_case_id(skewed: Path) -> None:
    """The waterfall names both services, the cause and the skew mark."""
    result = _triage("trace", TRACE.upper(), str(skewed))

    assert result.returncode == 0, result.stderr
    assert "video-rooms" in result.stdout
    assert "schedule.in_past" in result.stdout
    assert "ends 89.990 s after its parent" in result.stdout


def test_trace_says_when_the_trace_is_absent(skewed: Path) -> None:
    """An unknown id is one line on stderr and exit code 2."""
    result = _triage("trace", "0" * 31 + "1", str(skewed))

    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"triage: error: trace {'0' * 31 + '1'} is not in the input"
    )


def test_trace_rejects_what_is_not_an_id(skewed: Path) -> None:
    """A malformed id is refused before any file is read."""
    result = _triage("trace", "xyz", str(skewed))

    assert result.returncode == 2
    assert "not a trace id" in result.stderr
    assert "Traceback" not in result.stderr


def _report(requests: int, too_soon: int, payload: int) -> dict[str, object]:
    groups = [
        {"cause": "schedule.too_soon", "count": too_soon},
        {"cause": "payload.invalid_datetime", "count": payload},
    ]
    return {
        "summary": {"entry_requests": requests, "failed": too_soon + payload},
        "groups": [g for g in groups if g["count"]],
        "hypotheses": [
            {"id": "H1", "verdict": "confirmed" if too_soon else "not_observed",
             "count": too_soon},
            {"id": "H5", "verdict": "confirmed", "count": payload},
        ],
    }  # fmt: skip


def test_compare_finds_the_fixed_cause_beyond_noise(tmp_path: Path) -> None:
    """66 of 120 too-soon failures dropping to none is beyond noise; 12 to 11 is not."""
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir()
    after.mkdir()
    (before / "report.json").write_text(json.dumps(_report(120, 66, 12)))
    (after / "report.json").write_text(json.dumps(_report(120, 0, 11)))

    result = _triage("compare", str(before), str(after), "--format", "json")

    assert result.returncode == 0, result.stderr
    rows = {(r["kind"], r["key"]): r for r in json.loads(result.stdout)["rows"]}
    assert rows[("cause", "schedule.too_soon")]["beyond_noise"] is True
    assert rows[("cause", "payload.invalid_datetime")]["beyond_noise"] is False
    assert rows[("hypothesis", "H1")]["verdict_after"] == "not_observed"


def test_compare_analyses_telemetry_sides(skewed: Path, tmp_path: Path) -> None:
    """A side given as telemetry is analysed first; the method is stated."""
    (tmp_path / "r.json").write_text(json.dumps(_report(1, 0, 0)))

    result = _triage("compare", str(tmp_path / "r.json"), str(skewed), "-f", "markdown")

    assert result.returncode == 0, result.stderr
    assert "| cause | schedule.in_past | 0 (0.0%) | 1 (100.0%)" in result.stdout
    assert "two-proportion z-test" in result.stdout


def test_compare_reports_a_missing_side_in_one_line(tmp_path: Path) -> None:
    """A side that does not exist is exit code 2 with a plain message."""
    result = _triage("compare", str(tmp_path / "nope"), str(tmp_path / "nope2"))

    assert result.returncode == 2
    assert result.stderr.startswith("triage: error:")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "content",
    [b"\x7fELF\x02\x01\x01", b"[1, 2]", b'{"summary": {"entry_requests": 3'],
    ids=["binary", "json-array", "truncated-report"],
)
def test_compare_refuses_a_side_without_telemetry(
    skewed: Path, tmp_path: Path, content: bytes
) -> None:
    """A side holding neither a report nor telemetry is an error, not zero failures."""
    before = tmp_path / "before.json"
    before.write_bytes(content)
    result = _triage("compare", str(before), str(skewed))

    assert result.returncode == 2, result.stdout
    assert "holds neither a report.json nor telemetry" in result.stderr
    assert result.stdout == ""
