"""video-rooms over in-process HTTP: every cause of POST /api/video-conferences."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from structlog.testing import capture_logs

from app import auth, db
from app.video_rooms import create_app
from instrumentation import names
from instrumentation.causes import Cause
from tests.app.conftest import span_named
from tests.app.support import bearer, iso_in, login, serving

pytestmark = pytest.mark.anyio
ROUTE = "/api/video-conferences"


def room(**overrides: object) -> dict[str, object]:
    """The room body of the original incident, ten minutes ahead unless overridden."""
    body: dict[str, object] = {
        "name": "Interview 31.05.2025",
        "description": "Scheduled for 31.05.2025, 01:45:55",
        "isPrivate": True,
        "maxParticipants": 2,
        "scheduledStartTime": iso_in(600),
        "recordingEnabled": False,
        "settings": {"allowScreenShare": True, "allowChat": True, "autoRecord": False},
    }
    body.update(overrides)

    return body


async def test_valid_room_is_created_and_readable(make_settings, spans, database_url):
    """201 with the stored room; GET returns the same room."""
    settings = make_settings(database_url=database_url)
    async with serving(create_app(settings, telemetry=spans)) as client:
        headers = bearer(await login(client))
        created = await client.post(ROUTE, json=room(), headers=headers)
        fetched = await client.get(f"{ROUTE}/{created.json()['id']}", headers=headers)

    assert created.status_code == 201
    assert fetched.json() == created.json()
    assert created.json()["hostId"] == 1
    assert created.json()["settings"]["allowChat"] is True


async def test_session_cookie_is_accepted(make_settings, spans):
    """The ``session`` cookie authenticates like a bearer token."""
    async with serving(create_app(make_settings(), telemetry=spans)) as client:
        token = await login(client)
        response = await client.post(
            ROUTE, json=room(), headers={"Cookie": f"session={token}"}
        )

    assert response.status_code == 201


async def test_same_idempotency_key_returns_the_same_room(
    make_settings, spans, database_url
):
    """A retry with the same key answers 200 with the first room; one row exists."""
    settings = make_settings(database_url=database_url)
    async with serving(create_app(settings, telemetry=spans)) as client:
        headers = {**bearer(await login(client)), "Idempotency-Key": "retry-1"}
        first = await client.post(ROUTE, json=room(), headers=headers)
        second = await client.post(ROUTE, json=room(), headers=headers)
        other = await client.post(
            ROUTE, json=room(), headers={**headers, "Idempotency-Key": "retry-2"}
        )

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert other.json()["id"] != first.json()["id"]


@pytest.mark.parametrize(
    ("lead_s", "cause"),
    [
        (0, Cause.SCHEDULE_TOO_SOON),
        (59, Cause.SCHEDULE_TOO_SOON),
        (-3600, Cause.SCHEDULE_IN_PAST),
    ],
)
async def test_schedule_rejections_carry_their_numbers(
    make_settings, spans, lead_s, cause
):
    """400 with the cause, and lead, min lead and server clock on span and body."""
    async with serving(create_app(make_settings(), telemetry=spans)) as client:
        headers = bearer(await login(client))
        response = await client.post(
            ROUTE, json=room(scheduledStartTime=iso_in(lead_s)), headers=headers
        )

    problem = response.json()
    span = span_named(spans.server_spans(), f"POST {ROUTE}")
    assert (response.status_code, problem["cause"]) == (400, cause)
    assert problem["schedule"]["minLeadMs"] == 60_000
    assert span.attributes[names.ATTR_ERROR_TYPE] == cause
    assert span.attributes[names.ATTR_MIN_LEAD_MS] == 60_000
    assert span.attributes[names.ATTR_LEAD_MS] == pytest.approx(lead_s * 1000, abs=5000)
    assert span.attributes[names.ATTR_SERVER_NOW].endswith("Z")


async def test_accepted_schedule_records_its_lead_too(make_settings, spans):
    """Accepted requests also carry the lead on the span, without error.type."""
    async with serving(create_app(make_settings(), telemetry=spans)) as client:
        await client.post(ROUTE, json=room(), headers=bearer(await login(client)))

    span = span_named(spans.server_spans(), f"POST {ROUTE}")
    assert span.attributes[names.ATTR_LEAD_MS] == pytest.approx(600_000, abs=5000)
    assert names.ATTR_ERROR_TYPE not in span.attributes


async def test_clock_offset_shifts_the_servers_now(make_settings, spans):
    """With the clock 90 s ahead, a time 60 s ahead is 30 s in the past."""
    settings = make_settings(clock_offset_s=90)
    async with serving(create_app(settings, telemetry=spans)) as client:
        headers = bearer(await login(client))
        response = await client.post(
            ROUTE, json=room(scheduledStartTime=iso_in(60)), headers=headers
        )

    assert response.json()["cause"] == Cause.SCHEDULE_IN_PAST
    assert response.json()["schedule"]["leadMs"] == pytest.approx(-30_000, abs=5000)


async def test_min_lead_switch_raises_the_bar(make_settings, spans):
    """min_lead_s=900 makes a 10-minute lead too soon."""
    settings = make_settings(min_lead_s=900)
    async with serving(create_app(settings, telemetry=spans)) as client:
        response = await client.post(
            ROUTE, json=room(), headers=bearer(await login(client))
        )

    assert response.json()["cause"] == Cause.SCHEDULE_TOO_SOON


@pytest.mark.parametrize(
    ("value", "cause"),
    [
        ("2025-05-30T22:45:55.939", Cause.SCHEDULE_NAIVE_DATETIME),
        ("31.05.2025, 01:45:55", Cause.PAYLOAD_INVALID_DATETIME),
        ("0000-01-01T00:00:00Z", Cause.PAYLOAD_INVALID_DATETIME),
        ("99999-01-01T00:00:00Z", Cause.PAYLOAD_INVALID_DATETIME),
        ("2025-01-01T00:00:00+25:00", Cause.PAYLOAD_INVALID_DATETIME),
        (1748645155939, Cause.PAYLOAD_INVALID_VALUE),
    ],
)
async def test_scheduled_start_time_format_causes(make_settings, spans, value, cause):
    """Naive, unparseable, absurd and mistyped times each get their cause."""
    async with serving(create_app(make_settings(), telemetry=spans)) as client:
        headers = bearer(await login(client))
        response = await client.post(
            ROUTE, json=room(scheduledStartTime=value), headers=headers
        )

    assert (response.status_code, response.json()["cause"]) == (400, cause)


async def test_missing_credentials_are_checked_before_the_body(make_settings, spans):
    """No credential and a broken body: the one cause is auth.missing_credentials."""
    async with serving(create_app(make_settings(), telemetry=spans)) as client:
        response = await client.post(ROUTE, content=b"{not json")

    assert response.status_code == 401
    assert response.json()["cause"] == Cause.AUTH_MISSING_CREDENTIALS


async def test_unknown_token_is_an_invalid_session(make_settings, spans):
    """A token with no session row is auth.invalid_session (401)."""
    async with serving(create_app(make_settings(), telemetry=spans)) as client:
        response = await client.post(ROUTE, json=room(), headers=bearer("nope"))

    assert response.status_code == 401
    assert response.json()["cause"] == Cause.AUTH_INVALID_SESSION


async def test_expired_session_is_refused(make_settings, spans, database_url):
    """A session past its expiry is auth.expired_session (401)."""
    settings = make_settings(database_url=database_url)
    app = create_app(settings, telemetry=spans)
    async with serving(app) as client:
        sessions = app.state.runtime.sessions
        with sessions() as s, s.begin():
            s.add(
                db.UserSession(
                    token_hash=auth.token_hash("old-token"),
                    user_id=1,
                    expires_at=datetime.now(UTC) - timedelta(seconds=1),
                )
            )
        response = await client.post(ROUTE, json=room(), headers=bearer("old-token"))

    assert response.status_code == 401
    assert response.json()["cause"] == Cause.AUTH_EXPIRED_SESSION


async def test_hostless_user_gets_host_missing(make_settings, spans):
    """A session whose user yields no hostId is host.missing (422)."""
    async with serving(create_app(make_settings(), telemetry=spans)) as client:
        headers = bearer(await login(client, "demo-3"))
        response = await client.post(ROUTE, json=room(), headers=headers)

    assert response.status_code == 422
    assert response.json()["cause"] == Cause.HOST_MISSING


@pytest.mark.parametrize(
    ("fault", "status", "cause"),
    [
        ("integrity", 500, Cause.DB_INTEGRITY_ERROR),
        ("unavailable", 503, Cause.DB_UNAVAILABLE),
    ],
)
async def test_db_faults_fail_the_write_and_store_nothing(
    make_settings, spans, database_url, fault, status, cause
):
    """Each DB fault gives its status and cause, and no room row remains."""
    settings = make_settings(database_url=database_url, db_fault=fault)
    app = create_app(settings, telemetry=spans)
    async with serving(app) as client:
        headers = bearer(await login(client))
        response = await client.post(ROUTE, json=room(), headers=headers)
        with app.state.runtime.sessions() as s:
            rooms = s.query(db.VideoRoom).count()

    assert (response.status_code, response.json()["cause"]) == (status, cause)
    assert rooms == 0


async def test_body_over_the_limit_is_413(make_settings, spans):
    """A body past max_body_bytes is payload.too_large."""
    settings = make_settings(max_body_bytes=2048)
    async with serving(create_app(settings, telemetry=spans)) as client:
        headers = bearer(await login(client))
        response = await client.post(
            ROUTE, json=room(description="x" * 4000), headers=headers
        )

    assert (response.status_code, response.json()["cause"]) == (
        413,
        "payload.too_large",
    )


BAD_BODIES = [
    (b"", Cause.PAYLOAD_INVALID_JSON),
    (b"{", Cause.PAYLOAD_INVALID_JSON),
    (b'{"name": "\xff\xfe"}', Cause.PAYLOAD_INVALID_JSON),
    (b"[]", Cause.PAYLOAD_INVALID_VALUE),
    (b"null", Cause.PAYLOAD_INVALID_VALUE),
    (b"[" * 5000 + b"]" * 5000, Cause.PAYLOAD_INVALID_JSON),
    (json.dumps(room(name=None)).encode(), Cause.PAYLOAD_INVALID_VALUE),
    (json.dumps(room(name="a\x00b")).encode(), Cause.PAYLOAD_INVALID_VALUE),
    (b'{"name": "\\ud800", "scheduledStartTime": "x"}', Cause.PAYLOAD_INVALID_VALUE),
    (json.dumps(room(maxParticipants="2")).encode(), Cause.PAYLOAD_INVALID_VALUE),
    (json.dumps(room(maxParticipants=10**30)).encode(), Cause.PAYLOAD_INVALID_VALUE),
    (json.dumps(room(isPrivate="yes")).encode(), Cause.PAYLOAD_INVALID_VALUE),
    (json.dumps(room(settings=[])).encode(), Cause.PAYLOAD_INVALID_VALUE),
    (json.dumps({"name": "x"}).encode(), Cause.PAYLOAD_MISSING_FIELD),
]


@pytest.mark.parametrize(("body", "cause"), BAD_BODIES)
async def test_bad_bodies_get_a_payload_cause_never_a_500(
    make_settings, spans, database_url, body, cause
):
    """Malformed bodies are 400s with the expected payload cause."""
    settings = make_settings(database_url=database_url)
    async with serving(create_app(settings, telemetry=spans)) as client:
        headers = {**bearer(await login(client)), "Content-Type": "application/json"}
        response = await client.post(ROUTE, content=body, headers=headers)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["cause"] == cause


async def test_bad_idempotency_key_is_invalid_value(make_settings, spans):
    """An over-long Idempotency-Key is payload.invalid_value."""
    async with serving(create_app(make_settings(), telemetry=spans)) as client:
        headers = {**bearer(await login(client)), "Idempotency-Key": "k" * 300}
        response = await client.post(ROUTE, json=room(), headers=headers)

    assert response.json()["cause"] == Cause.PAYLOAD_INVALID_VALUE


async def test_unknown_or_private_rooms_are_not_found(
    make_settings, spans, database_url
):
    """A missing id, another host's private room, or a huge id: 404 / 400."""
    settings = make_settings(database_url=database_url)
    async with serving(create_app(settings, telemetry=spans)) as client:
        owner = bearer(await login(client, "demo-1"))
        stranger = bearer(await login(client, "demo-2"))
        created = (await client.post(ROUTE, json=room(), headers=owner)).json()
        private = await client.get(f"{ROUTE}/{created['id']}", headers=stranger)
        missing = await client.get(f"{ROUTE}/999", headers=owner)
        huge = await client.get(f"{ROUTE}/{10**20}", headers=owner)

    assert (private.status_code, private.json()["cause"]) == (404, "not_found")
    assert (missing.status_code, missing.json()["cause"]) == (404, "not_found")
    assert (huge.status_code, huge.json()["cause"]) == (400, "payload.invalid_value")


