"""The table shapes the evidence steps read, and helpers that coerce into them.

Span table (one row per span): ``trace_id``, ``span_id``, ``parent_span_id``
(lower-case hex, missing parent as NA), ``service``, ``name``, ``kind`` (one of
``KINDS``), ``start_ns`` and ``end_ns`` (Unix nanoseconds), ``status`` (``ok``,
``error`` or ``unset``), ``http_status``, ``cause``, ``lead_ms`` and
``min_lead_ms``. Log table (one row per event): ``timestamp_ns``, ``service``,
``trace_id``, ``span_id``, ``event``, ``level``, ``cause``, ``lead_ms``,
``min_lead_ms``. Steps name the subset they need and check it with ``require``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from analyzer.evidence.errors import MissingColumnsError

KINDS = ("unspecified", "internal", "server", "client", "producer", "consumer")
SERVER = "server"
CLIENT = "client"

# OTLP enum numbers (opentelemetry-proto trace.proto, Span.SpanKind).
_KIND_BY_NUMBER = dict(enumerate(KINDS))

SPAN_COLUMNS = (
    "trace_id",
    "span_id",
    "parent_span_id",
    "service",
    "name",
    "kind",
    "start_ns",
    "end_ns",
    "status",
    "http_status",
    "cause",
    "lead_ms",
    "min_lead_ms",
)
LOG_COLUMNS = (
    "timestamp_ns",
    "service",
    "trace_id",
    "span_id",
    "event",
    "level",
    "cause",
    "lead_ms",
    "min_lead_ms",
)

NS_PER_MS = 1_000_000
MS_PER_S = 1_000
MS_PER_HOUR = 3_600_000
# Call chains deeper than this are treated as cycles.
MAX_DEPTH = 32


def require(frame: pd.DataFrame, columns: Iterable[str], step: str) -> None:
    """Raise MissingColumnsError naming every column ``step`` needs but lacks."""
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise MissingColumnsError(f"{step} needs columns {', '.join(missing)}")


def normalise_kind(value: object) -> str:
    """Map an OTLP span kind (number, ``SPAN_KIND_SERVER``, ``server``) to a name."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "unspecified"
    if isinstance(value, int | np.integer):
        return _KIND_BY_NUMBER.get(int(value), "unspecified")

    text = str(value).strip().lower().removeprefix("span_kind_")
    if text.isdigit():
        return _KIND_BY_NUMBER.get(int(text), "unspecified")

    return text if text in KINDS else "unspecified"


def to_ns(values: pd.Series) -> pd.Series:
    """Unix nanoseconds as float64 from ints or datetimes; NaN when unknown.

    The readers write 0 for a time they could not read (absent, unparseable,
    out of range), so 0 and below are unknown too.
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(
        values.dtype
    ):
        stamps = pd.to_datetime(values, utc=True)
        ns = stamps.astype("int64").astype("float64")
        return ns.where(stamps.notna() & (ns > 0))

    ns = pd.to_numeric(values, errors="coerce").astype("float64")

    return ns.where(ns > 0)


def span_depths(spans: pd.DataFrame) -> dict[tuple[str, str], int]:
    """How many ancestors each span has in the input (cycle-safe)."""
    parent = dict(
        zip(
            zip(spans["trace_id"], spans["span_id"], strict=True),
            spans["parent_span_id"],
            strict=True,
        )
    )
    depth: dict[tuple[str, str], int] = {}
    for key in parent:
        chain: list[Any] = []
        current: Any = key
        while current in parent and current not in depth and current not in chain:
            chain.append(current)
            up = parent[current]
            current = (current[0], up) if isinstance(up, str) else None
        base = depth.get(current, -1) if current is not None else -1
        for offset, item in enumerate(reversed(chain), start=1):
            depth[item] = base + offset

    return depth


def kinds(values: pd.Series) -> pd.Series:
    """``normalise_kind`` over a column, computed once per distinct value."""
    names = {value: normalise_kind(value) for value in values.dropna().unique()}

    return values.map(names).fillna("unspecified").astype("object")


def ancestors(
    spans: pd.DataFrame, start: pd.DataFrame, max_depth: int = MAX_DEPTH
) -> Iterator[pd.DataFrame]:
    """Walk up from ``start`` rows level by level, a join per level, cycle-bounded.

    ``start`` has ``trace_id`` and ``parent_span_id``; each yielded frame pairs
    ``origin`` (the start row's index label) with ``row``, the position in
    ``spans`` of its ancestor at that level (parent first). A span listed
    twice counts once; a parent cycle ends after ``max_depth`` levels.
    """
    index = (
        spans[["trace_id", "span_id"]]
        .assign(row=np.arange(len(spans)))
        .drop_duplicates(["trace_id", "span_id"])
    )
    parents = spans["parent_span_id"].to_numpy()
    current = pd.DataFrame(
        {
            "origin": start.index.to_numpy(),
            "trace_id": start["trace_id"].to_numpy(),
            "span_id": start["parent_span_id"].to_numpy(),
        }
    )
    for _ in range(max_depth):
        current = current[current["span_id"].notna()].merge(
            index, on=["trace_id", "span_id"]
        )
        if current.empty:
            return
        yield current[["origin", "row"]]
        current = current.assign(span_id=parents[current["row"].to_numpy()])[
            ["origin", "trace_id", "span_id"]
        ]
