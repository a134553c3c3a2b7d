"""Pure validation of a room's ``scheduledStartTime`` against a server clock.

The decision records the numbers that tell the sub-hypotheses of H1 apart
(README, "The five hypotheses and their cause codes"): the lead (scheduled
minus this server's now), the minimum lead in force, and the server's own
clock reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from instrumentation.causes import Cause


class InvalidDatetime(ValueError):
    """The value is not an ISO 8601 date-time Python can represent."""


@dataclass(frozen=True)
class ScheduleDecision:
    """The outcome of checking one scheduled time; ``cause`` is None when accepted."""

    scheduled: datetime
    server_now: datetime
    lead: timedelta
    min_lead: timedelta
    cause: Cause | None

    @property
    def accepted(self) -> bool:
        """Whether the scheduled time passed every check."""
        return self.cause is None

    @property
    def lead_ms(self) -> float:
        """The lead in milliseconds (negative when the time is in the past)."""
        return self.lead / timedelta(milliseconds=1)

    @property
    def min_lead_ms(self) -> float:
        """The required lead in milliseconds."""
        return self.min_lead / timedelta(milliseconds=1)


def parse_datetime(value: str) -> datetime:
    """Parse an ISO 8601 date-time; the result is naive when the text has no offset.

    Year 0, five-digit years and offsets of a day or more fail here, as does
    any value whose UTC reading falls outside the representable range.
    """
    # CPython's parser stops at a NUL byte and would accept the prefix.
    if "\x00" in value:
        raise InvalidDatetime("NUL character in date-time")
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is not None:
            parsed.astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise InvalidDatetime(str(error)) from error

    return parsed


def is_naive(moment: datetime) -> bool:
    """Whether a date-time carries no UTC offset."""
    return moment.tzinfo is None or moment.utcoffset() is None


def lead_between(scheduled: datetime, now: datetime) -> timedelta:
    """Scheduled minus now; a naive scheduled time is read as UTC."""
    if is_naive(scheduled):
        scheduled = scheduled.replace(tzinfo=UTC)

    return scheduled - now


def decide(
    value: str,
    *,
    now: datetime,
    min_lead: timedelta,
    past_tolerance: timedelta = timedelta(0),
) -> ScheduleDecision:
    """Check a scheduled time: offset required, not past, at least ``min_lead`` ahead.

    Exactly ``min_lead`` ahead is accepted. A lead below ``-past_tolerance``
    is "in the past"; a lead between that and ``min_lead`` is "too soon", so a
    time that was "now" when sent and aged in transit is judged too soon.
    A naive value is rejected, but its lead is still computed (reading it as
    UTC) so the evidence is recorded.
    Raises InvalidDatetime when the text is not a representable date-time.
    """
    scheduled = parse_datetime(value)
    try:
        lead = lead_between(scheduled, now)
    except OverflowError as error:
        raise InvalidDatetime(str(error)) from error

    cause = None
    if is_naive(scheduled):
        cause = Cause.SCHEDULE_NAIVE_DATETIME
    elif lead < -past_tolerance:
        cause = Cause.SCHEDULE_IN_PAST
    elif lead < min_lead:
        cause = Cause.SCHEDULE_TOO_SOON

    return ScheduleDecision(scheduled, now, lead, min_lead, cause)


def to_utc_text(moment: datetime) -> str:
    """Format an aware date-time in UTC with ``Z``, keeping sub-millisecond digits."""
    utc = moment.astimezone(UTC)
    spec = "milliseconds" if utc.microsecond % 1000 == 0 else "microseconds"

    return utc.isoformat(timespec=spec).replace("+00:00", "Z")
