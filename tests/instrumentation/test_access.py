"""The access middleware: one event per request, request context, isolation."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)
from opentelemetry.trace import SpanKind

from instrumentation import names
from tests.instrumentation.support import client, events, read_jsonl


def test_one_access_event_per_request(app: FastAPI, log_path: Path) -> None:
    """Each request writes exactly one http.access event with its fields."""

    async def go() -> None:
        async with client(app) as http:
            for _ in range(5):
                await http.post("/api/things", json={"a": 1})

    asyncio.run(go())

    access = events(log_path, names.EVENT_ACCESS)
    assert len(access) == 5
    assert {line["route"] for line in access} == {"/api/things"}
    assert all(line["method"] == "POST" and line["status"] == 200 for line in access)
    assert all(line["duration_ms"] >= 0 for line in access)


def test_access_event_carries_the_server_span_ids(
    app: FastAPI, log_path: Path, memory: InMemorySpanExporter
) -> None:
    """The access event's trace and span ids are those of the server span."""

    async def go() -> None:
        async with client(app) as http:
            await http.post("/api/things", json={})

    asyncio.run(go())

    (server,) = [s for s in memory.get_finished_spans() if s.kind is SpanKind.SERVER]
    (access,) = events(log_path, names.EVENT_ACCESS)
    assert access["trace_id"] == format(server.context.trace_id, "032x")
    assert access["span_id"] == format(server.context.span_id, "016x")


def test_request_id_is_taken_from_the_header_and_echoed(
    app: FastAPI, log_path: Path
) -> None:
    """A well-formed X-Request-ID is used in every line and sent back."""

    async def go() -> str:
        async with client(app) as http:
            response = await http.post(
                "/api/things", json={}, headers={"X-Request-ID": "abc-123"}
            )
        return response.headers["x-request-id"]

    assert asyncio.run(go()) == "abc-123"
    lines = [line for line in read_jsonl(log_path) if "trace_id" in line]
    assert lines and all(line["request_id"] == "abc-123" for line in lines)


def test_malformed_request_id_is_replaced(app: FastAPI, log_path: Path) -> None:
    """An X-Request-ID that could forge a log line is replaced by a fresh id."""

    async def go() -> str:
        async with client(app) as http:
            response = await http.post(
                "/api/things", json={}, headers={"X-Request-ID": 'x" level=error'}
            )
        return response.headers["x-request-id"]

    echoed = asyncio.run(go())
    assert len(echoed) == 32 and echoed.isalnum()
    (access,) = events(log_path, names.EVENT_ACCESS)
    assert access["request_id"] == echoed


def test_concurrent_requests_keep_their_own_context(
    app: FastAPI, log_path: Path
) -> None:
    """Interleaved requests never see each other's request id or trace id."""

    async def go() -> None:
        async with client(app) as http:
            await asyncio.gather(
                *(
                    http.get(f"/slow?tag={n}", headers={"X-Request-ID": f"req-{n}"})
                    for n in range(20)
                )
            )

    asyncio.run(go())

    lines = read_jsonl(log_path)
    trace_of = {
        line["request_id"]: line["trace_id"]
        for line in lines
        if line["event"] == names.EVENT_ACCESS
    }
    assert len(set(trace_of.values())) == 20
    tagged = [
        line for line in lines if line["event"] in ("slow.done", "dependency.ran")
    ]
    assert len(tagged) == 40
    for line in tagged:
        assert line["request_id"] == f"req-{line['tag']}"
        assert line["trace_id"] == trace_of[line["request_id"]]


def test_sync_code_in_the_thread_pool_sees_only_its_request(
    app: FastAPI, log_path: Path
) -> None:
    """Sync dependencies and routes run in threads log their own request's ids."""

    async def go() -> None:
        async with client(app) as http:
            await asyncio.gather(
                *(
                    http.get(f"/sync?tag={n}", headers={"X-Request-ID": f"req-{n}"})
                    for n in range(12)
                )
            )

    asyncio.run(go())

    lines = read_jsonl(log_path)
    trace_of = {
        line["request_id"]: line["trace_id"]
        for line in lines
        if line["event"] == names.EVENT_ACCESS
    }
    threaded = [
        line for line in lines if line["event"] in ("sync.done", "dependency.ran")
    ]
    assert len(threaded) == 24
    for line in threaded:
        assert line["request_id"] == f"req-{line['tag']}"
        assert line["trace_id"] == trace_of[line["request_id"]]


def test_context_does_not_outlive_the_request(app: FastAPI, log_path: Path) -> None:
    """A line logged after a request carries no request id or trace id."""
    from instrumentation import get_logger

    async def go() -> None:
        async with client(app) as http:
            await http.get("/sync?tag=1", headers={"X-Request-ID": "req-1"})
        get_logger().info("after.request")

    asyncio.run(go())

    (after,) = events(log_path, "after.request")
    assert "request_id" not in after and "trace_id" not in after


def test_unhandled_exception_still_writes_a_500_access_event(
    app: FastAPI, log_path: Path
) -> None:
    """A crashing handler yields one access event with status 500."""

    async def go() -> int:
        async with client(app) as http:
            return (await http.get("/boom")).status_code

    assert asyncio.run(go()) == 500
    (access,) = events(log_path, names.EVENT_ACCESS)
    assert access["status"] == 500 and access["level"] == "error"
    assert events(log_path, "request.failed")[0]["trace_id"] == access["trace_id"]


def test_metrics_scrapes_are_neither_logged_nor_traced(
    app: FastAPI, log_path: Path, memory: InMemorySpanExporter
) -> None:
    """GET /metrics writes no access event and no span."""

    async def go() -> None:
        async with client(app) as http:
            await http.get("/metrics")

    asyncio.run(go())

    assert events(log_path, names.EVENT_ACCESS) == []
    assert memory.get_finished_spans() == ()


def test_a_line_inside_a_child_span_carries_the_child_span_id(
    app: FastAPI, log_path: Path, memory: InMemorySpanExporter
) -> None:
    """Span ids in log lines follow the span current when the line was written."""

    async def go() -> None:
        async with client(app) as http:
            await http.get("/child")

    asyncio.run(go())

    spans = {span.name: span for span in memory.get_finished_spans()}
    (inside,) = events(log_path, "child.logged")
    (outside,) = events(log_path, "parent.logged")
    assert inside["span_id"] == format(spans["child.work"].context.span_id, "016x")
    assert outside["span_id"] == format(spans["GET /child"].context.span_id, "016x")


def test_credential_kind_is_recorded_on_access_and_span(
    app: FastAPI, log_path: Path, memory: InMemorySpanExporter
) -> None:
    """The kind of credential sent is on the access event and the server span."""

    async def go() -> None:
        async with client(app) as http:
            await http.post("/api/things", json={}, headers={"Cookie": "sid=1"})
            await http.post("/api/things", json={})

    asyncio.run(go())

    kinds = [
        line[names.ATTR_CREDENTIAL_KIND] for line in events(log_path, "http.access")
    ]
    assert kinds == [names.CREDENTIAL_COOKIE, names.CREDENTIAL_NONE]
    servers = [s for s in memory.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert [s.attributes[names.ATTR_CREDENTIAL_KIND] for s in servers] == kinds
