"""Errors raised by the telemetry set-up.

``TelemetryError`` is the root; ``TelemetrySetupError`` means the process asked
for something the set-up cannot give (an unwritable telemetry folder, a second
service name in one process). Failures while exporting are never raised: they
are logged once and counted (``triage.telemetry.errors``).
"""

from __future__ import annotations


class TelemetryError(Exception):
    """Something in the telemetry set-up went wrong."""


class TelemetrySetupError(TelemetryError):
    """The telemetry could not be set up as asked."""
