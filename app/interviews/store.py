"""Database work of the interviews service, including the H4 fault switch."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from app.db import MockInterview
from app.runtime import Runtime

LIST_LIMIT = 100


def find_for_room(
    sessions: sessionmaker, user_id: int, room_id: int
) -> MockInterview | None:
    """The user's interview already holding this room, if any."""
    with sessions() as db:
        return db.scalar(
            select(MockInterview).where(
                MockInterview.user_id == user_id,
                MockInterview.video_room_id == room_id,
            )
        )


def insert_interview(
    runtime: Runtime,
    user_id: int,
    room_id: int | None,
    scheduled: datetime,
    video_type: str,
    time_zone: str,
) -> tuple[MockInterview, bool]:
    """Insert an interview; returns it and whether it is new.

    A room holds one interview (unique column); when a concurrent retry got
    there first, its interview is returned instead of failing.
    """
    interview = MockInterview(
        user_id=runtime.owner_for_write(user_id),
        video_room_id=room_id,
        scheduled_time=scheduled,
        video_type=video_type,
        time_zone=time_zone,
    )

    try:
        with runtime.write_sessions() as db, db.begin():
            db.add(interview)
    except IntegrityError:
        twin = find_for_room(runtime.sessions, user_id, room_id) if room_id else None
        if twin is None:
            raise
        return twin, False

    return interview, True


def get_interview(
    sessions: sessionmaker, user_id: int, interview_id: int
) -> MockInterview | None:
    """One of the user's interviews."""
    with sessions() as db:
        interview = db.get(MockInterview, interview_id)

    return interview if interview and interview.user_id == user_id else None


def list_interviews(sessions: sessionmaker, user_id: int) -> list[MockInterview]:
    """The user's latest interviews, newest first."""
    with sessions() as db:
        rows = db.scalars(
            select(MockInterview)
            .where(MockInterview.user_id == user_id)
            .order_by(MockInterview.id.desc())
            .limit(LIST_LIMIT)
        )
        return list(rows)
