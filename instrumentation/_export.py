"""Exporters chosen from the environment, wrapped so failures never escape.

By default spans go to ``<service>.traces.jsonl`` through the official OTLP
JSON file exporter; when an ``OTEL_EXPORTER_OTLP_*`` endpoint is set they go to
a collector instead, and the log events also go out as OTLP log records.
Every exporter is wrapped: a failure is counted
(``triage.telemetry.errors``), reported once, and never raised.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import structlog
from opentelemetry.exporter.otlp.json.file import FileSpanExporter
from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Status

from instrumentation import names
from instrumentation._redact import redact_attributes, scrub_text

_DEFAULT_PROTOCOL = "http/protobuf"  # the OTLP exporter specification's default
SIGNALS = ("traces", "logs", "metrics")


class FailureReporter:
    """Count every telemetry failure and log the first one of each signal."""

    def __init__(self, service: str) -> None:
        self._service = service
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self._counter: Any = None

    def attach_counter(self, counter: Any) -> None:
        """Count failures on ``counter`` from now on, starting every series at 0."""
        self._counter = counter
        # A series that exists at 0 lets rate() and alerts see "no failures"
        # instead of "no data".
        for signal in SIGNALS:
            counter.add(
                0, {names.LABEL_SERVICE: self._service, names.LABEL_SIGNAL: signal}
            )

    def __call__(self, signal: str, error: BaseException | str) -> None:
        """Record one failure of ``signal`` ("traces", "logs" or "metrics")."""
        if self._counter is not None:
            self._counter.add(
                1, {names.LABEL_SERVICE: self._service, names.LABEL_SIGNAL: signal}
            )

        with self._lock:
            first = signal not in self._seen
            self._seen.add(signal)
        if first:
            structlog.get_logger().error(
                names.EVENT_TELEMETRY_FAILED,
                signal=signal,
                error_type=_kind_of(error),
                error=str(error),
            )


def _kind_of(error: BaseException | str) -> str:
    return type(error).__name__ if isinstance(error, BaseException) else "result"


def otlp_endpoint_set(signal: str) -> bool:
    """Tell whether the standard variables point ``signal`` at a collector."""
    general = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
    specific = os.environ.get(f"OTEL_EXPORTER_OTLP_{signal.upper()}_ENDPOINT", "")

    return bool(general or specific.strip())


def _protocol(signal: str) -> str:
    specific = os.environ.get(f"OTEL_EXPORTER_OTLP_{signal.upper()}_PROTOCOL")
    general = os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")

    return (specific or general or _DEFAULT_PROTOCOL).strip().lower()


def make_span_exporter(path: Path) -> SpanExporter:
    """An OTLP exporter when an endpoint is set, otherwise the JSON-lines file."""
    if not otlp_endpoint_set("traces"):
        return FileSpanExporter(path)

    if _protocol("traces") == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
            OTLPSpanExporter as GrpcSpanExporter,
        )

        return GrpcSpanExporter()

    from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
        OTLPSpanExporter as HttpSpanExporter,
    )

    return HttpSpanExporter()


def make_log_exporter() -> LogRecordExporter | None:
    """An OTLP log exporter when an endpoint is set, otherwise None."""
    if not otlp_endpoint_set("logs"):
        return None

    if _protocol("logs") == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import (
            OTLPLogExporter as GrpcLogExporter,
        )

        return GrpcLogExporter()

    from opentelemetry.exporter.otlp.proto.http._log_exporter import (
        OTLPLogExporter as HttpLogExporter,
    )

    return HttpLogExporter()


class GuardedSpanExporter(SpanExporter):
    """Redact span attributes, then export; failures are reported, not raised."""

    def __init__(self, inner: SpanExporter, report: FailureReporter) -> None:
        self._inner = inner
        self._report = report

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        try:
            result = self._inner.export([_redacted(span) for span in spans])
        except Exception as error:  # telemetry must never break the service
            self._report("traces", error)
            return SpanExportResult.FAILURE

        if result is not SpanExportResult.SUCCESS:
            self._report("traces", "span export failed")

        return result

    def shutdown(self) -> None:
        try:
            self._inner.shutdown()
        except Exception as error:  # closing a file on a full disk raises
            self._report("traces", error)

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self._inner.force_flush(timeout_millis)


class GuardedLogExporter(LogRecordExporter):
    """Export log records; failures are reported, not raised."""

    def __init__(self, inner: LogRecordExporter, report: FailureReporter) -> None:
        self._inner = inner
        self._report = report

    def export(self, batch: Sequence[Any]) -> LogRecordExportResult:
        try:
            result = self._inner.export(batch)
        except Exception as error:  # telemetry must never break the service
            self._report("logs", error)
            return LogRecordExportResult.FAILURE

        if result is not LogRecordExportResult.SUCCESS:
            self._report("logs", "log record export failed")

        return result

    def shutdown(self) -> None:
        try:
            self._inner.shutdown()
        except Exception as error:  # a collector gone at exit must not raise
            self._report("logs", error)

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self._inner.force_flush(timeout_millis)


def _redacted(span: ReadableSpan) -> ReadableSpan:
    """The span itself, or a copy with its credentials redacted.

    Hooks keep known secrets from being recorded at all; this is the last rule
    for values that slip in anyway (exception messages, custom attributes).
    """
    attributes = redact_attributes(span.attributes or {})
    events = [_redacted_event(event) for event in span.events]
    pairs = zip(events, span.events, strict=True)
    events_changed = any(new is not old for new, old in pairs)
    status = span.status
    description = scrub_text(status.description) if status.description else None
    status_changed = description != status.description
    if attributes is None and not events_changed and not status_changed:
        return span

    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=attributes if attributes is not None else span.attributes,
        events=events,
        links=span.links,
        kind=span.kind,
        status=Status(status.status_code, description),
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


def _redacted_event(event: Event) -> Event:
    attributes = redact_attributes(event.attributes or {})
    if attributes is None:
        return event

    return Event(event.name, attributes, event.timestamp)
