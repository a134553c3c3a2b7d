"""Write synthetic telemetry shaped like the two services' files, for benchmarks.

Usage:
    python benchmarks/gen_otlp.py --spans 1000000 --out benchmarks/data/bench
    python benchmarks/gen_otlp.py --spans 0 --log-lines 2000000 --out benchmarks/data/l

Each request is one trace: the interviews server span, its ASGI send sub-spans
and its httpx client span (in ``interviews.traces.jsonl``), and the video-rooms
server span with a database span and a send sub-span (in
``video-rooms.traces.jsonl``). Lines hold batches of spans, as the official
OTLP JSON file exporter writes them behind a batch span processor. Log files
hold structlog JSON lines with an access event per request and a rejection
event carrying the cause. ``truth.json`` records the injected causes.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

# (cause, weight, outer status, inner status or None when no inner call is made)
_MIX = [
    (None, 70, 201, 201),
    ("schedule.too_soon", 16, 400, 400),
    ("schedule.in_past", 2, 400, 400),
    ("payload.invalid_datetime", 3, 400, None),
    ("auth.missing_credentials", 3, 502, 401),
    ("host.missing", 2, 400, 400),
    ("db.integrity_error", 2, 502, 500),
    ("db.unavailable", 2, 502, 503),
]
_OUTER_ROUTE = "/api/mock-interviews"
_INNER_ROUTE = "/api/video-conferences"
_BASE_NS = 1_748_600_000_000_000_000


@dataclass(frozen=True)
class Request:
    """One simulated request: its ids, times and outcome."""

    trace_id: str
    start_ns: int
    cause: str | None
    outer_status: int
    inner_status: int | None
    legacy: bool
    lead_ms: float


def _attr(key: str, value: object) -> str:
    """One OTLP JSON key-value, with 64-bit integers written as strings."""
    if isinstance(value, bool):
        body = {"boolValue": value}
    elif isinstance(value, int):
        body = {"intValue": str(value)}
    elif isinstance(value, float):
        body = {"doubleValue": value}
    else:
        body = {"stringValue": value}
    return json.dumps({"key": key, "value": body}, separators=(",", ":"))


def _span(
    req: Request, span_id: str, parent: str, name: str, kind: int, offsets, attrs, error
) -> str:
    """One OTLP JSON span; ``offsets`` are microseconds after the request start."""
    start = req.start_ns + offsets[0] * 1000
    end = req.start_ns + offsets[1] * 1000
    status = '{"code":2}' if error else "{}"
    parent_part = f'"parentSpanId":"{parent}",' if parent else ""
    return (
        f'{{"traceId":"{req.trace_id}","spanId":"{span_id}",{parent_part}'
        f'"flags":256,"name":"{name}","kind":{kind},'
        f'"startTimeUnixNano":"{start}","endTimeUnixNano":"{end}",'
        f'"attributes":[{",".join(_attr(k, v) for k, v in attrs.items())}],'
        f'"status":{status}}}'
    )


def _server_attrs(route: str, status: int, port: int) -> dict[str, object]:
    """Stable HTTP semantic-convention attributes of a FastAPI server span."""
    return {
        "http.request.method": "POST",
        "url.scheme": "http",
        "url.path": route,
        "http.route": route,
        "server.address": "127.0.0.1",
        "server.port": port,
        "network.protocol.version": "1.1",
        "user_agent.original": "python-httpx/0.28.1",
        "client.address": "127.0.0.1",
        "client.port": 51234,
        "http.response.status_code": status,
    }


def _schedule_attrs(req: Request) -> dict[str, object]:
    """The numbers behind a schedule decision."""
    return {
        "schedule.lead_ms": req.lead_ms,
        "schedule.min_lead_ms": 60000.0,
        "schedule.server_now": "2025-05-30T22:45:55.939000Z",
    }


def _outer_spans(req: Request, ids: list[str]) -> list[str]:
    """The interviews service's spans of one request."""
    server, client, send1, send2 = ids[:4]
    attrs = _server_attrs(_OUTER_ROUTE, req.outer_status, 8001)
    attrs["client.time_zone"] = "Europe/Moscow" if req.lead_ms < 0 else "UTC"
    attrs["schedule.lead_ms"] = req.lead_ms + 35.0
    failed = req.outer_status >= 400
    if failed and not req.legacy:
        attrs["error.type"] = _outer_cause(req)
        if req.inner_status is not None:
            attrs["upstream.cause"] = req.cause
    spans = [
        _send_span(req, send1, server, _OUTER_ROUTE, req.outer_status, 900),
        _send_span(req, send2, server, _OUTER_ROUTE, req.outer_status, 910),
        _server_span(req, server, "POST " + _OUTER_ROUTE, attrs, failed, 0, 930),
    ]
    if req.inner_status is not None:
        spans.insert(0, _client_span(req, client, server))
    return spans


