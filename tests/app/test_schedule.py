"""The scheduled-time check: boundaries, offsets, naive values, invalid text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.schedule import (
    InvalidDatetime,
    decide,
    lead_between,
    parse_datetime,
    to_utc_text,
)
from instrumentation.causes import Cause

NOW = datetime(2025, 5, 30, 22, 45, 55, 939000, tzinfo=UTC)
MIN_LEAD = timedelta(seconds=60)


def at(delta: timedelta) -> str:
    """NOW + delta in UTC with ``Z``."""
    return to_utc_text(NOW + delta)


def check(value: str, tolerance: timedelta = timedelta(0)) -> Cause | None:
    return decide(value, now=NOW, min_lead=MIN_LEAD, past_tolerance=tolerance).cause


def test_exactly_the_minimum_lead_is_accepted() -> None:
    """A time exactly min lead ahead passes."""
    assert check(at(MIN_LEAD)) is None


def test_one_millisecond_under_the_minimum_lead_is_too_soon() -> None:
    """A time 1 ms short of the min lead is too soon."""
    assert check(at(MIN_LEAD - timedelta(milliseconds=1))) is Cause.SCHEDULE_TOO_SOON


def test_now_is_too_soon() -> None:
    """The form's default (scheduled time = now) is too soon."""
    assert check(at(timedelta(0))) is Cause.SCHEDULE_TOO_SOON


def test_one_millisecond_ago_is_in_the_past_without_tolerance() -> None:
    """With no tolerance, any negative lead is in the past."""
    assert check(at(timedelta(milliseconds=-1))) is Cause.SCHEDULE_IN_PAST


def test_a_now_aged_in_transit_is_too_soon_within_the_tolerance() -> None:
    """A slightly negative lead within the tolerance counts as too soon."""
    tolerance = timedelta(seconds=5)

    assert check(at(timedelta(seconds=-5)), tolerance) is Cause.SCHEDULE_TOO_SOON
    assert check(at(timedelta(seconds=-5.001)), tolerance) is Cause.SCHEDULE_IN_PAST


def test_offset_and_z_denote_the_same_instant() -> None:
    """``+03:00`` three hours ahead on the wall equals the ``Z`` instant."""
    target = NOW + timedelta(minutes=10)
    moscow = target.astimezone(timezone(timedelta(hours=3))).isoformat()

    decision = decide(moscow, now=NOW, min_lead=MIN_LEAD)

    assert decision.accepted
    assert decision.lead_ms == pytest.approx(600_000)


def test_utc_reading_stamped_with_local_offset_is_hours_in_the_past() -> None:
    """A UTC wall time labelled +03:00 lands three hours early (H1, time zone)."""
    wall = (NOW + timedelta(minutes=1)).replace(tzinfo=None).isoformat()

    decision = decide(f"{wall}+03:00", now=NOW, min_lead=MIN_LEAD)

    assert decision.cause is Cause.SCHEDULE_IN_PAST
    assert decision.lead_ms == pytest.approx(-3 * 3600_000 + 60_000)


def test_naive_time_is_rejected_with_its_lead_read_as_utc() -> None:
    """No offset: naive_datetime, and the lead still computed (as UTC)."""
    naive = (NOW + timedelta(minutes=10)).replace(tzinfo=None).isoformat()

    decision = decide(naive, now=NOW, min_lead=MIN_LEAD)

    assert decision.cause is Cause.SCHEDULE_NAIVE_DATETIME
    assert decision.lead_ms == pytest.approx(600_000)


def test_decision_keeps_the_numbers_behind_it() -> None:
    """Lead, min lead and server clock are all on the decision."""
    decision = decide(at(timedelta(seconds=30)), now=NOW, min_lead=MIN_LEAD)

    assert (decision.lead_ms, decision.min_lead_ms) == (30_000, 60_000)
    assert decision.server_now == NOW


@pytest.mark.parametrize(
    "text",
    [
        "",
        "tomorrow 10am",
        "31.05.2025, 01:45:55",
        "2025-13-45T25:61:00Z",
        "0000-01-01T00:00:00Z",
        "99999-01-01T00:00:00Z",
        "2025-01-01T00:00:00+25:00",
        "2025-01-01T00:00:00+24:00",
        "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+23:59",
        "2025-05-30T22:45:55Z\x00junk",
        " 2025-05-30T22:45:55Z",
    ],
)
def test_invalid_or_absurd_text_is_an_invalid_datetime(text: str) -> None:
    """Unparseable or unrepresentable values raise InvalidDatetime."""
    with pytest.raises(InvalidDatetime):
        decide(text, now=NOW, min_lead=MIN_LEAD)


@given(st.text(max_size=40))
def test_any_text_either_parses_or_raises_invalid_datetime(text: str) -> None:
    """The parser never fails with anything but InvalidDatetime."""
    try:
        parsed = parse_datetime(text)
    except InvalidDatetime:
        return
    lead_between(parsed, NOW)


# Fixed offsets only: zone rules have folds and gaps where Python's cross-zone
# equality is deliberately false.
OFFSETS = st.timedeltas(min_value=-timedelta(hours=23), max_value=timedelta(hours=23))


@given(st.datetimes(timezones=st.builds(timezone, OFFSETS)))
def test_any_aware_datetime_round_trips_through_utc_text(moment: datetime) -> None:
    """``to_utc_text`` output parses back to the same instant."""
    try:
        text = to_utc_text(moment)
    except OverflowError:
        return

    assert parse_datetime(text) == moment


def test_utc_text_uses_z_and_milliseconds() -> None:
    """Whole milliseconds print like a browser's toISOString()."""
    assert to_utc_text(NOW) == "2025-05-30T22:45:55.939Z"
