"""Hold the analyzer to the ground truth a scenario injected.

The demo knows exactly which cause it injected into each failed request; the
analyzer knows only the telemetry. They agree when every injected failure is
attributed to its injected cause (and nothing else is), the injected hypotheses
are confirmed, and every other hypothesis is ruled out or not observed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

ABSENT_VERDICTS = frozenset({"ruled_out", "not_observed"})


@dataclass(frozen=True)
class CauseRow:
    cause: str
    injected: int
    attributed: int

    @property
    def agrees(self) -> bool:
        return self.injected == self.attributed


@dataclass(frozen=True)
class HypothesisRow:
    id: str
    injected: bool
    verdict: str

    @property
    def agrees(self) -> bool:
        if self.injected:
            return self.verdict == "confirmed"
        return self.verdict in ABSENT_VERDICTS


@dataclass(frozen=True)
class Agreement:
    causes: tuple[CauseRow, ...]
    hypotheses: tuple[HypothesisRow, ...]

    @property
    def agrees(self) -> bool:
        rows: Iterable[CauseRow | HypothesisRow] = (*self.causes, *self.hypotheses)
        return all(row.agrees for row in rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "agrees": self.agrees,
            "causes": [{**vars(row), "agrees": row.agrees} for row in self.causes],
            "hypotheses": [
                {**vars(row), "agrees": row.agrees} for row in self.hypotheses
            ],
        }


def compare(
    injected: Mapping[str, int],
    injected_hypotheses: Iterable[str],
    report: Mapping[str, Any],
) -> Agreement:
    """Line up injected causes and hypotheses against an analyzer report dict."""
    attributed = Counter(
        {group["cause"]: group["count"] for group in report.get("groups", [])}
    )
    causes = tuple(
        CauseRow(cause, injected.get(cause, 0), attributed.get(cause, 0))
        for cause in sorted(set(injected) | set(attributed))
    )

    wanted = set(injected_hypotheses)
    hypotheses = tuple(
        HypothesisRow(entry["id"], entry["id"] in wanted, entry["verdict"])
        for entry in report.get("hypotheses", [])
    )
    missing = wanted - {row.id for row in hypotheses}
    hypotheses += tuple(HypothesisRow(h, True, "absent") for h in sorted(missing))

    return Agreement(causes, hypotheses)
