"""Clock offset between services, estimated from spans; timestamps are never changed.

Each client span and the server span it called give one estimate by the
midpoint method: offset = ((server start - client start) + (server end - client
end)) / 2, the server's clock minus the client's. With one-way delays d1 and d2
the estimate errs by (d1 - d2) / 2, at most half the round trip (client duration
minus server duration). No tighter interval is claimed: an instrumented server
span often ends after the response left, so "server end before client end"
does not hold for real spans (seen with the FastAPI instrumentation).

Under load, queueing lengthens one direction more than the other and biases
single estimates. As NTP's clock filter does (RFC 5905, section 10), the
estimate keeps the least-delayed calls: the median offset of the quarter of
pairs (at least eight) with the shortest non-negative round trip. A negative
round trip (server span longer than its client span) breaks the model and is
never selected.

The schedule check gives a second, independent estimate: the entry service and
the service it called each record ``schedule.lead_ms`` for the same scheduled
time, so outer lead minus inner lead is the inner clock minus the outer clock
(plus the real time between the two checks).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analyzer.evidence.frames import (
    CLIENT,
    NS_PER_MS,
    SERVER,
    ancestors,
    kinds,
    require,
)

BUCKET_NS = 60 * 1_000_000_000
MIN_USED_PAIRS = 8
# Offsets smaller than this are treated as agreeing clocks whatever the spread:
# the lead checks work in whole seconds, so tens of milliseconds decide nothing.
MIN_MEANINGFUL_MS = 100.0

_PAIR_COLUMNS = ("trace_id", "span_id", "parent_span_id", "service", "kind")
_TIME_COLUMNS = ("start_ns", "end_ns")
PAIR_OUTPUT = (
    "trace_id",
    "client_service",
    "server_service",
    "client_start",
    "offset_ms",
    "rtt_ms",
)


@dataclass(frozen=True)
class OffsetPoint:
    """The offset estimate over one minute, keyed by the client's clock."""

    minute_ns: int
    offset_ms: float
    rtt_ms: float
    pairs: int


