"""Each failed entry's root cause matched to at most one hypothesis."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyzer.diagnosis import BUILTIN_ATTRIBUTES, Condition, Diagnosis
from analyzer.schema import KIND_SERVER, extra_column


def hypothesis_of(
    failures: pd.DataFrame, spans: pd.DataFrame, diagnosis: Diagnosis
) -> pd.Series:
    """The id of the first hypothesis each failure supports (file order), or None.

    A root-cause code is matched against every hypothesis's prefixes first; only
    a failure that no prefix explains is tried against the attribute conditions.
    """
    causes = failures["cause"].astype(object)
    # Few distinct codes, many rows: match each code once, then by membership.
    codes = [code for code in pd.unique(causes) if isinstance(code, str)]
    result = pd.Series([None] * len(failures), index=failures.index, dtype=object)
    for hypothesis in diagnosis.hypotheses:
        if not hypothesis.causes:
            continue
        matching = [code for code in codes if hypothesis.matches_cause(code)]
        hit = result.isna().to_numpy() & causes.isin(matching).to_numpy()
        result[hit] = hypothesis.id

    for hypothesis in diagnosis.hypotheses:
        if not hypothesis.conditions:
            continue
        holds = np.zeros(len(failures), dtype=bool)
        for condition in hypothesis.conditions:
            holds |= np.isin(
                failures["row"].to_numpy(), entries_where(spans, condition)
            )
        open_rows = result.isna().to_numpy()
        result[open_rows & holds] = hypothesis.id

    return result


def entries_where(spans: pd.DataFrame, condition: Condition) -> np.ndarray:
    """Entry rows having a span at ``condition.where`` that passes the test."""
    entry_row = spans["entry_row"].to_numpy()
    rows = np.arange(len(spans))
    if condition.where == "entry":
        place = entry_row == rows
    elif condition.where == "inner":
        place = (
            (entry_row >= 0)
            & (entry_row != rows)
            & (spans["kind"].to_numpy() == KIND_SERVER)
        )
    else:
        place = entry_row >= 0
    column = BUILTIN_ATTRIBUTES.get(
        condition.attribute, extra_column(condition.attribute)
    )
    if column not in spans:
        return np.array([], dtype=np.int64)
    passed = place & _test(spans[column], condition)

    return np.unique(entry_row[passed])


def _test(values: pd.Series, condition: Condition) -> np.ndarray:
    """Apply a condition's operator to a column."""
    operator, expected = condition.operator, condition.value
    if operator in ("at_least", "at_most"):
        numbers = pd.to_numeric(values.astype(object), errors="coerce").to_numpy(
            dtype=float
        )
        if values.name == "http_status":
            numbers[numbers <= 0] = np.nan  # 0 means "no status recorded"
        with np.errstate(invalid="ignore"):
            return (
                numbers >= expected if operator == "at_least" else numbers <= expected
            )
    wanted_numbers = expected if operator == "in" else (expected,)
    if pd.api.types.is_numeric_dtype(values.dtype) and all(
        isinstance(v, int | float) for v in wanted_numbers
    ):
        return np.isin(values.to_numpy(), np.asarray(wanted_numbers))
    text = values.astype(object).map(lambda v: None if v is None else str(v))
    if operator == "prefix":
        return text.str.startswith(str(expected)).fillna(False).to_numpy(dtype=bool)
    wanted = expected if operator == "in" else (expected,)

    return text.isin([str(v) for v in wanted]).to_numpy(dtype=bool)
