"""The report as one self-contained HTML file: tables, and charts drawn by Plotly.

Plotly's JavaScript is embedded once, inline, so the file opens with no network
(an incident laptop, an attachment in a ticket). Every text that came from
telemetry is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import plotly.io as pio
import plotly.offline

from analyzer.evidence import charts
from analyzer.evidence.gather import Evidence
from analyzer.evidence.tables import all_tables, percent

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px;
       color: #1b1f24; background: #ffffff; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ccd; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccd; padding: 0.3rem 0.6rem; text-align: left;
         vertical-align: top; }
th { background: #eef1f6; }
td.confirmed { background: #fde2e1; font-weight: 600; }
td.ruled_out, td.not_observed { color: #5a6270; }
td.inconclusive { background: #fff4d6; }
p.note { color: #5a6270; font-size: 0.85rem; }
code { background: #f3f4f7; padding: 0 0.2rem; }
"""
_VERDICTS = frozenset({"confirmed", "ruled_out", "not_observed", "inconclusive"})


def render_html(
    report: object, evidence: Evidence, title: str = "Triage report"
) -> str:
    """The whole report as one HTML document that needs no network to view."""
    data = _as_dict(report)
    body = [
        f"<h1>{_esc(title)}</h1>",
        _summary(data),
        _section("Verdicts", _verdict_table(data)),
        _section("Failed requests by root cause", _cause_table(data)),
        *_evidence_sections(evidence),
        _section("Charts", _charts(evidence)),
    ]

    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_esc(title)}</title><style>{_STYLE}</style>"
        f"<script>{plotly.offline.get_plotlyjs()}</script></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def _as_dict(report: object) -> Mapping[str, Any]:
    if report is None:
        return {}
    if hasattr(report, "to_dict"):
        return report.to_dict()

    return report if isinstance(report, Mapping) else {}


def _summary(data: Mapping[str, Any]) -> str:
    keys = ("entry_requests", "requests", "failed", "unclassified", "inputs")
    items = [
        f"<li>{_esc(key.replace('_', ' '))}: <b>{_esc(data[key])}</b></li>"
        for key in keys
        if key in data and not isinstance(data[key], Mapping | list)
    ]
    hint = (
        "<p class='note'>Open any example trace in the terminal with "
        "<code>triage trace TRACE_ID PATH...</code>.</p>"
    )

    return (f"<ul>{''.join(items)}</ul>" if items else "") + hint


def _verdict_table(data: Mapping[str, Any]) -> str:
    rows = []
    for item in data.get("hypotheses", []) or []:
        verdict = str(item.get("verdict", ""))
        rows.append(
            [
                _esc(item.get("id", "")),
                _esc(item.get("title") or item.get("name") or ""),
                (verdict, _esc(verdict)),
                _esc(item.get("count", "")),
                _esc(_share(item.get("share"))),
                _esc(", ".join(map(str, (item.get("examples") or [])[:3]))),
            ]
        )
    header = ("id", "hypothesis", "verdict", "failures", "share", "example traces")

    return _html_table(header, rows) if rows else "<p>No verdicts in the report.</p>"


def _cause_table(data: Mapping[str, Any]) -> str:
    rows = [
        [
            _esc(item.get("cause", "")),
            _esc(item.get("hypothesis", "")),
            _esc(item.get("count", "")),
            _esc(_share(item.get("share"))),
            _esc(", ".join(map(str, (item.get("examples") or [])[:3]))),
        ]
        for item in data.get("groups", []) or []
    ]
    header = ("cause", "hypothesis", "failures", "share", "example traces")

    return _html_table(header, rows) if rows else "<p>No failed requests.</p>"


def _evidence_sections(evidence: Evidence) -> Iterable[str]:
    for table in all_tables(evidence):
        rows = [
            [(cell, _esc(cell)) if cell in _VERDICTS else _esc(cell) for cell in row]
            for row in table.rows
        ]
        content = _html_table(table.header, rows) if rows else "<p>Nothing to show.</p>"
        if table.note:
            content += f"<p class='note'>{_esc(table.note)}</p>"
        yield _section(table.title, content)


def _charts(evidence: Evidence) -> str:
    figures = (
        ("failures", charts.failures_over_time(evidence)),
        ("leads", charts.lead_histogram(evidence)),
        ("offset", charts.clock_offset_over_time(evidence)),
    )
    return "".join(
        pio.to_html(
            figure,
            full_html=False,
            include_plotlyjs=False,
            div_id=f"chart-{name}",
            config={"displaylogo": False, "responsive": True},
        )
        for name, figure in figures
    )


def _html_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{_esc(name)}</th>" for name in header)
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)

    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(cell: Any) -> str:
    """A cell is escaped text, or (css class, escaped text) for verdicts."""
    if isinstance(cell, tuple):
        css, text = cell
        return f"<td class='{_esc(css)}'>{text}</td>"

    return f"<td>{cell}</td>"


def _section(title: str, content: str) -> str:
    return f"<section><h2>{_esc(title)}</h2>{content}</section>"


def _share(value: object) -> str:
    return percent(float(value)) if isinstance(value, int | float) else ""


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)