async def test_host_can_delete_their_room(make_settings, spans, database_url):
    """DELETE by the host answers 204; by anyone else 404."""
    settings = make_settings(database_url=database_url)
    async with serving(create_app(settings, telemetry=spans)) as client:
        owner = bearer(await login(client, "demo-1"))
        stranger = bearer(await login(client, "demo-2"))
        room_id = (await client.post(ROUTE, json=room(), headers=owner)).json()["id"]
        refused = await client.delete(f"{ROUTE}/{room_id}", headers=stranger)
        deleted = await client.delete(f"{ROUTE}/{room_id}", headers=owner)
        gone = await client.get(f"{ROUTE}/{room_id}", headers=owner)

    assert (refused.status_code, deleted.status_code, gone.status_code) == (
        404,
        204,
        404,
    )


async def test_credentials_never_reach_logs_spans_or_bodies(make_settings, spans):
    """The token appears in no log event, span attribute or error body."""
    async with serving(create_app(make_settings(), telemetry=spans)) as client:
        token = await login(client)
        with capture_logs() as events:
            rejected = await client.post(
                ROUTE, json=room(scheduledStartTime=iso_in(0)), headers=bearer(token)
            )
            cookie = await client.post(
                ROUTE, content=b"{", headers={"Cookie": f"session={token}"}
            )

    attributes = [dict(span.attributes or {}) for span in spans.server_spans()]
    seen = json.dumps([events, attributes], default=str) + rejected.text + cookie.text
    assert token not in seen
    assert any(a.get(names.ATTR_CREDENTIAL_KIND) == "bearer" for a in attributes)
