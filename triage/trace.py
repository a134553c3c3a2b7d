"""``triage trace``: one trace as a waterfall in the terminal.

Every example trace id in a report opens this way. Times are shown as each
service recorded them; a child span sticking out of its parent is marked with
the amount, which is how a clock offset between services looks.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.console import Console

from triage.errors import TriageError


def trace(
    trace_id: str = typer.Argument(
        ..., help="Trace id: 32 hex digits in any case (or base64 of 16 bytes)."
    ),
    paths: list[Path] = typer.Argument(
        ..., help="Telemetry files or folders (traces and logs), or - for stdin."
    ),
    width: int | None = typer.Option(
        None, "--width", min=60, help="Output width (default: the terminal's)."
    ),
) -> None:
    """Show one trace: spans as a waterfall, log events in place, skew marked.

    Examples:

      triage trace 4bf92f3577b34da6a3ce929d0e0e4736 ./telemetry

      triage trace 4BF92F3577B34DA6A3CE929D0E0E4736 traces.jsonl logs.jsonl
    """
    from analyzer.evidence import build_waterfall, render_waterfall
    from analyzer.evidence.errors import EvidenceError

    wanted = normalise_trace_id(trace_id)
    spans, logs = load_trace(wanted, paths)
    try:
        waterfall = build_waterfall(spans, logs, wanted)
    except EvidenceError as error:
        raise TriageError(str(error)) from error

    render_waterfall(waterfall, Console(width=width))


def normalise_trace_id(text: str) -> str:
    """A trace id as 32 lower-case hex digits; TriageError when it is none."""
    from analyzer.ids import trace_hex, trace_id_ints

    high, low = trace_id_ints(text.strip())
    if not (high or low):
        # All zeros is well formed but the W3C "invalid" id, which no trace has.
        raise TriageError(
            f"{text!r} is not a trace id (32 hex digits, not all zero, or base64)"
        )

    return trace_hex(high, low)


def load_trace(trace_id: str, paths: list[Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the inputs and keep the spans and log events of one trace."""
    from analyzer.errors import AnalyzerError
    from analyzer.evidence.adapt import logs_frame, spans_frame
    from analyzer.reader import read
    from analyzer.schema import Wanted

    try:
        result = read([str(p) for p in paths], Wanted())
    except AnalyzerError as error:
        raise TriageError(str(error)) from error

    high, low = int(trace_id[:16], 16), int(trace_id[16:], 16)

    return (
        spans_frame(_only(result.spans, high, low)),
        logs_frame(_only(result.logs, high, low)),
    )


def _only(table: pd.DataFrame, high: int, low: int) -> pd.DataFrame:
    """The rows of one trace, compared as integers before any hex is made."""
    if table.empty:
        return table
    keep = (table["trace_hi"].to_numpy() == high) & (
        table["trace_lo"].to_numpy() == low
    )

    return table[keep]
