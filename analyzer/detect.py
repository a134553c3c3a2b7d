"""Which format a file is in, decided from its first bytes (or forced by a flag)."""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from analyzer import jaeger, jsonlogs, otlp

# Formats: how a file is read. "-lines" formats hold one JSON value per line;
# "document" files hold one JSON value (any layout) and are classified after
# parsing.
OTLP_TRACE_LINES = "otlp-traces-lines"
OTLP_LOG_LINES = "otlp-logs-lines"
JAEGER_LINES = "jaeger-lines"
JSON_LOG_LINES = "json-logs"
DOCUMENT = "document"
METRICS = "otlp-metrics"
UNKNOWN = "unknown"

# Names accepted by --input-format.
FORCED = {
    "auto": None,
    "otlp": None,  # detection still tells traces from logs
    "json-logs": JSON_LOG_LINES,
    "jaeger": DOCUMENT,
}
TRACE_FORMATS = frozenset({OTLP_TRACE_LINES, JAEGER_LINES})
_PROBE_LINES = 20


def classify(document: object) -> str:
    """The line format a decoded JSON value belongs to, or UNKNOWN / METRICS."""
    signal = otlp.signal_of(document)
    if signal == "traces":
        return OTLP_TRACE_LINES
    if signal == "logs":
        return OTLP_LOG_LINES
    if signal == "metrics":
        return METRICS
    if jaeger.is_jaeger(document):
        return JAEGER_LINES
    if jsonlogs.is_log_record(document):
        return JSON_LOG_LINES

    return UNKNOWN


def detect(head: bytes, forced: str | None = None) -> str:
    """The format of a file from its first bytes: a line format, DOCUMENT or UNKNOWN."""
    if forced is not None and FORCED.get(forced):
        return FORCED[forced]  # type: ignore[return-value]

    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] == b"[":
        return DOCUMENT
    if text[:1] != b"{":
        return UNKNOWN

    lines = text.split(b"\n", _PROBE_LINES)[:_PROBE_LINES]
    first_kind = _line_kind(lines[0])
    if first_kind not in (None, UNKNOWN):
        return first_kind
    for line in lines[1:]:
        kind = _line_kind(line)
        if kind not in (None, UNKNOWN) and lines[0].rstrip().endswith(b"}"):
            return kind

    return DOCUMENT if first_kind is None else UNKNOWN


def _line_kind(line: bytes) -> str | None:
    """The format of one line, or None when it is not a JSON object on its own."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(value, Mapping):
        return None

    return classify(value)
