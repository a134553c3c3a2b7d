"""Turn the analyzer core's span and log tables into the evidence steps' shape.

The core keeps ids as unsigned 64-bit integers (a trace id as ``trace_hi`` and
``trace_lo``, 0 for absent), span kind and status as OTLP enum numbers, log time
as ``time_ns`` and extra attributes as ``attr:<key>`` columns (see
``analyzer/schema.py``). The evidence steps use hex ids, kind and status names,
and plain attribute names (``analyzer/evidence/frames.py``). Tables already in
that shape pass through unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from analyzer.evidence.frames import normalise_kind

_STATUS_NAMES = {0: "unset", 1: "ok", 2: "error"}
_EXTRA_PREFIX = "attr:"


def to_pandas(table: object) -> pd.DataFrame:
    """A pandas DataFrame from an Arrow table, a DataFrame, or None (empty)."""
    if table is None:
        return pd.DataFrame()
    if isinstance(table, pa.Table):
        return table.to_pandas()
    if isinstance(table, pd.DataFrame):
        return table

    raise TypeError(f"expected an Arrow table or a DataFrame, got {type(table)!r}")


def spans_frame(table: object) -> pd.DataFrame:
    """The span table with hex ids, kind and status names, and plain attribute names."""
    frame = _common(to_pandas(table))
    if "parent_id" in frame and "parent_span_id" not in frame:
        frame["parent_span_id"] = _span_hex(frame.pop("parent_id"))
    if "kind" in frame:
        frame["kind"] = frame["kind"].map(normalise_kind)
    if "status" in frame and pd.api.types.is_integer_dtype(frame["status"]):
        frame["status"] = frame["status"].map(_STATUS_NAMES).fillna("unset")

    return frame


def logs_frame(table: object) -> pd.DataFrame:
    """The log table with hex ids, ``timestamp_ns`` and plain attribute names."""
    frame = _common(to_pandas(table))
    if "time_ns" in frame and "timestamp_ns" not in frame:
        frame["timestamp_ns"] = frame.pop("time_ns")

    return frame


def _common(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    if {"trace_hi", "trace_lo"} <= set(frame.columns):
        frame["trace_id"] = _trace_hex(frame.pop("trace_hi"), frame.pop("trace_lo"))
    if "span_id" in frame and pd.api.types.is_integer_dtype(frame["span_id"]):
        frame["span_id"] = _span_hex(frame["span_id"])
    for name in list(frame.columns):
        if pd.api.types.is_object_dtype(frame[name]) or isinstance(
            frame[name].dtype, pd.CategoricalDtype | pd.StringDtype
        ):
            frame[name] = _blank_as_na(frame[name])
    if "http_status" in frame:
        status = pd.to_numeric(frame["http_status"], errors="coerce")
        frame["http_status"] = status.where(status > 0)

    return frame.rename(
        columns={
            name: name.removeprefix(_EXTRA_PREFIX)
            for name in frame.columns
            if name.startswith(_EXTRA_PREFIX)
        }
    )


def _trace_hex(high: pd.Series, low: pd.Series) -> pd.Series:
    values = [
        f"{int(h):016x}{int(lo):016x}" if h or lo else None
        for h, lo in zip(high.to_numpy(), low.to_numpy(), strict=True)
    ]

    return pd.Series(values, index=high.index, dtype="object")


def _span_hex(ids: pd.Series) -> pd.Series:
    numbers = ids.to_numpy(dtype=np.uint64, na_value=0)
    values = [f"{int(v):016x}" if v else None for v in numbers]

    return pd.Series(values, index=ids.index, dtype="object")


def _blank_as_na(values: pd.Series) -> pd.Series:
    as_object = values.astype("object")

    return as_object.where(as_object.notna() & (as_object != ""), None)
