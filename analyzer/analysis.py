"""``analyze``: read the inputs, find failed entry requests, group and judge them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from analyzer import classify, logmode, lost, reader, stitch, verdicts
from analyzer import diagnosis as diagnosis_file
from analyzer.errors import AnalyzerError
from analyzer.evidence.contrast import CONTRAST_KEYS
from analyzer.ids import trace_hex_column
from analyzer.report import CauseGroup, Report, Summary
from analyzer.timeparse import time_ns

Moment = datetime | str | int | float | None


@contextlib.contextmanager
def _returning_memory() -> Iterator[None]:
    """Run with Arrow on the system allocator, the previous one restored after.

    Arrow's default (mimalloc) keeps freed chunk buffers for reuse; over a
    large file that holds about 100 MB more at the peak (about 635 MB against
    525 MB on 1M spans), at no measurable gain in speed here. The pool is
    process-wide, hence the restore.
    """
    previous = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


@_returning_memory()
def analyze(
    paths: Sequence[str | Path],
    *,
    diagnosis: Path | None = None,
    entry_route: str | None = None,
    since: Moment = None,
    until: Moment = None,
    group_by: str | None = None,
    progress: reader.Progress | None = None,
    input_format: str | None = None,
) -> Report:
    """Analyse telemetry: root cause of each failed entry request, verdicts."""
    rules = diagnosis_file.load(diagnosis)
    route = entry_route or rules.entry_route
    window = stitch.Window(route, _moment(since, "since"), _moment(until, "until"))
    since_ns, until_ns = window.since_ns, window.until_ns
    if since_ns is not None and until_ns is not None and since_ns >= until_ns:
        raise AnalyzerError("--since must be earlier than --until")
    wanted = rules.wanted(group_by)
    # Also keep the client and deployment facts the evidence contrasts.
    wanted = replace(
        wanted, extra_keys=tuple(dict.fromkeys((*wanted.extra_keys, *CONTRAST_KEYS)))
    )
    read = reader.read(paths, wanted, input_format=input_format, progress=progress)

    logs_only = read.mode == "logs"
    access = logmode.access_mask(read.logs) if logs_only else None
    spans = logmode.access_spans(read.logs, access) if logs_only else read.spans
    stitched = stitch.stitch_spans(spans, read.logs, window, access=access)
    table = stitched.spans_table
    entries = _in_window(stitched.entries, window)
    entries = lost.pair_orphans(entries, table, stitch.downstream_services(table))
    entries = _finish_entries(entries, table, group_by)
    failures = entries[entries["failed"]].copy()
    failures["hypothesis"] = classify.hypothesis_of(failures, table, rules)

    return _report(read, stitched, entries, failures, rules, window, group_by)


def _moment(value: Moment, name: str) -> int | None:
    """A time bound as epoch nanoseconds."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(value.timestamp() * 1e9)
    nanos = time_ns(value)
    if not nanos:
        raise AnalyzerError(f"--{name}: not an ISO 8601 time: {value}")

    return nanos


def _in_window(entries: pd.DataFrame, window: stitch.Window) -> pd.DataFrame:
    keep = np.ones(len(entries), dtype=bool)
    start = entries["start_ns"].to_numpy()
    if window.since_ns is not None:
        keep &= start >= window.since_ns
    if window.until_ns is not None:
        keep &= (start < window.until_ns) & (start > 0)

    return entries[keep].reset_index(drop=True)


def _finish_entries(
    entries: pd.DataFrame, spans: pd.DataFrame, group_by: str | None
) -> pd.DataFrame:
    """Add the trace id, final cause and group-by value of every entry."""
    entries["trace_id"] = trace_hex_column(
        entries["trace_hi"].to_numpy(), entries["trace_lo"].to_numpy()
    )
    cause = entries["root_cause"].astype(object)
    cause = cause.where(
        cause.notna(),
        np.where(entries["lost"], stitch.CONTEXT_LOST, stitch.UNCLASSIFIED),
    )
    entries["cause"] = cause.where(entries["failed"], None)
    entries["by"] = _group_values(entries, spans, group_by)

    return entries


def _group_values(
    entries: pd.DataFrame, spans: pd.DataFrame, group_by: str | None
) -> pd.Series:
    """The group-by attribute of each entry (None when not grouping)."""
    if not group_by:
        return pd.Series([None] * len(entries), index=entries.index, dtype=object)
    column = diagnosis_file.BUILTIN_ATTRIBUTES.get(group_by)
    if column is not None:
        values = entries[column]
    else:
        values = stitch.attribute_value(entries, spans, group_by)

    return values.astype(object).map(lambda v: None if pd.isna(v) else str(v))


def _groups(failures: pd.DataFrame) -> list[CauseGroup]:
    total = len(failures)
    if not total:
        return []
    keys = failures[["cause", "by"]].astype(object).fillna("\x00")
    groups = []
    for (cause, by), rows in failures.groupby([keys["cause"], keys["by"]], sort=False):
        hypothesis = rows["hypothesis"].dropna()
        groups.append(
            CauseGroup(
                cause=str(cause),
                count=len(rows),
                share=round(len(rows) / total, 6),
                hypothesis=str(hypothesis.mode().iloc[0]) if len(hypothesis) else None,
                examples=tuple(rows["trace_id"].head(verdicts.MAX_EXAMPLES)),
                by=None if by == "\x00" else str(by),
            )
        )

    return sorted(groups, key=lambda g: (-g.count, g.cause, g.by or ""))


def _report(read, stitched, entries, failures, rules, window, group_by) -> Report:
    causes = failures["cause"]
    unclassified = int((causes == stitch.UNCLASSIFIED).sum())
    context_lost = int((causes == stitch.CONTEXT_LOST).sum())
    unexplained = (
        (unclassified + context_lost) / len(failures) if len(failures) else 0.0
    )
    summary = Summary(
        entry_requests=len(entries),
        failed=len(failures),
        classified=len(failures) - unclassified,
        unclassified=unclassified,
        context_lost=context_lost,
        traces=stitched.traces,
        spans=stitched.spans if read.mode == "traces" else 0,
        log_events=read.log_events,
        mode=read.mode,
        duplicate_spans=stitched.duplicates,
        spans_without_ids=stitched.spans_without_ids,
        spans_in_cycles=stitched.spans_in_cycles,
    )

    return Report(
        summary=summary,
        groups=tuple(_groups(failures)),
        hypotheses=tuple(verdicts.judge(failures, rules, unexplained)),
        files=tuple(
            vars(f) | {"first_malformed": list(f.first_malformed)} for f in read.files
        ),
        skipped_files=tuple(read.skipped_files),
        settings={
            "diagnosis": rules.source,
            "entry_route": window.entry_route,
            "since_ns": window.since_ns,
            "until_ns": window.until_ns,
            "group_by": group_by,
            "min_count": rules.min_count,
            "min_share": rules.min_share,
            "max_unexplained": rules.max_unexplained,
        },
        entries=entries,
        spans=read.spans,
        logs=read.logs,
    )
