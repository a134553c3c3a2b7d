"""Tests of the gather entry point over tables in the analyzer core's shape."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from analyzer.evidence import gather, render_markdown
from tests.analyzer.evidence.factories import MS, T0_NS

SERVER, CLIENT = 2, 3
ERROR, UNSET = 2, 0


def _core_spans(skew_ms: float = 90_000.0) -> pa.Table:
    """Ten clock-skew traces as the core stores them: integer ids and enums."""
    rows = []
    for i in range(10):
        rejected = i < 6
        base = i * 1_000.0
        lead = 60_000.0 - 10 if rejected else 900_000.0 - 10
        ids = {"outer": 3 * i + 1, "client": 3 * i + 2, "inner": 3 * i + 3}
        common = {"trace_hi": 7, "trace_lo": i + 1, "cause": None, "lead_ms": None}
        rows += [
            {
                **common,
                "span_id": ids["outer"],
                "parent_id": 0,
                "service": "interviews",
                "kind": SERVER,
                "start_ns": T0_NS + int(base * MS),
                "end_ns": T0_NS + int((base + 100) * MS),
                "status": ERROR if rejected else UNSET,
                "http_status": 400 if rejected else 201,
                "cause": "upstream.rejected" if rejected else None,
                "lead_ms": lead,
                "min_lead_ms": 60_000.0,
                "attr:user_agent": "OldForm/1.0" if rejected else "NewForm/2.0",
            },
            {
                **common,
                "span_id": ids["client"],
                "parent_id": ids["outer"],
                "service": "interviews",
                "kind": CLIENT,
                "start_ns": T0_NS + int((base + 10) * MS),
                "end_ns": T0_NS + int((base + 90) * MS),
                "status": UNSET,
                "http_status": 400 if rejected else 201,
                "min_lead_ms": None,
                "attr:user_agent": None,
            },
            {
                **common,
                "span_id": ids["inner"],
                "parent_id": ids["client"],
                "service": "video-rooms",
                "kind": SERVER,
                "start_ns": T0_NS + int((base + 20 + skew_ms) * MS),
                "end_ns": T0_NS + int((base + 80 + skew_ms) * MS),
                "status": ERROR if rejected else UNSET,
                "http_status": 400 if rejected else 201,
                "cause": "schedule.in_past" if rejected else None,
                "lead_ms": lead - skew_ms - 15,
                "min_lead_ms": 60_000.0,
                "attr:user_agent": None,
            },
        ]
    schema = pa.schema(
        [
            ("trace_hi", pa.uint64()),
            ("trace_lo", pa.uint64()),
            ("span_id", pa.uint64()),
            ("parent_id", pa.uint64()),
            ("service", pa.string()),
            ("kind", pa.int8()),
            ("start_ns", pa.int64()),
            ("end_ns", pa.int64()),
            ("status", pa.int8()),
            ("http_status", pa.int32()),
            ("cause", pa.string()),
            ("lead_ms", pa.float64()),
            ("min_lead_ms", pa.float64()),
            ("attr:user_agent", pa.string()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def test_clock_skew_is_found_and_confirmed() -> None:
    """A 90 s offset is estimated and confirms "clocks disagree"."""
    evidence = gather(_core_spans(), None)

    (offset,) = evidence.clock_offsets
    assert offset.offset_ms == pytest.approx(90_000, abs=offset.uncertainty_ms)
    verdicts = {v.id: v.verdict for v in evidence.h1}
    assert verdicts["clocks_disagree"] == "confirmed"
    assert verdicts["client_sends_now"] == "ruled_out"


def test_lead_difference_agrees_with_span_timing() -> None:
    """Outer minus inner lead gives the same offset, plus the 15 ms between checks."""
    (lead_offset,) = gather(_core_spans(), None).lead_offsets

    assert lead_offset.offset_ms == pytest.approx(90_015)


def test_what_if_with_corrected_clocks_replays_the_exact_rule() -> None:
    """Corrected, the leads are 25 ms short of 60 s: they pass at 30 s, not at 60 s."""
    rows = {
        (r.min_lead_s, r.clocks_corrected): r
        for r in gather(_core_spans(), None).what_if
    }

    assert rows[(30.0, True)].would_pass == 6
    assert rows[(30.0, False)].would_pass == 0
    assert rows[(60.0, True)].would_pass == 0


def test_entry_requests_take_the_inner_cause() -> None:
    """Each failed entry request carries the deepest non-upstream cause."""
    requests = gather(_core_spans(), None).requests

    assert len(requests) == 10
    failed = requests[requests["failed"]]
    assert set(failed["cause"]) == {"schedule.in_past"}


def test_report_root_causes_win() -> None:
    """A cause the core attributed replaces the approximation."""
    trace = f"{7:016x}{1:016x}"
    report = {"requests": [{"trace_id": trace.upper(), "cause": "payload.x"}]}

    requests = gather(_core_spans(), None, report).requests

    assert requests.set_index("trace_id").at[trace, "cause"] == "payload.x"


def test_contrast_finds_the_separating_extra_attribute() -> None:
    """The user agent column, stored as ``attr:user_agent``, ranks first."""
    (top, *_) = gather(_core_spans(), None).contrast

    assert top.attribute == "user_agent"
    assert top.score == pytest.approx(1.0)


def test_to_dict_is_json_ready() -> None:
    """The evidence serialises to JSON without custom encoders."""
    data = gather(_core_spans(), None).to_dict()

    assert json.loads(json.dumps(data))["h1"][2]["id"] == "clocks_disagree"


def test_markdown_names_the_verdicts_and_offset() -> None:
    """The Markdown section shows the confirmed sub-verdict and the offset."""
    text = render_markdown(gather(_core_spans(), None))

    assert "clocks of the two servers disagree | confirmed" in text
    assert "+90.000 s" in text


def test_empty_input_gives_empty_evidence() -> None:
    """No spans and no logs is not an error: every list is empty."""
    evidence = gather(None, None)

    assert evidence.clock_offsets == ()
    assert {v.verdict for v in evidence.h1} == {"not_observed"}
