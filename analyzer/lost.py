"""Broken propagation: an entry that called out but whose callee is in another trace.

When the trace context is not forwarded, the callee's server span starts a new
trace and looks like an entry request of its own. Such an entry (one that made
a client call but has no server span below it) is paired with a root server
span of a service it calls, lying within its time window in another trace. The
pair is one request: the callee is dropped from the entries and the caller,
when nothing else explains its failure, gets ``context.lost``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def pair_orphans(
    entries: pd.DataFrame, downstream: dict[str, set[str]]
) -> pd.DataFrame:
    """Mark callers whose callee's span is an orphan (``lost``) and drop the orphans."""
    entries = entries.copy()
    entries["lost"] = False
    callers = np.flatnonzero(
        entries["calls_out"].to_numpy() & ~entries["has_callee"].to_numpy()
    )
    if not len(callers):
        return entries

    order = np.argsort(entries["start_ns"].to_numpy(), kind="stable")
    starts = entries["start_ns"].to_numpy()[order]
    ends = entries["end_ns"].to_numpy()
    services = entries["service"].astype(object).to_numpy()
    traces = entries["trace"].to_numpy()
    used = np.zeros(len(entries), dtype=bool)
    lost = np.zeros(len(entries), dtype=bool)
    for caller in callers[
        np.argsort(entries["start_ns"].to_numpy()[callers], kind="stable")
    ]:
        allowed = downstream.get(services[caller])
        low = np.searchsorted(starts, entries["start_ns"].iat[caller], side="left")
        high = np.searchsorted(starts, ends[caller], side="right")
        for candidate in order[low:high]:
            if _fits(candidate, caller, used, ends, services, traces, allowed):
                used[candidate] = True
                lost[caller] = True
                break
    entries["lost"] = lost

    return entries[~used].reset_index(drop=True)


def _fits(candidate, caller, used, ends, services, traces, allowed) -> bool:
    """Whether an entry can be the orphaned callee of ``caller``."""
    if used[candidate] or candidate == caller or traces[candidate] == traces[caller]:
        return False
    if ends[candidate] > ends[caller] or services[candidate] == services[caller]:
        return False

    return allowed is None or services[candidate] in allowed
