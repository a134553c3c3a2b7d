"""End to end: both services as real uvicorn processes, every cause over HTTP.

Stacks are started once per module and configuration, and share one database
per backend (the demo users are created idempotently by every start).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from instrumentation import names
from instrumentation.causes import Cause
from tests.app import postgres
from tests.app.stacks import (
    Stack,
    black_hole,
    closed_port_url,
    read_log_events,
    start_stack,
    wait_for_span,
)
from tests.app.support import iso_in

pytestmark = pytest.mark.e2e
ROUTE = "/api/mock-interviews"
ROOMS = "/api/video-conferences"
BOTH = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
VIDEO, OUTER = "video-rooms", "interviews"


# Stacks of both services, by name: video-rooms' extra environment.
PAIRS = {
    "default": {},
    "db-integrity": {"TRIAGE_DB_FAULT": "integrity"},
    "db-unavailable": {"TRIAGE_DB_FAULT": "unavailable"},
    # Clock 90 s ahead and a 900 s minimum: each switch shows on its own lead.
    "clock-switch": {"TRIAGE_CLOCK_OFFSET_S": "90", "TRIAGE_MIN_LEAD_S": "900"},
    "clock-faketime": {"FAKETIME_DONT_FAKE_MONOTONIC": "1"},
    "expired": {"TRIAGE_CLOCK_OFFSET_S": str(9 * 3600)},
    "split-db": {},  # video-rooms on a database of its own
}
# interviews alone, calling the default stack's video-rooms unless redirected.
OUTER_ONLY = {
    "no-forward-auth": {"TRIAGE_FORWARD_AUTH": "false"},
    "legacy": {"TRIAGE_LEGACY_ERROR_MAPPING": "true"},
    "timeout": {"TRIAGE_INTERNAL_READ_TIMEOUT_S": "0.5"},
    "unreachable": {},
}
POSTGRES_STACKS = ("default", "db-integrity")


class StackPool:
    """Starts all stacks of a backend at once on first use; stops them at the end."""

    def __init__(self, request: pytest.FixtureRequest, root: Path) -> None:
        self._request = request
        self._root = root
        self._stacks: dict[tuple[str, str], Stack] = {}
        self._resources = ExitStack()

    def get(self, name: str, backend: str = "sqlite") -> Stack:
        """The running stack ``name`` on ``backend``."""
        if ("default", backend) not in self._stacks:
            self._start_backend(backend)

        return self._stacks[(name, backend)]

    def _start_backend(self, backend: str) -> None:
        if backend == "sqlite":
            url, pairs, singles = self._root / "shared.sqlite", PAIRS, OUTER_ONLY
            url = f"sqlite:///{url}"
        else:
            admin = self._request.getfixturevalue("postgres_admin_url")
            url, pairs, singles = postgres.create_database(admin), POSTGRES_STACKS, {}

        # Starting in parallel: most of a start is the interpreter importing.
        with ThreadPoolExecutor(max_workers=4) as pool:
            started = pool.map(lambda n: (n, self._pair(n, backend, url)), pairs)
            self._stacks.update({(n, backend): stack for n, stack in started})
            upstream = self._stacks[("default", backend)].urls[VIDEO]
            started = pool.map(
                lambda n: (n, self._single(n, backend, url, upstream)), singles
            )
            self._stacks.update({(n, backend): stack for n, stack in started})

    def _pair(self, name: str, backend: str, url: str) -> Stack:
        video_env = dict(PAIRS[name])
        if name == "split-db":
            video_env["TRIAGE_DATABASE_URL"] = (
                f"sqlite:///{self._root / 'other.sqlite'}"
            )
        prefix = {VIDEO: ["faketime", "-f", "+90s"]} if name == "clock-faketime" else {}

        return start_stack(
            self._root / f"{name}-{backend}",
            url,
            per_service_env={VIDEO: video_env},
            command_prefix=prefix,
        )

    def _single(self, name: str, backend: str, url: str, upstream: str) -> Stack:
        if name == "timeout":
            upstream = self._resources.enter_context(black_hole())
        elif name == "unreachable":
            upstream = closed_port_url()
        env = {"TRIAGE_VIDEO_ROOMS_URL": upstream, **OUTER_ONLY[name]}

        return start_stack(
            self._root / f"{name}-{backend}", url, services=(OUTER,), env=env
        )

    def close(self) -> None:
        """Stop every stack at once, then release the black-hole socket."""
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda stack: stack.running.stop(), self._stacks.values()))
        self._resources.close()


@pytest.fixture(scope="module")
def stacks(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StackPool]:
    """The module's running service stacks."""
    pool = StackPool(request, tmp_path_factory.mktemp("stacks"))
    try:
        yield pool
    finally:
        pool.close()


