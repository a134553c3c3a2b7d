"""Run one service under uvicorn: ``python -m app.<service> --host H --port P``.

Uvicorn's own logging set-up and access log are off: the instrumentation
configures logging and emits the one access event per request. With ``--fd``
the service serves a listening socket its parent already bound, so the port is
known before start-up and no other process can take it in between.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import uvicorn

# Seconds in-flight requests get to finish after SIGTERM.
GRACEFUL_SHUTDOWN_S = 10


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read ``--host``, ``--port`` and ``--fd``."""
    parser = argparse.ArgumentParser(description="Run a Triage reference service.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--fd", type=int, default=None, help="inherited socket")

    return parser.parse_args(argv)


def run(factory: str, argv: Sequence[str] | None = None) -> None:
    """Serve the app built by ``factory`` (``"module:function"``) until SIGTERM."""
    args = parse_args(argv)
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
