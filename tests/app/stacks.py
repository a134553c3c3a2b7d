"""Real service processes for the end-to-end tests, and their telemetry files."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from app.launcher import RunningServices, start_services

USERS_ENV = {"TRIAGE_DEMO_USERS": "3", "TRIAGE_HOSTLESS_USERS": "demo-3"}


@dataclass
class Stack:
    """Started services plus where they write."""

    running: RunningServices
    folder: Path
    urls: dict[str, str] = field(default_factory=dict)

    @property
    def telemetry_dir(self) -> Path:
        return self.folder / "telemetry"

    def client(self, service: str = "interviews") -> httpx.Client:
        """A client for one service (the caller closes it)."""
        return httpx.Client(base_url=self.urls[service], timeout=15.0)

    def login(self, username: str = "demo-1") -> dict[str, str]:
        """Bearer headers for a demo user."""
        with self.client() as client:
            response = client.post(
                "/api/auth/login", json={"username": username, "password": "demo"}
            )
        response.raise_for_status()

        return {"Authorization": f"Bearer {response.json()['token']}"}

    def output(self) -> str:
        """Everything the processes wrote to stdout and stderr."""
        return "".join(p.read_text() for p in (self.folder / "out").glob("*.out"))


def start_stack(
    folder: Path,
    database_url: str,
    *,
    services: tuple[str, ...] = ("interviews", "video-rooms"),
    env: Mapping[str, str] | None = None,
    per_service_env: Mapping[str, Mapping[str, str]] | None = None,
    command_prefix: Mapping[str, list[str]] | None = None,
) -> Stack:
    """Start services writing into ``folder``."""
    base = {
        "TRIAGE_DATABASE_URL": database_url,
        "TRIAGE_TELEMETRY_DIR": str(folder / "telemetry"),
        "TRIAGE_LOG_STDERR": "false",
        **USERS_ENV,
    }
    running = start_services(
        services=services,
        env={**base, **(env or {})},
        per_service_env=per_service_env or {},
        command_prefix=command_prefix or {},
        output_dir=folder / "out",
    )

    return Stack(running, folder, dict(running.urls))


@contextmanager
def black_hole() -> Iterator[str]:
    """A URL whose server accepts connections and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def closed_port_url() -> str:
    """A URL on which nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    return f"http://127.0.0.1:{port}"


def read_spans(path: Path) -> list[dict[str, Any]]:
    """Spans of an OTLP JSON-lines file, attributes flattened to a dict."""
    spans = []
    if not path.exists():
        return spans
    for line in path.read_text().splitlines():
        for resource in json.loads(line).get("resourceSpans", []):
            for scope in resource.get("scopeSpans", []):
                for span in scope.get("spans", []):
                    span["attrs"] = {
                        a["key"]: next(iter(a["value"].values()))
                        for a in span.get("attributes", [])
                    }
                    spans.append(span)

    return spans


def wait_for_span(path: Path, trace_id: str, name: str, timeout: float = 15.0) -> dict:
    """The span ``name`` of trace ``trace_id`` once the exporter has written it."""
    deadline = time.monotonic() + timeout
    while True:
        for span in read_spans(path):
            if span["traceId"] == trace_id and span["name"] == name:
                return span
        if time.monotonic() > deadline:
            raise AssertionError(f"no span {name!r} of trace {trace_id} in {path}")
        time.sleep(0.2)


def read_log_events(path: Path) -> list[dict[str, Any]]:
    """The JSON log lines of a service."""
    if not path.exists():
        return []

    return [json.loads(line) for line in path.read_text().splitlines() if line]
