"""Routes of the interviews service.

``POST /api/mock-interviews`` checks credentials first (``auth.*``), then the
body (``payload.*``, including an unknown time zone or an unparseable
``scheduledTime``), then asks video-rooms for the room and finally stores the
interview. It does not judge the lead time: video-rooms does. It records its
own lead on its span so the analyzer can compare the two tiers' clocks.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from app import payloads, schedule
from app import telemetry_hooks as hooks
from app.auth import CurrentUser, CurrentUserDep
from app.errors import Rejection
from app.interviews import store
from app.interviews.models import (
    Interview,
    InterviewRequest,
    local_reading,
    resolve_zone,
    room_body,
)
from app.interviews.upstream import (
    LEGACY_DETAIL,
    CallContext,
    UpstreamFailure,
    VideoRoomsClient,
)
from app.runtime import Runtime, runtime_of
from instrumentation import names
from instrumentation.causes import Cause

router = APIRouter(tags=["mock-interviews"])
InterviewId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post(
    "/api/mock-interviews",
    status_code=201,
    response_model=Interview,
    openapi_extra={"requestBody": payloads.request_body(InterviewRequest)},
    responses={200: {"model": Interview, "description": "Replay of a retry"}},
)
async def create_mock_interview(
    request: Request, response: Response, user: CurrentUserDep
) -> Any:
    """Schedule an interview; built-in video gets a room from video-rooms.

    The time zone is ``timeZone`` in the body, else the ``X-Time-Zone`` header,
    else UTC. A client ``Idempotency-Key`` is passed on, so a retry returns the
    same interview and room.
    """
    runtime = runtime_of(request)
    key = payloads.idempotency_key(request) or str(uuid.uuid4())
    body = await payloads.read_model(
        request, InterviewRequest, runtime.settings.max_body_bytes
    )
    zone = resolve_zone(body.time_zone or request.headers.get("x-time-zone") or "UTC")
    scheduled = parse_scheduled(body.scheduled_time)
    note_outer_lead(runtime, scheduled, body.scheduled_time, zone)

    room_id, created = None, False
    if body.video_type == "built_in":
        try:
            room = room_body(
                local_reading(scheduled, zone),
                forwarded(scheduled, body.scheduled_time),
            )
            room_id, created = await obtain_room(request, user, key, room)
        except UpstreamFailure as failure:
            if runtime.settings.legacy_error_mapping:
                return legacy_answer(failure)
            raise failure.as_rejection() from failure

    stored = scheduled if scheduled.tzinfo else scheduled.replace(tzinfo=zone)
    interview, new = await _store(request, user, room_id, created, stored, body, zone)
    response.status_code = 201 if new else 200

    return Interview.of(interview)


@router.get("/api/mock-interviews", response_model=list[Interview])
async def list_mock_interviews(request: Request, user: CurrentUserDep) -> Any:
    """The session user's latest 100 interviews, newest first."""
    sessions = runtime_of(request).sessions
    rows = await run_in_threadpool(store.list_interviews, sessions, user.id)

    return [Interview.of(row) for row in rows]


@router.get("/api/mock-interviews/{interview_id}", response_model=Interview)
async def get_mock_interview(
    interview_id: InterviewId, request: Request, user: CurrentUserDep
) -> Any:
    """One of the session user's interviews."""
    sessions = runtime_of(request).sessions
    row = await run_in_threadpool(store.get_interview, sessions, user.id, interview_id)
    if row is None:
        raise Rejection(Cause.NOT_FOUND, 404, "No such mock interview.")

    return Interview.of(row)


def parse_scheduled(value: str) -> datetime:
    """Parse ``scheduledTime``; naive values pass (video-rooms judges them)."""
    try:
        return schedule.parse_datetime(value)
    except schedule.InvalidDatetime as error:
        pointer = {"pointer": "#/scheduledTime", "detail": str(error)}
        detail = "scheduledTime is not an ISO 8601 date-time."
        raise Rejection(
            Cause.PAYLOAD_INVALID_DATETIME, 400, detail, errors=[pointer]
        ) from error


async def obtain_room(
    request: Request, user: CurrentUser, key: str, room_request: dict[str, Any]
) -> tuple[int, bool]:
    """Ask video-rooms for the room; returns its id and whether it is new."""
    context = CallContext(
        user.credential, key, hooks.current_request_id(request.headers)
    )
    room, created = await _rooms(request).create_room(room_request, context)

    return room["id"], created


def forwarded(scheduled: datetime, text: str) -> str:
    """The time sent on: UTC with ``Z``; a naive value goes as received (the bug)."""
    if schedule.is_naive(scheduled):
        return text

    return schedule.to_utc_text(scheduled)


def note_outer_lead(
    runtime: Runtime, scheduled: datetime, text: str, zone: ZoneInfo
) -> None:
    """Put this tier's own lead on its span, to compare with the inner tier's."""
    now = runtime.clock.now()
    lead_ms = schedule.lead_between(scheduled, now) / timedelta(milliseconds=1)
    offset_ms = runtime.settings.clock_offset_s * 1000
    hooks.annotate_span(
        {
            names.ATTR_LEAD_MS: lead_ms,
            names.ATTR_SERVER_NOW: schedule.to_utc_text(now),
            names.ATTR_SCHEDULED_TIME: text[:64],
            names.ATTR_CLIENT_TZ: zone.key,
            names.ATTR_CLOCK_OFFSET_MS: offset_ms or None,
        }
    )


def legacy_answer(failure: UpstreamFailure) -> JSONResponse:
    """The original bug's answer: a bare 400 that records no cause at this tier."""
    hooks.get_logger().warning(
        "room.create_failed", upstream_status=failure.inner_status
    )

    return JSONResponse({"detail": LEGACY_DETAIL}, status_code=400)


def _rooms(request: Request) -> VideoRoomsClient:
    return request.app.state.video_rooms


async def _store(
    request: Request,
    user: CurrentUser,
    room_id: int | None,
    room_is_new: bool,
    scheduled: datetime,
    body: InterviewRequest,
    zone: ZoneInfo,
) -> tuple[Any, bool]:
    """Insert the interview; if that fails, delete the room this request created."""
    runtime = runtime_of(request)
    try:
        return await run_in_threadpool(
            store.insert_interview,
            runtime,
            user.id,
            room_id,
            scheduled,
            body.video_type,
            zone.key,
        )
    except SQLAlchemyError:
        if room_id is not None and room_is_new:
            await _compensate(request, user, room_id)
        raise


async def _compensate(request: Request, user: CurrentUser, room_id: int) -> None:
    """Remove a room whose interview could not be stored, so none is orphaned."""
    context = CallContext(
        user.credential, str(uuid.uuid4()), hooks.current_request_id(request.headers)
    )
    removed = await _rooms(request).delete_room(room_id, context)
    log = hooks.get_logger()
    if removed:
        log.info("room.compensated", room_id=room_id)
    else:
        log.error("room.orphaned", room_id=room_id)
