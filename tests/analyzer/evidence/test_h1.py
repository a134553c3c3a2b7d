"""Tests of the H1 sub-verdicts: now, time zone, clocks, genuinely too soon."""

from __future__ import annotations

from analyzer.evidence.clock import ClockOffset, LeadOffset
from analyzer.evidence.h1 import explain, service_offsets, sub_verdicts
from tests.analyzer.evidence.factories import leads

H = 3_600_000.0
MIN = 60_000.0


def _offset(ms: float, rtt: float = 20.0, pairs: int = 10) -> ClockOffset:
    return ClockOffset("interviews", "video-rooms", pairs, ms, 1.0, 1.0, rtt, ())


def _verdicts(table, clock=(), lead=()):  # type: ignore[no-untyped-def]
    offsets = service_offsets(tuple(clock), tuple(lead))
    return {v.id: v for v in sub_verdicts(explain(table, offsets), offsets)}


def test_now_leads_confirm_client_sends_now() -> None:
    """Rejections with leads of a few ms confirm "client sends now" only."""
    table = leads(
        [("video-rooms", "schedule.too_soon", -3.0 - i, MIN) for i in range(9)]
    )

    verdicts = _verdicts(table, clock=[_offset(0.5)])

    assert verdicts["client_sends_now"].verdict == "confirmed"
    assert verdicts["client_sends_now"].count == 9
    assert verdicts["clocks_disagree"].verdict == "ruled_out"
    assert verdicts["time_zone"].verdict == "ruled_out"
    assert verdicts["too_soon"].verdict == "ruled_out"


def test_an_offset_that_covers_the_shortfall_confirms_clocks() -> None:
    """Inner leads of -30 s with a +90 s offset reach the 60 s minimum."""
    table = leads([("video-rooms", "schedule.in_past", -30_010.0, MIN)] * 6)

    verdicts = _verdicts(table, clock=[_offset(90_000.0)])

    assert verdicts["clocks_disagree"].verdict == "confirmed"
    assert verdicts["clocks_disagree"].count == 6
    assert "+90.0 s" in verdicts["clocks_disagree"].detail
    assert verdicts["too_soon"].verdict == "ruled_out"


def test_an_offset_too_small_to_explain_leaves_too_soon() -> None:
    """A +5 s offset cannot lift a -30 s lead to the minimum."""
    table = leads([("video-rooms", "schedule.in_past", -30_000.0, MIN)] * 4)

    verdicts = _verdicts(table, clock=[_offset(5_000.0)])

    assert verdicts["clocks_disagree"].verdict == "ruled_out"
    assert verdicts["too_soon"].verdict == "confirmed"


def test_clocks_need_most_rejections_to_be_confirmed() -> None:
    """Half the rejections explained by the offset is not "most": inconclusive."""
    table = leads(
        [("video-rooms", "schedule.in_past", -30_000.0, MIN)] * 2
        + [("video-rooms", "schedule.in_past", -200_000.0, MIN)] * 2
    )

    verdicts = _verdicts(table, clock=[_offset(90_000.0)])

    assert verdicts["clocks_disagree"].verdict == "inconclusive"


def test_clocks_without_any_estimate_are_inconclusive() -> None:
    """With no span pairs and no lead pairs the offset is unknown."""
    table = leads([("video-rooms", "schedule.in_past", -30_000.0, MIN)] * 3)

    assert _verdicts(table)["clocks_disagree"].verdict == "inconclusive"


def test_lead_difference_is_used_without_span_pairs() -> None:
    """The lead-difference estimate stands in when span timing is missing."""
    table = leads([("video-rooms", "schedule.in_past", -30_000.0, MIN)] * 3)
    lead = LeadOffset("interviews", "video-rooms", 3, 90_005.0, 3.0)

    assert _verdicts(table, lead=[lead])["clocks_disagree"].verdict == "confirmed"


def test_hour_shifts_and_naive_times_confirm_time_zone() -> None:
    """-3 h leads and naive date-times are time zone mistakes, named in the detail."""
    table = leads(
        [("video-rooms", "schedule.in_past", -3 * H + 59_000, MIN)] * 3
        + [("video-rooms", "schedule.naive_datetime", 3 * H + 599_000, MIN)] * 3
    )

    verdict = _verdicts(table, clock=[_offset(1.0)])["time_zone"]

    assert verdict.verdict == "confirmed"
    assert verdict.count == 6
    assert "-3 h x3" in verdict.detail and "+3 h x3" in verdict.detail


def test_no_schedule_rejections_means_not_observed() -> None:
    """Without schedule rejections no sub-hypothesis is observed."""
    table = leads([("video-rooms", None, 600_000.0, MIN)])

    verdicts = _verdicts(table, clock=[_offset(90_000.0)])

    assert {v.verdict for v in verdicts.values()} == {"not_observed"}


def test_a_minority_explanation_is_inconclusive() -> None:
    """One short lead among nine "now" leads leaves too soon inconclusive."""
    table = leads(
        [("video-rooms", "schedule.too_soon", -3.0, MIN)] * 9
        + [("video-rooms", "schedule.too_soon", 30_000.0, MIN)]
    )

    assert _verdicts(table)["too_soon"].verdict == "inconclusive"


def test_a_slow_arrival_still_counts_as_clocks() -> None:
    """A 60 s lead that arrived 3 s late and 90 s skewed is still the clocks' doing."""
    table = leads([("video-rooms", "schedule.in_past", -33_000.0, MIN)] * 3)

    verdicts = _verdicts(table, clock=[_offset(90_000.0)])

    assert verdicts["clocks_disagree"].count == 3


def test_a_lead_far_short_even_when_corrected_is_too_soon() -> None:
    """30 s ahead under a 90 s skew is still too soon with the clocks corrected."""
    table = leads([("video-rooms", "schedule.in_past", -60_000.0, MIN)] * 3)

    verdicts = _verdicts(table, clock=[_offset(90_000.0)])

    assert verdicts["too_soon"].verdict == "confirmed"
    assert verdicts["clocks_disagree"].verdict == "ruled_out"
