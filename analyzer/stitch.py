"""Entry requests and the root cause of each failed one.

An entry request is a server span with no server span above it in its trace
(or, with an entry route, a span of that route with none of that route above
it). It failed when its HTTP status is at least 400 or its status is ERROR.
Its root cause is the cause recorded deepest below it: on a span
(``error.type`` or a configured attribute), in a log event, or named by a span
as its inner tier's cause; else its own cause; else, when it called out but
its callee's server span sits in another trace, ``context.lost``; else
``unclassified``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analyzer import graph
from analyzer.schema import KIND_CLIENT, KIND_SERVER, STATUS_ERROR, extra_column

CONTEXT_LOST = "context.lost"
UNCLASSIFIED = "unclassified"
# Values of error.type that add nothing to the HTTP status: the semantic
# conventions' fallback (the status code as text, or "_OTHER").
_UNINFORMATIVE = re.compile(r"^(\d{3}|_OTHER)$")
_INNER_BONUS = 0.5  # a span naming its inner tier's cause speaks for one level down
_LOG_BONUS = 0.5  # a log event sits inside its span
_FOREIGN_LOG_DEPTH = 1e6
# The numbers recorded with the chosen cause, renamed apart from the entry's own.
_CAUSE_NUMBERS = {
    "lead_ms": "cause_lead_ms",
    "min_lead_ms": "cause_min_lead_ms",
    "server_now": "cause_server_now",
}  # a log of another service, in no known span: downstream


@dataclass(frozen=True)
class Window:
    """Which entries to look at: route and time bounds (nanoseconds)."""

    entry_route: str | None = None
    since_ns: int | None = None
    until_ns: int | None = None


@dataclass(frozen=True)
class Stitched:
    """Every entry request, one row each, and counts for the summary."""

    entries: pd.DataFrame
    spans_table: pd.DataFrame
    traces: int
    spans: int
    duplicates: int
    spans_without_ids: int
    spans_in_cycles: int


def prepare_spans(spans: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Drop spans without ids and duplicate spans; add trace codes and parent rows."""
    valid = ((spans["trace_hi"] != 0) | (spans["trace_lo"] != 0)) & (
        spans["span_id"] != 0
    )
    without_ids = int((~valid).sum())
    if without_ids:  # copies cost memory: only filter when something goes
        spans = spans[valid.to_numpy()]
    repeated = spans.duplicated(["trace_hi", "trace_lo", "span_id"], keep="first")
    duplicates = int(repeated.sum())
    if duplicates:
        spans = spans[~repeated.to_numpy()]
    if without_ids or duplicates:
        spans = spans.reset_index(drop=True)
    trace = graph.dense_codes(
        spans["trace_hi"].to_numpy(), spans["trace_lo"].to_numpy()
    )
    spans["trace"] = trace
    spans["parent_row"] = graph.parent_rows(
        trace, spans["span_id"].to_numpy(), spans["parent_id"].to_numpy()
    )

    return spans, {"duplicates": duplicates, "without_ids": without_ids}


def entry_marks(spans: pd.DataFrame, route: str | None) -> np.ndarray:
    """Which spans can be entries: server spans, of the entry route if one is set."""
    server = spans["kind"].to_numpy() == KIND_SERVER
    if not route:
        return server

    return server & route_matches(spans, route)


def route_matches(table: pd.DataFrame, route: str) -> np.ndarray:
    """Rows whose method and route (or path, or span name) match ``METHOD /route``."""
    method, _, path = route.strip().rpartition(" ")
    names = table["name"].astype(object) if "name" in table else None
    hit = (table["route"].astype(object) == path) | (
        table["path"].astype(object) == path
    )
    if method:
        hit &= table["method"].astype(object).str.upper() == method.upper()
    if names is not None:
        hit |= names == route.strip()

    return hit.fillna(False).to_numpy(dtype=bool)


