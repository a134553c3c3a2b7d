"""Rich renderings of the evidence and of one trace's waterfall, for the terminal."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from analyzer.evidence.gather import Evidence
from analyzer.evidence.tables import all_tables
from analyzer.evidence.waterfall import LogLine, Waterfall, WaterfallRow

BAR_WIDTH = 32
# Narrower consoles get the waterfall without its timeline bars.
WIDE = 140
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
    """Print the trace as a table of spans, with log events and skew marks in place.

    Below ``WIDE`` columns the timeline bars and the box lines are left out, so
    names, statuses and causes still fit an 80-column terminal.
    """
    wide = console.width >= WIDE
    table = Table(
        title=f"trace {waterfall.trace_id}",
        caption=_caption(waterfall),
        expand=False,
        box=box.HEAVY_HEAD if wide else box.SIMPLE_HEAD,
        padding=(0, 1) if wide else (0, 1, 0, 0),
    )
    columns = ["span", "service", "start", "duration", "timeline", "status"]
    for column in columns if wide else [c for c in columns if c != "timeline"]:
        wraps = column in ("span", "service")
        table.add_column(
            column, no_wrap=not wraps, overflow="fold" if wraps else "ellipsis"
        )
    # Fold, not cut: a cause code is one long word and must be read whole.
    table.add_column("cause / fields", min_width=12, overflow="fold")

    total = max(waterfall.duration_ms, 1e-9)
    for row in waterfall.rows:
        _add_span(table, row, total, wide)
    for line in waterfall.orphan_logs:
        _add_log(table, line, 0, total, wide, prefix="(outside any span) ")

    console.print(table)


def _caption(waterfall: Waterfall) -> str:
    spans = len(waterfall.rows)
    text = f"{spans} spans over {waterfall.duration_ms:.3f} ms"
    if waterfall.marked:
        text += f"; {waterfall.marked} outside their parent's time (marked !)"

    return text


def _add_span(table: Table, row: WaterfallRow, total: float, wide: bool) -> None:
    indent = "  " * row.depth
    status_style = _STATUS_STYLE.get(row.status, "")
    cells: list[Text | str] = [
        Text(f"{indent}{row.name} [{row.kind}]"),
        row.service,
        _ms(row.offset_ms, wide),
        _ms(row.duration_ms, wide),
        Text(_bar(row.offset_ms, row.duration_ms, total), style="cyan"),
        Text(row.status, style=status_style),
        Text(row.cause, style="red" if row.cause else ""),
    ]
    table.add_row(*_fit(cells, wide))
    for mark in row.marks:
        flag = Text(f"{indent}  !", style="bold yellow")
        note = Text(mark, style="bold yellow")
        table.add_row(*_fit([flag, "", "", "", "", "", note], wide))
    for line in row.logs:
        _add_log(table, line, row.depth, total, wide)


def _add_log(
    table: Table,
    line: LogLine,
    depth: int,
    total: float,
    wide: bool,
    prefix: str = "",
) -> None:
    fields = " ".join(f"{key}={value}" for key, value in line.fields)
    label = f"{'  ' * depth}  · {prefix}{line.level} {line.event}".rstrip()
    cells: list[Text | str] = [
        Text(label, style="dim"),
        Text(line.service, style="dim"),
        Text(_ms(line.offset_ms, wide) or "time ?", style="dim"),
        "",
        Text(_marker(line.offset_ms, total), style="dim"),
        "",
        Text(fields, style="dim"),
    ]
    table.add_row(*_fit(cells, wide))


def _fit(cells: list[Text | str], wide: bool) -> list[Text | str]:
    """The row's cells, without the timeline (the fifth) when it is not shown."""
    return cells if wide else cells[:4] + cells[5:]


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


def _ms(value: float | None, precise: bool = True) -> str:
    if value is None:
        return ""
    return f"{value:,.3f} ms" if precise else f"{value:,.1f} ms"
