"""The services' one door to telemetry: the instrumentation API plus span helpers.

Set-up, logging and recording belong to ``instrumentation`` (issue 3); this
module re-exports what the services call and adds small helpers that read or
annotate the current span through the OpenTelemetry API.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import structlog
from opentelemetry import trace

from instrumentation import get_logger, record_rejection, record_schedule
from instrumentation import setup_telemetry as setup_telemetry


def annotate_span(attributes: Mapping[str, Any]) -> None:
    """Set attributes on the current span, skipping None values."""
    span = trace.get_current_span()
    for key, value in attributes.items():
        if value is not None:
            span.set_attribute(key, value)


def record_exception(error: BaseException) -> None:
    """Attach an unexpected exception to the current span as an event."""
    trace.get_current_span().record_exception(error)


def current_trace_id() -> str | None:
    """The current trace id as 32 lower-case hex digits, or None outside a trace."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None

    return trace.format_trace_id(context.trace_id)


def current_request_id(headers: Mapping[str, str]) -> str:
    """The request id bound by the instrumentation, else the header, else a new one."""
    bound = structlog.contextvars.get_contextvars().get("request_id")
    if isinstance(bound, str) and bound:
        return bound

    return headers.get("x-request-id") or uuid.uuid4().hex


__all__ = [
    "annotate_span",
    "current_request_id",
    "current_trace_id",
    "get_logger",
    "record_exception",
    "record_rejection",
    "record_schedule",
    "setup_telemetry",
]
