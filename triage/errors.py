"""Errors the CLI reports as one plain line (exit code 2), never a traceback."""

from __future__ import annotations


class TriageError(Exception):
    """An expected failure: bad usage, unreadable input, a service that won't start."""
