"""Grafana dashboards as code, with their provisioning and scrape config.

``render_all`` builds the dashboards' JSON; ``write`` and ``check`` keep the
committed copies in ``generated/`` in step; ``queries`` lists every panel's
PromQL so tests can run each one against a real Prometheus.
"""

from __future__ import annotations

from dashboards.catalog import PanelQuery, queries, render_all, variable_queries
from dashboards.errors import DashboardError, DriftError
from dashboards.render import GENERATED_DIR, check, differences, write

__all__ = [
    "GENERATED_DIR",
    "DashboardError",
    "DriftError",
    "PanelQuery",
    "check",
    "differences",
    "queries",
    "render_all",
    "variable_queries",
    "write",
]
