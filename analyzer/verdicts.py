"""Verdict rules (documented in VERDICTS.md); apply them exactly.

F = failed entry requests, n = failures whose root cause matches the
hypothesis, share = n / F, U = share of F that is unclassified or context.lost.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analyzer.diagnosis import Diagnosis, Hypothesis
from analyzer.report import CONFIRMED, INCONCLUSIVE, NOT_OBSERVED, RULED_OUT, Verdict

MAX_EXAMPLES = 5
_QUANTILES = {
    "min": 0.0,
    "p05": 0.05,
    "p25": 0.25,
    "p50": 0.5,
    "p75": 0.75,
    "p95": 0.95,
    "max": 1.0,
}


def decide(
    n: int, failed: int, unexplained: float, diagnosis: Diagnosis
) -> tuple[str, str]:
    """The verdict and one-line reason for a hypothesis explaining ``n`` failures."""
    if failed == 0:
        return NOT_OBSERVED, "no failed requests"
    share = n / failed
    if n >= diagnosis.min_count and share >= diagnosis.min_share:
        return CONFIRMED, (
            f"{n} of {failed} failures ({share:.1%}) have a supporting root cause "
            f"(needs >= {diagnosis.min_count} and >= {diagnosis.min_share:.0%})"
        )
    if n > 0:
        return INCONCLUSIVE, (
            f"only {n} of {failed} failures ({share:.1%}) support it "
            f"(confirming needs >= {diagnosis.min_count} and >= "
            f"{diagnosis.min_share:.0%})"
        )
    if unexplained <= diagnosis.max_unexplained:
        return RULED_OUT, (
            f"no failure supports it and {unexplained:.1%} of failures are "
            f"unexplained (at most {diagnosis.max_unexplained:.0%} allowed)"
        )

    return NOT_OBSERVED, (
        f"no failure supports it, but {unexplained:.1%} of failures are unexplained "
        f"(more than {diagnosis.max_unexplained:.0%}), too many to rule it out"
    )


def judge(
    failures: pd.DataFrame, diagnosis: Diagnosis, unexplained: float
) -> list[Verdict]:
    """One verdict per hypothesis, in file order."""
    total = len(failures)

    return [
        _judge_one(h, failures, total, unexplained, diagnosis)
        for h in diagnosis.hypotheses
    ]


def _judge_one(
    hypothesis: Hypothesis,
    failures: pd.DataFrame,
    total: int,
    unexplained: float,
    diagnosis: Diagnosis,
) -> Verdict:
    mine = failures[failures["hypothesis"] == hypothesis.id]
    verdict, reason = decide(len(mine), total, unexplained, diagnosis)

    return Verdict(
        id=hypothesis.id,
        title=hypothesis.title,
        verdict=verdict,
        count=len(mine),
        share=round(len(mine) / total, 6) if total else 0.0,
        examples=tuple(mine["trace_id"].head(MAX_EXAMPLES)),
        reason=reason,
        evidence=_evidence(mine, hypothesis.lead_times),
    )


def _evidence(mine: pd.DataFrame, lead_times: bool) -> dict[str, object]:
    """Cause counts, and when asked the lead times behind them."""
    evidence: dict[str, object] = {
        "causes": {str(k): int(v) for k, v in mine["cause"].value_counts().items()},
    }
    if not lead_times:
        return evidence
    leads = mine["cause_lead_ms"].to_numpy(dtype=float)
    leads = leads[np.isfinite(leads)]
    if len(leads):
        evidence["lead_ms"] = {"count": len(leads)} | {
            name: round(float(np.quantile(leads, q)), 3)
            for name, q in _QUANTILES.items()
        }
        minimum = mine["cause_min_lead_ms"].dropna()
        if len(minimum):
            evidence["min_lead_ms"] = float(minimum.mode().iloc[0])
            evidence["min_lead_ms_values"] = sorted(float(v) for v in minimum.unique())
    else:
        evidence["lead_ms"] = None

    return evidence


def clean(value: float) -> float | None:
    """A float for JSON: NaN becomes None."""
    return None if value is None or math.isnan(value) else value
