"""Which attributes set failed requests apart from succeeded ones, ranked.

For each attribute the values are cut to the ``top_k`` most frequent over both
sets, the rest pooled as ``(other)`` and absent values as ``(missing)``, so the
cost is one hash count per attribute whatever its cardinality. The score is the
total variation distance between the failed and succeeded value shares: half
the sum of absolute share differences, 0 when spread alike, 1 when no value is
shared. Float columns are measurements, not categories, and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pandas as pd

# Attributes worth reading for the contrast: client and deployment facts that
# differ between users or hosts (OpenTelemetry semantic-convention names where
# one exists). The readers keep only attributes they are asked for.
CONTRAST_KEYS = (
    "client.time_zone",
    "user_agent.original",
    "auth.credential_kind",
    "service.version",
    "host.name",
    "deployment.environment.name",
)
OTHER = "(other)"
MISSING = "(missing)"
TOP_K = 5
FAILED = "failed"

# Columns that are the outcome itself, identifiers or timestamps: contrasting
# on them says nothing about why requests failed.
EXCLUDED = frozenset(
    {
        FAILED,
        "cause",
        "error.type",
        "upstream.cause",
        "status",
        "http_status",
        "http.response.status_code",
        "otel.status_code",
        "status_message",
        "level",
        "event",
        "trace_id",
        "span_id",
        "parent_span_id",
        "request_id",
        "name",
        "start_ns",
        "end_ns",
        "timestamp",
        "timestamp_ns",
    }
)


@dataclass(frozen=True)
class ValueShare:
    """How often one value occurs among failed and succeeded requests."""

    value: str
    failed: int
    succeeded: int
    failed_share: float
    succeeded_share: float


@dataclass(frozen=True)
class AttributeContrast:
    """One attribute's distance between failed and succeeded, with its top values."""

    attribute: str
    score: float
    distinct: int
    values: tuple[ValueShare, ...]

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return asdict(self)


def contrast(
    requests: pd.DataFrame,
    *,
    top_k: int = TOP_K,
    exclude: Iterable[str] = EXCLUDED,
) -> tuple[AttributeContrast, ...]:
    """Rank attribute columns by how differently failed and succeeded spread.

    ``requests`` has one row per entry request, a boolean ``failed`` column and
    one column per attribute. Returns nothing unless both sets are non-empty.
    """
    failed = requests[FAILED].fillna(False).astype(bool).to_numpy()
    if failed.all() or not failed.any():
        return ()
    skipped = set(exclude)

    ranked = [
        _contrast_one(name, requests[name], failed, top_k)
        for name in requests.columns
        if name not in skipped and not pd.api.types.is_float_dtype(requests[name])
    ]
    ranked = [item for item in ranked if item.distinct > 0]

    return tuple(sorted(ranked, key=lambda item: (-item.score, item.attribute)))


def _contrast_one(
    name: str, column: pd.Series, failed: object, top_k: int
) -> AttributeContrast:
    values = column.astype("string").fillna(MISSING)
    counts = values.value_counts()
    top = counts.index[:top_k]
    bucketed = values.where(values.isin(top), OTHER)

    table = pd.crosstab(bucketed.to_numpy(), failed).reindex(
        columns=[True, False], fill_value=0
    )
    shares = table / table.sum(axis=0)
    score = float((shares[True] - shares[False]).abs().sum() / 2)

    order = (shares[True] - shares[False]).abs().sort_values(ascending=False).index
    rows = tuple(
        ValueShare(
            value=str(value),
            failed=int(table.at[value, True]),
            succeeded=int(table.at[value, False]),
            failed_share=float(shares.at[value, True]),
            succeeded_share=float(shares.at[value, False]),
        )
        for value in order
    )

    return AttributeContrast(name, score, len(counts), rows)
