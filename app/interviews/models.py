"""HTTP bodies of the interviews service and the room it asks video-rooms for."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from app.db import MockInterview
from app.errors import Rejection
from app.payloads import storable
from instrumentation.causes import Cause

VideoType = Literal["built_in", "external"]
_CAMEL = ConfigDict(alias_generator=to_camel, populate_by_name=True)


# The length is checked on the text before the storability check: a limit on
# ``CleanStr | None`` would be reported in "items", after validation.
ZoneText = Annotated[str, Field(max_length=100), AfterValidator(storable)]


class InterviewRequest(BaseModel):
    """Body of ``POST /api/mock-interviews`` (the browser form)."""

    model_config = ConfigDict(**_CAMEL, strict=True, extra="ignore")

    # Kept as text: a naive value is forwarded unchanged (the original bug).
    scheduled_time: str = Field(max_length=100)
    video_type: VideoType
    time_zone: ZoneText | None = None


class Interview(BaseModel):
    """A stored mock interview as the API returns it."""

    model_config = _CAMEL

    id: int
    scheduled_time: datetime
    video_type: str
    time_zone: str
    video_room_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, row: MockInterview) -> Interview:
        """The API view of a database row."""
        return cls(
            id=row.id,
            scheduled_time=row.scheduled_time,
            video_type=row.video_type,
            time_zone=row.time_zone,
            video_room_id=row.video_room_id,
            created_at=row.created_at,
        )


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def resolve_zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``, or a ``payload.invalid_value`` rejection."""
    # Checking the installed names first keeps arbitrary text off the file system.
    if name not in _zone_names():
        detail = "timeZone must be an IANA time zone name such as Europe/Moscow."
        pointer = {"pointer": "#/timeZone", "detail": "unknown time zone"}
        raise Rejection(Cause.PAYLOAD_INVALID_VALUE, 400, detail, errors=[pointer])

    return ZoneInfo(name)


def local_reading(scheduled: datetime, zone: ZoneInfo) -> datetime:
    """The wall-clock time the user sees; a naive value is already one.

    A time at the edge of the calendar (year 1, year 9999) can fall outside it
    in the user's zone; that is the client's bad value, a ``payload`` rejection.
    """
    if scheduled.tzinfo is None:
        return scheduled

    try:
        return scheduled.astimezone(zone)
    except OverflowError:
        detail = f"scheduledTime is outside the calendar in time zone {zone.key}."
        pointer = {"pointer": "#/scheduledTime", "detail": "out of range"}
        raise Rejection(
            Cause.PAYLOAD_INVALID_DATETIME, 400, detail, errors=[pointer]
        ) from None


def room_body(local: datetime, scheduled_text: str) -> dict[str, Any]:
    """The room request of the original incident, named after the user's local date."""
    return {
        "name": f"Interview {local:%d.%m.%Y}",
        "description": f"Scheduled for {local:%d.%m.%Y, %H:%M:%S}",
        "isPrivate": True,
        "maxParticipants": 2,
        "scheduledStartTime": scheduled_text,
        "recordingEnabled": False,
        "settings": {"allowScreenShare": True, "allowChat": True, "autoRecord": False},
    }
