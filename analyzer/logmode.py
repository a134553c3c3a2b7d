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

from analyzer.schema import KIND_SERVER, STATUS_UNSET

_SYNTHETIC = np.uint64(1 << 63)  # marks ids made up here, never seen in a file


def access_mask(logs: pd.DataFrame) -> np.ndarray:
    """Which log events are access events: one per request among those with a status.

    Other events of a request may repeat its status (our rejection event does,
    and its duration is unknown). Of the status-carrying events that share a
    trace and span id, the one with the longest ``duration_ms`` stands for the
    request; the others stay log events written inside it. Events without a
    span id cannot be told apart, so each of them counts.
    """
    status = logs["http_status"].to_numpy() > 0
    rows = np.flatnonzero(status)
    span_id = logs["span_id"].to_numpy()[rows]
    keep = np.zeros(len(logs), dtype=bool)
    keep[rows[span_id == 0]] = True

    named = rows[span_id != 0]
    candidates = pd.DataFrame(
        {
            "h": logs["trace_hi"].to_numpy()[named],
            "l": logs["trace_lo"].to_numpy()[named],
            "s": logs["span_id"].to_numpy()[named],
            "d": np.nan_to_num(logs["duration_ms"].to_numpy()[named], nan=-1.0),
            "row": named,
        }
    )
    best = candidates.sort_values(["h", "l", "s", "d", "row"], kind="stable")
    best = best.drop_duplicates(["h", "l", "s"], keep="last")
    keep[best["row"].to_numpy()] = True

    return keep


def access_spans(logs: pd.DataFrame) -> pd.DataFrame:
    """One server span per access event, chained by duration within each trace."""
    access = logs[access_mask(logs)].reset_index(drop=True)
    count = len(access)
    rows = np.arange(count, dtype=np.uint64) + np.uint64(1)
    duration_ns = np.nan_to_num(access["duration_ms"].to_numpy(), nan=0.0) * 1e6
    end = access["time_ns"].to_numpy()

    trace_hi = access["trace_hi"].to_numpy().copy()
    trace_lo = access["trace_lo"].to_numpy().copy()
    no_trace = (trace_hi == 0) & (trace_lo == 0)
    trace_hi[no_trace] = _SYNTHETIC
    trace_lo[no_trace] = rows[no_trace]

    span_id = access["span_id"].to_numpy().copy()
    clash = (span_id == 0) | pd.DataFrame(
        {"h": trace_hi, "l": trace_lo, "s": span_id}
    ).duplicated(keep=False).to_numpy()
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
    order = (
        pd.DataFrame(
            {
                "h": spans["trace_hi"].to_numpy(),
                "l": spans["trace_lo"].to_numpy(),
                "d": -duration_ns,
                "t": spans["start_ns"].to_numpy(),
            }
        )
        .sort_values(["h", "l", "d", "t"], kind="stable")
        .index.to_numpy()
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
