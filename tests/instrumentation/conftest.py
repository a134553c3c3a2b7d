"""Fixtures: a fresh telemetry set-up per test, writing into a temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)

from instrumentation import Telemetry, TelemetrySettings, setup_telemetry
from tests.instrumentation.support import make_app

SERVICE = "test-svc"


@pytest.fixture
def telemetry_dir(tmp_path: Path) -> Path:
    """Where this test's telemetry files go."""
    return tmp_path / "telemetry"


@pytest.fixture(autouse=True)
def clean_otel_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No OTEL_* or TRIAGE_* setting of the caller's leaks into a test."""
    for name in list(os.environ):
        if (
            name.startswith(("OTEL_", "TRIAGE_"))
            and name != "OTEL_SEMCONV_STABILITY_OPT_IN"
        ):
            monkeypatch.delenv(name)


@pytest.fixture
def settings(telemetry_dir: Path) -> TelemetrySettings:
    """Settings writing to the test folder, nothing on stderr."""
    return TelemetrySettings(telemetry_dir=telemetry_dir, log_stderr=False)


@pytest.fixture
def telemetry(settings: TelemetrySettings) -> Iterator[Telemetry]:
    """A running telemetry set-up, shut down after the test."""
    active = setup_telemetry(SERVICE, settings)
    yield active
    active.shutdown()


@pytest.fixture
def memory(telemetry: Telemetry) -> InMemorySpanExporter:
    """Every span the test's tracer provider ends, in memory."""
    exporter = InMemorySpanExporter()
    assert telemetry.tracer_provider is not None
    telemetry.tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


@pytest.fixture
def app(telemetry: Telemetry) -> FastAPI:
    """The instrumented test app."""
    return make_app(telemetry)


@pytest.fixture
def log_path(telemetry: Telemetry) -> Path:
    """The test service's JSON log file."""
    return telemetry.paths["logs"]
