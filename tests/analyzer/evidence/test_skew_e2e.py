"""End to end: video-rooms runs under a really shifted clock (libfaketime).

Both services run as real processes; video-rooms' wall clock is moved 90 s
ahead by Debian's ``faketime`` (LD_PRELOAD), not by the app's offset switch.
The evidence must find the offset from the spans alone.

Requests go eight at a time, as the demo sends them. One request at a time on
an idle loopback has a round trip (client minus server span duration) under a
millisecond, and the instrumentation's own asymmetry (the server span ends
after the response is sent) is of the same size, so "within half the RTT"
would test scheduling noise rather than the estimate.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("faketime") is None, reason="needs faketime"),
]

SKEW_S = 90.0
REQUESTS = 24
CONCURRENCY = 8


@dataclass(frozen=True)
class Run:
    """What one skewed run produced."""

    telemetry: Path
    statuses: list[int]


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.fixture(scope="module")
def skewed_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """24 form posts (leads 60 s and 900 s, eight in flight), video-rooms skewed."""
    from app.launcher import start_services

    out = tmp_path_factory.mktemp("skew")
    env = {
        "TRIAGE_DATABASE_URL": f"sqlite:///{out / 'db.sqlite'}",
        "TRIAGE_TELEMETRY_DIR": str(out / "telemetry"),
        "TRIAGE_DEMO_USERS": "2",
        "TRIAGE_LOG_STDERR": "false",
    }
    statuses = []
    with (
        start_services(
            env=env,
            command_prefix={"video-rooms": ["faketime", "-f", f"+{SKEW_S:g}s"]},
            per_service_env={"video-rooms": {"FAKETIME_DONT_FAKE_MONOTONIC": "1"}},
            output_dir=out / "process-output",
        ) as running,
        httpx.Client(base_url=running.urls["interviews"], timeout=20) as client,
    ):
        login = {"username": "demo-1", "password": "demo"}
        token = client.post("/api/auth/login", json=login).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}

        def post(index: int) -> int:
            lead = 60 if index % 2 == 0 else 900
            when = datetime.now(UTC) + timedelta(seconds=lead)
            body = {"scheduledTime": _iso(when), "videoType": "built_in"}
            response = client.post("/api/mock-interviews", json=body, headers=headers)
            return response.status_code

        with ThreadPoolExecutor(CONCURRENCY) as pool:
            statuses = list(pool.map(post, range(REQUESTS)))

    return Run(out / "telemetry", statuses)


@pytest.fixture(scope="module")
def analysed(skewed_run: Run):  # type: ignore[no-untyped-def]
    """The core report and the evidence for the skewed run."""
    import analyzer
    from analyzer.evidence import gather_report

    report = analyzer.analyze([skewed_run.telemetry])
    return report, gather_report(report)


def test_the_run_was_really_skewed(skewed_run: Run) -> None:
    """The 60 s requests fail (in the past on video-rooms' clock), the rest pass."""
    assert skewed_run.statuses == [400, 201] * (REQUESTS // 2)


def test_the_offset_is_found_within_half_the_round_trip(analysed) -> None:  # type: ignore[no-untyped-def]
    """The midpoint estimate lands within half the median RTT of the real 90 s."""
    _, evidence = analysed

    (offset,) = evidence.clock_offsets
    assert (offset.client_service, offset.server_service) == (
        "interviews",
        "video-rooms",
    )
    error_ms = abs(offset.offset_ms - SKEW_S * 1000)
    assert error_ms <= offset.uncertainty_ms, (offset.offset_ms, offset.rtt_ms)
    assert offset.significant


def test_clocks_disagree_is_confirmed(analysed) -> None:  # type: ignore[no-untyped-def]
    """Every schedule rejection is explained by the offset."""
    _, evidence = analysed

    verdicts = {v.id: v for v in evidence.h1}
    assert verdicts["clocks_disagree"].verdict == "confirmed"
    assert verdicts["clocks_disagree"].count == REQUESTS // 2
    assert verdicts["client_sends_now"].verdict == "ruled_out"


def test_the_lead_difference_agrees(analysed) -> None:  # type: ignore[no-untyped-def]
    """Outer minus inner lead also measures about 90 s (plus the time between)."""
    _, evidence = analysed

    (lead_offset,) = evidence.lead_offsets
    assert SKEW_S * 1000 <= lead_offset.offset_ms <= SKEW_S * 1000 + 1_000


def test_html_report_of_the_run_names_the_verdict(analysed) -> None:  # type: ignore[no-untyped-def]
    """The HTML report carries the confirmed clock verdict and the offset."""
    from analyzer.evidence import render_html

    report, evidence = analysed
    page = render_html(report, evidence)

    assert "clocks of the two servers disagree" in page
    assert f"+{evidence.clock_offsets[0].offset_ms / 1000:.3f} s" in page
