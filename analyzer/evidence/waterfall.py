"""One trace as a waterfall: spans in call order, log events in place, skew marked.

Times are shown as recorded by each service. Where a child span starts before
its parent or ends after it, the row is marked with the amount, because that is
the visible trace of a clock offset (Jaeger hides it by shifting spans; this
view does not).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analyzer.evidence.errors import TraceNotFoundError
from analyzer.evidence.frames import NS_PER_MS, normalise_kind, require, to_ns

_SPAN_NEEDS = ("trace_id", "span_id", "parent_span_id", "service", "name", "start_ns")
# Log fields worth showing beside the event name, in this order.
LOG_FIELDS = ("cause", "status", "http_status", "lead_ms", "min_lead_ms", "message")


@dataclass(frozen=True)
class LogLine:
    """One log event written inside a span (or outside any, for orphans)."""

    offset_ms: float | None
    service: str
    level: str
    event: str
    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class WaterfallRow:
    """One span, its place in the tree and the events written inside it."""

    depth: int
    span_id: str
    service: str
    name: str
    kind: str
    offset_ms: float | None
    duration_ms: float | None
    status: str
    cause: str
    marks: tuple[str, ...]
    logs: tuple[LogLine, ...]


@dataclass(frozen=True)
class Waterfall:
    """A whole trace laid out for display."""

    trace_id: str
    start_ns: float | None
    duration_ms: float
    rows: tuple[WaterfallRow, ...]
    orphan_logs: tuple[LogLine, ...]

    @property
    def marked(self) -> int:
        """How many spans carry a timing mark."""
        return sum(1 for row in self.rows if row.marks)


def build(spans: pd.DataFrame, logs: pd.DataFrame, trace_id: str) -> Waterfall:
    """Lay out the trace ``trace_id`` (any case); raise TraceNotFoundError if absent."""
    wanted = trace_id.strip().lower()
    own_spans = _select(spans, wanted, _SPAN_NEEDS)
    own_logs = _select(logs, wanted, ("trace_id",))
    if own_spans.empty and own_logs.empty:
        raise TraceNotFoundError(f"trace {wanted} is not in the input")

    own_spans = _prepare_spans(own_spans)
    starts = own_spans["start_ns"].dropna()
    origin = float(starts.min()) if not starts.empty else _first_log_ns(own_logs)
    lines = _log_lines(own_logs, origin)

    rows = _layout(own_spans, lines, origin)
    placed = {row.span_id for row in rows}
    orphans = tuple(line for key, line in lines if key not in placed)

    ends = own_spans["end_ns"].dropna()
    duration = (float(ends.max()) - origin) / NS_PER_MS if len(ends) and origin else 0.0

    return Waterfall(wanted, origin, duration, tuple(rows), orphans)


def _select(table: pd.DataFrame | None, trace_id: str, needs: tuple) -> pd.DataFrame:
    if table is None or table.empty:
        return pd.DataFrame(columns=list(needs))
    require(table, needs, "trace view")
    ids = table["trace_id"].astype("string").str.lower()

    return table[ids == trace_id]


def _prepare_spans(spans: pd.DataFrame) -> pd.DataFrame:
    spans = spans.copy()
    spans["span_id"] = spans["span_id"].astype("string").str.lower()
    spans["parent_span_id"] = spans["parent_span_id"].astype("string").str.lower()
    spans["start_ns"] = to_ns(spans["start_ns"])
    spans["end_ns"] = to_ns(spans["end_ns"]) if "end_ns" in spans else float("nan")
    # The same span exported twice (retries, two collectors) is shown once.
    spans = spans.drop_duplicates("span_id")

    return spans.sort_values("start_ns", na_position="last")


def _first_log_ns(logs: pd.DataFrame) -> float | None:
    if "timestamp_ns" not in logs or logs.empty:
        return None
    stamps = to_ns(logs["timestamp_ns"]).dropna()

    return float(stamps.min()) if not stamps.empty else None


def _log_lines(logs: pd.DataFrame, origin: float | None) -> list[tuple[str, LogLine]]:
    if logs.empty:
        return []
    logs = logs.copy()
    logs["_ns"] = to_ns(logs["timestamp_ns"]) if "timestamp_ns" in logs else None
    logs = logs.sort_values("_ns", na_position="last")

    lines = []
    for record in logs.to_dict("records"):
        ns = record.get("_ns")
        offset = None if ns is None or pd.isna(ns) or origin is None else ns - origin
        fields = tuple(
            (name, _text(record[name]))
            for name in LOG_FIELDS
            if name in record and _present(record[name])
        )
        line = LogLine(
            offset_ms=None if offset is None else offset / NS_PER_MS,
            service=_text(record.get("service")),
            level=_text(record.get("level")),
            event=_text(record.get("event")),
            fields=fields,
        )
        lines.append((_text(record.get("span_id")).lower(), line))

    return lines


def _layout(
    spans: pd.DataFrame, lines: list[tuple[str, LogLine]], origin: float | None
) -> list[WaterfallRow]:
    records = {r["span_id"]: r for r in spans.to_dict("records")}
    children: dict[str, list[str]] = {}
    roots = []
    for span_id, record in records.items():
        parent = record["parent_span_id"]
        if _present(parent) and parent in records and parent != span_id:
            children.setdefault(parent, []).append(span_id)
        else:
            roots.append(span_id)
    logs_by_span: dict[str, list[LogLine]] = {}
    for key, line in lines:
        logs_by_span.setdefault(key, []).append(line)

    rows: list[WaterfallRow] = []
    seen: set[str] = set()
    # Spans only reachable through a parent cycle are laid out as extra roots.
    for root in [*roots, *records]:
        stack = [(root, 0, None)]
        while stack:
            span_id, depth, parent = stack.pop()
            if span_id in seen:
                continue
            seen.add(span_id)
            record = records[span_id]
            rows.append(_row(record, depth, parent, origin, logs_by_span))
            for child in reversed(children.get(span_id, [])):
                stack.append((child, depth + 1, record))

    return rows


def _row(
    record: dict,
    depth: int,
    parent: dict | None,
    origin: float | None,
    logs_by_span: dict[str, list[LogLine]],
) -> WaterfallRow:
    start, end = record["start_ns"], record["end_ns"]
    offset = None if pd.isna(start) or origin is None else (start - origin) / NS_PER_MS
    duration = None if pd.isna(start) or pd.isna(end) else (end - start) / NS_PER_MS

    return WaterfallRow(
        depth=depth,
        span_id=record["span_id"],
        service=_text(record.get("service")),
        name=_text(record.get("name")),
        kind=normalise_kind(record.get("kind")),
        offset_ms=offset,
        duration_ms=duration,
        status=_text(record.get("status")) or "unset",
        cause=_text(record.get("cause")),
        marks=_marks(record, parent),
        logs=tuple(logs_by_span.get(record["span_id"], ())),
    )


def _marks(record: dict, parent: dict | None) -> tuple[str, ...]:
    """Name every way this span sticks out of its parent's time, with the amount."""
    if parent is None:
        return ()
    marks = []
    early = parent["start_ns"] - record["start_ns"]
    late = record["end_ns"] - parent["end_ns"]
    if pd.notna(early) and early > 0:
        marks.append(f"starts {_seconds(early)} before its parent")
    if pd.notna(late) and late > 0:
        marks.append(f"ends {_seconds(late)} after its parent")
    if marks and record.get("service") != parent.get("service"):
        marks.append("clock offset between services?")

    return tuple(marks)


def _seconds(ns: float) -> str:
    return f"{ns / 1e9:.3f} s"


def _present(value: object) -> bool:
    if value is None:
        return False
    try:
        missing = pd.isna(value)
    except (TypeError, ValueError):
        return True
    return not (isinstance(missing, bool) and missing) and value != ""


def _text(value: object) -> str:
    if not _present(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))

    return str(value)
