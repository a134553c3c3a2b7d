"""Logging, tracing and metrics shared by both Triage services.

One call per process sets everything up::

    telemetry = setup_telemetry("video-rooms")
    telemetry.instrument_app(app)
    log = get_logger()
    log.info("room.created", room_id=room.id)

Rejections and schedule checks are recorded with ``record_rejection`` and
``record_schedule``, which put the cause code and its numbers on the current
span, the metrics and the log.
"""

from __future__ import annotations

import os

# Stable HTTP conventions (http.server.request.duration in seconds, and the
# client twin). The instrumentations read this once per process, when the
# first of them starts, so it is set before any of them can be imported.
os.environ.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", "http")

import threading
from datetime import datetime
from typing import Any

import structlog

from instrumentation import _record
from instrumentation._telemetry import Telemetry
from instrumentation.causes import Cause
from instrumentation.errors import TelemetryError, TelemetrySetupError
from instrumentation.settings import TelemetrySettings

__all__ = [
    "Cause",
    "Telemetry",
    "TelemetryError",
    "TelemetrySettings",
    "TelemetrySetupError",
    "current_telemetry",
    "get_logger",
    "record_rejection",
    "record_schedule",
    "setup_telemetry",
]

_lock = threading.Lock()
_active: Telemetry | None = None
_active_name: str | None = None


def setup_telemetry(
    service_name: str, settings: TelemetrySettings | None = None
) -> Telemetry:
    """Set up telemetry for this process once; later calls return the same object.

    After ``shutdown`` a new call sets up afresh (tests rely on this).
    """
    global _active, _active_name

    with _lock:
        if _active is not None and not _active.closed:
            if service_name != _active_name:
                raise TelemetrySetupError(
                    f"telemetry is already set up for {_active_name!r}, "
                    f"not {service_name!r}"
                )
            return _active

        _active = Telemetry(service_name, settings or TelemetrySettings())
        _active_name = service_name

        return _active


def current_telemetry() -> Telemetry | None:
    """The telemetry set up in this process, if it is running."""
    active = _active

    return active if active is not None and not active.closed else None


def get_logger(*args: Any, **initial_values: Any) -> Any:
    """A structlog logger writing through the process's log pipeline."""
    return structlog.get_logger(*args, **initial_values)


def record_rejection(cause: Cause, status: int, **fields: Any) -> None:
    """Record why the current request is rejected: span, counter and one log event.

    Sets ``error.type`` to the cause code and ``fields`` as attributes on the
    current span, counts ``triage.rejections{service, cause}``, logs one
    ``request.rejected`` warning, and makes the access event carry the cause.
    """
    active = current_telemetry()
    instruments = active.metrics.instruments if active and active.metrics else None
    service = active.service if active is not None else ""

    _record.rejection(instruments, service, cause, status, fields)


def record_schedule(
    lead_ms: float, min_lead_ms: float, server_now: datetime, accepted: bool
) -> None:
    """Record a scheduled-time check: span attributes and the lead-time histogram."""
    active = current_telemetry()
    instruments = active.metrics.instruments if active and active.metrics else None
    service = active.service if active is not None else ""

    _record.schedule(instruments, service, lead_ms, min_lead_ms, server_now, accepted)
