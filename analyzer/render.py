"""Reports for people and programs: a Rich table, Markdown and JSON."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from analyzer.report import Report

_VERDICT_STYLE = {
    "confirmed": "bold red",
    "ruled_out": "green",
    "not_observed": "dim",
    "inconclusive": "yellow",
}


def render_json(report: Report) -> str:
    """The report as indented JSON."""
    return json.dumps(report.to_dict(), indent=2, sort_keys=False)


def _headline(report: Report) -> str:
    s = report.summary
    if s.entry_requests == 0:
        filters = [
            flag
            for flag, key in (
                ("--entry-route", "entry_route"),
                ("--since", "since_ns"),
                ("--until", "until_ns"),
            )
            if report.settings.get(key) is not None
        ]
        if filters:
            return f"No entry requests match {', '.join(filters)}."
        return "No entry requests found (no server span at the top of a trace)."
    if s.failed == 0:
        return f"{s.entry_requests} entry requests, no failed requests."

    return (
        f"{s.failed} of {s.entry_requests} entry requests failed "
        f"({s.failed / s.entry_requests:.1%}); {s.classified} have a root cause, "
        f"{s.unclassified} unclassified."
    )


def _inputs_line(report: Report) -> str:
    s = report.summary
    parts = [
        f"mode: {s.mode}",
        f"{s.spans} spans",
        f"{s.traces} traces",
        f"{s.log_events} log events",
    ]
    if s.duplicate_spans:
        parts.append(f"{s.duplicate_spans} duplicate spans ignored")
    if s.spans_without_ids:
        parts.append(f"{s.spans_without_ids} spans without valid ids")
    if s.spans_in_cycles:
        parts.append(f"{s.spans_in_cycles} spans in parent cycles")

    return ", ".join(parts)


def _printable(path: str) -> str:
    """A path with control characters escaped, so a file name cannot drive the
    terminal."""
    if path.isprintable():
        return path

    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in path)


def _file_notes(report: Report) -> list[str]:
    notes = []
    for item in report.files:
        path = _printable(item["path"])
        note = f"{path}: {item['format']}, {item['records']} records"
        if item["skipped"]:
            note += f", {item['skipped']} skipped"
        if item["malformed_lines"]:
            lines = ", ".join(map(str, item["first_malformed"]))
            note += f", {item['malformed_lines']} malformed lines (first: {lines})"
        if item.get("stopped"):
            note += f"; {item['stopped']}"
        notes.append(note)
    notes += [
        f"{_printable(item['path'])}: skipped, {_printable(item['reason'])}"
        for item in report.skipped_files
    ]

    return notes


def render_table(report: Report, console: Console) -> None:
    """Print the report to a Rich console: headline, cause groups, verdicts, inputs."""
    console.print(f"[bold]{_headline(report)}[/bold]")
    console.print(_inputs_line(report), style="dim")

    if report.groups:
        by = report.settings.get("group_by")
        groups = Table(title="Failed requests by root cause", title_justify="left")
        for header in (
            "cause",
            *([by] if by else []),
            "count",
            "share",
            "hypothesis",
            "example trace ids",
        ):
            groups.add_column(
                header, justify="right" if header in ("count", "share") else "left"
            )
        for g in report.groups:
            groups.add_row(
                g.cause,
                *([g.by or "-"] if by else []),
                str(g.count),
                f"{g.share:.1%}",
                g.hypothesis or "-",
                "\n".join(g.examples[:2]),
            )
        console.print(groups)

    verdicts = Table(title="Hypotheses", title_justify="left")
    for header in ("id", "hypothesis", "verdict", "count", "share", "why"):
        verdicts.add_column(
            header, justify="right" if header in ("count", "share") else "left"
        )
    for v in report.hypotheses:
        verdicts.add_row(
            v.id,
            v.title,
            f"[{_VERDICT_STYLE[v.verdict]}]{v.verdict}[/]",
            str(v.count),
            f"{v.share:.1%}",
            v.reason + _lead_note(v.evidence),
        )
    console.print(verdicts)

    for note in _file_notes(report):
        console.print(note, style="dim", markup=False, highlight=False)


def _lead_note(evidence: dict) -> str:
    leads = evidence.get("lead_ms")
    if not leads:
        return ""
    note = (
        f"; lead time p50 {leads['p50']:.0f} ms "
        f"(min {leads['min']:.0f}, max {leads['max']:.0f})"
    )
    if evidence.get("min_lead_ms") is not None:
        note += f", minimum lead in force {evidence['min_lead_ms']:.0f} ms"

    return note


def render_markdown(report: Report) -> str:
    """The report as a Markdown document."""
    lines = [
        "# Triage analysis",
        "",
        _headline(report),
        "",
        f"_{_inputs_line(report)}_",
        "",
    ]
    by = report.settings.get("group_by")
    if report.groups:
        extra = [by] if by else []
        lines += [
            "## Failed requests by root cause",
            "",
            "| "
            + " | ".join(
                ["cause", *extra, "count", "share", "hypothesis", "example trace ids"]
            )
            + " |",
            "|" + "---|" * (5 + len(extra)),
        ]
        for g in report.groups:
            cells = [
                f"`{g.cause}`",
                *([g.by or "-"] if by else []),
                str(g.count),
                f"{g.share:.1%}",
                g.hypothesis or "-",
                ", ".join(f"`{t}`" for t in g.examples[:3]),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")

    lines += [
        "## Hypotheses",
        "",
        "| id | hypothesis | verdict | count | share | why |",
        "|---|---|---|---|---|---|",
    ]
    for v in report.hypotheses:
        why = (v.reason + _lead_note(v.evidence)).replace("|", "\\|")
        lines.append(
            f"| {v.id} | {v.title} | **{v.verdict}** | {v.count} | "
            f"{v.share:.1%} | {why} |"
        )
    lines += ["", "## Inputs", ""]
    lines += [f"- {note}" for note in _file_notes(report)]

    return "\n".join(lines) + "\n"
