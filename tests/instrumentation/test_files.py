"""The files after a stop: nothing lost, nothing doubled, no secret inside."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from instrumentation import (
    TelemetrySettings,
    TelemetrySetupError,
    names,
    setup_telemetry,
)
from tests.instrumentation.support import (
    SECRET_COOKIE,
    SECRET_PASSWORD,
    SECRET_TOKEN,
    client,
    events,
    make_app,
    read_jsonl,
    read_spans,
    samples,
)

SERVER_KIND = 2  # OTLP SpanKind enum value for SERVER
ROOT = Path(__file__).resolve().parents[2]


def test_n_requests_leave_n_entry_spans_and_n_access_events(
    settings: TelemetrySettings,
) -> None:
    """After shutdown the files hold exactly one server span and event per request."""
    telemetry = setup_telemetry("files-svc", settings)
    app = make_app(telemetry)

    async def go() -> None:
        async with client(app) as http:
            await asyncio.gather(
                *(http.post("/api/things", json={}) for _ in range(40))
            )

    asyncio.run(go())
    telemetry.shutdown()

    servers = [
        s for s in read_spans(telemetry.paths["traces"]) if s.kind == SERVER_KIND
    ]
    access = events(telemetry.paths["logs"], names.EVENT_ACCESS)
    assert len(servers) == 40 and len({s.span_id for s in servers}) == 40
    assert len(access) == 40
    assert {a["span_id"] for a in access} == {s.span_id for s in servers}


def test_shutdown_twice_is_harmless(settings: TelemetrySettings) -> None:
    """A second shutdown neither raises nor writes anything."""
    telemetry = setup_telemetry("files-svc", settings)
    telemetry.shutdown()
    size = telemetry.paths["logs"].stat().st_size

    telemetry.shutdown()

    assert telemetry.paths["logs"].stat().st_size == size


def test_setup_is_once_per_process(settings: TelemetrySettings) -> None:
    """The same service gets the same object; another name is refused."""
    first = setup_telemetry("files-svc", settings)
    try:
        assert setup_telemetry("files-svc") is first
        with pytest.raises(TelemetrySetupError):
            setup_telemetry("other-svc")
    finally:
        first.shutdown()


def test_unwritable_folder_is_a_setup_error(tmp_path: Path) -> None:
    """A telemetry folder that cannot be created fails fast with one message."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    settings = TelemetrySettings(telemetry_dir=blocker / "sub", log_stderr=False)

    with pytest.raises(TelemetrySetupError, match="cannot create telemetry folder"):
        setup_telemetry("files-svc", settings)


def test_planted_secrets_appear_in_no_file_and_no_error_body(
    settings: TelemetrySettings,
) -> None:
    """Cookie, bearer token and password stay out of logs, spans and bodies."""
    telemetry = setup_telemetry("files-svc", settings)
    app = make_app(telemetry)
    secret_headers = {
        "Cookie": f"session={SECRET_COOKIE}",
        "Authorization": f"Bearer {SECRET_TOKEN}",
    }

    async def go() -> list[str]:
        async with client(app) as http:
            responses = [
                await http.post(
                    f"/reject/schedule?password={SECRET_PASSWORD}&token={SECRET_TOKEN}",
                    headers=secret_headers,
                    json={"password": SECRET_PASSWORD},
                ),
                await http.get("/boom", headers=secret_headers),
                await http.get(
                    f"/reject/db?api_key={SECRET_TOKEN}",
                    headers={"Cookie": f"sid={SECRET_COOKIE}"},
                ),
            ]
        return [r.text for r in responses]

    bodies = asyncio.run(go())
    telemetry.shutdown()

    texts = [*bodies, *(p.read_text() for p in telemetry.paths.values())]
    for secret in (SECRET_COOKIE, SECRET_TOKEN, SECRET_PASSWORD):
        assert not any(secret in text for text in texts), secret
    kinds = [
        a[names.ATTR_CREDENTIAL_KIND]
        for a in events(telemetry.paths["logs"], "http.access")
    ]
    assert kinds == ["bearer", "bearer", "cookie"]
    spans = read_spans(telemetry.paths["traces"])
    assert {
        s.attributes.get(names.ATTR_CREDENTIAL_KIND) for s in spans if s.kind == 2
    } == {
        "bearer",
        "cookie",
    }


def test_sdk_disabled_keeps_logs_and_drops_traces(telemetry_dir: Path) -> None:
    """OTEL_SDK_DISABLED=true: no spans, empty metrics, logs and requests work.

    Run in a fresh process: the global tracer provider an earlier test set
    would otherwise switch on FastAPI's own tracing.
    """
    script = textwrap.dedent(
        f"""
        import asyncio
        from instrumentation import TelemetrySettings, setup_telemetry
        from tests.instrumentation.support import client, make_app

        settings = TelemetrySettings(telemetry_dir={str(telemetry_dir)!r})
        telemetry = setup_telemetry("off-svc", settings)
        app = make_app(telemetry)

        async def go():
            async with client(app) as http:
                first = await http.post("/reject/schedule")
                metrics = await http.get("/metrics")
            print(first.status_code, metrics.status_code, repr(metrics.text))

        asyncio.run(go())
        telemetry.shutdown()
        """
    )
    env = {**os.environ, "OTEL_SDK_DISABLED": "true", "TRIAGE_LOG_STDERR": "false"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert done.stdout.split() == ["400", "200", "''"]
    assert read_spans(telemetry_dir / "off-svc.traces.jsonl") == []
    (access,) = events(telemetry_dir / "off-svc.logs.jsonl", names.EVENT_ACCESS)
    assert access["cause"] == "schedule.in_past" and "trace_id" not in access


def test_failing_span_export_never_fails_a_request(
    settings: TelemetrySettings, telemetry_dir: Path
) -> None:
    """Spans to a full disk: requests succeed, failures counted and logged once."""
    telemetry_dir.mkdir(parents=True)
    (telemetry_dir / "full-svc.traces.jsonl").symlink_to("/dev/full")
    telemetry = setup_telemetry("full-svc", settings)
    app = make_app(telemetry)

    async def go() -> list[int]:
        statuses = []
        async with client(app) as http:
            for _ in range(3):
                statuses.append((await http.post("/api/things", json={})).status_code)
                telemetry.force_flush()
        return statuses

    assert asyncio.run(go()) == [200, 200, 200]
    text = telemetry.metrics_text().decode()
    telemetry.shutdown()

    (traces,) = [
        s
        for s in samples(text, names.PROM_TELEMETRY_ERRORS)
        if s.labels["signal"] == "traces"
    ]
    assert traces.value >= 3
    failed = events(telemetry.paths["logs"], names.EVENT_TELEMETRY_FAILED)
    assert len(failed) == 1 and failed[0]["signal"] == "traces"
    sdk_lines = [
        line
        for line in read_jsonl(telemetry.paths["logs"])
        if str(line.get("logger", "")).startswith("opentelemetry")
    ]
    assert len(sdk_lines) <= 1
