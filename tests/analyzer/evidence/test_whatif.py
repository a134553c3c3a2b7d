"""Tests of the what-if replay of the schedule rule."""

from __future__ import annotations

import random

from analyzer.evidence.h1 import ServiceOffset
from analyzer.evidence.whatif import sweep
from tests.analyzer.evidence.factories import leads

MIN = 60_000.0


def _seed_incident_like() -> list[tuple[str, str | None, float | None, float]]:
    """66 "now" rejections, a few short and past ones, 42 accepted at 600 s."""
    rng = random.Random(7)
    rows: list[tuple[str, str | None, float | None, float]] = []
    rows += [
        ("video-rooms", "schedule.too_soon", rng.uniform(0, 40), MIN) for _ in range(61)
    ]
    rows += [
        ("video-rooms", "schedule.in_past", -rng.uniform(1, 30), MIN) for _ in range(5)
    ]
    rows += [("video-rooms", "schedule.too_soon", 20_000.0, MIN)] * 3
    rows += [("video-rooms", "schedule.too_soon", 45_000.0, MIN)] * 2
    rows += [
        ("video-rooms", None, 600_000.0 - rng.uniform(0, 50), MIN) for _ in range(42)
    ]
    return rows


def _expected(rows, minimum_ms):  # type: ignore[no-untyped-def]
    """The rule written out plainly: naive never, else lead >= max(0, minimum)."""
    passed = sum(
        1
        for _, cause, lead, _ in rows
        if cause in ("schedule.too_soon", "schedule.in_past")
        and lead >= 0
        and lead >= minimum_ms
    )
    newly_failed = sum(
        1 for _, cause, lead, _ in rows if cause is None and lead < minimum_ms
    )
    return passed, newly_failed


def test_sweep_matches_the_rule_computed_by_hand() -> None:
    """Each minimum lead passes exactly the rejections a plain loop says it does."""
    rows = _seed_incident_like()

    table = sweep(leads(rows), {})

    recorded = [r for r in table if not r.clocks_corrected]
    assert [r.min_lead_s for r in recorded] == [0.0, 15.0, 30.0, 60.0, 120.0]
    for row in recorded:
        passed, newly_failed = _expected(rows, row.min_lead_s * 1000)
        assert (row.would_pass, row.accepted_would_fail) == (passed, newly_failed)
        assert row.rejected == 71
        assert row.still_rejected == 71 - passed


def test_zero_minimum_passes_only_non_negative_leads() -> None:
    """With no minimum the 66 non-negative leads pass and the 5 past ones do not."""
    table = sweep(leads(_seed_incident_like()), {})

    zero = next(r for r in table if r.min_lead_s == 0 and not r.clocks_corrected)

    assert zero.would_pass == 66
    assert zero.pass_share == 66 / 71


def test_the_recorded_minimum_is_always_replayed() -> None:
    """A minimum in force outside the sweep is added to it."""
    table = sweep(leads([("s", "schedule.too_soon", 10.0, 45_000.0)]), {})

    assert 45.0 in {r.min_lead_s for r in table}


def test_corrected_clocks_pass_skewed_rejections() -> None:
    """Adding a significant +90 s offset lets -30 s inner leads meet 60 s."""
    table = leads([("video-rooms", "schedule.in_past", -29_990.0, MIN)] * 5)
    offsets = {"video-rooms": ServiceOffset("video-rooms", 90_000.0, True, "test")}

    rows = {(r.min_lead_s, r.clocks_corrected): r for r in sweep(table, offsets)}

    assert rows[(60.0, False)].would_pass == 0
    assert rows[(60.0, True)].would_pass == 5


def test_insignificant_offsets_are_not_applied() -> None:
    """An offset the estimate cannot resolve changes nothing."""
    table = leads([("video-rooms", "schedule.too_soon", 59_950.0, MIN)])
    offsets = {"video-rooms": ServiceOffset("video-rooms", 80.0, False, "test")}

    rows = {(r.min_lead_s, r.clocks_corrected): r for r in sweep(table, offsets)}

    assert rows[(60.0, True)].would_pass == 0


def test_naive_times_never_pass_and_missing_leads_are_counted() -> None:
    """Naive date-times stay rejected; rejections without a lead are counted apart."""
    table = leads(
        [
            ("video-rooms", "schedule.naive_datetime", 3 * 3_600_000.0, MIN),
            ("video-rooms", "schedule.too_soon", None, MIN),
        ]
    )

    zero = next(r for r in sweep(table, {}) if r.min_lead_s == 0)

    assert zero.would_pass == 0
    assert zero.no_lead == 1
