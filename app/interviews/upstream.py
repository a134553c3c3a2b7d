"""The internal call to video-rooms and how its outcome maps to the outer answer.

Mapping (a design rule: the outer tier never turns an inner 5xx or auth failure
into a bare 400): inner validation 4xx → 400 with the inner cause; inner
401/403 → 502 ``upstream.rejected``; inner 5xx or anything unexpected → 502
``upstream.error``; timeout → 504 ``upstream.timeout``; refused connection →
502 ``upstream.unreachable``.
"""

from __future__ import annotations

from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx

from app.auth import Credential
from app.config import Settings
from app.errors import AppError, Rejection
from instrumentation import names
from instrumentation.causes import Cause

ROOMS_PATH = "/api/video-conferences"
LEGACY_DETAIL = "Failed to create video conference"
# Inner causes relayed as the outer cause of a 400: the client's own mistakes.
_CLIENT_FAMILIES = {"payload", "schedule", "host"}


class UpstreamFailure(AppError):
    """The internal call failed; carries the outer cause and what video-rooms said."""

    def __init__(
        self,
        cause: Cause,
        status: int,
        detail: str,
        *,
        inner_status: int | None = None,
        inner_cause: Cause | None = None,
    ) -> None:
        super().__init__(detail)
        self.cause = cause
        self.status = status
        self.detail = detail
        self.inner_status = inner_status
        self.inner_cause = inner_cause

    def as_rejection(self) -> Rejection:
        """The outer rejection: outer cause, and the inner cause on span and body."""
        upstream = {"status": self.inner_status, "cause": self.inner_cause}
        inner = self.inner_cause.value if self.inner_cause else None

        return Rejection(
            self.cause,
            self.status,
            self.detail,
            fields={names.ATTR_INNER_CAUSE: inner} if inner else {},
            extra={"upstream": {k: v for k, v in upstream.items() if v is not None}},
        )


@dataclass(frozen=True)
class CallContext:
    """What the outer request passes on: its credential and correlation ids."""

    credential: Credential | None
    idempotency_key: str
    request_id: str


def open_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The process's one client to video-rooms, with explicit timeouts.

    Its cookie jar accepts nothing, so a cookie set by one response can never
    ride along on another user's call: credentials go per request, as headers.
    """
    connect = settings.internal_connect_timeout_s
    read = settings.internal_read_timeout_s

    return httpx.AsyncClient(
        base_url=settings.video_rooms_url,
        timeout=httpx.Timeout(connect=connect, read=read, write=read, pool=connect),
        cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        transport=transport,
    )


class VideoRoomsClient:
    """Calls video-rooms on behalf of one outer request at a time."""

    def __init__(self, client: httpx.AsyncClient, *, forward_auth: bool) -> None:
        self._client = client
        self._forward_auth = forward_auth

    def _headers(self, context: CallContext) -> dict[str, str]:
        headers = {
            "Idempotency-Key": context.idempotency_key,
            "X-Request-ID": context.request_id,
        }
        # forward_auth=false is the H2 fault: the credential is dropped here.
        if self._forward_auth and context.credential is not None:
            headers.update(context.credential.headers())

        return headers

    async def create_room(
        self, body: dict[str, Any], context: CallContext
    ) -> tuple[dict[str, Any], bool]:
        """Create a room; returns it and whether it is new (201) or a replay (200)."""
        try:
            response = await self._client.post(
                ROOMS_PATH, json=body, headers=self._headers(context)
            )
        except httpx.TimeoutException as error:
            detail = "The video-rooms service did not answer in time."
            raise UpstreamFailure(Cause.UPSTREAM_TIMEOUT, 504, detail) from error
        except httpx.ConnectError as error:
            detail = "The video-rooms service could not be reached."
            raise UpstreamFailure(Cause.UPSTREAM_UNREACHABLE, 502, detail) from error
        except httpx.TransportError as error:
            detail = "The connection to the video-rooms service failed."
            raise UpstreamFailure(Cause.UPSTREAM_ERROR, 502, detail) from error

        return parse_room(response)

    async def delete_room(self, room_id: int, context: CallContext) -> bool:
        """Delete a room this request created; returns whether it is gone."""
        try:
            response = await self._client.delete(
                f"{ROOMS_PATH}/{room_id}", headers=self._headers(context)
            )
        except httpx.HTTPError:
            return False

        return response.status_code in (204, 404)


def parse_room(response: httpx.Response) -> tuple[dict[str, Any], bool]:
    """The room from a success, or the failure the response amounts to."""
    if response.status_code in (200, 201):
        room = _json(response)
        if isinstance(room, dict) and isinstance(room.get("id"), int):
            return room, response.status_code == 201
        detail = "The video-rooms service answered without a room."
        raise UpstreamFailure(
            Cause.UPSTREAM_ERROR, 502, detail, inner_status=response.status_code
        )

    raise failure_for(response)


def failure_for(response: httpx.Response) -> UpstreamFailure:
    """Map an inner error response onto the outer cause and status."""
    status = response.status_code
    problem = _json(response)
    problem = problem if isinstance(problem, dict) else {}
    inner = _cause(problem.get("cause"))
    text = problem.get("detail")
    inner_detail = text if isinstance(text, str) else ""

    def failure(cause: Cause, outer_status: int, detail: str) -> UpstreamFailure:
        return UpstreamFailure(
            cause, outer_status, detail, inner_status=status, inner_cause=inner
        )

    if status in (401, 403):
        return failure(
            Cause.UPSTREAM_REJECTED,
            502,
            "The video-rooms service refused the forwarded credentials.",
        )
    if 400 <= status < 500 and inner is not None and inner.prefix in _CLIENT_FAMILIES:
        detail = f"The video-rooms service rejected the room: {inner_detail}"
        return failure(inner, 400, detail.strip())

    return failure(
        Cause.UPSTREAM_ERROR, 502, f"The video-rooms service failed ({status})."
    )


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _cause(value: Any) -> Cause | None:
    try:
        return Cause(value)
    except ValueError:
        return None
