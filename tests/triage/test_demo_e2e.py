"""``triage demo`` end to end: real processes, real HTTP, real telemetry files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from triage import scenario as scenarios

pytestmark = pytest.mark.e2e

SMALL = 30


def _triage(*args: str, **kwargs) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "triage.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _processes_mentioning(marker: str) -> list[int]:
    """Pids of live processes whose environment names ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker.encode() in environ:
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize("name", scenarios.available())
def test_scenario_attribution_equals_ground_truth(name: str, tmp_path: Path) -> None:
    """Every injected failure lands in its injected cause; verdicts match."""
    out = tmp_path / name
    process = _triage(
        "demo",
        "--scenario",
        name,
        "--requests",
        str(SMALL),
        "--out",
        str(out),
        "--format",
        "json",
    )
    stdout, stderr = process.communicate(timeout=240)

    assert process.returncode == 0, stderr[-3000:]
    report = json.loads(stdout)
    agreement = report["demo"]["agreement"]
    assert agreement["agrees"], agreement
    injected = scenarios.expected_causes(scenarios.plan(scenarios.load(name), SMALL))
    attributed = {g["cause"]: g["count"] for g in report["groups"]}
    assert attributed == dict(injected)
    assert report["summary"]["failed"] == sum(injected.values())
    assert (out / "report.md").read_text().startswith("#")
    assert "## Evidence" in (out / "report.md").read_text()
    assert (out / "report.html").read_text().startswith("<!DOCTYPE html>")
    h1 = {item["id"]: item["verdict"] for item in report["evidence"]["h1"]}
    clocks_injected = name == "clock-skew"
    assert (h1["clocks_disagree"] == "confirmed") == clocks_injected, h1
    assert "Traceback" not in stderr
    EVIDENCE_CHECKS.get(name, lambda *_: None)(report["evidence"], h1, out)


def _rejected_clusters(evidence: dict) -> dict[str, dict]:
    return {
        f"{c['cluster']}{c['hours'] or ''}": c
        for c in evidence["lead_clusters"]
        if c["service"] == "video-rooms" and c["outcome"] == "rejected"
    }


def _check_seed_incident(evidence: dict, h1: dict, out: Path) -> None:
    """The form sends "now": the near-zero cluster is named and the what-if agrees."""
    assert h1["client_sends_now"] == "confirmed"
    assert "near_zero" in _rejected_clusters(evidence)
    rejected, accepted = _video_rooms_leads(out / "telemetry")
    for row in evidence["what_if"]:
        if row["clocks_corrected"]:
            continue
        bar = row["min_lead_s"] * 1000
        assert row["rejected"] == len(rejected), row
        assert row["would_pass"] == sum(lead >= bar for lead in rejected), row
        assert row["accepted_would_fail"] == sum(lead < bar for lead in accepted), row


def _video_rooms_leads(folder: Path) -> tuple[list[float], list[float]]:
    """Leads (ms) of video-rooms' schedule rejections and acceptances, from spans."""
    rejected, accepted = [], []
    for line in (folder / "video-rooms.traces.jsonl").read_text().splitlines():
        for resource in json.loads(line)["resourceSpans"]:
            for scope in resource["scopeSpans"]:
                for span in scope["spans"]:
                    attrs = {
                        a["key"]: next(iter(a["value"].values()))
                        for a in span.get("attributes", [])
                    }
                    if "schedule.lead_ms" not in attrs:
                        continue
                    lead = float(attrs["schedule.lead_ms"])
                    cause = str(attrs.get("error.type", ""))
                    if cause.startswith("schedule."):
                        rejected.append(lead)
                    elif not cause:
                        accepted.append(lead)
    return rejected, accepted


def _check_timezone(evidence: dict, h1: dict, out: Path) -> None:
    """Moscow's offset is named: rejections three hours off, the time zone verdict."""
    assert h1["time_zone"] == "confirmed"
    assert {"hours3", "hours-3"} & set(_rejected_clusters(evidence))


def _check_clock_skew(evidence: dict, h1: dict, out: Path) -> None:
    """The 90 s skew is found within half the median round trip."""
    (estimate,) = [
        o for o in evidence["clock_offsets"] if o["server_service"] == "video-rooms"
    ]
    assert abs(estimate["offset_ms"] - 90_000) <= estimate["rtt_ms"] / 2, estimate


EVIDENCE_CHECKS = {
    "seed-incident": _check_seed_incident,
    "timezone": _check_timezone,
    "clock-skew": _check_clock_skew,
}


def test_interrupt_leaves_no_process_behind(tmp_path: Path) -> None:
    """Ctrl-C during the run stops the services; nothing keeps running."""
    out = tmp_path / "interrupted"
    process = _triage(
        "demo", "--requests", "5000", "--concurrency", "2", "--out", str(out)
    )
    marker = str(out / "telemetry")
    deadline = time.monotonic() + 60
    while not _processes_mentioning(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_mentioning(marker), "the services never started"
    time.sleep(1.0)

    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode != 0
    assert "Traceback" not in stderr
    deadline = time.monotonic() + 10
    while _processes_mentioning(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_mentioning(marker) == []