@dataclass(frozen=True)
class ClockOffset:
    """How far one service's clock is from its caller's, with spread and trend."""

    client_service: str
    server_service: str
    pairs: int
    offset_ms: float
    iqr_ms: float
    mad_ms: float
    rtt_ms: float
    series: tuple[OffsetPoint, ...]
    used_pairs: int = 0

    @property
    def uncertainty_ms(self) -> float:
        """Half the median round trip: the midpoint method's error bound."""
        return self.rtt_ms / 2

    @property
    def significant(self) -> bool:
        """Whether the clocks disagree by more than the method can resolve."""
        return abs(self.offset_ms) > max(self.uncertainty_ms, MIN_MEANINGFUL_MS)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict, with the derived fields included."""
        data = asdict(self)
        data["uncertainty_ms"] = self.uncertainty_ms
        data["significant"] = self.significant

        return data


@dataclass(frozen=True)
class LeadOffset:
    """Inner clock minus outer clock, from the two leads of one scheduled time."""

    outer_service: str
    inner_service: str
    pairs: int
    offset_ms: float
    iqr_ms: float

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return asdict(self)


def call_pairs(spans: pd.DataFrame) -> pd.DataFrame:
    """One row per client span and the server span of another service it called.

    Columns: ``trace_id``, ``client_service``, ``server_service``, ``client_start``,
    ``offset_ms`` and ``rtt_ms``. An empty table gives no pairs.
    """
    if spans.empty:
        return pd.DataFrame({name: pd.Series(dtype="float64") for name in PAIR_OUTPUT})
    require(spans, (*_PAIR_COLUMNS, *_TIME_COLUMNS), "clock offset")
    kind = kinds(spans["kind"])
    timed = spans[["start_ns", "end_ns"]].notna().all(axis=1)
    clients = spans[(kind == CLIENT) & timed]
    servers = spans[(kind == SERVER) & timed]

    joined = servers.merge(
        clients,
        left_on=["trace_id", "parent_span_id"],
        right_on=["trace_id", "span_id"],
        suffixes=("_s", "_c"),
    )
    joined = joined[joined["service_s"] != joined["service_c"]]

    start_diff = (joined["start_ns_s"] - joined["start_ns_c"]) / NS_PER_MS
    end_diff = (joined["end_ns_s"] - joined["end_ns_c"]) / NS_PER_MS
    client_ms = (joined["end_ns_c"] - joined["start_ns_c"]) / NS_PER_MS
    server_ms = (joined["end_ns_s"] - joined["start_ns_s"]) / NS_PER_MS

    return pd.DataFrame(
        {
            "trace_id": joined["trace_id"].to_numpy(),
            "client_service": joined["service_c"].to_numpy(),
            "server_service": joined["service_s"].to_numpy(),
            "client_start": joined["start_ns_c"].to_numpy(dtype="float64"),
            "offset_ms": ((start_diff + end_diff) / 2).to_numpy(dtype="float64"),
            "rtt_ms": (client_ms - server_ms).to_numpy(dtype="float64"),
        }
    )


def estimate_offsets(spans: pd.DataFrame) -> tuple[ClockOffset, ...]:
    """The clock offset of every called service relative to its caller."""
    return summarise_pairs(call_pairs(spans))


def summarise_pairs(pairs: pd.DataFrame) -> tuple[ClockOffset, ...]:
    """One estimate per (caller, called) service pair from ``call_pairs`` rows."""
    estimates = [
        _summarise(client, server, group)
        for (client, server), group in pairs.groupby(
            ["client_service", "server_service"], sort=True
        )
    ]

    return tuple(estimates)


def least_delayed(pairs: pd.DataFrame) -> pd.DataFrame:
    """The quarter of pairs with the shortest non-negative RTT, never under eight.

    Below eight pairs one unlucky call would decide alone; a median of eight
    is steadier than the shortest round trip of a handful.
    """
    valid = pairs[pairs["rtt_ms"] >= 0]
    if valid.empty:
        valid = pairs
    keep = max(min(len(valid), MIN_USED_PAIRS), len(valid) // 4)

    return valid.nsmallest(keep, "rtt_ms")


def _summarise(client: str, server: str, group: pd.DataFrame) -> ClockOffset:
    offsets = group["offset_ms"].to_numpy()
    best = least_delayed(group)
    median = float(best["offset_ms"].median())
    q1, q3 = np.percentile(offsets, [25, 75])
    mad = float(np.median(np.abs(offsets - np.median(offsets))))
    valid_rtt = group.loc[group["rtt_ms"] >= 0, "rtt_ms"]
    rtt = valid_rtt if not valid_rtt.empty else group["rtt_ms"]

    return ClockOffset(
        client_service=client,
        server_service=server,
        pairs=len(group),
        offset_ms=median,
        iqr_ms=float(q3 - q1),
        mad_ms=mad,
        rtt_ms=float(rtt.median()),
        series=_series(group),
        used_pairs=len(best),
    )


def _series(group: pd.DataFrame) -> tuple[OffsetPoint, ...]:
    minute = (group["client_start"] // BUCKET_NS * BUCKET_NS).astype("int64")
    points = []
    for key, bucket in group.groupby(minute, sort=True):
        best = least_delayed(bucket)
        points.append(
            OffsetPoint(
                int(key),
                float(best["offset_ms"].median()),
                float(bucket["rtt_ms"].median()),
                len(bucket),
            )
        )

    return tuple(points)


def estimate_lead_offsets(spans: pd.DataFrame) -> tuple[LeadOffset, ...]:
    """Inner-minus-outer clock from server spans that both recorded a lead."""
    require(spans, (*_PAIR_COLUMNS, "lead_ms"), "lead offset")
    diffs = _lead_differences(spans)
    if diffs.empty:
        return ()

    estimates = []
    for (outer, inner), group in diffs.groupby(["outer", "inner"], sort=True):
        values = group["diff_ms"].to_numpy()
        q1, q3 = np.percentile(values, [25, 75])
        estimates.append(
            LeadOffset(
                outer, inner, len(values), float(np.median(values)), float(q3 - q1)
            )
        )

    return tuple(estimates)


def _lead_differences(spans: pd.DataFrame) -> pd.DataFrame:
    """Pair each server span with a lead to its nearest server ancestor of another
    service, when that ancestor recorded a lead too."""
    spans = spans.reset_index(drop=True)
    kind = kinds(spans["kind"]).to_numpy()
    service = spans["service"].astype("object").to_numpy()
    lead = spans["lead_ms"].to_numpy(dtype="float64")
    inner = spans[(kind == SERVER) & ~np.isnan(lead)]

    found = []
    for level in ancestors(spans, inner):
        origin = level["origin"].to_numpy()
        row = level["row"].to_numpy()
        hit = (kind[row] == SERVER) & (service[row] != service[origin])
        found.append(pd.DataFrame({"origin": origin[hit], "outer": row[hit]}))
    if not found:
        return pd.DataFrame(columns=["outer", "inner", "diff_ms"])
    # The nearest server ancestor decides: levels come parent first.
    nearest = pd.concat(found).drop_duplicates("origin")
    nearest = nearest[~np.isnan(lead[nearest["outer"].to_numpy()])]
    origin, outer = nearest["origin"].to_numpy(), nearest["outer"].to_numpy()

    return pd.DataFrame(
        {
            "outer": service[outer],
            "inner": service[origin],
            "diff_ms": lead[outer] - lead[origin],
        }
    )
