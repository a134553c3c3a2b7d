"""The SQLAlchemy and httpx instrumentations, attached with our providers."""

from __future__ import annotations

import asyncio

import httpx
import sqlalchemy
from fastapi import FastAPI
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)
from opentelemetry.trace import SpanKind

from instrumentation import Telemetry, names
from tests.instrumentation.support import SECRET_TOKEN, client


def test_db_spans_are_children_of_the_request_span(
    telemetry: Telemetry, memory: InMemorySpanExporter
) -> None:
    """A statement run while handling a request is traced under its server span."""
    engine = sqlalchemy.create_engine("sqlite://")
    telemetry.instrument_engine(engine)
    app = FastAPI()

    @app.get("/count")
    def count() -> int:
        with engine.connect() as connection:
            return connection.execute(sqlalchemy.text("select 1")).scalar_one()

    telemetry.instrument_app(app)

    async def go() -> None:
        async with client(app) as http:
            await http.get("/count")

    asyncio.run(go())
    engine.dispose()

    spans = memory.get_finished_spans()
    (server,) = [s for s in spans if s.kind is SpanKind.SERVER]
    (db,) = [s for s in spans if s.attributes.get("db.statement") == "select 1"]
    assert db.parent is not None and db.parent.span_id == server.context.span_id
    assert db.context.trace_id == server.context.trace_id


def test_client_spans_propagate_and_redact(
    telemetry: Telemetry, memory: InMemorySpanExporter
) -> None:
    """The client span's context travels in traceparent; its URL has no secret."""
    seen: dict[str, str] = {}

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.update(request.headers)
        return httpx.Response(204)

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(upstream)) as out:
            telemetry.instrument_client(out)
            with telemetry.tracer("tests").start_as_current_span("handler"):
                await out.get(
                    f"http://upstream/x?token={SECRET_TOKEN}",
                    headers={"Authorization": f"Bearer {SECRET_TOKEN}"},
                )

    asyncio.run(go())

    (span,) = [s for s in memory.get_finished_spans() if s.kind is SpanKind.CLIENT]
    trace_id = f"{span.context.trace_id:032x}"
    span_id = f"{span.context.span_id:016x}"
    assert seen["traceparent"].startswith(f"00-{trace_id}-{span_id}-")
    assert SECRET_TOKEN not in str(span.attributes["url.full"])
    assert span.attributes[names.ATTR_CREDENTIAL_KIND] == names.CREDENTIAL_BEARER
