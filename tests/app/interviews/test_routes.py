"""interviews over in-process HTTP, calling an in-process video-rooms."""

from __future__ import annotations

import json

import httpx
import pytest
from structlog.testing import capture_logs

from app import db
from app.interviews.upstream import LEGACY_DETAIL
from instrumentation import names
from instrumentation.causes import Cause
from tests.app.conftest import span_named
from tests.app.support import bearer, iso_in, login, serving_pair

pytestmark = pytest.mark.anyio
ROUTE = "/api/mock-interviews"
OUTER_SPAN = f"POST {ROUTE}"
INNER_SPAN = "POST /api/video-conferences"


def form(seconds: float = 600, **overrides: object) -> dict[str, object]:
    """The browser form's body, ``seconds`` ahead."""
    body: dict[str, object] = {
        "scheduledTime": iso_in(seconds),
        "videoType": "built_in",
    }
    body.update(overrides)

    return body


def problem_transport(status: int, cause: str | None) -> httpx.MockTransport:
    """A video-rooms stand-in that answers every call with one problem."""
    content = {"cause": cause, "status": status} if cause else {"status": status}

    def answer(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "application/problem+json"}
        return httpx.Response(status, json=content, headers=headers)

    return httpx.MockTransport(answer)


def failing_transport(error: type[httpx.TransportError]) -> httpx.MockTransport:
    """A video-rooms stand-in whose every call fails on the wire."""

    def fail(request: httpx.Request) -> httpx.Response:
        raise error("simulated", request=request)

    return httpx.MockTransport(fail)


async def test_original_report_now_is_too_soon_at_both_tiers(make_settings, spans):
    """scheduledTime = now: outer 400 relaying the inner schedule.too_soon."""
    settings = make_settings()
    async with serving_pair(settings, settings, spans) as (outer, _):
        response = await outer.post(
            ROUTE, json=form(0), headers=bearer(await login(outer))
        )

    problem = response.json()
    server_spans = spans.server_spans()
    outer_span = span_named(server_spans, OUTER_SPAN)
    inner_span = span_named(server_spans, INNER_SPAN)
    assert response.status_code == 400
    assert problem["cause"] == Cause.SCHEDULE_TOO_SOON
    assert problem["upstream"] == {"status": 400, "cause": "schedule.too_soon"}
    assert outer_span.attributes[names.ATTR_INNER_CAUSE] == "schedule.too_soon"
    assert inner_span.attributes[names.ATTR_ERROR_TYPE] == "schedule.too_soon"
    assert inner_span.context.trace_id == outer_span.context.trace_id
    assert problem["traceId"] == f"{outer_span.context.trace_id:032x}"


async def test_ten_minutes_ahead_creates_interview_and_room(
    make_settings, spans, database_url
):
    """201; the interview points at a room that exists."""
    settings = make_settings(database_url=database_url)
    async with serving_pair(settings, settings, spans) as (outer, rooms):
        headers = bearer(await login(outer))
        created = await outer.post(ROUTE, json=form(600), headers=headers)
        interview = await outer.get(f"{ROUTE}/{created.json()['id']}", headers=headers)
        room_id = created.json()["videoRoomId"]
        room = await rooms.get(f"/api/video-conferences/{room_id}", headers=headers)
        listed = await outer.get(ROUTE, headers=headers)

    assert created.status_code == 201
    assert interview.json() == created.json()
    assert room.status_code == 200
    assert [item["id"] for item in listed.json()] == [created.json()["id"]]


async def test_a_room_an_interview_uses_cannot_be_deleted(
    make_settings, spans, database_url
):
    """Deleting the room under an interview is a 409 conflict, not a database 500."""
    settings = make_settings(database_url=database_url)
    async with serving_pair(settings, settings, spans) as (outer, rooms):
        headers = bearer(await login(outer))
        created = await outer.post(ROUTE, json=form(600), headers=headers)
        room_url = f"/api/video-conferences/{created.json()['videoRoomId']}"
        refused = await rooms.delete(room_url, headers=headers)
        still_there = await rooms.get(room_url, headers=headers)

    assert (refused.status_code, refused.json()["cause"]) == (
        409,
        Cause.ROOM_IN_USE,
    )
    assert still_there.status_code == 200


