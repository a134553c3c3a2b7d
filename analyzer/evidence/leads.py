"""Lead times of the schedule check: who recorded what, in which named cluster.

The lead is the scheduled time minus the checking server's now
(``schedule.lead_ms``). Its value tells the sub-hypotheses of H1 apart: a
client that sends its own "now" arrives a network delay late (near zero); a
time zone mistake shifts it by whole hours; a clock that runs ahead makes it
negative by the offset; a client that really asks too early gives a short
positive lead.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analyzer.evidence.frames import MS_PER_HOUR, SERVER, ancestors, kinds
from instrumentation.causes import Cause

# A client's own "now" reaches the server within a network delay or a small
# client clock error; two seconds covers both without swallowing real leads.
NEAR_ZERO_MS = 2_000.0
# Only leads at least half an hour from zero can be time zone shifts, and a
# shifted time keeps the lead the user meant (minutes), hence the tolerance.
HOURS_MIN_MS = 1_800_000.0
HOURS_TOLERANCE_MS = 1_200_000.0

NAIVE = Cause.SCHEDULE_NAIVE_DATETIME.value
REJECTED = "rejected"
ACCEPTED = "accepted"
RELAYED = "relayed"
LEAD_COLUMNS = ("trace_id", "service", "cause", "lead_ms", "min_lead_ms", "outcome")
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)

NEAR_ZERO = "near_zero"
HOURS = "hours"
NEGATIVE = "negative"
SHORT_POSITIVE = "short_positive"
POSITIVE = "positive"
ENOUGH = "enough"
CLUSTER_LABELS = {
    NEAR_ZERO: "near zero: the client sends its own now",
    NEGATIVE: "negative: the time is in the past",
    SHORT_POSITIVE: "short but positive: ahead, but less than the minimum",
    POSITIVE: "positive (no minimum lead recorded)",
    ENOUGH: "at least the minimum lead",
}


@dataclass(frozen=True)
class Cluster:
    """One named group of the leads one service recorded for one outcome."""

    service: str
    outcome: str
    cluster: str
    hours: int | None
    label: str
    count: int
    share: float
    median_ms: float

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class LeadSummary:
    """Quantiles of the leads one service recorded for one outcome."""

    service: str
    outcome: str
    count: int
    min_ms: float
    max_ms: float
    quantiles_ms: dict[str, float]

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return asdict(self)


def is_schedule(cause: object) -> bool:
    """Whether a cause code is one of the schedule (H1) codes."""
    return isinstance(cause, str) and cause.startswith("schedule.")


def lead_table(spans: pd.DataFrame, logs: pd.DataFrame) -> pd.DataFrame:
    """Every recorded lead with its outcome, from server spans, else from log lines.

    Spans win when any server span carries a lead; logs are the fallback for
    logs-only inputs, one row per (trace, span, service). Schedule rejections
    without a lead are kept with NaN so naive date-times still count. A caller
    that passes an inner schedule rejection on carries the same cause; only the
    deepest such row of a trace decided it, the others are ``relayed``.
    """
    rows = _from_spans(spans)
    if rows.empty or rows["lead_ms"].isna().all():
        rows = _from_logs(logs)

    schedule = rows["cause"].map(is_schedule).astype(bool).to_numpy()
    relayed = rows["relayed"].astype(bool).to_numpy()
    outcome = np.select(
        [schedule & ~relayed, schedule], [REJECTED, RELAYED], default=ACCEPTED
    )

    return rows.assign(outcome=outcome).reset_index(drop=True)[list(LEAD_COLUMNS)]


def _from_spans(spans: pd.DataFrame) -> pd.DataFrame:
    needed = {"kind", "cause", "lead_ms", "min_lead_ms", "trace_id", "service"}
    if spans is None or not needed <= set(spans.columns):
        return pd.DataFrame(columns=[*LEAD_COLUMNS[:-1], "relayed"])
    spans = spans.reset_index(drop=True)
    server = (kinds(spans["kind"]) == SERVER).to_numpy()
    schedule = spans["cause"].map(is_schedule).astype(bool).to_numpy()
    keep = server & (spans["lead_ms"].notna().to_numpy() | schedule)

    relayed = np.zeros(len(spans), dtype=bool)
    if "parent_span_id" in spans:
        # A schedule row above another schedule row only passed the cause on.
        for level in ancestors(spans, spans[server & schedule]):
            above = level["row"].to_numpy()
            relayed[above[schedule[above] & server[above]]] = True

    return spans.loc[keep, list(LEAD_COLUMNS[:-1])].assign(relayed=relayed[keep])


def _from_logs(logs: pd.DataFrame) -> pd.DataFrame:
    needed = {"cause", "lead_ms", "min_lead_ms", "trace_id", "service"}
    if logs is None or not needed <= set(logs.columns):
        return pd.DataFrame(columns=[*LEAD_COLUMNS[:-1], "relayed"])
    keep = logs["lead_ms"].notna() | logs["cause"].map(is_schedule).astype(bool)
    rows = logs.loc[keep]
    key = [c for c in ("trace_id", "span_id", "service") if c in rows.columns]
    # A rejection is written twice (the rejection event and the access event).
    rows = rows.sort_values("lead_ms", na_position="last").drop_duplicates(key)
    # In logs only the deciding service records the lead of a rejection.
    has_lead = rows["lead_ms"].notna()
    traced = rows["trace_id"].isin(set(rows.loc[has_lead, "trace_id"]))
    relayed = ~has_lead & traced

    return rows[list(LEAD_COLUMNS[:-1])].assign(relayed=relayed.to_numpy())


def classify(lead_ms: np.ndarray, min_lead_ms: np.ndarray) -> tuple[np.ndarray, ...]:
    """Name each lead's cluster; returns (cluster names, whole-hour shifts or 0)."""
    lead = np.asarray(lead_ms, dtype="float64")
    minimum = np.asarray(min_lead_ms, dtype="float64")
    hours = np.rint(lead / MS_PER_HOUR)
    residual = np.abs(lead - hours * MS_PER_HOUR)
    shifted = (np.abs(lead) >= HOURS_MIN_MS) & (residual <= HOURS_TOLERANCE_MS)

    names = np.select(
        [
            np.isnan(lead),
            shifted,
            np.abs(lead) <= NEAR_ZERO_MS,
            lead < 0,
            np.isnan(minimum),
            lead < minimum,
        ],
        ["", HOURS, NEAR_ZERO, NEGATIVE, POSITIVE, SHORT_POSITIVE],
        default=ENOUGH,
    )
    shifts = np.where(names == HOURS, hours, 0).astype("int64")

    return names, shifts


