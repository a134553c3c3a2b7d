"""The per-process telemetry: logs, traces and metrics wired together."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import structlog
from opentelemetry import trace
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk.trace import TracerProvider

from instrumentation._export import (
    FailureReporter,
    GuardedLogExporter,
    GuardedSpanExporter,
    make_log_exporter,
    make_span_exporter,
)
from instrumentation._logging import LogSink, configure_logging
from instrumentation._metrics import (
    METRICS_CONTENT_TYPE,
    METRICS_PATH,
    Metrics,
    build_metrics,
    empty_exposition,
)
from instrumentation._otlp_logs import OtlpLogBridge, build_logger_provider
from instrumentation._tracing import build_resource, build_tracer_provider
from instrumentation.errors import TelemetrySetupError
from instrumentation.settings import TelemetrySettings

_log = structlog.get_logger("instrumentation")
_global_provider_set = False


def sdk_disabled() -> bool:
    """Tell whether OTEL_SDK_DISABLED switches tracing and metrics off."""
    return os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"


class Telemetry:
    """Logs, traces and metrics of one service process."""

    def __init__(self, service: str, settings: TelemetrySettings) -> None:
        self.settings = settings
        self.disabled = sdk_disabled()
        self._lock = threading.Lock()
        self._closed = False
        self.paths = _prepare_paths(settings.telemetry_dir, service)

        resource = build_resource(service)
        self.service = str(resource.attributes.get("service.name", service))
        self._report = FailureReporter(self.service)
        self.tracer_provider: TracerProvider | None = None
        self.logger_provider: LoggerProvider | None = None
        self.metrics: Metrics | None = None
        if not self.disabled:
            self._build_signals(resource)

        self._sink = LogSink(self.paths["logs"], settings.log_stderr, self._report)
        bridge: list[Any] = (
            [OtlpLogBridge(self.logger_provider)] if self.logger_provider else []
        )
        configure_logging(self.service, settings.log_level, self._sink, bridge)
        _log.info("telemetry.started", disabled=self.disabled)

    def _build_signals(self, resource: Any) -> None:
        global _global_provider_set

        interval = self.settings.export_interval_ms
        self.metrics = build_metrics(resource)
        self._report.attach_counter(self.metrics.instruments.telemetry_errors)

        exporter = make_span_exporter(self.paths["traces"])
        spans = GuardedSpanExporter(exporter, self._report)
        self.tracer_provider = build_tracer_provider(resource, spans, interval)
        if not _global_provider_set:
            # The global provider can be set once per process; later set-ups
            # (tests) pass their provider to every instrumentation explicitly.
            trace.set_tracer_provider(self.tracer_provider)
            _global_provider_set = True

        log_exporter = make_log_exporter()
        if log_exporter is not None:
            guarded = GuardedLogExporter(log_exporter, self._report)
            self.logger_provider = build_logger_provider(resource, guarded, interval)

    def tracer(self, name: str) -> trace.Tracer:
        """A tracer of this process, for spans of the application's own."""
        if self.tracer_provider is None:
            return trace.NoOpTracer()

        return self.tracer_provider.get_tracer(name)

    def instrument_app(self, app: Any) -> None:
        """Trace, log and meter a FastAPI app; serve GET /metrics on it."""
        from instrumentation._libraries import instrument_fastapi

        instrument_fastapi(app, self)

    def instrument_engine(self, engine: Any) -> None:
        """Trace the statements of a SQLAlchemy engine."""
        if self.tracer_provider is None or self.metrics is None:
            return

        from instrumentation._libraries import instrument_engine

        instrument_engine(engine, self.tracer_provider, self.metrics.provider)

    def instrument_client(self, client: Any) -> None:
        """Trace an httpx client and propagate the trace and request id."""
        from instrumentation._libraries import instrument_client

        instrument_client(client, self.tracer_provider, self._meter_provider())

    def _meter_provider(self) -> Any:
        return self.metrics.provider if self.metrics is not None else None

    def metrics_text(self) -> bytes:
        """The Prometheus text of this process's metrics."""
        if self.metrics is None:
            return empty_exposition()

        return self.metrics.exposition()

    metrics_path = METRICS_PATH
    metrics_content_type = METRICS_CONTENT_TYPE

    def force_flush(self) -> None:
        """Export everything recorded so far, without stopping."""
        if self.tracer_provider is not None:
            self.tracer_provider.force_flush()
        if self.logger_provider is not None:
            self.logger_provider.force_flush()

    def shutdown(self) -> None:
        """Flush and close every signal; safe to call more than once."""
        with self._lock:
            if self._closed:
                return
            self._closed = True

        _log.info("telemetry.stopping")
        # Side by side: with a collector down each exporter waits out its own
        # timeout (10 s by default); one after the other they could outlast
        # the launcher's grace period and be killed.
        providers: list[Any] = [self.tracer_provider, self.logger_provider]
        if self.metrics is not None:
            providers.append(self.metrics.provider)
        closing = [
            threading.Thread(target=_shut, args=(p,), name="telemetry-shutdown")
            for p in providers
            if p is not None
        ]
        for thread in closing:
            thread.start()
        for thread in closing:
            thread.join()

        # Lines logged after this point (the server's last words) go to
        # stderr only; the file is complete and closed.
        self._sink.close()

    @property
    def closed(self) -> bool:
        """Whether ``shutdown`` has run."""
        return self._closed


def _shut(provider: Any) -> None:
    """Shut one provider down; a failure is logged, never raised at exit."""
    try:
        provider.shutdown()
    except Exception as error:  # telemetry must not break the stop
        _log.warning("telemetry.shutdown_failed", error_type=type(error).__name__)


def _prepare_paths(folder: Path, service: str) -> dict[str, Path]:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TelemetrySetupError(
            f"cannot create telemetry folder {folder}: {error.strerror}"
        ) from error

    return {
        "traces": folder / f"{service}.traces.jsonl",
        "logs": folder / f"{service}.logs.jsonl",
    }