def stitch_spans(
    spans: pd.DataFrame,
    logs: pd.DataFrame,
    window: Window,
    *,
    access: np.ndarray | None = None,
) -> Stitched:
    """Find the entries in a span table and the root cause of each.

    In logs-only mode ``access`` is ``logmode.access_mask(logs)``: those access
    events are already in ``spans`` and are not counted again as log events.
    """
    total = len(spans)
    spans, counts = prepare_spans(spans)
    marks = entry_marks(spans, window.entry_route)
    tree = graph.ancestry(spans["parent_row"].to_numpy(), marks)
    rows = np.arange(len(spans))
    entry_of = tree.top_marked
    spans["entry_row"] = entry_of
    spans["depth"] = tree.depth - np.where(
        entry_of >= 0, tree.depth[entry_of.clip(0)], 0
    )
    is_entry = (entry_of == rows) & ~tree.in_cycle
    logs = locate_logs(logs.assign(as_span=False if access is None else access), spans)
    entries = _entry_table(spans, rows[is_entry], logs)

    return Stitched(
        entries=entries,
        spans_table=spans,
        traces=int(spans["trace"].nunique()),
        spans=total,
        duplicates=counts["duplicates"],
        spans_without_ids=counts["without_ids"],
        spans_in_cycles=int(tree.in_cycle.sum()),
    )


def locate_logs(logs: pd.DataFrame, spans: pd.DataFrame) -> pd.DataFrame:
    """Keep cause-carrying log events; add their trace code and span row (or -1)."""
    logs = logs[logs["cause"].notna().to_numpy()].reset_index(drop=True)
    traces = spans.drop_duplicates("trace")
    index = pd.MultiIndex.from_arrays([traces["trace_hi"], traces["trace_lo"]])
    found = index.get_indexer(
        pd.MultiIndex.from_arrays([logs["trace_hi"], logs["trace_lo"]])
    )
    trace = np.where(found >= 0, traces["trace"].to_numpy()[found.clip(0)], -1)
    logs["trace"] = trace
    logs["span_row"] = graph.row_lookup(
        spans["trace"].to_numpy(),
        spans["span_id"].to_numpy(),
        trace,
        logs["span_id"].to_numpy(),
    )

    return logs


def _entry_table(
    spans: pd.DataFrame, entry_rows: np.ndarray, logs: pd.DataFrame
) -> pd.DataFrame:
    """One row per entry: its fields, failure flag and chosen root cause."""
    entries = spans.iloc[entry_rows].copy()
    entries["row"] = entry_rows
    entries["failed"] = (entries["http_status"].to_numpy() >= 400) | (
        entries["status"].to_numpy() == STATUS_ERROR
    )
    chosen = _deepest_causes(spans, logs)
    entries = entries.merge(chosen, how="left", left_on="row", right_index=True)
    _mark_callouts(spans, entries)

    return entries.reset_index(drop=True)


def informative(causes: pd.Series) -> np.ndarray:
    """Cause values that say more than the HTTP status does."""
    if isinstance(causes.dtype, pd.CategoricalDtype):
        categories = causes.cat.categories.astype(str)
        good = ~categories.str.match(_UNINFORMATIVE)
        codes = causes.cat.codes.to_numpy()
        return (codes >= 0) & np.append(np.asarray(good, dtype=bool), False)[codes]

    text = causes.astype(object)
    present = text.notna().to_numpy().copy()
    present[present] = ~text[present].astype(str).str.match(_UNINFORMATIVE).to_numpy()

    return present


def _deepest_causes(spans: pd.DataFrame, logs: pd.DataFrame) -> pd.DataFrame:
    """Per entry row: the deepest cause below it and the numbers recorded with it."""
    candidates = [
        _span_candidates(spans, "cause", 0.0),
        _span_candidates(spans, "inner_cause", _INNER_BONUS),
        _log_candidates(spans, logs),
    ]
    candidates = [c for c in candidates if len(c)]
    if not candidates:
        columns = [
            "root_cause",
            "cause_depth",
            "cause_service",
            *_CAUSE_NUMBERS.values(),
        ]
        return pd.DataFrame(columns=columns).rename_axis("row")
    found = pd.concat(candidates, ignore_index=True)
    found = found.sort_values(["entry_row", "cause_depth"], kind="stable")
    found = found.drop_duplicates("entry_row", keep="last").set_index("entry_row")
    found = found.rename(columns={"cause": "root_cause", **_CAUSE_NUMBERS})

    return found.rename_axis("row")


def _span_candidates(spans: pd.DataFrame, column: str, bonus: float) -> pd.DataFrame:
    keep = informative(spans[column]) & (spans["entry_row"].to_numpy() >= 0)
    picked = spans.loc[
        keep,
        [
            "entry_row",
            "depth",
            column,
            "lead_ms",
            "min_lead_ms",
            "server_now",
            "service",
        ],
    ]
    picked = picked.rename(columns={column: "cause", "service": "cause_service"})
    picked["cause_depth"] = picked.pop("depth") + bonus

    return _plain(picked)