def _outer_cause(req: Request) -> str:
    """The outer tier's own cause code, mapped from the inner result."""
    if req.inner_status is None or req.inner_status < 401:
        return req.cause or ""
    if req.inner_status in (401, 403):
        return "upstream.rejected"
    return "upstream.error"


def _client_span(req: Request, span_id: str, parent: str) -> str:
    """The httpx client span of the internal call."""
    attrs: dict[str, object] = {
        "http.request.method": "POST",
        "url.full": "http://127.0.0.1:8002" + _INNER_ROUTE,
        "server.address": "127.0.0.1",
        "server.port": 8002,
        "network.protocol.version": "1.1",
        "http.response.status_code": req.inner_status or 0,
    }
    failed = (req.inner_status or 0) >= 400
    if failed:
        attrs["error.type"] = str(req.inner_status)
    return _span(req, span_id, parent, "POST", 3, (40, 880), attrs, failed)


def _server_span(req, span_id, name, attrs, failed, begin, end) -> str:
    """A server span with no parent in the same process."""
    return _span(req, span_id, "", name, 2, (begin, end), attrs, failed)


def _send_span(req: Request, span_id, parent, route, status, at) -> str:
    """An ASGI ``http send`` sub-span."""
    attrs = {
        "asgi.event.type": "http.response.start",
        "http.response.status_code": status,
    }
    name = "POST " + route + " http send"
    return _span(req, span_id, parent, name, 1, (at, at + 5), attrs, False)


def _inner_spans(req: Request, ids: list[str], client: str) -> list[str]:
    """The video-rooms service's spans of one request."""
    server, db, send = ids[4:7]
    attrs = _server_attrs(_INNER_ROUTE, req.inner_status or 0, 8002)
    failed = (req.inner_status or 0) >= 400
    if req.cause and req.cause.startswith("schedule."):
        attrs.update(_schedule_attrs(req))
    if failed:
        attrs["error.type"] = req.cause or ""
    db_attrs = {
        "db.system": "sqlite",
        "db.name": "triage.sqlite",
        "db.statement": "INSERT INTO video_rooms (id, name, description, is_private, "
        "max_participants, scheduled_start_time, host_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
    }
    db_failed = (req.inner_status or 0) >= 500
    name = "POST " + _INNER_ROUTE
    return [
        _span(
            req, db, server, "INSERT triage.sqlite", 3, (120, 600), db_attrs, db_failed
        ),
        _send_span(req, send, server, _INNER_ROUTE, req.inner_status, 700),
        _span(req, server, client, name, 2, (100, 760), attrs, failed),
    ]


def _request(rng: random.Random, index: int) -> Request:
    """Draw one request's outcome from the mix."""
    cause, _, outer, inner = rng.choices(_MIX, weights=[m[1] for m in _MIX])[0]
    if cause == "schedule.too_soon":
        lead = rng.uniform(-500.0, 2000.0)
    elif cause == "schedule.in_past":
        lead = -3 * 3600_000.0 + rng.uniform(-500, 500)
    else:
        lead = rng.uniform(120_000.0, 900_000.0)
    return Request(
        trace_id=f"{rng.getrandbits(128):032x}",
        start_ns=_BASE_NS + index * 2_000_000,
        cause=cause,
        outer_status=outer,
        inner_status=inner,
        legacy=cause is not None and inner is not None and rng.random() < 0.5,
        lead_ms=round(lead, 3),
    )


def _resource_line(service: str, spans: list[str]) -> str:
    """One ExportTraceServiceRequest line for a batch of one service's spans."""
    resource = ",".join(
        _attr(k, v)
        for k, v in {
            "telemetry.sdk.language": "python",
            "telemetry.sdk.name": "opentelemetry",
            "telemetry.sdk.version": "1.45.2",
            "service.name": service,
        }.items()
    )
    return (
        f'{{"resourceSpans":[{{"resource":{{"attributes":[{resource}]}},'
        f'"scopeSpans":[{{"scope":{{"name":"opentelemetry.instrumentation.fastapi"}},'
        f'"spans":[{",".join(spans)}]}}]}}]}}\n'
    )


