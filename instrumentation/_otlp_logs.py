"""Send the same log events as OTLP log records when a collector is configured."""

from __future__ import annotations

from typing import Any

from opentelemetry._logs import SeverityNumber
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, LogRecordExporter
from opentelemetry.sdk.resources import Resource

from instrumentation import names

_SEVERITY = {
    "debug": SeverityNumber.DEBUG,
    "info": SeverityNumber.INFO,
    "warning": SeverityNumber.WARN,
    "error": SeverityNumber.ERROR,
    "critical": SeverityNumber.FATAL,
}
# Carried by the record itself (body, severity, time, trace context).
_NOT_ATTRIBUTES = frozenset(
    {
        names.LOG_EVENT,
        names.LOG_LEVEL,
        names.LOG_TIMESTAMP,
        names.LOG_TRACE_ID,
        names.LOG_SPAN_ID,
        "_record",
        "_from_structlog",
    }
)


def build_logger_provider(
    resource: Resource, exporter: LogRecordExporter, interval_ms: int
) -> LoggerProvider:
    """A logger provider exporting in batches off the request path."""
    provider = LoggerProvider(resource=resource)
    provider.add_log_record_processor(
        BatchLogRecordProcessor(exporter, schedule_delay_millis=interval_ms)
    )

    return provider


class OtlpLogBridge:
    """A structlog processor that emits each event as an OTLP log record.

    It runs after redaction and before rendering, so the collector receives
    the same redacted fields as the file; the trace context is the current one.
    """

    def __init__(self, provider: LoggerProvider) -> None:
        self._logger = provider.get_logger("triage")

    def __call__(
        self, logger: object, method_name: str, event_dict: dict[str, Any]
    ) -> dict[str, Any]:
        level = str(event_dict.get(names.LOG_LEVEL, "info"))
        self._logger.emit(
            body=str(event_dict.get(names.LOG_EVENT, "")),
            severity_number=_SEVERITY.get(level, SeverityNumber.INFO),
            severity_text=level.upper(),
            attributes={
                key: _attribute(value)
                for key, value in event_dict.items()
                if key not in _NOT_ATTRIBUTES and value is not None
            },
        )

        return event_dict


def _attribute(value: Any) -> str | bool | int | float:
    if isinstance(value, str | bool | int | float):
        return value

    return str(value)
