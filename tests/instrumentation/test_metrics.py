"""GET /metrics: the Prometheus names the dashboards rely on, bounded labels."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from instrumentation import Telemetry, names
from tests.instrumentation.support import client, samples

PROM_NAMES = sorted(
    value for key, value in vars(names).items() if key.startswith("PROM_")
)
# Every label any series may carry: a fixed vocabulary, never ids or text.
ALLOWED_LABELS = {
    "service", "cause", "outcome", "direction", "signal", "le",
    "http_request_method", "http_response_status_code", "http_route",
    "error_type", "network_protocol_version", "url_scheme", "server_address",
    "server_port", "otel_scope_name", "otel_scope_version",
    "otel_scope_schema_url",
}  # fmt: skip


def _exercise(app: FastAPI, telemetry: Telemetry) -> str:
    async def go() -> str:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as outbound:
            telemetry.instrument_client(outbound)
            await outbound.post("/api/things", json={})
            await outbound.post("/reject/schedule")
        async with client(app) as http:
            return (await http.get("/metrics")).text

    return asyncio.run(go())


def test_every_prometheus_name_in_names_is_served(
    app: FastAPI, telemetry: Telemetry
) -> None:
    """Each PROM_* constant names a series the /metrics endpoint exposes."""
    text = _exercise(app, telemetry)

    exposed = {line.split("{")[0].split(" ")[0] for line in text.splitlines()}
    missing = [
        name
        for name in PROM_NAMES
        if not any(series.startswith(name) for series in exposed)
    ]
    assert PROM_NAMES and missing == []


def test_http_durations_are_stable_histograms_in_seconds(
    app: FastAPI, telemetry: Telemetry
) -> None:
    """Server and client durations use the stable names and attribute keys."""
    text = _exercise(app, telemetry)

    (server,) = [
        s
        for s in samples(text, f"{names.PROM_HTTP_SERVER_DURATION}_count")
        if s.labels["http_route"] == "/api/things"
    ]
    assert server.labels["http_request_method"] == "POST"
    assert server.labels["http_response_status_code"] == "200"
    assert samples(text, f"{names.PROM_HTTP_CLIENT_DURATION}_count")


def test_labels_stay_within_a_bounded_vocabulary(
    app: FastAPI, telemetry: Telemetry
) -> None:
    """No series carries a label outside the fixed set (no ids, no free text)."""
    text = _exercise(app, telemetry)

    labels = {
        key
        for name in PROM_NAMES
        for suffix in ("", "_count", "_bucket", "_sum")
        for sample in samples(text, name + suffix)
        for key in sample.labels
    }
    assert labels and labels <= ALLOWED_LABELS


def test_telemetry_error_series_start_at_zero(telemetry: Telemetry) -> None:
    """Each signal's failure counter exists at 0 before anything failed."""
    text = telemetry.metrics_text().decode()

    series = samples(text, names.PROM_TELEMETRY_ERRORS)
    assert {s.labels["signal"] for s in series} == {"traces", "logs", "metrics"}
    assert all(s.value == 0 for s in series)
