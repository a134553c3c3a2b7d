"""A small reader of the names a PromQL expression uses: metrics and labels.

Enough for the expressions our dashboards build (selectors, aggregations,
functions, binary operators); not a full PromQL parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_RANGE = re.compile(r"\[[^\]]*\]")
_BRACES = re.compile(r"\{[^}]*\}")
_GROUPING = re.compile(
    r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)"
)
_SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}")
_MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*"')
_IDENTIFIER = re.compile(r"(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?")
_KEYWORDS = frozenset(
    {"and", "or", "unless", "bool", "offset", "group_left", "group_right"}
)


@dataclass(frozen=True)
class Names:
    """Metric names, matcher labels per metric, and grouping labels of an expression."""

    metrics: frozenset[str]
    matched_labels: dict[str, frozenset[str]]
    grouping_labels: frozenset[str]


def read(expr: str) -> Names:
    """Return the metrics and labels ``expr`` refers to."""
    matched = {
        metric: frozenset(_MATCHER.findall(body))
        for metric, body in _SELECTOR.findall(expr)
    }
    grouping = frozenset(
        label.strip()
        for labels in _GROUPING.findall(_STRING.sub('""', expr))
        for label in labels.split(",")
        if label.strip()
    )

    return Names(_metrics(expr), matched, grouping)


def _metrics(expr: str) -> frozenset[str]:
    """Return identifiers that stand where a metric name stands (not a function)."""
    bare = _STRING.sub('""', expr)
    bare = _BRACES.sub(" ", bare)
    bare = _RANGE.sub(" ", bare)
    bare = _GROUPING.sub(" ", bare)

    return frozenset(
        name
        for name, call in _IDENTIFIER.findall(bare)
        if not call and name not in _KEYWORDS
    )
