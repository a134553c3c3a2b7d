"""Routes of the video-rooms service.

``POST /api/video-conferences`` runs its checks in a fixed order and the first
failure is the request's one cause: credentials (``auth.*``, before the body
is read), body (``payload.*``), scheduled time (``schedule.*``), host
(``host.missing``, 422: the request is well formed but this user cannot host),
database (``db.*``). A repeat of an earlier request with
the same ``Idempotency-Key`` returns that room (200) before the time is
checked again, because a retry must not fail only for having been late.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from app import payloads, schedule
from app import telemetry_hooks as hooks
from app.auth import CurrentUser, CurrentUserDep
from app.errors import Rejection
from app.runtime import Runtime, runtime_of
from app.schedule import ScheduleDecision
from app.video_rooms import store
from app.video_rooms.models import Room, RoomRequest
from instrumentation import names
from instrumentation.causes import Cause

router = APIRouter(tags=["video-conferences"])
RoomId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post(
    "/api/video-conferences",
    status_code=201,
    response_model=Room,
    openapi_extra={"requestBody": payloads.request_body(RoomRequest)},
    responses={200: {"model": Room, "description": "Replay of an earlier request"}},
)
async def create_video_conference(
    request: Request, response: Response, user: CurrentUserDep
) -> Room:
    """Create a room hosted by the session's user (see the module docstring)."""
    runtime = runtime_of(request)
    key = payloads.idempotency_key(request)
    body = await payloads.read_model(
        request, RoomRequest, runtime.settings.max_body_bytes
    )
    host_id = host_of(user, runtime)

    if key is not None and host_id is not None:
        twin = await run_in_threadpool(
            store.find_by_key, runtime.sessions, host_id, key
        )
        if twin is not None:
            hooks.get_logger().info("room.replayed", room_id=twin.id)
            response.status_code = 200
            return Room.of(twin)

    decision = check_schedule(runtime, body.scheduled_start_time)
    if host_id is None:
        detail = "The session's user cannot host a room (no hostId)."
        raise Rejection(Cause.HOST_MISSING, 422, detail)

    room, created = await run_in_threadpool(
        store.create_room, runtime, host_id, body, decision.scheduled, key
    )
    event = "room.created" if created else "room.replayed"
    hooks.get_logger().info(event, room_id=room.id, host_id=host_id)
    response.status_code = 201 if created else 200

    return Room.of(room)


@router.get("/api/video-conferences/{room_id}", response_model=Room)
async def get_video_conference(
    room_id: RoomId, request: Request, user: CurrentUserDep
) -> Room:
    """A room; private rooms are visible to their host only."""
    runtime = runtime_of(request)
    room = await run_in_threadpool(store.get_room, runtime.sessions, room_id)
    if room is None or (room.is_private and room.host_id != user.id):
        raise Rejection(Cause.NOT_FOUND, 404, "No such video conference.")

    return Room.of(room)


@router.delete("/api/video-conferences/{room_id}", status_code=204)
async def delete_video_conference(
    room_id: RoomId, request: Request, user: CurrentUserDep
) -> Response:
    """Delete a room of the session's user (the interviews tier's compensation)."""
    runtime = runtime_of(request)
    outcome = await run_in_threadpool(
        store.delete_room, runtime.sessions, room_id, user.id
    )
    if outcome == "missing":
        raise Rejection(Cause.NOT_FOUND, 404, "No such video conference.")
    if outcome == "in_use":
        detail = "A mock interview uses this room; delete the interview first."
        raise Rejection(Cause.ROOM_IN_USE, 409, detail)
    hooks.get_logger().info("room.deleted", room_id=room_id)

    return Response(status_code=204)


def host_of(user: CurrentUser, runtime: Runtime) -> int | None:
    """The ``hostId`` the session yields; None for the H3 fault's hostless users."""
    if user.username in runtime.settings.hostless_users:
        return None

    return user.id


def check_schedule(runtime: Runtime, value: str) -> ScheduleDecision:
    """Decide on the scheduled time, record the numbers, reject unless accepted."""
    now = runtime.clock.now()
    min_lead = timedelta(seconds=runtime.settings.min_lead_s)
    tolerance = timedelta(seconds=runtime.settings.past_tolerance_s)
    offset_ms = runtime.settings.clock_offset_s * 1000
    hooks.annotate_span(
        {
            names.ATTR_SCHEDULED_TIME: value[:64],
            names.ATTR_CLOCK_OFFSET_MS: offset_ms or None,
        }
    )
    try:
        decision = schedule.decide(
            value, now=now, min_lead=min_lead, past_tolerance=tolerance
        )
    except schedule.InvalidDatetime as error:
        pointer = {"pointer": "#/scheduledStartTime", "detail": str(error)}
        detail = "scheduledStartTime is not an ISO 8601 date-time with an offset."
        raise Rejection(
            Cause.PAYLOAD_INVALID_DATETIME, 400, detail, errors=[pointer]
        ) from error

    hooks.record_schedule(
        decision.lead_ms, decision.min_lead_ms, now, decision.accepted
    )
    if decision.cause is not None:
        raise schedule_rejection(decision)

    return decision


def schedule_rejection(decision: ScheduleDecision) -> Rejection:
    """The rejection for a refused schedule, carrying the numbers behind it."""
    server_now = schedule.to_utc_text(decision.server_now)
    fields = {
        names.ATTR_LEAD_MS: decision.lead_ms,
        names.ATTR_MIN_LEAD_MS: decision.min_lead_ms,
        names.ATTR_SERVER_NOW: server_now,
    }
    details = {
        "leadMs": decision.lead_ms,
        "minLeadMs": decision.min_lead_ms,
        "serverNow": server_now,
    }
    lead_s = decision.lead_ms / 1000
    min_s = decision.min_lead_ms / 1000
    messages = {
        Cause.SCHEDULE_NAIVE_DATETIME: "scheduledStartTime has no UTC offset.",
        Cause.SCHEDULE_IN_PAST: f"scheduledStartTime is {-lead_s:.3f} s in the past.",
        Cause.SCHEDULE_TOO_SOON: (
            f"scheduledStartTime is {lead_s:+.3f} s from this server's now; "
            f"at least {min_s:g} s ahead is required."
        ),
    }
    assert decision.cause is not None

    return Rejection(
        decision.cause,
        400,
        messages[decision.cause],
        fields=fields,
        extra={"schedule": details},
    )
