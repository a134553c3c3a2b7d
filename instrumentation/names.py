"""Names shared by the services, the dashboards and the docs.

Metric names are OpenTelemetry instrument names; the Prometheus exporter turns
``triage.rejections`` into ``triage_rejections_total`` and
``http.server.request.duration`` (unit ``s``) into
``http_server_request_duration_seconds_*``. The dashboards import the
Prometheus spellings from here so a panel can never name a metric nobody emits.
"""

from __future__ import annotations

# Services (the OpenTelemetry ``service.name`` of each process).
SERVICE_INTERVIEWS = "interviews"
SERVICE_VIDEO_ROOMS = "video-rooms"

# Span and log attribute keys. Logs use the same keys as spans, so one name
# means one thing everywhere.
ATTR_ERROR_TYPE = "error.type"  # semantic conventions: the cause code
ATTR_CAUSE = "cause"  # log field carrying the cause code
ATTR_LEAD_MS = "schedule.lead_ms"  # scheduled time minus the server's now
ATTR_MIN_LEAD_MS = "schedule.min_lead_ms"  # the minimum lead in force
ATTR_SERVER_NOW = "schedule.server_now"  # the server's clock, ISO 8601 UTC
ATTR_SCHEDULED_TIME = "schedule.scheduled_time"  # the value as received
ATTR_CLOCK_OFFSET_MS = "triage.clock_offset_ms"  # injected fault, if any
ATTR_CLIENT_TZ = "client.time_zone"
ATTR_CREDENTIAL_KIND = "auth.credential_kind"  # "cookie", "bearer" or "none"
ATTR_INNER_CAUSE = "upstream.cause"  # the inner tier's cause, on the outer span

# Instrument names (OpenTelemetry spelling).
METRIC_REJECTIONS = "triage.rejections"
METRIC_LEAD_TIME = "triage.schedule.lead_time"  # histogram, seconds
METRIC_TELEMETRY_ERRORS = "triage.telemetry.errors"
METRIC_HTTP_SERVER_DURATION = "http.server.request.duration"
METRIC_HTTP_CLIENT_DURATION = "http.client.request.duration"

# The same, as Prometheus exposes them.
PROM_REJECTIONS = "triage_rejections_total"
PROM_LEAD_TIME = "triage_schedule_lead_time_seconds"
PROM_TELEMETRY_ERRORS = "triage_telemetry_errors_total"
PROM_HTTP_SERVER_DURATION = "http_server_request_duration_seconds"
PROM_HTTP_CLIENT_DURATION = "http_client_request_duration_seconds"

# Metric labels (bounded sets only: no ids, no free text).
LABEL_SERVICE = "service"
LABEL_CAUSE = "cause"

# Values of ATTR_CREDENTIAL_KIND: which credential a request carried, never its
# value. "other" is an Authorization header with a scheme other than Bearer.
CREDENTIAL_COOKIE = "cookie"
CREDENTIAL_BEARER = "bearer"
CREDENTIAL_OTHER = "other"
CREDENTIAL_NONE = "none"

# Log line keys besides the span attribute keys above.
LOG_TIMESTAMP = "timestamp"
LOG_LEVEL = "level"
LOG_EVENT = "event"
LOG_SERVICE = "service"
LOG_TRACE_ID = "trace_id"
LOG_SPAN_ID = "span_id"
LOG_REQUEST_ID = "request_id"
LOG_STATUS = "status"

# Event names the instrumentation itself writes.
EVENT_ACCESS = "http.access"  # exactly one per request
EVENT_REJECTED = "request.rejected"
EVENT_TELEMETRY_FAILED = "telemetry.export_failed"

# The request id travels in this header, in and out.
HEADER_REQUEST_ID = "x-request-id"

# More metric labels, each with a fixed set of values.
LABEL_OUTCOME = "outcome"  # "accepted" or "rejected"
LABEL_DIRECTION = "direction"  # lead time "ahead" of or "behind" the server's now
LABEL_SIGNAL = "signal"  # "traces", "logs" or "metrics"
OUTCOME_ACCEPTED = "accepted"
OUTCOME_REJECTED = "rejected"
DIRECTION_AHEAD = "ahead"
DIRECTION_BEHIND = "behind"
