"""Two real uvicorn processes: one trace across the internal call, no loss."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from instrumentation import names
from tests.instrumentation.processes import serve
from tests.instrumentation.support import FileSpan, events, read_jsonl, read_spans

pytestmark = pytest.mark.e2e

SERVER, CLIENT = 2, 3  # OTLP SpanKind enum values
REQUESTS = 12


@dataclass(frozen=True)
class PairRun:
    """The files two stopped services left behind."""

    folder: Path
    request_ids: list[str]

    def spans(self, service: str) -> list[FileSpan]:
        """Every span one service wrote."""
        return read_spans(self.folder / f"{service}.traces.jsonl")

    def logs(self, service: str) -> list[dict]:
        """Every log line one service wrote."""
        return read_jsonl(self.folder / f"{service}.logs.jsonl")


@pytest.fixture(scope="module")
def pair_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PairRun]:
    """Start back and front, send requests, stop both with SIGTERM."""
    folder = tmp_path_factory.mktemp("pair")
    env = {"TRIAGE_TELEMETRY_DIR": str(folder), "TRIAGE_LOG_STDERR": "false"}
    request_ids = [f"pair-{n}" for n in range(REQUESTS)]
    with serve("tests.instrumentation.pair:back", env, folder / "back.out") as back:
        front_env = {**env, "PAIR_UPSTREAM": back}
        with (
            serve(
                "tests.instrumentation.pair:front", front_env, folder / "front.out"
            ) as front,
            httpx.Client(base_url=front, timeout=10) as http,
        ):
            for n, request_id in enumerate(request_ids):
                http.post(
                    "/api/mock-interviews",
                    json={"lead_ms": 90_000.0 if n % 2 else 1_000.0},
                    headers={"X-Request-ID": request_id},
                )
    yield PairRun(folder, request_ids)


def test_one_request_is_one_trace_across_both_services(pair_run: PairRun) -> None:
    """front server → front client → back server → back DB, one trace id each."""
    front = pair_run.spans("pair-front")
    back = pair_run.spans("pair-back")
    entries = [
        s for s in front if s.attributes.get("http.route") == "/api/mock-interviews"
    ]
    assert len(entries) == REQUESTS

    for entry in entries:
        trace = entry.trace_id
        (client,) = [s for s in front if s.trace_id == trace and s.kind == CLIENT]
        (inner,) = [s for s in back if s.trace_id == trace and s.kind == SERVER]
        db = [s for s in back if s.trace_id == trace and "db.statement" in s.attributes]
        assert entry.kind == SERVER and entry.parent_id == ""
        assert client.parent_id == entry.span_id
        assert inner.parent_id == client.span_id
        assert db and all(s.parent_id == inner.span_id for s in db)
    assert {s.service for s in front} == {"pair-front"}
    assert {s.service for s in back} == {"pair-back"}


def test_every_line_of_a_request_carries_its_trace_and_span(pair_run: PairRun) -> None:
    """Each request's lines in both files name its trace and a span it wrote."""
    for service in ("pair-front", "pair-back"):
        spans = {s.span_id: s for s in pair_run.spans(service)}
        lines = [
            line
            for line in pair_run.logs(service)
            if line.get("request_id") in pair_run.request_ids
        ]
        assert {line["request_id"] for line in lines} == set(pair_run.request_ids)
        for line in lines:
            span = spans[line["span_id"]]
            assert line["trace_id"] == span.trace_id, line
            assert span.kind == SERVER, line


def test_the_request_id_and_trace_id_agree_across_services(pair_run: PairRun) -> None:
    """The same request id maps to the same trace id in both services."""
    traces = [
        {
            line["request_id"]: line["trace_id"]
            for line in pair_run.logs(service)
            if line["event"] == names.EVENT_ACCESS
            and line["request_id"] in pair_run.request_ids
        }
        for service in ("pair-front", "pair-back")
    ]
    assert traces[0] == traces[1] and len(set(traces[0].values())) == REQUESTS


def test_nothing_is_lost_or_doubled_after_sigterm(pair_run: PairRun) -> None:
    """N requests: N entry spans and N access events in each service's files."""
    for service, route in (
        ("pair-front", "/api/mock-interviews"),
        ("pair-back", "/api/video-conferences"),
    ):
        entries = [
            s
            for s in pair_run.spans(service)
            if s.kind == SERVER and s.attributes.get("http.route") == route
        ]
        access = [
            line
            for line in events(pair_run.folder / f"{service}.logs.jsonl", "http.access")
            if line["route"] == route
        ]
        assert (
            len(entries) == REQUESTS and len({s.span_id for s in entries}) == REQUESTS
        )
        assert len(access) == REQUESTS


def test_rejections_carry_the_cause_on_the_deciding_service(pair_run: PairRun) -> None:
    """The inner span has error.type and the schedule numbers; the outer, upstream."""
    back = [s for s in pair_run.spans("pair-back") if s.kind == SERVER]
    rejected = [s for s in back if s.attributes.get(names.ATTR_ERROR_TYPE)]
    assert len(rejected) == REQUESTS // 2
    assert {s.attributes[names.ATTR_ERROR_TYPE] for s in rejected} == {
        "schedule.too_soon"
    }
    assert all(s.attributes[names.ATTR_LEAD_MS] == 1000.0 for s in rejected)
    front = [s for s in pair_run.spans("pair-front") if s.kind == SERVER]
    assert (
        sum(
            s.attributes.get(names.ATTR_ERROR_TYPE) == "upstream.rejected"
            for s in front
        )
        == REQUESTS // 2
    )


def test_uvicorn_lines_share_the_json_format(pair_run: PairRun) -> None:
    """uvicorn's start-up line is in the JSON file, written once."""
    started = [
        line
        for line in pair_run.logs("pair-back")
        if line["event"] == "Application startup complete."
    ]
    assert len(started) == 1 and started[0]["logger"] == "uvicorn.error"
