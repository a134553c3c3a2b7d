"""Tests of the entry-request table behind the contrast and the failure chart."""

from __future__ import annotations

import pandas as pd

from analyzer.evidence.requests import entry_requests
from tests.analyzer.evidence.factories import frame, span


def _spans() -> pd.DataFrame:
    """Two form posts (one failed deep inside), and a health check."""
    bad, good, health = "a" * 32, "b" * 32, "c" * 32
    outer = span(bad, "interviews", "server", 0, 9, http_status=400, route="/f",
                 cause="upstream.rejected")  # fmt: skip
    client = span(bad, "interviews", "client", 1, 8, parent=outer["span_id"])
    inner = span(bad, "video-rooms", "server", 2, 7, parent=client["span_id"],
                 http_status=400, cause="schedule.too_soon", route="/v")  # fmt: skip
    ok = span(good, "interviews", "server", 0, 9, http_status=201, route="/f")
    probe = span(health, "interviews", "server", 0, 1, http_status=200, route="/h")
    return frame([outer, client, inner, ok, probe])


def test_entries_are_root_server_spans_of_failing_endpoints() -> None:
    """The health check, whose endpoint never fails, is left out."""
    table = entry_requests(_spans(), pd.DataFrame())

    assert sorted(table["trace_id"]) == ["a" * 32, "b" * 32]


def test_a_failed_entry_takes_the_deepest_cause() -> None:
    """The inner schedule cause wins over the outer upstream view."""
    table = entry_requests(_spans(), pd.DataFrame()).set_index("trace_id")

    assert table.at["a" * 32, "cause"] == "schedule.too_soon"
    assert table.at["b" * 32, "cause"] is None


def test_log_fields_covering_only_failures_are_ignored() -> None:
    """A log field present only on failed traces would separate by presence alone."""
    logs = pd.DataFrame([{"trace_id": "a" * 32, "client.time_zone": "Europe/Moscow"}])

    table = entry_requests(_spans(), logs)

    assert "client.time_zone" not in table.columns


def test_log_fields_covering_both_sets_are_joined() -> None:
    """With lines for both traces, the first value per trace becomes a column."""
    logs = pd.DataFrame(
        [
            {"trace_id": "a" * 32, "client.time_zone": "Europe/Moscow"},
            {"trace_id": "b" * 32, "client.time_zone": "UTC"},
        ]
    )

    table = entry_requests(_spans(), logs).set_index("trace_id")

    assert table.at["a" * 32, "client.time_zone"] == "Europe/Moscow"


def test_core_entries_keep_their_attribution_and_extra_attributes() -> None:
    """The core's entry rows keep its cause; ``attr:`` columns lose the prefix."""
    from analyzer.evidence.requests import from_core_entries

    core = pd.DataFrame(
        {
            "trace_id": ["a" * 32, "b" * 32, "c" * 32],
            "start_ns": [1, 2, 3],
            "failed": [True, False, False],
            "cause": ["schedule.too_soon", None, None],
            "service": ["interviews"] * 3,
            "route": ["/f", "/f", "/health"],
            "root_cause": ["x", None, None],
            "attr:client.time_zone": ["Europe/Moscow", "UTC", None],
        }
    )

    table = from_core_entries(core)

    assert list(table["trace_id"]) == ["a" * 32, "b" * 32]
    assert table["cause"].iloc[0] == "schedule.too_soon"
    assert pd.isna(table["cause"].iloc[1])
    assert "client.time_zone" in table.columns and "root_cause" not in table.columns