def create(
    stack: Stack, body: dict, user: str = "demo-1", **headers: str
) -> httpx.Response:
    """POST the interview form as ``user``."""
    with stack.client() as client:
        return client.post(ROUTE, json=body, headers={**stack.login(user), **headers})


def form(seconds: float = 600, **overrides: object) -> dict[str, object]:
    """The browser form, ``seconds`` ahead."""
    return {"scheduledTime": iso_in(seconds), "videoType": "built_in", **overrides}


def assert_cause(response: httpx.Response, status: int, cause: str) -> dict:
    """Status, problem content type and cause; returns the problem."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["cause"] == cause

    return problem


@pytest.mark.parametrize("backend", BOTH)
def test_original_report_then_ten_minutes_later(stacks: StackPool, backend: str):
    """now → 400 with inner too_soon; +10 min → 201 and both rows exist."""
    stack = stacks.get("default", backend)

    rejected = create(stack, form(0))
    accepted = create(stack, form(600))

    problem = assert_cause(rejected, 400, Cause.SCHEDULE_TOO_SOON)
    assert problem["upstream"] == {"status": 400, "cause": "schedule.too_soon"}
    assert accepted.status_code == 201
    headers = stack.login()
    interview_id, room_id = accepted.json()["id"], accepted.json()["videoRoomId"]
    with stack.client() as outer, stack.client(VIDEO) as inner:
        assert outer.get(f"{ROUTE}/{interview_id}", headers=headers).status_code == 200
        assert inner.get(f"{ROOMS}/{room_id}", headers=headers).status_code == 200


def test_rejection_evidence_is_in_both_services_telemetry(stacks: StackPool):
    """One trace: outer span with error.type and upstream.cause, inner span with
    the schedule numbers, and an inner log line joined by the trace id."""
    stack = stacks.get("default")
    problem = create(stack, form(0)).json()
    trace_id = problem["traceId"]
    folder = stack.telemetry_dir

    outer = wait_for_span(folder / "interviews.traces.jsonl", trace_id, f"POST {ROUTE}")
    inner = wait_for_span(
        folder / "video-rooms.traces.jsonl", trace_id, f"POST {ROOMS}"
    )

    assert outer["attrs"][names.ATTR_ERROR_TYPE] == "schedule.too_soon"
    assert outer["attrs"][names.ATTR_INNER_CAUSE] == "schedule.too_soon"
    assert names.ATTR_LEAD_MS in outer["attrs"]
    assert inner["attrs"][names.ATTR_ERROR_TYPE] == "schedule.too_soon"
    assert inner["attrs"][names.ATTR_MIN_LEAD_MS] == 60000.0
    logs = read_log_events(folder / "video-rooms.logs.jsonl")
    rejected = [e for e in logs if e.get("trace_id") == trace_id and "cause" in e]
    assert {e["cause"] for e in rejected} == {"schedule.too_soon"}
    assert all(names.ATTR_LEAD_MS in e for e in rejected)


@pytest.mark.parametrize("backend", BOTH)
def test_retry_with_the_same_key_creates_one_interview(stacks: StackPool, backend):
    """Same Idempotency-Key twice: 201 then 200 with the same interview."""
    stack = stacks.get("default", backend)
    body = form(600)

    first = create(stack, body, **{"Idempotency-Key": f"e2e-{backend}"})
    second = create(stack, body, **{"Idempotency-Key": f"e2e-{backend}"})

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()


@pytest.mark.parametrize("backend", BOTH)
def test_hostless_user_is_host_missing(stacks: StackPool, backend: str):
    """H3: the hostless user's room is refused inside with host.missing."""
    response = create(stacks.get("default", backend), form(), user="demo-3")

    assert_cause(response, 400, Cause.HOST_MISSING)


