"""The demo's traffic generator: logged-in browsers posting the interview form.

Requests go over real HTTP with an async httpx client, bounded in count (the
plan), in concurrency and in time. Each request carries the payload shape of the
original report; what varies is how the client computes ``scheduledTime``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from triage.scenario import PlannedRequest, Traffic

USER_PASSWORD = "demo"
_GARBAGE = ("31.05.2025, 01:45:55", "tomorrow 10am", "2025-13-45T25:61:00Z")


@dataclass(frozen=True)
class Outcome:
    """What one request got back."""

    index: int
    expect: str
    status: int | None  # None: no response (timeout, connection error)
    cause: str | None
    trace_id: str | None
    error: str | None = None


def iso_utc(moment: datetime) -> str:
    """Format like a browser's ``toISOString()``: milliseconds and ``Z``."""
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def scheduled_time(traffic: Traffic, now: datetime, index: int) -> object:
    """The ``scheduledTime`` this client sends, right or wrong by design."""
    zone = ZoneInfo(traffic.time_zone)
    target = now + timedelta(seconds=traffic.lead_s)
    match traffic.kind:
        case "now":
            return iso_utc(now)
        case "ahead":
            if traffic.time_zone == "UTC":
                return iso_utc(target)
            return target.astimezone(zone).isoformat(timespec="milliseconds")
        case "naive":
            # The wall-clock time of the user's zone, with no offset at all.
            local = target.astimezone(zone).replace(tzinfo=None)
            return local.isoformat(timespec="milliseconds")
        case "wrong_offset":
            # A UTC reading stamped with the zone's offset: hours in the past.
            offset = target.astimezone(zone).strftime("%z")
            stamp = target.astimezone(UTC).replace(tzinfo=None)
            wall = stamp.isoformat(timespec="milliseconds")
            return f"{wall}{offset[:3]}:{offset[3:]}"
        case "garbage":
            return _GARBAGE[index % len(_GARBAGE)]
        case "bad_type":
            return iso_utc(target)
    raise ValueError(traffic.kind)


def form_body(traffic: Traffic, now: datetime, index: int) -> dict[str, object]:
    """The body the interview form posts."""
    body: dict[str, object] = {
        "scheduledTime": scheduled_time(traffic, now, index),
        "videoType": "zoom" if traffic.kind == "bad_type" else "built_in",
    }
    if traffic.time_zone != "UTC":
        body["timeZone"] = traffic.time_zone

    return body


async def login(client: httpx.AsyncClient, users: Sequence[str]) -> dict[str, str]:
    """Log every user in once; returns their session tokens."""
    tokens: dict[str, str] = {}
    for user in users:
        response = await client.post(
            "/api/auth/login", json={"username": user, "password": USER_PASSWORD}
        )
        response.raise_for_status()
        tokens[user] = response.json()["token"]

    return tokens


def _credential_headers(traffic: Traffic, token: str, ordinal: int) -> dict[str, str]:
    kind = traffic.credential
    if kind == "any":
        # Alternate within each traffic kind, not over the whole run: kinds are
        # interleaved round-robin, so a run-wide alternation (or a coin toss,
        # with a demo's small counts) would tie one credential to one kind and
        # make the contrast evidence point at credentials for no reason.
        kind = "cookie" if ordinal % 2 == 0 else "bearer"
    if kind == "cookie":
        return {"Cookie": f"session={token}"}
    return {"Authorization": f"Bearer {token}"}


def _trace_id(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict):
        value = body.get("traceId")
        return value if isinstance(value, str) else None
    return None


async def _send(
    client: httpx.AsyncClient,
    request: PlannedRequest,
    token: str,
) -> Outcome:
    traffic = request.traffic
    headers = _credential_headers(traffic, token, request.ordinal)
    headers["User-Agent"] = "triage-demo/1.0 (form)"
    body = form_body(traffic, datetime.now(UTC), request.index)
    try:
        response = await client.post("/api/mock-interviews", json=body, headers=headers)
    except httpx.HTTPError as error:
        failure = type(error).__name__
        return Outcome(request.index, traffic.expect, None, None, None, failure)

    cause = None
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        cause = response.json().get("cause")
    return Outcome(
        request.index, traffic.expect, response.status_code, cause, _trace_id(response)
    )


def time_limit(requests: int, concurrency: int) -> float:
    """Seconds a phase may take: 120, plus 0.1 s per request per connection."""
    return 120.0 + 0.1 * requests / concurrency


async def run(
    base_url: str,
    requests: Sequence[PlannedRequest],
    *,
    users: Sequence[str],
    concurrency: int = 8,
    time_limit_s: float | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Send every planned request; stops early (and says so) past the time limit.

    The default limit grows with the work: ``time_limit(len(requests),
    concurrency)`` seconds.
    """
    reserved = {r.traffic.user for r in requests if r.traffic.user}
    regular = [user for user in users if user not in reserved] or list(users)
    timeout = httpx.Timeout(connect=5.0, read=15.0, write=5.0, pool=30.0)
    limit = (
        time_limit(len(requests), concurrency) if time_limit_s is None else time_limit_s
    )
    deadline = time.monotonic() + limit
    gate = asyncio.Semaphore(concurrency)

    async with httpx.AsyncClient(base_url=base_url, timeout=timeout) as client:
        tokens = await login(client, sorted(set(regular) | reserved))

        async def one(request: PlannedRequest) -> Outcome | None:
            async with gate:
                if time.monotonic() > deadline:
                    return None
                user = request.traffic.user or regular[request.index % len(regular)]
                outcome = await _send(client, request, tokens[user])
            if on_done is not None:
                on_done(outcome)
            return outcome

        results = await asyncio.gather(*(one(request) for request in requests))

    return [outcome for outcome in results if outcome is not None]
