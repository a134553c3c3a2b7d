"""Tests of the one-trace waterfall and its terminal rendering."""

from __future__ import annotations

import pandas as pd
import pytest
from rich.console import Console

from analyzer.evidence.errors import TraceNotFoundError
from analyzer.evidence.terminal import render_waterfall
from analyzer.evidence.waterfall import build
from tests.analyzer.evidence.factories import MS, T0_NS, frame, span

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def _skewed_trace() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Interviews calls video-rooms, whose clock runs 90 s ahead."""
    outer = span(TRACE, "interviews", "server", 0, 200, http_status=400)
    client = span(TRACE, "interviews", "client", 10, 190, parent=outer["span_id"])
    inner = span(
        TRACE,
        "video-rooms",
        "server",
        90_020,
        90_180,
        parent=client["span_id"],
        cause="schedule.in_past",
    )
    logs = pd.DataFrame(
        [
            {
                "timestamp_ns": T0_NS + 90_100 * MS,
                "service": "video-rooms",
                "trace_id": TRACE,
                "span_id": inner["span_id"],
                "level": "warning",
                "event": "request.rejected",
                "cause": "schedule.in_past",
                "lead_ms": -30_010.0,
            },
            {
                "timestamp_ns": T0_NS + 150 * MS,
                "service": "interviews",
                "trace_id": TRACE,
                "span_id": None,
                "level": "info",
                "event": "loose",
            },
        ]
    )
    return frame([inner, outer, client]), logs


def test_spans_are_laid_out_in_call_order_with_depth() -> None:
    """Parent before child, each one level deeper."""
    spans, logs = _skewed_trace()

    waterfall = build(spans, logs, TRACE)

    assert [(r.service, r.kind, r.depth) for r in waterfall.rows] == [
        ("interviews", "server", 0),
        ("interviews", "client", 1),
        ("video-rooms", "server", 2),
    ]
    assert waterfall.rows[2].offset_ms == pytest.approx(90_020)
    assert waterfall.rows[2].duration_ms == pytest.approx(160)


def test_a_child_outside_its_parent_is_marked_with_the_amount() -> None:
    """The skewed server span ends 89.99 s after its client span: marked, not moved."""
    spans, logs = _skewed_trace()

    inner = build(spans, logs, TRACE).rows[2]

    assert "ends 89.990 s after its parent" in inner.marks
    assert "clock offset between services?" in inner.marks


def test_log_events_sit_under_the_span_they_were_written_in() -> None:
    """The rejection event sits under the video-rooms span; the loose line does not."""
    spans, logs = _skewed_trace()

    waterfall = build(spans, logs, TRACE)

    assert [line.event for line in waterfall.rows[2].logs] == ["request.rejected"]
    assert ("cause", "schedule.in_past") in waterfall.rows[2].logs[0].fields
    assert [line.event for line in waterfall.orphan_logs] == ["loose"]


def test_trace_ids_match_in_any_case() -> None:
    """An upper-case id finds the lower-case trace."""
    spans, logs = _skewed_trace()

    assert build(spans, logs, TRACE.upper()).trace_id == TRACE


def test_an_unknown_trace_is_reported() -> None:
    """A trace id in neither table raises TraceNotFoundError naming it."""
    spans, logs = _skewed_trace()

    with pytest.raises(TraceNotFoundError, match="0" * 32):
        build(spans, logs, "0" * 32)


def test_duplicates_are_shown_once_and_cycles_end() -> None:
    """A span exported twice appears once; a parent cycle does not loop."""
    first = span(TRACE, "a", "server", 0, 1, span_id_="1" * 16, parent="2" * 16)
    second = span(TRACE, "a", "client", 0, 1, span_id_="2" * 16, parent="1" * 16)

    waterfall = build(frame([first, first, second]), pd.DataFrame(), TRACE)

    assert sorted(r.span_id for r in waterfall.rows) == ["1" * 16, "2" * 16]


def test_logs_only_traces_are_shown() -> None:
    """A trace known only from log lines still has a view."""
    _, logs = _skewed_trace()

    waterfall = build(pd.DataFrame(), logs, TRACE)

    assert waterfall.rows == ()
    assert len(waterfall.orphan_logs) == 2


def test_rendering_shows_causes_marks_and_events() -> None:
    """The printed waterfall names the cause, the skew mark and the log event."""
    spans, logs = _skewed_trace()
    console = Console(record=True, width=200)

    render_waterfall(build(spans, logs, TRACE), console)

    text = console.export_text()
    assert "schedule.in_past" in text
    assert "ends 89.990 s after its parent" in text
    assert "request.rejected" in text
    assert "video-rooms" in text
    assert "█" in text


def test_an_80_column_terminal_still_shows_causes_and_marks() -> None:
    """Narrow, the timeline goes; the cause, the mark and the names stay legible."""
    spans, logs = _skewed_trace()
    console = Console(record=True, width=80)

    render_waterfall(build(spans, logs, TRACE), console)

    text = console.export_text()
    assert "schedule.in_past" in text
    assert "ends 89.990 s" in text
    assert "!" in text and "█" not in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_a_log_event_with_an_unreadable_time_has_no_offset() -> None:
    """Time 0 (the readers' "unknown") is shown as unknown, not 55 years early."""
    spans, logs = _skewed_trace()
    unknown = {**logs.iloc[0].to_dict(), "timestamp_ns": 0, "event": "no.clock"}
    logs = pd.concat([logs, pd.DataFrame([unknown])], ignore_index=True)

    waterfall = build(spans, logs, TRACE)

    inner_logs = {line.event: line for line in waterfall.rows[2].logs}
    assert inner_logs["no.clock"].offset_ms is None
    assert inner_logs["request.rejected"].offset_ms == pytest.approx(90_100)
    console = Console(record=True, width=200)
    render_waterfall(waterfall, console)
    assert "time ?" in console.export_text()
