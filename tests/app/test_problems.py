"""Problem details: the one error shape, for our rejections and FastAPI's own."""

from __future__ import annotations

import pytest
from structlog.testing import capture_logs

from app.video_rooms import create_app
from instrumentation.causes import Cause
from tests.app.support import serving

pytestmark = pytest.mark.anyio


async def test_unknown_route_is_a_not_found_problem(make_settings, spans):
    """404 with RFC 9457 members, the cause and the trace id."""
    async with serving(create_app(make_settings(), telemetry=spans)) as client:
        response = await client.get("/no/such/thing")

    problem = response.json()
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["type"] == "urn:triage:cause:not_found"
    assert problem["status"] == 404
    assert problem["instance"] == "/no/such/thing"
    assert problem["cause"] == Cause.NOT_FOUND
    assert len(problem["traceId"]) == 32


async def test_trace_id_in_the_body_is_the_requests_trace(make_settings, spans):
    """``traceId`` names the server span's trace."""
    async with serving(create_app(make_settings(), telemetry=spans)) as client:
        problem = (await client.get("/no/such/thing")).json()

    (span,) = spans.server_spans()
    assert problem["traceId"] == f"{span.context.trace_id:032x}"


async def test_wrong_method_is_a_problem_too(make_settings, spans):
    """405 from the router comes out as a problem, not FastAPI's default body."""
    async with serving(create_app(make_settings(), telemetry=spans)) as client:
        response = await client.put("/health")

    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["cause"] == Cause.METHOD_NOT_ALLOWED


async def test_unhandled_exception_is_a_bare_500_without_internals(
    make_settings, spans
):
    """An unexpected error: 500 problem, no message or traceback, but logged."""
    app = create_app(make_settings(), telemetry=spans)

    async def explode() -> None:
        raise RuntimeError("internal detail 42")

    app.add_api_route("/explode", explode)
    async with serving(app) as client:
        with capture_logs() as events:
            response = await client.get("/explode")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "internal detail 42" not in response.text
    assert "cause" not in response.json()
    assert any(e["event"] == "request.failed" for e in events)


async def test_health_answers_ok(make_settings, spans):
    """GET /health is 200 with the service name; HEAD is 200 without a body."""
    async with serving(create_app(make_settings(), telemetry=spans)) as client:
        response = await client.get("/health")
        probe = await client.head("/health")

    assert response.json() == {"status": "ok", "service": "video-rooms"}
    assert (probe.status_code, probe.content) == (200, b"")


async def test_openapi_documents_the_room_body(make_settings, spans):
    """The hand-read body still shows in the OpenAPI document."""
    async with serving(create_app(make_settings(), telemetry=spans)) as client:
        document = (await client.get("/openapi.json")).json()

    operation = document["paths"]["/api/video-conferences"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "scheduledStartTime" in schema["required"]
