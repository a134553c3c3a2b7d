"""Triage's analyzer: why did requests fail, and which explanation is true?

It reads OTLP JSON traces and logs, Jaeger JSON and JSON-lines application
logs from any system, finds the failed entry requests, names each one's root
cause and judges the hypotheses of a diagnosis file::

    report = analyze(["telemetry/"], entry_route="POST /api/mock-interviews")
    print(render_markdown(report))

It imports nothing from the rest of Triage, so it reads anyone's telemetry.
"""

from __future__ import annotations

from analyzer.analysis import analyze
from analyzer.diagnosis import Diagnosis, Hypothesis
from analyzer.errors import AnalyzerError, DiagnosisError, InputError
from analyzer.render import render_json, render_markdown, render_table
from analyzer.report import CauseGroup, Report, Summary, Verdict

__all__ = [
    "AnalyzerError",
    "CauseGroup",
    "Diagnosis",
    "DiagnosisError",
    "Hypothesis",
    "InputError",
    "Report",
    "Summary",
    "Verdict",
    "analyze",
    "render_json",
    "render_markdown",
    "render_table",
]
