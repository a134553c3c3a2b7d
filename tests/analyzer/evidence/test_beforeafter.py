"""Tests of the before/after comparison and its two-proportion z-test."""

from __future__ import annotations

import math

import pytest
from rich.console import Console

from analyzer.evidence.beforeafter import Tally, compare_tallies, two_proportion_z
from analyzer.evidence.comparison import render_table


def test_z_matches_the_textbook_formula() -> None:
    """40/100 against 20/100: pooled p 0.3, z = -0.2 / sqrt(0.3*0.7*0.02)."""
    z, p_value = two_proportion_z(40, 100, 20, 100)

    expected = -0.2 / math.sqrt(0.3 * 0.7 * 0.02)
    assert z == pytest.approx(expected)
    assert p_value == pytest.approx(
        2 * (1 - 0.5 * (1 + math.erf(abs(expected) / 2**0.5)))
    )


def test_identical_all_zero_shares_are_not_a_change() -> None:
    """0 of 50 against 0 of 80 is no change (p = 1)."""
    assert two_proportion_z(0, 50, 0, 80) == (0.0, 1.0)


def test_empty_side_gives_no_test() -> None:
    """Without requests on one side the test is undefined."""
    assert two_proportion_z(3, 0, 1, 10) == (None, None)


def _tally(requests: int, causes: dict[str, int], verdict: str) -> Tally:
    return Tally(
        requests=requests,
        failed=sum(causes.values()),
        causes=causes,
        hypotheses={"H1": causes.get("schedule.too_soon", 0)},
        verdicts={"H1": verdict},
    )


def test_a_fixed_cause_drops_beyond_noise() -> None:
    """66 of 120 down to 0 of 120 is far beyond noise; 12 to 11 of 120 is not."""
    before = _tally(
        120, {"schedule.too_soon": 66, "payload.invalid_datetime": 12}, "confirmed"
    )
    after = _tally(120, {"payload.invalid_datetime": 11}, "not_observed")

    rows = {(r.kind, r.key): r for r in compare_tallies(before, after)}

    fixed = rows[("cause", "schedule.too_soon")]
    assert fixed.beyond_noise and fixed.direction == "down"
    assert not rows[("cause", "payload.invalid_datetime")].beyond_noise
    assert rows[("total", "failed")].before == 78
    hypothesis = rows[("hypothesis", "H1")]
    assert (hypothesis.verdict_before, hypothesis.verdict_after) == (
        "confirmed",
        "not_observed",
    )


def test_shares_are_out_of_all_entry_requests() -> None:
    """A share is the count over the side's entry requests."""
    rows = compare_tallies(_tally(200, {"x": 50}, "-"), _tally(100, {"x": 50}, "-"))

    row = next(r for r in rows if r.key == "x")
    assert (row.before_share, row.after_share) == (0.25, 0.5)


@pytest.mark.parametrize("width", [80, 160])
def test_the_table_keeps_causes_and_verdicts_whole_at_any_width(width: int) -> None:
    """At 80 columns every cause code, number and verdict is still printed whole."""
    before = _tally(
        120,
        {"auth.missing_credentials": 30, "payload.invalid_datetime": 12},
        "ruled_out",
    )
    after = _tally(120, {"payload.invalid_datetime": 11}, "not_observed")
    console = Console(record=True, width=width)

    render_table(compare_tallies(before, after), ["before", "after"], console)

    printed = console.export_text()
    text = " ".join(printed.split())
    assert "auth.missing_credentials" in text
    assert "30 (25.0%)" in text
    assert "ruled_out ->" in text and "not_observed" in text
    assert max(len(line) for line in printed.splitlines()) <= width