@pytest.mark.parametrize(
    ("name", "inner", "backend"),
    [
        ("db-integrity", "db.integrity_error", "sqlite"),
        pytest.param(
            "db-integrity",
            "db.integrity_error",
            "postgresql",
            marks=pytest.mark.postgres,
        ),
        # The unavailable fault never reaches the configured database.
        ("db-unavailable", "db.unavailable", "sqlite"),
    ],
)
def test_db_faults_are_upstream_errors(stacks: StackPool, name, inner, backend):
    """H4: inner 5xx with the db cause; outer 502 upstream.error."""
    problem = assert_cause(
        create(stacks.get(name, backend), form()), 502, Cause.UPSTREAM_ERROR
    )

    assert problem["upstream"]["cause"] == inner


def test_naive_time_is_rejected_inside(stacks: StackPool):
    """H1 (time zone): a naive time passes interviews, video-rooms rejects it."""
    response = create(stacks.get("default"), form(scheduledTime="2099-05-30T22:45:55"))

    assert_cause(response, 400, Cause.SCHEDULE_NAIVE_DATETIME)


def test_garbage_time_is_invalid_at_the_outer_tier(stacks: StackPool):
    """H5: an unparseable scheduledTime never leaves interviews."""
    response = create(stacks.get("default"), form(scheduledTime="tomorrow 10am"))

    assert_cause(response, 400, Cause.PAYLOAD_INVALID_DATETIME)


@pytest.mark.parametrize("name", ["clock-switch", "clock-faketime"])
def test_video_rooms_clock_ahead_puts_a_fine_time_in_the_past(stacks, name):
    """H1 (clocks): 90 s of skew turns a 60 s lead into 30 s in the past."""
    if name == "clock-faketime" and shutil.which("faketime") is None:
        pytest.skip("faketime is not installed")
    stack = stacks.get(name)

    problem = assert_cause(create(stack, form(60)), 400, Cause.SCHEDULE_IN_PAST)
    outer = wait_for_span(
        stack.telemetry_dir / "interviews.traces.jsonl",
        problem["traceId"],
        f"POST {ROUTE}",
    )
    inner = wait_for_span(
        stack.telemetry_dir / "video-rooms.traces.jsonl",
        problem["traceId"],
        f"POST {ROOMS}",
    )

    assert outer["attrs"][names.ATTR_LEAD_MS] == pytest.approx(60_000, abs=5000)
    assert inner["attrs"][names.ATTR_LEAD_MS] == pytest.approx(-30_000, abs=5000)


def test_min_lead_switch(stacks: StackPool):
    """H1 (too soon): with a 900 s minimum, 20 minutes ahead (less 90 s of skew)
    passes and ten minutes ahead is too soon."""
    stack = stacks.get("clock-switch")

    assert create(stack, form(1200)).status_code == 201
    assert_cause(create(stack, form(600)), 400, Cause.SCHEDULE_TOO_SOON)


def test_dropped_credential_is_upstream_rejected(stacks: StackPool):
    """H2: forward_auth=false → inner auth.missing_credentials, outer 502."""
    problem = assert_cause(
        create(stacks.get("no-forward-auth"), form()), 502, Cause.UPSTREAM_REJECTED
    )

    assert problem["upstream"] == {"status": 401, "cause": "auth.missing_credentials"}


def test_session_unknown_to_video_rooms_is_upstream_rejected(stacks: StackPool):
    """H2: video-rooms on another database does not know the session."""
    problem = assert_cause(
        create(stacks.get("split-db"), form()), 502, Cause.UPSTREAM_REJECTED
    )

    assert problem["upstream"]["cause"] == "auth.invalid_session"


