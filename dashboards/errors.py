"""Errors of the dashboards package.

DashboardError
 └── DriftError   committed files differ from what the generator produces
"""

from __future__ import annotations


class DashboardError(Exception):
    """Base class for every error the dashboards package raises on purpose."""


class DriftError(DashboardError):
    """The committed dashboard JSON is missing, stale or unexpected."""
