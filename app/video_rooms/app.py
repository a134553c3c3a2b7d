"""The video-rooms application factory."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from app.config import Settings
from app.service import build_app
from app.video_rooms.routes import router
from instrumentation.names import SERVICE_VIDEO_ROOMS

DESCRIPTION = (
    "Creates video conference rooms. Validates the scheduled start time against "
    "this server's clock and answers every rejection with one cause code."
)


def create_app(settings: Settings | None = None, *, telemetry: Any = None) -> FastAPI:
    """Build the video-rooms service (settings from ``TRIAGE_*`` when omitted)."""
    return build_app(
        service=SERVICE_VIDEO_ROOMS,
        settings=settings,
        routers=[router],
        description=DESCRIPTION,
        telemetry=telemetry,
    )
