"""The launcher: real processes up, healthy, and stopped without leftovers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.errors import ServiceStartError
from app.launcher import start_services
from tests.app.stacks import read_spans

pytestmark = pytest.mark.e2e


def env_for(folder: Path) -> dict[str, str]:
    return {
        "TRIAGE_DATABASE_URL": f"sqlite:///{folder / 'db.sqlite'}",
        "TRIAGE_TELEMETRY_DIR": str(folder / "telemetry"),
        "TRIAGE_LOG_STDERR": "false",
    }


def refuses_connections(url: str) -> bool:
    try:
        httpx.get(f"{url}/health", timeout=1.0)
    except httpx.ConnectError:
        return True

    return False


def test_stop_is_graceful_flushes_telemetry_and_leaves_nothing(tmp_path: Path):
    """SIGTERM stop: exit by the signal, spans flushed, port closed, idempotent."""
    running = start_services(
        services=["video-rooms"], env=env_for(tmp_path), output_dir=tmp_path / "out"
    )
    url = running.urls["video-rooms"]
    pid = running.pids["video-rooms"]
    assert httpx.get(f"{url}/nope").status_code == 404

    codes = running.stop()

    # uvicorn re-raises the SIGTERM it handled, so a graceful stop reads -15.
    assert codes == {"video-rooms": -15}
    assert running.stop() == codes
    assert refuses_connections(url)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    spans = read_spans(tmp_path / "telemetry" / "video-rooms.traces.jsonl")
    assert any(span["name"] == "GET /nope" for span in spans) or any(
        span["attrs"].get("url.path") == "/nope" for span in spans
    )


def test_children_lead_their_own_session(tmp_path: Path):
    """A terminal Ctrl-C (process group signal) reaches only the parent."""
    with start_services(
        services=["video-rooms"], env=env_for(tmp_path), output_dir=tmp_path / "out"
    ) as running:
        pid = running.pids["video-rooms"]

        assert os.getsid(pid) == pid
        assert os.getpgid(pid) != os.getpgid(0)


def test_child_failing_at_start_up_is_reported_and_reaped(tmp_path: Path):
    """A service that exits during start-up raises ServiceStartError naming it."""
    env = {**env_for(tmp_path), "TRIAGE_DB_FAULT": "sometimes"}

    with pytest.raises(ServiceStartError, match="video-rooms exited") as caught:
        start_services(services=["video-rooms"], env=env, output_dir=tmp_path / "out")

    assert "video-rooms.out" in str(caught.value)


def test_busy_port_is_a_start_error(tmp_path: Path):
    """A port already in use fails before any process starts."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]

        with pytest.raises(ServiceStartError, match="cannot listen"):
            start_services(
                services=["video-rooms"],
                ports={"video-rooms": port},
                env=env_for(tmp_path),
            )


def test_unknown_service_is_refused() -> None:
    """Only interviews and video-rooms can be started."""
    with pytest.raises(ServiceStartError, match="unknown service"):
        start_services(services=["billing"])


ORPHANING_PARENT = """
import sys, time
from pathlib import Path
from app.launcher import start_services
folder = Path(sys.argv[1])
running = start_services(services=["video-rooms"], env={
    "TRIAGE_DATABASE_URL": f"sqlite:///{folder / 'db.sqlite'}",
    "TRIAGE_TELEMETRY_DIR": str(folder / "telemetry"),
    "TRIAGE_LOG_STDERR": "false",
}, output_dir=folder / "out")
print(running.pids["video-rooms"], flush=True)
time.sleep(60)
"""


def test_children_stop_when_the_launcher_is_killed(tmp_path: Path):
    """SIGKILL on the launcher (no atexit) still ends its services gracefully."""
    with subprocess.Popen(
        [sys.executable, "-c", ORPHANING_PARENT, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    ) as parent:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        parent.kill()

    deadline = time.monotonic() + 20
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.2)
    alive = _alive(child)
    if alive:
        os.kill(child, signal.SIGKILL)

    assert not alive


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False

    return True
