"""record_rejection and record_schedule: span, metrics, log and access event."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)
from opentelemetry.trace import SpanKind, StatusCode

from instrumentation import Telemetry, names, record_rejection
from instrumentation.causes import Cause
from tests.instrumentation.support import client, events, samples


def _get(app: FastAPI, method: str, path: str) -> int:
    async def go() -> int:
        async with client(app) as http:
            return (await http.request(method, path)).status_code

    return asyncio.run(go())


def _server_span(memory: InMemorySpanExporter) -> ReadableSpan:
    (span,) = [s for s in memory.get_finished_spans() if s.kind is SpanKind.SERVER]
    return span


def test_schedule_rejection_marks_the_span(
    app: FastAPI, memory: InMemorySpanExporter
) -> None:
    """error.type is the cause code, with the schedule numbers beside it."""
    assert _get(app, "POST", "/reject/schedule") == 400

    span = _server_span(memory)
    assert span.attributes[names.ATTR_ERROR_TYPE] == "schedule.in_past"
    assert span.attributes[names.ATTR_LEAD_MS] == -3_599_000.0
    assert span.attributes[names.ATTR_MIN_LEAD_MS] == 60_000.0
    assert span.attributes[names.ATTR_SERVER_NOW] == "2025-05-30T22:45:00.000Z"


def test_server_4xx_leaves_the_span_status_unset(
    app: FastAPI, memory: InMemorySpanExporter
) -> None:
    """HTTP semantic conventions: a server span with a 4xx is not an error."""
    _get(app, "POST", "/reject/schedule")

    assert _server_span(memory).status.status_code is StatusCode.UNSET


def test_server_5xx_is_an_error_and_keeps_the_cause(
    app: FastAPI, memory: InMemorySpanExporter
) -> None:
    """A 5xx sets ERROR, and error.type stays the cause code, not "503"."""
    assert _get(app, "GET", "/reject/db") == 503

    span = _server_span(memory)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes[names.ATTR_ERROR_TYPE] == "db.unavailable"
    assert span.attributes["attempt"] == 1


def test_rejection_logs_one_event_with_cause_and_numbers(
    app: FastAPI, log_path: Path
) -> None:
    """One request.rejected warning carries the cause, status and numbers."""
    _get(app, "POST", "/reject/schedule")

    (line,) = events(log_path, names.EVENT_REJECTED)
    assert line["level"] == "warning"
    assert line["cause"] == "schedule.in_past" and line["status"] == 400
    assert line[names.ATTR_LEAD_MS] == -3_599_000.0
    assert line[names.ATTR_SERVER_NOW] == "2025-05-30T22:45:00.000Z"


def test_access_event_carries_the_cause(app: FastAPI, log_path: Path) -> None:
    """The request's access event names the cause and the schedule numbers."""
    _get(app, "POST", "/reject/schedule")

    (access,) = events(log_path, names.EVENT_ACCESS)
    assert access["cause"] == "schedule.in_past" and access["status"] == 400
    assert access[names.ATTR_MIN_LEAD_MS] == 60_000.0


def test_cause_recorded_in_a_thread_reaches_the_access_event(
    app: FastAPI, log_path: Path
) -> None:
    """A sync route (thread pool) recording a rejection still tags the access."""
    assert _get(app, "GET", "/reject/auth") == 401

    (access,) = events(log_path, names.EVENT_ACCESS)
    assert access["cause"] == "auth.invalid_session"


def test_accepted_request_has_no_cause(app: FastAPI, log_path: Path) -> None:
    """Without a rejection the access event has no cause field."""
    _get(app, "POST", "/api/things")

    (access,) = events(log_path, names.EVENT_ACCESS)
    assert "cause" not in access


def test_rejection_counter_and_lead_time_reach_prometheus(
    app: FastAPI, telemetry: Telemetry
) -> None:
    """The counter is labelled by service and cause; the lead by outcome."""
    _get(app, "POST", "/reject/schedule")
    _get(app, "POST", "/reject/schedule")

    text = telemetry.metrics_text().decode()
    (rejections,) = samples(text, names.PROM_REJECTIONS)
    assert rejections.labels["cause"] == "schedule.in_past"
    assert rejections.labels["service"] == "test-svc"
    assert rejections.value == 2.0
    (count,) = samples(text, f"{names.PROM_LEAD_TIME}_count")
    assert count.value == 2.0
    assert count.labels["direction"] == "behind"
    assert count.labels["outcome"] == "rejected"


def test_rejection_outside_a_request_only_logs(
    telemetry: Telemetry, log_path: Path
) -> None:
    """Called with no request in flight it still logs and never raises."""
    record_rejection(Cause.PAYLOAD_INVALID_JSON, 400, field="body")

    (line,) = events(log_path, names.EVENT_REJECTED)
    assert line["cause"] == "payload.invalid_json" and line["field"] == "body"
