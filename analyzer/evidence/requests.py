"""Entry requests, one row each: when, failed or not, root cause, attributes.

An entry request is a server span with no parent in the input (the first hop a
client made), at an endpoint where at least one failed. It failed when its HTTP
status is 400 or more or its status is error. Its cause is the one the analyzer
core attributed (``root_causes``, by trace id) when given, else the deepest
cause recorded in its trace, else its own. Attributes are the entry span's
extra columns plus, per trace, the first value of each extra log field (only
when the logs cover succeeded requests too, else they would separate the sets
by their mere presence).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analyzer.evidence.frames import (
    SERVER,
    SPAN_COLUMNS,
    normalise_kind,
    span_depths,
)

UNCLASSIFIED = "unclassified"
_LOG_STANDARD = frozenset(
    {
        "trace_id",
        "span_id",
        "timestamp_ns",
        "service",
        "event",
        "level",
        "cause",
        "lead_ms",
        "min_lead_ms",
        "server_now",
        "http_status",
        "route",
        "method",
        "path",
        "duration_ms",
    }
)
_SPAN_STANDARD = frozenset({*SPAN_COLUMNS, "inner_cause", "server_now", "path"})


def entry_requests(
    spans: pd.DataFrame,
    logs: pd.DataFrame,
    root_causes: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per entry request: ``trace_id``, ``start_ns``, ``failed``, ``cause``."""
    if spans.empty or "span_id" not in spans:
        return pd.DataFrame(columns=["trace_id", "start_ns", "failed", "cause"])
    known = set(zip(spans["trace_id"], spans["span_id"], strict=True))
    parents = zip(spans["trace_id"], spans["parent_span_id"], strict=True)
    rootless = np.array([pair not in known for pair in parents], dtype=bool)
    server = (spans["kind"].map(normalise_kind) == SERVER).to_numpy()
    entries = spans[rootless & server].drop_duplicates("trace_id").copy()

    status = pd.to_numeric(entries["http_status"], errors="coerce")
    entries["failed"] = (status >= 400).fillna(False) | (entries["status"] == "error")
    entries = _failing_endpoints(entries)
    entries["cause"] = _causes(entries, spans, root_causes or {})
    entries = _with_log_fields(entries, logs)

    keep = ["trace_id", "start_ns", "failed", "cause", "service"]
    extras = [c for c in entries.columns if c not in _SPAN_STANDARD and c not in keep]

    return entries[keep + extras].reset_index(drop=True)


def _failing_endpoints(entries: pd.DataFrame) -> pd.DataFrame:
    """Only the endpoints (route, else span name) with at least one failure.

    Health checks and log-ins never fail the way the incident does; keeping
    them would make "route" the attribute that best separates the two sets.
    """
    names = [c for c in ("route", "name") if c in entries]
    if not names:
        return entries
    endpoint = entries[names].astype("object").bfill(axis=1).iloc[:, 0]
    failing = set(endpoint[entries["failed"]])
    if not failing:
        return entries

    return entries[endpoint.isin(failing).to_numpy()]


def _causes(
    entries: pd.DataFrame, spans: pd.DataFrame, root_causes: Mapping[str, str]
) -> pd.Series:
    deepest = _deepest_cause(spans)
    causes: list[str | None] = []
    for trace_id, own, failed in zip(
        entries["trace_id"], entries["cause"], entries["failed"], strict=True
    ):
        if not failed:
            causes.append(None)
            continue
        cause = root_causes.get(trace_id) or deepest.get(trace_id)
        causes.append(cause or (own if pd.notna(own) else UNCLASSIFIED))

    return pd.Series(causes, index=entries.index, dtype="object")


def _deepest_cause(spans: pd.DataFrame) -> dict[str, str]:
    """The cause of the deepest span carrying one (not an upstream view), per trace."""
    caused = spans[spans["cause"].notna()]
    caused = caused[~caused["cause"].astype(str).str.startswith("upstream.")]
    if caused.empty:
        return {}
    depth = span_depths(spans)
    ranked = caused.assign(
        _depth=[
            depth[(t, s)]
            for t, s in zip(caused["trace_id"], caused["span_id"], strict=True)
        ]
    )
    ranked = ranked.sort_values("_depth", kind="stable")

    return dict(zip(ranked["trace_id"], ranked["cause"], strict=True))


def _with_log_fields(entries: pd.DataFrame, logs: pd.DataFrame) -> pd.DataFrame:
    if logs is None or logs.empty or "trace_id" not in logs:
        return entries
    fields = [c for c in logs.columns if c not in _LOG_STANDARD]
    fields = [c for c in fields if c not in entries.columns]
    succeeded = set(entries.loc[~entries["failed"].astype(bool), "trace_id"])
    # The core keeps only log lines with a cause: those cover failures alone.
    if not fields or succeeded.isdisjoint(logs["trace_id"]):
        return entries
    per_trace = logs[["trace_id", *fields]].groupby("trace_id", sort=False).first()

    return entries.merge(per_trace, how="left", left_on="trace_id", right_index=True)


def from_core_entries(entries: pd.DataFrame) -> pd.DataFrame:
    """The core's entry table in this module's shape (its attribution kept).

    The core already applied the entry route and time window and chose each
    root cause; here only endpoints with a failure are kept (as above) and the
    columns reshaped: the fixed ones, every ``attr:<key>`` column as ``<key>``
    and the group-by value as ``by``.
    """
    keep = ["trace_id", "start_ns", "failed", "cause", "service"]
    extras = [c for c in entries.columns if str(c).startswith("attr:")]
    entries = _failing_endpoints(entries.assign(failed=entries["failed"].astype(bool)))
    table = entries[[c for c in keep if c in entries] + extras].copy()
    if "by" in entries and entries["by"].notna().any():
        table["by"] = entries["by"]
    table["failed"] = table["failed"].astype(bool)

    return table.rename(columns={c: c.removeprefix("attr:") for c in extras})
