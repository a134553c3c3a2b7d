"""Rich renderings of the evidence and of one trace's waterfall, for the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from analyzer.evidence.gather import Evidence
from analyzer.evidence.tables import all_tables
from analyzer.evidence.waterfall import LogLine, Waterfall, WaterfallRow

BAR_WIDTH = 32
_STATUS_STYLE = {"error": "bold red", "ok": "green"}


def render_evidence(evidence: Evidence, console: Console) -> None:
    """Print every evidence table."""
    for text_table in all_tables(evidence):
        table = Table(title=text_table.title, caption=text_table.note or None)
        for name in text_table.header:
            table.add_column(name)
        for row in text_table.rows:
            table.add_row(*(Text(cell) for cell in row))
        if not text_table.rows:
            table.add_row(*(["-"] * len(text_table.header)))
        console.print(table)


def render_waterfall(waterfall: Waterfall, console: Console) -> None:
    """Print the trace as a table of spans, with log events and skew marks in place."""
    table = Table(
        title=f"trace {waterfall.trace_id}",
        caption=_caption(waterfall),
        expand=False,
    )
    for column in ("span", "service", "start", "duration", "timeline", "status"):
        table.add_column(column, no_wrap=column != "span")
    table.add_column("cause / fields")

    total = max(waterfall.duration_ms, 1e-9)
    for row in waterfall.rows:
        _add_span(table, row, total)
    for line in waterfall.orphan_logs:
        _add_log(table, line, 0, total, prefix="(outside any span) ")

    console.print(table)


def _caption(waterfall: Waterfall) -> str:
    spans = len(waterfall.rows)
    text = f"{spans} spans over {waterfall.duration_ms:.3f} ms"
    if waterfall.marked:
        text += f"; {waterfall.marked} outside their parent's time (marked !)"

    return text


def _add_span(table: Table, row: WaterfallRow, total: float) -> None:
    indent = "  " * row.depth
    status_style = _STATUS_STYLE.get(row.status, "")
    table.add_row(
        Text(f"{indent}{row.name} [{row.kind}]"),
        row.service,
        _ms(row.offset_ms),
        _ms(row.duration_ms),
        Text(_bar(row.offset_ms, row.duration_ms, total), style="cyan"),
        Text(row.status, style=status_style),
        Text(row.cause, style="red" if row.cause else ""),
    )
    for mark in row.marks:
        table.add_row(Text(f"{indent}  ! {mark}", style="bold yellow"))
    for line in row.logs:
        _add_log(table, line, row.depth, total)


def _add_log(
    table: Table, line: LogLine, depth: int, total: float, prefix: str = ""
) -> None:
    fields = " ".join(f"{key}={value}" for key, value in line.fields)
    label = f"{'  ' * depth}  · {prefix}{line.level} {line.event}".rstrip()
    table.add_row(
        Text(label, style="dim"),
        Text(line.service, style="dim"),
        Text(_ms(line.offset_ms), style="dim"),
        "",
        Text(_marker(line.offset_ms, total), style="dim"),
        "",
        Text(fields, style="dim"),
    )


def _bar(offset: float | None, duration: float | None, total: float) -> str:
    if offset is None or duration is None:
        return ""
    start = min(_clamp(round(offset / total * BAR_WIDTH)), BAR_WIDTH - 1)
    end = max(start + 1, _clamp(round((offset + duration) / total * BAR_WIDTH)))

    return " " * start + "█" * (end - start)


def _marker(offset: float | None, total: float) -> str:
    if offset is None:
        return ""
    return " " * min(_clamp(round(offset / total * BAR_WIDTH)), BAR_WIDTH - 1) + "·"


def _clamp(position: int) -> int:
    return max(0, min(BAR_WIDTH, position))


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:,.3f} ms"
