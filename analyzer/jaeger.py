"""Jaeger JSON traces: the API's ``{"data": [...]}``, one trace, or a span list."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from analyzer import schema as s
from analyzer.rows import SpanRows, as_int

_HEX = frozenset("0123456789abcdefABCDEF")


def is_jaeger(document: object) -> bool:
    """Whether a decoded document looks like any Jaeger JSON shape."""
    if isinstance(document, Mapping):
        data = document.get("data")
        if isinstance(data, list):
            return not data or _is_trace(data[0])
        return _is_trace(document) or _is_span(document)
    if isinstance(document, list):
        return bool(document) and _is_span(document[0])

    return False


def _is_trace(item: object) -> bool:
    return isinstance(item, Mapping) and "spans" in item and "traceID" in item


def _is_span(item: object) -> bool:
    return isinstance(item, Mapping) and "spanID" in item and "traceID" in item


def _traces(document: object) -> Iterator[Mapping]:
    if isinstance(document, list):
        yield {"spans": document, "processes": {}}
    elif isinstance(document, Mapping) and isinstance(document.get("data"), list):
        yield from (t for t in document["data"] if isinstance(t, Mapping))
    elif _is_span(document):
        yield {"spans": [document], "processes": {}}
    elif isinstance(document, Mapping):
        yield document


def _pad(value: object, size: int) -> object:
    """Jaeger drops leading zeros from hex ids; put them back."""
    if (
        isinstance(value, str)
        and value
        and len(value) < 2 * size
        and _HEX.issuperset(value)
    ):
        return value.zfill(2 * size)

    return value


def _tags(items: object) -> dict[str, object]:
    if not isinstance(items, list):
        return {}

    return {
        str(tag.get("key")): tag.get("value")
        for tag in items
        if isinstance(tag, Mapping)
    }


def _parent(span: Mapping) -> object:
    for ref in span.get("references") or []:
        if isinstance(ref, Mapping) and ref.get("refType", "CHILD_OF") == "CHILD_OF":
            return ref.get("spanID")

    return span.get("parentSpanID")


def _status(tags: Mapping[str, object]) -> int:
    code = str(tags.get("otel.status_code", "")).upper()
    if code in s.STATUS_NAMES:
        return s.STATUS_NAMES[code]
    if tags.get("error") in (True, "true"):
        return s.STATUS_ERROR

    return s.STATUS_UNSET


def add_jaeger(document: object, rows: SpanRows) -> int:
    """Add every span of a Jaeger JSON document; return how many."""
    count = 0
    for trace in _traces(document):
        processes = trace.get("processes")
        if not isinstance(processes, Mapping):
            processes = {}
        for span in trace.get("spans") or []:
            if isinstance(span, Mapping):
                count += rows.attempt(_add_span, span, processes, rows)

    return count


def _add_span(span: Mapping, processes: Mapping, rows: SpanRows) -> None:
    process = span.get("process") or processes.get(span.get("processID")) or {}
    resource = _tags(process.get("tags"))
    tags = _tags(span.get("tags"))
    start_us = as_int(span.get("startTime"))
    duration_us = as_int(span.get("duration"))
    kind = s.KIND_NAMES.get(str(tags.get("span.kind", "")).lower(), s.KIND_UNSPECIFIED)
    rows.add(
        trace_id=_pad(span.get("traceID"), 16),
        span_id=_pad(span.get("spanID"), 8),
        parent_id=_pad(_parent(span), 8),
        service=process.get("serviceName"),
        name=span.get("operationName"),
        kind=kind,
        start_ns=start_us * 1000,
        end_ns=(start_us + duration_us) * 1000 if start_us else 0,
        status=_status(tags),
        attrs=tags,
        resource=resource,
    )
