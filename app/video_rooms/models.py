"""HTTP bodies of the video-rooms service (camelCase, as the original client)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from app.db import VideoRoom
from app.payloads import CleanStr

_CAMEL = ConfigDict(
    strict=True, alias_generator=to_camel, populate_by_name=True, extra="ignore"
)


class RoomSettings(BaseModel):
    """In-room features."""

    model_config = _CAMEL

    allow_screen_share: bool = True
    allow_chat: bool = True
    auto_record: bool = False


class RoomRequest(BaseModel):
    """Body of ``POST /api/video-conferences``; the scheduled time is checked apart."""

    model_config = _CAMEL

    name: CleanStr = Field(min_length=1, max_length=200)
    description: CleanStr = Field(default="", max_length=2000)
    is_private: bool = True
    max_participants: int = Field(default=2, ge=1, le=100)
    # Kept as text: parsing it is the schedule check's job (app/schedule.py).
    scheduled_start_time: str = Field(max_length=100)
    recording_enabled: bool = False
    settings: RoomSettings = Field(default_factory=RoomSettings)


class Room(BaseModel):
    """A stored room as the API returns it."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    id: int
    host_id: int
    name: str
    description: str
    is_private: bool
    max_participants: int
    scheduled_start_time: datetime
    recording_enabled: bool
    settings: RoomSettings
    created_at: datetime

    @classmethod
    def of(cls, row: VideoRoom) -> Room:
        """The API view of a database row."""
        return cls(
            id=row.id,
            host_id=row.host_id,
            name=row.name,
            description=row.description,
            is_private=row.is_private,
            max_participants=row.max_participants,
            scheduled_start_time=row.scheduled_start_time,
            recording_enabled=row.recording_enabled,
            settings=RoomSettings.model_validate(row.settings),
            created_at=row.created_at,
        )
