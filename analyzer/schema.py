"""The slim, normalised tables every reader produces, and the keys they read.

A span row keeps only what root-cause analysis needs; a log row likewise.
String columns are dictionary-encoded (few distinct values, many rows).
Attribute names follow the stable HTTP semantic conventions, with the older
names read as fallbacks so files from other systems work too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

# OTLP SpanKind and Status.StatusCode values (opentelemetry-proto trace.proto).
KIND_UNSPECIFIED, KIND_INTERNAL, KIND_SERVER, KIND_CLIENT = 0, 1, 2, 3
KIND_PRODUCER, KIND_CONSUMER = 4, 5
STATUS_UNSET, STATUS_OK, STATUS_ERROR = 0, 1, 2

KIND_NAMES = {
    "SPAN_KIND_UNSPECIFIED": KIND_UNSPECIFIED,
    "SPAN_KIND_INTERNAL": KIND_INTERNAL,
    "SPAN_KIND_SERVER": KIND_SERVER,
    "SPAN_KIND_CLIENT": KIND_CLIENT,
    "SPAN_KIND_PRODUCER": KIND_PRODUCER,
    "SPAN_KIND_CONSUMER": KIND_CONSUMER,
    # Jaeger's span.kind tag values
    "internal": KIND_INTERNAL,
    "server": KIND_SERVER,
    "client": KIND_CLIENT,
    "producer": KIND_PRODUCER,
    "consumer": KIND_CONSUMER,
}
STATUS_NAMES = {
    "STATUS_CODE_UNSET": STATUS_UNSET,
    "STATUS_CODE_OK": STATUS_OK,
    "STATUS_CODE_ERROR": STATUS_ERROR,
    "UNSET": STATUS_UNSET,
    "OK": STATUS_OK,
    "ERROR": STATUS_ERROR,
}

# Span attribute keys per column, best first (stable semconv, then the old names).
HTTP_STATUS_KEYS = ("http.response.status_code", "http.status_code")
HTTP_ROUTE_KEYS = ("http.route",)
HTTP_METHOD_KEYS = ("http.request.method", "http.method")
HTTP_PATH_KEYS = ("url.path", "http.target")
LEAD_KEY = "schedule.lead_ms"
MIN_LEAD_KEY = "schedule.min_lead_ms"
SERVER_NOW_KEY = "schedule.server_now"
SERVICE_KEY = "service.name"

# Log line keys per column, best first.
LOG_TRACE_KEYS = ("trace_id", "traceId", "traceID", "trace.id")
LOG_SPAN_KEYS = ("span_id", "spanId", "spanID", "span.id")
LOG_TIME_KEYS = ("timestamp", "time", "ts", "@timestamp")
LOG_EVENT_KEYS = ("event", "message", "msg", "event.name")
LOG_LEVEL_KEYS = ("level", "severity", "levelname", "log.level")
LOG_SERVICE_KEYS = ("service", "service.name", "service_name")
LOG_STATUS_KEYS = ("status", "status_code", "http.response.status_code")
LOG_ROUTE_KEYS = ("route", "http.route")
LOG_PATH_KEYS = ("path", "url.path", "http.target")
LOG_METHOD_KEYS = ("method", "http.request.method", "http.method")
LOG_DURATION_KEYS = ("duration_ms",)

_DICT = pa.dictionary(pa.int32(), pa.string())

SPAN_FIELDS: list[pa.Field] = [
    pa.field("trace_hi", pa.uint64()),
    pa.field("trace_lo", pa.uint64()),
    pa.field("span_id", pa.uint64()),
    pa.field("parent_id", pa.uint64()),
    pa.field("service", _DICT),
    pa.field("name", _DICT),
    pa.field("kind", pa.int8()),
    pa.field("start_ns", pa.int64()),
    pa.field("end_ns", pa.int64()),
    pa.field("status", pa.int8()),
    pa.field("http_status", pa.int32()),
    pa.field("route", _DICT),
    pa.field("method", _DICT),
    pa.field("path", _DICT),
    pa.field("cause", _DICT),
    pa.field("inner_cause", _DICT),
    pa.field("lead_ms", pa.float64()),
    pa.field("min_lead_ms", pa.float64()),
    pa.field("server_now", pa.string()),
]

LOG_FIELDS: list[pa.Field] = [
    pa.field("trace_hi", pa.uint64()),
    pa.field("trace_lo", pa.uint64()),
    pa.field("span_id", pa.uint64()),
    pa.field("service", _DICT),
    pa.field("time_ns", pa.int64()),
    pa.field("event", _DICT),
    pa.field("level", _DICT),
    pa.field("http_status", pa.int32()),
    pa.field("route", _DICT),
    pa.field("method", _DICT),
    pa.field("path", _DICT),
    pa.field("duration_ms", pa.float64()),
    pa.field("cause", _DICT),
    pa.field("lead_ms", pa.float64()),
    pa.field("min_lead_ms", pa.float64()),
    pa.field("server_now", pa.string()),
]


def extra_column(key: str) -> str:
    """The column holding an extra attribute (group-by or condition key)."""
    return "attr:" + key


@dataclass(frozen=True)
class Wanted:
    """What the readers keep beyond the fixed columns."""

    cause_keys: tuple[str, ...] = ("error.type",)
    inner_cause_keys: tuple[str, ...] = ("upstream.cause",)
    log_cause_keys: tuple[str, ...] = ("cause", "error.type")
    extra_keys: tuple[str, ...] = field(default=())

    def span_schema(self) -> pa.Schema:
        """The span table's schema, extra attribute columns included."""
        extras = [pa.field(extra_column(k), _DICT) for k in self.extra_keys]
        return pa.schema(SPAN_FIELDS + extras)

    def log_schema(self) -> pa.Schema:
        """The log table's schema, extra attribute columns included."""
        extras = [pa.field(extra_column(k), _DICT) for k in self.extra_keys]
        return pa.schema(LOG_FIELDS + extras)
