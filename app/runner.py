"""Run one service under uvicorn: ``python -m app.<service> --host H --port P``.

Uvicorn's own logging set-up and access log are off: the instrumentation
configures logging and emits the one access event per request. With ``--fd``
the service serves a listening socket its parent already bound, so the port is
known before start-up and no other process can take it in between.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from collections.abc import Sequence

import uvicorn

from app.clock import pause

# Seconds in-flight requests get to finish after SIGTERM.
GRACEFUL_SHUTDOWN_S = 10


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read ``--host``, ``--port`` and ``--fd``."""
    parser = argparse.ArgumentParser(description="Run a Triage reference service.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--fd", type=int, default=None, help="inherited socket")
    parser.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop gracefully when the launching process goes away",
    )

    return parser.parse_args(argv)


def exit_with_parent(poll_s: float = 1.0) -> None:
    """SIGTERM this process (a graceful uvicorn stop) once its parent has died.

    A launcher killed with SIGKILL cannot stop its children; they notice by
    being re-parented. (PR_SET_PDEATHSIG would fire when the launching
    *thread* ends, which is too early for launchers that start from a pool.)
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            pause(poll_s)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def run(factory: str, argv: Sequence[str] | None = None) -> None:
    """Serve the app built by ``factory`` (``"module:function"``) until SIGTERM."""
    args = parse_args(argv)
    if args.exit_with_parent:
        exit_with_parent()
    uvicorn.run(
        factory,
        factory=True,
        host=args.host,
        port=args.port,
        fd=args.fd,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )
