"""The verdict rules, applied exactly (VERDICTS.md)."""

from __future__ import annotations

import pytest

from analyzer.diagnosis import load
from analyzer.verdicts import decide

RULES = load()


@pytest.mark.parametrize(
    ("n", "failed", "unexplained", "expected"),
    [
        (0, 0, 0.0, "not_observed"),  # no failed requests
        (3, 60, 0.0, "confirmed"),  # 3 >= min_count, 5% >= min_share
        (2, 10, 0.0, "inconclusive"),  # below min_count
        (3, 61, 0.0, "inconclusive"),  # share just under 5%
        (0, 50, 0.10, "ruled_out"),  # U at the limit
        (0, 50, 0.12, "not_observed"),  # too much unexplained to rule out
    ],
)
def test_rules(n: int, failed: int, unexplained: float, expected: str) -> None:
    """Each rule boundary gives its verdict."""
    assert decide(n, failed, unexplained, RULES)[0] == expected


def test_reason_names_the_numbers() -> None:
    """The reason line carries the count and the share."""
    _, reason = decide(30, 60, 0.0, RULES)
    assert "30 of 60" in reason and "50.0%" in reason
