"""Exceptions of the reference service.

AppError                  anything the service raises on purpose
├── Rejection             a request refused with one cause code (a 4xx/5xx)
└── ServiceStartError     a service process did not come up (launcher)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from instrumentation.causes import Cause


class AppError(Exception):
    """Base class of every error the reference service raises on purpose."""


class Rejection(AppError):
    """A request refused with exactly one cause code and an HTTP status.

    ``fields`` are the telemetry numbers behind the decision (``schedule.*``,
    ``upstream.cause``); ``errors`` are per-field details for the client;
    ``extra`` are further problem-details members such as ``upstream``.
    """

    def __init__(
        self,
        cause: Cause,
        status: int,
        detail: str,
        *,
        errors: Sequence[Mapping[str, str]] = (),
        fields: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.cause = cause
        self.status = status
        self.detail = detail
        self.errors = list(errors)
        self.fields = dict(fields or {})
        self.extra = dict(extra or {})

    def __repr__(self) -> str:
        return f"Rejection({self.cause.value!r}, {self.status})"


class ServiceStartError(AppError):
    """A service process exited or stayed unready during start-up."""
