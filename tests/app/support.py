"""Helpers of the app tests: an in-memory telemetry double and in-process serving."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)
from opentelemetry.trace import SpanKind
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.interviews import create_app as create_interviews
from app.video_rooms import create_app as create_video_rooms


class SpanTelemetry:
    """Stands in for ``instrumentation.Telemetry``: traces into memory, no files."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.provider = TracerProvider()
        self.provider.add_span_processor(SimpleSpanProcessor(self.exporter))

    def instrument_app(self, app: FastAPI) -> None:
        """Trace the app's requests, keeping the cause code as ``error.type``."""
        app.add_middleware(KeepErrorType)
        FastAPIInstrumentor.instrument_app(
            app, tracer_provider=self.provider, exclude_spans=["receive", "send"]
        )

    def instrument_engine(self, engine: Any) -> None:
        """Database spans are not needed by these tests."""

    def instrument_client(self, client: httpx.AsyncClient) -> None:
        """Trace the internal client (and propagate the trace)."""
        HTTPXClientInstrumentor.instrument_client(client, tracer_provider=self.provider)

    def shutdown(self) -> None:
        """Nothing to flush: spans are exported synchronously."""

    def server_spans(self) -> list[ReadableSpan]:
        """Finished spans of handled requests, oldest first.

        In one process the inner service's span is INTERNAL, not SERVER: the
        ASGI instrumentation sees the caller's span as current and nests under
        it. Across processes it is a SERVER span.
        """
        spans = self.exporter.get_finished_spans()

        return [span for span in spans if _is_request_span(span)]


class KeepErrorType:
    """Restore the cause code as ``error.type`` after the HTTP instrumentation
    replaced it with the status code of a 5xx (as the real access middleware
    of ``instrumentation`` does)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        span = trace.get_current_span()

        async def keeping(message: Message) -> None:
            attributes = getattr(span, "attributes", None) or {}
            cause = attributes.get("error.type")
            await send(message)
            if cause and message["type"] == "http.response.start":
                span.set_attribute("error.type", cause)

        await self.app(scope, receive, keeping)


def _is_request_span(span: ReadableSpan) -> bool:
    # Old and stable HTTP conventions name the method differently; which one
    # the instrumentation uses is fixed once per process.
    method_keys = {"http.method", "http.request.method"}

    return span.kind is not SpanKind.CLIENT and bool(
        method_keys & set(span.attributes or {})
    )


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run an app's lifespan and yield a client talking to it in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as c:
            yield c


@asynccontextmanager
async def serving_pair(
    interviews_settings: Any,
    video_settings: Any,
    telemetry: SpanTelemetry,
    video_transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Both services in-process, interviews calling video-rooms through ASGI.

    ``video_transport`` replaces the in-process video-rooms on the internal
    call (a MockTransport that times out, for example).
    """
    rooms_app = create_video_rooms(video_settings, telemetry=telemetry)
    async with serving(rooms_app) as rooms:
        transport = video_transport or httpx.ASGITransport(app=rooms_app)
        outer_app = create_interviews(
            interviews_settings, telemetry=telemetry, video_rooms_transport=transport
        )
        async with serving(outer_app) as outer:
            yield outer, rooms


async def login(client: httpx.AsyncClient, username: str = "demo-1") -> str:
    """Log a demo user in and return the token; the client keeps no cookie."""
    response = await client.post(
        "/api/auth/login", json={"username": username, "password": "demo"}
    )
    assert response.status_code == 200, response.text
    client.cookies.clear()

    return response.json()["token"]


def bearer(token: str) -> dict[str, str]:
    """Headers carrying a bearer token."""
    return {"Authorization": f"Bearer {token}"}


def iso_in(seconds: float) -> str:
    """A time ``seconds`` from now, as a browser's ``toISOString()`` writes it."""
    moment = datetime.now(UTC) + timedelta(seconds=seconds)

    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
