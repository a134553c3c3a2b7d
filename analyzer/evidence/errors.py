"""Errors raised by the evidence package.

EvidenceError
 ├── MissingColumnsError   a table lacks the columns a step needs
 ├── ReportShapeError      a report.json does not look like an analyzer report
 └── TraceNotFoundError    no span or log line carries the requested trace id
"""

from __future__ import annotations


class EvidenceError(Exception):
    """Base class of every error this package raises on purpose."""


class MissingColumnsError(EvidenceError):
    """A table given to an evidence step lacks required columns."""


class ReportShapeError(EvidenceError):
    """A saved report cannot be read as an analyzer report."""


class TraceNotFoundError(EvidenceError):
    """The requested trace id is in none of the inputs."""