async def test_outer_span_records_its_own_lead(make_settings, spans):
    """The interviews span carries schedule.lead_ms, without error.type on success."""
    settings = make_settings()
    async with serving_pair(settings, settings, spans) as (outer, _):
        await outer.post(ROUTE, json=form(600), headers=bearer(await login(outer)))

    span = span_named(spans.server_spans(), OUTER_SPAN)
    assert span.attributes[names.ATTR_LEAD_MS] == pytest.approx(600_000, abs=5000)
    assert names.ATTR_ERROR_TYPE not in span.attributes


@pytest.mark.parametrize("where", ["body", "header"])
async def test_room_is_named_in_the_users_time_zone(make_settings, spans, where):
    """22:45 UTC on 30 May is 31.05, 01:45:55 in Moscow; the time goes on as UTC."""
    body = form(scheduledTime="2099-05-31T01:45:55.939+03:00")
    headers: dict[str, str] = {}
    if where == "body":
        body["timeZone"] = "Europe/Moscow"
    else:
        headers["X-Time-Zone"] = "Europe/Moscow"
    settings = make_settings()
    async with serving_pair(settings, settings, spans) as (outer, rooms):
        headers.update(bearer(await login(outer)))
        created = await outer.post(ROUTE, json=body, headers=headers)
        room_url = f"/api/video-conferences/{created.json()['videoRoomId']}"
        room = (await rooms.get(room_url, headers=headers)).json()

    assert room["name"] == "Interview 31.05.2099"
    assert room["description"] == "Scheduled for 31.05.2099, 01:45:55"
    assert room["scheduledStartTime"] == "2099-05-30T22:45:55.939000Z"


async def test_naive_time_is_forwarded_unchanged_and_rejected_inside(
    make_settings, spans
):
    """No offset: video-rooms sees the same text and answers naive_datetime."""
    seen: list[dict] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(400, json={"cause": "schedule.naive_datetime"})

    settings = make_settings()
    transport = httpx.MockTransport(record)
    async with serving_pair(settings, settings, spans, transport) as (outer, _):
        response = await outer.post(
            ROUTE,
            json=form(scheduledTime="2099-05-30T22:45:55"),
            headers=bearer(await login(outer)),
        )

    assert seen[0]["scheduledStartTime"] == "2099-05-30T22:45:55"
    assert response.json()["cause"] == Cause.SCHEDULE_NAIVE_DATETIME


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        (form(scheduledTime="31.05.2025, 01:45:55"), Cause.PAYLOAD_INVALID_DATETIME),
        (form(scheduledTime="2025-13-45T25:61:00Z"), Cause.PAYLOAD_INVALID_DATETIME),
        (form(videoType="zoom"), Cause.PAYLOAD_INVALID_VALUE),
        (form(timeZone="Mars/Olympus"), Cause.PAYLOAD_INVALID_VALUE),
        (form(timeZone="../../etc/passwd"), Cause.PAYLOAD_INVALID_VALUE),
        ({"videoType": "built_in"}, Cause.PAYLOAD_MISSING_FIELD),
        (
            form(scheduledTime="9999-12-31T23:59:59Z", timeZone="Pacific/Kiritimati"),
            Cause.PAYLOAD_INVALID_DATETIME,
        ),
        (
            form(scheduledTime="0001-01-01T00:00:00Z", timeZone="America/Los_Angeles"),
            Cause.PAYLOAD_INVALID_DATETIME,
        ),
    ],
)
async def test_outer_validation_rejects_before_calling_video_rooms(
    make_settings, spans, body, cause
):
    """Bad form input is a 400 at interviews; no inner request is made."""
    settings = make_settings()
    async with serving_pair(settings, settings, spans) as (outer, _):
        response = await outer.post(
            ROUTE, json=body, headers=bearer(await login(outer))
        )

    assert (response.status_code, response.json()["cause"]) == (400, cause)
    assert [s.name for s in spans.server_spans()].count(INNER_SPAN) == 0


