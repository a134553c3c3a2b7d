"""Golden traces: each shape of failure gets exactly the expected root cause."""

from __future__ import annotations

from pathlib import Path

import pytest

import analyzer
from tests.analyzer.builders import (
    CLIENT,
    SERVER,
    log_line,
    span,
    two_tier,
    write_traces,
)

CAUSES = [
    "schedule.too_soon",
    "schedule.in_past",
    "schedule.naive_datetime",
    "auth.missing_credentials",
    "host.missing",
    "db.integrity_error",
    "payload.invalid_json",
]


def _trace(n: int) -> str:
    return f"{n:032x}"


def _causes(report: analyzer.Report) -> dict[str, int]:
    return {g.cause: g.count for g in report.groups}


@pytest.mark.parametrize("cause", CAUSES)
def test_each_cause_code_is_the_root_cause(tmp_path: Path, cause: str) -> None:
    """An inner span's error.type is the root cause of the outer failure."""
    path = write_traces(tmp_path / "t.jsonl", two_tier(_trace(1), inner_cause=cause))
    report = analyzer.analyze([path])
    assert _causes(report) == {cause: 1}
    assert report.groups[0].examples == (_trace(1),)


def test_cross_tier_outer_400_inner_too_soon(tmp_path: Path) -> None:
    """Outer upstream cause, inner schedule.too_soon: the inner (deeper) one wins."""
    spans = two_tier(
        _trace(2),
        outer_cause="upstream.rejected",
        inner_cause="schedule.too_soon",
        schedule__lead_ms=12.5,
        schedule__min_lead_ms=60000.0,
    )
    report = analyzer.analyze([write_traces(tmp_path / "t.jsonl", spans)])
    assert _causes(report) == {"schedule.too_soon": 1}
    h1 = report.hypotheses[0]
    assert h1.evidence["lead_ms"]["p50"] == 12.5
    assert h1.evidence["min_lead_ms"] == 60000.0


def test_legacy_bare_400_reveals_inner_cause(tmp_path: Path) -> None:
    """A legacy-mapped bare 400 is explained by the child's cause only."""
    spans = two_tier(_trace(3), inner_cause="schedule.too_soon")
    report = analyzer.analyze([write_traces(tmp_path / "t.jsonl", spans)])
    assert report.summary.entry_requests == 1
    assert _causes(report) == {"schedule.too_soon": 1}


def test_own_cause_when_nothing_deeper(tmp_path: Path) -> None:
    """An outer rejection with no inner call keeps its own cause."""
    spans = [
        span(
            _trace(4),
            "b000000000000001",
            status=400,
            error__type="payload.invalid_datetime",
        )
    ]
    report = analyzer.analyze([write_traces(tmp_path / "t.jsonl", spans)])
    assert _causes(report) == {"payload.invalid_datetime": 1}
    assert report.groups[0].hypothesis == "H5"


def test_unclassified(tmp_path: Path) -> None:
    """A failure with no cause anywhere is unclassified, and still counted."""
    spans = two_tier(_trace(5), inner_status=None)
    report = analyzer.analyze([write_traces(tmp_path / "t.jsonl", spans)])
    assert _causes(report) == {"unclassified": 1}
    assert (report.summary.failed, report.summary.unclassified) == (1, 1)


def test_status_code_alone_is_not_a_cause(tmp_path: Path) -> None:
    """error.type "400" (the semconv fallback) says nothing: still unclassified."""
    spans = [span(_trace(6), "c000000000000001", status=400, error__type="400")]
    report = analyzer.analyze([write_traces(tmp_path / "t.jsonl", spans)])
    assert _causes(report) == {"unclassified": 1}


def test_context_lost(tmp_path: Path) -> None:
    """Outer called out; the callee's span is a root in another trace: context.lost."""
    outer = two_tier(_trace(7), inner_status=None)
    orphan = [
        span(
            _trace(8),
            "d000000000000001",
            service="video-rooms",
            name="POST /api/video-conferences",
            status=400,
            start_ms=20,
            end_ms=80,
            error__type="schedule.too_soon",
        )
    ]
    report = analyzer.analyze([write_traces(tmp_path / "t.jsonl", outer, orphan)])
    assert report.summary.entry_requests == 1
    assert _causes(report) == {"context.lost": 1}
    assert report.summary.context_lost == 1


