"""The same checks against the real services, started by app.launcher."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from instrumentation import names
from tests.instrumentation.support import FileSpan, read_jsonl, read_spans

launcher = pytest.importorskip("app.launcher")
pytestmark = pytest.mark.e2e

SERVER, CLIENT = 2, 3  # OTLP SpanKind enum values
PASSWORD = "pw-Real-5ecret-91"
ENTRY = "/api/mock-interviews"
INNER = "/api/video-conferences"
REQUESTS = 6


@dataclass(frozen=True)
class Run:
    """The files both stopped services left, and what was sent."""

    folder: Path
    request_ids: list[str]
    token: str

    def spans(self, service: str) -> list[FileSpan]:
        """Every span one service wrote."""
        return read_spans(self.folder / f"{service}.traces.jsonl")

    def logs(self, service: str) -> list[dict[str, Any]]:
        """Every log line one service wrote."""
        return read_jsonl(self.folder / f"{service}.logs.jsonl")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """Log in, create interviews (half too soon), stop with SIGTERM."""
    folder = tmp_path_factory.mktemp("real")
    env = {
        "TRIAGE_TELEMETRY_DIR": str(folder),
        "TRIAGE_LOG_STDERR": "false",
        "TRIAGE_DATABASE_URL": f"sqlite:///{folder}/triage.sqlite",
        "TRIAGE_DEMO_USERS": "1",
        "TRIAGE_DEMO_PASSWORD": PASSWORD,
    }
    request_ids = [f"real-{n}" for n in range(REQUESTS)]
    with launcher.start_services(env=env, output_dir=folder) as services:
        base = services.urls[names.SERVICE_INTERVIEWS]
        with httpx.Client(base_url=base, timeout=15) as http:
            login = http.post(
                "/api/auth/login", json={"username": "demo-1", "password": PASSWORD}
            )
            token = login.json()["token"]
            for n, request_id in enumerate(request_ids):
                lead = timedelta(hours=2) if n % 2 else timedelta(seconds=5)
                when = (datetime.now(UTC) + lead).isoformat().replace("+00:00", "Z")
                http.post(
                    ENTRY,
                    json={"scheduledTime": when, "videoType": "built_in"},
                    headers={"X-Request-ID": request_id},
                )
    yield Run(folder, request_ids, token)


def test_one_trace_per_request_across_the_real_services(run: Run) -> None:
    """interviews server → client → video-rooms server, one trace id each."""
    outer = run.spans(names.SERVICE_INTERVIEWS)
    inner = run.spans(names.SERVICE_VIDEO_ROOMS)
    entries = [s for s in outer if s.attributes.get("http.route") == ENTRY]
    assert len(entries) == REQUESTS

    for entry in entries:
        clients = [
            s
            for s in outer
            if s.trace_id == entry.trace_id
            and s.kind == CLIENT
            and "http.request.method" in s.attributes
        ]
        servers = [
            s for s in inner if s.trace_id == entry.trace_id and s.kind == SERVER
        ]
        assert entry.parent_id == ""
        assert len(clients) == 1 and clients[0].parent_id == entry.span_id
        assert len(servers) == 1 and servers[0].parent_id == clients[0].span_id


def test_every_request_line_carries_its_trace_and_span(run: Run) -> None:
    """Lines of the sent requests name their trace and a span of that service."""
    for service in (names.SERVICE_INTERVIEWS, names.SERVICE_VIDEO_ROOMS):
        spans = {s.span_id: s for s in run.spans(service)}
        lines = [
            line
            for line in run.logs(service)
            if line.get("request_id") in run.request_ids
        ]
        assert lines
        for line in lines:
            assert line["span_id"] in spans, line
            assert line["trace_id"] == spans[line["span_id"]].trace_id, line


def test_entry_spans_and_access_events_match_requests(run: Run) -> None:
    """N requests: N entry spans and N access events on each service."""
    for service, route in (
        (names.SERVICE_INTERVIEWS, ENTRY),
        (names.SERVICE_VIDEO_ROOMS, INNER),
    ):
        entries = [
            s
            for s in run.spans(service)
            if s.kind == SERVER and s.attributes.get("http.route") == route
        ]
        access = [
            line
            for line in run.logs(service)
            if line["event"] == names.EVENT_ACCESS and line["route"] == route
        ]
        assert len(entries) == REQUESTS and len(access) == REQUESTS


def test_no_credential_reaches_a_file(run: Run) -> None:
    """The password and session token appear in no log or span file."""
    for path in run.folder.glob("*.jsonl"):
        text = path.read_text()
        assert PASSWORD not in text, path
        assert run.token not in text, path


def test_a_large_body_does_not_pull_later_requests_into_its_trace(
    tmp_path: Path,
) -> None:
    """Requests after a body over uvicorn's 64 KiB read limit start their own traces.

    uvicorn pauses reading such a body and resumes from inside that request, so
    asyncio's reader callback, and every request parsed by it later on the same
    connection, would otherwise carry the old request's context (its span).
    """
    env = {
        "TRIAGE_TELEMETRY_DIR": str(tmp_path),
        "TRIAGE_LOG_STDERR": "false",
        "TRIAGE_DATABASE_URL": f"sqlite:///{tmp_path}/triage.sqlite",
        "TRIAGE_DEMO_USERS": "1",
        "TRIAGE_DEMO_PASSWORD": PASSWORD,
    }
    with launcher.start_services(
        services=[names.SERVICE_INTERVIEWS], env=env, output_dir=tmp_path
    ) as services:
        base = services.urls[names.SERVICE_INTERVIEWS]
        with httpx.Client(base_url=base, timeout=15) as http:  # one connection
            token = http.post(
                "/api/auth/login", json={"username": "demo-1", "password": PASSWORD}
            ).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            big = http.post(ENTRY, json={"x": "y" * 100_000}, headers=headers)
            after = [
                http.post(ENTRY, json={"videoType": "built_in"}, headers=headers)
                for _ in range(3)
            ]

    assert big.status_code == 413
    trace_ids = {r.json()["traceId"] for r in [big, *after]}
    assert len(trace_ids) == 4
    spans = read_spans(tmp_path / f"{names.SERVICE_INTERVIEWS}.traces.jsonl")
    entries = [s for s in spans if s.attributes.get("url.path") == ENTRY]
    assert [(s.kind, s.parent_id) for s in entries] == [(SERVER, "")] * 4