async def test_dropped_credential_is_upstream_rejected(make_settings, spans):
    """forward_auth=false: outer 502 upstream.rejected, inner missing credentials."""
    outer_settings = make_settings(forward_auth=False)
    async with serving_pair(outer_settings, make_settings(), spans) as (outer, _):
        response = await outer.post(
            ROUTE, json=form(), headers=bearer(await login(outer))
        )

    span = span_named(spans.server_spans(), OUTER_SPAN)
    assert response.status_code == 502
    assert response.json()["cause"] == Cause.UPSTREAM_REJECTED
    assert response.json()["upstream"]["cause"] == Cause.AUTH_MISSING_CREDENTIALS
    assert span.attributes[names.ATTR_ERROR_TYPE] == "upstream.rejected"
    assert span.attributes[names.ATTR_INNER_CAUSE] == "auth.missing_credentials"


async def test_hostless_user_is_host_missing_at_the_outer_tier(make_settings, spans):
    """Inner 422 host.missing becomes outer 400 host.missing."""
    settings = make_settings()
    async with serving_pair(settings, settings, spans) as (outer, _):
        headers = bearer(await login(outer, "demo-3"))
        response = await outer.post(ROUTE, json=form(), headers=headers)

    assert (response.status_code, response.json()["cause"]) == (400, "host.missing")
    assert response.json()["upstream"] == {"status": 422, "cause": "host.missing"}


@pytest.mark.parametrize(
    ("fault", "inner"),
    [("integrity", "db.integrity_error"), ("unavailable", "db.unavailable")],
)
async def test_inner_database_fault_is_upstream_error(
    make_settings, spans, database_url, fault, inner
):
    """Inner 5xx db.* becomes 502 upstream.error, never a 400."""
    outer_settings = make_settings(database_url=database_url)
    inner_settings = make_settings(database_url=database_url, db_fault=fault)
    async with serving_pair(outer_settings, inner_settings, spans) as (outer, _):
        response = await outer.post(
            ROUTE, json=form(), headers=bearer(await login(outer))
        )

    assert (response.status_code, response.json()["cause"]) == (502, "upstream.error")
    assert response.json()["upstream"]["cause"] == inner


@pytest.mark.parametrize(
    ("error", "status", "cause"),
    [
        (httpx.ReadTimeout, 504, Cause.UPSTREAM_TIMEOUT),
        (httpx.ConnectTimeout, 504, Cause.UPSTREAM_TIMEOUT),
        (httpx.ConnectError, 502, Cause.UPSTREAM_UNREACHABLE),
        (httpx.RemoteProtocolError, 502, Cause.UPSTREAM_ERROR),
    ],
)
async def test_wire_failures_map_to_upstream_causes(
    make_settings, spans, error, status, cause
):
    """Timeouts are 504, refused connections and broken replies 502."""
    settings = make_settings()
    transport = failing_transport(error)
    async with serving_pair(settings, settings, spans, transport) as (outer, _):
        response = await outer.post(
            ROUTE, json=form(), headers=bearer(await login(outer))
        )

    assert (response.status_code, response.json()["cause"]) == (status, cause)


async def test_inner_answer_without_a_cause_is_upstream_error(make_settings, spans):
    """A 404 page from a misrouted call is a 502, not the client's fault."""
    settings = make_settings()
    transport = problem_transport(404, None)
    async with serving_pair(settings, settings, spans, transport) as (outer, _):
        response = await outer.post(
            ROUTE, json=form(), headers=bearer(await login(outer))
        )

    assert (response.status_code, response.json()["cause"]) == (502, "upstream.error")


@pytest.mark.parametrize(
    ("status", "cause"),
    [
        (400, "schedule.too_soon"),
        (401, "auth.invalid_session"),
        (503, "db.unavailable"),
    ],
)
async def test_legacy_mapping_hides_every_inner_failure(
    make_settings, spans, status, cause
):
    """legacy_error_mapping: a bare 400, and no cause at the outer tier at all."""
    settings = make_settings(legacy_error_mapping=True)
    transport = problem_transport(status, cause)
    async with serving_pair(settings, settings, spans, transport) as (outer, _):
        headers = bearer(await login(outer))
        with capture_logs() as events:
            response = await outer.post(ROUTE, json=form(), headers=headers)

    span = span_named(spans.server_spans(), OUTER_SPAN)
    assert response.status_code == 400
    assert response.json() == {"detail": LEGACY_DETAIL}
    assert names.ATTR_ERROR_TYPE not in span.attributes
    assert names.ATTR_INNER_CAUSE not in span.attributes
    assert not [e for e in events if names.ATTR_CAUSE in e]