def _caller(trace: str, start: int, end: int, call: tuple[int, int], **attrs):
    """An interviews entry whose client call got no server span in its trace."""
    return [
        span(trace, "a000000000000001", status=400, start_ms=start, end_ms=end,
             **attrs),
        span(trace, "a000000000000002", "a000000000000001", name="POST",
             kind=CLIENT, start_ms=call[0], end_ms=call[1]),
    ]  # fmt: skip


def _orphan(trace: str, start: int, end: int):
    return [
        span(trace, "d000000000000001", service="video-rooms",
             name="POST /api/video-conferences", status=400, start_ms=start,
             end_ms=end, error__type="schedule.too_soon"),
    ]  # fmt: skip


def test_context_lost_goes_to_the_call_that_fits_best(tmp_path: Path) -> None:
    """A long timed-out call overlapping another call does not take its orphan."""
    slow = _caller(_trace(40), 0, 700, (10, 690), error__type="upstream.timeout")
    quick = _caller(_trace(41), 100, 200, (110, 190))
    path = write_traces(
        tmp_path / "t.jsonl", slow, quick, _orphan(_trace(42), 120, 185)
    )
    report = analyzer.analyze([path])

    assert _causes(report) == {"upstream.timeout": 1, "context.lost": 1}


def test_context_lost_when_the_callee_closes_just_after_its_caller(
    tmp_path: Path,
) -> None:
    """A server span may end after its client read the answer, even after the entry."""
    caller = _caller(_trace(43), 0, 100, (10, 99))
    path = write_traces(tmp_path / "t.jsonl", caller, _orphan(_trace(44), 20, 101))
    report = analyzer.analyze([path])

    assert report.summary.entry_requests == 1
    assert _causes(report) == {"context.lost": 1}


def test_duplicate_spans_count_once(tmp_path: Path) -> None:
    """The same span exported twice is one span and one request."""
    spans = two_tier(_trace(9), inner_cause="host.missing")
    report = analyzer.analyze([write_traces(tmp_path / "t.jsonl", spans, spans)])
    assert (report.summary.entry_requests, report.summary.duplicate_spans) == (1, 3)
    assert _causes(report) == {"host.missing": 1}


def test_parent_cycle_does_not_loop(tmp_path: Path) -> None:
    """Two spans naming each other as parent are set aside; the rest still stitch."""
    spans = two_tier(_trace(10), inner_cause="db.unavailable")
    spans += [
        span(
            _trace(10),
            "e000000000000001",
            "e000000000000002",
            kind=CLIENT,
            error__type="host.missing",
        ),
        span(_trace(10), "e000000000000002", "e000000000000001", kind=SERVER),
    ]
    report = analyzer.analyze([write_traces(tmp_path / "t.jsonl", spans)])
    assert report.summary.spans_in_cycles == 2
    assert _causes(report) == {"db.unavailable": 1}


def test_missing_times_do_not_crash(tmp_path: Path) -> None:
    """Spans without start or end times are still stitched."""
    spans = two_tier(_trace(11), inner_cause="schedule.too_soon")
    for _, body in spans:
        del body["startTimeUnixNano"], body["endTimeUnixNano"]
    report = analyzer.analyze([write_traces(tmp_path / "t.jsonl", spans)])
    assert _causes(report) == {"schedule.too_soon": 1}


def test_log_event_supplies_the_cause(tmp_path: Path) -> None:
    """A cause only in the inner service's log line (same trace) is found."""
    spans = two_tier(_trace(12))
    traces = write_traces(tmp_path / "t.traces.jsonl", spans)
    logs = tmp_path / "v.logs.jsonl"
    logs.write_text(
        log_line(
            event="request.rejected",
            service="video-rooms",
            trace_id=_trace(12),
            span_id="a000000000000003",
            cause="auth.expired_session",
        )
        + "\n"
    )
    report = analyzer.analyze([traces, logs])
    assert _causes(report) == {"auth.expired_session": 1}


def test_inner_401_counts_for_h2_by_condition(tmp_path: Path) -> None:
    """An inner 401 with no auth cause code still supports H2 (attribute condition)."""
    spans = two_tier(
        _trace(13), outer_status=502, inner_status=401, outer_cause="upstream.rejected"
    )
    report = analyzer.analyze([write_traces(tmp_path / "t.jsonl", spans)])
    assert report.groups[0].cause == "upstream.rejected"
    assert report.groups[0].hypothesis == "H2"


