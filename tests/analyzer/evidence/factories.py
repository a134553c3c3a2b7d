"""Small builders of span and log tables in the evidence steps' column shape."""

from __future__ import annotations

import itertools

import pandas as pd

T0_NS = 1_748_649_600_000_000_000  # 2025-05-31T00:00:00Z
MS = 1_000_000

_ids = itertools.count(1)


def span_id() -> str:
    """A fresh 16-hex-digit span id."""
    return f"{next(_ids):016x}"


def span(
    trace_id: str,
    service: str,
    kind: str,
    start_ms: float,
    end_ms: float,
    *,
    span_id_: str | None = None,
    parent: str | None = None,
    name: str = "POST",
    cause: str | None = None,
    http_status: int | None = None,
    lead_ms: float | None = None,
    min_lead_ms: float | None = None,
    status: str = "unset",
    **attributes: object,
) -> dict[str, object]:
    """One span row; times in milliseconds after T0."""
    return {
        "trace_id": trace_id,
        "span_id": span_id_ or span_id(),
        "parent_span_id": parent,
        "service": service,
        "name": name,
        "kind": kind,
        "start_ns": T0_NS + int(start_ms * MS),
        "end_ns": T0_NS + int(end_ms * MS),
        "status": "error" if cause else status,
        "http_status": http_status,
        "cause": cause,
        "lead_ms": lead_ms,
        "min_lead_ms": min_lead_ms,
        **attributes,
    }


def call(
    trace_id: str,
    client_ms: tuple[float, float],
    server_ms: tuple[float, float],
    *,
    client_service: str = "interviews",
    server_service: str = "video-rooms",
    **server_fields: object,
) -> list[dict[str, object]]:
    """A client span and the server span it called, in another service."""
    client = span(trace_id, client_service, "client", *client_ms)
    server = span(
        trace_id,
        server_service,
        "server",
        *server_ms,
        parent=client["span_id"],
        **server_fields,
    )
    return [client, server]


def frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """A table from rows, missing numbers as NaN."""
    table = pd.DataFrame(rows)
    for column in ("lead_ms", "min_lead_ms", "http_status"):
        if column in table:
            table[column] = pd.to_numeric(table[column], errors="coerce")
    return table


def leads(rows: list[tuple[str, str | None, float | None, float]]) -> pd.DataFrame:
    """A lead table from (service, cause, lead_ms, min_lead_ms) tuples."""
    table = pd.DataFrame(
        [
            {
                "trace_id": f"{i:032x}",
                "service": service,
                "cause": cause,
                "lead_ms": lead,
                "min_lead_ms": minimum,
                "outcome": "rejected"
                if cause and cause.startswith("schedule.")
                else "accepted",
            }
            for i, (service, cause, lead, minimum) in enumerate(rows)
        ]
    )
    table["lead_ms"] = pd.to_numeric(table["lead_ms"], errors="coerce")
    table["min_lead_ms"] = pd.to_numeric(table["min_lead_ms"], errors="coerce")
    return table


_KIND_NUMBERS = {"internal": 1, "server": 2, "client": 3}


def otlp_line(rows: list[dict[str, object]]) -> str:
    """Span rows as one OTLP/JSON ``ExportTraceServiceRequest`` line."""
    import json

    by_service: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        attributes = (
            [{"key": "error.type", "value": {"stringValue": row["cause"]}}]
            if row.get("cause")
            else []
        )
        if row.get("http_status"):
            attributes.append(
                {
                    "key": "http.response.status_code",
                    "value": {"intValue": str(int(row["http_status"]))},
                }
            )
        if row.get("lead_ms") is not None:
            attributes.append(
                {"key": "schedule.lead_ms", "value": {"doubleValue": row["lead_ms"]}}
            )
        span = {
            "traceId": row["trace_id"],
            "spanId": row["span_id"],
            "parentSpanId": row["parent_span_id"] or "",
            "name": row["name"],
            "kind": _KIND_NUMBERS[str(row["kind"])],
            "startTimeUnixNano": str(row["start_ns"]),
            "endTimeUnixNano": str(row["end_ns"]),
            "attributes": attributes,
            "status": {"code": 2} if row.get("cause") else {},
        }
        by_service.setdefault(str(row["service"]), []).append(span)
    resource_spans = [
        {
            "resource": {
                "attributes": [
                    {"key": "service.name", "value": {"stringValue": service}}
                ]
            },
            "scopeSpans": [{"scope": {"name": "test"}, "spans": spans}],
        }
        for service, spans in by_service.items()
    ]
    return json.dumps({"resourceSpans": resource_spans})
