"""Assemble panels into a dashboard that carries the shared variables and links."""

from __future__ import annotations

from collections.abc import Sequence

from grafana_foundation_sdk.builders import dashboard as builders
from grafana_foundation_sdk.cog import builder as cog
from grafana_foundation_sdk.models import dashboard as models

from dashboards import variables

TAG = "triage"

PanelBuilder = cog.Builder[models.Panel]


def assemble(
    uid: str, title: str, description: str, panels: Sequence[PanelBuilder]
) -> builders.Dashboard:
    """Return a dashboard with the shared variables and the panels, ids 1..n."""
    board = (
        builders.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags([TAG])
        .time("now-1h", "now")
        .refresh("30s")
        .timezone("utc")
        .tooltip(models.DashboardCursorSync.CROSSHAIR)
        .variables(variables.all_variables())
        .link(_sibling_dashboards())
    )
    for number, panel in enumerate(panels, start=1):
        board.with_panel(_numbered(panel, number))

    return board


def _numbered(panel: PanelBuilder, number: int) -> PanelBuilder:
    """Give a panel its id; every panel factory returns a builder with ``id``."""
    panel.id(number)  # type: ignore[attr-defined]

    return panel


def _sibling_dashboards() -> builders.DashboardLink:
    """Return a drop-down linking the other Triage dashboards, keeping time and vars."""
    return (
        builders.DashboardLink("Triage")
        .type(models.DashboardLinkType.DASHBOARDS)
        .tags([TAG])
        .as_dropdown(True)
        .keep_time(True)
        .include_vars(True)
    )
