"""Start the services as real uvicorn processes and stop them gracefully.

The launcher binds each listening socket itself and hands it to the child
(``--fd``), so ports are known before start-up and free ports come from the
OS without a race. Children run in their own session: a Ctrl-C in the
terminal reaches only the parent, which then stops them with SIGTERM.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx

from app.errors import ServiceStartError
from instrumentation.names import SERVICE_INTERVIEWS, SERVICE_VIDEO_ROOMS

SERVICES = (SERVICE_INTERVIEWS, SERVICE_VIDEO_ROOMS)
_MODULES = {
    SERVICE_INTERVIEWS: "app.interviews",
    SERVICE_VIDEO_ROOMS: "app.video_rooms",
}
# video-rooms first: interviews calls it, so it should be up (and stop) first/last.
_START_ORDER = (SERVICE_VIDEO_ROOMS, SERVICE_INTERVIEWS)
_POLL_S = 0.1


@dataclass
class _Child:
    """One started service process and where its output goes."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    output: IO[bytes] | None
    output_path: Path | None


class RunningServices:
    """Started services; a context manager whose exit stops them (also at exit)."""

    def __init__(self, children: Sequence[_Child]) -> None:
        self._children = list(children)
        self._exit_codes: dict[str, int] | None = None
        self.urls = {child.name: child.url for child in self._children}
        atexit.register(self.stop)

    @property
    def pids(self) -> dict[str, int]:
        """Process id of each service."""
        return {child.name: child.process.pid for child in self._children}

    def poll(self) -> dict[str, int]:
        """Exit codes of services that have already exited."""
        codes = {c.name: c.process.poll() for c in self._children}

        return {name: code for name, code in codes.items() if code is not None}

    def __enter__(self) -> RunningServices:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self, timeout: float = 15.0) -> dict[str, int]:
        """SIGTERM every service, wait up to ``timeout``, then SIGKILL; idempotent."""
        if self._exit_codes is not None:
            return self._exit_codes

        for child in reversed(self._children):
            _signal(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in self._children:
            remaining = max(0.0, deadline - time.monotonic())
            try:
                child.process.wait(remaining)
            except subprocess.TimeoutExpired:
                _signal(child.process.pid, signal.SIGKILL)
                child.process.wait()
            _wait_for_group(child.process.pid, deadline)
            if child.output is not None:
                child.output.close()

        self._exit_codes = {c.name: c.process.returncode for c in self._children}
        atexit.unregister(self.stop)
        return self._exit_codes

    def wait_ready(self, timeout: float) -> None:
        """Block until every service answers ``GET /health`` with 200."""
        deadline = time.monotonic() + timeout
        for child in self._children:
            _wait_healthy(child, deadline)


def start_services(
    *,
    services: Sequence[str] = SERVICES,
    host: str = "127.0.0.1",
    ports: Mapping[str, int] | None = None,
    env: Mapping[str, str] | None = None,
    per_service_env: Mapping[str, Mapping[str, str]] | None = None,
    command_prefix: Mapping[str, Sequence[str]] | None = None,
    output_dir: Path | None = None,
    ready_timeout: float = 30.0,
) -> RunningServices:
    """Start the named services and return once all are healthy.

    ``ports`` missing or 0 means a free port from the OS. interviews is pointed
    at the video-rooms child when both run (a ``per_service_env`` value wins).
    Each child's stdout and stderr go to ``<output_dir>/<service>.out``, or to
    this process's own streams when ``output_dir`` is None.
    Raises ServiceStartError (after stopping the rest) when one does not come up.
    """
    unknown = set(services) - set(SERVICES)
    if unknown:
        raise ServiceStartError(f"unknown service(s): {', '.join(sorted(unknown))}")
    if output_dir is not None:
        output_dir.mkdir(parents=True, exist_ok=True)

    ordered = [name for name in _START_ORDER if name in services]
    sockets = {name: _listen(host, (ports or {}).get(name, 0)) for name in ordered}
    urls = {name: _url(host, sock.getsockname()[1]) for name, sock in sockets.items()}
    children: list[_Child] = []
    try:
        for name in ordered:
            child_env = _child_env(name, urls, env or {}, per_service_env or {})
            prefix = (command_prefix or {}).get(name, ())
            children.append(
                _spawn(name, urls[name], sockets[name], child_env, prefix, output_dir)
            )
    except BaseException:
        RunningServices(children).stop()
        raise
    finally:
        # The children hold their own copies; closing ours lets a dead child's
        # port refuse connections instead of queueing them.
        for sock in sockets.values():
            sock.close()

    running = RunningServices(children)
    try:
        running.wait_ready(ready_timeout)
    except BaseException:
        running.stop()
        raise

    return running


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise ServiceStartError(f"cannot listen on {host}:{port}: {error}") from error
    sock.listen(1024)

    return sock


def _url(host: str, port: int) -> str:
    reachable = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    shown = f"[{reachable}]" if ":" in reachable else reachable

    return f"http://{shown}:{port}"


def _child_env(
    name: str,
    urls: Mapping[str, str],
    env: Mapping[str, str],
    per_service_env: Mapping[str, Mapping[str, str]],
) -> dict[str, str]:
    child_env = {**os.environ, **env}
    if name == SERVICE_INTERVIEWS and SERVICE_VIDEO_ROOMS in urls:
        child_env["TRIAGE_VIDEO_ROOMS_URL"] = urls[SERVICE_VIDEO_ROOMS]
    child_env.update(per_service_env.get(name, {}))

    return child_env


def _spawn(
    name: str,
    url: str,
    sock: socket.socket,
    env: dict[str, str],
    prefix: Sequence[str],
    output_dir: Path | None,
) -> _Child:
    fd = sock.fileno()
    command = [*prefix, sys.executable, "-m", _MODULES[name], "--fd", str(fd)]
    command.append("--exit-with-parent")
    output_path = output_dir / f"{name}.out" if output_dir is not None else None
    output = output_path.open("ab") if output_path is not None else None
    try:
        process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT if output is not None else None,
            pass_fds=(fd,),
            start_new_session=True,
        )
    except OSError as error:
        if output is not None:
            output.close()
        raise ServiceStartError(f"cannot start {name}: {error}") from error

    return _Child(name, url, process, output, output_path)


def _wait_healthy(child: _Child, deadline: float) -> None:
    with httpx.Client(timeout=1.0) as client:
        while True:
            code = child.process.poll()
            if code is not None:
                raise ServiceStartError(
                    f"{child.name} exited with code {code} during start-up"
                    + _output_hint(child)
                )
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{child.url}/health").status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise ServiceStartError(
                    f"{child.name} was not ready at {child.url}" + _output_hint(child)
                )
            time.sleep(_POLL_S)


def _output_hint(child: _Child) -> str:
    if child.output_path is None:
        return ""
    if child.output is not None:
        child.output.flush()
    lines = child.output_path.read_text(errors="replace").strip().splitlines()

    return f" (see {child.output_path}; last line: {lines[-1] if lines else '-'})"


def _signal(group: int, signum: int) -> None:
    """Signal a child's whole process group (it leads one: start_new_session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signum)


def _wait_for_group(group: int, deadline: float) -> None:
    """Wait until the group is empty: a wrapper such as faketime can exit before
    the service it started has finished flushing. SIGKILL what is left at the
    deadline."""
    while True:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        if time.monotonic() > deadline:
            _signal(group, signal.SIGKILL)
            return
        time.sleep(0.05)
