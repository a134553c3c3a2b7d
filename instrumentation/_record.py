"""Record a rejection or a schedule check on the span, the metrics and the log."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

import structlog
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from instrumentation import _context, names
from instrumentation._metrics import Instruments
from instrumentation.causes import Cause

_log = structlog.get_logger("instrumentation.record")


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``; a naive time is taken to be UTC already."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)

    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")

    return text.replace("+00:00", "Z")


def rejection(
    instruments: Instruments | None,
    service: str,
    cause: Cause,
    status: int,
    fields: dict[str, Any],
) -> None:
    """Mark the current span, count the cause, log one ``request.rejected``."""
    code = Cause(cause).value
    span = trace.get_current_span()
    if span.is_recording():
        span.set_attribute(names.ATTR_ERROR_TYPE, code)
        span.set_attributes({key: _attribute(value) for key, value in fields.items()})
        if _is_error(span, status):
            span.set_status(Status(StatusCode.ERROR, code))

    state = _context.current_state()
    if state is not None:
        state.cause = code
        state.details.update(fields)

    if instruments is not None:
        instruments.rejections.add(
            1, {names.LABEL_SERVICE: service, names.LABEL_CAUSE: code}
        )

    event = dict(state.details if state is not None else fields)
    event[names.ATTR_CAUSE] = code
    event[names.LOG_STATUS] = status
    _log.warning(names.EVENT_REJECTED, **event)


def _is_error(span: Any, status: int) -> bool:
    # HTTP semantic conventions, span status: a server leaves 4xx UNSET (the
    # client erred), 5xx is an error; for any other span kind 4xx is too.
    if getattr(span, "kind", SpanKind.INTERNAL) is SpanKind.SERVER:
        return status >= 500

    return status >= 400


def schedule(
    instruments: Instruments | None,
    service: str,
    lead_ms: float,
    min_lead_ms: float,
    server_now: datetime,
    accepted: bool,
) -> None:
    """Put the schedule numbers on the span and the lead time in the histogram."""
    numbers: dict[str, Any] = {
        names.ATTR_LEAD_MS: float(lead_ms),
        names.ATTR_MIN_LEAD_MS: float(min_lead_ms),
        names.ATTR_SERVER_NOW: iso_utc(server_now),
    }
    span = trace.get_current_span()
    if span.is_recording():
        span.set_attributes(numbers)

    state = _context.current_state()
    if state is not None:
        state.details.update(numbers)

    if instruments is not None:
        # OpenTelemetry histograms take no negative values: the sign of the
        # lead goes into the bounded "direction" label instead.
        ahead = lead_ms >= 0
        instruments.lead_time.record(
            abs(lead_ms) / 1000.0,
            {
                names.LABEL_SERVICE: service,
                names.LABEL_OUTCOME: (
                    names.OUTCOME_ACCEPTED if accepted else names.OUTCOME_REJECTED
                ),
                names.LABEL_DIRECTION: (
                    names.DIRECTION_AHEAD if ahead else names.DIRECTION_BEHIND
                ),
            },
        )


def _attribute(value: Any) -> str | bool | int | float:
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, str | bool | int | float):
        return value

    return str(value)
