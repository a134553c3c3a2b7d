"""The meter provider, Triage's own instruments and the Prometheus text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.resources import Resource
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from instrumentation import names

METRICS_PATH = "/metrics"
METRICS_CONTENT_TYPE = CONTENT_TYPE_LATEST

# Lead time in seconds, either side of the server's now. Fine around the
# 60 s minimum (H1 "too soon"), and narrow bands around whole hours, where a
# time-zone slip lands.
LEAD_TIME_BUCKETS = (
    1.0, 5.0, 15.0, 30.0, 45.0, 60.0, 90.0, 120.0, 300.0, 900.0, 1800.0,
    3500.0, 3700.0, 7100.0, 7300.0, 10700.0, 10900.0, 21600.0, 43200.0, 86400.0,
)  # fmt: skip


@dataclass(frozen=True)
class Instruments:
    """The instruments Triage records on top of the HTTP instrumentations."""

    rejections: Any
    lead_time: Any
    telemetry_errors: Any


@dataclass(frozen=True)
class Metrics:
    """A meter provider with its own Prometheus registry."""

    provider: MeterProvider
    registry: CollectorRegistry
    instruments: Instruments

    def exposition(self) -> bytes:
        """The current metrics in the Prometheus text format."""
        return generate_latest(self.registry)


def build_metrics(resource: Resource) -> Metrics:
    """A meter provider read by Prometheus through a private registry.

    A registry per provider keeps a second set-up in one process (tests) from
    colliding with the first in prometheus_client's global registry.
    """
    registry = CollectorRegistry(auto_describe=True)
    reader = PrometheusMetricReader(registry=registry)
    provider = MeterProvider(resource=resource, metric_readers=[reader])
    meter = provider.get_meter("triage.instrumentation")
    instruments = Instruments(
        rejections=meter.create_counter(
            names.METRIC_REJECTIONS,
            description="Requests rejected, by service and cause code.",
        ),
        lead_time=meter.create_histogram(
            names.METRIC_LEAD_TIME,
            unit="s",
            description="Scheduled time minus the server's now, by outcome.",
            explicit_bucket_boundaries_advisory=LEAD_TIME_BUCKETS,
        ),
        telemetry_errors=meter.create_counter(
            names.METRIC_TELEMETRY_ERRORS,
            description="Telemetry export or write failures, by signal.",
        ),
    )

    return Metrics(provider=provider, registry=registry, instruments=instruments)


def empty_exposition() -> bytes:
    """The Prometheus text of a process whose metrics are switched off."""
    return b""
