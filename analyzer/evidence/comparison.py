"""Before/after comparison of two analyses, rendered as a table, Markdown or JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from analyzer.evidence.beforeafter import ALPHA, Change, Tally, compare_tallies
from analyzer.evidence.tables import percent

METHOD = (
    f"shares are out of all entry requests of each side; a change is beyond "
    f"noise when a two-sided two-proportion z-test gives p < {ALPHA:g} "
    f"(per row, no correction for many rows)"
)


def compare(before: Tally, after: Tally) -> tuple[Change, ...]:
    """Every row of the comparison (total, causes, hypotheses)."""
    return compare_tallies(before, after)


def to_dict(
    before: Tally, after: Tally, changes: Sequence[Change], labels: Sequence[str]
) -> dict[str, Any]:
    """The comparison as a JSON-ready dict."""
    return {
        "before": {"source": labels[0], "requests": before.requests},
        "after": {"source": labels[1], "requests": after.requests},
        "method": METHOD,
        "alpha": ALPHA,
        "rows": [change.to_dict() for change in changes],
    }


def _cells(change: Change) -> tuple[str, ...]:
    diff = (change.after_share - change.before_share) * 100
    p_value = "-" if change.p_value is None else f"{change.p_value:.3g}"
    verdicts = ""
    if change.kind == "hypothesis" and change.verdict_before is not None:
        verdicts = f"{change.verdict_before} -> {change.verdict_after}"

    return (
        change.kind,
        change.key,
        f"{change.before} ({percent(change.before_share)})",
        f"{change.after} ({percent(change.after_share)})",
        f"{diff:+.1f} pp",
        p_value,
        "yes" if change.beyond_noise else "no",
        verdicts,
    )


HEADER = ("kind", "what", "before", "after", "change", "p", "beyond noise", "verdict")
# Narrower consoles get the table without its kind column and box lines.
WIDE = 120


def render_table(
    changes: Sequence[Change], labels: Sequence[str], console: Console
) -> None:
    """Print the comparison with Rich; rows beyond noise are highlighted.

    Below ``WIDE`` columns the kind column (plain from the names: "failed",
    dotted causes, H ids) and the box lines are left out so the numbers fit.
    """
    wide = console.width >= WIDE
    table = Table(
        title=f"Before: {labels[0]}   After: {labels[1]}",
        caption=METHOD,
        box=box.HEAVY_HEAD if wide else box.SIMPLE_HEAD,
        padding=(0, 1) if wide else (0, 1, 0, 0),
    )
    # Narrow: no kind column; a verdict change goes under its hypothesis id.
    shown = range(len(HEADER)) if wide else range(1, len(HEADER) - 1)
    for index in shown:
        name = HEADER[index]
        folds = name in ("what", "verdict")
        table.add_column(
            name if wide or name != "beyond noise" else "beyond",
            no_wrap=not folds,
            overflow="fold" if folds else "ellipsis",
            min_width=24 if name == "what" else None,
        )
    for change in changes:
        style = ""
        if change.beyond_noise:
            style = "green" if change.direction == "down" else "bold red"
        cells = list(_cells(change))
        if not wide and cells[-1]:
            cells[1] = f"{cells[1]}: {cells[-1]}"
        table.add_row(*(Text(cells[i]) for i in shown), style=style)

    console.print(table)


def render_markdown(changes: Sequence[Change], labels: Sequence[str]) -> str:
    """The comparison as a Markdown table with the method stated under it."""
    lines = [
        "## Before / after",
        "",
        f"Before: `{labels[0]}`; after: `{labels[1]}`.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    lines += ["| " + " | ".join(_cells(change)) + " |" for change in changes]
    lines += ["", METHOD[0].upper() + METHOD[1:] + "."]

    return "\n".join(lines) + "\n"
