"""Small test apps and readers for the files the instrumentation writes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from instrumentation import (
    Telemetry,
    get_logger,
    record_rejection,
    record_schedule,
)
from instrumentation.causes import Cause

SECRET_PASSWORD = "hunter2-Pa55"
SECRET_TOKEN = "tok-3f9a1c7e5b"
SECRET_COOKIE = "ck-77aa19bd02"


def problem(cause: Cause, status: int, request: Request) -> JSONResponse:
    """An RFC 9457 body naming the cause and nothing the client sent."""
    return JSONResponse(
        {"type": "about:blank", "status": status, "cause": cause.value},
        status_code=status,
        media_type="application/problem+json",
    )


def make_app(telemetry: Telemetry) -> FastAPI:
    """A FastAPI app with one route per behaviour the tests pin."""
    app = FastAPI()
    log = get_logger()

    def sync_dependency(request: Request) -> str:
        log.info("dependency.ran", tag=request.query_params.get("tag"))
        return "ok"

    @app.post("/api/things")
    async def create_thing(request: Request) -> dict[str, Any]:
        body = await request.json()
        log.info("thing.created", size=len(body))
        return {"ok": True}

    @app.get("/slow")
    async def slow(tag: str, dep: str = Depends(sync_dependency)) -> dict[str, str]:
        await asyncio.sleep(0.01)
        log.info("slow.done", tag=tag)
        return {"tag": tag}

    @app.get("/sync")
    def sync_route(tag: str, dep: str = Depends(sync_dependency)) -> dict[str, str]:
        log.info("sync.done", tag=tag)
        return {"tag": tag}

    @app.post("/reject/schedule")
    async def reject_schedule(request: Request) -> JSONResponse:
        now = datetime(2025, 5, 30, 22, 45, 0, tzinfo=UTC)
        record_schedule(-3_599_000.0, 60_000.0, now, accepted=False)
        record_rejection(Cause.SCHEDULE_IN_PAST, 400)
        return problem(Cause.SCHEDULE_IN_PAST, 400, request)

    @app.get("/reject/db")
    async def reject_db(request: Request) -> JSONResponse:
        record_rejection(Cause.DB_UNAVAILABLE, 503, attempt=1)
        return problem(Cause.DB_UNAVAILABLE, 503, request)

    @app.get("/reject/auth")
    def reject_auth(request: Request) -> JSONResponse:
        record_rejection(Cause.AUTH_INVALID_SESSION, 401)
        return problem(Cause.AUTH_INVALID_SESSION, 401, request)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError(f"login failed for password={SECRET_PASSWORD}")

    @app.get("/child")
    async def child() -> dict[str, str]:
        with telemetry.tracer("tests").start_as_current_span("child.work"):
            log.info("child.logged")
        log.info("parent.logged")
        return {"ok": "yes"}

    telemetry.instrument_app(app)

    return app


def client(app: FastAPI) -> httpx.AsyncClient:
    """An in-process client; app exceptions become 500 responses."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every JSON line of a file (none if the file is missing)."""
    if not path.exists():
        return []

    return [json.loads(line) for line in path.read_text().splitlines() if line]


def events(path: Path, name: str) -> list[dict[str, Any]]:
    """The log lines of one event name."""
    return [line for line in read_jsonl(path) if line.get("event") == name]


@dataclass(frozen=True)
class FileSpan:
    """One span read back from an OTLP JSON lines file."""

    service: str
    trace_id: str
    span_id: str
    parent_id: str
    name: str
    kind: int
    attributes: dict[str, Any]
    status: dict[str, Any]


def read_spans(path: Path) -> list[FileSpan]:
    """The spans in an OTLP JSON lines file, flattened."""
    return list(_iter_spans(read_jsonl(path)))


def _iter_spans(requests: list[dict[str, Any]]) -> Iterator[FileSpan]:
    for request in requests:
        for resource_spans in request["resourceSpans"]:
            resource = _attributes(resource_spans["resource"].get("attributes", []))
            for scope_spans in resource_spans["scopeSpans"]:
                for span in scope_spans["spans"]:
                    yield FileSpan(
                        service=resource["service.name"],
                        trace_id=span["traceId"],
                        span_id=span["spanId"],
                        parent_id=span.get("parentSpanId", ""),
                        name=span["name"],
                        kind=span["kind"],
                        attributes=_attributes(span.get("attributes", [])),
                        status=span.get("status", {}),
                    )


def _attributes(pairs: list[dict[str, Any]]) -> dict[str, Any]:
    values = {}
    for pair in pairs:
        (value,) = pair["value"].values() if pair["value"] else (None,)
        values[pair["key"]] = value

    return values


def samples(text: str, name: str) -> list[Sample]:
    """The samples of one Prometheus series name in an exposition text."""
    return [
        sample
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    ]