def test_entry_route_narrows_entries(tmp_path: Path) -> None:
    """With an entry route, only spans of that route are entry requests."""
    spans = two_tier(_trace(14), inner_cause="host.missing")
    other = [
        span(
            _trace(15),
            "f000000000000001",
            name="GET /health",
            status=500,
            http__route="/health",
            http__request__method="GET",
        )
    ]
    path = write_traces(tmp_path / "t.jsonl", spans, other)
    assert analyzer.analyze([path]).summary.entry_requests == 2
    narrowed = analyzer.analyze([path], entry_route="POST /api/mock-interviews")
    assert narrowed.summary.entry_requests == 1


def test_logs_only_mode(tmp_path: Path) -> None:
    """Without traces, access events joined by trace id give the same attribution."""
    trace = _trace(16)
    lines = [
        log_line(
            event="request.rejected",
            service="video-rooms",
            trace_id=trace,
            cause="schedule.too_soon",
            schedule__lead_ms=5.0,
        ),
        log_line(
            event="http.access",
            service="video-rooms",
            trace_id=trace,
            status=400,
            route="/api/video-conferences",
            method="POST",
            duration_ms=8.0,
            cause="schedule.too_soon",
        ),
        log_line(
            event="http.access",
            service="interviews",
            trace_id=trace,
            status=400,
            route="/api/mock-interviews",
            method="POST",
            duration_ms=20.0,
        ),
        log_line(
            event="http.access",
            service="interviews",
            trace_id=_trace(17),
            status=201,
            route="/api/mock-interviews",
            method="POST",
            duration_ms=20.0,
        ),
    ]
    path = tmp_path / "app.logs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = analyzer.analyze([path])
    assert report.summary.mode == "logs"
    assert (report.summary.entry_requests, report.summary.failed) == (2, 1)
    assert _causes(report) == {"schedule.too_soon": 1}
    assert report.hypotheses[0].evidence["lead_ms"]["max"] == 5.0


def test_logs_only_rejection_events_repeating_the_status(tmp_path: Path) -> None:
    """A rejection event that repeats its request's status is not a request.

    Our services log ``request.rejected`` with the status beside the access
    event, in the same span; the outer one carries ``upstream.rejected``. Taken
    for requests of their own, they would chain below the inner access event
    and hide the inner cause.
    """
    trace = _trace(30)
    common = {"trace_id": trace, "method": "POST"}
    inner = {**common, "service": "video-rooms", "span_id": "1" * 16}
    outer = {**common, "service": "interviews", "span_id": "2" * 16}
    lines = [
        log_line(event="request.rejected", status=401, cause="auth.invalid_session",
                 **inner),
        log_line(event="http.access", status=401, duration_ms=1.5,
                 cause="auth.invalid_session", route="/api/video-conferences",
                 **inner),
        log_line(event="request.rejected", status=502, cause="upstream.rejected",
                 **outer),
        log_line(event="http.access", status=502, duration_ms=25.0,
                 cause="upstream.rejected", route="/api/mock-interviews", **outer),
    ]  # fmt: skip
    path = tmp_path / "app.logs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = analyzer.analyze([path])

    assert (report.summary.entry_requests, report.summary.failed) == (1, 1)
    assert _causes(report) == {"auth.invalid_session": 1}


def test_groups_add_up_to_failures(tmp_path: Path) -> None:
    """Group counts (unclassified and context.lost included) sum to the failures."""
    requests = [two_tier(_trace(20 + i), inner_cause=CAUSES[i % 3]) for i in range(6)]
    requests.append(two_tier(_trace(40), inner_status=None))
    requests.append(two_tier(_trace(41), outer_status=201, inner_status=201))
    report = analyzer.analyze([write_traces(tmp_path / "t.jsonl", *requests)])
    assert sum(g.count for g in report.groups) == report.summary.failed == 7
    assert report.summary.entry_requests == 8


def test_logs_only_events_without_a_trace_each_count(tmp_path: Path) -> None:
    """Access events with a span id but no trace id are not merged into one."""
    lines = [
        log_line(event="http.access", status=500, duration_ms=3.0, span_id="a" * 16,
                 route="/api/mock-interviews", method="POST", cause="db.unavailable"),
        log_line(event="http.access", status=500, duration_ms=4.0, span_id="a" * 16,
                 route="/api/mock-interviews", method="POST", cause="db.unavailable"),
    ]  # fmt: skip
    path = tmp_path / "app.logs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = analyzer.analyze([path])

    assert (report.summary.entry_requests, report.summary.failed) == (2, 2)
