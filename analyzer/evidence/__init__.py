"""Evidence beyond counting: clock offset, lead-time clusters, what-if, contrast.

``gather(spans, logs, report)`` runs every step over the analyzer's tables and
returns an ``Evidence``; ``render_markdown``, ``render_evidence`` (Rich) and
``render_html`` present it. ``compare_reports`` answers "did the fix work?" and
``build_waterfall`` lays out one trace.
"""

from __future__ import annotations

from analyzer.evidence.errors import EvidenceError
from analyzer.evidence.gather import Evidence, gather, gather_report
from analyzer.evidence.html import render_html
from analyzer.evidence.markdown import render_markdown
from analyzer.evidence.terminal import render_evidence, render_waterfall
from analyzer.evidence.waterfall import Waterfall
from analyzer.evidence.waterfall import build as build_waterfall

__all__ = [
    "Evidence",
    "EvidenceError",
    "Waterfall",
    "build_waterfall",
    "gather",
    "gather_report",
    "render_evidence",
    "render_html",
    "render_markdown",
    "render_waterfall",
]
