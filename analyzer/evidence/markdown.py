"""The evidence as a Markdown section, for ``report.md`` and pull requests."""

from __future__ import annotations

from analyzer.evidence.gather import Evidence
from analyzer.evidence.tables import TextTable, all_tables


def render_markdown(evidence: Evidence) -> str:
    """Every evidence table as Markdown under one ``## Evidence`` heading."""
    parts = ["## Evidence", ""]
    for table in all_tables(evidence):
        parts += [_table(table), ""]

    return "\n".join(parts)


def _table(table: TextTable) -> str:
    lines = [f"### {table.title}", ""]
    if not table.rows:
        lines.append("_nothing to show_")
    else:
        lines.append("| " + " | ".join(table.header) + " |")
        lines.append("|" + "---|" * len(table.header))
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    if table.note:
        lines += ["", table.note]

    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
