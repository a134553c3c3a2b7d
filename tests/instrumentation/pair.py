"""A minimal pair of services for the process tests: front calls back over HTTP.

Run each with ``uvicorn --factory tests.instrumentation.pair:front`` (or
``:back``); front finds back at ``PAIR_UPSTREAM``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
import sqlalchemy
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.pool import StaticPool

from instrumentation import (
    get_logger,
    record_rejection,
    record_schedule,
    setup_telemetry,
)
from instrumentation.causes import Cause

MIN_LEAD_MS = 60_000.0


def back() -> FastAPI:
    """The inner service: checks the lead time and touches a database."""
    telemetry = setup_telemetry("pair-back")
    engine = sqlalchemy.create_engine("sqlite://", poolclass=StaticPool)
    telemetry.instrument_engine(engine)
    log = get_logger()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()
        telemetry.shutdown()

    app = FastAPI(lifespan=lifespan)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/video-conferences")
    def create_room(body: dict[str, float]) -> JSONResponse:
        log.info("room.validating")
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("select 1"))
        lead_ms = body["lead_ms"]
        accepted = lead_ms >= MIN_LEAD_MS
        record_schedule(lead_ms, MIN_LEAD_MS, datetime.now(UTC), accepted)
        if not accepted:
            record_rejection(Cause.SCHEDULE_TOO_SOON, 400)
            return JSONResponse({"cause": Cause.SCHEDULE_TOO_SOON.value}, 400)
        return JSONResponse({"id": 1}, 201)

    telemetry.instrument_app(app)

    return app


def front() -> FastAPI:
    """The outer service: forwards each request to back."""
    telemetry = setup_telemetry("pair-front")
    upstream = httpx.AsyncClient(base_url=os.environ["PAIR_UPSTREAM"], timeout=10)
    telemetry.instrument_client(upstream)
    log = get_logger()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await upstream.aclose()
        telemetry.shutdown()

    app = FastAPI(lifespan=lifespan)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/mock-interviews")
    async def create_interview(request: Request) -> JSONResponse:
        body = await request.json()
        log.info("interview.requested")
        inner = await upstream.post("/api/video-conferences", json=body)
        if inner.status_code >= 400:
            record_rejection(Cause.UPSTREAM_REJECTED, 400, **{"upstream.status": 400})
            return JSONResponse({"cause": Cause.UPSTREAM_REJECTED.value}, 400)
        return JSONResponse({"interview": 1}, 201)

    telemetry.instrument_app(app)

    return app
