"""``triage compare``: did the fix work? Two analyses side by side, tested for noise.

Each side is a saved ``report.json`` (or a folder holding one, like a demo
output folder) or telemetry files and folders, which are analysed first.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from triage.errors import TriageError


class OutputFormat(StrEnum):
    """How the comparison is written."""

    table = "table"
    json = "json"
    markdown = "markdown"


def compare(
    before: Path = typer.Argument(
        ..., help="report.json, a folder holding one, or telemetry file/folder."
    ),
    after: Path = typer.Argument(
        ..., help="The same for the analysis after the change."
    ),
    output_format: OutputFormat = typer.Option(
        OutputFormat.table, "--format", "-f", help="Output format."
    ),
    entry_route: str | None = typer.Option(
        None, "--entry-route", help="When analysing telemetry: only this route."
    ),
    diagnosis: Path | None = typer.Option(
        None, "--diagnosis", "-d", help="When analysing telemetry: diagnosis TOML."
    ),
) -> None:
    """Compare failures per cause and per hypothesis before and after a change.

    Each row gives counts and shares of all entry requests on each side, and
    whether the change is beyond noise (two-sided two-proportion z-test,
    p < 0.05 per row).

    Examples:

      triage compare before/report.json after/report.json

      triage compare ./incident-telemetry ./after-fix-telemetry --format markdown
    """
    from analyzer.evidence import comparison, reports

    sides = [_side(p, entry_route, diagnosis) for p in (before, after)]
    first, second = (reports.tally(data) for data in sides)
    labels = [str(before), str(after)]
    changes = comparison.compare(first, second)

    if output_format == OutputFormat.json:
        data = comparison.to_dict(first, second, changes, labels)
        typer.echo(json.dumps(data, indent=2))
    elif output_format == OutputFormat.markdown:
        typer.echo(comparison.render_markdown(changes, labels), nl=False)
    else:
        comparison.render_table(changes, labels, Console())


def _side(
    path: Path, entry_route: str | None, diagnosis: Path | None
) -> dict[str, Any]:
    """One side as a report dict: read if it is a report, else analysed."""
    from analyzer.evidence import reports
    from analyzer.evidence.errors import EvidenceError

    found = reports.find_report(path)
    try:
        if found is not None:
            return reports.load_report(found)
    except EvidenceError as error:
        raise TriageError(str(error)) from error

    return _analyse(path, entry_route, diagnosis)


def _analyse(
    path: Path, entry_route: str | None, diagnosis: Path | None
) -> dict[str, Any]:
    import analyzer

    try:
        report = analyzer.analyze([path], entry_route=entry_route, diagnosis=diagnosis)
    except analyzer.AnalyzerError as error:
        raise TriageError(str(error)) from error

    data = report.to_dict()
    # An empty side would compare as "no failures before", a fix that never was.
    if not any(item["records"] for item in data["inputs"]["files"]):
        reasons = [item["reason"] for item in data["inputs"]["skipped_files"]]
        why = f" ({reasons[0]})" if len(reasons) == 1 else ""
        raise TriageError(f"{path} holds neither a report.json nor telemetry{why}")

    return data
