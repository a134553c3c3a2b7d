"""Tests of the clock-offset estimate between a caller and the service it called."""

from __future__ import annotations

import pytest

from analyzer.evidence.clock import (
    call_pairs,
    estimate_lead_offsets,
    estimate_offsets,
)
from analyzer.evidence.errors import MissingColumnsError
from tests.analyzer.evidence.factories import call, frame, span


def test_symmetric_delays_give_the_exact_offset() -> None:
    """Equal one-way delays make the midpoint equal the true offset."""
    # client 0..100 ms; 10 ms each way; server clock 90 s ahead.
    rows = call("a" * 32, (0, 100), (90_010, 90_090))

    (estimate,) = estimate_offsets(frame(rows))

    assert estimate.offset_ms == pytest.approx(90_000)
    assert estimate.rtt_ms == pytest.approx(20)
    assert (estimate.client_service, estimate.server_service) == (
        "interviews",
        "video-rooms",
    )


def test_asymmetric_delays_err_by_at_most_half_the_round_trip() -> None:
    """A 30 ms out / 2 ms back call misses by 14 ms, within half its 32 ms RTT."""
    rows = call("b" * 32, (0, 100), (5_030, 5_098))

    (pair,) = call_pairs(frame(rows)).itertuples()

    assert pair.offset_ms == pytest.approx(5_000 + (30 - 2) / 2)
    assert abs(pair.offset_ms - 5_000) <= pair.rtt_ms / 2


def test_spread_is_interquartile_range_and_mad() -> None:
    """IQR and MAD are computed over the per-pair offsets."""
    offsets = [100, 200, 300, 400, 1_000]
    rows = [
        row
        for i, off in enumerate(offsets)
        for row in call(f"{i:032x}", (0, 100), (off + 10, off + 90))
    ]

    (estimate,) = estimate_offsets(frame(rows))

    assert estimate.iqr_ms == pytest.approx(400 - 200)
    assert estimate.mad_ms == pytest.approx(100)  # |dev| = 200,100,0,100,700


def test_series_has_one_point_per_minute_of_client_time() -> None:
    """Pairs are bucketed by the minute their client span started."""
    rows = [
        *call("1" * 32, (0, 100), (510, 590)),  # RTT 20 ms, offset 500
        *call("2" * 32, (1_000, 1_100), (1_720, 1_780)),  # RTT 40 ms, offset 700
        *call("3" * 32, (61_000, 61_100), (62_010, 62_090)),
    ]

    (estimate,) = estimate_offsets(frame(rows))

    assert [(p.pairs, p.offset_ms) for p in estimate.series] == [
        (2, pytest.approx(600)),
        (1, pytest.approx(1_000)),
    ]
    assert estimate.series[1].minute_ns - estimate.series[0].minute_ns == 60 * 10**9


def test_the_least_delayed_quarter_decides_the_estimate() -> None:
    """Queued calls with inflated one-way delays do not pull the estimate."""
    quick = [call(f"{i:032x}", (0, 100), (90_010, 90_090)) for i in range(10)]
    # 60 ms queued on the way in, 0 on the way back: each such midpoint is +30 ms.
    queued = [call(f"{i:032x}", (0, 200), (90_060, 90_200)) for i in range(10, 40)]
    rows = [row for pair in quick + queued for row in pair]

    (estimate,) = estimate_offsets(frame(rows))

    assert estimate.offset_ms == pytest.approx(90_000)
    assert estimate.used_pairs == 10
    assert estimate.pairs == 40


def test_few_pairs_are_all_used() -> None:
    """With eight pairs or fewer the estimate is the median of them all."""
    rows = [
        row
        for i, off in enumerate([100, 200, 300])
        for row in call(f"{i:032x}", (0, 100 + i), (off + 10, off + 90))
    ]

    (estimate,) = estimate_offsets(frame(rows))

    assert estimate.offset_ms == pytest.approx(200, abs=1)
    assert estimate.used_pairs == 3


def test_negative_round_trips_are_never_selected() -> None:
    """A server span longer than its client span breaks the model and is skipped."""
    rows = [
        *call("1" * 32, (0, 100), (4_990, 5_120)),  # RTT -30 ms
        *call("2" * 32, (0, 100), (5_010, 5_090)),  # RTT 20 ms, offset 5000
    ]

    (estimate,) = estimate_offsets(frame(rows))

    assert estimate.offset_ms == pytest.approx(5_000)
    assert estimate.rtt_ms == pytest.approx(20)


def test_calls_within_one_service_are_not_pairs() -> None:
    """A client and server span of the same service say nothing about clocks."""
    rows = call("c" * 32, (0, 100), (10, 90), server_service="interviews")

    assert estimate_offsets(frame(rows)) == ()


def test_small_offsets_are_not_significant() -> None:
    """An offset within half the round trip is not called a disagreement."""
    rows = call("d" * 32, (0, 1_000), (60, 940))  # offset 0, rtt 120

    (estimate,) = estimate_offsets(frame(rows))

    assert not estimate.significant


def test_large_offsets_are_significant() -> None:
    """A 90 s offset with a 20 ms round trip is a disagreement."""
    (estimate,) = estimate_offsets(frame(call("e" * 32, (0, 100), (90_010, 90_090))))

    assert estimate.significant


def test_missing_columns_are_named() -> None:
    """A table without times is refused with the missing names."""
    table = frame(call("f" * 32, (0, 100), (10, 90))).drop(columns=["end_ns"])

    with pytest.raises(MissingColumnsError, match="end_ns"):
        estimate_offsets(table)


def test_lead_difference_estimates_the_inner_clock() -> None:
    """Outer lead minus inner lead is the inner clock minus the outer clock."""
    trace = "9" * 32
    outer = span(trace, "interviews", "server", 0, 200, lead_ms=59_990.0)
    client = span(trace, "interviews", "client", 10, 190, parent=outer["span_id"])
    inner = span(
        trace,
        "video-rooms",
        "server",
        90_020,
        90_180,
        parent=client["span_id"],
        lead_ms=-30_025.0,
    )

    (estimate,) = estimate_lead_offsets(frame([outer, client, inner]))

    assert estimate.offset_ms == pytest.approx(59_990 + 30_025)
    assert (estimate.outer_service, estimate.inner_service) == (
        "interviews",
        "video-rooms",
    )


def test_lead_difference_survives_a_parent_cycle() -> None:
    """Spans whose parents form a loop end the walk instead of looping."""
    trace = "8" * 32
    first = span(trace, "a", "server", 0, 1, span_id_="1" * 16, parent="2" * 16)
    second = span(trace, "a", "client", 0, 1, span_id_="2" * 16, parent="1" * 16)
    first["lead_ms"] = 5.0

    assert estimate_lead_offsets(frame([first, second])) == ()
