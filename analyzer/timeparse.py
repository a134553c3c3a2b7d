"""Timestamps as integer nanoseconds since the Unix epoch (0 when unknown)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Nanoseconds since 1970 fit int64 until 2262; later times count as unknown.
_NS_MAX = (1 << 63) - 1


def time_ns(value: object) -> int:
    """One timestamp (ISO 8601 text, or epoch seconds/ms/us/ns) as nanoseconds."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int | float):
        return _epoch_ns(float(value))
    if not isinstance(value, str):
        return 0
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return 0
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # structlog's TimeStamper writes UTC

    delta = parsed - datetime(1970, 1, 1, tzinfo=UTC)
    nanos = (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + (
        delta.microseconds * 1000
    )

    return nanos if 0 < nanos <= _NS_MAX else 0


def _epoch_ns(number: float) -> int:
    """Guess the unit of an epoch number from its size."""
    if not math.isfinite(number) or number <= 0:
        return 0
    for limit, scale in ((1e11, 1e9), (1e14, 1e6), (1e17, 1e3)):
        if number < limit:
            return int(number * scale)

    return int(number) if number <= _NS_MAX else 0


def time_column(array: pa.Array) -> np.ndarray:
    """A column of ISO 8601 timestamps as int64 nanoseconds (0 when unknown)."""
    try:
        stamps = pc.cast(array, pa.timestamp("ns", tz="UTC"))
        values = pc.cast(stamps, pa.int64()).fill_null(0)
        return values.to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass

    parsed = pd.to_datetime(
        pd.Series(array.to_pylist(), dtype=object),
        utc=True,
        format="ISO8601",
        errors="coerce",
    )
    nanos = parsed.astype("datetime64[ns, UTC]").array.asi8

    return np.where(parsed.isna().to_numpy(), 0, nanos).astype(np.int64)