def test_session_expired_by_video_rooms_clock_is_upstream_rejected(stacks):
    """H2: a video-rooms clock 9 h ahead sees the 8 h session as expired."""
    problem = assert_cause(
        create(stacks.get("expired"), form()), 502, Cause.UPSTREAM_REJECTED
    )

    assert problem["upstream"]["cause"] == "auth.expired_session"


def test_legacy_mapping_hides_the_cause_outside_but_not_in_the_trace(stacks):
    """Bare 400 and no cause at interviews; video-rooms' log of the same request
    (same request id, same trace) still names the cause."""
    stack, default = stacks.get("legacy"), stacks.get("default")

    response = create(stack, form(0), **{"X-Request-ID": "legacy-e2e-1"})

    assert response.status_code == 400
    assert response.json() == {"detail": "Failed to create video conference"}
    outer_logs = read_log_events(stack.telemetry_dir / f"{OUTER}.logs.jsonl")
    inner_logs = read_log_events(default.telemetry_dir / f"{VIDEO}.logs.jsonl")
    outer_events = [e for e in outer_logs if e.get("request_id") == "legacy-e2e-1"]
    inner_causes = {
        e.get("cause") for e in inner_logs if e.get("request_id") == "legacy-e2e-1"
    }
    assert outer_events and not [e for e in outer_events if "cause" in e]
    assert "schedule.too_soon" in inner_causes
    traces = {
        e["trace_id"]
        for e in outer_events + inner_logs
        if e.get("request_id") == "legacy-e2e-1"
    }
    assert len(traces) == 1


def test_unanswered_call_is_upstream_timeout(stacks: StackPool):
    """A video-rooms that accepts but never answers: 504 upstream.timeout."""
    assert_cause(create(stacks.get("timeout"), form()), 504, Cause.UPSTREAM_TIMEOUT)


def test_refused_call_is_upstream_unreachable(stacks: StackPool):
    """Nothing listening at video-rooms' address: 502 upstream.unreachable."""
    assert_cause(
        create(stacks.get("unreachable"), form()), 502, Cause.UPSTREAM_UNREACHABLE
    )


SWEEP = [
    b"",
    b"{",
    b'{"scheduledTime": "\xff\xfe", "videoType": "built_in"}',
    b"[" * 20000,
    b"1" * 10000,
    b'{"scheduledTime": 17, "videoType": []}',
    b'{"scheduledTime": null}',
    b'{"scheduledTime": "0000-01-01T00:00:00Z", "videoType": "built_in"}',
    b'{"scheduledTime": "99999-01-01T00:00:00Z", "videoType": "built_in"}',
    b'{"scheduledTime": "2025-01-01T00:00:00+25:00", "videoType": "built_in"}',
    b'{"scheduledTime": "2099-01-01T00:00:00Z", "videoType": "built_in",'
    b' "timeZone": "\\u0000"}',
    b'{"name": "\\ud800", "scheduledStartTime": "2099-01-01T00:00:00Z"}',
    b'{"name": "x", "scheduledStartTime": "9999-12-31T23:59:59-23:59"}',
    b'{"name": "x", "scheduledStartTime": "2099-01-01T00:00:00Z",'
    b' "maxParticipants": 1e400}',
    b"x" * (1024 * 1024),
]


@pytest.mark.parametrize("service", [OUTER, VIDEO])
def test_bad_input_sweep_never_yields_a_5xx(stacks: StackPool, service: str):
    """Malformed bodies to either service: 4xx with a cause, never a 5xx."""
    stack = stacks.get("default")
    path = ROUTE if service == OUTER else ROOMS
    headers = {**stack.login(), "Content-Type": "application/json"}

    with stack.client(service) as client:
        responses = [client.post(path, content=body, headers=headers) for body in SWEEP]

    for body, response in zip(SWEEP, responses, strict=True):
        assert 400 <= response.status_code < 500, (body[:60], response.text)
        assert response.json()["cause"].startswith("payload."), response.text
    assert "Traceback" not in stack.output()