def hours_label(hours: int) -> str:
    """Name a whole-hour shift of the lead and the offset mix-ups that cause it."""
    zone = f"{abs(hours):02d}:00"
    if hours > 0:
        return (
            f"{hours:+d} h: local time of a UTC+{zone} zone sent without its "
            f"offset (read as UTC), or a UTC reading stamped -{zone}"
        )
    return (
        f"{hours:+d} h: a UTC reading stamped +{zone}, or local time of a "
        f"UTC-{zone} zone read as UTC"
    )


def clusters(leads: pd.DataFrame) -> tuple[Cluster, ...]:
    """Count each named cluster per service and outcome, largest first."""
    known = leads[leads["lead_ms"].notna()]
    names, shifts = classify(known["lead_ms"], known["min_lead_ms"])
    table = pd.DataFrame(
        {
            "service": known["service"].to_numpy(),
            "outcome": known["outcome"].to_numpy(),
            "cluster": names,
            "hours": shifts,
            "lead_ms": known["lead_ms"].to_numpy(dtype="float64"),
        }
    )

    found = []
    for (service, outcome), group in table.groupby(["service", "outcome"], sort=True):
        counted = group.groupby(["cluster", "hours"]).agg(
            count=("lead_ms", "size"), median_ms=("lead_ms", "median")
        )
        for (name, hours), row in counted.iterrows():
            shift = int(hours) if name == HOURS else None
            label = hours_label(shift) if shift is not None else CLUSTER_LABELS[name]
            share = int(row["count"]) / len(group)
            found.append(
                Cluster(service, outcome, name, shift, label, int(row["count"]),
                        share, float(row["median_ms"]))
            )  # fmt: skip

    return tuple(
        sorted(found, key=lambda c: (c.outcome != REJECTED, c.service, -c.count))
    )


def summaries(leads: pd.DataFrame) -> tuple[LeadSummary, ...]:
    """Lead quantiles (5, 25, 50, 75, 95 %) per service and outcome."""
    found = []
    known = leads[leads["lead_ms"].notna()]
    for (service, outcome), group in known.groupby(["service", "outcome"], sort=True):
        values = group["lead_ms"].to_numpy(dtype="float64")
        points = np.quantile(values, QUANTILES)
        found.append(
            LeadSummary(
                service=service,
                outcome=outcome,
                count=len(values),
                min_ms=float(values.min()),
                max_ms=float(values.max()),
                quantiles_ms={
                    f"p{round(q * 100)}": float(v)
                    for q, v in zip(QUANTILES, points, strict=True)
                },
            )
        )

    return tuple(found)