def write_traces(out: Path, spans: int, batch: int, seed: int) -> Counter:
    """Write about ``spans`` spans over both services; return failures by cause."""
    rng = random.Random(seed)
    truth: Counter = Counter()
    files = {
        name: (out / f"{name}.traces.jsonl").open("w")
        for name in ("interviews", "video-rooms")
    }
    pending: dict[str, list[str]] = {name: [] for name in files}
    written, index = 0, 0
    while written < spans:
        req = _request(rng, index)
        index += 1
        ids = [f"{rng.getrandbits(64):016x}" for _ in range(7)]
        outer = _outer_spans(req, ids)
        inner = _inner_spans(req, ids, ids[1]) if req.inner_status else []
        pending["interviews"].extend(outer)
        pending["video-rooms"].extend(inner)
        written += len(outer) + len(inner)
        truth[req.cause or "ok"] += 1
        for name, batch_spans in pending.items():
            if len(batch_spans) >= batch:
                files[name].write(_resource_line(name, batch_spans))
                batch_spans.clear()
    for name, batch_spans in pending.items():
        if batch_spans:
            files[name].write(_resource_line(name, batch_spans))
        files[name].close()
    return truth


def _log_line(req: Request, service: str, event: dict[str, object]) -> str:
    """One structlog JSON line of a request."""
    record: dict[str, object] = {
        "timestamp": f"2025-05-30T22:45:55.{req.start_ns // 1000 % 1_000_000:06d}Z",
        "level": "info",
        "service": service,
        "trace_id": req.trace_id,
        "span_id": req.trace_id[:16],
        "request_id": req.trace_id[16:],
    }
    record.update(event)
    return json.dumps(record, separators=(",", ":")) + "\n"


def _access(route: str, status: int, cause: str | None) -> dict[str, object]:
    """The one access event of a request."""
    event: dict[str, object] = {
        "event": "http.access",
        "method": "POST",
        "route": route,
        "path": route,
        "status": status,
        "duration_ms": 12.5 if route == _OUTER_ROUTE else 7.25,
    }
    if cause:
        event["cause"] = cause
    return event


def _request_logs(req: Request) -> list[tuple[str, str]]:
    """(service, line) pairs for one request, in the order they are written."""
    lines = []
    if req.inner_status is not None:
        if req.cause and req.inner_status >= 400:
            event = {
                "event": "request.rejected",
                "level": "warning",
                "cause": req.cause,
            }
            if req.cause.startswith("schedule."):
                event.update(_schedule_attrs(req))
            lines.append(("video-rooms", _log_line(req, "video-rooms", event)))
        else:
            event = {"event": "room.created", "room_id": 17}
            lines.append(("video-rooms", _log_line(req, "video-rooms", event)))
        inner_cause = req.cause if (req.inner_status or 0) >= 400 else None
        access = _access(_INNER_ROUTE, req.inner_status, inner_cause)
        lines.append(("video-rooms", _log_line(req, "video-rooms", access)))
    outer_cause = None if req.legacy or not req.cause else _outer_cause(req)
    if req.cause and req.inner_status is None:
        event = {"event": "request.rejected", "level": "warning", "cause": req.cause}
        lines.append(("interviews", _log_line(req, "interviews", event)))
    access = _access(_OUTER_ROUTE, req.outer_status, outer_cause)
    lines.append(("interviews", _log_line(req, "interviews", access)))
    return lines


def write_logs(out: Path, lines: int, seed: int) -> Counter:
    """Write about ``lines`` structlog lines over both services."""
    rng = random.Random(seed + 1)
    truth: Counter = Counter()
    files = {
        name: (out / f"{name}.logs.jsonl").open("w")
        for name in ("interviews", "video-rooms")
    }
    written, index = 0, 0
    while written < lines:
        req = _request(rng, index)
        index += 1
        for service, line in _request_logs(req):
            files[service].write(line)
            written += 1
        truth[req.cause or "ok"] += 1
    for handle in files.values():
        handle.close()
    return truth


def main() -> None:
    """Parse arguments and write the files."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spans", type=int, default=100_000)
    parser.add_argument("--log-lines", type=int, default=0)
    parser.add_argument("--batch", type=int, default=64, help="spans per line")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/data/bench"))
    args = parser.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    truth = {}
    if args.spans:
        truth["traces"] = write_traces(args.out, args.spans, args.batch, args.seed)
    if args.log_lines:
        truth["logs"] = write_logs(args.out, args.log_lines, args.seed)

    (args.out / "truth.json").write_text(json.dumps(truth, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
