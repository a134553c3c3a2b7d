"""The evidence as plain tables (header plus rows of text), shared by every renderer.

Markdown, the terminal and the HTML report all draw the same tables from here,
so a number reads the same in each.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.evidence.gather import Evidence
from analyzer.evidence.h1 import TITLES


@dataclass(frozen=True)
class TextTable:
    """A titled table of text cells."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


def seconds(ms: float | None, sign: bool = True) -> str:
    """Milliseconds as seconds with three decimals, e.g. ``+90.012 s``."""
    if ms is None:
        return "-"
    value = ms / 1000 if round(ms) else 0.0  # no "-0.000 s"

    return f"{value:+.3f} s" if sign else f"{value:.3f} s"


def percent(share: float) -> str:
    """A share as a percentage with one decimal."""
    return f"{share * 100:.1f}%"


def h1_table(evidence: Evidence) -> TextTable:
    """The H1 sub-verdicts."""
    rows = tuple(
        (TITLES[v.id], v.verdict, str(v.count), percent(v.share), v.detail)
        for v in evidence.h1
    )
    return TextTable(
        "H1 sub-verdicts (schedule rejections)",
        ("sub-hypothesis", "verdict", "rejections", "share", "evidence"),
        rows,
    )


def clock_table(evidence: Evidence) -> TextTable:
    """Clock offsets from span timing and from lead differences."""
    rows = [
        (
            f"{c.client_service} -> {c.server_service}",
            "span timing (midpoint, least-delayed quarter)",
            f"{c.used_pairs} of {c.pairs}",
            seconds(c.offset_ms),
            f"IQR {seconds(c.iqr_ms, False)}, MAD {seconds(c.mad_ms, False)}",
            f"+/- {seconds(c.uncertainty_ms, False)} (RTT {seconds(c.rtt_ms, False)})",
            "yes" if c.significant else "no",
        )
        for c in evidence.clock_offsets
    ]
    rows += [
        (
            f"{o.outer_service} -> {o.inner_service}",
            "outer lead - inner lead",
            str(o.pairs),
            seconds(o.offset_ms),
            f"IQR {seconds(o.iqr_ms, False)}",
            "includes time between the two checks",
            "",
        )
        for o in evidence.lead_offsets
    ]
    return TextTable(
        "Clock offset (called service's clock minus caller's; timestamps unchanged)",
        (
            "services",
            "method",
            "pairs",
            "offset",
            "spread",
            "error bound",
            "significant",
        ),
        tuple(rows),
    )


def cluster_table(evidence: Evidence) -> TextTable:
    """Named lead-time clusters per outcome."""
    rows = tuple(
        (
            c.service,
            c.outcome,
            c.label,
            str(c.count),
            percent(c.share),
            seconds(c.median_ms),
        )
        for c in evidence.clusters
    )
    quantiles = "; ".join(
        f"{s.service} {s.outcome}: n={s.count}, "
        + ", ".join(f"{k} {seconds(v)}" for k, v in s.quantiles_ms.items())
        for s in evidence.lead_summaries
    )
    return TextTable(
        "Lead-time clusters (scheduled time minus the checking server's now)",
        ("service", "outcome", "cluster", "count", "share", "median lead"),
        rows,
        note=quantiles,
    )


def what_if_table(evidence: Evidence) -> TextTable:
    """The what-if replay of the schedule rule."""
    rows = tuple(
        (
            f"{r.min_lead_s:g} s",
            "corrected" if r.clocks_corrected else "as recorded",
            str(r.rejected),
            str(r.would_pass),
            percent(r.pass_share),
            str(r.still_rejected),
            f"{r.accepted_would_fail} of {r.accepted}",
        )
        for r in evidence.what_if
    )
    return TextTable(
        "What-if: schedule rejections replayed under other rules",
        (
            "min lead",
            "clocks",
            "rejected",
            "would pass",
            "share",
            "still rejected",
            "accepted that would fail",
        ),
        rows,
        note="naive date-times are rejected under every rule; "
        "corrected clocks add the significant offset back to each lead",
    )


def contrast_table(evidence: Evidence, limit: int = 8) -> TextTable:
    """The attributes that most set failed requests apart, with their top values."""
    rows = []
    for item in evidence.contrast[:limit]:
        top = item.values[:3]
        values = "; ".join(
            f"{v.value}: {v.failed} failed ({percent(v.failed_share)}) / "
            f"{v.succeeded} ok ({percent(v.succeeded_share)})"
            for v in top
        )
        rows.append((item.attribute, f"{item.score:.2f}", str(item.distinct), values))
    return TextTable(
        "Failed vs succeeded entry requests: attributes ranked by difference",
        ("attribute", "distance", "distinct", "top values"),
        tuple(rows),
        note="distance: total variation distance of value shares (0 alike, 1 disjoint)",
    )


def all_tables(evidence: Evidence) -> tuple[TextTable, ...]:
    """Every evidence table, in reading order."""
    return (
        h1_table(evidence),
        clock_table(evidence),
        cluster_table(evidence),
        what_if_table(evidence),
        contrast_table(evidence),
    )
