"""``triage serve`` as a user runs it: a real command, real services, SIGTERM."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e
URL_LINE = re.compile(r"^(interviews|video-rooms)\s+(http://\S+)")


def triage(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "triage.cli", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": "/usr/bin:/bin", "TRIAGE_LOG_STDERR": "false"},
    )


def stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM first, so serve stops its children; SIGKILL only as a last resort."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def read_urls(process: subprocess.Popen[str]) -> dict[str, str]:
    """The service URLs ``triage serve`` announces, read until it is ready."""
    urls = {}
    assert process.stderr is not None
    for line in process.stderr:
        if match := URL_LINE.match(line):
            urls[match[1]] = match[2]
        if line.startswith("press Ctrl-C"):
            return urls
    raise AssertionError(f"serve ended early: {process.wait()}")


def serve_args(tmp_path: Path, *extra: str) -> list[str]:
    return [
        "serve",
        "--interviews-port", "0",
        "--video-rooms-port", "0",
        "--database-url", f"sqlite:///{tmp_path / 'db.sqlite'}",
        "--telemetry-dir", str(tmp_path / "telemetry"),
        *extra,
    ]  # fmt: skip


def test_serve_runs_both_and_stops_cleanly_on_sigterm(tmp_path: Path):
    """Both services answer; SIGTERM stops them and serve exits 0."""
    with triage(*serve_args(tmp_path, "--demo-users", "1"), cwd=tmp_path) as process:
        try:
            urls = read_urls(process)
            health = {n: httpx.get(f"{url}/health").json() for n, url in urls.items()}
            login = httpx.post(
                f"{urls['interviews']}/api/auth/login",
                json={"username": "demo-1", "password": "demo"},
            )
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=30)
        finally:
            stop(process)

    assert code == 0
    assert {h["service"] for h in health.values()} == {"interviews", "video-rooms"}
    assert login.status_code == 200
    for url in urls.values():
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/health", timeout=1.0)


def test_serve_only_one_service(tmp_path: Path):
    """--only video-rooms starts just that service."""
    with triage(
        *serve_args(tmp_path, "--only", "video-rooms"), cwd=tmp_path
    ) as process:
        try:
            urls = read_urls(process)
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=30)
        finally:
            stop(process)

    assert list(urls) == ["video-rooms"]
    assert code == 0


def test_busy_port_is_one_line_and_exit_code_2(tmp_path: Path):
    """An expected failure: one plain line on stderr, exit 2, no traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = str(taken.getsockname()[1])
        with triage("serve", "--interviews-port", port, cwd=tmp_path) as process:
            _, err = process.communicate(timeout=60)

    assert process.returncode == 2
    assert err.strip().count("\n") == 0
    assert err.startswith("triage: error: cannot listen on 127.0.0.1:")


def test_bad_database_url_is_refused_before_starting(tmp_path: Path):
    """A malformed --database-url is a one-line error (exit 2)."""
    with triage("serve", "--database-url", "not a url", cwd=tmp_path) as process:
        _, err = process.communicate(timeout=60)

    assert process.returncode == 2
    assert "--database-url" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--database-url", "postgresql://u:secretpw@127.0.0.1:notaport/db"], "URL"),
        (["--database-url", "nonsense://"], "NoSuchModuleError"),
        (["--clock-offset", "1e12"], "clock_offset_s"),
        (["--min-lead", "inf"], "min_lead_s"),
        (["--telemetry-dir", "/proc/triage-cannot-be-here"], "--telemetry-dir"),
    ],
)
def test_settings_a_service_would_refuse_are_one_line_errors(
    tmp_path: Path, flags: list[str], says: str
):
    """What would crash a service at start-up is refused before it starts."""
    with triage("serve", *flags, cwd=tmp_path) as process:
        _, err = process.communicate(timeout=60)

    assert process.returncode == 2
    assert err.count("\n") == 1 and says in err, err
    assert "secretpw" not in err


def test_help_shows_an_example(tmp_path: Path):
    """The help text carries a usage example."""
    with triage("serve", "--help", cwd=tmp_path) as process:
        out, _ = process.communicate(timeout=60)

    assert "triage serve --demo-users 3" in out