def _log_candidates(spans: pd.DataFrame, logs: pd.DataFrame) -> pd.DataFrame:
    """Cause-carrying log events, at the depth of the span they were written in."""
    if not len(logs) or not len(spans):
        return pd.DataFrame()
    logs = logs[informative(logs["cause"]) & ~logs["as_span"].to_numpy()]
    span_row = logs["span_row"].to_numpy()
    known = span_row >= 0
    entry_row = np.full(len(logs), -1, dtype=np.int64)
    depth = np.zeros(len(logs), dtype=np.float64)
    entry_row[known] = spans["entry_row"].to_numpy()[span_row[known]]
    depth[known] = spans["depth"].to_numpy()[span_row[known]] + _LOG_BONUS

    # A log in a known trace but in no known span belongs to that trace's entry.
    by_trace = spans.loc[spans["entry_row"].to_numpy() == np.arange(len(spans))]
    trace_entry = pd.Series(
        by_trace.index.to_numpy(), index=by_trace["trace"].to_numpy()
    )
    trace_entry = trace_entry[~trace_entry.index.duplicated()]
    loose = ~known & (logs["trace"].to_numpy() >= 0)
    entry_row[loose] = trace_entry.reindex(logs["trace"].to_numpy()[loose]).fillna(-1)
    foreign = (
        logs["service"].astype(object).to_numpy()
        != spans["service"].astype(object).to_numpy()[entry_row.clip(0)]
    )
    depth[loose] = np.where(foreign[loose], _FOREIGN_LOG_DEPTH, 0.25)

    picked = pd.DataFrame(
        {
            "entry_row": entry_row,
            "cause_depth": depth,
            "cause": logs["cause"].astype(object).to_numpy(),
            "lead_ms": logs["lead_ms"].to_numpy(),
            "min_lead_ms": logs["min_lead_ms"].to_numpy(),
            "server_now": logs["server_now"].astype(object).to_numpy(),
            "cause_service": logs["service"].astype(object).to_numpy(),
        }
    )

    return picked[picked["entry_row"] >= 0]


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as objects, so candidate frames concatenate cleanly."""
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.CategoricalDtype):
            frame[name] = frame[name].astype(object)

    return frame


def _mark_callouts(spans: pd.DataFrame, entries: pd.DataFrame) -> None:
    """Flag entries that made a client call, and those whose callee is in the trace."""
    entry_of = spans["entry_row"].to_numpy()
    kind = spans["kind"].to_numpy()
    below = (entry_of >= 0) & (entry_of != np.arange(len(spans)))
    called = np.unique(entry_of[below & (kind == KIND_CLIENT)])
    served = np.unique(entry_of[below & (kind == KIND_SERVER)])
    entries["calls_out"] = np.isin(entries["row"].to_numpy(), called)
    entries["has_callee"] = np.isin(entries["row"].to_numpy(), served)


def downstream_services(spans: pd.DataFrame) -> dict[str, set[str]]:
    """Which services each service was seen calling (client span to server span)."""
    parent = spans["parent_row"].to_numpy()
    child = np.flatnonzero((parent >= 0) & (spans["kind"].to_numpy() == KIND_SERVER))
    if not len(child):
        return {}
    caller = parent[child]
    services = spans["service"].astype(object).to_numpy()
    pairs = pd.DataFrame({"caller": services[caller], "callee": services[child]})
    pairs = pairs[pairs["caller"] != pairs["callee"]].drop_duplicates()

    return {c: set(g["callee"]) for c, g in pairs.groupby("caller", sort=False)}


def attribute_value(entries: pd.DataFrame, spans: pd.DataFrame, key: str) -> pd.Series:
    """A group-by attribute per entry: on the entry span, else anywhere below it."""
    column = extra_column(key)
    own = (
        entries[column].astype(object)
        if column in entries
        else pd.Series([None] * len(entries), index=entries.index, dtype=object)
    )
    if column not in spans:
        return own
    below = spans.loc[
        spans[column].notna() & (spans["entry_row"] >= 0), ["entry_row", column]
    ]
    first = below.groupby("entry_row")[column].first().astype(object)

    return own.fillna(entries["row"].map(first))
