"""The analysis result: summary, cause groups, verdicts and what was read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

CONFIRMED, RULED_OUT = "confirmed", "ruled_out"
NOT_OBSERVED, INCONCLUSIVE = "not_observed", "inconclusive"


@dataclass(frozen=True)
class Summary:
    """Counts over the whole input."""

    entry_requests: int
    failed: int
    classified: int
    unclassified: int
    context_lost: int
    traces: int
    spans: int
    log_events: int
    mode: str
    duplicate_spans: int = 0
    spans_without_ids: int = 0
    spans_in_cycles: int = 0


@dataclass(frozen=True)
class CauseGroup:
    """Failed entry requests sharing one root cause (and group-by value)."""

    cause: str
    count: int
    share: float
    hypothesis: str | None
    examples: tuple[str, ...]
    by: str | None = None


@dataclass(frozen=True)
class Verdict:
    """A hypothesis judged against the failures, with the numbers behind it."""

    id: str
    title: str
    verdict: str
    count: int
    share: float
    examples: tuple[str, ...]
    reason: str
    evidence: dict[str, Any]


@dataclass(frozen=True)
class Report:
    """Everything ``analyze`` found; ``to_dict`` is the JSON form.

    ``entries``, ``spans`` and ``logs`` are the row-level tables behind the
    numbers (one row per entry request, the normalised spans and the kept log
    events), for further evidence; they are not part of ``to_dict``.
    """

    summary: Summary
    groups: tuple[CauseGroup, ...]
    hypotheses: tuple[Verdict, ...]
    files: tuple[dict[str, Any], ...]
    skipped_files: tuple[dict[str, str], ...]
    settings: dict[str, Any]
    entries: pd.DataFrame = field(repr=False, compare=False)
    spans: pd.DataFrame = field(repr=False, compare=False)
    logs: pd.DataFrame = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict of the report (no row-level tables)."""
        groups = []
        for group in self.groups:
            item = asdict(group)
            item["examples"] = list(group.examples)
            if self.settings.get("group_by") is None:
                item.pop("by")
            groups.append(item)

        return {
            "summary": asdict(self.summary),
            "groups": groups,
            "hypotheses": [
                {**asdict(v), "examples": list(v.examples)} for v in self.hypotheses
            ],
            "inputs": {
                "files": [dict(f) for f in self.files],
                "skipped_files": [dict(f) for f in self.skipped_files],
            },
            "settings": dict(self.settings),
        }

    def root_causes(self) -> dict[str, str]:
        """Trace id (lower-case hex) to root cause, for every failed entry request."""
        failed = self.entries[self.entries["failed"]]

        return dict(zip(failed["trace_id"], failed["cause"], strict=True))
