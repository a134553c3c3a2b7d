"""Span trees in bulk: ids to row numbers, depth and the entry above every span.

Everything here works on whole columns with NumPy and pandas hash tables; no
loop runs per span. Parent chains are followed by pointer doubling, so a chain
of depth D costs log2(D) passes, and a parent cycle (which has no root) stops
after a fixed number of passes instead of looping.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

_MAX_DOUBLINGS = 40  # 2**40 levels: any chain still open after this is a cycle


def dense_codes(*columns: np.ndarray) -> np.ndarray:
    """One dense integer code per distinct tuple of the given integer columns."""
    codes = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        column_codes, uniques = pd.factorize(column, sort=False)
        codes = codes * max(len(uniques), 1) + column_codes
        codes, _ = pd.factorize(codes, sort=False)

    return codes.astype(np.int64)


def parent_rows(
    trace: np.ndarray, span_id: np.ndarray, parent_id: np.ndarray
) -> np.ndarray:
    """The row of each span's parent in the same trace, or -1 when it is absent.

    ``trace`` holds dense trace codes; (trace, span_id) must be unique.
    """
    want_trace = np.where(parent_id != 0, trace, -1)
    rows = row_lookup(trace, span_id, want_trace, parent_id)
    rows[rows == np.arange(len(rows))] = -1  # a span that names itself as parent

    return rows


def row_lookup(
    trace: np.ndarray,
    span_id: np.ndarray,
    want_trace: np.ndarray,
    want_span: np.ndarray,
) -> np.ndarray:
    """The row holding each wanted (trace, span id) pair, or -1."""
    span_codes, uniques = pd.factorize(span_id, sort=False)
    width = max(len(uniques), 1)
    keys = pd.Index(trace * width + span_codes)
    want_codes = pd.Index(uniques).get_indexer(want_span)
    known = (want_codes >= 0) & (want_trace >= 0)
    rows = np.full(len(want_trace), -1, dtype=np.int64)
    rows[known] = keys.get_indexer(want_trace[known] * width + want_codes[known])

    return rows


@dataclass(frozen=True)
class Ancestry:
    """Per span: distance to its root, the topmost marked ancestor-or-self, cycles."""

    depth: np.ndarray
    top_marked: np.ndarray
    in_cycle: np.ndarray


def ancestry(parent: np.ndarray, marked: np.ndarray) -> Ancestry:
    """Follow parent links to the root for every span at once.

    ``top_marked[i]`` is the marked span nearest the root on the path from span
    i up (i itself included), or -1 when there is none.
    """
    count = len(parent)
    jump = parent.copy()
    depth = (parent >= 0).astype(np.int64)
    top = np.where(marked, np.arange(count), -1)
    for _ in range(_MAX_DOUBLINGS):
        open_rows = np.flatnonzero(jump >= 0)
        if not len(open_rows):
            break
        target = jump[open_rows]
        above = top[target]
        depth_above = depth[target]
        jump_above = jump[target]
        top[open_rows] = np.where(above >= 0, above, top[open_rows])
        depth[open_rows] += depth_above
        jump[open_rows] = jump_above
    in_cycle = jump >= 0
    top[in_cycle] = -1

    return Ancestry(depth=depth, top_marked=top, in_cycle=in_cycle)
