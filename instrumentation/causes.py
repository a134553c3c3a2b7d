"""The one enumeration of rejection cause codes (README: the five hypotheses).

Each code is a stable dotted string. It is written verbatim as the log field
``cause``, the span attribute ``error.type``, the metric label ``cause`` and the
``cause`` member of a problem-details body, so the analyzer can join all four.
"""

from __future__ import annotations

from enum import StrEnum


class Cause(StrEnum):
    """Why a request was rejected, grouped by prefix into the five hypotheses."""

    # H1: scheduled-time validation
    SCHEDULE_TOO_SOON = "schedule.too_soon"
    SCHEDULE_IN_PAST = "schedule.in_past"
    SCHEDULE_NAIVE_DATETIME = "schedule.naive_datetime"
    # H2: auth lost on the internal call
    AUTH_MISSING_CREDENTIALS = "auth.missing_credentials"
    AUTH_INVALID_SESSION = "auth.invalid_session"
    AUTH_EXPIRED_SESSION = "auth.expired_session"
    AUTH_INVALID_CREDENTIALS = "auth.invalid_credentials"
    # H3: no host for the room
    HOST_MISSING = "host.missing"
    # H4: database errors
    DB_INTEGRITY_ERROR = "db.integrity_error"
    DB_UNAVAILABLE = "db.unavailable"
    # H5: data format
    PAYLOAD_INVALID_JSON = "payload.invalid_json"
    PAYLOAD_INVALID_DATETIME = "payload.invalid_datetime"
    PAYLOAD_MISSING_FIELD = "payload.missing_field"
    PAYLOAD_INVALID_VALUE = "payload.invalid_value"
    PAYLOAD_TOO_LARGE = "payload.too_large"
    # the outer tier's view of an inner failure
    UPSTREAM_TIMEOUT = "upstream.timeout"
    UPSTREAM_UNREACHABLE = "upstream.unreachable"
    UPSTREAM_REJECTED = "upstream.rejected"
    UPSTREAM_ERROR = "upstream.error"
    # lookups and other requests outside the create flow
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "not_found.method_not_allowed"
    ROOM_IN_USE = "conflict.room_in_use"

    @property
    def prefix(self) -> str:
        """The family this code belongs to, e.g. ``schedule``."""
        return self.value.split(".", 1)[0]
