"""Small hand-built OTLP/JSON traces and structlog lines for analyzer tests."""

from __future__ import annotations

import json
from pathlib import Path

SERVER, CLIENT, INTERNAL = 2, 3, 1
T0 = 1_748_600_000_000_000_000


def span(
    trace: str,
    span_id: str,
    parent: str = "",
    *,
    service: str = "interviews",
    name: str = "POST /api/mock-interviews",
    kind: int = SERVER,
    status: int | None = None,
    error: bool = False,
    start_ms: int = 0,
    end_ms: int = 100,
    **attrs: object,
) -> tuple[str, dict]:
    """One (service, OTLP span) pair; keyword attributes use ``__`` for dots."""
    attributes = []
    if status is not None:
        attributes.append(_kv("http.response.status_code", status))
    for key, value in attrs.items():
        attributes.append(_kv(key.replace("__", "."), value))
    body: dict = {
        "traceId": trace,
        "spanId": span_id,
        "name": name,
        "kind": kind,
        "startTimeUnixNano": str(T0 + start_ms * 1_000_000),
        "endTimeUnixNano": str(T0 + end_ms * 1_000_000),
        "attributes": attributes,
        "status": {"code": 2} if error else {},
    }
    if parent:
        body["parentSpanId"] = parent

    return service, body


def _kv(key: str, value: object) -> dict:
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    if isinstance(value, float):
        return {"key": key, "value": {"doubleValue": value}}

    return {"key": key, "value": {"stringValue": value}}


def request_line(spans: list[tuple[str, dict]]) -> str:
    """One ExportTraceServiceRequest holding the spans, grouped by service."""
    services: dict[str, list[dict]] = {}
    for service, body in spans:
        services.setdefault(service, []).append(body)
    resource_spans = [
        {
            "resource": {"attributes": [_kv("service.name", service)]},
            "scopeSpans": [{"scope": {"name": "test"}, "spans": bodies}],
        }
        for service, bodies in services.items()
    ]

    return json.dumps({"resourceSpans": resource_spans})


def write_traces(path: Path, *requests: list[tuple[str, dict]]) -> Path:
    """A file-exporter style file: one request per line."""
    path.write_text("".join(request_line(r) + "\n" for r in requests))

    return path


def two_tier(
    trace: str,
    *,
    outer_status: int = 400,
    inner_status: int | None = 400,
    outer_cause: str | None = None,
    inner_cause: str | None = None,
    start_ms: int = 0,
    **inner_attrs: object,
) -> list[tuple[str, dict]]:
    """interviews server -> httpx client -> video-rooms server, as our services emit."""
    outer_attrs = {"error__type": outer_cause} if outer_cause else {}
    spans = [
        span(
            trace,
            "a000000000000001",
            status=outer_status,
            start_ms=start_ms,
            end_ms=start_ms + 100,
            **outer_attrs,
        ),
        span(
            trace,
            "a000000000000002",
            "a000000000000001",
            name="POST",
            kind=CLIENT,
            status=inner_status,
            start_ms=start_ms + 10,
            end_ms=start_ms + 90,
        ),
    ]
    if inner_status is not None:
        attrs = dict(inner_attrs)
        if inner_cause:
            attrs["error__type"] = inner_cause
        spans.append(
            span(
                trace,
                "a000000000000003",
                "a000000000000002",
                service="video-rooms",
                name="POST /api/video-conferences",
                status=inner_status,
                start_ms=start_ms + 20,
                end_ms=start_ms + 80,
                **attrs,
            )
        )

    return spans


def log_line(**fields: object) -> str:
    """One structlog JSON line; ``__`` in keys becomes a dot."""
    return json.dumps({key.replace("__", "."): value for key, value in fields.items()})
