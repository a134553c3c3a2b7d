"""Plotly figures of the evidence: failures over time, leads, clock offset."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analyzer.evidence.frames import MS_PER_S
from analyzer.evidence.gather import Evidence

# Bucket widths tried in turn, in seconds; the first giving at most MAX_BUCKETS
# bars wins, so a ten-second demo and a day of production both read well.
_BUCKETS_S = (1, 5, 10, 30, 60, 300, 900, 3600, 6 * 3600, 86_400)
MAX_BUCKETS = 60
HISTOGRAM_BINS = 60
# Points drawn per scatter; the estimate itself uses every pair.
MAX_POINTS = 2_000
_LAYOUT = {
    "template": "plotly_white",
    "height": 380,
    "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
}


def bucket_seconds(span_ns: float) -> int:
    """The narrowest bucket width that keeps a time span within MAX_BUCKETS bars."""
    for width in _BUCKETS_S:
        if span_ns / (width * 1e9) <= MAX_BUCKETS:
            return width

    return _BUCKETS_S[-1]


def failures_over_time(evidence: Evidence) -> go.Figure:
    """Stacked bars: failed entry requests per time bucket, one colour per cause."""
    figure = go.Figure(layout={**_LAYOUT, "barmode": "stack"})
    requests = evidence.requests
    failed = requests[requests["failed"].astype(bool)] if len(requests) else requests
    if failed.empty:
        return _empty(figure, "Failures by cause over time", "no failed requests")

    starts = pd.to_numeric(failed["start_ns"], errors="coerce")
    width = bucket_seconds(float(starts.max() - starts.min()))
    bucket = (starts // (width * 1e9) * (width * 1e9)).astype("int64")
    counts = (
        failed.assign(bucket=pd.to_datetime(bucket, unit="ns", utc=True))
        .groupby(["bucket", "cause"])
        .size()
        .reset_index(name="count")
    )
    for cause, group in counts.groupby("cause", sort=True):
        figure.add_bar(x=group["bucket"], y=group["count"], name=str(cause))
    figure.update_layout(
        title=f"Failures by cause over time ({width} s buckets)",
        xaxis_title="time (UTC)",
        yaxis_title="failed requests",
    )

    return figure


def lead_histogram(evidence: Evidence) -> go.Figure:
    """Histograms of the recorded lead per service and outcome, binned here.

    Binning before plotting keeps the file small whatever the number of leads.
    """
    figure = go.Figure(layout={**_LAYOUT, "barmode": "overlay"})
    known = evidence.leads[evidence.leads["lead_ms"].notna()]
    if known.empty:
        return _empty(figure, "Lead time by outcome", "no lead times recorded")

    seconds = known["lead_ms"].to_numpy(dtype="float64") / MS_PER_S
    edges = np.histogram_bin_edges(seconds, bins=HISTOGRAM_BINS)
    centres, widths = (edges[:-1] + edges[1:]) / 2, np.diff(edges)
    for (service, outcome), group in known.groupby(["service", "outcome"], sort=True):
        counts, _ = np.histogram(group["lead_ms"] / MS_PER_S, bins=edges)
        figure.add_bar(
            x=centres, y=counts, width=widths, name=f"{service}: {outcome}", opacity=0.6
        )
    minimum = known["min_lead_ms"].dropna()
    if not minimum.empty:
        figure.add_vline(
            x=float(minimum.median()) / MS_PER_S,
            line_dash="dash",
            annotation_text="minimum lead",
        )
    figure.update_layout(
        title="Lead time by outcome (scheduled time minus the server's now)",
        xaxis_title="lead (s)",
        yaxis_title="requests",
    )

    return figure


def clock_offset_over_time(evidence: Evidence) -> go.Figure:
    """Per-call offset estimates (an even sample) with error bars, and the estimate."""
    figure = go.Figure(layout=_LAYOUT)
    pairs = evidence.pairs
    if pairs.empty:
        return _empty(figure, "Clock offset over time", "no client/server span pairs")

    for (client, server), group in pairs.groupby(
        ["client_service", "server_service"], sort=True
    ):
        shown = _even_sample(group.sort_values("client_start"), MAX_POINTS)
        when = pd.to_datetime(
            shown["client_start"].astype("int64"), unit="ns", utc=True
        )
        figure.add_scatter(
            x=when,
            y=shown["offset_ms"] / MS_PER_S,
            mode="markers",
            name=f"{server} vs {client} ({len(shown)} of {len(group)} calls)",
            error_y={
                "type": "data",
                "array": shown["rtt_ms"].clip(lower=0) / 2 / MS_PER_S,
            },
        )
    for estimate in evidence.clock_offsets:
        figure.add_hline(
            y=estimate.offset_ms / MS_PER_S,
            line_dash="dot",
            annotation_text=f"estimate {estimate.offset_ms / MS_PER_S:+.3f} s",
        )
    figure.update_layout(
        title="Clock offset estimate over time (error bars: half the round trip)",
        xaxis_title="client time (UTC)",
        yaxis_title="server clock minus client clock (s)",
    )

    return figure


def _even_sample(rows: pd.DataFrame, limit: int) -> pd.DataFrame:
    if len(rows) <= limit:
        return rows
    picks = np.linspace(0, len(rows) - 1, limit).round().astype(int)

    return rows.iloc[np.unique(picks)]


def _empty(figure: go.Figure, title: str, message: str) -> go.Figure:
    figure.update_layout(title=title)
    figure.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper",
                          yref="paper")  # fmt: skip

    return figure
