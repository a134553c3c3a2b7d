"""JSON-lines application logs: structlog output and similar files.

Each line is one flat JSON object. The keys the analysis needs are found under
the names common loggers use (``trace_id`` or ``traceId``, ``event`` or
``message``, ...); everything else on the line is ignored.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analyzer import schema as s
from analyzer.ids import id_column
from analyzer.rows import LogRows, first
from analyzer.timeparse import time_column, time_ns

LOG_HINT_KEYS = frozenset(
    s.LOG_TRACE_KEYS + s.LOG_EVENT_KEYS + s.LOG_LEVEL_KEYS + s.LOG_TIME_KEYS
)


def is_log_record(document: object) -> bool:
    """Whether a decoded line looks like an application log record."""
    return isinstance(document, Mapping) and not LOG_HINT_KEYS.isdisjoint(document)


def add_record(record: Mapping, rows: LogRows) -> None:
    """Add one decoded log line."""
    rows.add(
        trace_id=first(record, s.LOG_TRACE_KEYS),
        span_id=first(record, s.LOG_SPAN_KEYS),
        service=first(record, s.LOG_SERVICE_KEYS),
        time_ns=time_ns(first(record, s.LOG_TIME_KEYS)),
        event=first(record, s.LOG_EVENT_KEYS),
        level=first(record, s.LOG_LEVEL_KEYS),
        fields=record,
    )


def bulk_schema(wanted: s.Wanted, seen: frozenset[str] | None = None) -> pa.Schema:
    """The explicit schema the bulk parser reads; any other key is skipped.

    Every declared field costs parse time, so of each group of alternative
    names only those ``seen`` in the file's first lines are declared (a file
    keeps one naming), and the group's first name when none was seen.
    """
    text_groups = [
        s.LOG_TRACE_KEYS,
        s.LOG_SPAN_KEYS,
        s.LOG_TIME_KEYS,
        s.LOG_EVENT_KEYS,
        s.LOG_LEVEL_KEYS,
        s.LOG_SERVICE_KEYS,
        s.LOG_ROUTE_KEYS,
        s.LOG_PATH_KEYS,
        s.LOG_METHOD_KEYS,
        wanted.log_cause_keys,
        (s.SERVER_NOW_KEY,),
    ]
    fields: dict[str, pa.DataType] = {}
    for group in text_groups:
        fields.update(dict.fromkeys(_declared(group, seen), pa.string()))
    fields.update(dict.fromkeys(wanted.extra_keys, pa.string()))
    fields.update(dict.fromkeys(_declared(s.LOG_STATUS_KEYS, seen), pa.int64()))
    fields.update(dict.fromkeys(s.LOG_DURATION_KEYS, pa.float64()))
    fields.update({s.LEAD_KEY: pa.float64(), s.MIN_LEAD_KEY: pa.float64()})

    return pa.schema(list(fields.items()))


def _declared(group: tuple[str, ...], seen: frozenset[str] | None) -> tuple[str, ...]:
    if seen is None:
        return group
    present = tuple(key for key in group if key in seen)

    return present or group[:1]


def _coalesce(table: pa.Table, keys: tuple[str, ...]) -> pa.Array:
    columns = [table.column(key) for key in keys if key in table.column_names]
    if not columns:
        return pa.nulls(table.num_rows, pa.string())
    merged = columns[0] if len(columns) == 1 else pc.coalesce(*columns)

    return merged.combine_chunks() if isinstance(merged, pa.ChunkedArray) else merged


def _dict(array: pa.Array) -> pa.Array:
    return pc.cast(array, pa.string()).dictionary_encode()


def from_bulk(table: pa.Table, wanted: s.Wanted) -> pa.Table:
    """Turn a table parsed with ``bulk_schema`` into the slim log table."""
    trace = id_column(_coalesce(table, s.LOG_TRACE_KEYS), 16)
    span = id_column(_coalesce(table, s.LOG_SPAN_KEYS), 8)
    status = _coalesce(table, s.LOG_STATUS_KEYS).fill_null(0)
    columns = {
        "trace_hi": pa.array(trace[:, 0]),
        "trace_lo": pa.array(trace[:, 1]),
        "span_id": pa.array(span[:, 0]),
        "service": _dict(_coalesce(table, s.LOG_SERVICE_KEYS)),
        "time_ns": pa.array(time_column(_coalesce(table, s.LOG_TIME_KEYS))),
        "event": _dict(_coalesce(table, s.LOG_EVENT_KEYS)),
        "level": _dict(_coalesce(table, s.LOG_LEVEL_KEYS)),
        "http_status": pc.cast(status, pa.int32(), safe=False),
        "route": _dict(_coalesce(table, s.LOG_ROUTE_KEYS)),
        "method": _dict(_coalesce(table, s.LOG_METHOD_KEYS)),
        "path": _dict(_coalesce(table, s.LOG_PATH_KEYS)),
        "duration_ms": _floats(_coalesce(table, s.LOG_DURATION_KEYS)),
        "cause": _dict(_coalesce(table, wanted.log_cause_keys)),
        "lead_ms": _floats(_coalesce(table, (s.LEAD_KEY,))),
        "min_lead_ms": _floats(_coalesce(table, (s.MIN_LEAD_KEY,))),
        "server_now": _coalesce(table, (s.SERVER_NOW_KEY,)),
    }
    for key in wanted.extra_keys:
        columns[s.extra_column(key)] = _dict(_coalesce(table, (key,)))

    return pa.Table.from_pydict(columns, schema=wanted.log_schema())


def _floats(array: pa.Array) -> pa.Array:
    return pa.array(array.to_numpy(zero_copy_only=False).astype(np.float64))
