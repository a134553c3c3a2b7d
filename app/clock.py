"""A service's notion of "now", optionally shifted to reproduce clock skew (H1)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class Clock:
    """Reads the wall clock in UTC, shifted by ``offset_s`` seconds."""

    offset_s: float = 0.0

    def now(self) -> datetime:
        """The current time as this service believes it to be (aware, UTC)."""
        return datetime.now(UTC) + timedelta(seconds=self.offset_s)


def pause(seconds: float) -> None:
    """Sleep; safe under libfaketime, unlike ``time.sleep``.

    With ``FAKETIME_DONT_FAKE_MONOTONIC`` (how the demo shifts a service's
    clock) ``time.sleep`` fails with EINVAL; a timed wait on an event does not.
    """
    threading.Event().wait(seconds)
