"""The list of Triage dashboards, rendered as Grafana JSON, and their queries."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from grafana_foundation_sdk.builders import dashboard as builders
from grafana_foundation_sdk.cog.encoder import JSONEncoder

from dashboards import failures, health

# File name under generated/ -> the function building that dashboard.
DASHBOARDS: dict[str, Callable[[], builders.Dashboard]] = {
    "interview-failures.json": failures.dashboard,
    "service-health.json": health.dashboard,
}


@dataclass(frozen=True)
class PanelQuery:
    """One PromQL expression of one panel (or variable) of one dashboard."""

    dashboard: str
    panel: str
    ref_id: str
    expr: str


def render(board: builders.Dashboard) -> str:
    """Return a dashboard as stable JSON: sorted keys, indented, newline-ended."""
    model = board.build()

    return json.dumps(model, cls=JSONEncoder, indent=2, sort_keys=True) + "\n"


def render_all() -> dict[str, str]:
    """Return every dashboard's JSON text keyed by its file name."""
    return {name: render(build()) for name, build in sorted(DASHBOARDS.items())}


def documents() -> list[dict[str, Any]]:
    """Return every dashboard as the JSON object Grafana loads."""
    return [json.loads(text) for text in render_all().values()]


def queries() -> list[PanelQuery]:
    """Return every panel's PromQL expressions, with dashboard and panel titles."""
    return [query for document in documents() for query in _panel_queries(document)]


def variable_queries() -> list[PanelQuery]:
    """Return the PromQL of every query variable (e.g. ``label_values(...)``)."""
    found = []
    for document in documents():
        for variable in document.get("templating", {}).get("list", []):
            if variable.get("type") == "query":
                found.append(
                    PanelQuery(
                        document["title"], f"${variable['name']}", "", variable["query"]
                    )
                )

    return found


def _panel_queries(document: dict[str, Any]) -> Iterator[PanelQuery]:
    """Yield the targets of every panel, rows' nested panels included."""
    for panel in _panels(document.get("panels", [])):
        for target in panel.get("targets", []):
            if "expr" in target:
                yield PanelQuery(
                    document["title"], panel["title"], target["refId"], target["expr"]
                )


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Yield panels depth-first, descending into rows."""
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))
