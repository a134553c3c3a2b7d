"""Sub-verdicts of H1: which kind of scheduled-time mistake explains the rejections.

Each schedule rejection gets exactly one explanation, tried in this order:

1. time zone / offset: the cause is ``schedule.naive_datetime`` or the lead is
   within 20 minutes of a non-zero whole number of hours;
2. clocks disagree: the rejecting service's clock offset from its caller is
   significant (beyond half the median round trip and 100 ms) and the lead
   corrected by it reaches the minimum lead less a slack for the time the
   request spent on its way (a tenth of the minimum lead, at least 1 s: a
   client that aims at exactly the minimum always arrives a little short);
3. client sends now: the lead, corrected by a significant offset, is within
   2 s of zero;
4. genuinely too soon: anything else with a lead (short, or in the past).

Verdicts: with no schedule rejection every sub-hypothesis is ``not_observed``.
"clocks disagree" is ``confirmed`` when it explains most (over half) of the
schedule rejections, ``inconclusive`` when no offset could be estimated. The
others are ``confirmed`` from a quarter. Any sub-hypothesis explaining some
but fewer is ``inconclusive``; explaining none, ``ruled_out``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analyzer.evidence.clock import MIN_MEANINGFUL_MS, ClockOffset, LeadOffset
from analyzer.evidence.leads import HOURS, NAIVE, NEAR_ZERO_MS, REJECTED, classify

SLACK_MS = 1_000.0
SLACK_SHARE = 0.1
CONFIRM_SHARE = 0.25
CLOCKS_CONFIRM_SHARE = 0.5

TIME_ZONE = "time_zone"
CLOCKS = "clocks_disagree"
NOW = "client_sends_now"
TOO_SOON = "too_soon"
TITLES = {
    NOW: 'client sends "now"',
    TIME_ZONE: "time zone / offset mix-up",
    CLOCKS: "clocks of the two servers disagree",
    TOO_SOON: "genuinely too soon",
}

CONFIRMED = "confirmed"
RULED_OUT = "ruled_out"
NOT_OBSERVED = "not_observed"
INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class ServiceOffset:
    """The clock offset applied to one rejecting service, and where it came from."""

    service: str
    offset_ms: float
    significant: bool
    source: str


@dataclass(frozen=True)
class SubVerdict:
    """The verdict on one sub-hypothesis of H1 with the count behind it."""

    id: str
    title: str
    verdict: str
    count: int
    share: float
    detail: str

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return asdict(self)


def service_offsets(
    clock: tuple[ClockOffset, ...], lead_offsets: tuple[LeadOffset, ...]
) -> dict[str, ServiceOffset]:
    """Each called service's offset: span timing first, the lead difference else."""
    chosen: dict[str, ServiceOffset] = {}
    for estimate in sorted(lead_offsets, key=lambda e: e.pairs):
        significant = abs(estimate.offset_ms) > max(MIN_MEANINGFUL_MS, estimate.iqr_ms)
        chosen[estimate.inner_service] = ServiceOffset(
            estimate.inner_service, estimate.offset_ms, significant, "lead difference"
        )
    for timing in sorted(clock, key=lambda e: e.pairs):
        chosen[timing.server_service] = ServiceOffset(
            timing.server_service,
            timing.offset_ms,
            timing.significant,
            "span timing",
        )

    return chosen


def explain(
    leads: pd.DataFrame,
    offsets: dict[str, ServiceOffset],
    slack_ms: float = SLACK_MS,
    slack_share: float = SLACK_SHARE,
) -> pd.DataFrame:
    """The schedule rejections, each with ``offset_ms`` and its ``explanation``."""
    rejected = leads[leads["outcome"] == REJECTED].copy()
    applied = [offsets.get(service) for service in rejected["service"]]
    offset = np.array(
        [o.offset_ms if o is not None and o.significant else 0.0 for o in applied]
    )
    lead = rejected["lead_ms"].to_numpy(dtype="float64")
    minimum = rejected["min_lead_ms"].to_numpy(dtype="float64")
    names, _ = classify(lead, minimum)

    zone = (rejected["cause"].to_numpy() == NAIVE) | (names == HOURS)
    corrected = lead + offset
    slack = np.maximum(slack_ms, np.nan_to_num(minimum) * slack_share)
    clocks = (offset != 0) & (corrected >= minimum - slack)
    now = np.abs(corrected) <= NEAR_ZERO_MS
    rejected["offset_ms"] = offset
    rejected["explanation"] = np.select(
        [zone, np.isnan(lead), clocks, now],
        [TIME_ZONE, "", CLOCKS, NOW],
        default=TOO_SOON,
    )

    return rejected


def sub_verdicts(
    explained: pd.DataFrame, offsets: dict[str, ServiceOffset]
) -> tuple[SubVerdict, ...]:
    """Judge each sub-hypothesis from the explained rejections (rules above)."""
    total = len(explained)
    counts = explained["explanation"].value_counts()
    verdicts = []
    for key in (NOW, TIME_ZONE, CLOCKS, TOO_SOON):
        count = int(counts.get(key, 0))
        share = count / total if total else 0.0
        verdict = _verdict(key, count, share, total, offsets)
        detail = _detail(key, explained, offsets)
        verdicts.append(SubVerdict(key, TITLES[key], verdict, count, share, detail))

    return tuple(verdicts)


def _verdict(
    key: str, count: int, share: float, total: int, offsets: dict[str, ServiceOffset]
) -> str:
    if total == 0:
        return NOT_OBSERVED
    if key == CLOCKS and not offsets:
        return INCONCLUSIVE
    threshold = CLOCKS_CONFIRM_SHARE if key == CLOCKS else CONFIRM_SHARE
    if (key == CLOCKS and share > threshold) or (key != CLOCKS and share >= threshold):
        return CONFIRMED

    return INCONCLUSIVE if count else RULED_OUT


def _detail(
    key: str, explained: pd.DataFrame, offsets: dict[str, ServiceOffset]
) -> str:
    rows = explained[explained["explanation"] == key]
    if key == CLOCKS:
        parts = [
            f"{o.service} {o.offset_ms / 1000:+.1f} s ({o.source}"
            f"{'' if o.significant else ', not significant'})"
            for o in offsets.values()
        ]
        return "offset " + "; ".join(parts) if parts else "no offset estimate"
    if key == TIME_ZONE:
        return _zone_detail(rows)
    if rows.empty:
        return ""
    median = float(rows["lead_ms"].median())

    return f"median lead {median / 1000:+.3f} s"


def _zone_detail(rows: pd.DataFrame) -> str:
    naive = int((rows["cause"] == NAIVE).sum())
    lead = rows["lead_ms"].to_numpy(dtype="float64")
    names, shifts = classify(lead, rows["min_lead_ms"].to_numpy(dtype="float64"))
    hours, counts = np.unique(shifts[names == HOURS], return_counts=True)
    parts = [f"{int(h):+d} h x{int(n)}" for h, n in zip(hours, counts, strict=True)]
    if naive:
        parts.append(f"{naive} without a UTC offset")

    return ", ".join(parts)
