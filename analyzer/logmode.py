"""Logs-only mode: access events stand in for server spans.

With no trace files, each access event (a log line with an HTTP status) becomes
a server "span" lasting its ``duration_ms`` and ending at its timestamp. Within
one trace id the longest request encloses the shorter ones, so the events are
chained longest first: the outermost is the entry request, the others are the
calls it made. Duration needs no clock agreement between services, unlike
start times. Cause-carrying log events then join their request by trace id
and span id, exactly as in trace mode.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyzer import graph
from analyzer.schema import KIND_SERVER, STATUS_UNSET

_SYNTHETIC = np.uint64(1 << 63)  # marks ids made up here, never seen in a file


def access_mask(logs: pd.DataFrame) -> np.ndarray:
    """Which log events are access events: one per request among those with a status.

    Other events of a request may repeat its status (our rejection event does,
    and its duration is unknown). Of the status-carrying events that share a
    trace and span id, the one with the longest ``duration_ms`` stands for the
    request; the others stay log events written inside it. Events without a
    span id (or trace id) cannot be told apart, so each of them counts.
    """
    status = logs["http_status"].to_numpy() > 0
    rows = np.flatnonzero(status)
    traced = (logs["trace_hi"].to_numpy()[rows] != 0) | (
        logs["trace_lo"].to_numpy()[rows] != 0
    )
    identified = traced & (logs["span_id"].to_numpy()[rows] != 0)
    keep = np.zeros(len(logs), dtype=bool)
    keep[rows[~identified]] = True

    named = rows[identified]
    request = graph.dense_codes(
        logs["trace_hi"].to_numpy()[named],
        logs["trace_lo"].to_numpy()[named],
        logs["span_id"].to_numpy()[named],
    )
    duration = np.nan_to_num(logs["duration_ms"].to_numpy()[named], nan=-1.0)
    # Per request code, longest duration last (later rows win ties): keep the last.
    order = np.lexsort((named, duration, request))
    last = np.ones(len(order), dtype=bool)
    last[:-1] = request[order][1:] != request[order][:-1]
    keep[named[order[last]]] = True

    return keep


def access_spans(logs: pd.DataFrame, mask: np.ndarray | None = None) -> pd.DataFrame:
    """One server span per access event, chained by duration within each trace.

    ``mask`` is ``access_mask(logs)`` when the caller has it already.
    """
    access = logs[access_mask(logs) if mask is None else mask].reset_index(drop=True)
    count = len(access)
    rows = np.arange(count, dtype=np.uint64) + np.uint64(1)
    duration_ns = np.nan_to_num(access["duration_ms"].to_numpy(), nan=0.0) * 1e6
    end = access["time_ns"].to_numpy()

    trace_hi = access["trace_hi"].to_numpy().copy()
    trace_lo = access["trace_lo"].to_numpy().copy()
    no_trace = (trace_hi == 0) & (trace_lo == 0)
    trace_hi[no_trace] = _SYNTHETIC
    trace_lo[no_trace] = rows[no_trace]

    # access_mask keeps one event per (trace, span id); only events without a
    # span id need an id made up (trace-less ones got a trace of their own).
    span_id = access["span_id"].to_numpy().copy()
    clash = span_id == 0
    span_id[clash] = _SYNTHETIC | rows[clash]

    spans = pd.DataFrame(
        {
            "trace_hi": trace_hi,
            "trace_lo": trace_lo,
            "span_id": span_id,
            "parent_id": np.zeros(count, dtype=np.uint64),
            "service": access["service"],
            "name": access["event"],
            "kind": np.full(count, KIND_SERVER, dtype=np.int8),
            "start_ns": (end - duration_ns).astype(np.int64),
            "end_ns": end,
            "status": np.full(count, STATUS_UNSET, dtype=np.int8),
        }
    )
    for column in access.columns:
        if column not in spans and column not in ("time_ns", "event", "level"):
            spans[column] = access[column]
    spans["inner_cause"] = pd.Series([None] * count, dtype=object)
    spans["parent_id"] = _chain(spans, duration_ns)

    return spans


def _chain(spans: pd.DataFrame, duration_ns: np.ndarray) -> np.ndarray:
    """Each event's parent: the next longer event of the same trace."""
    # By trace, then longest first, then earliest; lexsort is stable.
    order = np.lexsort(
        (
            spans["start_ns"].to_numpy(),
            -duration_ns,
            spans["trace_lo"].to_numpy(),
            spans["trace_hi"].to_numpy(),
        )
    )
    hi = spans["trace_hi"].to_numpy()[order]
    lo = spans["trace_lo"].to_numpy()[order]
    ids = spans["span_id"].to_numpy()[order]
    same_trace = np.zeros(len(order), dtype=bool)
    same_trace[1:] = (hi[1:] == hi[:-1]) & (lo[1:] == lo[:-1])
    parent = np.zeros(len(order), dtype=np.uint64)
    parent[1:] = np.where(same_trace[1:], ids[:-1], 0)
    result = np.zeros(len(order), dtype=np.uint64)
    result[order] = parent

    return result
