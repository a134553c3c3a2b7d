"""RFC 9457 problem details: every error response of both services, one shape.

Members: ``type``, ``title``, ``status``, ``detail``, ``instance`` (RFC 9457
section 3.1) plus the extensions ``cause``, ``traceId``, ``errors`` and, at
the outer tier, ``upstream``. FastAPI's own validation and HTTP errors are
converted here too, so no response falls back to FastAPI's default shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import telemetry_hooks as hooks
from app.errors import Rejection
from app.payloads import rejection_for
from instrumentation.causes import Cause

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:triage:cause:"

_TITLES = {
    Cause.SCHEDULE_TOO_SOON: "Scheduled time is too soon",
    Cause.SCHEDULE_IN_PAST: "Scheduled time is in the past",
    Cause.SCHEDULE_NAIVE_DATETIME: "Scheduled time has no UTC offset",
    Cause.AUTH_MISSING_CREDENTIALS: "No credentials",
    Cause.AUTH_INVALID_SESSION: "Unknown session",
    Cause.AUTH_EXPIRED_SESSION: "Session expired",
    Cause.AUTH_INVALID_CREDENTIALS: "Wrong user name or password",
    Cause.HOST_MISSING: "No host for the room",
    Cause.DB_INTEGRITY_ERROR: "Database constraint violated",
    Cause.DB_UNAVAILABLE: "Database unavailable",
    Cause.PAYLOAD_INVALID_JSON: "Body is not valid JSON",
    Cause.PAYLOAD_INVALID_DATETIME: "Not a valid date-time",
    Cause.PAYLOAD_MISSING_FIELD: "Required field missing",
    Cause.PAYLOAD_INVALID_VALUE: "Invalid value",
    Cause.PAYLOAD_TOO_LARGE: "Body too large",
    Cause.UPSTREAM_TIMEOUT: "Video-rooms service timed out",
    Cause.UPSTREAM_UNREACHABLE: "Video-rooms service unreachable",
    Cause.UPSTREAM_REJECTED: "Video-rooms service refused the credentials",
    Cause.UPSTREAM_ERROR: "Video-rooms service failed",
    Cause.NOT_FOUND: "Not found",
    Cause.METHOD_NOT_ALLOWED: "Method not allowed",
    Cause.ROOM_IN_USE: "Room is in use",
}

# How FastAPI's and Starlette's own HTTP errors map onto cause codes.
_STATUS_CAUSES = {
    401: Cause.AUTH_MISSING_CREDENTIALS,
    404: Cause.NOT_FOUND,
    405: Cause.METHOD_NOT_ALLOWED,
    413: Cause.PAYLOAD_TOO_LARGE,
}


def problem_response(
    request: Request | None,
    status: int,
    cause: Cause | None,
    detail: str,
    *,
    errors: Sequence[Mapping[str, str]] = (),
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """Build a problem-details response; ``cause`` None means an internal error."""
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + cause.value if cause else "about:blank",
        "title": _TITLES.get(cause) if cause else HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path if request is not None else None,
        "cause": cause.value if cause else None,
        "traceId": hooks.current_trace_id(),
    }
    if errors:
        body["errors"] = list(errors)
    body.update(extra or {})
    members = {key: value for key, value in body.items() if value is not None}

    return JSONResponse(members, status_code=status, media_type=MEDIA_TYPE)


def reject(request: Request, rejection: Rejection) -> JSONResponse:
    """Record a rejection in telemetry (once) and answer with its problem details."""
    hooks.record_rejection(rejection.cause, rejection.status, **rejection.fields)

    return problem_response(
        request,
        rejection.status,
        rejection.cause,
        rejection.detail,
        errors=rejection.errors,
        extra=rejection.extra,
    )


async def _on_rejection(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Rejection)
    return reject(request, error)


async def _on_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return reject(request, rejection_for(error.errors()))


async def _on_http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    status = error.status_code
    detail = str(error.detail) if error.detail else HTTPStatus(status).phrase
    cause = _STATUS_CAUSES.get(status)
    if cause is None and 400 <= status < 500:
        cause = Cause.PAYLOAD_INVALID_VALUE
    if cause is None:
        hooks.get_logger().error("request.failed", status=status)
        return problem_response(request, status, None, detail)

    return reject(request, Rejection(cause, status, detail))


def install(app: FastAPI) -> None:
    """Route every error of ``app`` through problem details."""
    app.add_exception_handler(Rejection, _on_rejection)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_middleware(UnhandledErrorMiddleware)


class UnhandledErrorMiddleware:
    """Answer an unexpected exception with a bare 500 problem, never a traceback.

    The exception is logged with its traceback; the client sees no internals.
    Sitting inside Starlette's ServerErrorMiddleware, it stops the error
    before that middleware re-raises it into the server's own logger.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            hooks.get_logger().exception("request.failed")
            hooks.record_exception(error)
            if started:
                raise
            detail = "The server failed to handle the request."
            response = problem_response(Request(scope), 500, None, detail)
            await response(scope, receive, send)
