"""Errors the analyzer raises.

    AnalyzerError          base: any expected failure of an analysis
    ├── InputError         a path that cannot be opened or read at all
    └── DiagnosisError     a diagnosis file that is missing or malformed

Bad records inside a readable file are never errors: they are counted and
reported in ``Report.inputs``.
"""

from __future__ import annotations


class AnalyzerError(Exception):
    """An expected failure of an analysis, shown to the user as one line."""


class InputError(AnalyzerError):
    """An input path that does not exist or cannot be read."""


class DiagnosisError(AnalyzerError):
    """A diagnosis file that cannot be loaded or does not validate."""
