"""One entry point that runs every evidence step over the analyzer's tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analyzer.evidence import adapt, clock, contrast, h1, leads, requests, whatif


@dataclass(frozen=True)
class Evidence:
    """Everything beyond counting: clocks, leads, H1 sub-verdicts, what-if, contrast.

    ``leads``, ``requests`` and ``pairs`` (client/server call pairs) are the
    row-level tables behind the numbers, kept for charts; ``to_dict`` leaves
    them out.
    """

    clock_offsets: tuple[clock.ClockOffset, ...]
    lead_offsets: tuple[clock.LeadOffset, ...]
    service_offsets: Mapping[str, h1.ServiceOffset]
    clusters: tuple[leads.Cluster, ...]
    lead_summaries: tuple[leads.LeadSummary, ...]
    h1: tuple[h1.SubVerdict, ...]
    what_if: tuple[whatif.WhatIfRow, ...]
    contrast: tuple[contrast.AttributeContrast, ...]
    leads: pd.DataFrame = field(repr=False, compare=False)
    requests: pd.DataFrame = field(repr=False, compare=False)
    pairs: pd.DataFrame = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every finding (not the row-level tables)."""
        return {
            "clock_offsets": [item.to_dict() for item in self.clock_offsets],
            "lead_offsets": [item.to_dict() for item in self.lead_offsets],
            "lead_clusters": [item.to_dict() for item in self.clusters],
            "lead_summaries": [item.to_dict() for item in self.lead_summaries],
            "h1": [item.to_dict() for item in self.h1],
            "what_if": [item.to_dict() for item in self.what_if],
            "contrast": [item.to_dict() for item in self.contrast],
        }


def gather(
    spans_df: object,
    logs_df: object,
    report: object | None = None,
    *,
    root_causes: Mapping[str, str] | None = None,
) -> Evidence:
    """Run every evidence step over span and log tables (core or evidence shape).

    ``report`` is the core's ``Report`` (its entry table and root causes are
    used as they are) or a dict listing per-request causes; without one,
    entry requests and causes are derived here (``requests.entry_requests``).
    """
    spans = adapt.spans_frame(spans_df)
    logs = adapt.logs_frame(logs_df)

    pairs = clock.call_pairs(spans)
    offsets_by_timing = clock.summarise_pairs(pairs)
    offsets_by_lead = (
        clock.estimate_lead_offsets(spans) if "lead_ms" in spans.columns else ()
    )
    offsets = h1.service_offsets(offsets_by_timing, offsets_by_lead)

    lead_rows = leads.lead_table(spans, logs)
    explained = h1.explain(lead_rows, offsets)
    core_entries = getattr(report, "entries", None)
    if isinstance(core_entries, pd.DataFrame) and "failed" in core_entries:
        entry = requests.from_core_entries(core_entries)
    else:
        entry = requests.entry_requests(
            spans, logs, root_causes or _root_causes(report)
        )

    return Evidence(
        clock_offsets=offsets_by_timing,
        lead_offsets=offsets_by_lead,
        service_offsets=offsets,
        clusters=leads.clusters(lead_rows),
        lead_summaries=leads.summaries(lead_rows),
        h1=h1.sub_verdicts(explained, offsets),
        what_if=whatif.sweep(lead_rows, offsets),
        contrast=contrast.contrast(entry.drop(columns=["start_ns"])),
        leads=lead_rows,
        requests=entry,
        pairs=pairs,
    )


def gather_report(report: object) -> Evidence:
    """The evidence for an analyzer ``Report``, from the tables it carries."""
    return gather(getattr(report, "spans", None), getattr(report, "logs", None), report)


def _root_causes(report: Any) -> dict[str, str]:
    """Trace id to root cause, from the report's own mapping or per-request list."""
    if callable(getattr(report, "root_causes", None)):
        return dict(report.root_causes())
    data = report.to_dict() if hasattr(report, "to_dict") else report
    if not isinstance(data, Mapping):
        return {}
    found: dict[str, str] = {}
    for entry in data.get("requests", None) or data.get("failures", None) or []:
        if isinstance(entry, Mapping) and entry.get("trace_id") and entry.get("cause"):
            found[str(entry["trace_id"]).lower()] = str(entry["cause"])

    return found
