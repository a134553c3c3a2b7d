"""Tests of lead-time tables, named clusters and quantiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analyzer.evidence.leads import classify as classify_leads
from analyzer.evidence.leads import (
    clusters,
    hours_label,
    lead_table,
    summaries,
)
from tests.analyzer.evidence.factories import frame, leads, span

H = 3_600_000.0


def _names(values: list[float], minimum: float = 60_000.0) -> list[str]:
    names, _ = classify_leads(np.array(values), np.full(len(values), minimum))
    return list(names)


def test_a_clients_own_now_is_near_zero() -> None:
    """Leads of a few milliseconds either side of zero are the "now" cluster."""
    assert _names([-12.0, 0.0, 350.0, 1_999.0]) == ["near_zero"] * 4


def test_whole_hour_shifts_are_named_with_their_hours() -> None:
    """A lead within 20 minutes of -3 h or +3 h is a three-hour shift."""
    names, shifts = classify_leads(
        np.array([-3 * H + 60_000, 3 * H + 600_000]), np.array([60_000.0] * 2)
    )

    assert list(names) == ["hours", "hours"]
    assert list(shifts) == [-3, 3]


def test_other_leads_fall_into_past_short_or_enough() -> None:
    """Past, short-but-positive and long-enough leads get their own names."""
    assert _names([-30_000.0, 30_000.0, 60_000.0, 900_000.0]) == [
        "negative",
        "short_positive",
        "enough",
        "enough",
    ]


def test_half_hour_leads_are_not_time_zone_shifts() -> None:
    """A lead 30 minutes from any whole hour is not a shift."""
    assert _names([1.5 * H]) == ["enough"]


def test_hours_label_names_the_utc_offset() -> None:
    """The label of a +3 h shift names the +03:00 zone; -3 h names a +03:00 stamp."""
    assert "UTC+03:00" in hours_label(3)
    assert "+3 h" in hours_label(3)
    assert "stamped +03:00" in hours_label(-3)


def test_clusters_count_and_share_per_outcome() -> None:
    """Counts and shares add up within each outcome, largest cluster first."""
    table = leads(
        [
            ("video-rooms", "schedule.too_soon", -5.0, 60_000.0),
            ("video-rooms", "schedule.too_soon", -8.0, 60_000.0),
            ("video-rooms", "schedule.too_soon", 30_000.0, 60_000.0),
            ("video-rooms", None, 600_000.0, 60_000.0),
        ]
    )

    found = clusters(table)

    rejected = [c for c in found if c.outcome == "rejected"]
    assert [(c.cluster, c.count) for c in rejected] == [
        ("near_zero", 2),
        ("short_positive", 1),
    ]
    assert sum(c.share for c in rejected) == pytest.approx(1.0)
    assert rejected[0].median_ms == pytest.approx(-6.5)


def test_summaries_give_quantiles_per_outcome() -> None:
    """Quantiles match numpy's over the outcome's leads."""
    values = [float(v) for v in range(-50, 51)]
    table = leads([("s", "schedule.too_soon", v, 60_000.0) for v in values])

    (summary,) = summaries(table)

    assert summary.count == 101
    assert summary.quantiles_ms["p50"] == pytest.approx(0.0)
    assert summary.quantiles_ms["p95"] == pytest.approx(np.quantile(values, 0.95))
    assert (summary.min_ms, summary.max_ms) == (-50.0, 50.0)


def test_lead_table_reads_server_spans() -> None:
    """Server spans with a lead or a schedule cause become lead rows."""
    trace = "a" * 32
    rows = [
        span(trace, "interviews", "server", 0, 1, lead_ms=59_990.0, min_lead_ms=6e4),
        span(trace, "interviews", "client", 0, 1),
        span(
            trace,
            "video-rooms",
            "server",
            0,
            1,
            cause="schedule.in_past",
            lead_ms=-30_000.0,
            min_lead_ms=6e4,
        ),
    ]

    table = lead_table(frame(rows), pd.DataFrame())

    assert list(table["outcome"]) == ["accepted", "rejected"]
    assert list(table["service"]) == ["interviews", "video-rooms"]


def test_lead_table_falls_back_to_logs_once_per_span() -> None:
    """Without leads on spans, log lines give one row per trace, span and service."""
    logs = pd.DataFrame(
        [
            {
                "trace_id": "b" * 32,
                "span_id": "1" * 16,
                "service": "video-rooms",
                "event": event,
                "cause": "schedule.too_soon",
                "lead_ms": -4.0,
                "min_lead_ms": 60_000.0,
            }
            for event in ("request.rejected", "http.access")
        ]
    )

    table = lead_table(pd.DataFrame(), logs)

    assert len(table) == 1
    assert table.loc[0, "outcome"] == "rejected"


def test_a_relayed_rejection_is_not_counted_twice() -> None:
    """The caller carrying the inner schedule cause is ``relayed``, not rejected."""
    trace = "c" * 32
    cause = "schedule.in_past"
    outer = span(trace, "interviews", "server", 0, 9, cause=cause, lead_ms=59_990.0)
    client = span(trace, "interviews", "client", 1, 8, parent=outer["span_id"])
    inner = span(
        trace,
        "video-rooms",
        "server",
        2,
        7,
        parent=client["span_id"],
        cause=cause,
        lead_ms=-30_000.0,
        min_lead_ms=6e4,
    )

    table = lead_table(frame([outer, client, inner]), pd.DataFrame())

    outcomes = dict(zip(table["service"], table["outcome"], strict=True))
    assert outcomes == {"interviews": "relayed", "video-rooms": "rejected"}


def test_a_lead_without_a_minimum_is_just_positive() -> None:
    """Without a recorded minimum a positive lead is not called short."""
    assert _names([900_000.0], minimum=float("nan")) == ["positive"]
