"""Typed settings for the telemetry set-up, read from ``TRIAGE_*`` variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["debug", "info", "warning", "error", "critical"]


class TelemetrySettings(BaseSettings):
    """Where telemetry goes and how much of it there is.

    The standard ``OTEL_*`` variables (endpoint, sampler, resource, SDK switch)
    are read by the OpenTelemetry SDK itself and are not repeated here.
    """

    model_config = SettingsConfigDict(env_prefix="TRIAGE_", extra="ignore")

    telemetry_dir: Path = Path("telemetry")
    log_level: LogLevel = "info"
    log_stderr: bool = True
    # The ASGI receive/send sub-spans triple the span count of a request and
    # carry nothing the analysis reads; they are left out unless asked for.
    asgi_sub_spans: bool = False
    # The batch processors' export interval; short enough that a crash loses
    # little, long enough that the writer thread rarely wakes.
    export_interval_ms: int = 1000
