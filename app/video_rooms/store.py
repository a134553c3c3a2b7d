"""Database work of the video-rooms service, including the H4 fault switch."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from app.db import MockInterview, VideoRoom
from app.runtime import Runtime
from app.video_rooms.models import RoomRequest


def find_by_key(sessions: sessionmaker, host_id: int, key: str) -> VideoRoom | None:
    """The room a host already created with this idempotency key, if any."""
    with sessions() as db:
        return db.scalar(
            select(VideoRoom).where(
                VideoRoom.host_id == host_id, VideoRoom.idempotency_key == key
            )
        )


def create_room(
    runtime: Runtime,
    host_id: int,
    body: RoomRequest,
    scheduled: datetime,
    key: str | None,
) -> tuple[VideoRoom, bool]:
    """Insert a room; returns it and whether it is new (False: an earlier twin).

    A concurrent request with the same key may win the insert; the unique
    constraint then fails ours and the winner's room is returned instead.
    """
    room = VideoRoom(
        host_id=runtime.owner_for_write(host_id),
        name=body.name,
        description=body.description,
        is_private=body.is_private,
        max_participants=body.max_participants,
        scheduled_start_time=scheduled,
        recording_enabled=body.recording_enabled,
        settings=body.settings.model_dump(),
        idempotency_key=key,
    )

    try:
        with runtime.write_sessions() as db, db.begin():
            db.add(room)
    except IntegrityError:
        twin = find_by_key(runtime.sessions, host_id, key) if key else None
        if twin is None:
            raise
        return twin, False

    return room, True


def get_room(sessions: sessionmaker, room_id: int) -> VideoRoom | None:
    """The room with this id, if it exists."""
    with sessions() as db:
        return db.get(VideoRoom, room_id)


def delete_room(sessions: sessionmaker, room_id: int, host_id: int) -> str:
    """Delete a host's room: "deleted", "missing", or "in_use" (an interview has it).

    Another host's room counts as missing, so its existence is not revealed.
    """
    with sessions() as db, db.begin():
        mine = VideoRoom.id == room_id, VideoRoom.host_id == host_id
        if db.scalar(select(VideoRoom.id).where(*mine)) is None:
            return "missing"
        used = select(MockInterview.id).where(MockInterview.video_room_id == room_id)
        if db.scalar(used) is not None:
            return "in_use"
        db.execute(delete(VideoRoom).where(*mine))

    return "deleted"
