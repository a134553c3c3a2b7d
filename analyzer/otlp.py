"""OTLP/JSON traces and logs, walked record by record.

Handles every shape the OTLP/JSON encoding allows and a few it does not:
pre-1.0 names (``instrumentationLibrarySpans``, ``instrumentationLibraryLogs``,
``logs``), Tempo's ``batches`` wrapper, a ``{"result": ...}`` wrapper, 64-bit
integers as strings or numbers, enums as integers or names, and every
``AnyValue`` kind (opentelemetry-proto common.proto).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping

from analyzer import schema as s
from analyzer.rows import LogRows, SpanRows, as_int

_SCOPE_SPAN_KEYS = ("scopeSpans", "instrumentationLibrarySpans")
_SCOPE_LOG_KEYS = ("scopeLogs", "instrumentationLibraryLogs")
_RECORD_KEYS = ("logRecords", "logs")


def unwrap(document: object) -> object:
    """Strip the ``{"result": ...}`` wrapper some query APIs put around a request."""
    while isinstance(document, Mapping) and set(document) == {"result"}:
        document = document["result"]

    return document


def signal_of(document: object) -> str | None:
    """Which OTLP signal a decoded document carries: traces, logs, metrics or None."""
    document = unwrap(document)
    if not isinstance(document, Mapping):
        return None
    if "resourceSpans" in document or "batches" in document:
        return "traces"
    if "resourceLogs" in document:
        return "logs"
    if "resourceMetrics" in document:
        return "metrics"

    return None


def any_value(value: object) -> object:
    """Decode an OTLP ``AnyValue`` to a plain Python value."""
    if not isinstance(value, Mapping):
        return value
    if "stringValue" in value:
        return value["stringValue"]
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "intValue" in value:
        return as_int(value["intValue"])
    if "doubleValue" in value:
        return _double(value["doubleValue"])
    if "bytesValue" in value:
        return _bytes_hex(value["bytesValue"])
    if "arrayValue" in value:
        items = (value["arrayValue"] or {}).get("values") or []
        return [any_value(item) for item in items]
    if "kvlistValue" in value:
        return key_values((value["kvlistValue"] or {}).get("values"))

    return None


def key_values(items: object) -> dict[str, object]:
    """Decode a list of OTLP ``KeyValue`` into a dict."""
    if not isinstance(items, list):
        return {}

    return {
        str(item.get("key")): any_value(item.get("value"))
        for item in items
        if isinstance(item, Mapping)
    }


def _double(value: object) -> object:
    """JSON numbers, or the strings proto3 JSON uses for NaN and infinities."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value

    return value


def _bytes_hex(value: object) -> object:
    """``bytesValue`` is base64 in OTLP/JSON; show it as hex."""
    try:
        return base64.b64decode(str(value)).hex()
    except ValueError:
        return value


def enum(value: object, names: Mapping[str, int]) -> int:
    """An enum given as an integer, a numeric string or its name."""
    if isinstance(value, str) and value in names:
        return names[value]

    return as_int(value)


def nanos(value: object) -> int:
    """A ``fixed64`` nanosecond timestamp given as a string or a number."""
    return max(as_int(value), 0)


def _first_list(container: Mapping, keys: tuple[str, ...]) -> list:
    for key in keys:
        items = container.get(key)
        if isinstance(items, list):
            return items

    return []


def _resources(document: object, key: str) -> Iterator[tuple[dict, Mapping]]:
    """Each resource's attributes with its scope list, in any wrapper."""
    document = unwrap(document)
    if not isinstance(document, Mapping):
        return
    resources = document.get(key)
    if resources is None and key == "resourceSpans":
        resources = document.get("batches")  # Tempo's name for resourceSpans
    for resource_block in resources or []:
        if isinstance(resource_block, Mapping):
            resource = resource_block.get("resource") or {}
            yield key_values(resource.get("attributes")), resource_block


def add_traces(document: object, rows: SpanRows) -> int:
    """Add every span of one ExportTraceServiceRequest; return how many."""
    count = 0
    for resource, block in _resources(document, "resourceSpans"):
        service = resource.get(s.SERVICE_KEY)
        for scope in _first_list(block, _SCOPE_SPAN_KEYS):
            for span in (scope or {}).get("spans") or []:
                if isinstance(span, Mapping):
                    count += rows.attempt(_add_span, span, resource, service, rows)

    return count


def _add_span(span: Mapping, resource: dict, service: object, rows: SpanRows) -> None:
    status = span.get("status") or {}
    rows.add(
        trace_id=span.get("traceId"),
        span_id=span.get("spanId"),
        parent_id=span.get("parentSpanId"),
        service=None if service is None else str(service),
        name=span.get("name"),
        kind=enum(span.get("kind"), s.KIND_NAMES),
        start_ns=nanos(span.get("startTimeUnixNano")),
        end_ns=nanos(span.get("endTimeUnixNano")),
        status=enum(status.get("code"), s.STATUS_NAMES),
        attrs=key_values(span.get("attributes")),
        resource=resource,
    )


def add_logs(document: object, rows: LogRows) -> int:
    """Add every log record of one ExportLogsServiceRequest; return how many."""
    count = 0
    for resource, block in _resources(document, "resourceLogs"):
        service = resource.get(s.SERVICE_KEY)
        for scope in _first_list(block, _SCOPE_LOG_KEYS):
            for record in _first_list(scope or {}, _RECORD_KEYS):
                if isinstance(record, Mapping):
                    count += rows.attempt(_add_log, record, resource, service, rows)

    return count


def _add_log(record: Mapping, resource: dict, service: object, rows: LogRows) -> None:
    fields = key_values(record.get("attributes"))
    body = any_value(record.get("body"))
    event = body if body is not None else fields.get("event")
    rows.add(
        trace_id=record.get("traceId"),
        span_id=record.get("spanId"),
        service=fields.get("service", service),
        time_ns=nanos(record.get("timeUnixNano") or record.get("observedTimeUnixNano")),
        event=event,
        level=record.get("severityText") or fields.get("level"),
        fields=fields,
        resource=resource,
    )
