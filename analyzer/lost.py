"""Broken propagation: an entry that called out but whose callee is in another trace.

When the trace context is not forwarded, the callee's server span starts a new
trace and looks like an entry request of its own. Such an orphan is paired
with the client call it answered: a client span, under an entry that has no
server span below it, whose time window holds the orphan. The pair is one
request: the callee is dropped from the entries and the caller, when nothing
else explains its failure, gets ``context.lost``.

Pairs are taken tightest first (least time between the client span's edges
and the orphan's), so under concurrency an orphan goes to the call that fits
it best rather than to whichever caller started first and is still open (a
slow, timed-out call spans many others). A server span may close a little
after its client has read the answer (it ends after its last write), hence a
small tolerance on both edges.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyzer.schema import KIND_CLIENT

_TOLERANCE_NS = 5_000_000  # 5 ms, or a tenth of the call when that is longer


def pair_orphans(
    entries: pd.DataFrame, spans: pd.DataFrame, downstream: dict[str, set[str]]
) -> pd.DataFrame:
    """Mark callers whose callee's span is an orphan (``lost``) and drop the orphans."""
    entries = entries.copy()
    entries["lost"] = False
    calls = _unanswered_calls(entries, spans)
    if not len(calls):
        return entries

    pairs = _candidate_pairs(calls, entries, downstream)
    used = np.zeros(len(entries), dtype=bool)
    lost = np.zeros(len(entries), dtype=bool)
    call_taken: set[int] = set()
    for call, orphan, caller in pairs:
        if call in call_taken or used[orphan]:
            continue
        call_taken.add(call)
        used[orphan] = True
        lost[caller] = True
    entries["lost"] = lost

    return entries[~used].reset_index(drop=True)


def _unanswered_calls(entries: pd.DataFrame, spans: pd.DataFrame) -> pd.DataFrame:
    """Client spans under entries that have no server span below them."""
    waiting = entries["calls_out"].to_numpy() & ~entries["has_callee"].to_numpy()
    if not waiting.any():
        return pd.DataFrame()
    caller_of_row = pd.Series(
        np.flatnonzero(waiting), index=entries["row"].to_numpy()[waiting]
    )
    client = (spans["kind"].to_numpy() == KIND_CLIENT) & np.isin(
        spans["entry_row"].to_numpy(), caller_of_row.index.to_numpy()
    )
    calls = spans.loc[client, ["entry_row", "start_ns", "end_ns"]]
    calls = calls[(calls["start_ns"] > 0) & (calls["end_ns"] >= calls["start_ns"])]

    return pd.DataFrame(
        {
            "caller": caller_of_row.loc[calls["entry_row"].to_numpy()].to_numpy(),
            "start_ns": calls["start_ns"].to_numpy(),
            "end_ns": calls["end_ns"].to_numpy(),
        }
    )


def _candidate_pairs(
    calls: pd.DataFrame, entries: pd.DataFrame, downstream: dict[str, set[str]]
) -> list[tuple[int, int, int]]:
    """(call, orphan, caller) for every orphan that fits a call, tightest first."""
    starts = entries["start_ns"].to_numpy()
    ends = entries["end_ns"].to_numpy()
    services = entries["service"].astype(object).to_numpy()
    traces = entries["trace"].to_numpy()
    order = np.argsort(starts, kind="stable")
    sorted_starts = starts[order]

    found: list[tuple[int, int, int, int]] = []
    for call, (caller, start, end) in enumerate(
        zip(
            calls["caller"].tolist(),
            calls["start_ns"].tolist(),
            calls["end_ns"].tolist(),
            strict=True,
        )
    ):
        slack = max(_TOLERANCE_NS, (end - start) // 10)
        low = np.searchsorted(sorted_starts, start - slack, side="left")
        high = np.searchsorted(sorted_starts, end + slack, side="right")
        allowed = downstream.get(services[caller])
        for orphan in order[low:high]:
            if (
                orphan == caller
                or traces[orphan] == traces[caller]
                or services[orphan] == services[caller]
                or ends[orphan] > end + slack
                or (allowed is not None and services[orphan] not in allowed)
            ):
                continue
            fit = abs(int(starts[orphan]) - int(start)) + abs(
                int(end) - int(ends[orphan])
            )
            found.append((fit, call, int(orphan), int(caller)))
    found.sort()

    return [(call, orphan, caller) for _, call, orphan, caller in found]
