"""The traffic generator's clients compute scheduledTime right or wrong by design."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from triage import scenario as scenarios
from triage.scenario import Traffic
from triage.traffic import (
    _credential_headers,
    form_body,
    iso_utc,
    scheduled_time,
    time_limit,
)

NOW = datetime(2025, 5, 30, 22, 45, 55, 939000, tzinfo=UTC)


def _traffic(kind: str, **extra: object) -> Traffic:
    return Traffic(kind=kind, share=1.0, expect="ok", **extra)


def test_now_is_the_original_report_shape() -> None:
    """The form's default is the browser's toISOString() of now."""
    assert scheduled_time(_traffic("now"), NOW, 0) == "2025-05-30T22:45:55.939Z"


def test_ahead_in_a_zone_carries_the_right_offset() -> None:
    """A correct Moscow client sends its local time with +03:00."""
    value = scheduled_time(
        _traffic("ahead", lead_s=600, time_zone="Europe/Moscow"), NOW, 0
    )
    assert value == "2025-05-31T01:55:55.939+03:00"
    assert datetime.fromisoformat(value) == NOW + timedelta(seconds=600)


def test_naive_has_no_offset() -> None:
    """A naive client sends wall-clock time with no offset at all."""
    value = scheduled_time(
        _traffic("naive", lead_s=0, time_zone="Europe/Moscow"), NOW, 0
    )
    assert value == "2025-05-31T01:45:55.939"
    assert datetime.fromisoformat(value).tzinfo is None


def test_wrong_offset_lands_three_hours_early() -> None:
    """A UTC reading stamped +03:00 is three hours before the intended time."""
    traffic = _traffic("wrong_offset", lead_s=60, time_zone="Europe/Moscow")
    value = datetime.fromisoformat(scheduled_time(traffic, NOW, 0))
    assert value - NOW == timedelta(seconds=60) - timedelta(hours=3)


def test_bad_type_sends_an_unknown_video_type() -> None:
    """The bad_type client keeps the time right and breaks videoType."""
    body = form_body(_traffic("bad_type", lead_s=600), NOW, 0)
    assert body["videoType"] == "zoom"
    assert body["scheduledTime"] == iso_utc(NOW + timedelta(seconds=600))


def test_credentials_are_not_tied_to_traffic_kinds() -> None:
    """In every shipped scenario each kind is sent with both credentials, evenly.

    Kinds are interleaved round-robin; a credential chosen by run-wide parity
    would go with one kind only and fake an auth correlation in the evidence.
    """
    for name in scenarios.available():
        chosen = scenarios.load(name)
        for phase in scenarios.plan(chosen, 200):
            seen: dict[str, Counter[str]] = {}
            for request in phase:
                if request.traffic.credential != "any":
                    continue
                headers = _credential_headers(request.traffic, "t", request.ordinal)
                kind = "cookie" if "Cookie" in headers else "bearer"
                seen.setdefault(request.traffic.kind, Counter())[kind] += 1
            for counts in seen.values():
                assert abs(counts["cookie"] - counts["bearer"]) <= 1, (name, seen)


def test_the_time_limit_grows_with_the_requests_per_connection() -> None:
    """Big runs at low concurrency get time in proportion, small ones 2 minutes."""
    assert time_limit(30, 8) == pytest.approx(120.375)
    assert time_limit(100_000, 1) == pytest.approx(10_120)
