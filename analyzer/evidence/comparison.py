"""Before/after comparison of two analyses, rendered as a table, Markdown or JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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


def render_table(
    changes: Sequence[Change], labels: Sequence[str], console: Console
) -> None:
    """Print the comparison with Rich; rows beyond noise are highlighted."""
    table = Table(title=f"Before: {labels[0]}   After: {labels[1]}", caption=METHOD)
    for name in HEADER:
        table.add_column(name, no_wrap=name in ("what", "before", "after"))
    for change in changes:
        style = ""
        if change.beyond_noise:
            style = "green" if change.direction == "down" else "bold red"
        table.add_row(*(Text(cell) for cell in _cells(change)), style=style)

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
