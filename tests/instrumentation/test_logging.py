"""The log pipeline: one JSON format for structlog and stdlib, one line each."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import structlog

from instrumentation import Telemetry, TelemetrySettings, get_logger, setup_telemetry
from instrumentation._logging import adopt_server_loggers
from tests.instrumentation.support import events, read_jsonl, samples

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def test_lines_are_json_with_the_shared_keys(
    telemetry: Telemetry, log_path: Path
) -> None:
    """A structlog event is one JSON line: UTC timestamp, level, event, service."""
    get_logger().info("room.created", room_id=7)

    (line,) = events(log_path, "room.created")
    assert TIMESTAMP.fullmatch(line["timestamp"])
    assert line["level"] == "info" and line["service"] == "test-svc"
    assert line["room_id"] == 7
    assert list(line)[:3] == ["timestamp", "level", "event"]


def test_trace_ids_are_lower_case_hex_of_the_current_span(
    telemetry: Telemetry, log_path: Path
) -> None:
    """Inside a span a line carries its 32/16 hex ids; outside it carries none."""
    with telemetry.tracer("tests").start_as_current_span("work") as span:
        get_logger().info("inside")
    get_logger().info("outside")

    (inside,) = events(log_path, "inside")
    (outside,) = events(log_path, "outside")
    context = span.get_span_context()
    assert inside["trace_id"] == f"{context.trace_id:032x}"
    assert inside["span_id"] == f"{context.span_id:016x}"
    assert "trace_id" not in outside


def test_stdlib_records_use_the_same_format_once(
    telemetry: Telemetry, log_path: Path
) -> None:
    """A stdlib record becomes exactly one line in the same JSON shape."""
    logging.getLogger("some.library").warning("disk at %d%%", 91)

    lines = [
        line for line in read_jsonl(log_path) if line.get("logger") == "some.library"
    ]
    assert len(lines) == 1
    assert lines[0]["event"] == "disk at 91%" and lines[0]["level"] == "warning"
    assert TIMESTAMP.fullmatch(lines[0]["timestamp"])


def test_uvicorn_loggers_are_routed_and_its_access_log_silenced(
    telemetry: Telemetry, log_path: Path
) -> None:
    """uvicorn's own handlers are replaced; its access logger writes nothing."""
    error_logger = logging.getLogger("uvicorn.error")
    error_logger.addHandler(logging.StreamHandler())  # as uvicorn would
    adopt_server_loggers()

    error_logger.info("Started server process")
    logging.getLogger("uvicorn.access").info("GET / 200")

    started = events(log_path, "Started server process")
    assert len(started) == 1 and started[0]["logger"] == "uvicorn.error"
    assert events(log_path, "GET / 200") == []


def test_level_setting_filters_both_front_ends(
    telemetry_dir: Path,
) -> None:
    """With log_level=warning, info events and info records are dropped."""
    settings = TelemetrySettings(
        telemetry_dir=telemetry_dir, log_stderr=False, log_level="warning"
    )
    active = setup_telemetry("quiet-svc", settings)
    try:
        structlog.get_logger().info("dropped")
        logging.getLogger("lib").info("dropped too")
        structlog.get_logger().warning("kept")
    finally:
        active.shutdown()

    lines = read_jsonl(active.paths["logs"])
    assert [line["event"] for line in lines] == ["kept"]


def test_exceptions_are_rendered_and_redacted(
    telemetry: Telemetry, log_path: Path
) -> None:
    """log.exception writes the traceback, with credential values removed."""
    try:
        raise ValueError("bad login password=letmein")
    except ValueError:
        get_logger().exception("login.failed")

    (line,) = events(log_path, "login.failed")
    assert "ValueError" in line["exception"]
    assert "letmein" not in line["exception"]


def test_stderr_gets_the_same_lines(
    telemetry_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With log_stderr the file's lines are also written to stderr."""
    settings = TelemetrySettings(telemetry_dir=telemetry_dir, log_stderr=True)
    active = setup_telemetry("loud-svc", settings)
    try:
        get_logger().info("echoed")
    finally:
        active.shutdown()

    file_line = next(
        line
        for line in active.paths["logs"].read_text().splitlines()
        if "echoed" in line
    )
    assert file_line in capsys.readouterr().err.splitlines()


def test_a_failing_log_file_never_raises_and_is_counted(telemetry_dir: Path) -> None:
    """Writing to a full disk (/dev/full) is survived and counted."""
    telemetry_dir.mkdir(parents=True)
    (telemetry_dir / "full-svc.logs.jsonl").symlink_to("/dev/full")
    settings = TelemetrySettings(telemetry_dir=telemetry_dir, log_stderr=False)
    active = setup_telemetry("full-svc", settings)
    try:
        for _ in range(3):
            get_logger().info("lost")
        text = active.metrics_text().decode()
    finally:
        active.shutdown()

    (logs,) = [
        s
        for s in samples(text, "triage_telemetry_errors_total")
        if s.labels["signal"] == "logs"
    ]
    assert logs.value >= 3
