"""The request-context and access-log middleware: one access event per request.

It runs inside the OpenTelemetry server span, so the access event carries the
server span's ids. It binds the request id for every log line of the request
and records which kind of credential arrived, never the credential.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import structlog
from opentelemetry import trace

from instrumentation import _context, names
from instrumentation._logging import adopt_server_loggers
from instrumentation._redact import credential_kind

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# An incoming id is trusted only if it cannot forge or break a log line.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_REQUEST_ID_HEADER = names.HEADER_REQUEST_ID.encode()

_log = structlog.get_logger("instrumentation.access")


class AccessLogMiddleware:
    """Bind request context, write the access event, keep ``error.type`` true."""

    def __init__(self, app: ASGIApp, skip_paths: frozenset[str]) -> None:
        self.app = app
        self.skip_paths = skip_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            # uvicorn configures its loggers before the lifespan starts.
            adopt_server_loggers()
            await self.app(scope, receive, send)
            return

        if scope["type"] != "http" or scope.get("path") in self.skip_paths:
            await self.app(scope, receive, send)
            return

        await self._handle(scope, receive, send)

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        headers = scope.get("headers") or []
        state = _context.RequestState(request_id=_request_id(headers))
        kind = credential_kind(headers)
        span = trace.get_current_span()
        if span.is_recording():
            span.set_attribute(names.ATTR_CREDENTIAL_KIND, kind)

        state_token = _context.enter(state)
        log_tokens = structlog.contextvars.bind_contextvars(
            **{names.LOG_REQUEST_ID: state.request_id}
        )
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            starting = message["type"] == "http.response.start"
            if starting:
                status = message["status"]
                message["headers"] = _with_request_id(message, state.request_id)
            await send(message)
            if starting and state.cause is not None and span.is_recording():
                # The HTTP instrumentation sets error.type to the status code on
                # a 5xx; the cause code is the more precise value (semconv
                # allows any low-cardinality error identifier).
                span.set_attribute(names.ATTR_ERROR_TYPE, state.cause)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            _log.exception("request.failed")
            raise
        finally:
            _log_access(scope, state, kind, status, started)
            structlog.contextvars.reset_contextvars(**log_tokens)
            _context.leave(state_token)


def _request_id(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name.lower() == _REQUEST_ID_HEADER:
            text = value.decode("latin-1")
            if _VALID_REQUEST_ID.fullmatch(text):
                return text

    return uuid.uuid4().hex


def _with_request_id(message: Message, request_id: str) -> list[Any]:
    headers = list(message.get("headers") or [])
    if not any(name.lower() == _REQUEST_ID_HEADER for name, _ in headers):
        headers.append((_REQUEST_ID_HEADER, request_id.encode()))

    return headers


def _log_access(
    scope: Scope, state: _context.RequestState, kind: str, status: int, started: float
) -> None:
    route = scope.get("route")
    fields: dict[str, Any] = {
        "method": scope.get("method"),
        "route": getattr(route, "path", None),
        "path": scope.get("path"),
        names.LOG_STATUS: status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
        names.ATTR_CREDENTIAL_KIND: kind,
    }
    if state.cause is not None:
        fields[names.ATTR_CAUSE] = state.cause
        fields.update(state.details)

    if status >= 500:
        _log.error(names.EVENT_ACCESS, **fields)
    elif status >= 400:
        _log.warning(names.EVENT_ACCESS, **fields)
    else:
        _log.info(names.EVENT_ACCESS, **fields)
