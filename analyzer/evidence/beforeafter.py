"""Before/after: did the share of failures per cause and hypothesis change?

Each row compares a count out of the entry requests of each analysis with a
two-sided two-proportion z-test (pooled variance). A change is beyond noise when
p < ``ALPHA`` (0.05) for that row alone; no correction is made for testing many
rows at once, so read a lone borderline row with care.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass

ALPHA = 0.05


@dataclass(frozen=True)
class Tally:
    """The counts of one analysis that a comparison needs."""

    requests: int
    failed: int
    causes: Mapping[str, int]
    hypotheses: Mapping[str, int]
    verdicts: Mapping[str, str]


@dataclass(frozen=True)
class Change:
    """One count before and after, with the test of its share."""

    kind: str
    key: str
    before: int
    before_total: int
    after: int
    after_total: int
    z: float | None
    p_value: float | None
    verdict_before: str | None = None
    verdict_after: str | None = None

    @property
    def before_share(self) -> float:
        """The share before."""
        return self.before / self.before_total if self.before_total else 0.0

    @property
    def after_share(self) -> float:
        """The share after."""
        return self.after / self.after_total if self.after_total else 0.0

    @property
    def beyond_noise(self) -> bool:
        """Whether the test rejects "same share" at level ALPHA."""
        return self.p_value is not None and self.p_value < ALPHA

    @property
    def direction(self) -> str:
        """``up``, ``down`` or ``same`` (shares), regardless of significance."""
        if self.after_share > self.before_share:
            return "up"
        return "down" if self.after_share < self.before_share else "same"

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict with the derived fields included."""
        return {
            **asdict(self),
            "before_share": self.before_share,
            "after_share": self.after_share,
            "direction": self.direction,
            "beyond_noise": self.beyond_noise,
        }


def two_proportion_z(
    count_a: int, total_a: int, count_b: int, total_b: int
) -> tuple[float | None, float | None]:
    """z and two-sided p for share b minus share a; None when undefined."""
    if total_a <= 0 or total_b <= 0:
        return None, None
    pooled = (count_a + count_b) / (total_a + total_b)
    variance = pooled * (1 - pooled) * (1 / total_a + 1 / total_b)
    if variance <= 0:
        # Both shares are 0 or both are 1: identical, nothing to test.
        return 0.0, 1.0

    z = (count_b / total_b - count_a / total_a) / math.sqrt(variance)
    p_value = math.erfc(abs(z) / math.sqrt(2))

    return z, p_value


def compare_tallies(before: Tally, after: Tally) -> tuple[Change, ...]:
    """Failed share, then every cause and every hypothesis, before against after."""
    rows = [_change("total", "failed", before.failed, before, after.failed, after)]

    for cause in sorted(set(before.causes) | set(after.causes)):
        b, a = before.causes.get(cause, 0), after.causes.get(cause, 0)
        rows.append(_change("cause", cause, b, before, a, after))

    for hypothesis in sorted(set(before.hypotheses) | set(after.hypotheses)):
        b, a = before.hypotheses.get(hypothesis, 0), after.hypotheses.get(hypothesis, 0)
        row = _change("hypothesis", hypothesis, b, before, a, after)
        rows.append(
            Change(
                **{
                    **asdict(row),
                    "verdict_before": before.verdicts.get(hypothesis),
                    "verdict_after": after.verdicts.get(hypothesis),
                }
            )
        )

    return tuple(rows)


def _change(
    kind: str, key: str, before: int, tally_b: Tally, after: int, tally_a: Tally
) -> Change:
    z, p_value = two_proportion_z(before, tally_b.requests, after, tally_a.requests)

    return Change(
        kind, key, before, tally_b.requests, after, tally_a.requests, z, p_value
    )
