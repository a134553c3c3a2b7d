"""Run ``python -m MODULE ARGS`` under pyinstrument and write a text profile.

Used as a launcher command prefix by telemetry_overhead.py::

    python benchmarks/_profiled.py OUT.txt -- /path/to/python -m app.video_rooms --fd 5

The interpreter path after ``--`` is skipped: this process is the interpreter.
The profile is written when the module returns (uvicorn returns after SIGTERM).
"""

from __future__ import annotations

import runpy
import signal
import sys
from pathlib import Path

from pyinstrument import Profiler


def main() -> None:
    """Profile the module named after ``--`` and write the text report."""
    out = Path(sys.argv[1])
    rest = sys.argv[sys.argv.index("--") + 1 :]
    module_at = rest.index("-m") + 1
    module, argv = rest[module_at], rest[module_at + 1 :]

    sys.argv = [module, *argv]
    # uvicorn re-raises SIGTERM after its graceful stop; end normally instead,
    # so the profile below is written.
    signal.signal(signal.SIGTERM, _exit)
    profiler = Profiler(async_mode="disabled")
    profiler.start()
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        profiler.stop()
        out.write_text(profiler.output_text(unicode=True, show_all=False))


def _exit(signum: int, frame: object) -> None:
    raise SystemExit(0)


if __name__ == "__main__":
    main()
