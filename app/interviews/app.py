"""The interviews application factory and its internal HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from app.config import Settings
from app.interviews import upstream
from app.interviews.routes import router
from app.service import build_app
from instrumentation.names import SERVICE_INTERVIEWS

DESCRIPTION = (
    "Schedules mock interviews. For built-in video it asks the video-rooms "
    "service for a room over HTTP and relays that service's cause code."
)


def create_app(
    settings: Settings | None = None,
    *,
    telemetry: Any = None,
    video_rooms_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Build the interviews service; tests may route the internal call in-process."""
    settings = settings or Settings()

    @asynccontextmanager
    async def internal_client(app: FastAPI) -> AsyncIterator[None]:
        async with upstream.open_client(settings, video_rooms_transport) as client:
            app.state.runtime.telemetry.instrument_client(client)
            app.state.video_rooms = upstream.VideoRoomsClient(
                client, forward_auth=settings.forward_auth
            )
            yield

    return build_app(
        service=SERVICE_INTERVIEWS,
        settings=settings,
        routers=[router],
        description=DESCRIPTION,
        telemetry=telemetry,
        extra=internal_client,
    )
