"""With an OTLP endpoint set, spans and log records go to the collector."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
)

from instrumentation import TelemetrySettings, names, setup_telemetry
from tests.instrumentation.support import client, make_app


class FakeCollector(ThreadingHTTPServer):
    """An OTLP/HTTP receiver on loopback that keeps every request body."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Receiver)
        self.bodies: dict[str, list[bytes]] = {}

    @property
    def endpoint(self) -> str:
        """The base URL the exporters append /v1/<signal> to."""
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", 0))
        body = self.rfile.read(length)
        self.server.bodies.setdefault(self.path, []).append(body)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def collector() -> Iterator[FakeCollector]:
    """A running fake collector, stopped after the test."""
    server = FakeCollector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_spans_and_log_records_go_to_the_collector(
    collector: FakeCollector, telemetry_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spans and log records reach the collector; no span file is written."""
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint)
    settings = TelemetrySettings(telemetry_dir=telemetry_dir, log_stderr=False)
    telemetry = setup_telemetry("otlp-svc", settings)
    app = make_app(telemetry)

    async def go() -> None:
        async with client(app) as http:
            await http.post("/reject/schedule")

    asyncio.run(go())
    telemetry.shutdown()

    spans = [
        span
        for body in collector.bodies["/v1/traces"]
        for rs in ExportTraceServiceRequest.FromString(body).resource_spans
        for ss in rs.scope_spans
        for span in ss.spans
    ]
    records = [
        record
        for body in collector.bodies["/v1/logs"]
        for rl in ExportLogsServiceRequest.FromString(body).resource_logs
        for sl in rl.scope_logs
        for record in sl.log_records
    ]
    (server,) = [s for s in spans if s.kind == s.SPAN_KIND_SERVER]
    (access,) = [r for r in records if r.body.string_value == names.EVENT_ACCESS]
    assert access.trace_id == server.trace_id and access.span_id == server.span_id
    cause = {a.key: a.value.string_value for a in access.attributes}["cause"]
    assert cause == "schedule.in_past"
    assert not (telemetry_dir / "otlp-svc.traces.jsonl").exists()
    assert (telemetry_dir / "otlp-svc.logs.jsonl").read_text().count("http.access") == 1


def test_service_name_from_the_environment_wins(
    collector: FakeCollector, telemetry_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES shape the resource."""
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint)
    monkeypatch.setenv("OTEL_SERVICE_NAME", "renamed")
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test")
    settings = TelemetrySettings(telemetry_dir=telemetry_dir, log_stderr=False)
    telemetry = setup_telemetry("otlp-svc", settings)
    with telemetry.tracer("tests").start_as_current_span("work"):
        pass
    telemetry.shutdown()

    (body,) = collector.bodies["/v1/traces"]
    (resource_spans,) = ExportTraceServiceRequest.FromString(body).resource_spans
    resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert resource["service.name"] == "renamed"
    assert resource["deployment.environment"] == "test"
    assert telemetry.service == "renamed"
