"""Replay the schedule rule on recorded leads: other minimum leads, corrected clocks.

The rule replayed is the service's own (``app/schedule.decide``): a naive
date-time is always rejected, a negative lead is in the past, a lead below the
minimum is too soon, exactly the minimum passes. Correcting the clocks adds the
rejecting service's significant offset back to each lead. Accepted requests
recorded at the same services are replayed too, to show who a stricter rule
would turn away.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analyzer.evidence.frames import MS_PER_S
from analyzer.evidence.h1 import ServiceOffset
from analyzer.evidence.leads import ACCEPTED, NAIVE, REJECTED

SWEEP_S = (0.0, 15.0, 30.0, 60.0, 120.0)


@dataclass(frozen=True)
class WhatIfRow:
    """The outcome of the schedule rejections under one replayed rule."""

    min_lead_s: float
    clocks_corrected: bool
    rejected: int
    would_pass: int
    still_rejected: int
    no_lead: int
    accepted: int
    accepted_would_fail: int

    @property
    def pass_share(self) -> float:
        """Share of the recorded schedule rejections that would have passed."""
        return self.would_pass / self.rejected if self.rejected else 0.0

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict with the share included."""
        return {**asdict(self), "pass_share": self.pass_share}


def passes(lead_ms: np.ndarray, naive: np.ndarray, min_lead_ms: float) -> np.ndarray:
    """Whether each lead passes the rule with ``min_lead_ms`` (NaN never passes)."""
    lead = np.asarray(lead_ms, dtype="float64")
    with np.errstate(invalid="ignore"):
        return ~np.asarray(naive, dtype=bool) & (lead >= 0) & (lead >= min_lead_ms)


def sweep(
    leads: pd.DataFrame,
    offsets: dict[str, ServiceOffset],
    minimums_s: Iterable[float] = SWEEP_S,
) -> tuple[WhatIfRow, ...]:
    """Replay every minimum lead, with recorded clocks and with corrected ones."""
    rejected = leads[leads["outcome"] == REJECTED]
    services = set(rejected["service"])
    accepted = leads[(leads["outcome"] == ACCEPTED) & leads["service"].isin(services)]
    accepted = accepted[accepted["lead_ms"].notna()]

    recorded = rejected["min_lead_ms"].dropna().unique() / MS_PER_S
    values = sorted({*minimums_s, *(float(v) for v in recorded)})

    rows = []
    for corrected in (False, True):
        for minimum_s in values:
            rows.append(_replay(rejected, accepted, offsets, minimum_s, corrected))

    return tuple(rows)


def _replay(
    rejected: pd.DataFrame,
    accepted: pd.DataFrame,
    offsets: dict[str, ServiceOffset],
    minimum_s: float,
    corrected: bool,
) -> WhatIfRow:
    minimum_ms = minimum_s * MS_PER_S
    lead = _leads(rejected, offsets, corrected)
    naive = (rejected["cause"] == NAIVE).to_numpy()
    passed = int(passes(lead, naive, minimum_ms).sum())

    accepted_lead = _leads(accepted, offsets, corrected)
    kept = passes(accepted_lead, np.zeros(len(accepted), dtype=bool), minimum_ms)

    return WhatIfRow(
        min_lead_s=minimum_s,
        clocks_corrected=corrected,
        rejected=len(rejected),
        would_pass=passed,
        still_rejected=len(rejected) - passed,
        no_lead=int(np.isnan(lead).sum()),
        accepted=len(accepted),
        accepted_would_fail=int((~kept).sum()),
    )


def _leads(
    rows: pd.DataFrame, offsets: dict[str, ServiceOffset], corrected: bool
) -> np.ndarray:
    lead = rows["lead_ms"].to_numpy(dtype="float64")
    if not corrected:
        return lead
    shift = np.array(
        [
            offsets[s].offset_ms if s in offsets and offsets[s].significant else 0.0
            for s in rows["service"]
        ],
        dtype="float64",
    )

    return lead + shift