async def test_forwarded_headers_are_credential_key_and_request_id_only(
    make_settings, spans
):
    """The inner call carries the caller's credential, an Idempotency-Key and
    X-Request-ID, and not the caller's other cookies."""
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(400, json={"cause": "schedule.too_soon"})

    settings = make_settings()
    transport = httpx.MockTransport(record)
    async with serving_pair(settings, settings, spans, transport) as (outer, _):
        token = await login(outer)
        cookies = f"session={token}; tracking=abc"
        await outer.post(ROUTE, json=form(), headers={"Cookie": cookies})

    headers = seen[0].headers
    assert headers["cookie"] == f"session={token}"
    assert "authorization" not in headers
    assert len(headers["idempotency-key"]) == 36
    assert headers["x-request-id"]


async def test_retry_with_the_same_key_returns_the_same_interview(
    make_settings, spans, database_url
):
    """Same Idempotency-Key: 200 with the same interview and room; one of each."""
    settings = make_settings(database_url=database_url)
    async with serving_pair(settings, settings, spans) as (outer, _):
        headers = {**bearer(await login(outer)), "Idempotency-Key": "form-1"}
        body = form()
        first = await outer.post(ROUTE, json=body, headers=headers)
        second = await outer.post(ROUTE, json=body, headers=headers)
        listed = await outer.get(ROUTE, headers=headers)

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert len(listed.json()) == 1


async def test_failed_interview_insert_removes_the_new_room(
    make_settings, spans, database_url
):
    """Room created, interview insert fails: the room is deleted (no orphan)."""
    outer_settings = make_settings(database_url=database_url, db_fault="integrity")
    inner_settings = make_settings(database_url=database_url)
    async with serving_pair(outer_settings, inner_settings, spans) as (outer, _):
        with capture_logs() as events:
            response = await outer.post(
                ROUTE, json=form(), headers=bearer(await login(outer))
            )
    engine = db.make_engine(database_url)
    with db.session_factory(engine)() as s:
        rooms = s.query(db.VideoRoom).count()
    engine.dispose()

    assert (response.status_code, response.json()["cause"]) == (
        500,
        "db.integrity_error",
    )
    assert rooms == 0
    assert any(e["event"] == "room.compensated" for e in events)


async def test_external_video_needs_no_room(make_settings, spans):
    """videoType external stores the interview without calling video-rooms."""
    settings = make_settings()
    async with serving_pair(settings, settings, spans) as (outer, _):
        response = await outer.post(
            ROUTE, json=form(videoType="external"), headers=bearer(await login(outer))
        )

    assert response.status_code == 201
    assert response.json()["videoRoomId"] is None
    assert INNER_SPAN not in [s.name for s in spans.server_spans()]


async def test_interviews_requires_a_session_itself(make_settings, spans):
    """No credential at the outer tier: 401 auth.missing_credentials there."""
    settings = make_settings()
    async with serving_pair(settings, settings, spans) as (outer, _):
        response = await outer.post(ROUTE, json=form())

    assert (response.status_code, response.json()["cause"]) == (
        401,
        "auth.missing_credentials",
    )


async def test_another_users_interview_is_not_found(make_settings, spans):
    """GET of someone else's interview is 404."""
    settings = make_settings()
    async with serving_pair(settings, settings, spans) as (outer, _):
        owner = bearer(await login(outer, "demo-1"))
        other = bearer(await login(outer, "demo-2"))
        created = await outer.post(ROUTE, json=form(), headers=owner)
        response = await outer.get(f"{ROUTE}/{created.json()['id']}", headers=other)

    assert (response.status_code, response.json()["cause"]) == (404, "not_found")


async def test_an_overlong_time_zone_is_described_in_characters(make_settings, spans):
    """The error detail of a 5000-character timeZone speaks of characters."""
    settings = make_settings()
    async with serving_pair(settings, settings, spans) as (outer, _):
        response = await outer.post(
            ROUTE, json=form(timeZone="a" * 5000), headers=bearer(await login(outer))
        )

    assert response.status_code == 400
    assert "at most 100 characters" in json.dumps(response.json())
    assert "items" not in json.dumps(response.json())
