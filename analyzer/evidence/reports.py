"""Read saved analyzer reports (``report.json``) into the counts a comparison needs."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analyzer.evidence.beforeafter import Tally
from analyzer.evidence.errors import ReportShapeError

REPORT_FILE = "report.json"


def looks_like_report(data: object) -> bool:
    """Whether decoded JSON has the shape of an analyzer report."""
    return (
        isinstance(data, Mapping)
        and isinstance(data.get("summary"), Mapping)
        and isinstance(data.get("hypotheses"), list)
    )


def find_report(path: Path) -> Path | None:
    """The report file ``path`` names (itself, or ``report.json`` inside it), if any."""
    candidate = path / REPORT_FILE if path.is_dir() else path
    if not candidate.is_file() or candidate.suffix != ".json":
        return None
    try:
        data = json.loads(candidate.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None

    return candidate if looks_like_report(data) else None


def load_report(path: Path) -> dict[str, Any]:
    """A report.json as a dict; ReportShapeError when it is not one."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReportShapeError(f"cannot read {path} as JSON: {error}") from error
    if not looks_like_report(data):
        raise ReportShapeError(f"{path} is not an analyzer report (no summary)")

    return data


def tally(report: Mapping[str, Any]) -> Tally:
    """Entry requests, failures, per-cause and per-hypothesis counts of a report."""
    summary = report.get("summary", {})
    causes: Counter[str] = Counter()
    for group in report.get("groups", []):
        causes[str(group["cause"])] += int(group["count"])

    hypotheses = {str(h["id"]): int(h.get("count", 0)) for h in report["hypotheses"]}
    verdicts = {str(h["id"]): str(h.get("verdict", "")) for h in report["hypotheses"]}
    failed = int(summary.get("failed", sum(causes.values())))

    return Tally(
        requests=int(summary.get("entry_requests", failed)),
        failed=failed,
        causes=dict(causes),
        hypotheses=hypotheses,
        verdicts=verdicts,
    )
